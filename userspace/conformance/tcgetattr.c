/* tcgetattr: the console (standard output, as init got it) as a terminal: isatty, tcgetattr
 * and tcsetattr (a change read back, then restored), and ENOTTY for a file, a pipe and
 * /dev/null; EBADF, EFAULT. Flag values differ between a serial port and Capsid's console: only
 * the bits this program sets are printed. */
#include "report.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>

int main(void) {
  int tty = 1;
  CHECK("isatty", isatty(tty));
  struct termios original, t;
  CHECK("tcgetattr", tcgetattr(tty, &original));
  t = original;
  t.c_lflag &= ~(ECHO | ICANON);
  t.c_cc[VMIN] = 0;
  t.c_cc[VTIME] = 3;
  CHECK("tcsetattr no echo, not canonical", tcsetattr(tty, TCSANOW, &t));
  CHECK("tcgetattr", tcgetattr(tty, &t));
  printf("ECHO %d ICANON %d VMIN %d VTIME %d\n", (t.c_lflag & ECHO) != 0, (t.c_lflag & ICANON) != 0, t.c_cc[VMIN], t.c_cc[VTIME]);
  CHECK("tcsetattr back", tcsetattr(tty, TCSANOW, &original));
  CHECK("tcgetattr", tcgetattr(tty, &t));
  printf("ECHO %d ICANON %d\n", (t.c_lflag & ECHO) == (original.c_lflag & ECHO), (t.c_lflag & ICANON) == (original.c_lflag & ICANON));
  CHECK("tcsetattr bad action", tcsetattr(tty, 99, &t));
  int file = open("/etc/passwd", O_RDONLY);
  CHECK("isatty a file", isatty(file));
  CHECK("tcgetattr a file", tcgetattr(file, &t));
  int ends[2];
  pipe(ends);
  CHECK("tcgetattr a pipe", tcgetattr(ends[0], &t));
  int null = open("/dev/null", O_RDWR);
  CHECK("tcgetattr /dev/null", tcgetattr(null, &t));
  CHECK("tcgetattr a closed descriptor", tcgetattr(40, &t));
  CHECK("TCGETS into a bad pointer", ioctl(tty, TCGETS, bad_pointer));
  return 0;
}
