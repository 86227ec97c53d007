/* kill: signal 0 probes; SIGTERM, SIGKILL, SIGSTOP then SIGCONT on a child (WUNTRACED and
 * WCONTINUED); a process group; ESRCH for no such pid, EINVAL for signal 99. */
#include "report.h"
#include <signal.h>

int main(void) {
  CHECK("kill self 0", kill(getpid(), 0));
  CHECK("kill a missing pid 0", kill(999999, 0));
  CHECK("kill signal 99", kill(getpid(), 99));
  CHECK("kill signal -1", kill(getpid(), -1));
  pid_t child = fork();
  if (child == 0) { for (;;) pause(); }
  CHECK("kill child 0", kill(child, 0));
  CHECK("SIGSTOP", kill(child, SIGSTOP));
  int status = 0;
  CHECK_OK("waitpid WUNTRACED", waitpid(child, &status, WUNTRACED));
  report_status("stopped", status);
  CHECK("SIGCONT", kill(child, SIGCONT));
  CHECK_OK("waitpid WCONTINUED", waitpid(child, &status, WCONTINUED));
  printf("WIFCONTINUED: %d\n", WIFCONTINUED(status));
  CHECK("SIGTERM", kill(child, SIGTERM));
  wait_report("child", child);
  CHECK("kill a reaped child", kill(child, 0));
  child = fork();
  if (child == 0) {
    setpgid(0, 0);
    for (;;) pause();
  }
  setpgid(child, child);
  CHECK("kill the child's group", kill(-child, SIGKILL));
  wait_report("group", child);
  CHECK("kill a missing group", kill(-999999, SIGTERM));
  return 0;
}
