/* utimes: utimensat, futimesat and utimes set the access and modification times (UTIME_OMIT,
 * UTIME_NOW), a link's own with AT_SYMLINK_NOFOLLOW; EINVAL for bad nanoseconds, ENOENT. */
#include "report.h"
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

static void times_of(const char *path) {
  struct stat s;
  if (lstat(path, &s) == 0) printf("%s: atime %lld.%09ld mtime %lld.%09ld\n", path, (long long)s.st_atim.tv_sec, s.st_atim.tv_nsec,
                                   (long long)s.st_mtim.tv_sec, s.st_mtim.tv_nsec);
  else printf("%s: lstat -1 %s\n", path, errno_name(errno));
}

int main(void) {
  scratch("utimes");
  CHECK("creat", creat("file", 0644));
  struct timespec set[2] = { { 1000000000, 5 }, { 1200000000, 123456789 } };
  CHECK("utimensat", utimensat(AT_FDCWD, "file", set, 0));
  times_of("file");
  struct timespec omit[2] = { { 0, UTIME_OMIT }, { 1300000000, 0 } };
  CHECK("utimensat atime omitted", utimensat(AT_FDCWD, "file", omit, 0));
  times_of("file");
  struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
  CHECK("utimensat atime now", utimensat(AT_FDCWD, "file", now, 0));
  struct stat s;
  stat("file", &s);
  struct timespec clock;
  clock_gettime(CLOCK_REALTIME, &clock);
  EXPECT("atime is now (within 5 s)", s.st_atim.tv_sec <= clock.tv_sec && s.st_atim.tv_sec + 5 >= clock.tv_sec);
  struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
  CHECK("utimensat nanoseconds 1e9", utimensat(AT_FDCWD, "file", bad, 0));
  CHECK("utimensat missing", utimensat(AT_FDCWD, "missing", set, 0));
  CHECK("utimensat unknown flag", utimensat(AT_FDCWD, "file", set, 0x4));
  CHECK("symlink", symlink("file", "link"));
  CHECK("utimensat the link itself", utimensat(AT_FDCWD, "link", set, AT_SYMLINK_NOFOLLOW));
  times_of("link");
  struct timeval tv[2] = { { 1400000000, 1 }, { 1500000000, 2 } };
  CHECK("utimes", utimes("file", tv));
  times_of("file");
  CHECK("futimesat", syscall(SYS_futimesat, AT_FDCWD, "file", tv));
  struct timeval badtv[2] = { { 0, 1000000 }, { 0, 0 } };
  CHECK("utimes microseconds 1e6", utimes("file", badtv));
  CHECK("utimes missing", utimes("missing", tv));
  return 0;
}
