/* unix-options: SOL_SOCKET options of AF_UNIX sockets. SO_SNDBUF and SO_RCVBUF's defaults and how
 * a request is doubled and bounded; the flags, SO_PRIORITY and SO_LINGER kept and read back;
 * SO_RCVTIMEO and SO_SNDTIMEO's errors (a short value, microseconds out of range) and what they
 * do: a blocked recv (stream, seqpacket, a bound datagram socket), accept and send give up with
 * EAGAIN after about the time asked, a negative time gives up at once, a timeout set before
 * connect stays with the connected socket, and a signal ends a timed recv with EINTR even under
 * SA_RESTART. Options of another level and unknown ones are refused. /proc/net/unix lists a
 * listening socket bound to a path and a datagram socket bound to an abstract name: their flags,
 * type, state and name (the address, reference count and inode are each kernel's own). */
#include "sockets.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>

static int get_int(int fd, int name) {
  int value = -1;
  socklen_t length = sizeof value;
  if (getsockopt(fd, SOL_SOCKET, name, &value, &length) != 0) return -errno;
  return value;
}

static void set_int(const char *label, int fd, int name, int value) {
  CHECK(label, setsockopt(fd, SOL_SOCKET, name, &value, sizeof value));
}

static long elapsed_ms(struct timespec start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
}

/** Sets a 200 ms SO_RCVTIMEO (or SO_SNDTIMEO) on `fd`. */
static void limit(int fd, int name) {
  struct timeval t = { 0, 200000 };
  setsockopt(fd, SOL_SOCKET, name, &t, sizeof t);
}

/** Runs `call`'s result through CHECK and says whether it took 150 ms to 2 s. */
#define TIMED(label, call) do { \
    struct timespec start_; clock_gettime(CLOCK_MONOTONIC, &start_); \
    CHECK(label, call); \
    long ms_ = elapsed_ms(start_); \
    char took_[128]; snprintf(took_, sizeof took_, "%s: gave up after about 200 ms", label); \
    EXPECT(took_, ms_ >= 150 && ms_ < 2000); \
  } while (0)

static void on_alarm(int signal) { (void)signal; }

int main(void) {
  int pair[2];
  char buffer[64];
  socketpair(AF_UNIX, SOCK_STREAM, 0, pair);

  printf("SO_SNDBUF default: %d\n", get_int(pair[0], SO_SNDBUF));
  printf("SO_RCVBUF default: %d\n", get_int(pair[0], SO_RCVBUF));
  set_int("SO_SNDBUF 10000", pair[0], SO_SNDBUF, 10000);
  printf("SO_SNDBUF now: %d\n", get_int(pair[0], SO_SNDBUF));
  set_int("SO_RCVBUF 1", pair[0], SO_RCVBUF, 1);
  printf("SO_RCVBUF now: %d\n", get_int(pair[0], SO_RCVBUF));
  set_int("SO_SNDBUF 1 GiB", pair[0], SO_SNDBUF, 1 << 30);
  printf("SO_SNDBUF now: %d\n", get_int(pair[0], SO_SNDBUF));
  set_int("SO_RCVBUF -1", pair[0], SO_RCVBUF, -1);
  printf("SO_RCVBUF now: %d\n", get_int(pair[0], SO_RCVBUF));
  printf("the other end's SO_SNDBUF: %d\n", get_int(pair[1], SO_SNDBUF));

  const int flags[] = { SO_REUSEADDR, SO_KEEPALIVE, SO_BROADCAST, SO_OOBINLINE, SO_DONTROUTE };
  const char *names[] = { "SO_REUSEADDR", "SO_KEEPALIVE", "SO_BROADCAST", "SO_OOBINLINE", "SO_DONTROUTE" };
  for (int i = 0; i < 5; i++) {
    printf("%s before: %d\n", names[i], get_int(pair[0], flags[i]));
    set_int(names[i], pair[0], flags[i], 7);
    printf("%s after: %d\n", names[i], get_int(pair[0], flags[i]));
  }
  set_int("SO_PRIORITY 3", pair[0], SO_PRIORITY, 3);
  printf("SO_PRIORITY: %d\n", get_int(pair[0], SO_PRIORITY));
  struct linger linger = { 1, 5 };
  CHECK("SO_LINGER", setsockopt(pair[0], SOL_SOCKET, SO_LINGER, &linger, sizeof linger));
  memset(&linger, 0, sizeof linger);
  socklen_t length = sizeof linger;
  CHECK("SO_LINGER read", getsockopt(pair[0], SOL_SOCKET, SO_LINGER, &linger, &length));
  printf("SO_LINGER: %d %d (%u bytes)\n", linger.l_onoff, linger.l_linger, (unsigned)length);

  struct timeval t = { 0, 200000 };
  CHECK("SO_RCVTIMEO short", setsockopt(pair[0], SOL_SOCKET, SO_RCVTIMEO, &t, 4));
  struct timeval bad = { 1, 1000000 };
  CHECK("SO_RCVTIMEO microseconds out of range", setsockopt(pair[0], SOL_SOCKET, SO_RCVTIMEO, &bad, sizeof bad));
  CHECK("SO_RCVTIMEO 200 ms", setsockopt(pair[0], SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t));
  memset(&t, 0, sizeof t);
  length = sizeof t;
  CHECK("SO_RCVTIMEO read", getsockopt(pair[0], SOL_SOCKET, SO_RCVTIMEO, &t, &length));
  printf("SO_RCVTIMEO: %ld s %ld us (%u bytes)\n", (long)t.tv_sec, (long)t.tv_usec, (unsigned)length);
  TIMED("stream recv under SO_RCVTIMEO", recv(pair[0], buffer, sizeof buffer, 0));
  TIMED("stream read under SO_RCVTIMEO", read(pair[0], buffer, sizeof buffer));
  CHECK("a byte", write(pair[1], "x", 1));
  CHECK("recv with a byte there", recv(pair[0], buffer, sizeof buffer, 0));
  TIMED("the same recv again, empty", recv(pair[0], buffer, sizeof buffer, 0));

  struct timeval negative = { -1, 0 };
  CHECK("SO_RCVTIMEO negative", setsockopt(pair[0], SOL_SOCKET, SO_RCVTIMEO, &negative, sizeof negative));
  length = sizeof t;
  getsockopt(pair[0], SOL_SOCKET, SO_RCVTIMEO, &t, &length);
  printf("SO_RCVTIMEO after a negative one: %ld s %ld us\n", (long)t.tv_sec, (long)t.tv_usec);
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  CHECK("recv under a negative SO_RCVTIMEO", recv(pair[0], buffer, sizeof buffer, 0));
  EXPECT("it gave up at once", elapsed_ms(start) < 100);

  /* A signal ends a timed recv with EINTR, SA_RESTART or not. */
  struct timeval second = { 1, 0 };
  setsockopt(pair[0], SOL_SOCKET, SO_RCVTIMEO, &second, sizeof second);
  struct sigaction action = { 0 };
  action.sa_handler = on_alarm;
  action.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &action, NULL);
  struct itimerval alarm_in = { { 0, 0 }, { 0, 100000 } };
  setitimer(ITIMER_REAL, &alarm_in, NULL);
  clock_gettime(CLOCK_MONOTONIC, &start);
  CHECK("a timed recv a signal interrupts (SA_RESTART)", recv(pair[0], buffer, sizeof buffer, 0));
  EXPECT("it ended before its time", elapsed_ms(start) < 900);

  /* SO_SNDTIMEO: a send into a full socket gives up (with what went in, if any). */
  fcntl(pair[1], F_SETFL, O_NONBLOCK);
  static char block[4096];
  while (write(pair[1], block, sizeof block) > 0) {}
  fcntl(pair[1], F_SETFL, 0);
  CHECK("SO_SNDTIMEO 200 ms", setsockopt(pair[1], SOL_SOCKET, SO_SNDTIMEO, &(struct timeval){ 0, 200000 }, sizeof(struct timeval)));
  TIMED("send into a full socket under SO_SNDTIMEO", send(pair[1], "y", 1, 0));
  close(pair[0]);
  close(pair[1]);

  /* A seqpacket pair and a bound datagram socket. */
  socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair);
  limit(pair[0], SO_RCVTIMEO);
  TIMED("seqpacket recv under SO_RCVTIMEO", recv(pair[0], buffer, sizeof buffer, 0));
  close(pair[0]);
  close(pair[1]);
  int datagrams = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct sockaddr_un address;
  socklen_t address_length = abstract_name(&address, "capsid-unix-options-dgram");
  CHECK("bind a datagram socket", bind(datagrams, (struct sockaddr *)&address, address_length));
  limit(datagrams, SO_RCVTIMEO);
  TIMED("datagram recvfrom under SO_RCVTIMEO", recvfrom(datagrams, buffer, sizeof buffer, 0, NULL, NULL));
  printf("the datagram socket's SO_RCVBUF: %d\n", get_int(datagrams, SO_RCVBUF));
  close(datagrams);

  /* accept under SO_RCVTIMEO; a client's timeout set before connect stays after it. */
  int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  address_length = abstract_name(&address, "capsid-unix-options-listen");
  bind(listener, (struct sockaddr *)&address, address_length);
  listen(listener, 4);
  limit(listener, SO_RCVTIMEO);
  TIMED("accept under SO_RCVTIMEO", accept(listener, NULL, NULL));
  int client = socket(AF_UNIX, SOCK_STREAM, 0);
  limit(client, SO_RCVTIMEO);
  set_int("the client's SO_SNDBUF before connect", client, SO_SNDBUF, 50000);
  CHECK("connect", connect(client, (struct sockaddr *)&address, address_length));
  length = sizeof t;
  getsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &t, &length);
  printf("the connected client's SO_RCVTIMEO: %ld s %ld us\n", (long)t.tv_sec, (long)t.tv_usec);
  printf("the connected client's SO_SNDBUF: %d\n", get_int(client, SO_SNDBUF));
  TIMED("the connected client's recv", recv(client, buffer, sizeof buffer, 0));
  int accepted = accept(listener, NULL, NULL);
  CHECK_OK("accept with a connection queued", accepted);
  length = sizeof t;
  getsockopt(accepted, SOL_SOCKET, SO_RCVTIMEO, &t, &length);
  printf("the accepted end's SO_RCVTIMEO: %ld s %ld us\n", (long)t.tv_sec, (long)t.tv_usec);
  close(accepted);
  close(client);
  close(listener);

  /* Refused: another level, an unknown option, a closed descriptor, a pipe. */
  socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
  int one = 1;
  CHECK("an option of level IPPROTO_TCP", setsockopt(pair[0], IPPROTO_TCP, 1, &one, sizeof one));
  length = sizeof one;
  CHECK("getsockopt of level IPPROTO_TCP", getsockopt(pair[0], IPPROTO_TCP, 1, &one, &length));
  CHECK("an unknown option", setsockopt(pair[0], SOL_SOCKET, 9999, &one, sizeof one));
  CHECK("SO_SNDBUF, short", setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &one, 2));
  CHECK("a closed descriptor", setsockopt(99, SOL_SOCKET, SO_SNDBUF, &one, sizeof one));
  int pipes[2];
  pipe(pipes);
  CHECK("a pipe", setsockopt(pipes[0], SOL_SOCKET, SO_SNDBUF, &one, sizeof one));

  proc_mounted();
  scratch("unix-options");
  unlink("options.sock");
  int server = socket(AF_UNIX, SOCK_STREAM, 0);
  address_length = named(&address, "options.sock");
  CHECK("bind a path", bind(server, (struct sockaddr *)&address, address_length));
  CHECK("listen", listen(server, 1));
  int hidden = socket(AF_UNIX, SOCK_DGRAM, 0);
  address_length = abstract_name(&address, "capsid-unix-options-proc");
  CHECK("bind an abstract name", bind(hidden, (struct sockaddr *)&address, address_length));
  FILE *table = fopen("/proc/net/unix", "r");
  EXPECT("/proc/net/unix opens", table != NULL);
  char line[512], flags_field[16], type[16], state_field[16], path[256];
  if (table != NULL && fgets(line, sizeof line, table) != NULL) printf("/proc/net/unix: %s", line);
  while (table != NULL && fgets(line, sizeof line, table) != NULL) {
    if (sscanf(line, "%*s %*s %*s %15s %15s %15s %*s %255s", flags_field, type, state_field, path) != 4) continue;
    if (strcmp(path, "options.sock") == 0 || strcmp(path, "@capsid-unix-options-proc") == 0) {
      printf("/proc/net/unix lists %s: flags %s type %s state %s\n", path, flags_field, type, state_field);
    }
  }
  if (table != NULL) fclose(table);
  unlink("options.sock");
  return 0;
}
