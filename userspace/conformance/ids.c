/* ids: getpid, gettid, getppid, the user and group ids (root), getgroups' absence of a syscall
 * aside; compared, never printed, as pids differ between kernels. */
#include "report.h"
#include <sys/syscall.h>

int main(void) {
  pid_t self = getpid();
  EXPECT("getpid > 0", self > 0);
  EXPECT("gettid == getpid", syscall(SYS_gettid) == self);
  EXPECT("getpid is stable", getpid() == self);
  CHECK("getuid", getuid());
  CHECK("geteuid", geteuid());
  CHECK("getgid", getgid());
  CHECK("getegid", getegid());
  int ends[2];
  pipe(ends);
  pid_t child = fork();
  if (child == 0) {
    pid_t values[3] = { getpid(), getppid(), (pid_t)syscall(SYS_gettid) };
    write(ends[1], values, sizeof values);
    _exit(0);
  }
  pid_t values[3] = { 0, 0, 0 };
  read(ends[0], values, sizeof values);
  wait_report("child", child);
  EXPECT("the child's getpid is fork's result", values[0] == child);
  EXPECT("the child's getppid is the parent", values[1] == self);
  EXPECT("the child's gettid is its pid", values[2] == child);
  EXPECT("getppid > 0", getppid() > 0);
  return 0;
}
