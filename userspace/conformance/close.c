/* close: a descriptor closes once; a closed, negative or never-opened one is EBADF; a closed
 * number is given out again, lowest first. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  int a = CHECK("open /dev/null", open("/dev/null", O_RDONLY));
  int b = CHECK("open /dev/null again", open("/dev/null", O_RDONLY));
  CHECK("close the first", close(a));
  CHECK("close it again", close(a));
  CHECK("the lowest free number is reused", open("/dev/null", O_RDONLY));
  CHECK("close -1", close(-1));
  CHECK("close 1000", close(1000));
  CHECK("close 1 << 20", close(1 << 20));
  CHECK("close the second", close(b));
  CHECK("close", close(a));
  return 0;
}
