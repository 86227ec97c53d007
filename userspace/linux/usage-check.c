/* usage-check: user and group ids, CPU time (times, getrusage, wait4's and waitid's usage, the
 * CPU-time clocks) and resource limits (RLIMIT_NOFILE enforced, CORE kept, the rest fixed), unmodified (glibc and musl, static); its output is compared with the
 * same binary's as /init on Debian's kernel (tests/qemu/linux.test.ts). Only relations are
 * printed, never times: a 200 ms spin must show at least 100 ms of CPU time, a 200 ms sleep less
 * than 50. User and system time are summed (Capsid counts all of it as user time). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define BAD ((void *)8)

static const char *name(int error) {
  switch (error) {
    case EINVAL: return "EINVAL"; case EFAULT: return "EFAULT"; case EPERM: return "EPERM"; case ECHILD: return "ECHILD";
    case EMFILE: return "EMFILE"; case EBADF: return "EBADF"; case ESRCH: return "ESRCH";
    default: return "other";
  }
}

static void result(const char *what, long value) {
  int error = errno;
  if (value < 0) printf("%s: -1 %s\n", what, name(error));
  else printf("%s: %ld\n", what, value);
}

static long long now_ns(clockid_t clock) {
  struct timespec t;
  if (clock_gettime(clock, &t) != 0) return -1;
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long rusage_ns(int who) {
  struct rusage usage;
  if (getrusage(who, &usage) != 0) return -1;
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000000LL + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000LL;
}

static void spin(long milliseconds) {
  long long end = now_ns(CLOCK_MONOTONIC) + milliseconds * 1000000LL;
  while (now_ns(CLOCK_MONOTONIC) < end) {}
}

/* Runs `what` in a child (an id change must not touch this process) and prints its result. */
static void in_child(const char *label, int what) {
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    gid_t five = 5;
    long value = what == 0 ? setuid(1000) : what == 1 ? setgid(1000) : what == 2 ? setresuid(1000, 1000, 1000) : setgroups(1, &five);
    result(label, value);
    fflush(stdout);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
}

static void ids(void) {
  printf("getuid geteuid getgid getegid: %d %d %d %d\n", (int)getuid(), (int)geteuid(), (int)getgid(), (int)getegid());
  uid_t r = 7, e = 7, s = 7;
  result("getresuid", getresuid(&r, &e, &s));
  printf("real effective saved: %d %d %d\n", (int)r, (int)e, (int)s);
  gid_t gr = 7, ge = 7, gs = 7;
  result("getresgid", getresgid(&gr, &ge, &gs));
  printf("real effective saved groups: %d %d %d\n", (int)gr, (int)ge, (int)gs);
  result("getresuid to a bad address", syscall(SYS_getresuid, BAD, BAD, BAD));
  result("setuid 0", setuid(0));
  result("setgid 0", setgid(0));
  result("setuid -1", syscall(SYS_setuid, -1));
  result("setreuid -1 0", setreuid(-1, 0));
  result("setregid 0 -1", setregid(0, -1));
  result("setresuid 0 0 0", setresuid(0, 0, 0));
  result("setresgid -1 -1 -1", setresgid(-1, -1, -1));
  result("setfsuid 0 (the previous)", syscall(SYS_setfsuid, 0));
  printf("still uid 0: %d\n", getuid() == 0 && geteuid() == 0);
  in_child("setuid 1000 in a child", 0);
  in_child("setgid 1000 in a child", 1);
  in_child("setresuid 1000 in a child", 2);
  in_child("setgroups {5} in a child", 3);
  printf("uid 0 after the children: %d\n", getuid() == 0);

  result("getgroups 0", getgroups(0, NULL));
  gid_t zero[2] = { 0, 0 };
  result("setgroups {0, 0}", setgroups(2, zero));
  result("getgroups 0 after", getgroups(0, NULL));
  gid_t list[4] = { 9, 9, 9, 9 };
  result("getgroups 4", getgroups(4, list));
  printf("the groups: %d %d\n", (int)list[0], (int)list[1]);
  result("getgroups 1 (too small)", getgroups(1, list));
  result("getgroups -1", syscall(SYS_getgroups, -1, list));
  result("getgroups to a bad address", syscall(SYS_getgroups, 2, BAD));
  result("setgroups -1", syscall(SYS_setgroups, -1, zero));
  result("setgroups from a bad address", syscall(SYS_setgroups, 1, BAD));
  result("setgroups none", setgroups(0, NULL));
  result("getgroups 0 at the end", getgroups(0, NULL));
}

static void cpu(void) {
  long long process = now_ns(CLOCK_PROCESS_CPUTIME_ID), thread = now_ns(CLOCK_THREAD_CPUTIME_ID);
  long long self = rusage_ns(RUSAGE_SELF), own = rusage_ns(RUSAGE_THREAD);
  printf("the CPU clocks read: %d %d\n", process >= 0, thread >= 0);
  spin(200);
  long long spent = now_ns(CLOCK_PROCESS_CPUTIME_ID) - process;
  printf("a 200 ms spin: at least 100 ms of process CPU time: %d, at most 2 s: %d\n", spent >= 100000000LL, spent <= 2000000000LL);
  printf("a 200 ms spin: at least 100 ms of thread CPU time: %d\n", now_ns(CLOCK_THREAD_CPUTIME_ID) - thread >= 100000000LL);
  printf("a 200 ms spin: at least 100 ms in RUSAGE_SELF: %d, in RUSAGE_THREAD: %d\n", rusage_ns(RUSAGE_SELF) - self >= 100000000LL,
         rusage_ns(RUSAGE_THREAD) - own >= 100000000LL);
  long long before = now_ns(CLOCK_PROCESS_CPUTIME_ID);
  struct timespec pause = { 0, 200000000 };
  nanosleep(&pause, NULL);
  printf("a 200 ms sleep: under 50 ms of CPU time: %d\n", now_ns(CLOCK_PROCESS_CPUTIME_ID) - before < 50000000LL);
  struct timespec resolution = { 9, 9 };
  result("clock_getres of the process clock", clock_getres(CLOCK_PROCESS_CPUTIME_ID, &resolution));
  printf("its resolution at most 1 ms: %d\n", resolution.tv_sec == 0 && resolution.tv_nsec > 0 && resolution.tv_nsec <= 1000000);
  result("clock_gettime of the process clock to a bad address", syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, BAD));
  result("getrusage of who 5", getrusage(5, &(struct rusage){0}));
  result("getrusage to a bad address", syscall(SYS_getrusage, RUSAGE_SELF, BAD));
  long long reaped_before = rusage_ns(RUSAGE_CHILDREN);   /* the id children, which hardly ran */
  printf("RUSAGE_CHILDREN before a spinning child: under 100 ms: %d\n", reaped_before >= 0 && reaped_before < 100000000LL);

  struct tms first, second;
  clock_t start = times(&first);
  nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
  clock_t end = times(&second);
  printf("times across a 100 ms sleep: 5 to 30 ticks: %d\n", end - start >= 5 && end - start <= 30);
  printf("times: the process's CPU time in ticks at least 10: %d\n", first.tms_utime + first.tms_stime >= 10);
  printf("times with no buffer: %d\n", times(NULL) != (clock_t)-1);
  result("times to a bad address", syscall(SYS_times, BAD));

  fflush(stdout);
  pid_t child = fork();
  if (child == 0) { spin(200); _exit(3); }
  struct rusage usage;
  memset(&usage, 0, sizeof usage);
  int status = 0;
  pid_t reaped = wait4(child, &status, 0, &usage);
  printf("wait4: the child, exit 3: %d %d\n", reaped == child, WIFEXITED(status) && WEXITSTATUS(status) == 3);
  long long child_ns = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000000LL + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000LL;
  printf("wait4: the child's usage at least 100 ms: %d\n", child_ns >= 100000000LL);
  printf("RUSAGE_CHILDREN after it: at least 100 ms: %d\n", rusage_ns(RUSAGE_CHILDREN) >= 100000000LL);
  struct tms after;
  times(&after);
  printf("times: the children's ticks at least 10: %d\n", after.tms_cutime + after.tms_cstime >= 10);

  fflush(stdout);
  child = fork();
  if (child == 0) { spin(200); _exit(0); }
  siginfo_t information;
  memset(&information, 0, sizeof information);
  result("waitid", waitid(P_PID, child, &information, WEXITED));
  printf("waitid: si_utime and si_stime (Linux has left them 0 since 4.13): %ld %ld\n", (long)information.si_utime, (long)information.si_stime);
  printf("RUSAGE_CHILDREN after both: at least 200 ms: %d\n", rusage_ns(RUSAGE_CHILDREN) >= 200000000LL);
  result("wait4 with no child left", wait4(-1, &status, WNOHANG, &usage));
}

static void limits(void) {
  struct rlimit files, got;
  result("getrlimit NOFILE", getrlimit(RLIMIT_NOFILE, &files));
  printf("NOFILE soft at most hard, at least 64: %d\n", files.rlim_cur <= files.rlim_max && files.rlim_cur >= 64);
  result("setrlimit NOFILE to 16", setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 16, files.rlim_max }));
  result("getrlimit NOFILE after", getrlimit(RLIMIT_NOFILE, &got));
  printf("the soft limit read back: %ld\n", (long)got.rlim_cur);
  int last = -1, fd;
  while ((fd = dup(1)) >= 0) last = fd;
  printf("dup until it fails: the last descriptor %d, then %s\n", last, name(errno));
  for (int i = 3; i <= last; i++) close(i);
  result("dup2 onto 16", dup2(1, 16));
  result("dup2 onto 15", dup2(1, 15));
  close(15);
  result("F_DUPFD from 16", fcntl(1, F_DUPFD, 16));
  result("poll of 17 descriptors", syscall(SYS_poll, NULL, 17, 0));
  result("setrlimit NOFILE soft above hard", setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 32, 16 }));
  result("setrlimit NOFILE back", setrlimit(RLIMIT_NOFILE, &files));
  result("dup2 onto 16 now", dup2(1, 16));
  close(16);
  result("setrlimit CORE to 0", setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 }));
  result("getrlimit CORE", getrlimit(RLIMIT_CORE, &got));
  printf("CORE read back: %ld %ld\n", (long)got.rlim_cur, (long)got.rlim_max);
  result("getrlimit of resource 99", syscall(SYS_getrlimit, 99, &got));
  result("getrlimit to a bad address", syscall(SYS_getrlimit, RLIMIT_NOFILE, BAD));
  result("setrlimit from a bad address", syscall(SYS_setrlimit, RLIMIT_NOFILE, BAD));
  result("prlimit64 of no such process", syscall(SYS_prlimit64, 0x7ffff0, RLIMIT_NOFILE, NULL, &got));
  result("prlimit64 reading its own", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &got));
  struct rlimit stack;
  result("getrlimit STACK", getrlimit(RLIMIT_STACK, &stack));
  result("setrlimit STACK to what it is", setrlimit(RLIMIT_STACK, &stack));
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    result("setrlimit CPU to 100 s in a child", setrlimit(RLIMIT_CPU, &(struct rlimit){ 100, 100 }));
    fflush(stdout);
    _exit(0);
  }
  waitpid(child, NULL, 0);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("usage-check: started\n");
  ids();
  cpu();
  limits();
  printf("usage-check: done\n");
  fflush(stdout);
  tcdrain(1);   /* Linux panics when init ends: the console must have sent everything first */
  return 0;
}
