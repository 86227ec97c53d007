/* pread-pwrite: reads and writes at an offset leave the descriptor's offset alone; a negative
 * offset is EINVAL, a pipe ESPIPE. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  scratch("pread-pwrite");
  int fd = CHECK("open", open("file", O_CREAT | O_RDWR | O_TRUNC, 0644));
  CHECK("write", write(fd, "abcdefgh", 8));
  char buffer[8] = { 0 };
  CHECK("pread 3 at 2", pread(fd, buffer, 3, 2));
  printf("bytes: %s\n", buffer);
  CHECK("offset unchanged", lseek(fd, 0, SEEK_CUR));
  CHECK("pwrite 2 at 0", pwrite(fd, "XY", 2, 0));
  CHECK("offset unchanged", lseek(fd, 0, SEEK_CUR));
  CHECK("pwrite past the end, at 12", pwrite(fd, "Z", 1, 12));
  struct stat status;
  CHECK("fstat", fstat(fd, &status));
  printf("size: %lld\n", (long long)status.st_size);
  char all[16];
  CHECK("pread 16 at 0", pread(fd, all, 16, 0));
  for (int i = 0; i < 13; i++) printf("%02x", (unsigned char)all[i]);
  printf("\n");
  CHECK("pread at the end", pread(fd, all, 16, 13));
  CHECK("pread negative offset", pread(fd, all, 1, -1));
  CHECK("pwrite negative offset", pwrite(fd, all, 1, -1));
  CHECK("pread bad descriptor", pread(40, all, 1, 0));
  int ends[2];
  CHECK("pipe", pipe(ends));
  CHECK("pread a pipe", pread(ends[0], all, 1, 0));
  CHECK("pwrite a pipe", pwrite(ends[1], all, 1, 0));
  CHECK("close", close(fd));
  return 0;
}
