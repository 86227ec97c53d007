/* thread-setup: the calls a C library makes at start: set_tid_address returns the tid,
 * set_robust_list accepts its 24-byte head and refuses another size (EINVAL); get_robust_list
 * gives it back (musl asks before it makes a mutex robust). */
#include "report.h"
#include <sys/syscall.h>

int main(void) {
  int word = 0;
  EXPECT("set_tid_address returns the tid", syscall(SYS_set_tid_address, &word) == syscall(SYS_gettid));
  static long head[3];
  head[0] = (long)head;
  CHECK("set_robust_list 24", syscall(SYS_set_robust_list, head, 24));
  CHECK("set_robust_list 16", syscall(SYS_set_robust_list, head, 16));
  long *got = NULL;
  size_t length = 0;
  CHECK("get_robust_list", syscall(SYS_get_robust_list, 0, &got, &length));
  EXPECT("get_robust_list gives the head back", got == head && length == 24);
  CHECK("get_robust_list of no thread", syscall(SYS_get_robust_list, 0x3fffffff, &got, &length));
  CHECK("get_robust_list to a bad address", syscall(SYS_get_robust_list, 0, (void *)16, &length));
  return 0;
}
