/* select: a pipe's read and write ends in select and pselect: the sets returned, timeouts,
 * and EBADF (a closed descriptor in a set), EINVAL (negative nfds, bad timeout). */
#include "report.h"
#include <sys/select.h>

int main(void) {
  int ends[2];
  CHECK("pipe", pipe(ends));
  fd_set r, w;
  FD_ZERO(&r); FD_ZERO(&w);
  FD_SET(ends[0], &r); FD_SET(ends[1], &w);
  struct timeval zero = { 0, 0 };
  CHECK("select, write end ready", select(ends[1] + 1, &r, &w, NULL, &zero));
  printf("read set: %d, write set: %d\n", FD_ISSET(ends[0], &r), FD_ISSET(ends[1], &w));
  FD_ZERO(&r); FD_SET(ends[0], &r);
  struct timeval wait = { 0, 30000 };
  CHECK("select read, 30 ms", select(ends[0] + 1, &r, NULL, NULL, &wait));
  write(ends[1], "x", 1);
  FD_ZERO(&r); FD_SET(ends[0], &r);
  CHECK("select read with data", select(ends[0] + 1, &r, NULL, NULL, NULL));
  printf("read set: %d\n", FD_ISSET(ends[0], &r));
  FD_ZERO(&r); FD_SET(40, &r);
  struct timeval zero2 = { 0, 0 };
  CHECK("select a closed descriptor", select(41, &r, NULL, NULL, &zero2));
  CHECK("select nfds -1", select(-1, NULL, NULL, NULL, &zero2));
  struct timeval bad = { 0, -5 };
  CHECK("select negative timeout", select(1, NULL, NULL, NULL, &bad));
  struct timespec ts = { 0, 1000000 };
  FD_ZERO(&r); FD_SET(ends[0], &r);
  CHECK("pselect read with data", pselect(ends[0] + 1, &r, NULL, NULL, &ts, NULL));
  struct timespec badts = { 0, 1000000000 };
  CHECK("pselect bad timeout", pselect(1, NULL, NULL, NULL, &badts, NULL));
  return 0;
}
