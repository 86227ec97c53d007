/* eintr: a read of an empty pipe interrupted by SIGALRM: EINTR without SA_RESTART; with
 * SA_RESTART the read goes on and returns the byte the handler wrote. nanosleep is EINTR
 * either way. */
#include "report.h"
#include <signal.h>
#include <time.h>

static int ends[2];
static volatile int caught;
static void handler(int signal) {
  caught = signal;
  write(ends[1], "h", 1);
}

int main(void) {
  CHECK("pipe", pipe(ends));
  struct sigaction action = { 0 };
  action.sa_handler = handler;
  CHECK("sigaction SIGALRM, no SA_RESTART", sigaction(SIGALRM, &action, NULL));
  alarm(1);
  char c = 0;
  CHECK("read, interrupted", read(ends[0], &c, 1));
  printf("caught %d\n", caught);
  CHECK("read the handler's byte", read(ends[0], &c, 1));
  action.sa_flags = SA_RESTART;
  CHECK("sigaction SIGALRM, SA_RESTART", sigaction(SIGALRM, &action, NULL));
  caught = 0;
  alarm(1);
  c = 0;
  CHECK("read, restarted", read(ends[0], &c, 1));
  printf("caught %d, byte %c\n", caught, c);
  read(ends[0], &c, 0);
  alarm(1);
  struct timespec t = { 5, 0 }, left = { 0, 0 };
  CHECK("nanosleep 5 s, interrupted", nanosleep(&t, &left));
  EXPECT("time left in (3, 5] s", left.tv_sec >= 3 && left.tv_sec <= 4);
  char buffer[4];
  CHECK("read the handler's byte", read(ends[0], buffer, sizeof buffer));
  return 0;
}
