/* cloexec: across execve a close-on-exec descriptor is closed, another stays open (busybox's sh
 * reports what it sees); O_CLOEXEC, FD_CLOEXEC and pipe2's flag alike. */
#include "report.h"
#include <fcntl.h>

static void run(const char *label, const char *script) {
  pid_t child = fork();
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", script, (char *)NULL);
    _exit(127);
  }
  wait_report(label, child);
}

int main(void) {
  int kept = CHECK("open /dev/null", open("/dev/null", O_WRONLY));
  CHECK("dup2 onto 5", dup2(kept, 5));
  CHECK("open O_CLOEXEC", open("/dev/null", O_WRONLY | O_CLOEXEC));
  CHECK("dup2 onto 6", dup2(kept, 6));
  CHECK("F_SETFD FD_CLOEXEC on 6", fcntl(6, F_SETFD, FD_CLOEXEC));
  CHECK("F_GETFD 4", fcntl(4, F_GETFD));
  run("sh writes to 5", "echo kept >&5");
  run("sh writes to 4 (O_CLOEXEC)", "echo closed >&4 2>/dev/null");
  run("sh writes to 6 (FD_CLOEXEC)", "echo closed >&6 2>/dev/null");
  int ends[2];
  CHECK("pipe2 O_CLOEXEC", pipe2(ends, O_CLOEXEC));
  CHECK("F_GETFD read end", fcntl(ends[0], F_GETFD));
  CHECK("F_GETFD write end", fcntl(ends[1], F_GETFD));
  return 0;
}
