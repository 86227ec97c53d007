/* symlink-loop: two links naming each other are ELOOP to follow, fine to lstat; a chain of 40
 * links resolves, 41 is ELOOP; a link to a folder in the middle of a path. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  scratch("symlink-loop");
  CHECK("symlink a -> b", symlink("b", "a"));
  CHECK("symlink b -> a", symlink("a", "b"));
  struct stat s;
  CHECK("stat a", stat("a", &s));
  CHECK("lstat a", lstat("a", &s));
  CHECK("open a", open("a", O_RDONLY));
  CHECK("open a O_CREAT", open("a", O_RDWR | O_CREAT, 0644));
  CHECK("access a", access("a", F_OK));
  CHECK("self -> self", symlink("self", "self"));
  CHECK("stat self", stat("self", &s));
  CHECK("chdir a", chdir("a"));
  CHECK("stat a/x", stat("a/x", &s));
  CHECK("creat end", creat("end", 0644));
  char name[16], target[16];
  for (int i = 1; i <= 41; i++) {
    snprintf(name, sizeof name, "l%d", i);
    if (i == 1) snprintf(target, sizeof target, "end");
    else snprintf(target, sizeof target, "l%d", i - 1);
    if (symlink(target, name) != 0) printf("symlink %s failed\n", name);
  }
  CHECK("stat through 40 links", stat("l40", &s));
  CHECK("stat through 41 links", stat("l41", &s));
  CHECK("mkdir real", mkdir("real", 0755));
  CHECK("creat real/file", creat("real/file", 0644));
  CHECK("symlink dir -> real", symlink("real", "dir"));
  CHECK("stat dir/file", stat("dir/file", &s));
  CHECK("stat dir/../real", stat("dir/../real", &s));
  CHECK("chdir dir", chdir("dir"));
  char cwd[128];
  printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : "failed");
  return 0;
}
