/* timerfd: timerfd_create's and timerfd_settime's errors in Linux's order, a one-shot timer (read
 * blocks until it fires, then EAGAIN), a periodic one counting its expiries, an absolute
 * CLOCK_MONOTONIC and CLOCK_REALTIME time already passed, disarming, timerfd_gettime, a write
 * refused, and its readiness through poll. Times are only compared, never printed. */
#include "report.h"
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>

int main(void) {
  CHECK("an unknown clock", timerfd_create(99, 0));
  CHECK("an unknown flag", timerfd_create(CLOCK_MONOTONIC, 1));
  int fd = (int)CHECK_OK("timerfd_create", timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
  CHECK("FD_CLOEXEC", fcntl(fd, F_GETFD));
  struct itimerspec value = { { 0, 0 }, { 0, 20 * 1000 * 1000 } }, old;
  CHECK("settime with a NULL value", timerfd_settime(fd, 0, NULL, NULL));
  struct itimerspec bad = { { 0, 0 }, { 0, 1000 * 1000 * 1000 } };
  CHECK("settime with a bad value", timerfd_settime(fd, 0, &bad, NULL));
  CHECK("settime with an unknown flag", timerfd_settime(fd, 4, &value, NULL));
  CHECK("settime on a closed descriptor", timerfd_settime(99, 0, &value, NULL));
  CHECK("settime on a pipe", timerfd_settime(1, 0, &value, NULL) == -1 && (errno == EINVAL || errno == EBADF) ? 0 : 1);
  CHECK("settime, 20 ms once", timerfd_settime(fd, 0, &value, &old));
  EXPECT("the old setting was disarmed", old.it_value.tv_sec == 0 && old.it_value.tv_nsec == 0);
  struct itimerspec current;
  CHECK("gettime", timerfd_gettime(fd, &current));
  EXPECT("time left, at most 20 ms", current.it_value.tv_sec == 0 && current.it_value.tv_nsec > 0 && current.it_value.tv_nsec <= 20 * 1000 * 1000);
  uint64_t count = 0;
  CHECK("a blocking read waits for the expiry", read(fd, &count, 8));
  printf("expiries: %llu\n", (unsigned long long)count);
  CHECK("gettime after it fired", timerfd_gettime(fd, &current));
  EXPECT("disarmed", current.it_value.tv_sec == 0 && current.it_value.tv_nsec == 0);
  CHECK("a write", write(fd, &count, 8));
  CHECK("a short read", read(fd, &count, 4));
  fcntl(fd, F_SETFL, O_NONBLOCK);
  CHECK("a read with nothing to report", read(fd, &count, 8));

  struct itimerspec periodic = { { 0, 10 * 1000 * 1000 }, { 0, 10 * 1000 * 1000 } };
  CHECK("settime, every 10 ms", timerfd_settime(fd, 0, &periodic, NULL));
  struct timespec pause = { 0, 55 * 1000 * 1000 };
  nanosleep(&pause, NULL);
  CHECK("read", read(fd, &count, 8));
  EXPECT("several expiries counted", count >= 3 && count <= 100);
  CHECK("gettime", timerfd_gettime(fd, &current));
  EXPECT("the interval kept", current.it_interval.tv_sec == 0 && current.it_interval.tv_nsec == 10 * 1000 * 1000);
  struct itimerspec off = { { 0, 0 }, { 0, 0 } };
  CHECK("disarm", timerfd_settime(fd, 0, &off, &old));
  EXPECT("the old setting was periodic", old.it_interval.tv_nsec == 10 * 1000 * 1000);
  nanosleep(&pause, NULL);
  read(fd, &count, 8);
  CHECK("nothing after disarming", read(fd, &count, 8));

  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  struct itimerspec passed = { { 0, 0 }, { now.tv_sec > 0 ? now.tv_sec - 1 : 0, 0 } };
  if (passed.it_value.tv_sec == 0) passed.it_value.tv_nsec = 1;
  CHECK("absolute, already passed", timerfd_settime(fd, TFD_TIMER_ABSTIME, &passed, NULL));
  struct pollfd entry = { fd, POLLIN | POLLOUT, 0 };
  CHECK("poll", poll(&entry, 1, 1000));
  printf("revents: %#x\n", entry.revents);
  CHECK("read", read(fd, &count, 8));
  printf("expiries: %llu\n", (unsigned long long)count);
  close(fd);

  int wall = (int)CHECK_OK("timerfd_create CLOCK_REALTIME", timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK));
  clock_gettime(CLOCK_REALTIME, &now);
  struct itimerspec soon = { { 0, 0 }, { now.tv_sec, now.tv_nsec } };
  soon.it_value.tv_nsec += 20 * 1000 * 1000;
  if (soon.it_value.tv_nsec >= 1000 * 1000 * 1000) { soon.it_value.tv_sec++; soon.it_value.tv_nsec -= 1000 * 1000 * 1000; }
  CHECK("absolute realtime, 20 ms ahead", timerfd_settime(wall, TFD_TIMER_ABSTIME, &soon, NULL));
  CHECK("not yet", read(wall, &count, 8));
  struct pollfd wait_wall = { wall, POLLIN, 0 };
  CHECK("poll until it fires", poll(&wait_wall, 1, 2000));
  CHECK("read", read(wall, &count, 8));
  printf("expiries: %llu\n", (unsigned long long)count);
  return 0;
}
