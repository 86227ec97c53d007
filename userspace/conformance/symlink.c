/* symlink: making links (absolute, relative, dangling), readlink and readlinkat (truncation to
 * the buffer, no terminating zero), and EEXIST, EINVAL (not a link), ENOENT. */
#include "report.h"
#include <fcntl.h>

int main(void) {
  scratch("symlink");
  CHECK("creat target", creat("target", 0644));
  CHECK("symlink relative", symlink("target", "relative"));
  CHECK("symlink absolute", symlink("/tmp/symlink/target", "absolute"));
  CHECK("symlink dangling", symlink("nowhere", "dangling"));
  CHECK("symlink onto an existing name", symlink("target", "relative"));
  CHECK("symlink empty target", symlink("", "empty"));
  CHECK("symlink into a missing folder", symlink("target", "missing/link"));
  char buffer[64];
  memset(buffer, '#', sizeof buffer);
  long n = CHECK("readlink relative", readlink("relative", buffer, sizeof buffer));
  printf("target: %.*s, then '%c'\n", (int)(n > 0 ? n : 0), buffer, n > 0 ? buffer[n] : '?');
  n = CHECK("readlink absolute", readlink("absolute", buffer, sizeof buffer));
  printf("target: %.*s\n", (int)(n > 0 ? n : 0), buffer);
  memset(buffer, '#', sizeof buffer);
  n = CHECK("readlink into 3 bytes", readlink("absolute", buffer, 3));
  printf("bytes: %.4s\n", buffer);
  CHECK("readlink a file", readlink("target", buffer, sizeof buffer));
  CHECK("readlink missing", readlink("missing", buffer, sizeof buffer));
  CHECK("readlink size 0", readlink("relative", buffer, 0));
  CHECK("readlink into a bad pointer", readlink("relative", (char *)bad_pointer, 8));
  CHECK("open dangling", open("dangling", O_RDONLY));
  CHECK("open dangling O_CREAT makes its target", open("dangling", O_RDWR | O_CREAT, 0644));
  CHECK("access nowhere", access("nowhere", F_OK));
  int folder = CHECK("open .", open(".", O_RDONLY));
  n = CHECK("readlinkat", readlinkat(folder, "relative", buffer, sizeof buffer));
  CHECK("symlinkat", symlinkat("target", folder, "at"));
  CHECK("readlinkat a closed descriptor", readlinkat(40, "relative", buffer, sizeof buffer));
  CHECK("readlinkat AT_EMPTY_PATH-like empty name", readlinkat(folder, "", buffer, sizeof buffer));
  return 0;
}
