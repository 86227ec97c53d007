/* inet-options: TCP socket options over loopback beyond inet's. TCP_KEEPIDLE, TCP_KEEPINTVL and
 * TCP_KEEPCNT: Linux's defaults, their bounds (EINVAL), set and read back, passed from a listener
 * to the connections it accepts. SO_LINGER: off by default, a short value (EINVAL), set and read
 * back, turned off keeping its time, passed to accepted connections; on with a time of 0, close
 * resets the connection: the peer's read says ECONNRESET (after the bytes that came before the
 * reset), where a plain close gives it the end of the stream. */
#include "report.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static int get_int(int fd, int level, int name) {
  int value = -1;
  socklen_t length = sizeof value;
  if (getsockopt(fd, level, name, &value, &length) != 0) return -errno;
  return value;
}

static void print_linger(const char *label, int fd) {
  struct linger value = { -1, -1 };
  socklen_t length = sizeof value;
  int result = getsockopt(fd, SOL_SOCKET, SO_LINGER, &value, &length);
  printf("%s: %d, on %d, %d s, length %u\n", label, result, value.l_onoff, value.l_linger, (unsigned)length);
}

/** A listener on loopback (its port in *address). */
static int listening(struct sockaddr_in *address) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(address, 0, sizeof *address);
  address->sin_family = AF_INET;
  address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof *address;
  if (bind(fd, (struct sockaddr *)address, sizeof *address) != 0 || listen(fd, 4) != 0) return -1;
  getsockname(fd, (struct sockaddr *)address, &length);
  return fd;
}

int main(void) {
  int fd = CHECK("socket", socket(AF_INET, SOCK_STREAM, 0));
  printf("defaults: idle %d, interval %d, count %d\n", get_int(fd, IPPROTO_TCP, TCP_KEEPIDLE), get_int(fd, IPPROTO_TCP, TCP_KEEPINTVL),
    get_int(fd, IPPROTO_TCP, TCP_KEEPCNT));
  int value = 0;
  CHECK("TCP_KEEPIDLE 0", setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &value, sizeof value));
  value = 40000;
  CHECK("TCP_KEEPIDLE 40000", setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &value, sizeof value));
  CHECK("TCP_KEEPINTVL 40000", setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &value, sizeof value));
  value = 128;
  CHECK("TCP_KEEPCNT 128", setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &value, sizeof value));
  value = 60;
  CHECK("TCP_KEEPIDLE 60", setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &value, sizeof value));
  value = 10;
  CHECK("TCP_KEEPINTVL 10", setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &value, sizeof value));
  value = 3;
  CHECK("TCP_KEEPCNT 3", setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &value, sizeof value));
  CHECK("TCP_KEEPCNT, 2 bytes", setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &value, 2));
  printf("read back: idle %d, interval %d, count %d\n", get_int(fd, IPPROTO_TCP, TCP_KEEPIDLE), get_int(fd, IPPROTO_TCP, TCP_KEEPINTVL),
    get_int(fd, IPPROTO_TCP, TCP_KEEPCNT));

  print_linger("SO_LINGER by default", fd);
  struct linger linger = { 1, 5 };
  CHECK("SO_LINGER, 4 bytes", setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, 4));
  CHECK("SO_LINGER on, 5 s", setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger));
  print_linger("SO_LINGER", fd);
  linger.l_onoff = 0;
  linger.l_linger = 9;
  CHECK("SO_LINGER off", setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger));
  print_linger("SO_LINGER off", fd);
  close(fd);

  // A listener's options pass to what it accepts.
  struct sockaddr_in address;
  int listener = listening(&address);
  EXPECT("listening", listener >= 0);
  value = 120;
  setsockopt(listener, IPPROTO_TCP, TCP_KEEPIDLE, &value, sizeof value);
  linger.l_onoff = 1;
  linger.l_linger = 3;
  setsockopt(listener, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  int client = socket(AF_INET, SOCK_STREAM, 0);
  CHECK("connect", connect(client, (struct sockaddr *)&address, sizeof address));
  int accepted = CHECK("accept", accept(listener, NULL, NULL));
  printf("accepted: idle %d\n", get_int(accepted, IPPROTO_TCP, TCP_KEEPIDLE));
  print_linger("accepted: SO_LINGER", accepted);

  // On with a time of 0: close resets the connection.
  linger.l_onoff = 1;
  linger.l_linger = 0;
  CHECK("SO_LINGER on, 0 s", setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, sizeof linger));
  CHECK("close with SO_LINGER 0", close(client));
  usleep(200000);
  char buffer[8];
  CHECK("the peer's read after the reset", recv(accepted, buffer, sizeof buffer, 0));
  close(accepted);

  // Bytes that arrived before a reset are read first, then the reset is reported.
  client = socket(AF_INET, SOCK_STREAM, 0);
  CHECK("connect, to send before a reset", connect(client, (struct sockaddr *)&address, sizeof address));
  accepted = accept(listener, NULL, NULL);
  CHECK("send 3 bytes", send(client, "abc", 3, 0));
  usleep(100000);
  setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  CHECK("close with SO_LINGER 0", close(client));
  usleep(200000);
  memset(buffer, 0, sizeof buffer);
  CHECK("the peer reads the bytes", recv(accepted, buffer, sizeof buffer, 0));
  printf("they are: %s\n", buffer);
  CHECK("then the reset", recv(accepted, buffer, sizeof buffer, 0));
  CHECK("then the end", recv(accepted, buffer, sizeof buffer, 0));
  close(accepted);

  // A plain close: the end of the stream.
  client = socket(AF_INET, SOCK_STREAM, 0);
  CHECK("connect again", connect(client, (struct sockaddr *)&address, sizeof address));
  accepted = accept(listener, NULL, NULL);
  CHECK("a plain close", close(client));
  usleep(200000);
  CHECK("the peer's read after the close", recv(accepted, buffer, sizeof buffer, 0));
  close(accepted);
  close(listener);
  return 0;
}
