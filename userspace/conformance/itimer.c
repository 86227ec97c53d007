/* itimer: setitimer ITIMER_REAL (one shot and periodic), getitimer's time left, cancelling;
 * EINVAL for an unknown timer and bad microseconds; EFAULT. */
#include "report.h"
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>

static volatile int ticks;
static void handler(int signal) { (void)signal; ticks++; }

int main(void) {
  signal(SIGALRM, handler);
  struct itimerval set = { { 0, 0 }, { 0, 200000 } }, now;
  CHECK("setitimer 200 ms", setitimer(ITIMER_REAL, &set, NULL));
  CHECK("getitimer", getitimer(ITIMER_REAL, &now));
  EXPECT("time left in (0, 200 ms]", now.it_value.tv_sec == 0 && now.it_value.tv_usec > 0 && now.it_value.tv_usec <= 200000);
  pause();
  printf("ticks: %d\n", ticks);
  CHECK("getitimer after it fired", getitimer(ITIMER_REAL, &now));
  printf("left: %ld.%06ld\n", (long)now.it_value.tv_sec, (long)now.it_value.tv_usec);
  struct itimerval periodic = { { 0, 50000 }, { 0, 50000 } };
  CHECK("setitimer every 50 ms", setitimer(ITIMER_REAL, &periodic, NULL));
  while (ticks < 4) pause();
  struct itimerval off = { { 0, 0 }, { 0, 0 } }, old;
  CHECK("cancel, reading the old", setitimer(ITIMER_REAL, &off, &old));
  printf("old interval: %ld.%06ld\n", (long)old.it_interval.tv_sec, (long)old.it_interval.tv_usec);
  EXPECT("at least 4 ticks", ticks >= 4);   /* a fifth may come before the cancel */
  CHECK("getitimer unknown timer", getitimer(7, &now));
  CHECK("setitimer unknown timer", setitimer(7, &set, NULL));
  struct itimerval bad = { { 0, 0 }, { 0, 1000000 } };
  CHECK("setitimer 1e6 microseconds", setitimer(ITIMER_REAL, &bad, NULL));
  CHECK("getitimer into a bad pointer", syscall(SYS_getitimer, ITIMER_REAL, bad_pointer));
  return 0;
}
