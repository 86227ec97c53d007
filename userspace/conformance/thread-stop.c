/* thread-stop: SIGSTOP stops every thread of a process, those blocked in a call included: a
 * thread woken while its process is stopped (here by a write to the pipe it reads) waits for
 * SIGCONT before it runs; SIGCONT lets it go on. */
#include "report.h"
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>

static int ends[2];
static volatile uint32_t *shared;

static void *reader(void *argument) {
  (void)argument;
  char byte;
  __atomic_store_n(&shared[1], 1, __ATOMIC_SEQ_CST);   /* about to block in read */
  if (read(ends[0], &byte, 1) == 1) __atomic_store_n(&shared[0], 1, __ATOMIC_SEQ_CST);
  return NULL;
}

int main(void) {
  shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) return 1;
  pipe(ends);
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    pthread_t thread;
    pthread_create(&thread, NULL, reader, NULL);
    pthread_join(thread, NULL);
    _exit(shared[0] == 1 ? 0 : 1);
  }
  while (__atomic_load_n(&shared[1], __ATOMIC_SEQ_CST) == 0) usleep(1000);
  usleep(50000);   /* the reader blocks in read */
  CHECK("SIGSTOP", kill(child, SIGSTOP));
  int status = 0;
  CHECK_OK("waitpid WUNTRACED", waitpid(child, &status, WUNTRACED));
  report_status("the child", status);
  CHECK("write to the pipe the stopped thread reads", write(ends[1], "x", 1));
  usleep(100000);
  EXPECT("the thread stayed stopped", __atomic_load_n(&shared[0], __ATOMIC_SEQ_CST) == 0);
  CHECK("SIGCONT", kill(child, SIGCONT));
  for (int i = 0; i < 2000 && __atomic_load_n(&shared[0], __ATOMIC_SEQ_CST) == 0; i++) usleep(1000);
  EXPECT("after SIGCONT it read the byte", __atomic_load_n(&shared[0], __ATOMIC_SEQ_CST) == 1);
  wait_report("the child", child);
  return 0;
}
