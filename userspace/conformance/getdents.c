/* getdents: getdents64 directly: every name of a folder once (compared sorted, as order is the
 * file system's), its types, reading past the end, and EBADF, ENOTDIR, EINVAL (a buffer too
 * small for one entry). */
#include "report.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>

struct entry64 { unsigned long long ino; long long off; unsigned short reclen; unsigned char type; char name[]; };

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
  scratch("getdents");
  CHECK("mkdir d", mkdir("d", 0755));
  CHECK("creat d/one", creat("d/one", 0644));
  CHECK("creat d/two", creat("d/two", 0644));
  CHECK("mkdir d/sub", mkdir("d/sub", 0755));
  CHECK("symlink d/link", symlink("one", "d/link"));
  int fd = CHECK("open d", open("d", O_RDONLY | O_DIRECTORY));
  char buffer[4096];
  char *names[32];
  int count = 0;
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
    if (n <= 0) { report("getdents64 at the end", n, errno); break; }
    for (long at = 0; at < n;) {
      struct entry64 *e = (struct entry64 *)(buffer + at);
      char line[300];
      snprintf(line, sizeof line, "%s type %u", e->name, e->type);
      if (count < 32) names[count++] = strdup(line);
      at += e->reclen;
    }
  }
  qsort(names, count, sizeof names[0], by_name);
  for (int i = 0; i < count; i++) printf("entry: %s\n", names[i]);
  CHECK("getdents64 again at the end", syscall(SYS_getdents64, fd, buffer, sizeof buffer));
  CHECK("lseek 0", lseek(fd, 0, SEEK_SET));
  long first = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
  EXPECT("after lseek 0 the entries come again", first > 0);
  CHECK("lseek 0", lseek(fd, 0, SEEK_SET));
  CHECK("getdents64 into 8 bytes", syscall(SYS_getdents64, fd, buffer, 8));
  CHECK("getdents64 into a bad pointer", syscall(SYS_getdents64, fd, bad_pointer, 4096));
  CHECK("getdents64 a closed descriptor", syscall(SYS_getdents64, 40, buffer, sizeof buffer));
  int file = CHECK("open d/one", open("d/one", O_RDONLY));
  CHECK("getdents64 a file", syscall(SYS_getdents64, file, buffer, sizeof buffer));
  CHECK("close", close(fd));
  return 0;
}
