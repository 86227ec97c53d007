/* waitall: MSG_WAITALL on a TCP connection over loopback and on an AF_UNIX stream pair. A forked
 * sender writes in parts, with pauses; the receiver asks for all of a buffer: recv gets every
 * byte across the parts, recvmsg fills two iovecs across them, the end of the stream gives what
 * came, SO_RCVTIMEO gives what came before it passed, a signal gives what came before it (with
 * SA_RESTART too: a call that moved bytes is not restarted); MSG_DONTWAIT with MSG_WAITALL takes
 * what is there. */
#include "report.h"
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

static void on_alarm(int signal) { (void)signal; }

/** A connected pair over loopback: `*client` (the sender's end) and the accepted end returned. */
static int connected(int *client) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = { 0 };
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 1) != 0) return -1;
  getsockname(listener, (struct sockaddr *)&address, &length);
  *client = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(*client, (struct sockaddr *)&address, sizeof address) != 0) return -1;
  int accepted = accept(listener, NULL, NULL);
  close(listener);
  return accepted;
}

/** Forks a sender that writes `first`, waits `pause` µs, writes `second` (unless NULL), waits
 * again and closes its end when `close_after`, else waits 2 s. */
static pid_t sender(int fd, const char *first, const char *second, int pause, int close_after) {
  pid_t child = fork();
  if (child != 0) return child;
  if (write(fd, first, strlen(first)) < 0) _exit(1);
  usleep((useconds_t)pause);
  if (second != NULL && write(fd, second, strlen(second)) < 0) _exit(1);
  if (!close_after) usleep(2000000);
  _exit(0);
}

static void finish(pid_t child) {
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
}

/** The scenarios on one connected pair, each line labelled with `kind`; SO_RCVTIMEO's when
 * `timeouts`. */
static void scenarios(const char *kind, int server, int client, int timeouts) {
  char buffer[32], label[96];
#define LABEL(text) (snprintf(label, sizeof label, "%s: %s", kind, (text)), label)
  pid_t child = sender(client, "hello", "world", 200000, 0);
  memset(buffer, 0, sizeof buffer);
  CHECK(LABEL("recv all of 10 across two writes"), recv(server, buffer, 10, MSG_WAITALL));
  printf("%s: the bytes: %s\n", kind, buffer);
  finish(child);

  child = sender(client, "abc", "defghij", 200000, 0);
  char first[5] = { 0 }, second[6] = { 0 };
  struct iovec parts[2] = { { first, 5 }, { second, 5 } };
  struct msghdr message = { 0 };
  message.msg_iov = parts;
  message.msg_iovlen = 2;
  CHECK(LABEL("recvmsg all of two iovecs across two writes"), recvmsg(server, &message, MSG_WAITALL));
  printf("%s: the iovecs: %.5s %.5s\n", kind, first, second);
  finish(child);

  CHECK(LABEL("send 2 bytes"), send(client, "xy", 2, 0));
  usleep(100000);
  CHECK(LABEL("MSG_DONTWAIT with MSG_WAITALL"), recv(server, buffer, 10, MSG_WAITALL | MSG_DONTWAIT));

  if (timeouts) {
    struct timeval timeout = { 0, 300000 };
    setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    child = sender(client, "12", NULL, 0, 0);
    CHECK(LABEL("SO_RCVTIMEO: what came before it passed"), recv(server, buffer, 10, MSG_WAITALL));
    finish(child);
    timeout.tv_usec = 0;
    setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }

  struct sigaction action = { 0 };
  action.sa_handler = on_alarm;
  sigaction(SIGALRM, &action, NULL);
  child = sender(client, "1234", NULL, 0, 0);
  struct itimerval timer = { { 0, 0 }, { 0, 400000 } };
  setitimer(ITIMER_REAL, &timer, NULL);
  CHECK(LABEL("a signal: what came before it"), recv(server, buffer, 10, MSG_WAITALL));
  finish(child);

  action.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &action, NULL);
  child = sender(client, "1234", "567890", 1200000, 0);
  setitimer(ITIMER_REAL, &timer, NULL);
  memset(buffer, 0, sizeof buffer);
  CHECK(LABEL("SA_RESTART: what came before it too"), recv(server, buffer, 10, MSG_WAITALL));
  printf("%s: the bytes: %s\n", kind, buffer);
  usleep(1300000);
  finish(child);
  CHECK(LABEL("the rest after"), recv(server, buffer, 10, MSG_DONTWAIT));

  child = sender(client, "end", NULL, 0, 1);
  waitpid(child, NULL, 0);
  close(client);
  memset(buffer, 0, sizeof buffer);
  CHECK(LABEL("the end of the stream: what came"), recv(server, buffer, 10, MSG_WAITALL));
  printf("%s: the bytes: %s\n", kind, buffer);
  CHECK(LABEL("then 0"), recv(server, buffer, 10, MSG_WAITALL));
  close(server);
#undef LABEL
}

int main(void) {
  int client = -1;
  int server = connected(&client);
  EXPECT("tcp: connected", server >= 0);
  scenarios("tcp", server, client, 1);
  int pair[2];
  CHECK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, pair));
  scenarios("unix", pair[0], pair[1], 1);
  return 0;
}
