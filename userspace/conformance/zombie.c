/* zombie: a child that has exited but is not waited for still has its pid (kill 0 succeeds, a
 * second fork gets another pid); waiting reaps it (then ESRCH and ECHILD); WNOWAIT leaves it. */
#include "report.h"
#include <signal.h>

int main(void) {
  pid_t child = fork();
  if (child == 0) _exit(3);
  siginfo_t info;
  CHECK("waitid WEXITED|WNOWAIT (it has ended)", waitid(P_PID, child, &info, WEXITED | WNOWAIT));
  CHECK("kill 0 to the zombie", kill(child, 0));
  pid_t other = fork();
  if (other == 0) _exit(4);
  EXPECT("another child gets another pid", other != child);
  wait_report("the zombie", child);
  CHECK("kill 0 after reaping", kill(child, 0));
  wait_report("the other", other);
  int status;
  CHECK("waitpid with nothing left", waitpid(-1, &status, 0));
  return 0;
}
