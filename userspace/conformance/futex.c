/* futex: the raw calls. WAIT's errors (a changed word, a timeout, a bad timespec, a misaligned or
 * unmapped word, a zero bitset, CLOCK_REALTIME without BITSET), WAKE between threads, REQUEUE and
 * CMP_REQUEUE counts, WAKE_OP's change and wake, and a shared futex in MAP_SHARED memory across
 * fork. */
#include "report.h"
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

/* linux/futex.h's values (musl's headers do not carry it). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_OP_PRIVATE (FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu
#define FUTEX_OP_ADD 1
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP(op, oparg, cmp, cmparg) ((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

static long futex(uint32_t *word, int op, uint32_t value, const struct timespec *timeout, uint32_t *word2, uint32_t value3) {
  return syscall(SYS_futex, word, op, value, timeout, word2, value3);
}

static uint32_t word_a, word_b;
static int queued;
static long results[4];

static void *waiter(void *argument) {
  long index = (long)argument;
  __atomic_add_fetch(&queued, 1, __ATOMIC_SEQ_CST);
  results[index] = futex(&word_a, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
  return NULL;
}

/* Waits until `count` threads said they are about to wait, then a little more (they block). */
static void settle(int count) {
  while (__atomic_load_n(&queued, __ATOMIC_SEQ_CST) < count) usleep(1000);
  usleep(50000);
}

int main(void) {
  uint32_t word = 7;
  struct timespec short_wait = { 0, 10 * 1000 * 1000 };
  struct timespec bad = { 0, 1000 * 1000 * 1000 };
  struct timespec past = { 1, 0 };
  CHECK("WAIT on a changed word", futex(&word, FUTEX_WAIT, 8, NULL, NULL, 0));
  CHECK("WAIT with a timeout", futex(&word, FUTEX_WAIT, 7, &short_wait, NULL, 0));
  CHECK("WAIT with a bad timespec", futex(&word, FUTEX_WAIT, 7, &bad, NULL, 0));
  CHECK("WAIT misaligned", futex((uint32_t *)((char *)&word + 1), FUTEX_WAIT, 7, &short_wait, NULL, 0));
  CHECK("WAIT unmapped", futex((uint32_t *)16, FUTEX_WAIT, 7, &short_wait, NULL, 0));
  CHECK("WAIT_BITSET with bitset 0", futex(&word, FUTEX_WAIT_BITSET, 7, NULL, NULL, 0));
  CHECK("WAIT with CLOCK_REALTIME", futex(&word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 7, &short_wait, NULL, 0));
  CHECK("WAIT_BITSET realtime, passed", futex(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 7, &past, NULL, FUTEX_BITSET_MATCH_ANY));
  CHECK("WAIT_BITSET monotonic, passed", futex(&word, FUTEX_WAIT_BITSET, 7, &past, NULL, FUTEX_BITSET_MATCH_ANY));
  CHECK("WAKE with no waiter", futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0));
  CHECK("WAKE_BITSET with bitset 0", futex(&word, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0));
  CHECK("an unknown operation", futex(&word, 99, 0, NULL, NULL, 0));
  CHECK("CMP_REQUEUE on a changed word", futex(&word, FUTEX_CMP_REQUEUE, 1, (void *)1, &word_b, 8));
  CHECK("CMP_REQUEUE negative count", futex(&word, FUTEX_CMP_REQUEUE, 1, (void *)-1L, &word_b, 7));

  pthread_t threads[3];
  pthread_create(&threads[0], NULL, waiter, (void *)0);
  settle(1);
  CHECK("WAKE one waiting thread", futex(&word_a, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
  pthread_join(threads[0], NULL);
  CHECK("the woken WAIT", results[0]);

  queued = 0;
  for (long i = 0; i < 3; i++) pthread_create(&threads[i], NULL, waiter, (void *)(i + 1));
  settle(3);
  CHECK("CMP_REQUEUE wake 1, move 2", futex(&word_a, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)2, &word_b, 0));
  CHECK("WAKE on the old word", futex(&word_a, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0));
  CHECK("WAKE on the new word", futex(&word_b, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0));
  for (int i = 0; i < 3; i++) pthread_join(threads[i], NULL);
  CHECK("the requeued WAITs", results[1] + results[2] + results[3]);

  queued = 0;
  pthread_create(&threads[0], NULL, waiter, (void *)0);
  settle(1);
  word_b = 0;
  /* *word_b += 1; wake 1 on word_a; wake 1 on word_b if the old value was 0 */
  CHECK("WAKE_OP", futex(&word_a, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &word_b, FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0)));
  printf("WAKE_OP's word: %u\n", word_b);
  pthread_join(threads[0], NULL);

  uint32_t *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) return 1;
  shared[1] = 0;
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    __atomic_store_n(&shared[1], 1, __ATOMIC_SEQ_CST);
    long got = futex(&shared[0], FUTEX_WAIT, 0, NULL, NULL, 0);
    _exit(got == 0 ? 0 : 1);
  }
  while (__atomic_load_n(&shared[1], __ATOMIC_SEQ_CST) == 0) usleep(1000);
  usleep(50000);
  CHECK("WAKE a shared futex in another process", futex(&shared[0], FUTEX_WAKE, 1, NULL, NULL, 0));
  wait_report("the other process's WAIT", child);
  return 0;
}
