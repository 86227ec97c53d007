/* clock: clock_gettime's clocks (REALTIME, MONOTONIC, their coarse and raw kinds, BOOTTIME)
 * answer and move forward; clock_getres; time() and gettimeofday agree with REALTIME; EINVAL
 * for an unknown clock, EFAULT for bad pointers (through the raw call: the vDSO would crash). */
#include "report.h"
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
  const struct { const char *name; clockid_t id; } clocks[] = {
    { "REALTIME", CLOCK_REALTIME }, { "MONOTONIC", CLOCK_MONOTONIC }, { "MONOTONIC_RAW", CLOCK_MONOTONIC_RAW },
    { "REALTIME_COARSE", CLOCK_REALTIME_COARSE }, { "MONOTONIC_COARSE", CLOCK_MONOTONIC_COARSE }, { "BOOTTIME", CLOCK_BOOTTIME },
  };
  for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
    struct timespec a, b;
    char label[64];
    snprintf(label, sizeof label, "clock_gettime %s", clocks[i].name);
    CHECK(label, syscall(SYS_clock_gettime, clocks[i].id, &a));
    usleep(20000);
    syscall(SYS_clock_gettime, clocks[i].id, &b);
    printf("%s moves forward: %s, nanoseconds < 1e9: %s\n", clocks[i].name, ns(b) > ns(a) ? "yes" : "no", a.tv_nsec < 1000000000 ? "yes" : "no");
  }
  struct timespec res;
  CHECK("clock_getres MONOTONIC", syscall(SYS_clock_getres, CLOCK_MONOTONIC, &res));
  EXPECT("resolution at most 1 ms", res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000000);
  CHECK("clock_getres NULL", syscall(SYS_clock_getres, CLOCK_REALTIME, NULL));
  CHECK("clock_gettime clock 99", syscall(SYS_clock_gettime, 99, &res));
  CHECK("clock_getres clock 99", syscall(SYS_clock_getres, 99, &res));
  CHECK("clock_gettime into a bad pointer", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, bad_pointer));
  struct timespec real;
  syscall(SYS_clock_gettime, CLOCK_REALTIME, &real);
  long t = syscall(SYS_time, NULL);
  EXPECT("time() within a second of REALTIME", t - real.tv_sec >= 0 && t - real.tv_sec <= 1);
  EXPECT("after 2020", t > 1577836800L);
  struct timeval tv;
  CHECK("gettimeofday", syscall(SYS_gettimeofday, &tv, NULL));
  EXPECT("gettimeofday within a second", tv.tv_sec - real.tv_sec >= 0 && tv.tv_sec - real.tv_sec <= 1 && tv.tv_usec < 1000000);
  CHECK("gettimeofday into a bad pointer", syscall(SYS_gettimeofday, bad_pointer, NULL));
  CHECK("time into a bad pointer", syscall(SYS_time, bad_pointer));
  return 0;
}
