/* sysinfo: the figures differ between kernels (memory, uptime): checked for sense; EFAULT. */
#include "report.h"
#include <sys/syscall.h>
#include <sys/sysinfo.h>

int main(void) {
  struct sysinfo s;
  CHECK("sysinfo", sysinfo(&s));
  EXPECT("total RAM > 0", s.totalram > 0);
  EXPECT("free <= total", s.freeram <= s.totalram);
  EXPECT("processes >= 2", s.procs >= 2);
  EXPECT("mem_unit >= 1", s.mem_unit >= 1);
  CHECK("sysinfo into a bad pointer", syscall(SYS_sysinfo, bad_pointer));
  return 0;
}
