/* uname: the system name and machine (the release and host name differ between kernels:
 * checked for shape only); EFAULT. */
#include "report.h"
#include <sys/syscall.h>
#include <sys/utsname.h>

int main(void) {
  struct utsname u;
  CHECK("uname", uname(&u));
  printf("sysname: %s\n", u.sysname);
  printf("machine: %s\n", u.machine);
  EXPECT("release starts with a digit", u.release[0] >= '0' && u.release[0] <= '9');
  EXPECT("nodename is not empty", u.nodename[0] != 0);
  CHECK("uname into a bad pointer", syscall(SYS_uname, bad_pointer));
  return 0;
}
