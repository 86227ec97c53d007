/* enosys: numbers no kernel implements answer ENOSYS: 999, 5000, -1 and the x86-64 table's
 * unimplemented entries (tuxcall, security, afs_syscall, getpmsg, putpmsg, vserver). */
#include "report.h"
#include <sys/syscall.h>

int main(void) {
  CHECK("syscall 999", syscall(999));
  CHECK("syscall 5000", syscall(5000));
  CHECK("syscall -1", syscall(-1L));
  CHECK("tuxcall (184)", syscall(184));
  CHECK("security (185)", syscall(185));
  CHECK("afs_syscall (183)", syscall(183));
  CHECK("getpmsg (181)", syscall(181));
  CHECK("putpmsg (182)", syscall(182));
  CHECK("vserver (236)", syscall(236));
  CHECK("syscall 999 again", syscall(999, 1, 2, 3, 4, 5, 6));
  return 0;
}
