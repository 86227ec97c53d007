/* winsize: TIOCSWINSZ then TIOCGWINSZ on the console (standard output) gives back the size set
 * (the size it starts with differs: a serial port's is 0 x 0, Capsid's console 80 x 25, and is
 * not printed); TIOCGWINSZ on a pipe ENOTTY, into a bad pointer EFAULT. */
#include "report.h"
#include <sys/ioctl.h>

int main(void) {
  struct winsize original, set = { .ws_row = 50, .ws_col = 132 }, now;
  CHECK("TIOCGWINSZ", ioctl(1, TIOCGWINSZ, &original));
  CHECK("TIOCSWINSZ 50 x 132", ioctl(1, TIOCSWINSZ, &set));
  memset(&now, 0, sizeof now);
  CHECK("TIOCGWINSZ", ioctl(1, TIOCGWINSZ, &now));
  printf("rows %u, columns %u\n", now.ws_row, now.ws_col);
  CHECK("TIOCSWINSZ back", ioctl(1, TIOCSWINSZ, &original));
  int ends[2];
  pipe(ends);
  CHECK("TIOCGWINSZ on a pipe", ioctl(ends[0], TIOCGWINSZ, &now));
  CHECK("TIOCGWINSZ into a bad pointer", ioctl(1, TIOCGWINSZ, bad_pointer));
  CHECK("TIOCSWINSZ from a bad pointer", ioctl(1, TIOCSWINSZ, bad_pointer));
  return 0;
}
