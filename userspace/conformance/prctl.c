/* prctl: PR_SET_NAME and PR_GET_NAME (truncated to 15 bytes), arch_prctl ARCH_GET_FS (the TLS
 * base the C library set: nonzero); EINVAL for unknown options and codes; EFAULT. */
#include "report.h"
#include <sys/prctl.h>
#include <sys/syscall.h>

int main(void) {
  char name[32] = { 0 };
  CHECK("PR_SET_NAME", prctl(PR_SET_NAME, "conformance-name-long"));
  CHECK("PR_GET_NAME", prctl(PR_GET_NAME, name));
  printf("name: %s\n", name);
  CHECK("PR_SET_NAME short", prctl(PR_SET_NAME, "short"));
  CHECK("PR_GET_NAME", prctl(PR_GET_NAME, name));
  printf("name: %s\n", name);
  CHECK("option 9999", prctl(9999, 0, 0, 0, 0));
  CHECK("PR_GET_NAME into a bad pointer", prctl(PR_GET_NAME, bad_pointer));
  unsigned long fs = 0;
  CHECK("ARCH_GET_FS", syscall(SYS_arch_prctl, 0x1003, &fs));
  EXPECT("the FS base is set", fs != 0);
  CHECK("ARCH_SET_FS to itself", syscall(SYS_arch_prctl, 0x1002, fs));
  CHECK("arch_prctl code 0x9999", syscall(SYS_arch_prctl, 0x9999, &fs));
  CHECK("ARCH_GET_FS into a bad pointer", syscall(SYS_arch_prctl, 0x1003, bad_pointer));
  return 0;
}
