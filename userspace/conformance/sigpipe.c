/* sigpipe: writing a pipe with no reader: SIGPIPE ends the writer by default; ignored, the
 * write is EPIPE; caught, the handler runs and the write is EPIPE. */
#include "report.h"
#include <signal.h>

static volatile int caught;
static void handler(int signal) { caught = signal; }

int main(void) {
  int ends[2];
  CHECK("pipe", pipe(ends));
  CHECK("close the read end", close(ends[0]));
  pid_t child = fork();
  if (child == 0) {
    write(ends[1], "x", 1);
    _exit(0);
  }
  wait_report("writer with SIGPIPE's default", child);
  signal(SIGPIPE, SIG_IGN);
  CHECK("write, SIGPIPE ignored", write(ends[1], "x", 1));
  struct sigaction action = { 0 };
  action.sa_handler = handler;
  CHECK("sigaction SIGPIPE", sigaction(SIGPIPE, &action, NULL));
  CHECK("write, SIGPIPE caught", write(ends[1], "x", 1));
  printf("handler saw signal %d\n", caught);
  signal(SIGPIPE, SIG_DFL);
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGPIPE);
  CHECK("block SIGPIPE", sigprocmask(SIG_BLOCK, &block, NULL));
  CHECK("write, SIGPIPE blocked", write(ends[1], "x", 1));
  sigset_t pending;
  sigpending(&pending);
  EXPECT("SIGPIPE pending", sigismember(&pending, SIGPIPE));
  return 0;
}
