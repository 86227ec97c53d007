/* nanosleep: nanosleep and clock_nanosleep (relative and TIMER_ABSTIME) sleep at least as long
 * as asked; EINVAL for bad nanoseconds, a negative time, an unknown clock; EFAULT. */
#include "report.h"
#include <sys/syscall.h>
#include <time.h>

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(void) {
  long long start = now_ns();
  struct timespec t = { 0, 30000000 };
  CHECK("nanosleep 30 ms", nanosleep(&t, NULL));
  long long slept = now_ns() - start;
  EXPECT("slept 30 ms to 2 s", slept >= 30000000 && slept < 2000000000);
  start = now_ns();
  CHECK("clock_nanosleep MONOTONIC 30 ms", clock_nanosleep(CLOCK_MONOTONIC, 0, &t, NULL));
  EXPECT("slept at least 30 ms", now_ns() - start >= 30000000);
  struct timespec until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  until.tv_nsec += 40000000;
  if (until.tv_nsec >= 1000000000) { until.tv_sec++; until.tv_nsec -= 1000000000; }
  CHECK("clock_nanosleep TIMER_ABSTIME", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL));
  struct timespec after;
  clock_gettime(CLOCK_MONOTONIC, &after);
  EXPECT("woke after the deadline", after.tv_sec > until.tv_sec || (after.tv_sec == until.tv_sec && after.tv_nsec >= until.tv_nsec));
  struct timespec past = { 1, 0 };
  CHECK("TIMER_ABSTIME in the past", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
  struct timespec zero = { 0, 0 };
  CHECK("nanosleep 0", nanosleep(&zero, NULL));
  struct timespec bad = { 0, 1000000000 };
  CHECK("raw nanosleep 1e9 ns", syscall(SYS_nanosleep, &bad, NULL));
  struct timespec negative = { -1, 0 };
  CHECK("raw nanosleep -1 s", syscall(SYS_nanosleep, &negative, NULL));
  CHECK("raw nanosleep a bad pointer", syscall(SYS_nanosleep, bad_pointer, NULL));
  CHECK("raw clock_nanosleep clock 99", syscall(SYS_clock_nanosleep, 99, 0, &t, NULL));
  CHECK("raw clock_nanosleep 1e9 ns", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL));
  return 0;
}
