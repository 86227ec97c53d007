/* pipe2: flags O_CLOEXEC and O_NONBLOCK (EAGAIN on an empty read end), unknown flags EINVAL,
 * a bad pointer EFAULT; a pipe's ends are read-only and write-only. */
#include "report.h"
#include <fcntl.h>
#include <sys/syscall.h>

int main(void) {
  int ends[2];
  CHECK("pipe2 0", pipe2(ends, 0));
  printf("ends: %d %d\n", ends[0], ends[1]);
  CHECK("F_GETFL read end & O_ACCMODE", fcntl(ends[0], F_GETFL) & O_ACCMODE);
  CHECK("F_GETFL write end & O_ACCMODE", fcntl(ends[1], F_GETFL) & O_ACCMODE);
  char c;
  CHECK("write the read end", write(ends[0], "x", 1));
  CHECK("read the write end", read(ends[1], &c, 1));
  CHECK("pipe2 O_NONBLOCK", pipe2(ends, O_NONBLOCK));
  CHECK("read an empty pipe", read(ends[0], &c, 1));
  CHECK("F_GETFL has O_NONBLOCK", (fcntl(ends[0], F_GETFL) & O_NONBLOCK) != 0);
  CHECK("pipe2 O_CLOEXEC", pipe2(ends, O_CLOEXEC));
  CHECK("F_GETFD", fcntl(ends[0], F_GETFD));
  CHECK("pipe2 unknown flag", pipe2(ends, O_APPEND));
  CHECK("pipe2 into a bad pointer", syscall(SYS_pipe2, bad_pointer, 0));
  CHECK("pipe into a bad pointer", syscall(SYS_pipe, bad_pointer));
  return 0;
}
