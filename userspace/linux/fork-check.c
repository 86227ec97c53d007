/* fork-check: fork, wait4, waitid and exit statuses, unmodified (glibc and musl, static); its
 * output is compared with the same binary's as /init on Debian's kernel (tests/qemu/linux.test.ts).
 * Only relations are printed (a child's pid is positive and what wait returns), never pids. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <termios.h>
#include <unistd.h>

static const char *name(int error) {
  switch (error) {
    case ECHILD: return "ECHILD"; case EINVAL: return "EINVAL"; case EFAULT: return "EFAULT"; case EAGAIN: return "EAGAIN";
    default: return "other";
  }
}

/* The result and errno of a call, evaluated in that order (printf's arguments are not). */
static void result(const char *what, long value) {
  int error = errno;
  if (value < 0) printf("%s: -1 %s\n", what, name(error));
  else printf("%s: %ld\n", what, value);
}

static void status_line(const char *what, int status) {
  if (WIFEXITED(status)) printf("%s: exited %d\n", what, WEXITSTATUS(status));
  else if (WIFSIGNALED(status)) printf("%s: killed by signal %d\n", what, WTERMSIG(status));
  else printf("%s: status 0x%x\n", what, status);
}

static void nap(long milliseconds) {
  struct timespec t = { 0, milliseconds * 1000000L };
  nanosleep(&t, 0);
}

int shared_value = 1;

int main(void) {
  setvbuf(stdout, 0, _IOLBF, 0);
  printf("fork-check: started\n");
  int status = 0;
  result("wait without children", wait(&status));

  /* A child exits with 7; its memory is its own (copy-on-write). */
  pid_t parent = getpid();
  pid_t child = fork();
  if (child == 0) {
    shared_value = 99;
    _exit(getppid() == parent && shared_value == 99 ? 7 : 8);   /* 7: its parent is the forker, its copy changed */
  }
  printf("fork: child pid positive %d\n", child > 0);
  pid_t reaped = waitpid(child, &status, 0);
  printf("waitpid: returned the child %d\n", reaped == child);
  status_line("child", status);
  printf("parent: shared_value still %d\n", shared_value);
  result("waitpid again", waitpid(child, &status, 0));

  /* WNOHANG before the child ends, then a blocking wait. */
  child = fork();
  if (child == 0) { nap(60); exit(3); }
  printf("WNOHANG while it runs: %d\n", waitpid(child, &status, WNOHANG));
  printf("wait: returned the child %d\n", wait(&status) == child);
  status_line("sleeper", status);

  /* A child killed by a fault: SIGSEGV. */
  child = fork();
  if (child == 0) { volatile int *nowhere = (volatile int *)(long)(getpid() & 0); *nowhere = 1; _exit(0); }
  waitpid(child, &status, 0);
  status_line("faulting child", status);

  /* waitid with WNOWAIT leaves it to be waited for again. */
  child = fork();
  if (child == 0) _exit(42);
  siginfo_t info;
  memset(&info, 0, sizeof info);
  printf("waitid WEXITED|WNOWAIT: %d\n", waitid(P_PID, child, &info, WEXITED | WNOWAIT));
  printf("waitid: signo SIGCHLD %d, code CLD_EXITED %d, status %d, pid %d\n", info.si_signo == SIGCHLD, info.si_code == CLD_EXITED,
         info.si_status, info.si_pid == child);
  printf("then waitpid: returned the child %d\n", waitpid(child, &status, 0) == child);
  status_line("waited twice", status);
  result("waitid without WEXITED", waitid(P_ALL, 0, &info, 0));

  /* Twenty children, reaped in whatever order they end. */
  int sum = 0;
  for (int i = 0; i < 20; i++) {
    pid_t pid = fork();
    if (pid == 0) _exit(i);
    if (pid < 0) { printf("fork %d failed: %s\n", i, name(errno)); break; }
  }
  for (int i = 0; i < 20; i++) {
    if (wait(&status) < 0) { printf("wait %d failed: %s\n", i, name(errno)); break; }
    sum += WEXITSTATUS(status);
  }
  printf("twenty children: statuses sum to %d\n", sum);
  result("wait with none left", wait(&status));
  result("wait4 bad options", syscall(SYS_wait4, -1, &status, 0x10000, 0));

  /* A grandchild whose parent exits first goes to init: as /init (the test runs it so) we reap it. */
  child = fork();
  if (child == 0) {
    if (fork() == 0) { nap(30); _exit(5); }
    _exit(6);
  }
  waitpid(child, &status, 0);
  status_line("middle child", status);
  nap(60);
  pid_t adopted = waitpid(-1, &status, WNOHANG);
  int error = errno;
  if (adopted > 0) status_line("adopted grandchild", status);
  else printf("no adopted grandchild: %d %s\n", adopted, adopted < 0 ? name(error) : "");
  printf("fork-check: done\n");
  tcdrain(1);   /* on the wire before init exits: Linux panics when init exits, and would cut the tty's output */
  return 0;
}
