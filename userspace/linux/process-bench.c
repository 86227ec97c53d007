/* process-bench: what processes, pipes and page faults cost a static Linux program, run
 * unmodified as /init on Debian's kernel and as init on Capsid (bench/linux.ts): fork+exit+wait,
 * fork+exec+wait of busybox `true`, a one-byte ping-pong between two processes over two pipes,
 * 16 MiB through a pipe, a first touch of an anonymous page, a futex ping-pong between two
 * threads of one process, and epoll_wait over EPOLL_IDLE (1,000) idle sockets (UDP, never bound)
 * with one ready (an AF_UNIX socketpair's end holding a byte). Each figure is the median of
 * ROUNDS rounds, from CLOCK_MONOTONIC. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 7

static uint64_t now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int compare(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *rounds) {
  qsort(rounds, ROUNDS, sizeof rounds[0], compare);
  return rounds[ROUNDS / 2];
}

static void fail(const char *what) {
  printf("process-bench: FAIL %s\n", what);
  exit(1);
}

/* ns per fork + _exit + waitpid. */
static uint64_t fork_exit_wait(int count) {
  uint64_t rounds[ROUNDS];
  for (int r = 0; r < ROUNDS; r++) {
    uint64_t start = now();
    for (int i = 0; i < count; i++) {
      pid_t child = fork();
      if (child < 0) fail("fork");
      if (child == 0) _exit(0);
      int status;
      if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) fail("waitpid after fork");
    }
    rounds[r] = (now() - start) / count;
  }
  return median(rounds);
}

/* ns per fork + execve of busybox true + waitpid. */
static uint64_t fork_exec_wait(int count) {
  uint64_t rounds[ROUNDS];
  char *argv[] = { "true", 0 }, *envp[] = { 0 };
  for (int r = 0; r < ROUNDS; r++) {
    uint64_t start = now();
    for (int i = 0; i < count; i++) {
      pid_t child = fork();
      if (child < 0) fail("fork");
      if (child == 0) {
        execve("/bin/busybox", argv, envp);
        _exit(127);
      }
      int status;
      if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) fail("busybox true");
    }
    rounds[r] = (now() - start) / count;
  }
  return median(rounds);
}

/* ns per round trip of one byte: parent -> child -> parent. */
static uint64_t ping_pong(int count) {
  int there[2], back[2];
  if (pipe(there) != 0 || pipe(back) != 0) fail("pipe");
  pid_t child = fork();
  if (child == 0) {
    char byte;
    close(there[1]);
    close(back[0]);
    while (read(there[0], &byte, 1) == 1) if (write(back[1], &byte, 1) != 1) _exit(1);
    _exit(0);
  }
  uint64_t rounds[ROUNDS];
  char byte = 'x';
  for (int r = 0; r < ROUNDS; r++) {
    uint64_t start = now();
    for (int i = 0; i < count; i++) {
      if (write(there[1], &byte, 1) != 1 || read(back[0], &byte, 1) != 1) fail("ping-pong");
    }
    rounds[r] = (now() - start) / count;
  }
  close(there[1]);
  close(back[1]);
  int status;
  waitpid(child, &status, 0);
  close(there[0]); close(back[0]);
  return median(rounds);
}

/* MB/s of 16 MiB written in 64 KiB pieces and read by a child. */
static uint64_t pipe_throughput(void) {
  static char buffer[65536];
  const long total = 16L << 20;
  uint64_t rounds[ROUNDS];
  for (int r = 0; r < ROUNDS; r++) {
    int ends[2];
    if (pipe(ends) != 0) fail("pipe");
    uint64_t start = now();
    pid_t child = fork();
    if (child == 0) {
      close(ends[1]);
      long got = 0, n;
      while ((n = read(ends[0], buffer, sizeof buffer)) > 0) got += n;
      _exit(got == total ? 0 : 1);
    }
    close(ends[0]);
    for (long sent = 0; sent < total; sent += sizeof buffer) if (write(ends[1], buffer, sizeof buffer) != sizeof buffer) fail("pipe write");
    close(ends[1]);
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) fail("pipe reader");
    uint64_t elapsed = now() - start;
    rounds[r] = (uint64_t)total * 1000 / elapsed;   /* bytes per us = MB/s */
  }
  return median(rounds);
}

/* ns per first touch of an anonymous page (the fault, the zeroed frame, the mapping). */
static uint64_t page_fault(int pages) {
  uint64_t rounds[ROUNDS];
  for (int r = 0; r < ROUNDS; r++) {
    char *area = mmap(0, (size_t)pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) fail("mmap");
    uint64_t start = now();
    for (int i = 0; i < pages; i++) area[(size_t)i * 4096] = 1;
    rounds[r] = (now() - start) / pages;
    munmap(area, (size_t)pages * 4096);
  }
  return median(rounds);
}

/* A futex ping-pong: the word says whose turn it is (1 the partner's, 0 the first thread's); each
 * side waits on it with FUTEX_WAIT until it is its turn, hands the turn over and wakes the other. */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129
static uint32_t turn;
static int futex_rounds;

static void futex_wait_while(uint32_t value) {
  while (__atomic_load_n(&turn, __ATOMIC_SEQ_CST) == value) syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, value, NULL, NULL, 0);
}

static void futex_hand(uint32_t value) {
  __atomic_store_n(&turn, value, __ATOMIC_SEQ_CST);
  syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *futex_partner(void *argument) {
  (void)argument;
  for (int i = 0; i < futex_rounds; i++) {
    futex_wait_while(0);
    futex_hand(0);
  }
  return NULL;
}

/* ns per round trip: the first thread hands the turn to the partner and waits for it back. */
static uint64_t futex_ping_pong(int count) {
  uint64_t rounds[ROUNDS];
  for (int r = 0; r < ROUNDS; r++) {
    pthread_t partner;
    turn = 0;
    futex_rounds = count;
    if (pthread_create(&partner, NULL, futex_partner, NULL) != 0) fail("pthread_create");
    uint64_t start = now();
    for (int i = 0; i < count; i++) {
      futex_hand(1);
      futex_wait_while(1);
    }
    rounds[r] = (now() - start) / count;
    if (pthread_join(partner, NULL) != 0) fail("pthread_join");
  }
  return median(rounds);
}

/* ns per epoll_wait that finds the one ready socket among EPOLL_IDLE idle ones (level-triggered). */
#define EPOLL_IDLE 1000
static uint64_t epoll_wait_one_ready(int count) {
  int set = epoll_create1(0), pair[2];
  static int idle[EPOLL_IDLE];
  if (set < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0 || write(pair[1], "x", 1) != 1) fail("epoll_create1 or the ready socket");
  for (int i = 0; i < EPOLL_IDLE; i++) {
    idle[i] = socket(AF_INET, SOCK_DGRAM, 0);
    struct epoll_event event = { .events = EPOLLIN, .data.u64 = (uint64_t)i };
    if (idle[i] < 0 || epoll_ctl(set, EPOLL_CTL_ADD, idle[i], &event) != 0) fail("an idle socket");
  }
  struct epoll_event event = { .events = EPOLLIN, .data.u64 = 99999 };
  if (epoll_ctl(set, EPOLL_CTL_ADD, pair[0], &event) != 0) fail("the ready socket");
  uint64_t rounds[ROUNDS];
  for (int r = 0; r < ROUNDS; r++) {
    uint64_t start = now();
    for (int i = 0; i < count; i++) {
      struct epoll_event out[4];
      if (epoll_wait(set, out, 4, 0) != 1 || out[0].data.u64 != 99999) fail("epoll_wait");
    }
    rounds[r] = (now() - start) / count;
  }
  for (int i = 0; i < EPOLL_IDLE; i++) close(idle[i]);
  close(pair[0]);
  close(pair[1]);
  close(set);
  return median(rounds);
}

static void figure(const char *name, uint64_t value, const char *unit) {
  printf("process-bench: %s %lu %s\n", name, (unsigned long)value, unit);
  fflush(stdout);
}

int main(void) {
  fork_exit_wait(20);   /* warm-up */
  figure("fork-exit-wait", fork_exit_wait(200), "ns");
  figure("fork-exec-wait", fork_exec_wait(50), "ns");
  figure("pipe-pingpong", ping_pong(2000), "ns");
  figure("pipe-16mib", pipe_throughput(), "MB/s");
  figure("page-fault", page_fault(2048), "ns");
  figure("futex-pingpong", futex_ping_pong(2000), "ns");
  figure("epoll-wait", epoll_wait_one_ready(2000), "ns");
  printf("process-bench: done\n");
  fflush(stdout);
  return 0;
}
