/* umask: umask returns the previous mask; new files and folders lose its bits (open's mode, not
 * chmod's); only 0777 of the argument is kept. */
#include "report.h"
#include <fcntl.h>

static void mode_of(const char *path) {
  struct stat s;
  if (stat(path, &s) == 0) printf("%s: %o\n", path, s.st_mode & 07777);
  else printf("%s: stat -1 %s\n", path, errno_name(errno));
}

int main(void) {
  scratch("umask");
  printf("umask(027) was %o\n", umask(027));
  printf("umask(027) was %o\n", umask(027));
  CHECK("creat 0777", creat("file", 0777));
  mode_of("file");
  CHECK("mkdir 0777", mkdir("folder", 0777));
  mode_of("folder");
  CHECK("chmod 0777 ignores the mask", chmod("file", 0777));
  mode_of("file");
  printf("umask(0) was %o\n", umask(0));
  CHECK("creat 0666", creat("open", 0666));
  mode_of("open");
  printf("umask(017777) was %o\n", umask(017777));
  printf("umask(022) was %o\n", umask(022));
  CHECK("mkfifo-free mknod-free: creat 04777", creat("setuid", 04777));
  mode_of("setuid");
  return 0;
}
