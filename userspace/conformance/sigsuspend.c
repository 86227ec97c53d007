/* sigsuspend: with SIGUSR1 blocked, a child signals the parent, which sleeps in sigsuspend with
 * an empty mask: the handler runs, sigsuspend is EINTR and the old mask is back; pause too. */
#include "report.h"
#include <signal.h>

static volatile int caught;
static void handler(int signal) { caught = signal; }

int main(void) {
  signal(SIGUSR1, handler);
  sigset_t block, empty, now;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigemptyset(&empty);
  sigprocmask(SIG_BLOCK, &block, NULL);
  pid_t parent = getpid();
  pid_t child = fork();
  if (child == 0) {
    kill(parent, SIGUSR1);
    _exit(0);
  }
  CHECK("sigsuspend", sigsuspend(&empty));
  printf("caught %d\n", caught);
  sigprocmask(SIG_BLOCK, NULL, &now);
  printf("USR1 blocked again: %d\n", sigismember(&now, SIGUSR1));
  wait_report("child", child);
  sigprocmask(SIG_UNBLOCK, &block, NULL);
  caught = 0;
  child = fork();
  if (child == 0) {
    usleep(300000);   /* the parent is in pause by then (a signal before it would be lost to it) */
    kill(parent, SIGUSR1);
    _exit(0);
  }
  CHECK("pause", pause());
  printf("caught %d\n", caught);
  wait_report("child", child);
  return 0;
}
