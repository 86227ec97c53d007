/* fcntl-dupfd: F_DUPFD and F_DUPFD_CLOEXEC give the lowest free number at least the argument;
 * EINVAL for a negative or too large one; EBADF. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  int fd = CHECK("open /dev/null", open("/dev/null", O_RDONLY));
  CHECK("F_DUPFD 0", fcntl(fd, F_DUPFD, 0));
  CHECK("F_DUPFD 20", fcntl(fd, F_DUPFD, 20));
  CHECK("F_DUPFD 20 again", fcntl(fd, F_DUPFD, 20));
  CHECK("F_DUPFD_CLOEXEC 30", fcntl(fd, F_DUPFD_CLOEXEC, 30));
  CHECK("F_GETFD 30", fcntl(30, F_GETFD));
  CHECK("F_GETFD 20", fcntl(20, F_GETFD));
  CHECK("F_DUPFD -1", fcntl(fd, F_DUPFD, -1));
  CHECK("F_DUPFD 1 << 20", fcntl(fd, F_DUPFD, 1 << 20));
  CHECK("F_DUPFD a closed descriptor", fcntl(40, F_DUPFD, 0));
  CHECK("close 20", close(20));
  CHECK("F_DUPFD 15", fcntl(fd, F_DUPFD, 15));
  return 0;
}
