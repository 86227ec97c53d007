/* syscall-bench: what one Linux system call costs, from a static program run unmodified as
 * /init on Debian's kernel and as init on Capsid (bench/linux.ts). getpid is the smallest call;
 * sched_yield with nothing else to run asks the scheduler and comes back. Each figure is the
 * median of ROUNDS rounds of CALLS calls, in ns per call, from CLOCK_MONOTONIC. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 15
#define CALLS 20000

static uint64_t now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int compare(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static uint64_t measure(long number) {
  uint64_t rounds[ROUNDS];
  for (int r = 0; r < ROUNDS; r++) {
    uint64_t start = now();
    for (int i = 0; i < CALLS; i++) syscall(number);
    rounds[r] = (now() - start) / CALLS;
  }
  qsort(rounds, ROUNDS, sizeof rounds[0], compare);
  return rounds[ROUNDS / 2];
}

int main(void) {
  measure(SYS_getpid);   /* warm-up */
  uint64_t getpid_ns = measure(SYS_getpid), yield_ns = measure(SYS_sched_yield);
  printf("syscall-bench: getpid %lu ns; sched_yield %lu ns\n", (unsigned long)getpid_ns, (unsigned long)yield_ns);
  return 0;
}
