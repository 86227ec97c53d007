/* unlink: a name goes, the file stays readable through an open descriptor; unlinkat with
 * AT_REMOVEDIR; EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EINVAL. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  scratch("unlink");
  int fd = CHECK("open", open("file", O_CREAT | O_RDWR | O_TRUNC, 0644));
  CHECK("write 5", write(fd, "still", 5));
  CHECK("unlink", unlink("file"));
  CHECK("unlink again", unlink("file"));
  CHECK("access after unlink", access("file", F_OK));
  char buffer[8] = { 0 };
  CHECK("pread the open file", pread(fd, buffer, 5, 0));
  printf("bytes: %s\n", buffer);
  struct stat s;
  CHECK("fstat", fstat(fd, &s));
  printf("links: %lu\n", (unsigned long)s.st_nlink);
  CHECK("close", close(fd));
  CHECK("mkdir folder", mkdir("folder", 0755));
  CHECK("unlink a folder", unlink("folder"));
  CHECK("creat folder/inner", creat("folder/inner", 0644));
  CHECK("unlinkat AT_REMOVEDIR non-empty", unlinkat(AT_FDCWD, "folder", AT_REMOVEDIR));
  CHECK("unlink folder/inner/x", unlink("folder/inner/x"));
  CHECK("unlinkat inner", unlinkat(AT_FDCWD, "folder/inner", 0));
  CHECK("unlinkat AT_REMOVEDIR", unlinkat(AT_FDCWD, "folder", AT_REMOVEDIR));
  CHECK("unlinkat unknown flag", unlinkat(AT_FDCWD, "x", 0x1));
  CHECK("unlinkat a closed descriptor", unlinkat(40, "x", 0));
  CHECK("unlink empty", unlink(""));
  CHECK("symlink", symlink("missing", "dangling"));
  CHECK("unlink a dangling link", unlink("dangling"));
  return 0;
}
