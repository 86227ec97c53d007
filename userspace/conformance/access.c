/* access: access, faccessat and faccessat2 as root: F_OK, R_OK, W_OK, X_OK (which needs an
 * execute bit even for root), AT_SYMLINK_NOFOLLOW, and ENOENT, ENOTDIR, EINVAL, EBADF. */
#include "report.h"
#include <fcntl.h>
#include <sys/syscall.h>

int main(void) {
  scratch("access");
  CHECK("creat plain 0644", creat("plain", 0644));
  CHECK("creat program 0755", creat("program", 0755));
  CHECK("creat none 0000", creat("none", 0));
  CHECK("access plain F_OK", access("plain", F_OK));
  CHECK("access plain R_OK|W_OK", access("plain", R_OK | W_OK));
  CHECK("access plain X_OK", access("plain", X_OK));
  CHECK("access program X_OK", access("program", X_OK));
  CHECK("access none R_OK (root)", access("none", R_OK));
  CHECK("access none X_OK", access("none", X_OK));
  CHECK("access . X_OK", access(".", X_OK));
  CHECK("access missing", access("missing", F_OK));
  CHECK("access plain/x", access("plain/x", F_OK));
  CHECK("access mode 8", access("plain", 8));
  CHECK("access /bin/sh X_OK", access("/bin/sh", X_OK));
  int folder = CHECK("open .", open(".", O_RDONLY));
  CHECK("faccessat plain", faccessat(folder, "plain", R_OK, 0));
  CHECK("faccessat a closed descriptor", faccessat(40, "plain", R_OK, 0));
  CHECK("faccessat2 AT_EACCESS", syscall(439, folder, "program", X_OK, AT_EACCESS));
  CHECK("symlink", symlink("missing", "dangling"));
  CHECK("faccessat2 dangling, following", syscall(439, folder, "dangling", F_OK, 0));
  CHECK("faccessat2 dangling, AT_SYMLINK_NOFOLLOW", syscall(439, folder, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
  CHECK("faccessat2 unknown flag", syscall(439, folder, "plain", F_OK, 0x8));
  CHECK("raw faccessat", syscall(SYS_faccessat, folder, "plain", W_OK));
  CHECK("close", close(folder));
  return 0;
}
