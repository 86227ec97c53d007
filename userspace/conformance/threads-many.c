/* threads-many: a process with 200 threads alive at once (a thread-per-connection server's
 * count, past the 15 Capsid once allowed), created with the C library's default attributes
 * (glibc's 8 MiB stacks, mapped but never touched past their top), all of them waiting at one
 * barrier until the last exists; each adds to a mutex-guarded sum and has its own tid. Then
 * pthread_join collects them, and a second wave of 200 reuses the ended threads' places. */
#include "report.h"
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>

#define THREADS 200

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t barrier;
static long sum;
static pid_t tids[THREADS];

static void *worker(void *argument) {
  long id = (long)argument;
  tids[id] = (pid_t)syscall(SYS_gettid);
  pthread_barrier_wait(&barrier);   /* every thread of the wave is alive here */
  pthread_mutex_lock(&lock);
  sum += id;
  pthread_mutex_unlock(&lock);
  return (void *)(id + 1);
}

static int compare(const void *a, const void *b) {
  return *(const pid_t *)a - *(const pid_t *)b;
}

static void wave(const char *name) {
  static pthread_t threads[THREADS];
  char label[64];
  sum = 0;
  pthread_barrier_init(&barrier, NULL, THREADS + 1);
  int created = 0;
  for (long i = 0; i < THREADS; i++) {
    int error = pthread_create(&threads[i], NULL, worker, (void *)i);
    if (error != 0) {
      snprintf(label, sizeof label, "%s: pthread_create %ld", name, i);
      printf("%s: %s\n", label, errno_name(error));
      exit(1);
    }
    created++;
  }
  snprintf(label, sizeof label, "%s: created", name);
  printf("%s: %d\n", label, created);
  pthread_barrier_wait(&barrier);
  int values_right = 1;
  for (long i = 0; i < THREADS; i++) {
    void *value = NULL;
    if (pthread_join(threads[i], &value) != 0 || (long)value != i + 1) values_right = 0;
  }
  pthread_barrier_destroy(&barrier);
  snprintf(label, sizeof label, "%s: sum", name);
  printf("%s: %ld\n", label, sum);
  snprintf(label, sizeof label, "%s: every join had its value", name);
  EXPECT(label, values_right);
  qsort(tids, THREADS, sizeof tids[0], compare);
  int distinct = tids[0] != getpid();
  for (int i = 1; i < THREADS; i++) if (tids[i] == tids[i - 1] || tids[i] == getpid()) distinct = 0;
  snprintf(label, sizeof label, "%s: tids distinct and not the pid", name);
  EXPECT(label, distinct);
}

int main(void) {
  wave("first");
  wave("second");
  return 0;
}
