/* setids: changing the user and group ids to what they are (root's 0, or -1: unchanged),
 * getresuid and getresgid, setfsuid, and the supplementary groups; the errors both kernels give
 * (a uid of -1 for setuid, a bad pointer, a list too small). A change to another id succeeds on
 * Linux and is EPERM on Capsid (uid 0 for good): usage-check covers it, with its listed
 * difference, in a child. */
#include "report.h"
#include <grp.h>
#include <sys/syscall.h>

int main(void) {
  CHECK("setuid 0", setuid(0));
  CHECK("setgid 0", setgid(0));
  CHECK("setuid -1", syscall(SYS_setuid, -1));
  CHECK("setgid -1", syscall(SYS_setgid, -1));
  CHECK("setreuid -1 0", setreuid(-1, 0));
  CHECK("setregid 0 0", setregid(0, 0));
  CHECK("setresuid 0 -1 0", setresuid(0, -1, 0));
  CHECK("setresgid -1 -1 -1", setresgid(-1, -1, -1));
  uid_t r = 9, e = 9, s = 9;
  CHECK("getresuid", getresuid(&r, &e, &s));
  printf("uids: %d %d %d\n", (int)r, (int)e, (int)s);
  gid_t gr = 9, ge = 9, gs = 9;
  CHECK("getresgid", getresgid(&gr, &ge, &gs));
  printf("gids: %d %d %d\n", (int)gr, (int)ge, (int)gs);
  CHECK("getresuid into a bad pointer", syscall(SYS_getresuid, &r, bad_pointer, &s));
  CHECK("getresgid into a bad pointer", syscall(SYS_getresgid, bad_pointer, &ge, &gs));
  CHECK("setfsuid 0 (answers the previous)", syscall(SYS_setfsuid, 0));
  CHECK("setfsgid 0 (answers the previous)", syscall(SYS_setfsgid, 0));
  CHECK("getgroups count", getgroups(0, NULL));
  gid_t groups[3] = { 0, 0, 0 };
  CHECK("setgroups {0, 0, 0}", setgroups(3, groups));
  CHECK("getgroups count after", getgroups(0, NULL));
  gid_t back[8];
  CHECK("getgroups 8", getgroups(8, back));
  CHECK("getgroups 2 (too small)", getgroups(2, back));
  CHECK("getgroups into a bad pointer", syscall(SYS_getgroups, 3, bad_pointer));
  CHECK("setgroups -1", syscall(SYS_setgroups, -1, groups));
  CHECK("setgroups from a bad pointer", syscall(SYS_setgroups, 2, bad_pointer));
  CHECK("setgroups none", setgroups(0, NULL));
  CHECK("getgroups count at the end", getgroups(0, NULL));
  return 0;
}
