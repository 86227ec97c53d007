/* fork-wait-status: the status a parent waits for: exit codes 0, 3, 255 (and 256 as 0), killed
 * by SIGKILL and SIGTERM, a child's own SIGABRT; fork's child returns 0 and sees its parent. */
#include "report.h"
#include <signal.h>
#include <stdlib.h>

static void child_does(const char *label, int what) {
  pid_t parent = getpid();
  pid_t child = fork();
  if (child == 0) {
    if (getppid() != parent) _exit(99);
    switch (what) {
      case 0: _exit(0);
      case 1: _exit(3);
      case 2: _exit(255);
      case 3: _exit(256);
      case 4: pause(); _exit(1);
      case 5: abort();
      case 6: exit(42);
    }
    _exit(0);
  }
  if (child < 0) { printf("%s: fork -1 %s\n", label, errno_name(errno)); return; }
  if (what == 4) {
    usleep(20000);
    kill(child, label[0] == 'K' ? SIGKILL : SIGTERM);
  }
  wait_report(label, child);
}

int main(void) {
  child_does("exit 0", 0);
  child_does("exit 3", 1);
  child_does("exit 255", 2);
  child_does("exit 256", 3);
  child_does("KILLed", 4);
  child_does("TERMinated", 4);
  child_does("abort", 5);
  child_does("exit(42) through the C library", 6);
  int status = 0;
  CHECK("wait with no children", wait(&status));
  pid_t child = fork();
  if (child == 0) _exit(7);
  pid_t got = wait(&status);
  EXPECT("wait returns the child", got == child);
  printf("WIFEXITED %d WEXITSTATUS %d raw %#x\n", WIFEXITED(status), WEXITSTATUS(status), status);
  return 0;
}
