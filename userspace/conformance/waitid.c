/* waitid: P_PID and P_ALL with WEXITED: si_code and si_status for an exit and a kill; WNOWAIT
 * leaves the child to wait for again; WNOHANG with nothing ended; EINVAL (no WEXITED, bad
 * idtype), ECHILD. */
#include "report.h"
#include <signal.h>

static void show(const char *label, const siginfo_t *info) {
  const char *code = info->si_code == CLD_EXITED ? "CLD_EXITED" : info->si_code == CLD_KILLED ? "CLD_KILLED"
                   : info->si_code == CLD_DUMPED ? "CLD_DUMPED" : "other";
  printf("%s: signo %d code %s status %d\n", label, info->si_signo, code, info->si_status);
}

int main(void) {
  siginfo_t info;
  pid_t child = fork();
  if (child == 0) _exit(12);
  memset(&info, 0, sizeof info);
  CHECK("waitid P_PID WEXITED|WNOWAIT", waitid(P_PID, child, &info, WEXITED | WNOWAIT));
  show("first look", &info);
  EXPECT("si_pid is the child", info.si_pid == child);
  memset(&info, 0, sizeof info);
  CHECK("waitid P_PID WEXITED", waitid(P_PID, child, &info, WEXITED));
  show("second look", &info);
  CHECK("waitid it again", waitid(P_PID, child, &info, WEXITED));
  child = fork();
  if (child == 0) { pause(); _exit(0); }
  memset(&info, 0, sizeof info);
  CHECK("waitid WNOHANG, running", waitid(P_ALL, 0, &info, WEXITED | WNOHANG));
  printf("si_pid after WNOHANG: %d\n", info.si_pid);
  kill(child, SIGKILL);
  memset(&info, 0, sizeof info);
  CHECK("waitid P_ALL after SIGKILL", waitid(P_ALL, 0, &info, WEXITED));
  show("killed", &info);
  CHECK("waitid without WEXITED", waitid(P_ALL, 0, &info, 0));
  CHECK("waitid idtype 99", waitid((idtype_t)99, 0, &info, WEXITED));
  CHECK("waitid no children", waitid(P_ALL, 0, &info, WEXITED));
  return 0;
}
