/* sigreturn-regs: a handler that changes memory and returns: the interrupted code's variables
 * and floating-point state are as they were (rt_sigreturn restores the frame); nested
 * handlers; rt_sigreturn called with no frame kills the process with SIGSEGV. */
#include "report.h"
#include <signal.h>
#include <sys/syscall.h>

static volatile int depth, deepest;
static volatile double handler_float;
static void second(int signal) {
  (void)signal;
  depth++;
  if (depth > deepest) deepest = depth;
  handler_float = 1.0 / 3.0 * 7.0;
  depth--;
}
static void first(int signal) {
  (void)signal;
  depth++;
  if (depth > deepest) deepest = depth;
  raise(SIGUSR2);
  handler_float = 2.5 * 3.25;
  depth--;
}

int main(void) {
  signal(SIGUSR1, first);
  signal(SIGUSR2, second);
  volatile double x = 1.5;
  double y = x * 2.0;
  long counter = 0;
  for (int i = 0; i < 3; i++) {
    raise(SIGUSR1);
    counter += i;
    y = y * 1.5;
  }
  printf("counter %ld, y %.4f, deepest %d, handler's float %.4f\n", counter, y, deepest, handler_float);
  pid_t child = fork();
  if (child == 0) {
    syscall(SYS_rt_sigreturn);
    _exit(0);
  }
  wait_report("rt_sigreturn without a frame", child);
  return 0;
}
