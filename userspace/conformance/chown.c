/* chown: as root, chown, fchown, lchown and fchownat set the owner and group (-1 keeps one);
 * lchown changes the link, not its target; ENOENT, EBADF, EINVAL (unknown flags). */
#include "report.h"
#include <fcntl.h>

static void owner_of(const char *path) {
  struct stat s;
  if (lstat(path, &s) == 0) printf("%s: %u:%u\n", path, s.st_uid, s.st_gid);
  else printf("%s: lstat -1 %s\n", path, errno_name(errno));
}

int main(void) {
  scratch("chown");
  int fd = CHECK("creat", creat("file", 0644));
  CHECK("symlink", symlink("file", "link"));
  CHECK("chown 1000:1000", chown("file", 1000, 1000));
  owner_of("file");
  CHECK("chown -1:50", chown("file", -1, 50));
  owner_of("file");
  CHECK("chown 7:-1", chown("file", 7, -1));
  owner_of("file");
  CHECK("fchown 0:0", fchown(fd, 0, 0));
  owner_of("file");
  CHECK("lchown the link 5:5", lchown("link", 5, 5));
  owner_of("link");
  owner_of("file");
  CHECK("chown through the link 9:9", chown("link", 9, 9));
  owner_of("link");
  owner_of("file");
  CHECK("fchownat AT_SYMLINK_NOFOLLOW", fchownat(AT_FDCWD, "link", 3, 3, AT_SYMLINK_NOFOLLOW));
  owner_of("link");
  CHECK("fchownat unknown flag", fchownat(AT_FDCWD, "file", 0, 0, 0x2));
  CHECK("chown missing", chown("missing", 0, 0));
  CHECK("fchown a closed descriptor", fchown(40, 0, 0));
  CHECK("chmod 04755", chmod("file", 04755));
  CHECK("chown 1:1 as root", chown("file", 1, 1));
  struct stat s;
  stat("file", &s);
  printf("mode after chown: %o\n", s.st_mode & 07777);
  CHECK("close", close(fd));
  return 0;
}
