/* getrandom: up to the size asked (two calls differ), GRND_NONBLOCK and GRND_RANDOM accepted,
 * 0 bytes; EINVAL for unknown flags, EFAULT. */
#include "report.h"
#include <sys/random.h>
#include <sys/syscall.h>

int main(void) {
  unsigned char a[32], b[32];
  CHECK("getrandom 32", getrandom(a, sizeof a, 0));
  CHECK("getrandom 32 again", getrandom(b, sizeof b, 0));
  EXPECT("the two differ", memcmp(a, b, sizeof a) != 0);
  CHECK("GRND_NONBLOCK", getrandom(a, 16, GRND_NONBLOCK));
  CHECK("GRND_RANDOM 16", getrandom(a, 16, GRND_RANDOM));
  CHECK("0 bytes", getrandom(a, 0, 0));
  CHECK("flags 0x80", syscall(SYS_getrandom, a, 16, 0x80));
  CHECK("into a bad pointer", syscall(SYS_getrandom, bad_pointer, 16, 0));
  static unsigned char big[4096];
  CHECK("4096 bytes", getrandom(big, sizeof big, 0));
  return 0;
}
