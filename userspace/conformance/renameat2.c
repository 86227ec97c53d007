/* renameat2: RENAME_NOREPLACE (EEXIST when the target exists), RENAME_EXCHANGE (two names
 * swap), and EINVAL for both together or unknown flags. */
#include "report.h"
#include <fcntl.h>
#include <sys/syscall.h>

static long rename2(const char *from, const char *to, unsigned flags) {
  return syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
}

int main(void) {
  scratch("renameat2");
  int fd = CHECK("open a", open("a", O_CREAT | O_WRONLY, 0644));
  CHECK("write a", write(fd, "A", 1));
  CHECK("close", close(fd));
  fd = CHECK("open b", open("b", O_CREAT | O_WRONLY, 0644));
  CHECK("write bb", write(fd, "BB", 2));
  CHECK("close", close(fd));
  CHECK("NOREPLACE onto b", rename2("a", "b", 1));
  CHECK("NOREPLACE to c", rename2("a", "c", 1));
  CHECK("EXCHANGE b and c", rename2("b", "c", 2));
  struct stat s;
  CHECK("stat b", stat("b", &s));
  printf("b's size: %lld\n", (long long)s.st_size);
  CHECK("EXCHANGE with a missing name", rename2("b", "missing", 2));
  CHECK("NOREPLACE|EXCHANGE", rename2("b", "c", 3));
  CHECK("unknown flag", rename2("b", "c", 0x100));
  CHECK("flags 0", rename2("b", "d", 0));
  return 0;
}
