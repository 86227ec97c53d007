/* sigchld: SIGCHLD's handler runs when a child ends (si_code, si_status through SA_SIGINFO);
 * with SIGCHLD ignored children are reaped at once and wait is ECHILD; the default ignores it. */
#include "report.h"
#include <signal.h>

static volatile int caught, code, status_seen;
static void handler(int signal, siginfo_t *info, void *context) {
  (void)context;
  caught = signal;
  code = info->si_code;
  status_seen = info->si_status;
}

int main(void) {
  struct sigaction action = { 0 };
  action.sa_sigaction = handler;
  action.sa_flags = SA_SIGINFO;
  CHECK("sigaction SIGCHLD", sigaction(SIGCHLD, &action, NULL));
  sigset_t block, empty;
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  sigemptyset(&empty);
  sigprocmask(SIG_BLOCK, &block, NULL);
  pid_t child = fork();
  if (child == 0) _exit(17);
  sigsuspend(&empty);
  printf("caught %d, code %s, status %d\n", caught, code == CLD_EXITED ? "CLD_EXITED" : "other", status_seen);
  wait_report("child", child);
  sigprocmask(SIG_UNBLOCK, &block, NULL);
  signal(SIGCHLD, SIG_IGN);
  child = fork();
  if (child == 0) _exit(3);
  int status;
  CHECK("wait with SIGCHLD ignored", waitpid(child, &status, 0));
  signal(SIGCHLD, SIG_DFL);
  child = fork();
  if (child == 0) _exit(4);
  wait_report("child with SIGCHLD's default", child);
  return 0;
}
