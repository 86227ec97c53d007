/* poll: a pipe's readiness: nothing (timeout 0 and 50 ms), POLLIN with data, POLLHUP once the
 * writer is gone, POLLERR on the write end once the reader is gone, POLLNVAL for a closed
 * number, a negative descriptor skipped; EINVAL for too many, EFAULT; ppoll. */
#include "report.h"
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <sys/syscall.h>

int main(void) {
  int ends[2];
  CHECK("pipe", pipe(ends));
  struct pollfd p[3] = { { ends[0], POLLIN, 0 }, { ends[1], POLLOUT, 0 }, { -1, POLLIN, 0 } };
  CHECK("poll, timeout 0", poll(p, 1, 0));
  printf("revents: %#x\n", p[0].revents);
  CHECK("poll, 50 ms", poll(p, 1, 50));
  CHECK("poll both", poll(p, 3, 0));
  printf("revents: %#x %#x %#x\n", p[0].revents, p[1].revents, p[2].revents);
  write(ends[1], "x", 1);
  CHECK("poll with data", poll(p, 1, 1000));
  printf("revents: %#x\n", p[0].revents);
  close(ends[1]);
  CHECK("poll, writer gone", poll(p, 1, 1000));
  printf("revents: %#x\n", p[0].revents);
  CHECK("pipe", pipe(ends));
  close(ends[0]);
  struct pollfd w = { ends[1], POLLOUT, 0 };
  CHECK("poll, reader gone", poll(&w, 1, 0));
  printf("revents: %#x\n", w.revents);
  struct pollfd closed = { 40, POLLIN, 0 };
  CHECK("poll a closed number", poll(&closed, 1, 0));
  printf("revents: %#x\n", closed.revents);
  CHECK("poll 100000 descriptors", syscall(SYS_poll, p, 100000, 0));
  CHECK("poll a bad pointer", poll((struct pollfd *)bad_pointer, 1, 0));
  CHECK("poll nothing, 10 ms", poll(NULL, 0, 10));
  struct timespec timeout = { 0, 1000000 };
  sigset_t mask;
  sigemptyset(&mask);
  CHECK("ppoll 1 ms", ppoll(p, 1, &timeout, &mask));
  struct timespec bad = { 0, 2000000000 };
  CHECK("ppoll bad timeout", ppoll(p, 1, &bad, NULL));
  return 0;
}
