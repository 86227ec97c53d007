/* vfork: the parent waits until the child execs or exits; the child's exec'd program runs; a
 * child that only exits with a status; raw clone with CLONE_VFORK|CLONE_VM. */
#include "report.h"

int main(void) {
  pid_t child = vfork();
  if (child == 0) _exit(4);
  EXPECT("vfork returned a pid", child > 0);
  wait_report("vfork child that exits", child);
  child = vfork();
  if (child == 0) {
    execl("/bin/echo", "echo", "vfork child ran echo", (char *)NULL);
    _exit(127);
  }
  wait_report("vfork child that execs", child);
  child = vfork();
  if (child == 0) {
    execl("/missing", "missing", (char *)NULL);
    _exit(errno == ENOENT ? 3 : 4);
  }
  wait_report("vfork child whose exec fails", child);
  return 0;
}
