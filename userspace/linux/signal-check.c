/* signal-check: handlers, siginfo, masks, EINTR and SA_RESTART, SIGCHLD, SIGPIPE, sigsuspend,
 * sigaltstack, sigtimedwait and the default actions, unmodified (glibc and musl, static); its
 * output is compared with the same binary's as /init on Debian's kernel
 * (tests/qemu/linux-signals.test.ts). Only relations are printed, never pids or times. As /init it
 * is Linux's init: signals without a handler do not reach it, so default actions are tried in
 * children. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static const char *name(int error) {
  switch (error) {
    case EINTR: return "EINTR"; case EINVAL: return "EINVAL"; case ESRCH: return "ESRCH"; case EPERM: return "EPERM";
    case EAGAIN: return "EAGAIN"; case EPIPE: return "EPIPE"; case ENOMEM: return "ENOMEM"; case ECHILD: return "ECHILD";
    case EFAULT: return "EFAULT";
    default: return "other";
  }
}

static void result(const char *what, long value) {
  int error = errno;
  if (value < 0) printf("%s: -1 %s\n", what, name(error));
  else printf("%s: %ld\n", what, value);
}

static void status_line(const char *what, int status) {
  if (WIFEXITED(status)) printf("%s: exited %d\n", what, WEXITSTATUS(status));
  else if (WIFSIGNALED(status)) printf("%s: killed by signal %d%s\n", what, WTERMSIG(status), WCOREDUMP(status) ? " (core)" : "");
  else if (WIFSTOPPED(status)) printf("%s: stopped by signal %d\n", what, WSTOPSIG(status));
  else if (WIFCONTINUED(status)) printf("%s: continued\n", what);
  else printf("%s: status 0x%x\n", what, status);
}

static void nap(long milliseconds) {
  struct timespec t = { milliseconds / 1000, (milliseconds % 1000) * 1000000L };
  while (nanosleep(&t, &t) < 0 && errno == EINTR) {}
}

static volatile sig_atomic_t count[65];
static volatile int order[8], order_length;
static siginfo_t last_info;
static volatile int blocked_in_handler[65];
static int pipe_fds[2];

static void on_signal(int signal) {
  count[signal]++;
  if (order_length < 8) order[order_length++] = signal;
  sigset_t now;
  sigprocmask(SIG_BLOCK, 0, &now);
  blocked_in_handler[signal] = sigismember(&now, SIGUSR1) * 1 + sigismember(&now, SIGUSR2) * 2 + sigismember(&now, SIGTERM) * 4;
}

static void on_info(int signal, siginfo_t *info, void *context) {
  (void)context;
  count[signal]++;
  last_info = *info;
}

static void on_alarm_write(int signal) {
  count[signal]++;
  if (write(pipe_fds[1], "x", 1) != 1) count[0]++;
}

static int install(int signal, void (*handler)(int), int flags, int masked) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = handler;
  action.sa_flags = flags;
  sigemptyset(&action.sa_mask);
  if (masked) sigaddset(&action.sa_mask, masked);
  return sigaction(signal, &action, 0);
}

static int install_info(int signal, int flags) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_info;
  action.sa_flags = SA_SIGINFO | flags;
  sigemptyset(&action.sa_mask);
  return sigaction(signal, &action, 0);
}

static void timer_ms(long milliseconds) {
  struct itimerval value = { { 0, 0 }, { milliseconds / 1000, (milliseconds % 1000) * 1000 } };
  setitimer(ITIMER_REAL, &value, 0);
}

static void reset_counts(void) {
  for (int i = 0; i < 65; i++) count[i] = 0;
  order_length = 0;
}

/* The child's wait status, after `child` got `signal` (or none when 0) `delay` ms after it started. */
static int child_status(pid_t child, int signal, long delay) {
  int status = -1;
  nap(delay);
  if (signal) kill(child, signal);
  waitpid(child, &status, 0);
  return status;
}

static void default_actions(void) {
  /* Children inherit handlers and the mask: back to SIG_DFL and nothing blocked first. */
  for (int signal = 1; signal < 32; signal++) if (signal != SIGKILL && signal != SIGSTOP) install(signal, SIG_DFL, 0, 0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, 0);
  const int deadly[] = { SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGABRT, SIGFPE, SIGKILL, SIGUSR1, SIGSEGV, SIGPIPE, SIGALRM,
    SIGTERM, SIGSYS, SIGRTMIN + 2 };
  for (unsigned i = 0; i < sizeof deadly / sizeof deadly[0]; i++) {
    pid_t child = fork();
    if (child == 0) { for (;;) pause(); }
    char what[64];
    snprintf(what, sizeof what, "default action of %d", deadly[i] >= SIGRTMIN ? 99 : deadly[i]);
    status_line(what, child_status(child, deadly[i], 30));
  }
  static const int ignored[] = { SIGCHLD, SIGURG, SIGWINCH, SIGCONT };
  for (unsigned i = 0; i < sizeof ignored / sizeof ignored[0]; i++) {
    pid_t child = fork();
    if (child == 0) { nap(100); _exit(5); }
    char what[64];
    snprintf(what, sizeof what, "default action of %d", ignored[i]);
    status_line(what, child_status(child, ignored[i], 20));
  }
  /* A child spinning in user code is reached too (on the way back from the timer's interrupt). */
  pid_t child = fork();
  if (child == 0) { for (volatile long i = 0;; i++) {} }
  status_line("a spinning child, SIGTERM", child_status(child, SIGTERM, 50));
  /* A blocked SIGTERM waits; unblocked, it ends the child. */
  child = fork();
  if (child == 0) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, 0);
    nap(100);
    sigpending(&set);
    if (!sigismember(&set, SIGTERM)) _exit(1);
    sigprocmask(SIG_UNBLOCK, &set, 0);
    _exit(2);
  }
  status_line("a blocked SIGTERM, then unblocked", child_status(child, SIGTERM, 20));

  /* SIGTSTP to a child in init's group, an orphaned group: Linux drops it (a group whose
   * members' parent is init is always orphaned). */
  int status = 0;
  child = fork();
  if (child == 0) { for (;;) nap(10); }
  nap(20);
  result("SIGTSTP to an orphaned group", kill(child, SIGTSTP));
  nap(20);
  result("waitpid WNOHANG|WUNTRACED", waitpid(child, &status, WNOHANG | WUNTRACED));
  status_line("then SIGTERM", child_status(child, SIGTERM, 0));
  /* Stop and continue, reported by waitpid with WUNTRACED and WCONTINUED. */
  child = fork();
  if (child == 0) { for (;;) nap(10); }
  result("setpgid the child", setpgid(child, child));
  nap(20);
  result("SIGSTOP", kill(child, SIGSTOP));
  printf("waitpid WUNTRACED returned the child %d\n", waitpid(child, &status, WUNTRACED) == child);
  status_line("after SIGSTOP", status);
  result("waitpid WNOHANG|WUNTRACED again", waitpid(child, &status, WNOHANG | WUNTRACED));
  result("SIGCONT", kill(child, SIGCONT));
  printf("waitpid WCONTINUED returned the child %d\n", waitpid(child, &status, WCONTINUED) == child);
  status_line("after SIGCONT", status);
  result("SIGTSTP (its parent is init: an orphaned group, dropped)", kill(child, SIGTSTP));
  nap(20);
  result("waitpid WNOHANG|WUNTRACED", waitpid(child, &status, WNOHANG | WUNTRACED));
  result("SIGSTOP", kill(child, SIGSTOP));
  printf("waitpid WUNTRACED returned the child %d\n", waitpid(child, &status, WUNTRACED) == child);
  status_line("after SIGSTOP", status);
  result("SIGTERM while stopped", kill(child, SIGTERM));
  result("SIGCONT", kill(child, SIGCONT));
  waitpid(child, &status, 0);
  status_line("stopped, SIGTERM, SIGCONT", status);
  child = fork();
  if (child == 0) { for (;;) nap(10); }
  setpgid(child, child);
  nap(20);
  kill(child, SIGSTOP);
  waitpid(child, &status, WUNTRACED);
  result("SIGKILL while stopped", kill(child, SIGKILL));
  waitpid(child, &status, 0);
  status_line("stopped, SIGKILL", status);
}

/* Real-time signals queue, standard ones do not: instances sent while blocked are delivered
 * one by one, lowest number first, each in the order sent and with its own siginfo. */
static volatile int rt_seen[16], rt_codes[16], rt_count;

static void on_rt(int signal, siginfo_t *info, void *context) {
  (void)context;
  if (rt_count < 16) {
    rt_seen[rt_count] = (signal - SIGRTMIN) * 1000 + info->si_value.sival_int;
    rt_codes[rt_count] = info->si_code;
    rt_count++;
  }
}

static void realtime(void) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGRTMIN + 1);
  sigaddset(&block, SIGRTMIN + 2);
  sigaddset(&block, SIGUSR2);
  sigprocmask(SIG_BLOCK, &block, &old);
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_rt;
  action.sa_flags = SA_SIGINFO;
  sigaction(SIGRTMIN + 1, &action, 0);
  sigaction(SIGRTMIN + 2, &action, 0);
  signal(SIGUSR2, on_signal);
  reset_counts();
  for (int i = 1; i <= 3; i++) result("sigqueue SIGRTMIN+2", sigqueue(getpid(), SIGRTMIN + 2, (union sigval){ .sival_int = i * 10 }));
  result("kill SIGRTMIN+2", kill(getpid(), SIGRTMIN + 2));
  result("sigqueue SIGRTMIN+1", sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = 5 }));
  result("raise SIGUSR2", raise(SIGUSR2));
  result("raise SIGUSR2 again", raise(SIGUSR2));
  result("sigqueue with signal 0", sigqueue(getpid(), 0, (union sigval){ .sival_int = 0 }));
  sigset_t pending;
  sigpending(&pending);
  printf("pending: SIGRTMIN+1 %d, SIGRTMIN+2 %d, SIGUSR2 %d\n", sigismember(&pending, SIGRTMIN + 1), sigismember(&pending, SIGRTMIN + 2),
         sigismember(&pending, SIGUSR2));
  sigprocmask(SIG_SETMASK, &old, 0);
  printf("real-time deliveries: %d:", rt_count);
  for (int i = 0; i < rt_count; i++) printf(" %d/%s", rt_seen[i], rt_codes[i] == SI_QUEUE ? "SI_QUEUE" : rt_codes[i] == SI_USER ? "SI_USER" : "other");
  printf("\nSIGUSR2 handled %d time(s)\n", count[SIGUSR2]);

  /* sigtimedwait takes them one at a time too. */
  sigprocmask(SIG_BLOCK, &block, &old);
  sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = 7 });
  sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = 8 });
  sigset_t wanted;
  sigemptyset(&wanted);
  sigaddset(&wanted, SIGRTMIN + 1);
  struct timespec zero = { 0, 0 };
  for (int i = 0; i < 3; i++) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int taken = sigtimedwait(&wanted, &info, &zero);
    if (taken < 0) result("sigtimedwait", taken);
    else printf("sigtimedwait: SIGRTMIN+%d, value %d, SI_QUEUE %d, our pid %d\n", taken - SIGRTMIN, info.si_value.sival_int, info.si_code == SI_QUEUE,
                info.si_pid == getpid());
  }

  /* The queue has a limit: sigqueue says EAGAIN past it; ignoring the signal drops the queue. */
  long queued = 0;
  int last = 0;
  while (queued < 100000 && (last = sigqueue(getpid(), SIGRTMIN + 2, (union sigval){ .sival_int = 1 })) == 0) queued++;
  struct rlimit limit;
  getrlimit(RLIMIT_SIGPENDING, &limit);
  printf("sigqueue until it fails: EAGAIN %d, at least 8 queued %d, no more than RLIMIT_SIGPENDING + 1 %d\n", last < 0 && errno == EAGAIN,
         queued >= 8, (unsigned long)queued <= limit.rlim_cur + 1);
  signal(SIGRTMIN + 2, SIG_IGN);
  sigpending(&pending);
  printf("ignored: SIGRTMIN+2 pending %d\n", sigismember(&pending, SIGRTMIN + 2));
  rt_count = 0;
  sigaction(SIGRTMIN + 2, &action, 0);
  result("sigqueue once more", sigqueue(getpid(), SIGRTMIN + 2, (union sigval){ .sival_int = 99 }));
  sigprocmask(SIG_SETMASK, &old, 0);
  printf("after the drop, deliveries: %d, value %d\n", rt_count, rt_count > 0 ? rt_seen[0] : -1);
  signal(SIGRTMIN + 1, SIG_DFL);
  signal(SIGRTMIN + 2, SIG_DFL);

  /* Only the kernel sends with a non-negative si_code to another process. */
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    info.si_signo = SIGRTMIN + 3;
    info.si_code = SI_USER;
    result("rt_sigqueueinfo with SI_USER to the parent", syscall(SYS_rt_sigqueueinfo, getppid(), SIGRTMIN + 3, &info));
    result("rt_sigqueueinfo from a bad address", syscall(SYS_rt_sigqueueinfo, getppid(), SIGRTMIN + 3, (void *)8));
    result("rt_sigqueueinfo with SI_USER to no such process", syscall(SYS_rt_sigqueueinfo, 0x7ffff0, SIGRTMIN + 3, &info));
    info.si_code = SI_QUEUE;
    result("rt_sigqueueinfo to no such process", syscall(SYS_rt_sigqueueinfo, 0x7ffff0, SIGRTMIN + 3, &info));
    result("rt_sigqueueinfo of signal 65", syscall(SYS_rt_sigqueueinfo, getppid(), 65, &info));
    result("rt_tgsigqueueinfo to another tid", syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid() + 1, SIGRTMIN + 3, &info));
    result("rt_tgsigqueueinfo with tid 0", syscall(SYS_rt_tgsigqueueinfo, getpid(), 0, SIGRTMIN + 3, &info));
    result("rt_tgsigqueueinfo to itself, signal 0", syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid(), 0, &info));
    fflush(stdout);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
}

int main(void) {
  setvbuf(stdout, 0, _IOLBF, 0);
  printf("signal-check: started\n");

  /* A handler runs before kill returns; SA_SIGINFO's fields. */
  result("sigaction SIGUSR1", install(SIGUSR1, on_signal, 0, 0));
  result("kill self SIGUSR1", kill(getpid(), SIGUSR1));
  printf("SIGUSR1 handled %d times, own signal blocked in the handler %d\n", count[SIGUSR1], blocked_in_handler[SIGUSR1] & 1);
  result("sigaction SIGUSR2 SA_SIGINFO", install_info(SIGUSR2, 0));
  result("kill self SIGUSR2", kill(getpid(), SIGUSR2));
  printf("siginfo: signo %d, code %d, pid is mine %d, uid %d\n", last_info.si_signo, last_info.si_code, last_info.si_pid == getpid(),
    (int)last_info.si_uid);
  result("raise SIGUSR2", raise(SIGUSR2));
  printf("siginfo after raise: signo %d, code %d, pid is mine %d\n", last_info.si_signo, last_info.si_code, last_info.si_pid == getpid());
  result("tgkill self SIGUSR2", syscall(SYS_tgkill, getpid(), getpid(), SIGUSR2));
  printf("siginfo after tgkill: code %d\n", last_info.si_code);
  result("tgkill another group", syscall(SYS_tgkill, getpid() + 1000, getpid(), SIGUSR2));
  result("tgkill tid 0", syscall(SYS_tgkill, getpid(), 0, SIGUSR2));
  result("tkill -1", syscall(SYS_tkill, -1, SIGUSR2));

  /* The errors. */
  result("kill signal 65", kill(getpid(), 65));
  result("kill signal -1", kill(getpid(), -1));
  result("kill signal 0 to myself", kill(getpid(), 0));
  result("kill a pid that does not exist", kill(30000, 0));
  result("kill a group that does not exist", kill(-30000, SIGUSR1));
  result("sigaction SIGKILL", install(SIGKILL, on_signal, 0, 0));
  result("sigaction SIGSTOP", install(SIGSTOP, SIG_IGN, 0, 0));
  result("sigaction signal 65", syscall(SYS_rt_sigaction, 65, 0, 0, 8));
  result("sigaction a bad set size", syscall(SYS_rt_sigaction, SIGUSR1, 0, 0, 4));
  result("sigaction from a bad address", syscall(SYS_rt_sigaction, SIGUSR1, (void *)16, 0, 8));

  /* Masks: blocked signals wait, SIGKILL and SIGSTOP cannot be blocked, sigpending. */
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGKILL);
  sigaddset(&set, SIGSTOP);
  result("block SIGUSR1 SIGKILL SIGSTOP", sigprocmask(SIG_BLOCK, &set, &old));
  sigprocmask(SIG_BLOCK, 0, &set);
  printf("blocked: SIGUSR1 %d SIGKILL %d SIGSTOP %d\n", sigismember(&set, SIGUSR1), sigismember(&set, SIGKILL), sigismember(&set, SIGSTOP));
  reset_counts();
  kill(getpid(), SIGUSR1);
  kill(getpid(), SIGUSR1);
  printf("while blocked: handled %d\n", count[SIGUSR1]);
  sigemptyset(&set);
  result("sigpending", sigpending(&set));
  printf("pending: SIGUSR1 %d SIGUSR2 %d\n", sigismember(&set, SIGUSR1), sigismember(&set, SIGUSR2));
  result("sigpending a bad size", syscall(SYS_rt_sigpending, &set, 16));
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  result("unblock SIGUSR1", sigprocmask(SIG_UNBLOCK, &set, 0));
  printf("after unblocking: handled %d (standard signals do not queue)\n", count[SIGUSR1]);
  result("sigprocmask a bad how", sigprocmask(99, &set, 0));

  /* Two pending signals: the lower is set up first, so the higher's handler runs first (nested). */
  install(SIGUSR2, on_signal, 0, 0);
  install(SIGTERM, on_signal, 0, 0);
  reset_counts();
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, 0);
  raise(SIGTERM);
  raise(SIGUSR1);
  raise(SIGUSR2);
  sigprocmask(SIG_UNBLOCK, &set, 0);
  printf("three pending, order:");
  for (int i = 0; i < order_length; i++) printf(" %d", order[i]);
  printf("\n");

  /* sa_mask, SA_NODEFER, SA_RESETHAND. */
  install(SIGUSR1, on_signal, 0, SIGTERM);
  raise(SIGUSR1);
  printf("sa_mask SIGTERM: in the handler blocked 0x%x\n", blocked_in_handler[SIGUSR1]);
  install(SIGUSR1, on_signal, SA_NODEFER, 0);
  raise(SIGUSR1);
  printf("SA_NODEFER: in the handler blocked 0x%x\n", blocked_in_handler[SIGUSR1]);
  sigprocmask(SIG_BLOCK, 0, &set);
  printf("after the handlers: SIGUSR1 blocked %d, SIGTERM blocked %d\n", sigismember(&set, SIGUSR1), sigismember(&set, SIGTERM));
  reset_counts();
  install(SIGUSR2, on_signal, SA_RESETHAND, 0);
  raise(SIGUSR2);
  struct sigaction current;
  sigaction(SIGUSR2, 0, &current);
  printf("SA_RESETHAND: handled %d, now SIG_DFL %d, flags kept 0x%x\n", count[SIGUSR2], current.sa_handler == SIG_DFL,
    (unsigned)(current.sa_flags & (SA_RESETHAND | SA_SIGINFO | SA_NODEFER)));
  install(SIGUSR2, SIG_IGN, 0, 0);
  result("an ignored SIGUSR2", raise(SIGUSR2));
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, 0);
  install(SIGUSR2, on_signal, 0, 0);
  raise(SIGUSR2);
  install(SIGUSR2, SIG_IGN, 0, 0);
  sigpending(&set);
  printf("pending, then ignored: still pending %d\n", sigismember(&set, SIGUSR2));
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_UNBLOCK, &set, 0);

  /* EINTR and SA_RESTART: a read on an empty pipe, the timer's handler writes a byte. */
  pipe(pipe_fds);
  char byte;
  reset_counts();
  install(SIGALRM, on_alarm_write, 0, 0);
  timer_ms(50);
  result("read without SA_RESTART", read(pipe_fds[0], &byte, 1));
  printf("alarm handled %d\n", count[SIGALRM]);
  result("read what the handler wrote", read(pipe_fds[0], &byte, 1));
  install(SIGALRM, on_alarm_write, SA_RESTART, 0);
  timer_ms(50);
  result("read with SA_RESTART", read(pipe_fds[0], &byte, 1));
  printf("alarm handled %d\n", count[SIGALRM]);
  struct timespec long_sleep = { 5, 0 }, left = { 0, 0 };
  timer_ms(50);
  result("nanosleep with SA_RESTART (never restarted)", nanosleep(&long_sleep, &left));
  printf("nanosleep left more than 4 s %d, less than 5 s %d\n", left.tv_sec >= 4, left.tv_sec < 5);
  pid_t child = fork();
  if (child == 0) { nap(300); _exit(4); }
  int status = 0;
  install(SIGALRM, on_alarm_write, 0, 0);
  timer_ms(50);
  result("wait4 without SA_RESTART", wait4(child, &status, 0, 0));
  install(SIGALRM, on_alarm_write, SA_RESTART, 0);
  timer_ms(50);
  printf("wait4 with SA_RESTART returned the child %d\n", wait4(child, &status, 0, 0) == child);
  status_line("child", status);
  close(pipe_fds[0]);
  close(pipe_fds[1]);

  /* SIGCHLD: its siginfo, from sigsuspend. */
  reset_counts();
  result("sigaction SIGCHLD", install_info(SIGCHLD, 0));
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, &old);
  child = fork();
  if (child == 0) _exit(3);
  sigset_t during;
  sigemptyset(&during);
  result("sigsuspend", sigsuspend(&during));
  printf("SIGCHLD: handled %d, code %d (CLD_EXITED %d), status %d, pid is the child %d\n", count[SIGCHLD], last_info.si_code, CLD_EXITED,
    last_info.si_status, last_info.si_pid == child);
  sigprocmask(SIG_BLOCK, 0, &set);
  printf("after sigsuspend: SIGCHLD blocked again %d\n", sigismember(&set, SIGCHLD));
  waitpid(child, &status, 0);
  child = fork();
  if (child == 0) { for (;;) pause(); }
  nap(20);
  kill(child, SIGKILL);
  sigsuspend(&during);
  printf("SIGCHLD for a kill: code %d (CLD_KILLED %d), status %d\n", last_info.si_code, CLD_KILLED, last_info.si_status);
  waitpid(child, &status, 0);
  sigprocmask(SIG_SETMASK, &old, 0);
  result("sigsuspend a bad size", syscall(SYS_rt_sigsuspend, &during, 4));
  /* SIGCHLD ignored: children are not kept, wait says ECHILD once they ended. */
  install(SIGCHLD, SIG_IGN, 0, 0);
  child = fork();
  if (child == 0) _exit(0);
  nap(50);
  result("waitpid with SIGCHLD ignored", waitpid(child, &status, 0));
  install(SIGCHLD, SIG_DFL, 0, 0);

  /* SIGPIPE: the writer gets it before EPIPE. */
  child = fork();
  if (child == 0) {
    int fds[2];
    pipe(fds);
    close(fds[0]);
    write(fds[1], "x", 1);
    _exit(0);
  }
  waitpid(child, &status, 0);
  status_line("a write without a reader, SIGPIPE default", status);
  reset_counts();
  install_info(SIGPIPE, 0);
  int fds[2];
  pipe(fds);
  close(fds[0]);
  result("a write without a reader, SIGPIPE handled", write(fds[1], "x", 1));
  printf("SIGPIPE handled %d, code %d, pid is mine %d\n", count[SIGPIPE], last_info.si_code, last_info.si_pid == getpid());
  close(fds[1]);

  /* sigtimedwait. */
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, 0);
  raise(SIGUSR1);
  siginfo_t info;
  memset(&info, 0, sizeof info);
  struct timespec wait_time = { 0, 50 * 1000000 };
  result("sigtimedwait with SIGUSR1 pending", sigtimedwait(&set, &info, &wait_time));
  printf("sigtimedwait's siginfo: signo %d, code %d\n", info.si_signo, info.si_code);
  result("sigtimedwait with nothing pending", sigtimedwait(&set, &info, &wait_time));
  struct timespec zero = { 0, 0 };
  result("sigtimedwait with a zero timeout", sigtimedwait(&set, &info, &zero));
  child = fork();
  if (child == 0) { nap(50); kill(getppid(), SIGUSR1); _exit(0); }
  struct timespec long_wait = { 5, 0 };
  result("sigtimedwait for a signal another process sends", sigtimedwait(&set, &info, &long_wait));
  printf("from the child %d, code %d\n", info.si_pid == child, info.si_code);
  waitpid(child, &status, 0);
  sigprocmask(SIG_UNBLOCK, &set, 0);

  /* ppoll and pselect wait with the mask they are given and put the caller's back. */
  install(SIGUSR1, on_signal, 0, 0);
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, 0);
  sigset_t open_mask, now_mask;
  sigemptyset(&open_mask);
  int quiet[2];
  pipe(quiet);
  struct pollfd watch = { quiet[0], POLLIN, 0 };
  struct timespec second = { 1, 0 };
  reset_counts();
  raise(SIGUSR1);
  result("ppoll with the pending SIGUSR1 let through", ppoll(&watch, 1, &second, &open_mask));
  sigprocmask(SIG_BLOCK, 0, &now_mask);
  printf("its handler ran %d time(s); blocked again after: %d\n", count[SIGUSR1], sigismember(&now_mask, SIGUSR1));
  reset_counts();
  raise(SIGUSR1);
  fd_set readable;
  FD_ZERO(&readable);
  FD_SET(quiet[0], &readable);
  result("pselect with the pending SIGUSR1 let through", pselect(quiet[0] + 1, &readable, 0, 0, &second, &open_mask));
  sigprocmask(SIG_BLOCK, 0, &now_mask);
  printf("its handler ran %d time(s); blocked again after: %d\n", count[SIGUSR1], sigismember(&now_mask, SIGUSR1));
  reset_counts();
  raise(SIGUSR1);
  result("ppoll with SIGUSR1 pending and blocked by its mask", ppoll(&watch, 1, &(struct timespec){ 0, 20 * 1000000 }, &set));
  printf("its handler ran %d time(s)\n", count[SIGUSR1]);
  if (write(quiet[1], "x", 1) != 1) printf("write failed\n");
  result("ppoll with a descriptor ready and SIGUSR1 let through", ppoll(&watch, 1, &second, &open_mask));
  sigpending(&now_mask);
  printf("handler ran %d time(s); SIGUSR1 still pending: %d\n", count[SIGUSR1], sigismember(&now_mask, SIGUSR1));
  sigprocmask(SIG_UNBLOCK, &set, 0);
  printf("after unblocking, the handler ran %d time(s)\n", count[SIGUSR1]);
  result("ppoll with a bad mask size", syscall(SYS_ppoll, &watch, 1, &second, &open_mask, 4));
  close(quiet[0]);
  close(quiet[1]);

  /* The alternate stack. */
  stack_t stack, previous;
  result("sigaltstack query", sigaltstack(0, &previous));
  printf("no alternate stack: SS_DISABLE %d\n", (previous.ss_flags & SS_DISABLE) != 0);
  static char alternate[65536];
  stack.ss_sp = alternate;
  stack.ss_size = 1024;
  stack.ss_flags = 0;
  result("sigaltstack too small", sigaltstack(&stack, 0));
  stack.ss_size = sizeof alternate;
  stack.ss_flags = 99;
  result("sigaltstack bad flags", sigaltstack(&stack, 0));
  stack.ss_flags = 0;
  result("sigaltstack", sigaltstack(&stack, 0));
  result("sigaltstack query", sigaltstack(0, &previous));
  printf("alternate stack: same base %d, size %zu, flags %d\n", previous.ss_sp == alternate, previous.ss_size, previous.ss_flags);
  printf("real-time signals:\n");
  realtime();
  printf("default actions:\n");
  default_actions();
  printf("signal-check: done\n");
  tcdrain(1);
  return 0;
}
