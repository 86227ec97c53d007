/* vfork-memory: a vfork child shares its parent's memory until it execs or exits: what it writes
 * (a global, the heap, a new page of the heap) the parent reads after; posix_spawn of a missing
 * program reports ENOENT (glibc learns it through that shared memory, musl through a pipe), and
 * of an existing one runs it. */
#include "report.h"
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char **environ;
static volatile int global;

int main(void) {
  volatile char *heap = malloc(64 * 1024);
  heap[0] = 'p';
  global = 1;
  pid_t child = vfork();
  if (child == 0) {
    global = 2;
    heap[0] = 'c';
    heap[40000] = 'n';
    _exit(0);
  }
  wait_report("a vfork child that writes and exits", child);
  printf("the parent reads: global %d, heap %c %c\n", global, heap[0], heap[40000] ? heap[40000] : '0');
  child = vfork();
  if (child == 0) {
    global = 3;
    execl("/bin/true", "true", (char *)NULL);
    _exit(127);
  }
  wait_report("a vfork child that writes and execs", child);
  printf("the parent reads: global %d\n", global);
  pid_t spawned = 0;
  char *missing[] = { "missing", NULL };
  int error = posix_spawn(&spawned, "/no/such/program", NULL, NULL, missing, environ);
  printf("posix_spawn of a missing program: %s\n", error == 0 ? "0" : errno_name(error));
  if (error == 0) wait_report("its child", spawned);
  char *echo[] = { "echo", "spawned echo ran", NULL };
  error = posix_spawn(&spawned, "/bin/echo", NULL, NULL, echo, environ);
  int status = 0;
  if (error == 0) waitpid(spawned, &status, 0);   /* its line first, whoever runs first */
  printf("posix_spawn of /bin/echo: %s, exit %d\n", error == 0 ? "0" : errno_name(error), WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return 0;
}
