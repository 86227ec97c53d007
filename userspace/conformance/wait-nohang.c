/* wait-nohang: waitpid WNOHANG before and after a child ends; ECHILD for no children or
 * another's pid; EINVAL for unknown options; waiting for any child of the group (pid 0) and by
 * -pgid; a NULL status. */
#include "report.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>

int main(void) {
  int status = 0;
  CHECK("WNOHANG, no children", waitpid(-1, &status, WNOHANG));
  int ends[2];
  pipe(ends);
  pid_t child = fork();
  if (child == 0) {
    char c;
    close(ends[1]);
    read(ends[0], &c, 1);
    _exit(5);
  }
  close(ends[0]);
  CHECK("WNOHANG, child running", waitpid(child, &status, WNOHANG));
  CHECK("waitpid an unknown pid", waitpid(999999, &status, 0));
  CHECK("waitpid unknown options", waitpid(child, &status, 0x100));
  CHECK("wait4 unknown options", syscall(SYS_wait4, child, &status, 0x10000, NULL));
  close(ends[1]);
  pid_t got;
  while ((got = waitpid(child, &status, WNOHANG)) == 0) usleep(1000);
  EXPECT("WNOHANG returns the child once it ended", got == child);
  report_status("status", status);
  child = fork();
  if (child == 0) _exit(6);
  got = waitpid(0, &status, 0);
  EXPECT("waitpid 0 (the group) returns the child", got == child);
  child = fork();
  if (child == 0) _exit(8);
  got = waitpid(-getpgrp(), NULL, 0);
  EXPECT("waitpid -pgid with a NULL status", got == child);
  child = fork();
  if (child == 0) _exit(9);
  struct rusage usage;
  got = wait4(child, &status, 0, &usage);
  EXPECT("wait4 with rusage", got == child);
  report_status("status", status);
  CHECK("wait4 into a bad status pointer", syscall(SYS_wait4, -1, bad_pointer, 0, NULL));
  return 0;
}
