/* ioctl: FIONREAD on a pipe (the bytes waiting), FIONBIO, FIOCLEX and FIONCLEX; ENOTTY for an
 * unknown request on a file and a pipe, EBADF, EFAULT. */
#include "report.h"
#include <fcntl.h>
#include <sys/ioctl.h>

int main(void) {
  int ends[2];
  CHECK("pipe", pipe(ends));
  write(ends[1], "12345", 5);
  int n = -1;
  CHECK("FIONREAD", ioctl(ends[0], FIONREAD, &n));
  printf("waiting: %d\n", n);
  int on = 1;
  CHECK("FIONBIO on", ioctl(ends[0], FIONBIO, &on));
  CHECK("O_NONBLOCK set", (fcntl(ends[0], F_GETFL) & O_NONBLOCK) != 0);
  CHECK("FIOCLEX", ioctl(ends[0], FIOCLEX));
  CHECK("F_GETFD", fcntl(ends[0], F_GETFD));
  CHECK("FIONCLEX", ioctl(ends[0], FIONCLEX));
  CHECK("F_GETFD", fcntl(ends[0], F_GETFD));
  CHECK("request 0x5499 on a pipe", ioctl(ends[0], 0x5499, 0));
  int file = open("/etc/passwd", O_RDONLY);
  CHECK("TCGETS on a file", ioctl(file, TCGETS, &n));
  CHECK("TIOCGWINSZ on a file", ioctl(file, TIOCGWINSZ, &n));
  CHECK("ioctl a closed descriptor", ioctl(40, FIONREAD, &n));
  CHECK("FIONREAD into a bad pointer", ioctl(ends[0], FIONREAD, bad_pointer));
  return 0;
}
