/* eventfd: the counter's reads and writes (8 bytes, the sum, semaphore mode, 0 blocking or
 * EAGAIN, the maximum), its flags, and its readiness through poll. */
#include "report.h"
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <fcntl.h>
#include <sys/syscall.h>

static long read_counter(int fd, uint64_t *value) {
  return read(fd, value, sizeof *value);
}

int main(void) {
  uint64_t value = 0;
  CHECK("eventfd2 with an unknown flag", syscall(SYS_eventfd2, 0, 0x10));
  int legacy = (int)CHECK_OK("eventfd (the call without flags)", syscall(SYS_eventfd, 1));
  uint64_t legacy_value = 0;
  CHECK("its read", read(legacy, &legacy_value, 8));
  close(legacy);
  int fd = (int)CHECK_OK("eventfd 3", eventfd(3, EFD_NONBLOCK));
  CHECK("read 4 bytes", read(fd, &value, 4));
  CHECK("read", read_counter(fd, &value));
  printf("value: %llu\n", (unsigned long long)value);
  CHECK("read at 0", read_counter(fd, &value));
  value = 5;
  CHECK("write 5", write(fd, &value, 8));
  value = 7;
  CHECK("write 7", write(fd, &value, 8));
  CHECK("write 4 bytes", write(fd, &value, 4));
  value = UINT64_MAX;
  CHECK("write 2^64-1", write(fd, &value, 8));
  value = UINT64_MAX - 1;
  CHECK("write past the maximum", write(fd, &value, 8));
  CHECK("read the sum", read_counter(fd, &value));
  printf("value: %llu\n", (unsigned long long)value);
  CHECK("F_GETFL has O_NONBLOCK", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
  struct pollfd entry = { fd, POLLIN | POLLOUT, 0 };
  CHECK("poll, empty", poll(&entry, 1, 0));
  printf("revents: %#x\n", entry.revents);
  value = 1;
  write(fd, &value, 8);
  CHECK("poll, holding 1", poll(&entry, 1, 0));
  printf("revents: %#x\n", entry.revents);
  close(fd);

  int semaphore = (int)CHECK_OK("eventfd semaphore", eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC));
  CHECK("FD_CLOEXEC", fcntl(semaphore, F_GETFD));
  CHECK("semaphore read", read_counter(semaphore, &value));
  printf("value: %llu\n", (unsigned long long)value);
  CHECK("semaphore read", read_counter(semaphore, &value));
  CHECK("semaphore read at 0", read_counter(semaphore, &value));
  close(semaphore);

  int blocking = eventfd(0, 0);
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    usleep(20000);
    uint64_t one = 42;
    _exit(write(blocking, &one, 8) == 8 ? 0 : 1);
  }
  CHECK("a blocking read waits for the write", read_counter(blocking, &value));
  printf("value: %llu\n", (unsigned long long)value);
  wait_report("writer", child);
  return 0;
}
