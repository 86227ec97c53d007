/* stat: stat, lstat and fstat: type, mode, size, link count, owner, the device numbers of a
 * device file, and ENOENT, ENOTDIR, EBADF, EFAULT. */
#include "report.h"
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>

static void show(const char *what, const struct stat *s) {
  const char *type = S_ISREG(s->st_mode) ? "file" : S_ISDIR(s->st_mode) ? "folder" : S_ISLNK(s->st_mode) ? "link"
                   : S_ISCHR(s->st_mode) ? "char device" : S_ISFIFO(s->st_mode) ? "fifo" : "other";
  printf("%s: %s mode %o size %lld links %lu uid %u gid %u\n", what, type, s->st_mode & 07777,
         S_ISDIR(s->st_mode) ? 0LL : (long long)s->st_size, S_ISDIR(s->st_mode) ? 0UL : (unsigned long)s->st_nlink, s->st_uid, s->st_gid);
}

int main(void) {
  scratch("stat");
  int fd = CHECK("open", open("file", O_CREAT | O_WRONLY | O_TRUNC, 0640));
  CHECK("write 7", write(fd, "1234567", 7));
  struct stat a, b;
  CHECK("stat file", stat("file", &a));
  show("file", &a);
  CHECK("fstat", fstat(fd, &b));
  EXPECT("fstat and stat: the same inode and device", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
  CHECK("symlink", symlink("file", "link"));
  CHECK("lstat link", lstat("link", &b));
  show("link", &b);
  CHECK("stat link", stat("link", &b));
  EXPECT("stat follows the link", a.st_ino == b.st_ino);
  CHECK("stat .", stat(".", &b));
  show(".", &b);
  CHECK("stat /dev/null", stat("/dev/null", &b));
  show("/dev/null", &b);
  printf("/dev/null numbers: %u %u\n", major(b.st_rdev), minor(b.st_rdev));
  CHECK("stat missing", stat("missing", &b));
  CHECK("stat file/x", stat("file/x", &b));
  CHECK("stat empty", stat("", &b));
  CHECK("stat bad pointer", stat((const char *)bad_pointer, &b));
  CHECK("stat into a bad pointer", syscall(SYS_stat, "file", bad_pointer));
  CHECK("fstat a closed descriptor", fstat(40, &b));
  int ends[2];
  CHECK("pipe", pipe(ends));
  CHECK("fstat a pipe", fstat(ends[0], &b));
  show("pipe", &b);
  CHECK("close", close(fd));
  return 0;
}
