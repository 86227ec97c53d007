/* read-write: read and write on a file: short reads at the end, zero-length calls, the
 * descriptor's offset, and EBADF, EFAULT, EISDIR. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  scratch("read-write");
  int fd = CHECK("open", open("file", O_CREAT | O_RDWR | O_TRUNC, 0644));
  CHECK("write 10", write(fd, "0123456789", 10));
  CHECK("write 0", write(fd, "", 0));
  CHECK("lseek 0", lseek(fd, 0, SEEK_SET));
  char buffer[32] = { 0 };
  CHECK("read 4", read(fd, buffer, 4));
  printf("bytes: %s\n", buffer);
  CHECK("read 32 (6 left)", read(fd, buffer, 32));
  CHECK("read at the end", read(fd, buffer, 32));
  CHECK("read 0", read(fd, buffer, 0));
  CHECK("read into a bad pointer", read(fd, bad_pointer, 4));
  CHECK("lseek 0", lseek(fd, 0, SEEK_SET));
  CHECK("read into a bad pointer, with data", read(fd, bad_pointer, 4));
  CHECK("write from a bad pointer", write(fd, bad_pointer, 4));
  CHECK("read a closed descriptor", read(40, buffer, 1));
  CHECK("write a closed descriptor", write(40, buffer, 1));
  CHECK("read descriptor -1", read(-1, buffer, 1));
  int folder = CHECK("open .", open(".", O_RDONLY));
  CHECK("read a folder", read(folder, buffer, 1));
  CHECK("close", close(folder));
  CHECK("close", close(fd));
  return 0;
}
