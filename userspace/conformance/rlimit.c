/* rlimit: getrlimit, setrlimit and prlimit64 for this process: RLIMIT_STACK and RLIMIT_NOFILE as
 * the kernels set them for init's children; a lowered RLIMIT_NOFILE bounds dup; an unknown
 * resource EINVAL; another pid ESRCH; soft above hard EINVAL; EFAULT. */
#include "report.h"
#include <sys/resource.h>
#include <sys/syscall.h>

static void show(const char *name, int resource) {
  struct rlimit limit;
  if (getrlimit(resource, &limit) != 0) { printf("%s: -1 %s\n", name, errno_name(errno)); return; }
  printf("%s: soft %lld hard %lld\n", name, limit.rlim_cur == RLIM_INFINITY ? -1LL : (long long)limit.rlim_cur,
         limit.rlim_max == RLIM_INFINITY ? -1LL : (long long)limit.rlim_max);
}

int main(void) {
  show("RLIMIT_STACK", RLIMIT_STACK);
  show("RLIMIT_NOFILE", RLIMIT_NOFILE);
  show("RLIMIT_CORE", RLIMIT_CORE);
  show("RLIMIT_CPU", RLIMIT_CPU);
  struct rlimit limit;
  CHECK("raw getrlimit 99", syscall(SYS_getrlimit, 99, &limit));
  CHECK("raw getrlimit into a bad pointer", syscall(SYS_getrlimit, RLIMIT_STACK, bad_pointer));
  CHECK("prlimit64 pid 0 read", syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &limit));
  CHECK("prlimit64 own pid read", syscall(SYS_prlimit64, getpid(), RLIMIT_STACK, NULL, &limit));
  CHECK("prlimit64 a missing pid", syscall(SYS_prlimit64, 999999, RLIMIT_STACK, NULL, &limit));
  CHECK("prlimit64 resource 99", syscall(SYS_prlimit64, 0, 99, NULL, &limit));
  struct rlimit files;
  getrlimit(RLIMIT_NOFILE, &files);
  CHECK("setrlimit NOFILE to 8", setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 8, files.rlim_max }));
  int last = -1, fd;
  while ((fd = dup(1)) >= 0) last = fd;
  printf("dup until EMFILE: the last descriptor %d, then %s\n", last, errno_name(errno));
  for (int i = 3; i <= last; i++) close(i);
  CHECK("setrlimit NOFILE soft above hard", setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 16, 8 }));
  CHECK("setrlimit from a bad pointer", syscall(SYS_setrlimit, RLIMIT_NOFILE, bad_pointer));
  CHECK("setrlimit NOFILE back", setrlimit(RLIMIT_NOFILE, &files));
  CHECK("setrlimit CORE to 0", setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, RLIM_INFINITY }));
  return 0;
}
