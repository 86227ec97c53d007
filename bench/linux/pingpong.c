/* The Linux baseline of `make bench` (issue 5's goals are fractions of these): the /init of an
 * initramfs booted in Debian's own kernel under the same QEMU as Capsid (TCG, one vCPU, run by
 * bench/linux-baseline.ts in the same `make bench`). It measures a pipe ping-pong round trip
 * between two processes and a futex ping-pong round trip between two threads (one line), then
 * the virtual-memory figures of issue 14 (a second line): a demand-zero fault, a fork of this
 * process and of it with 4 MiB more mapped and touched, and a copy-on-write break, each on 4 KiB
 * pages (MADV_NOHUGEPAGE); and powers the machine off. Each figure: batches of ROUNDS round trips timed with
 * CLOCK_MONOTONIC, the median of BATCHES batch means. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 500
#define BATCHES 9

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int compare(const void* a, const void* b) {
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t* values) {
  qsort(values, BATCHES, sizeof values[0], compare);
  return values[BATCHES / 2];
}

static void fail(const char* what) {
  printf("linux-baseline: FAIL %s\n", what);
  fflush(stdout);
  reboot(RB_POWER_OFF);
  exit(1);
}

/* --- pipes: the parent writes a byte, the child answers with one ------------------------------- */

static uint64_t pipe_round_trip(void) {
  int there[2], back[2];
  if (pipe(there) || pipe(back)) fail("pipe");
  pid_t child = fork();
  if (child < 0) fail("fork");
  char byte = 0;
  if (child == 0) {
    for (int i = 0; i < BATCHES * ROUNDS; i++) {
      if (read(there[0], &byte, 1) != 1 || write(back[1], &byte, 1) != 1) _exit(1);
    }
    _exit(0);
  }
  uint64_t batches[BATCHES];
  for (int b = 0; b < BATCHES; b++) {
    uint64_t start = now_ns();
    for (int i = 0; i < ROUNDS; i++) {
      if (write(there[1], &byte, 1) != 1 || read(back[0], &byte, 1) != 1) fail("pipe ping-pong");
    }
    batches[b] = (now_ns() - start) / ROUNDS;
  }
  int status = 0;
  waitpid(child, &status, 0);
  return median(batches);
}

/* --- futexes: two words, each side wakes the other and waits on its own ------------------------- */

static atomic_int ping, pong;

static void futex_wait(atomic_int* word, int expected) {
  syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake(atomic_int* word) {
  syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void* ponger(void* unused) {
  (void)unused;
  for (int i = 0; i < BATCHES * ROUNDS; i++) {
    while (atomic_load(&ping) == 0) futex_wait(&ping, 0);
    atomic_store(&ping, 0);
    atomic_store(&pong, 1);
    futex_wake(&pong);
  }
  return NULL;
}

static uint64_t futex_round_trip(void) {
  pthread_t thread;
  if (pthread_create(&thread, NULL, ponger, NULL)) fail("pthread_create");
  uint64_t batches[BATCHES];
  for (int b = 0; b < BATCHES; b++) {
    uint64_t start = now_ns();
    for (int i = 0; i < ROUNDS; i++) {
      atomic_store(&ping, 1);
      futex_wake(&ping);
      while (atomic_load(&pong) == 0) futex_wait(&pong, 0);
      atomic_store(&pong, 0);
    }
    batches[b] = (now_ns() - start) / ROUNDS;
  }
  pthread_join(thread, NULL);
  return median(batches);
}

#define VM_PAGES 1024
#define PAGE 4096

/* A fresh anonymous 4 MiB mapping on 4 KiB pages. */
static char* vm_map(void) {
  char* area = mmap(NULL, VM_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (area == MAP_FAILED) fail("mmap");
  madvise(area, VM_PAGES * PAGE, MADV_NOHUGEPAGE);
  return area;
}

/* ns a page to write every page of a fresh mapping (each write a demand-zero fault). */
static uint64_t demand_zero(void) {
  uint64_t batches[BATCHES];
  for (int b = 0; b < BATCHES; b++) {
    char* area = vm_map();
    uint64_t start = now_ns();
    for (int i = 0; i < VM_PAGES; i++) area[i * PAGE] = (char)i;
    batches[b] = (now_ns() - start) / VM_PAGES;
    munmap(area, VM_PAGES * PAGE);
  }
  return median(batches);
}

/* ns for fork() to return in the parent (the child exits at once). */
static uint64_t fork_ns(void) {
  uint64_t batches[BATCHES];
  for (int b = 0; b < BATCHES; b++) {
    uint64_t start = now_ns();
    pid_t child = fork();
    if (child == 0) _exit(0);
    batches[b] = now_ns() - start;
    if (child < 0) fail("fork");
    waitpid(child, NULL, 0);
  }
  return median(batches);
}

/* ns a page for a child to write every page of a touched 4 MiB mapping it shares with its parent
 * (each write a copy-on-write break); the child sends its figure through a pipe. */
static uint64_t cow_break(char* area) {
  uint64_t batches[BATCHES];
  for (int b = 0; b < BATCHES; b++) {
    int fds[2];
    if (pipe(fds) != 0) fail("pipe");
    pid_t child = fork();
    if (child == 0) {
      uint64_t start = now_ns();
      for (int i = 0; i < VM_PAGES; i++) area[i * PAGE] = (char)(i + 1);
      uint64_t each = (now_ns() - start) / VM_PAGES;
      if (write(fds[1], &each, sizeof each) != sizeof each) _exit(1);
      _exit(0);
    }
    if (child < 0 || read(fds[0], &batches[b], sizeof batches[b]) != sizeof batches[b]) fail("copy-on-write child");
    waitpid(child, NULL, 0);
    close(fds[0]);
    close(fds[1]);
  }
  return median(batches);
}

int main(void) {
  uint64_t pipe_ns = pipe_round_trip();
  uint64_t futex_ns = futex_round_trip();
  printf("linux-baseline: pipe round trip %llu ns; futex round trip %llu ns\n", (unsigned long long)pipe_ns,
         (unsigned long long)futex_ns);
  fflush(stdout);
  uint64_t zero_ns = demand_zero(), fork_small = fork_ns();
  char* area = vm_map();
  for (int i = 0; i < VM_PAGES; i++) area[i * PAGE] = (char)i;
  uint64_t fork_large = fork_ns(), cow_ns = cow_break(area);
  printf("linux-baseline: demand-zero fault %llu ns; fork %llu ns; fork with 4 MiB more %llu ns; copy-on-write break %llu ns\n",
         (unsigned long long)zero_ns, (unsigned long long)fork_small, (unsigned long long)fork_large, (unsigned long long)cow_ns);
  fflush(stdout);
  reboot(RB_POWER_OFF);
  return 0;
}
