/* dup3: dup3 with O_CLOEXEC marks the copy close-on-exec; the same number is EINVAL (unlike
 * dup2); unknown flags EINVAL; EBADF. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  int fd = CHECK("open /dev/null", open("/dev/null", O_RDWR));
  CHECK("dup3 O_CLOEXEC onto 8", dup3(fd, 8, O_CLOEXEC));
  CHECK("F_GETFD of 8", fcntl(8, F_GETFD));
  CHECK("dup3 0 onto 9", dup3(fd, 9, 0));
  CHECK("F_GETFD of 9", fcntl(9, F_GETFD));
  CHECK("dup3 onto itself", dup3(fd, fd, 0));
  CHECK("dup3 unknown flag", dup3(fd, 12, O_NONBLOCK));
  CHECK("dup3 a closed descriptor", dup3(40, 12, 0));
  CHECK("dup3 onto -1", dup3(fd, -1, 0));
  CHECK("dup3 over an O_CLOEXEC copy clears it", dup3(fd, 8, 0));
  CHECK("F_GETFD of 8", fcntl(8, F_GETFD));
  return 0;
}
