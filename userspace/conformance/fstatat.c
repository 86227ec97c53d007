/* fstatat: newfstatat relative to a folder descriptor, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, and
 * EBADF, ENOTDIR, EINVAL for unknown flags. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  scratch("fstatat");
  CHECK("mkdir sub", mkdir("sub", 0755));
  CHECK("creat sub/file", creat("sub/file", 0644));
  CHECK("symlink sub/link", symlink("file", "sub/link"));
  int folder = CHECK("open sub", open("sub", O_RDONLY | O_DIRECTORY));
  struct stat s;
  CHECK("fstatat file", fstatat(folder, "file", &s, 0));
  EXPECT("a regular file", S_ISREG(s.st_mode));
  CHECK("fstatat link, following", fstatat(folder, "link", &s, 0));
  EXPECT("a regular file", S_ISREG(s.st_mode));
  CHECK("fstatat link, AT_SYMLINK_NOFOLLOW", fstatat(folder, "link", &s, AT_SYMLINK_NOFOLLOW));
  EXPECT("a link", S_ISLNK(s.st_mode));
  CHECK("fstatat AT_EMPTY_PATH", fstatat(folder, "", &s, AT_EMPTY_PATH));
  EXPECT("a folder", S_ISDIR(s.st_mode));
  CHECK("fstatat empty path, no flag", fstatat(folder, "", &s, 0));
  CHECK("fstatat AT_FDCWD sub/file", fstatat(AT_FDCWD, "sub/file", &s, 0));
  CHECK("fstatat absolute path ignores the descriptor", fstatat(40, "/tmp", &s, 0));
  CHECK("fstatat a closed descriptor", fstatat(40, "file", &s, 0));
  int file = CHECK("open sub/file", open("sub/file", O_RDONLY));
  CHECK("fstatat a file descriptor as the folder", fstatat(file, "x", &s, 0));
  CHECK("fstatat unknown flag", fstatat(folder, "file", &s, 0x4));
  CHECK("fstatat missing", fstatat(folder, "missing", &s, 0));
  CHECK("close", close(file));
  CHECK("close", close(folder));
  return 0;
}
