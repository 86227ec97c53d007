/* statfs: statfs and fstatfs answer for a path and a descriptor (the figures are the file
 * system's own and differ: only success and name length are printed); ENOENT, EBADF, EFAULT. */
#include "report.h"
#include <fcntl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

int main(void) {
  struct statfs s;
  CHECK("statfs /", statfs("/", &s));
  EXPECT("block size > 0", s.f_bsize > 0);
  printf("name length: %ld\n", (long)s.f_namelen);
  int fd = CHECK("open /etc/passwd", open("/etc/passwd", O_RDONLY));
  CHECK("fstatfs", fstatfs(fd, &s));
  CHECK("statfs missing", statfs("/missing", &s));
  CHECK("statfs /etc/passwd/x", statfs("/etc/passwd/x", &s));
  CHECK("fstatfs a closed descriptor", fstatfs(40, &s));
  CHECK("statfs into a bad pointer", syscall(SYS_statfs, "/", bad_pointer));
  return 0;
}
