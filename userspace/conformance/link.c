/* link: a second name for a file (the link count, shared content), linkat, and EEXIST, ENOENT,
 * EPERM (a folder), EINVAL (unknown flags). */
#include "report.h"
#include <fcntl.h>

int main(void) {
  scratch("link");
  int fd = CHECK("open", open("file", O_CREAT | O_WRONLY | O_TRUNC, 0644));
  CHECK("link file second", link("file", "second"));
  CHECK("write through the first name", write(fd, "shared", 6));
  struct stat a, b;
  CHECK("stat file", stat("file", &a));
  CHECK("stat second", stat("second", &b));
  printf("links: %lu, same inode: %s, size: %lld\n", (unsigned long)a.st_nlink, a.st_ino == b.st_ino ? "yes" : "no", (long long)b.st_size);
  CHECK("link onto an existing name", link("file", "second"));
  CHECK("link missing", link("missing", "x"));
  CHECK("mkdir", mkdir("folder", 0755));
  CHECK("link a folder", link("folder", "folder2"));
  CHECK("link into a missing folder", link("file", "missing/x"));
  CHECK("linkat", linkat(AT_FDCWD, "file", AT_FDCWD, "third", 0));
  CHECK("linkat unknown flag", linkat(AT_FDCWD, "file", AT_FDCWD, "fourth", 0x2));
  CHECK("symlink", symlink("file", "soft"));
  CHECK("linkat a link, not following", linkat(AT_FDCWD, "soft", AT_FDCWD, "soft2", 0));
  CHECK("lstat soft2", lstat("soft2", &b));
  EXPECT("soft2 is a link", S_ISLNK(b.st_mode));
  CHECK("linkat AT_SYMLINK_FOLLOW", linkat(AT_FDCWD, "soft", AT_FDCWD, "hard", AT_SYMLINK_FOLLOW));
  CHECK("lstat hard", lstat("hard", &b));
  EXPECT("hard is the file", S_ISREG(b.st_mode) && b.st_ino == a.st_ino);
  CHECK("unlink file", unlink("file"));
  CHECK("stat second", stat("second", &b));
  printf("links now: %lu\n", (unsigned long)b.st_nlink);
  CHECK("close", close(fd));
  return 0;
}
