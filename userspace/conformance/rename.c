/* rename: a file moves and replaces; folders move with their contents; and the errors: ENOENT,
 * EISDIR, ENOTDIR, ENOTEMPTY, EINVAL (a folder into itself), renaming a name to itself. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  scratch("rename");
  CHECK("creat a", creat("a", 0644));
  CHECK("creat b", creat("b", 0600));
  CHECK("rename a to c", rename("a", "c"));
  CHECK("access a", access("a", F_OK));
  CHECK("rename c over b", rename("c", "b"));
  struct stat s;
  CHECK("stat b", stat("b", &s));
  printf("b's mode: %o\n", s.st_mode & 0777);
  CHECK("rename b to itself", rename("b", "b"));
  CHECK("rename missing", rename("missing", "x"));
  CHECK("mkdir d", mkdir("d", 0755));
  CHECK("mkdir e", mkdir("e", 0755));
  CHECK("creat e/inner", creat("e/inner", 0644));
  CHECK("rename a file over a folder", rename("b", "d"));
  CHECK("rename a folder over a file", rename("d", "b"));
  CHECK("rename a folder over a non-empty one", rename("d", "e"));
  CHECK("rename a folder into itself", rename("d", "d/sub"));
  CHECK("rename e to d (empty)", rename("e", "d"));
  CHECK("stat d/inner", stat("d/inner", &s));
  CHECK("rename d/inner to top", rename("d/inner", "top"));
  CHECK("rename into a missing folder", rename("top", "missing/top"));
  CHECK("rename through a file", rename("top", "b/top"));
  CHECK("rename .", rename(".", "x"));
  CHECK("renameat", renameat(AT_FDCWD, "top", AT_FDCWD, "top2"));
  CHECK("renameat a closed descriptor", renameat(40, "top2", AT_FDCWD, "x"));
  return 0;
}
