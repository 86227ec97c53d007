/* full-check: filling the root file system through a writable Namespace. Capsid only (Debian's
 * rootfs is a tmpfs of half the RAM, a limit of another size), so tests/qemu/linux-fs.test.ts
 * compares its lines with expected ones: writes fill the file system's own quota, then say
 * ENOSPC, as do new names; the kernel and the process are unharmed; removing the file gives the
 * space back. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <termios.h>
#include <unistd.h>

static const char *name(int error) {
  switch (error) {
    case ENOSPC: return "ENOSPC"; case ENOMEM: return "ENOMEM"; case EFBIG: return "EFBIG"; case EDQUOT: return "EDQUOT";
    default: return "other";
  }
}

static void result(const char *what, long value) {
  int error = errno;
  if (value < 0) printf("%s: -1 %s\n", what, name(error));
  else printf("%s: %ld\n", what, value);
}

int main(void) {
  setvbuf(stdout, 0, _IOLBF, 0);
  printf("full-check: started\n");
  enum { CHUNK = 1 << 20 };
  char *chunk = malloc(CHUNK);
  memset(chunk, 'x', CHUNK);
  struct statfs before, after;
  statfs("/", &before);
  int fd = open("/tmp/big", O_CREAT | O_WRONLY, 0644);
  long total = 0, last = 0;
  int writes = 0;
  for (; writes < 64; writes++) {
    last = write(fd, chunk, CHUNK);
    if (last != CHUNK) break;
    total += last;
  }
  if (last > 0) {
    total += last;
    last = write(fd, chunk, CHUNK);
  }
  printf("filled in under 64 MiB: %d\n", writes < 64);
  printf("more than 8 MiB written: %d\n", total > (8 << 20));
  result("the write after the file system is full", last);
  statfs("/", &after);
  printf("free blocks before > 2048: %d, after < 16: %d\n", before.f_bfree > 2048, after.f_bfree < 16);
  struct stat status;
  fstat(fd, &status);
  printf("size is what was written: %d\n", status.st_size == total);
  result("a new name in a full file system", ({ long r = 0; for (int i = 0; i < 1000 && r == 0; i++) { char path[32]; sprintf(path, "/tmp/n%d", i); r = mkdir(path, 0755); } r; }));
  close(fd);
  result("unlink the big file", unlink("/tmp/big"));
  statfs("/", &after);
  printf("the space is back: %d\n", after.f_bfree > 2048);
  fd = open("/tmp/again", O_CREAT | O_WRONLY, 0644);
  result("write again", write(fd, chunk, CHUNK));
  close(fd);
  printf("full-check: done\n");
  tcdrain(1);
  return 0;
}
