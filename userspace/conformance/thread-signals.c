/* thread-signals: a signal sent to the process reaches the thread that does not block it;
 * pthread_kill (tgkill) reaches the thread it names, and tgkill refuses a wrong group or an ended
 * thread; each thread has its own mask; pthread_exit from the first thread leaves the process to
 * the others; execve from a second thread ends the others and keeps the pid, which becomes the
 * caller's tid. */
#include "report.h"
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>

static volatile pid_t handled_by[65];
static volatile int worker_ready, worker_stop;
static pid_t worker_tid;

static void handler(int signal) {
  handled_by[signal] = (pid_t)syscall(SYS_gettid);
}

static void *worker(void *argument) {
  (void)argument;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
  worker_tid = (pid_t)syscall(SYS_gettid);
  worker_ready = 1;
  while (!worker_stop) usleep(1000);
  return NULL;
}

static void *short_lived(void *argument) {
  *(pid_t *)argument = (pid_t)syscall(SYS_gettid);
  return NULL;
}

static void *exiter(void *argument) {
  (void)argument;
  usleep(20000);
  exit(5);
}

static const char *self_path;
static pid_t exec_pid;
static void *execer(void *argument) {
  (void)argument;
  char variable[48];
  snprintf(variable, sizeof variable, "THREAD_SIGNALS_PID=%d", (int)exec_pid);
  char *argv[] = { "thread-signals", NULL };
  char *envp[] = { variable, NULL };
  execve(self_path, argv, envp);
  _exit(99);
}

static void *sleeper(void *argument) {
  (void)argument;
  for (;;) pause();
  return NULL;
}

/* The multicall image calls main without arguments: the exec'd program finds the pid to compare
 * in its environment. */
int main(void) {
  const char *before = getenv("THREAD_SIGNALS_PID");
  if (before != NULL) {
    EXPECT("after execve from a thread, the pid is kept", getpid() == atoi(before));
    EXPECT("and is the tid", getpid() == (pid_t)syscall(SYS_gettid));
    return 0;
  }
  struct sigaction action = { 0 };
  action.sa_handler = handler;
  sigaction(SIGUSR1, &action, NULL);
  sigaction(SIGUSR2, &action, NULL);
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, &old);

  pthread_t thread;
  pthread_create(&thread, NULL, worker, NULL);
  while (!worker_ready) usleep(1000);
  CHECK("kill the process with SIGUSR1", kill(getpid(), SIGUSR1));
  for (int i = 0; i < 1000 && handled_by[SIGUSR1] == 0; i++) usleep(1000);
  EXPECT("the thread that does not block it ran the handler", handled_by[SIGUSR1] == worker_tid);
  CHECK("pthread_kill SIGUSR2", pthread_kill(thread, SIGUSR2));
  for (int i = 0; i < 1000 && handled_by[SIGUSR2] == 0; i++) usleep(1000);
  EXPECT("the named thread ran the handler", handled_by[SIGUSR2] == worker_tid);
  sigset_t now;
  pthread_sigmask(SIG_BLOCK, NULL, &now);
  EXPECT("the first thread's mask still blocks SIGUSR1", sigismember(&now, SIGUSR1));
  CHECK("tgkill with another group", syscall(SYS_tgkill, getpid() + 100000, worker_tid, 0));
  CHECK("tgkill with signal 0", syscall(SYS_tgkill, getpid(), worker_tid, 0));
  worker_stop = 1;
  pthread_join(thread, NULL);

  pid_t ended = 0;
  pthread_create(&thread, NULL, short_lived, &ended);
  pthread_join(thread, NULL);
  /* pthread_join returns once the tid word is cleared, which on Linux comes a little before the
   * thread is gone: ask until it is (at most a second). */
  long gone = 0;
  for (int i = 0; i < 1000; i++) {
    errno = 0;
    gone = syscall(SYS_tgkill, getpid(), ended, 0);
    if (gone == -1) break;
    usleep(1000);
  }
  report("tgkill an ended thread", gone, errno);
  pthread_sigmask(SIG_SETMASK, &old, NULL);

  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    pthread_create(&thread, NULL, exiter, NULL);
    pthread_exit(NULL);   /* the process goes on with the other thread, which calls exit(5) */
  }
  wait_report("pthread_exit from the first thread, exit from the other", child);

#ifdef __GLIBC__
  self_path = "/conformance/glibc/thread-signals";
#else
  self_path = "/conformance/musl/thread-signals";
#endif
  fflush(stdout);
  child = fork();
  if (child == 0) {
    exec_pid = getpid();
    pthread_create(&thread, NULL, sleeper, NULL);
    pthread_create(&thread, NULL, execer, NULL);
    for (;;) pause();
  }
  wait_report("execve from a second thread", child);
  return 0;
}
