/* statx: the basic fields through the raw call (musl 1.2.3 has no wrapper): mask, type, size,
 * links; AT_SYMLINK_NOFOLLOW; and EBADF, ENOENT, EINVAL (a reserved mask bit), EFAULT. */
#include "report.h"
#include <fcntl.h>
#include <sys/syscall.h>

struct timestamp { long long tv_sec; unsigned tv_nsec; int reserved; };
struct extended_stat {
  unsigned mask, blksize;
  unsigned long long attributes;
  unsigned nlink, uid, gid;
  unsigned short mode, spare0;
  unsigned long long ino, size, blocks, attributes_mask;
  struct timestamp atime, btime, ctime, mtime;
  unsigned rdev_major, rdev_minor, dev_major, dev_minor;
  unsigned long long spare[14];
};

int main(void) {
  scratch("statx");
  int fd = CHECK("open", open("file", O_CREAT | O_WRONLY | O_TRUNC, 0600));
  CHECK("write 3", write(fd, "abc", 3));
  CHECK("symlink", symlink("file", "link"));
  struct extended_stat x;
  memset(&x, 0, sizeof x);
  CHECK("statx file", syscall(SYS_statx, AT_FDCWD, "file", 0, 0x7ff, &x));
  EXPECT("basic stats in the mask", (x.mask & 0x7ff) == 0x7ff);
  printf("mode %o size %llu links %u uid %u\n", x.mode, x.size, x.nlink, x.uid);
  CHECK("statx link, no follow", syscall(SYS_statx, AT_FDCWD, "link", AT_SYMLINK_NOFOLLOW, 0x7ff, &x));
  EXPECT("a link", S_ISLNK(x.mode));
  CHECK("statx AT_EMPTY_PATH on the descriptor", syscall(SYS_statx, fd, "", AT_EMPTY_PATH, 0x7ff, &x));
  EXPECT("a file of 3 bytes", S_ISREG(x.mode) && x.size == 3);
  CHECK("statx missing", syscall(SYS_statx, AT_FDCWD, "missing", 0, 0x7ff, &x));
  CHECK("statx a closed descriptor", syscall(SYS_statx, 40, "file", 0, 0x7ff, &x));
  CHECK("statx reserved mask bit", syscall(SYS_statx, AT_FDCWD, "file", 0, 0x80000000u, &x));
  CHECK("statx unknown flag", syscall(SYS_statx, AT_FDCWD, "file", 0x1, 0x7ff, &x));
  CHECK("statx into a bad pointer", syscall(SYS_statx, AT_FDCWD, "file", 0, 0x7ff, bad_pointer));
  CHECK("close", close(fd));
  return 0;
}
