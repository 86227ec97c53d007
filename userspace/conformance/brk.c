/* brk: the raw break: brk(0) reads it, growing gives zeroed writable memory, shrinking takes
 * it back, a request below the start or far too large leaves it unchanged; sbrk. */
#include "report.h"
#include <stdint.h>
#include <sys/syscall.h>

int main(void) {
  uintptr_t start = syscall(SYS_brk, 0);
  EXPECT("brk(0) > 0", start > 0);
  uintptr_t grown = syscall(SYS_brk, start + 65536);
  EXPECT("grow by 64 KiB", grown == start + 65536);
  volatile char *p = (char *)start;
  int zeros = 1;
  for (int i = 0; i < 65536; i++) if (p[i] != 0) zeros = 0;
  EXPECT("the new memory is zero", zeros);
  p[65535] = 1;
  EXPECT("brk(0) again", (uintptr_t)syscall(SYS_brk, 0) == start + 65536);
  uintptr_t shrunk = syscall(SYS_brk, start + 4096);
  EXPECT("shrink to one page", shrunk == start + 4096);
  pid_t child = fork();
  if (child == 0) { p[8192] = 1; _exit(0); }
  wait_report("a child writes above the shrunk break", child);
  grown = syscall(SYS_brk, start + 65536);
  EXPECT("grow again", grown == start + 65536);
  EXPECT("zero after shrinking and growing", p[65535] == 0);
  uintptr_t below = syscall(SYS_brk, start - 1000000);
  EXPECT("below the start: unchanged", below == start + 65536);
  uintptr_t huge = syscall(SYS_brk, start + (1UL << 40));
  EXPECT("1 TiB more: unchanged", huge == start + 65536);
  uintptr_t reset = syscall(SYS_brk, start);
  EXPECT("back to the start", reset == start);
  void *before = sbrk(0);
  EXPECT("sbrk(0) is the break", (uintptr_t)before == start);
  void *old = sbrk(8192);
  EXPECT("sbrk(8192) returns the old break", old == before);
  EXPECT("sbrk(0) moved by 8192", (char *)sbrk(0) == (char *)before + 8192);
  return 0;
}
