/* openat: names relative to a folder descriptor; an absolute name ignores it; AT_FDCWD;
 * EBADF, ENOTDIR for a descriptor that is no folder. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  scratch("openat");
  CHECK("mkdir d", mkdir("d", 0755));
  int folder = CHECK("open d", open("d", O_RDONLY | O_DIRECTORY));
  int fd = CHECK("openat d/new O_CREAT", openat(folder, "new", O_CREAT | O_WRONLY, 0644));
  CHECK("write", write(fd, "in d", 4));
  CHECK("close", close(fd));
  CHECK("access d/new", access("d/new", F_OK));
  CHECK("openat .. from d", openat(folder, "../d/new", O_RDONLY));
  CHECK("openat an absolute name, bad descriptor", openat(40, "/etc/passwd", O_RDONLY));
  CHECK("openat relative, bad descriptor", openat(40, "new", O_RDONLY));
  CHECK("openat AT_FDCWD", openat(AT_FDCWD, "d/new", O_RDONLY));
  int file = CHECK("open d/new", open("d/new", O_RDONLY));
  CHECK("openat relative to a file", openat(file, "x", O_RDONLY));
  CHECK("openat missing", openat(folder, "missing", O_RDONLY));
  CHECK("openat O_CREAT|O_EXCL existing", openat(folder, "new", O_CREAT | O_EXCL | O_RDWR, 0644));
  CHECK("renaming d keeps the descriptor's folder", rename("d", "e"));
  CHECK("openat after the rename", openat(folder, "new", O_RDONLY));
  return 0;
}
