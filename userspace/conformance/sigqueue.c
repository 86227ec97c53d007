/* sigqueue: real-time signals queue with their values (three sigqueue of one signal while it is
 * blocked are three deliveries, in order), a standard one does not; rt_sigqueueinfo's rules
 * (only the kernel sends a non-negative si_code to another process) and rt_tgsigqueueinfo's. */
#include "report.h"
#include <signal.h>
#include <sys/syscall.h>

static volatile int values[8], seen;

static void on_rt(int signal, siginfo_t *info, void *context) {
  (void)signal; (void)context;
  if (seen < 8) values[seen++] = info->si_value.sival_int * (info->si_code == SI_QUEUE ? 1 : -1);
}

int main(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_rt;
  action.sa_flags = SA_SIGINFO;
  sigaction(SIGRTMIN + 4, &action, NULL);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGRTMIN + 4);
  sigprocmask(SIG_BLOCK, &block, &old);
  for (int i = 1; i <= 3; i++) CHECK("sigqueue", sigqueue(getpid(), SIGRTMIN + 4, (union sigval){ .sival_int = i }));
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("deliveries: %d: %d %d %d\n", seen, values[0], values[1], values[2]);
  siginfo_t info;
  memset(&info, 0, sizeof info);
  info.si_code = SI_QUEUE;
  info.si_value.sival_int = 9;
  seen = 0;
  CHECK("rt_tgsigqueueinfo to itself", syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid(), SIGRTMIN + 4, &info));
  printf("delivered: %d, value %d\n", seen, seen ? values[0] : 0);
  CHECK("rt_tgsigqueueinfo with tid 0", syscall(SYS_rt_tgsigqueueinfo, getpid(), 0, SIGRTMIN + 4, &info));
  CHECK("rt_sigqueueinfo signal 0", syscall(SYS_rt_sigqueueinfo, getpid(), 0, &info));
  CHECK("rt_sigqueueinfo from a bad pointer", syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN + 4, bad_pointer));
  pid_t child = fork();
  if (child == 0) {
    siginfo_t forged;
    memset(&forged, 0, sizeof forged);
    forged.si_code = SI_USER;
    CHECK("rt_sigqueueinfo with SI_USER to the parent", syscall(SYS_rt_sigqueueinfo, getppid(), SIGRTMIN + 4, &forged));
    _exit(0);
  }
  wait_report("child", child);
  return 0;
}
