/* readv-writev: scatter and gather: three buffers each way, an empty vector, and EINVAL, EBADF,
 * EFAULT. */
#include "report.h"
#include <fcntl.h>
#include <sys/uio.h>
#include <sys/syscall.h>

int main(void) {
  scratch("readv-writev");
  int fd = CHECK("open", open("file", O_CREAT | O_RDWR | O_TRUNC, 0644));
  struct iovec out[3] = { { "one ", 4 }, { "", 0 }, { "three", 5 } };
  CHECK("writev 3", writev(fd, out, 3));
  CHECK("writev 0 vectors", writev(fd, out, 0));
  CHECK("writev -1 vectors", syscall(SYS_writev, fd, out, -1));
  CHECK("writev 2000 vectors", syscall(SYS_writev, fd, out, 2000));
  CHECK("lseek 0", lseek(fd, 0, SEEK_SET));
  char a[3] = { 0 }, b[16] = { 0 };
  struct iovec in[2] = { { a, 2 }, { b, 15 } };
  CHECK("readv", readv(fd, in, 2));
  printf("first: %s, second: %s\n", a, b);
  CHECK("readv at the end", readv(fd, in, 2));
  CHECK("readv a closed descriptor", readv(40, in, 2));
  CHECK("readv a bad vector", readv(fd, (struct iovec *)bad_pointer, 1));
  struct iovec bad[1] = { { bad_pointer, 4 } };
  CHECK("writev a bad buffer", writev(fd, bad, 1));
  CHECK("close", close(fd));
  return 0;
}
