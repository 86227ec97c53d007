/* sched: sched_yield; sched_getaffinity (CPU 0 under QEMU's one CPU; the raw call returns the
 * mask's size); EINVAL for a mask too small, ESRCH for a missing pid, EFAULT. */
#include "report.h"
#include <sched.h>
#include <sys/syscall.h>

int main(void) {
  CHECK("sched_yield", sched_yield());
  cpu_set_t set;
  CPU_ZERO(&set);
  CHECK("sched_getaffinity", sched_getaffinity(0, sizeof set, &set));
  printf("CPUs: %d, CPU 0: %d\n", (int)CPU_COUNT(&set), (int)CPU_ISSET(0, &set));
  unsigned long mask[16];
  long size = syscall(SYS_sched_getaffinity, 0, sizeof mask, mask);
  EXPECT("the raw call returns 8..128 bytes", size >= 8 && size <= 128);
  CHECK("mask of 1 byte", syscall(SYS_sched_getaffinity, 0, 1, mask));
  CHECK("a missing pid", syscall(SYS_sched_getaffinity, 999999, sizeof mask, mask));
  CHECK("into a bad pointer", syscall(SYS_sched_getaffinity, 0, sizeof mask, bad_pointer));
  CHECK("own pid", syscall(SYS_sched_getaffinity, getpid(), sizeof mask, mask) > 0);
  return 0;
}
