/* epoll: epoll_create's and epoll_ctl's errors in Linux's order, level- and edge-triggered
 * reports on a pipe, EPOLLONESHOT until EPOLL_CTL_MOD, the data word given back, a closed
 * descriptor's entry dropped, a set inside a set, a blocking epoll_wait woken by a write, events
 * written across a page boundary, and a buffer that cannot be written (or only its start). */
#include "report.h"
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>

static int wait_report_events(const char *label, int set, int timeout) {
  struct epoll_event events[8];
  errno = 0;
  int count = epoll_wait(set, events, 8, timeout);
  if (count < 0) {
    printf("%s: -1 %s\n", label, errno_name(errno));
    return count;
  }
  printf("%s: %d", label, count);
  for (int i = 0; i < count; i++) printf(" [%#x data %llu]", events[i].events, (unsigned long long)events[i].data.u64);
  printf("\n");
  return count;
}

int main(void) {
  CHECK("epoll_create 0", syscall(SYS_epoll_create, 0));
  int legacy = (int)CHECK_OK("epoll_create 1", syscall(SYS_epoll_create, 1));
  close(legacy);
  CHECK("epoll_create1 with an unknown flag", epoll_create1(1));
  int set = (int)CHECK_OK("epoll_create1", epoll_create1(EPOLL_CLOEXEC));
  CHECK("FD_CLOEXEC", fcntl(set, F_GETFD));
  int ends[2];
  pipe(ends);
  struct epoll_event event = { .events = EPOLLIN, .data.u64 = 7 };
  CHECK("ctl with a NULL event", epoll_ctl(set, EPOLL_CTL_ADD, ends[0], NULL));
  CHECK("ctl on a closed epfd", epoll_ctl(99, EPOLL_CTL_ADD, ends[0], &event));
  CHECK("ctl on a closed fd", epoll_ctl(set, EPOLL_CTL_ADD, 99, &event));
  CHECK("ctl with a pipe as the set", epoll_ctl(ends[1], EPOLL_CTL_ADD, ends[0], &event));
  CHECK("ctl adding the set to itself", epoll_ctl(set, EPOLL_CTL_ADD, set, &event));
  int file = open("/conformance", O_RDONLY | O_DIRECTORY);
  CHECK("ctl adding a directory", epoll_ctl(set, EPOLL_CTL_ADD, file, &event));
  close(file);
  CHECK("MOD before ADD", epoll_ctl(set, EPOLL_CTL_MOD, ends[0], &event));
  CHECK("DEL before ADD", epoll_ctl(set, EPOLL_CTL_DEL, ends[0], &event));
  CHECK("ADD", epoll_ctl(set, EPOLL_CTL_ADD, ends[0], &event));
  CHECK("ADD again", epoll_ctl(set, EPOLL_CTL_ADD, ends[0], &event));
  CHECK("an unknown op", epoll_ctl(set, 9, ends[0], &event));
  struct epoll_event out[1];
  CHECK("wait with maxevents 0", epoll_wait(set, out, 0, 0));
  CHECK("wait on a pipe", epoll_wait(ends[0], out, 1, 0));
  wait_report_events("nothing ready", set, 0);
  write(ends[1], "ab", 2);
  wait_report_events("level-triggered", set, 0);
  wait_report_events("level-triggered again", set, 0);

  event.events = EPOLLIN | EPOLLET;
  event.data.u64 = 8;
  CHECK("MOD to edge-triggered", epoll_ctl(set, EPOLL_CTL_MOD, ends[0], &event));
  wait_report_events("edge-triggered", set, 0);
  wait_report_events("edge-triggered again", set, 0);
  char buffer[8];
  read(ends[0], buffer, sizeof buffer);
  wait_report_events("drained", set, 0);
  write(ends[1], "c", 1);
  wait_report_events("edge-triggered, new data", set, 0);

  event.events = EPOLLIN | EPOLLONESHOT;
  event.data.u64 = 9;
  CHECK("MOD to one-shot", epoll_ctl(set, EPOLL_CTL_MOD, ends[0], &event));
  wait_report_events("one-shot", set, 0);
  wait_report_events("one-shot again", set, 0);
  CHECK("MOD re-arms", epoll_ctl(set, EPOLL_CTL_MOD, ends[0], &event));
  wait_report_events("re-armed", set, 0);

  struct epoll_event writable = { .events = EPOLLOUT, .data.u64 = 10 };
  CHECK("ADD the write end", epoll_ctl(set, EPOLL_CTL_ADD, ends[1], &writable));
  CHECK("DEL the read end", epoll_ctl(set, EPOLL_CTL_DEL, ends[0], NULL));
  wait_report_events("the write end", set, 0);
  close(ends[0]);
  wait_report_events("its reader closed", set, 0);
  close(ends[1]);
  wait_report_events("the write end closed", set, 0);

  int counter = eventfd(0, 0);
  struct epoll_event readable = { .events = EPOLLIN, .data.u64 = 11 };
  epoll_ctl(set, EPOLL_CTL_ADD, counter, &readable);
  int outer = epoll_create1(0);
  struct epoll_event inner = { .events = EPOLLIN, .data.u64 = 12 };
  CHECK("a set inside a set", epoll_ctl(outer, EPOLL_CTL_ADD, set, &inner));
  wait_report_events("outer, nothing ready", outer, 0);
  uint64_t one = 1;
  write(counter, &one, 8);
  wait_report_events("outer, the inner set ready", outer, 0);
  read(counter, &one, 8);

  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    usleep(20000);
    uint64_t value = 3;
    _exit(write(counter, &value, 8) == 8 ? 0 : 1);
  }
  wait_report_events("a blocking wait, woken", set, 5000);
  wait_report("writer", child);
  read(counter, &one, 8);
  wait_report_events("a timeout", outer, 10);
  sigset_t mask;
  sigemptyset(&mask);
  CHECK("epoll_pwait with a mask", epoll_pwait(outer, out, 1, 0, &mask));
  CHECK("epoll_pwait with a bad mask size", syscall(SYS_epoll_pwait, outer, out, 1, 0, &mask, 4));

  /* Events that straddle a page boundary: the first in one page, the second across into the next. */
  int straddled = epoll_create1(0), first = eventfd(1, 0), second = eventfd(1, 0);
  struct epoll_event in = { .events = EPOLLIN, .data.u64 = 111 };
  epoll_ctl(straddled, EPOLL_CTL_ADD, first, &in);
  in.data.u64 = 222;
  epoll_ctl(straddled, EPOLL_CTL_ADD, second, &in);
  long page = sysconf(_SC_PAGESIZE);
  char *pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  struct epoll_event *across = (struct epoll_event *)(pages + page - sizeof(struct epoll_event) - 4);
  CHECK("epoll_wait into a buffer across two pages", epoll_wait(straddled, across, 2, 0));
  unsigned long long sum = across[0].data.u64 + across[1].data.u64;
  printf("their data: %llu in all, events %#x %#x\n", sum, across[0].events, across[1].events);

  /* A buffer that cannot be written: EFAULT, and the edge-triggered event it would have taken is
   * not lost. The second of two events reaching a page that cannot be written: the first alone. */
  int edge = epoll_create1(0), signalled = eventfd(1, 0);
  struct epoll_event once = { .events = EPOLLIN | EPOLLET, .data.u64 = 333 };
  epoll_ctl(edge, EPOLL_CTL_ADD, signalled, &once);
  char *guard = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK("epoll_wait into a page not writable", epoll_wait(edge, (struct epoll_event *)guard, 1, 0));
  struct epoll_event got = { 0 };
  CHECK("epoll_wait after it", epoll_wait(edge, &got, 1, 0));
  printf("its data: %llu\n", (unsigned long long)got.data.u64);
  mprotect(pages + page, page, PROT_NONE);
  CHECK("epoll_wait with its second event across into a page not writable", epoll_wait(straddled, across, 2, 0));
  return 0;
}
