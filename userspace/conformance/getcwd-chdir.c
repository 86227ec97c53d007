/* getcwd-chdir: chdir and fchdir move the working directory, getcwd names it (ERANGE for a small
 * buffer, the raw call's length); chdir's ENOENT, ENOTDIR; fchdir's EBADF and ENOTDIR. */
#include "report.h"
#include <fcntl.h>
#include <sys/syscall.h>

int main(void) {
  char path[256];
  CHECK("chdir /", chdir("/"));
  printf("getcwd: %s\n", getcwd(path, sizeof path) ? path : "failed");
  CHECK("raw getcwd length", syscall(SYS_getcwd, path, sizeof path));
  CHECK("chdir tmp (relative)", chdir("tmp"));
  CHECK("mkdir getcwd-chdir", mkdir("getcwd-chdir", 0755));
  CHECK("chdir getcwd-chdir", chdir("getcwd-chdir"));
  printf("getcwd: %s\n", getcwd(path, sizeof path) ? path : "failed");
  CHECK("raw getcwd length", syscall(SYS_getcwd, path, sizeof path));
  CHECK("raw getcwd into 4 bytes", syscall(SYS_getcwd, path, 4));
  CHECK("raw getcwd into a bad pointer", syscall(SYS_getcwd, bad_pointer, 64));
  CHECK("chdir ..", chdir(".."));
  printf("getcwd: %s\n", getcwd(path, sizeof path) ? path : "failed");
  CHECK("chdir /..", chdir("/.."));
  printf("getcwd: %s\n", getcwd(path, sizeof path) ? path : "failed");
  CHECK("chdir missing", chdir("missing"));
  CHECK("chdir /etc/passwd", chdir("/etc/passwd"));
  CHECK("chdir empty", chdir(""));
  int folder = CHECK("open /tmp/getcwd-chdir", open("/tmp/getcwd-chdir", O_RDONLY | O_DIRECTORY));
  CHECK("fchdir", fchdir(folder));
  printf("getcwd: %s\n", getcwd(path, sizeof path) ? path : "failed");
  CHECK("fchdir a closed descriptor", fchdir(40));
  int file = CHECK("open /etc/passwd", open("/etc/passwd", O_RDONLY));
  CHECK("fchdir a file", fchdir(file));
  CHECK("rmdir the working directory", rmdir("/tmp/getcwd-chdir"));
  CHECK("creat in a removed working directory", creat("x", 0644));
  return 0;
}
