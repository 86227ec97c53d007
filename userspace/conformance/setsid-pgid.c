/* setsid-pgid: process groups and sessions: a child's setpgid(0, 0), getpgid and getpgrp,
 * setsid in a group leader (EPERM) and in a fresh child, getsid; ESRCH and EINVAL. */
#include "report.h"

int main(void) {
  pid_t self = getpid();
  EXPECT("getpgid(0) == getpgrp()", getpgid(0) == getpgrp());
  EXPECT("getsid(0) > 0", getsid(0) > 0);
  CHECK("getpgid missing pid", getpgid(999999));
  CHECK("getsid missing pid", getsid(999999));
  CHECK("setpgid negative pgid", setpgid(0, -1));
  CHECK("setpgid missing pid", setpgid(999999, 0));
  CHECK("setpgid(0, 0): a group of its own", setpgid(0, 0));
  EXPECT("getpgrp is now the pid", getpgrp() == self);
  CHECK("setsid as a group leader", setsid());
  int ends[2];
  pipe(ends);
  pid_t child = fork();
  if (child == 0) {
    char line[8] = "-------";
    line[0] = getpgrp() == self ? 'y' : 'n';                   /* inherits the group */
    line[1] = setpgid(0, 0) == 0 && getpgrp() == getpid() ? 'y' : 'n';
    line[2] = setpgid(0, self) == 0 && getpgrp() == self ? 'y' : 'n';   /* back into the parent's */
    pid_t session = setsid();
    line[3] = session == getpid() ? 'y' : 'n';
    line[4] = getsid(0) == getpid() && getpgrp() == getpid() ? 'y' : 'n';
    line[5] = setpgid(0, self) == -1 && errno == EPERM ? 'y' : 'n';    /* another session's group */
    write(ends[1], line, 7);
    _exit(0);
  }
  char line[8] = { 0 };
  read(ends[0], line, 7);
  wait_report("child", child);
  printf("child: inherits %c, own group %c, back %c, setsid %c, leads %c, EPERM across %c\n",
         line[0], line[1], line[2], line[3], line[4], line[5]);
  child = fork();
  if (child == 0) { pause(); _exit(0); }
  CHECK("setpgid a child into its own group", setpgid(child, child));
  EXPECT("getpgid(child) == child", getpgid(child) == child);
  kill(child, 9);
  wait_report("child", child);
  return 0;
}
