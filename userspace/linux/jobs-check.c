/* jobs-check: job control on the console, unmodified (glibc and musl, static); its output is
 * compared with the same binary's as /init on Debian's kernel (tests/qemu/linux-signals.test.ts).
 * A session process takes the console as its controlling tty (setsid, TIOCSCTTY) and runs jobs
 * in process groups of their own: a background job that reads the console gets SIGTTIN, one that
 * changes its settings (or writes, with TOSTOP) SIGTTOU; ignored or blocked, the read says EIO and
 * the change is allowed; a handler without SA_RESTART makes the read EINTR; reads and writes
 * through /dev/console are outside job control, as on Linux. The session process
 * is not init, since init's children are in orphaned groups (no stop, EIO), on Linux as on Capsid.
 * ppoll and pselect with a mask are in signal-check. Only relations are printed, never pids. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char *name(int error) {
  switch (error) {
    case EINTR: return "EINTR"; case EIO: return "EIO"; case EPERM: return "EPERM"; case ENOTTY: return "ENOTTY";
    case EINVAL: return "EINVAL"; case ESRCH: return "ESRCH"; case ENXIO: return "ENXIO"; case ENOENT: return "ENOENT"; case EACCES: return "EACCES";
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
  else if (WIFSIGNALED(status)) printf("%s: killed by signal %d\n", what, WTERMSIG(status));
  else if (WIFSTOPPED(status)) printf("%s: stopped by signal %d\n", what, WSTOPSIG(status));
  else printf("%s: status 0x%x\n", what, status);
}

static volatile sig_atomic_t caught;
static void on_signal(int signal) { caught = signal; }

enum job { READ, READ_IGNORED, READ_BLOCKED, READ_HANDLER, SET, SET_IGNORED, SET_BLOCKED, WRITE, WRITE_TOSTOP, WRITE_CONSOLE, FOREGROUND_SET };

/* A job in a process group of its own: what it does, then exit 0. */
static void job(enum job what) {
  char byte;
  struct termios settings;
  struct sigaction action;
  sigset_t set;
  memset(&action, 0, sizeof action);
  sigemptyset(&action.sa_mask);
  sigemptyset(&set);
  tcgetattr(0, &settings);
  switch (what) {
    case READ: result("background read", read(0, &byte, 1)); break;
    case READ_IGNORED:
      signal(SIGTTIN, SIG_IGN);
      result("background read, SIGTTIN ignored", read(0, &byte, 1));
      break;
    case READ_BLOCKED:
      sigaddset(&set, SIGTTIN);
      sigprocmask(SIG_BLOCK, &set, 0);
      result("background read, SIGTTIN blocked", read(0, &byte, 1));
      break;
    case READ_HANDLER:
      action.sa_handler = on_signal;
      sigaction(SIGTTIN, &action, 0);
      result("background read, SIGTTIN caught", read(0, &byte, 1));
      printf("the handler saw signal %d\n", (int)caught);
      break;
    case SET: result("background tcsetattr", tcsetattr(0, TCSANOW, &settings)); break;
    case SET_IGNORED:
      signal(SIGTTOU, SIG_IGN);
      result("background tcsetattr, SIGTTOU ignored", tcsetattr(0, TCSANOW, &settings));
      break;
    case SET_BLOCKED:
      sigaddset(&set, SIGTTOU);
      sigprocmask(SIG_BLOCK, &set, 0);
      result("background tcsetpgrp, SIGTTOU blocked", tcsetpgrp(0, getpgrp()));
      printf("the console's foreground group is the job's: %d\n", tcgetpgrp(0) == getpgrp());
      break;
    case WRITE: result("background write without TOSTOP", write(1, "a line from the background\n", 27)); break;
    case WRITE_TOSTOP: result("background write with TOSTOP", write(1, "written once continued\n", 23)); break;
    case WRITE_CONSOLE: {   /* /dev/console's writes are outside job control */
      int console = open("/dev/console", O_WRONLY);
      ssize_t written = write(console, "through /dev/console\n", 21);
      /* The result goes to /dev/console too: a write to stdout (/dev/tty) would stop the job. */
      dprintf(console, "background write to /dev/console with TOSTOP: %zd\n", written);
      close(console);
      break;
    }
    case FOREGROUND_SET: result("foreground tcsetattr", tcsetattr(0, TCSANOW, &settings)); break;
  }
  fflush(stdout);
  _exit(0);
}

/* Runs `what` as a job (its own group; the foreground one when `foreground`); answers its pid. */
static pid_t start(enum job what, int foreground) {
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    setpgid(0, 0);
    if (foreground) {
      while (tcgetpgrp(0) != getpgrp()) usleep(1000);
    }
    job(what);
  }
  setpgid(child, child);
  if (foreground) tcsetpgrp(0, child);
  return child;
}

static void finish(const char *what, pid_t child) {
  int status = 0;
  waitpid(child, &status, WUNTRACED);
  status_line(what, status);
  if (WIFSTOPPED(status)) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    status_line(what, status);
  }
}

/* The session: it holds the console as its controlling tty and runs the jobs. */
static int session(void) {
  result("setsid", setsid() < 0 ? -1 : 0);
  result("TIOCSCTTY", ioctl(0, TIOCSCTTY, 0));
  // Its descriptors become /dev/tty's: reads and writes through /dev/console (init's) are outside
  // job control.
  int tty = open("/dev/tty", O_RDWR);
  result("open /dev/tty", tty < 0 ? -1 : 0);
  for (int fd = 0; fd < 3; fd++) dup2(tty, fd);
  close(tty);
  printf("the session's group is the foreground: %d\n", tcgetpgrp(0) == getpgrp());
  finish("a background reader", start(READ, 0));
  finish("a background reader ignoring SIGTTIN", start(READ_IGNORED, 0));
  finish("a background reader blocking SIGTTIN", start(READ_BLOCKED, 0));
  finish("a background reader catching SIGTTIN", start(READ_HANDLER, 0));
  finish("a background tcsetattr", start(SET, 0));
  finish("a background tcsetattr ignoring SIGTTOU", start(SET_IGNORED, 0));
  finish("a background writer", start(WRITE, 0));
  // A job that blocks SIGTTOU may make itself the foreground; the session takes it back the same way.
  finish("a background tcsetpgrp blocking SIGTTOU", start(SET_BLOCKED, 0));
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTTOU);
  sigprocmask(SIG_BLOCK, &set, 0);
  result("the session takes the foreground back, SIGTTOU blocked", tcsetpgrp(0, getpgrp()));
  sigprocmask(SIG_UNBLOCK, &set, 0);
  printf("the session's group is the foreground again: %d\n", tcgetpgrp(0) == getpgrp());
  // With TOSTOP a background write stops its job until it is continued.
  struct termios settings, stopping;
  tcgetattr(0, &settings);
  stopping = settings;
  stopping.c_lflag |= TOSTOP;
  result("TOSTOP on", tcsetattr(0, TCSANOW, &stopping));
  pid_t writer = start(WRITE_TOSTOP, 0);
  int status = 0;
  waitpid(writer, &status, WUNTRACED);
  status_line("a background writer with TOSTOP", status);
  finish("a background writer to /dev/console with TOSTOP", start(WRITE_CONSOLE, 0));
  result("TOSTOP off", tcsetattr(0, TCSANOW, &settings));
  fflush(stdout);
  kill(writer, SIGCONT);
  waitpid(writer, &status, 0);
  status_line("the writer, continued", status);
  // A foreground job changes the settings; the session, in the background meanwhile, blocks
  // SIGTTOU to take the console back, as shells do.
  pid_t front = start(FOREGROUND_SET, 1);
  waitpid(front, &status, 0);
  status_line("a foreground tcsetattr", status);
  sigprocmask(SIG_BLOCK, &set, 0);
  result("the session takes the foreground back", tcsetpgrp(0, getpgrp()));
  sigprocmask(SIG_UNBLOCK, &set, 0);
  fflush(stdout);
  tcdrain(1);   /* a session leader's exit hangs up its terminal: Linux drops what is still queued */
  return 0;
}

int main(void) {
  setvbuf(stdout, 0, _IONBF, 0);
  printf("jobs-check: started\n");
  pid_t leader = fork();
  if (leader == 0) _exit(session());
  int status = 0;
  waitpid(leader, &status, 0);
  status_line("the session", status);
  printf("jobs-check: done\n");
  fflush(stdout);
  tcdrain(1);   /* on the wire before init exits: Linux panics when init exits, and would cut the tty's output */
  return 0;
}
