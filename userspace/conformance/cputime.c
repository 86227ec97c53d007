/* cputime: times, getrusage (self, children, thread) and the CPU-time clocks around a spin, a
 * sleep and a spinning child; compared, never printed (times differ). Capsid counts all CPU time
 * as user time, so user and system time are summed. */
#include "report.h"
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <time.h>

static long long nanos(clockid_t clock) {
  struct timespec t;
  return clock_gettime(clock, &t) == 0 ? t.tv_sec * 1000000000LL + t.tv_nsec : -1;
}

static long long usage(int who) {
  struct rusage u;
  if (getrusage(who, &u) != 0) return -1;
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000000000LL + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1000LL;
}

static void spin(long ms) {
  long long end = nanos(CLOCK_MONOTONIC) + ms * 1000000LL;
  while (nanos(CLOCK_MONOTONIC) < end) {}
}

int main(void) {
  long long process = nanos(CLOCK_PROCESS_CPUTIME_ID), thread = nanos(CLOCK_THREAD_CPUTIME_ID), self = usage(RUSAGE_SELF);
  EXPECT("the CPU-time clocks read", process >= 0 && thread >= 0);
  spin(150);
  EXPECT("a 150 ms spin: 100 ms or more of process CPU time", nanos(CLOCK_PROCESS_CPUTIME_ID) - process >= 100000000LL);
  EXPECT("a 150 ms spin: 100 ms or more of thread CPU time", nanos(CLOCK_THREAD_CPUTIME_ID) - thread >= 100000000LL);
  EXPECT("a 150 ms spin: 100 ms or more in RUSAGE_SELF", usage(RUSAGE_SELF) - self >= 100000000LL);
  EXPECT("RUSAGE_THREAD at least the spin", usage(RUSAGE_THREAD) >= 100000000LL);
  long long before = nanos(CLOCK_PROCESS_CPUTIME_ID);
  nanosleep(&(struct timespec){ 0, 150000000 }, NULL);
  EXPECT("a 150 ms sleep: under 50 ms of CPU time", nanos(CLOCK_PROCESS_CPUTIME_ID) - before < 50000000LL);
  struct tms a, b;
  clock_t start = times(&a);
  nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
  clock_t end = times(&b);
  EXPECT("times across a 100 ms sleep: 5 to 30 ticks", end - start >= 5 && end - start <= 30);
  EXPECT("times: 10 or more ticks of this process", a.tms_utime + a.tms_stime >= 10);
  EXPECT("times: no children's ticks yet", a.tms_cutime + a.tms_cstime < 5);
  CHECK("times into a bad pointer", syscall(SYS_times, bad_pointer));
  CHECK("getrusage who 7", syscall(SYS_getrusage, 7, &(struct rusage){ 0 }));
  CHECK("getrusage into a bad pointer", syscall(SYS_getrusage, RUSAGE_SELF, bad_pointer));
  CHECK("clock_gettime of the thread clock into a bad pointer", syscall(SYS_clock_gettime, CLOCK_THREAD_CPUTIME_ID, bad_pointer));
  pid_t child = fork();
  if (child == 0) { spin(150); _exit(0); }
  struct rusage u;
  int status = 0;
  EXPECT("wait4 the spinning child", wait4(child, &status, 0, &u) == child);
  EXPECT("wait4's usage: 100 ms or more", (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000000LL + u.ru_utime.tv_usec + u.ru_stime.tv_usec >= 100000);
  EXPECT("RUSAGE_CHILDREN: 100 ms or more", usage(RUSAGE_CHILDREN) >= 100000000LL);
  times(&b);
  EXPECT("times: 10 or more children's ticks", b.tms_cutime + b.tms_cstime >= 10);
  return 0;
}
