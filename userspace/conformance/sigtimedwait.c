/* sigtimedwait: a blocked pending signal is taken without its handler (si_signo, si_code
 * SI_USER from kill, SI_TKILL from raise); a zero timeout with nothing pending is EAGAIN, a
 * 50 ms one too; EINVAL for a bad timeout. */
#include "report.h"
#include <signal.h>
#include <time.h>

static volatile int handled;
static void handler(int signal) { (void)signal; handled++; }

int main(void) {
  signal(SIGUSR1, handler);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);
  kill(getpid(), SIGUSR1);
  siginfo_t info;
  memset(&info, 0, sizeof info);
  struct timespec zero = { 0, 0 };
  CHECK("sigtimedwait, one pending", sigtimedwait(&set, &info, &zero));
  printf("signo %d, SI_USER %d, from this pid %d\n", info.si_signo, info.si_code == SI_USER, info.si_pid == getpid());
  printf("handler ran: %d\n", handled);
  raise(SIGUSR1);
  memset(&info, 0, sizeof info);
  CHECK("sigwaitinfo after raise", sigwaitinfo(&set, &info));
  printf("SI_TKILL %d\n", info.si_code == SI_TKILL);
  CHECK("sigtimedwait, none pending, zero timeout", sigtimedwait(&set, &info, &zero));
  struct timespec short_wait = { 0, 50000000 };
  CHECK("sigtimedwait 50 ms", sigtimedwait(&set, &info, &short_wait));
  struct timespec bad = { 0, 1000000000 };
  CHECK("sigtimedwait bad timeout", sigtimedwait(&set, &info, &bad));
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  printf("handler ran: %d\n", handled);
  return 0;
}
