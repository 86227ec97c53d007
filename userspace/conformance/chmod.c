/* chmod: chmod, fchmod and fchmodat set the permission bits (setuid, setgid, sticky kept; the
 * type bits ignored); a link is followed; ENOENT, EBADF, ENOTDIR, EOPNOTSUPP or EINVAL for
 * fchmodat's AT_SYMLINK_NOFOLLOW. */
#include "report.h"
#include <fcntl.h>

static void mode_of(const char *path) {
  struct stat s;
  if (stat(path, &s) == 0) printf("%s: %o\n", path, s.st_mode & 07777);
  else printf("%s: stat -1 %s\n", path, errno_name(errno));
}

int main(void) {
  scratch("chmod");
  int fd = CHECK("creat file", creat("file", 0644));
  CHECK("chmod 0600", chmod("file", 0600));
  mode_of("file");
  CHECK("chmod 07755", chmod("file", 07755));
  mode_of("file");
  CHECK("chmod with type bits", chmod("file", S_IFDIR | 0640));
  mode_of("file");
  CHECK("fchmod 0444", fchmod(fd, 0444));
  mode_of("file");
  CHECK("symlink", symlink("file", "link"));
  CHECK("chmod through a link", chmod("link", 0711));
  mode_of("file");
  CHECK("fchmodat", fchmodat(AT_FDCWD, "file", 0644, 0));
  mode_of("file");
  CHECK("fchmodat AT_SYMLINK_NOFOLLOW", fchmodat(AT_FDCWD, "link", 0600, AT_SYMLINK_NOFOLLOW));
  CHECK("chmod missing", chmod("missing", 0644));
  CHECK("chmod file/x", chmod("file/x", 0644));
  CHECK("fchmod a closed descriptor", fchmod(40, 0644));
  CHECK("fchmodat a closed descriptor", fchmodat(40, "file", 0644, 0));
  CHECK("mkdir", mkdir("d", 0755));
  CHECK("chmod a folder 0500", chmod("d", 0500));
  mode_of("d");
  CHECK("creat in it as root", creat("d/x", 0644));
  CHECK("close", close(fd));
  return 0;
}
