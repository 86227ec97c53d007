/* legacy-calls: the x86-64 system calls a C library may not use any more (it calls the *at
 * form instead), made directly: open, creat, stat, lstat, access, readlink, mkdir, rmdir,
 * rename, link, symlink, unlink, chmod, chown, lchown, utimes, pipe, dup2, poll, select, fork,
 * getpgrp, time; and the error cases of a few *at forms and of execveat, clone and
 * rt_sigsuspend. Each has a success and an error line. */
#include "report.h"
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>

int main(void) {
  scratch("legacy-calls");
  struct stat s;
  CHECK("open O_CREAT", syscall(SYS_open, "file", O_CREAT | O_RDWR, 0644));
  CHECK("open missing", syscall(SYS_open, "missing", O_RDONLY));
  CHECK("creat", syscall(SYS_creat, "made", 0600));
  CHECK("creat in a missing folder", syscall(SYS_creat, "missing/made", 0600));
  CHECK("stat", syscall(SYS_stat, "file", &s));
  CHECK("stat missing", syscall(SYS_stat, "missing", &s));
  CHECK("symlink", syscall(SYS_symlink, "file", "link"));
  CHECK("symlink onto an existing name", syscall(SYS_symlink, "file", "link"));
  CHECK("lstat", syscall(SYS_lstat, "link", &s));
  EXPECT("a link", S_ISLNK(s.st_mode));
  CHECK("lstat missing", syscall(SYS_lstat, "missing", &s));
  CHECK("access", syscall(SYS_access, "file", R_OK));
  CHECK("access missing", syscall(SYS_access, "missing", R_OK));
  char buffer[64];
  CHECK("readlink", syscall(SYS_readlink, "link", buffer, sizeof buffer));
  CHECK("readlink a file", syscall(SYS_readlink, "file", buffer, sizeof buffer));
  CHECK("mkdir", syscall(SYS_mkdir, "folder", 0755));
  CHECK("mkdir again", syscall(SYS_mkdir, "folder", 0755));
  CHECK("rename", syscall(SYS_rename, "made", "renamed"));
  CHECK("rename missing", syscall(SYS_rename, "made", "x"));
  CHECK("link", syscall(SYS_link, "renamed", "linked"));
  CHECK("link onto an existing name", syscall(SYS_link, "renamed", "linked"));
  CHECK("unlink", syscall(SYS_unlink, "linked"));
  CHECK("unlink missing", syscall(SYS_unlink, "linked"));
  CHECK("rmdir", syscall(SYS_rmdir, "folder"));
  CHECK("rmdir missing", syscall(SYS_rmdir, "folder"));
  CHECK("chmod", syscall(SYS_chmod, "file", 0600));
  CHECK("chmod missing", syscall(SYS_chmod, "missing", 0600));
  CHECK("chown", syscall(SYS_chown, "file", 1, 1));
  CHECK("chown missing", syscall(SYS_chown, "missing", 1, 1));
  CHECK("lchown", syscall(SYS_lchown, "link", 2, 2));
  CHECK("lchown missing", syscall(SYS_lchown, "missing", 2, 2));
  struct timeval times[2] = { { 100, 0 }, { 200, 0 } };
  CHECK("utimes", syscall(SYS_utimes, "file", times));
  CHECK("utimes missing", syscall(SYS_utimes, "missing", times));
  CHECK("futimesat a closed descriptor", syscall(SYS_futimesat, 40, "file", times));
  CHECK("symlinkat a closed descriptor", syscall(SYS_symlinkat, "file", 40, "x"));
  CHECK("faccessat a closed descriptor", syscall(SYS_faccessat, 40, "file", R_OK));
  int ends[2];
  CHECK("pipe", syscall(SYS_pipe, ends));
  CHECK("dup2", syscall(SYS_dup2, ends[0], 20));
  CHECK("dup2 a closed descriptor", syscall(SYS_dup2, 40, 21));
  struct pollfd p = { ends[1], POLLOUT, 0 };
  CHECK("poll", syscall(SYS_poll, &p, 1, 0));
  CHECK("poll a bad pointer", syscall(SYS_poll, bad_pointer, 1, 0));
  struct timeval zero = { 0, 0 };
  CHECK("select nothing", syscall(SYS_select, 0, NULL, NULL, NULL, &zero));
  CHECK("select nfds -1", syscall(SYS_select, -1, NULL, NULL, NULL, &zero));
  EXPECT("getpgrp == getpgid(0)", syscall(SYS_getpgrp) == getpgid(0));
  EXPECT("time > 0", syscall(SYS_time, NULL) > 0);
  long child = syscall(SYS_fork);
  if (child == 0) _exit(9);
  wait_report("fork", (pid_t)child);
  CHECK("clone CLONE_SIGHAND without CLONE_VM", syscall(SYS_clone, CLONE_SIGHAND | SIGCHLD, 0, 0, 0, 0));
  CHECK("execveat unknown flags", syscall(SYS_execveat, AT_FDCWD, "/bin/true", NULL, NULL, 0x1));
  CHECK("execveat a missing file", syscall(SYS_execveat, AT_FDCWD, "/bin/missing", NULL, NULL, 0));
  child = fork();
  if (child == 0) {
    char *argv[] = { "echo", "execveat ran echo", NULL };
    syscall(SYS_execveat, AT_FDCWD, "/bin/echo", argv, NULL, 0);
    _exit(127);
  }
  wait_report("execveat", (pid_t)child);
  unsigned long mask = 0;
  CHECK("rt_sigsuspend sigsetsize 4", syscall(SYS_rt_sigsuspend, &mask, 4));
  return 0;
}
