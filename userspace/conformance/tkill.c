/* tkill: tgkill and tkill to the own thread run the handler; signal 0 probes; ESRCH for a
 * wrong thread group or thread, EINVAL for a bad signal or tgid 0. */
#include "report.h"
#include <signal.h>
#include <sys/syscall.h>

static volatile int caught;
static void handler(int signal) { caught = signal; }

int main(void) {
  signal(SIGUSR2, handler);
  pid_t self = getpid();
  long tid = syscall(SYS_gettid);
  CHECK("tgkill self SIGUSR2", syscall(SYS_tgkill, self, tid, SIGUSR2));
  printf("caught %d\n", caught);
  caught = 0;
  CHECK("tkill self SIGUSR2", syscall(SYS_tkill, tid, SIGUSR2));
  printf("caught %d\n", caught);
  CHECK("tgkill signal 0", syscall(SYS_tgkill, self, tid, 0));
  CHECK("tgkill a wrong group", syscall(SYS_tgkill, 999999, tid, SIGUSR2));
  CHECK("tgkill a missing thread", syscall(SYS_tgkill, self, 999999, SIGUSR2));
  CHECK("tgkill signal 99", syscall(SYS_tgkill, self, tid, 99));
  CHECK("tgkill tgid 0", syscall(SYS_tgkill, 0, tid, SIGUSR2));
  CHECK("tkill thread 0", syscall(SYS_tkill, 0, SIGUSR2));
  CHECK("tkill a missing thread", syscall(SYS_tkill, 999999, SIGUSR2));
  pid_t child = fork();
  if (child == 0) { pause(); _exit(0); }
  CHECK("tgkill the child", syscall(SYS_tgkill, child, child, SIGKILL));
  wait_report("child", child);
  return 0;
}
