/* thread-setup: the calls a C library makes at start: set_tid_address returns the tid,
 * set_robust_list accepts its 24-byte head and refuses another size (EINVAL). */
#include "report.h"
#include <sys/syscall.h>

int main(void) {
  int word = 0;
  EXPECT("set_tid_address returns the tid", syscall(SYS_set_tid_address, &word) == syscall(SYS_gettid));
  static long head[3];
  head[0] = (long)head;
  CHECK("set_robust_list 24", syscall(SYS_set_robust_list, head, 24));
  CHECK("set_robust_list 16", syscall(SYS_set_robust_list, head, 16));
  return 0;
}
