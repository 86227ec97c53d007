/* alarm-check: alarm, setitimer and getitimer (ITIMER_REAL), SIGALRM's siginfo, pause and
 * sleeps it interrupts, unmodified (glibc and musl, static); its output is compared with the same
 * binary's as /init on Debian's kernel (tests/qemu/linux-signals.test.ts). Only relations are
 * printed, never times. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static void result(const char *what, long value) {
  int error = errno;
  if (value < 0) printf("%s: -1 %s\n", what, error == EINTR ? "EINTR" : error == EINVAL ? "EINVAL" : error == EFAULT ? "EFAULT" : "other");
  else printf("%s: %ld\n", what, value);
}

static volatile sig_atomic_t alarms;
static volatile int alarm_code;

static void on_alarm(int signal, siginfo_t *info, void *context) {
  (void)signal; (void)context;
  alarms++;
  alarm_code = info->si_code;
}

int main(void) {
  setvbuf(stdout, 0, _IOLBF, 0);
  printf("alarm-check: started\n");
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_alarm;
  action.sa_flags = SA_SIGINFO;
  sigaction(SIGALRM, &action, 0);

  result("alarm(0) with none armed", alarm(0));
  result("alarm(5)", alarm(5));
  result("alarm(2), 5 were left", alarm(2));
  result("alarm(0), 2 were left", alarm(0));
  struct itimerval value, old;
  memset(&old, 0xff, sizeof old);
  result("getitimer with none armed", getitimer(ITIMER_REAL, &old));
  printf("all zero %d\n", old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0 && old.it_interval.tv_sec == 0 && old.it_interval.tv_usec == 0);
  value.it_value.tv_sec = 3;
  value.it_value.tv_usec = 0;
  value.it_interval.tv_sec = 0;
  value.it_interval.tv_usec = 250000;
  result("setitimer 3 s, then every 250 ms", setitimer(ITIMER_REAL, &value, 0));
  result("getitimer", getitimer(ITIMER_REAL, &old));
  printf("left: over 2.5 s %d, at most 3 s %d; interval 250000 us %d\n", old.it_value.tv_sec >= 2 && (old.it_value.tv_sec > 2 || old.it_value.tv_usec > 500000),
    old.it_value.tv_sec < 3 || (old.it_value.tv_sec == 3 && old.it_value.tv_usec == 0), old.it_interval.tv_sec == 0 && old.it_interval.tv_usec == 250000);
  result("alarm(0) cancels it, about 3 left", alarm(0));
  value.it_value.tv_usec = 1000000;
  result("setitimer 1000000 us", setitimer(ITIMER_REAL, &value, 0));
  value.it_value.tv_usec = -1;
  result("setitimer -1 us", setitimer(ITIMER_REAL, &value, 0));
  value.it_value.tv_usec = 0;
  result("setitimer 99", setitimer(99, &value, 0));
  result("getitimer 99", getitimer(99, &old));
  result("getitimer to a bad address", getitimer(ITIMER_REAL, (void *)16));
  result("setitimer from a bad address", setitimer(ITIMER_REAL, (void *)16, 0));

  /* pause: EINTR after the handler; SIGALRM's siginfo. */
  alarms = 0;
  value.it_value.tv_sec = 0;
  value.it_value.tv_usec = 50000;
  value.it_interval.tv_usec = 0;
  setitimer(ITIMER_REAL, &value, 0);
  result("pause", pause());
  printf("alarms %d, si_code %d (SI_KERNEL %d)\n", alarms, alarm_code, SI_KERNEL);
  result("getitimer after it fired", getitimer(ITIMER_REAL, &old));
  printf("disarmed %d\n", old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0);

  /* A periodic timer: every 20 ms, four times, then cancelled with the old value back. */
  alarms = 0;
  value.it_value.tv_usec = 20000;
  value.it_interval.tv_usec = 20000;
  setitimer(ITIMER_REAL, &value, 0);
  sigset_t none;
  sigemptyset(&none);
  while (alarms < 4) sigsuspend(&none);
  memset(&value, 0, sizeof value);
  result("setitimer to zero", setitimer(ITIMER_REAL, &value, &old));
  printf("alarms at least 4 %d, the old interval 20000 us %d\n", alarms >= 4, old.it_interval.tv_usec == 20000);

  /* A sleep the alarm interrupts, with the time left. */
  alarm(1);
  struct timespec sleep_for = { 3, 0 }, left = { 0, 0 };
  result("nanosleep 3 s, alarm after 1 s", nanosleep(&sleep_for, &left));
  printf("left over 1 s %d, under 3 s %d\n", left.tv_sec >= 1, left.tv_sec < 3);
  struct timespec until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  until.tv_sec += 3;
  alarm(1);
  left.tv_sec = 77;
  result("clock_nanosleep TIMER_ABSTIME, alarm after 1 s", -clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, &left));
  printf("left untouched %d\n", left.tv_sec == 77);

  /* SIGALRM's default action ends a child; an alarm is not inherited by fork. */
  pid_t child = fork();
  if (child == 0) {
    signal(SIGALRM, SIG_DFL);
    alarm(1);
    for (;;) pause();
  }
  int status = 0;
  waitpid(child, &status, 0);
  printf("a child's alarm: killed by signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  alarm(3);
  child = fork();
  if (child == 0) _exit(alarm(0) == 0 ? 0 : 1);
  waitpid(child, &status, 0);
  printf("the alarm is not inherited: child exited %d\n", WEXITSTATUS(status));
  alarm(0);
  printf("alarm-check: done\n");
  tcdrain(1);
  return 0;
}
