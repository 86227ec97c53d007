/* dup: dup gives the lowest free number; dup2 onto an open number closes it first, onto itself
 * is a no-op (EBADF if closed); EBADF for closed or negative descriptors and a target past the
 * limit. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  int fd = CHECK("open /dev/null", open("/dev/null", O_RDWR));
  CHECK("dup", dup(fd));
  CHECK("close 3", close(3));
  CHECK("dup gives 3 again", dup(4));
  CHECK("dup a closed descriptor", dup(40));
  CHECK("dup -1", dup(-1));
  CHECK("dup2 4 onto 10", dup2(4, 10));
  CHECK("write 10", write(10, "x", 1));
  CHECK("dup2 onto itself", dup2(10, 10));
  CHECK("dup2 a closed descriptor onto itself", dup2(40, 40));
  CHECK("dup2 a closed descriptor", dup2(40, 11));
  CHECK("dup2 onto -1", dup2(4, -1));
  CHECK("dup2 onto 1 << 20", dup2(4, 1 << 20));
  int ends[2];
  CHECK("pipe", pipe(ends));
  CHECK("dup2 the read end onto 10 (closing /dev/null's)", dup2(ends[0], 10));
  CHECK("write a pipe's write end", write(ends[1], "y", 1));
  char c = 0;
  CHECK("read through 10", read(10, &c, 1));
  printf("byte: %c\n", c);
  CHECK("fcntl F_GETFD on the copy (no close-on-exec)", fcntl(10, F_GETFD));
  return 0;
}
