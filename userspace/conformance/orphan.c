/* orphan: a grandchild whose parent exits is reparented to init (the runner, pid 1 on both
 * kernels): its getppid changes to 1. */
#include "report.h"

int main(void) {
  int ends[2];
  CHECK("pipe", pipe(ends));
  pid_t child = fork();
  if (child == 0) {
    pid_t parent = getpid();
    pid_t grandchild = fork();
    if (grandchild == 0) {
      /* At most 5 s: the parent exits at once, and its exit reparents this process. */
      for (int i = 0; i < 500 && getppid() == parent; i++) usleep(10000);
      pid_t after = getppid();
      write(ends[1], &after, sizeof after);
      _exit(0);
    }
    _exit(grandchild > 0 ? 0 : 1);
  }
  wait_report("the parent", child);
  pid_t adopted = 0;
  CHECK("read the grandchild's new parent", read(ends[0], &adopted, sizeof adopted));
  printf("new parent: %d\n", adopted);
  return 0;
}
