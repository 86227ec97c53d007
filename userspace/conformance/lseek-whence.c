/* lseek-whence: SEEK_SET, SEEK_CUR, SEEK_END, seeking past the end (a hole of zeros), and the
 * errors: a negative result and an unknown whence EINVAL, a pipe ESPIPE, a closed descriptor EBADF. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  scratch("lseek-whence");
  int fd = CHECK("open", open("file", O_CREAT | O_RDWR | O_TRUNC, 0644));
  CHECK("write 10", write(fd, "0123456789", 10));
  CHECK("SEEK_SET 3", lseek(fd, 3, SEEK_SET));
  CHECK("SEEK_CUR 2", lseek(fd, 2, SEEK_CUR));
  CHECK("SEEK_CUR -1", lseek(fd, -1, SEEK_CUR));
  CHECK("SEEK_END 0", lseek(fd, 0, SEEK_END));
  CHECK("SEEK_END -4", lseek(fd, -4, SEEK_END));
  char byte = 0;
  CHECK("read", read(fd, &byte, 1));
  printf("byte: %c\n", byte);
  CHECK("SEEK_SET -1", lseek(fd, -1, SEEK_SET));
  CHECK("SEEK_CUR -100", lseek(fd, -100, SEEK_CUR));
  CHECK("whence 7", lseek(fd, 0, 7));
  CHECK("offset kept", lseek(fd, 0, SEEK_CUR));
  CHECK("SEEK_SET 20 (past the end)", lseek(fd, 20, SEEK_SET));
  CHECK("write at 20", write(fd, "!", 1));
  CHECK("SEEK_END 0", lseek(fd, 0, SEEK_END));
  char hole[10];
  CHECK("pread the hole", pread(fd, hole, 10, 10));
  int zeros = 0;
  for (int i = 0; i < 10; i++) zeros += hole[i] == 0;
  printf("zero bytes in the hole: %d\n", zeros);
  CHECK("lseek a closed descriptor", lseek(40, 0, SEEK_SET));
  int ends[2];
  CHECK("pipe", pipe(ends));
  CHECK("lseek a pipe", lseek(ends[0], 0, SEEK_SET));
  int folder = CHECK("open .", open(".", O_RDONLY | O_DIRECTORY));
  CHECK("lseek a folder to 0", lseek(folder, 0, SEEK_SET));
  CHECK("close", close(fd));
  return 0;
}
