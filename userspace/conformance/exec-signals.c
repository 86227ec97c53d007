/* exec-signals: what execve keeps of signals: an ignored signal stays ignored, a caught one goes
 * back to its default, the mask and pending signals are kept (busybox's sh, exec'd, shows it:
 * `kill -USR1 $$` then an echo only a survivor reaches). */
#include "report.h"
#include <signal.h>

static void handler(int signal) { (void)signal; }

static void run(const char *label, const char *script) {
  pid_t child = fork();
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", script, (char *)NULL);
    _exit(127);
  }
  wait_report(label, child);
}

int main(void) {
  signal(SIGUSR1, SIG_IGN);
  run("SIGUSR1 ignored before exec", "kill -USR1 $$; echo survived an ignored SIGUSR1");
  signal(SIGUSR1, handler);
  run("SIGUSR1 caught before exec (default after)", "kill -USR1 $$; echo not reached");
  signal(SIGUSR1, SIG_DFL);
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR2);
  sigprocmask(SIG_BLOCK, &block, NULL);
  run("SIGUSR2 blocked across exec", "kill -USR2 $$; echo survived a blocked SIGUSR2");
  pid_t child = fork();
  if (child == 0) {
    raise(SIGUSR2);   /* pending, blocked */
    execl("/bin/sh", "sh", "-c", "echo the pending SIGUSR2 waits", (char *)NULL);
    _exit(127);
  }
  wait_report("pending across exec", child);
  return 0;
}
