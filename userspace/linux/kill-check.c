/* kill-check: process groups and sessions (setpgid, getpgid, getpgrp, setsid, getsid), kill to a
 * process, to a group (pid 0, negative pids) and to all (-1), waiting by group, unmodified (glibc
 * and musl, static); its output is compared with the same binary's as /init on Debian's kernel
 * (tests/qemu/linux-signals.test.ts). Only relations are printed, never pids. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static void result(const char *what, long value) {
  int error = errno;
  if (value < 0) printf("%s: -1 %s\n", what, error == ESRCH ? "ESRCH" : error == EPERM ? "EPERM" : error == EINVAL ? "EINVAL"
    : error == ECHILD ? "ECHILD" : "other");
  else printf("%s: %ld\n", what, value);
}

static void status_line(const char *what, int status) {
  if (WIFEXITED(status)) printf("%s: exited %d\n", what, WEXITSTATUS(status));
  else if (WIFSIGNALED(status)) printf("%s: killed by signal %d\n", what, WTERMSIG(status));
  else printf("%s: status 0x%x\n", what, status);
}

static void nap(long milliseconds) {
  struct timespec t = { 0, milliseconds * 1000000L };
  while (nanosleep(&t, &t) < 0 && errno == EINTR) {}
}

static pid_t sleeper(void) {
  pid_t child = fork();
  if (child == 0) { for (;;) pause(); }
  return child;
}

static volatile sig_atomic_t usr1;
static void on_usr1(int signal) { (void)signal; usr1++; }

int main(void) {
  setvbuf(stdout, 0, _IOLBF, 0);
  printf("kill-check: started\n");
  pid_t self = getpid();
  printf("init: getpgrp %d, getsid %d, getpgid(0) %d\n", getpgrp(), getsid(0), getpgid(0));
  result("getpgid of a pid that does not exist", getpgid(30000));
  result("getsid of a pid that does not exist", getsid(30000));
  result("setpgid of a pid that is not a child", setpgid(30000, 0));
  result("setpgid to a negative group", setpgid(0, -1));

  /* A child's group and session are its parent's; the parent moves it to a group of its own. */
  pid_t a = sleeper();
  printf("child: same group %d, same session %d\n", getpgid(a) == getpgrp(), getsid(a) == getsid(0));
  result("setpgid(child, 0)", setpgid(a, 0));
  printf("child: leads its group %d\n", getpgid(a) == a);
  pid_t b = sleeper();
  result("setpgid(second, first's group)", setpgid(b, a));
  printf("second: in the first's group %d\n", getpgid(b) == a);
  result("setpgid(second, a group that does not exist)", setpgid(b, 30000));
  pid_t c = sleeper();
  int status = 0;

  /* Waiting by group: the third child is not in the group. */
  result("waitpid(-group, WNOHANG)", waitpid(-a, &status, WNOHANG));
  result("kill the group with SIGTERM", kill(-a, SIGTERM));
  pid_t first = waitpid(-a, &status, 0);
  status_line("waitpid(-group)", status);
  pid_t second = waitpid(-a, &status, 0);
  status_line("waitpid(-group)", status);
  printf("both group members reaped %d\n", (first == a && second == b) || (first == b && second == a));
  result("waitpid(-group) with none left", waitpid(-a, &status, WNOHANG));
  result("kill the group again", kill(-a, SIGTERM));
  result("kill the third child, signal 0", kill(c, 0));
  result("kill the third child, SIGKILL", kill(c, SIGKILL));
  nap(20);
  result("kill an ended child not yet reaped, signal 0", kill(c, 0));
  waitpid(c, &status, 0);
  status_line("third", status);
  result("kill a reaped child", kill(c, 0));

  /* kill(0) reaches the caller's group: a child in its own group with a grandchild. */
  pid_t leader = fork();
  if (leader == 0) {
    setpgid(0, 0);
    signal(SIGUSR1, on_usr1);
    pid_t grandchild = fork();
    if (grandchild == 0) { signal(SIGUSR1, SIG_DFL); for (;;) pause(); }
    nap(20);
    kill(0, SIGUSR1);   /* itself and the grandchild */
    int grandchild_status = 0;
    waitpid(grandchild, &grandchild_status, 0);
    _exit(usr1 == 1 && WIFSIGNALED(grandchild_status) && WTERMSIG(grandchild_status) == SIGUSR1 ? 0 : 1);
  }
  waitpid(leader, &status, 0);
  status_line("kill(0) in a group of two", status);

  /* Sessions. */
  pid_t session = fork();
  if (session == 0) {
    int ok = setsid() == getpid() && getsid(0) == getpid() && getpgrp() == getpid();
    int again = setsid() < 0 && errno == EPERM;
    int moving = setpgid(0, getppid()) < 0 && errno == EPERM;
    _exit(ok * 1 + again * 2 + moving * 4);
  }
  waitpid(session, &status, 0);
  printf("setsid in a child: exited %d (7: a session of its own, a second setsid EPERM, setpgid into another session EPERM)\n",
    WEXITSTATUS(status));
  pid_t leader2 = fork();
  if (leader2 == 0) { setpgid(0, 0); _exit(setsid() < 0 && errno == EPERM ? 0 : 1); }
  waitpid(leader2, &status, 0);
  printf("setsid by a group leader: EPERM %d\n", WEXITSTATUS(status) == 0);
  pid_t other = fork();
  if (other == 0) { setsid(); for (;;) pause(); }
  nap(20);
  result("setpgid of a child in another session", setpgid(other, other));
  printf("the other session's id is the child's %d\n", getsid(other) == other);
  kill(other, SIGKILL);
  waitpid(other, &status, 0);
  result("setsid in init", setsid());
  printf("init after setsid: leads its group %d and session %d\n", getpgrp() == self, getsid(0) == self);
  result("setsid again", setsid());

  /* kill(-1): every process but the caller (and init). */
  pid_t d = sleeper(), e = sleeper();
  nap(20);
  signal(SIGUSR2, SIG_IGN);
  result("kill(-1, SIGUSR2)", kill(-1, SIGUSR2));
  waitpid(d, &status, 0);
  status_line("first", status);
  waitpid(e, &status, 0);
  status_line("second", status);
  printf("kill-check: done\n");
  tcdrain(1);
  return 0;
}
