/* alarm: alarm returns the seconds left of the previous one; alarm(0) cancels; SIGALRM's
 * default ends the process (in a child); a handler runs after about a second. */
#include "report.h"
#include <signal.h>
#include <time.h>

static volatile int caught;
static void handler(int signal) { caught = signal; }

int main(void) {
  CHECK("alarm(10), none before", alarm(10));
  CHECK("alarm(3), 10 before", alarm(3));
  CHECK("alarm(0), 3 before", alarm(0));
  CHECK("alarm(0), none before", alarm(0));
  pid_t child = fork();
  if (child == 0) {
    alarm(1);
    pause();
    _exit(0);
  }
  wait_report("child with SIGALRM's default", child);
  signal(SIGALRM, handler);
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  alarm(1);
  CHECK("pause", pause());
  clock_gettime(CLOCK_MONOTONIC, &end);
  long ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
  printf("caught %d, after 0.9..3 s: %s\n", caught, ms >= 900 && ms < 3000 ? "yes" : "no");
  child = fork();
  if (child == 0) _exit(alarm(0) == 0 ? 0 : 1);
  wait_report("a child has no alarm of its parent's", child);
  return 0;
}
