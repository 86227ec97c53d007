/* dev-files: /dev/null, /dev/zero, /dev/full, /dev/urandom: reads, writes, lseek, and ENOSPC
 * for /dev/full. (/dev/tty is tcgetattr's: whether it opens depends on a controlling terminal,
 * which Linux's init has not.) */
#include "report.h"
#include <fcntl.h>

int main(void) {
  char buffer[64];
  int null = CHECK("open /dev/null", open("/dev/null", O_RDWR));
  CHECK("read /dev/null", read(null, buffer, sizeof buffer));
  CHECK("write /dev/null", write(null, "discarded", 9));
  CHECK("lseek /dev/null", lseek(null, 100, SEEK_SET));
  int zero = CHECK("open /dev/zero", open("/dev/zero", O_RDWR));
  memset(buffer, 7, sizeof buffer);
  CHECK("read /dev/zero", read(zero, buffer, sizeof buffer));
  int zeros = 0;
  for (int i = 0; i < 64; i++) zeros += buffer[i] == 0;
  printf("zero bytes: %d\n", zeros);
  CHECK("write /dev/zero", write(zero, buffer, 10));
  int full = CHECK("open /dev/full", open("/dev/full", O_RDWR));
  CHECK("write /dev/full", write(full, "x", 1));
  CHECK("read /dev/full", read(full, buffer, 8));
  int random = CHECK("open /dev/urandom", open("/dev/urandom", O_RDONLY));
  CHECK("read /dev/urandom 64", read(random, buffer, sizeof buffer));
  CHECK("open /dev/missing", open("/dev/missing", O_RDONLY));
  CHECK("creat in /dev", creat("/dev/conformance", 0644));
  CHECK("unlink it", unlink("/dev/conformance"));
  return 0;
}
