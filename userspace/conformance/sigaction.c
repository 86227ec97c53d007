/* sigaction: installing a handler and reading back the old action (SA_RESTART, SA_RESETHAND,
 * SA_NODEFER), SIG_IGN, raise; EINVAL for SIGKILL, SIGSTOP, signal 0 and 65; the raw call's
 * sigsetsize check. */
#include "report.h"
#include <signal.h>
#include <sys/syscall.h>

static volatile int count, blocked_inside;
static void handler(int signal) {
  sigset_t now;
  sigprocmask(SIG_BLOCK, NULL, &now);
  blocked_inside = sigismember(&now, signal);
  count++;
}

int main(void) {
  struct sigaction action = { 0 }, old = { 0 };
  action.sa_handler = handler;
  action.sa_flags = SA_RESTART;
  CHECK("sigaction SIGUSR1", sigaction(SIGUSR1, &action, &old));
  printf("old handler is SIG_DFL: %s\n", old.sa_handler == SIG_DFL ? "yes" : "no");
  CHECK("read it back", sigaction(SIGUSR1, NULL, &old));
  printf("handler kept: %s, SA_RESTART kept: %s\n", old.sa_handler == handler ? "yes" : "no", (old.sa_flags & SA_RESTART) ? "yes" : "no");
  CHECK("raise SIGUSR1", raise(SIGUSR1));
  printf("count %d, blocked inside its handler %d\n", count, blocked_inside);
  action.sa_flags = SA_NODEFER;
  CHECK("sigaction SA_NODEFER", sigaction(SIGUSR1, &action, NULL));
  raise(SIGUSR1);
  printf("count %d, blocked inside its handler %d\n", count, blocked_inside);
  action.sa_flags = SA_RESETHAND;
  CHECK("sigaction SA_RESETHAND", sigaction(SIGUSR2, &action, NULL));
  raise(SIGUSR2);
  CHECK("read SIGUSR2 back", sigaction(SIGUSR2, NULL, &old));
  printf("count %d, reset to SIG_DFL %s\n", count, old.sa_handler == SIG_DFL ? "yes" : "no");
  CHECK("SIG_IGN SIGUSR1", sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL));
  raise(SIGUSR1);
  printf("count after an ignored raise: %d\n", count);
  CHECK("sigaction SIGKILL", sigaction(SIGKILL, &action, NULL));
  CHECK("sigaction SIGSTOP", sigaction(SIGSTOP, &action, NULL));
  CHECK("read SIGKILL's action", sigaction(SIGKILL, NULL, &old));
  CHECK("sigaction 0", sigaction(0, &action, NULL));
  CHECK("raw rt_sigaction 65", syscall(SYS_rt_sigaction, 65, NULL, &old, 8));
  CHECK("raw rt_sigaction sigsetsize 4", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4));
  CHECK("raw rt_sigaction a bad pointer", syscall(SYS_rt_sigaction, SIGUSR1, bad_pointer, NULL, 8));
  CHECK("SIGRTMIN+1 handler", sigaction(SIGRTMIN + 1, &action, NULL));
  return 0;
}
