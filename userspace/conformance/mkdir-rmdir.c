/* mkdir-rmdir: folders made and removed, their modes under umask 022, link counts, and EEXIST,
 * ENOENT, ENOTDIR, ENOTEMPTY, EINVAL ("."), EBUSY or ENOTEMPTY for "..". */
#include "report.h"
#include <fcntl.h>

int main(void) {
  scratch("mkdir-rmdir");
  umask(022);
  CHECK("mkdir a 0777", mkdir("a", 0777));
  struct stat s;
  CHECK("stat a", stat("a", &s));
  printf("mode: %o, links: %lu\n", s.st_mode & 07777, (unsigned long)s.st_nlink);
  CHECK("mkdir a again", mkdir("a", 0755));
  CHECK("mkdir a/b", mkdir("a/b", 0700));
  CHECK("stat a", stat("a", &s));
  printf("a's links with a child folder: %lu\n", (unsigned long)s.st_nlink);
  CHECK("mkdir missing/x", mkdir("missing/x", 0755));
  CHECK("creat file", creat("file", 0644));
  CHECK("mkdir file/x", mkdir("file/x", 0755));
  CHECK("mkdir file", mkdir("file", 0755));
  CHECK("mkdir empty", mkdir("", 0755));
  CHECK("rmdir a (not empty)", rmdir("a"));
  CHECK("rmdir file", rmdir("file"));
  CHECK("rmdir missing", rmdir("missing"));
  CHECK("rmdir a/b/.", rmdir("a/b/."));
  CHECK("rmdir a/b/..", rmdir("a/b/.."));
  CHECK("rmdir a/b", rmdir("a/b"));
  CHECK("rmdir a", rmdir("a"));
  CHECK("mkdirat", mkdirat(AT_FDCWD, "c", 0750));
  CHECK("mkdirat a closed descriptor", mkdirat(40, "d", 0755));
  CHECK("mkdir with a trailing slash", mkdir("e/", 0755));
  CHECK("rmdir with a trailing slash", rmdir("e/"));
  CHECK("mkdir mode 01777", mkdir("sticky", 01777));
  CHECK("stat sticky", stat("sticky", &s));
  printf("mode: %o\n", s.st_mode & 07777);
  return 0;
}
