/* sigprocmask: SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK; a blocked signal stays pending (sigpending)
 * and its handler runs at the unblock; SIGKILL and SIGSTOP are never blocked; EINVAL for a bad
 * how, the raw call's sigsetsize; the mask is inherited by fork. */
#include "report.h"
#include <signal.h>
#include <sys/syscall.h>

static volatile int count;
static void handler(int signal) { (void)signal; count++; }

int main(void) {
  signal(SIGUSR1, handler);
  sigset_t set, old, pending;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGKILL);
  sigaddset(&set, SIGSTOP);
  CHECK("SIG_BLOCK USR1, KILL, STOP", sigprocmask(SIG_BLOCK, &set, &old));
  printf("old mask had USR1: %d\n", sigismember(&old, SIGUSR1));
  CHECK("read the mask", sigprocmask(SIG_BLOCK, NULL, &old));
  printf("USR1 %d KILL %d STOP %d\n", sigismember(&old, SIGUSR1), sigismember(&old, SIGKILL), sigismember(&old, SIGSTOP));
  raise(SIGUSR1);
  raise(SIGUSR1);
  printf("handler ran while blocked: %d\n", count);
  CHECK("sigpending", sigpending(&pending));
  printf("USR1 pending: %d, USR2 pending: %d\n", sigismember(&pending, SIGUSR1), sigismember(&pending, SIGUSR2));
  pid_t child = fork();
  if (child == 0) {
    sigset_t mask, waiting;
    sigprocmask(SIG_BLOCK, NULL, &mask);
    sigpending(&waiting);
    _exit((sigismember(&mask, SIGUSR1) ? 1 : 0) | (sigismember(&waiting, SIGUSR1) ? 2 : 0));
  }
  wait_report("child: mask inherited (1), pending not (2)", child);
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  CHECK("SIG_UNBLOCK USR1", sigprocmask(SIG_UNBLOCK, &set, NULL));
  printf("handler ran once for two raises: %d\n", count);
  CHECK("SIG_SETMASK empty", sigprocmask(SIG_SETMASK, &set, NULL));
  sigemptyset(&set);
  CHECK("how 7", sigprocmask(7, &set, NULL));
  CHECK("raw sigsetsize 4", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 4));
  CHECK("raw a bad pointer", syscall(SYS_rt_sigprocmask, SIG_BLOCK, bad_pointer, NULL, 8));
  CHECK("raw how 7 without a set", syscall(SYS_rt_sigprocmask, 7, NULL, NULL, 8));
  CHECK("raw rt_sigpending sigsetsize 16", syscall(SYS_rt_sigpending, &pending, 16));
  return 0;
}
