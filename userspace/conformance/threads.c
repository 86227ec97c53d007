/* threads: eight pthreads sharing a mutex-guarded counter, taking turns through a condition
 * variable after a barrier, each with its own thread-local variable and tid; joins collect their
 * values; pthread_exit, a detached thread, a robust mutex whose owner ended holding it (the
 * robust list walked at its end), and exit() from a thread while another is blocked (exit_group
 * ends them all). */
#include "report.h"
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>

#define THREADS 8
#define ROUNDS 2000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static long counter;
static int turn, order[THREADS], order_count, serial_threads;
static pid_t tids[THREADS], pids[THREADS];
static __thread long local_value;
static long local_seen[THREADS];

static void *worker(void *argument) {
  long id = (long)argument;
  local_value = id * 100;
  tids[id] = (pid_t)syscall(SYS_gettid);
  pids[id] = getpid();
  for (int i = 0; i < ROUNDS; i++) {
    pthread_mutex_lock(&lock);
    counter++;
    pthread_mutex_unlock(&lock);
  }
  if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD) __atomic_add_fetch(&serial_threads, 1, __ATOMIC_SEQ_CST);
  pthread_mutex_lock(&lock);
  while (turn != id) pthread_cond_wait(&turn_changed, &lock);
  order[order_count++] = (int)id;
  turn++;
  pthread_cond_broadcast(&turn_changed);
  pthread_mutex_unlock(&lock);
  local_seen[id] = local_value;
  if (id == THREADS - 1) pthread_exit((void *)(id * 10));
  return (void *)(id * 10);
}

static volatile int detached_ran;
static void *detached(void *argument) {
  (void)argument;
  detached_ran = 1;
  return NULL;
}

static pthread_mutex_t robust;
static void *dies_holding(void *argument) {
  (void)argument;
  pthread_mutex_lock(&robust);
  return NULL;   /* ends holding it: its robust list hands the mutex on */
}

static void *blocker(void *argument) {
  (void)argument;
  pthread_mutex_lock(&lock);
  for (;;) pthread_cond_wait(&turn_changed, &lock);
  return NULL;
}

int main(void) {
  pthread_t threads[THREADS];
  pthread_barrier_init(&barrier, NULL, THREADS);
  local_value = -1;
  for (long i = 0; i < THREADS; i++) CHECK("pthread_create", pthread_create(&threads[i], NULL, worker, (void *)i));
  int values_right = 1;
  for (long i = 0; i < THREADS; i++) {
    void *value = NULL;
    CHECK("pthread_join", pthread_join(threads[i], &value));
    if ((long)value != i * 10) values_right = 0;
  }
  printf("counter: %ld\n", counter);
  printf("order:");
  for (int i = 0; i < order_count; i++) printf(" %d", order[i]);
  printf("\n");
  EXPECT("join values", values_right);
  EXPECT("one serial thread at the barrier", serial_threads == 1);
  int distinct = 1, same_pid = 1, locals = 1;
  pid_t self = (pid_t)syscall(SYS_gettid);
  for (int i = 0; i < THREADS; i++) {
    if (pids[i] != getpid()) same_pid = 0;
    if (tids[i] == self || tids[i] <= 0) distinct = 0;
    for (int j = 0; j < i; j++) if (tids[i] == tids[j]) distinct = 0;
    if (local_seen[i] != i * 100) locals = 0;
  }
  EXPECT("every thread has its own tid", distinct);
  EXPECT("getpid is the process's in every thread", same_pid);
  EXPECT("thread-local values kept apart", locals);
  EXPECT("main's thread-local value untouched", local_value == -1);
  EXPECT("main's tid is the pid", self == getpid());

  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  pthread_t loose;
  CHECK("detached pthread_create", pthread_create(&loose, &attributes, detached, NULL));
  for (int i = 0; i < 1000 && !detached_ran; i++) usleep(1000);
  EXPECT("the detached thread ran", detached_ran);

  pthread_mutexattr_t robust_attributes;
  pthread_mutexattr_init(&robust_attributes);
  pthread_mutexattr_setrobust(&robust_attributes, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&robust, &robust_attributes);
  pthread_t holder;
  pthread_create(&holder, NULL, dies_holding, NULL);
  pthread_join(holder, NULL);
  int locked = pthread_mutex_lock(&robust);
  printf("lock a robust mutex its owner died holding: %s\n", locked == EOWNERDEAD ? "EOWNERDEAD" : locked == 0 ? "0" : "other");
  CHECK("pthread_mutex_consistent", pthread_mutex_consistent(&robust));
  CHECK("pthread_mutex_unlock", pthread_mutex_unlock(&robust));

  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    pthread_t other;
    pthread_create(&other, NULL, blocker, NULL);
    usleep(10000);
    exit(3);   /* exit_group: the blocked thread ends too */
  }
  wait_report("exit from a process with a blocked thread", child);
  return 0;
}
