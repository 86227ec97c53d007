/* inet: AF_INET sockets over loopback (127.0.0.1). socket's errors (protocol, type, flags); UDP:
 * bind (a chosen port, twice, another address, a short address), sendto and recvfrom with the
 * sender's address, sendmmsg, SO_RCVTIMEO, calls on a pipe, send without a peer, connect and getpeername, MSG_PEEK, MSG_TRUNC and
 * recvmsg's msg_flags, MSG_DONTWAIT, AF_UNSPEC undoing a connect, poll; TCP: listen, a blocking
 * connect and accept with the peer's address, accept4's flags, sendfile from a file, bytes both ways, TCP_NODELAY, shutdown and the end
 * of the stream, a refused connect, a non-blocking connect (EINPROGRESS, poll, SO_ERROR,
 * EISCONN), EADDRINUSE, and the calls a socket in the wrong state refuses. Loopback is brought up
 * first where a kernel needs it (Debian's /init has it down; Capsid's is always up), silently. */
#include "sockets.h"
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

static unsigned short port_of(int fd) {
  struct sockaddr_in address = { 0 };
  socklen_t length = sizeof address;
  if (getsockname(fd, (struct sockaddr *)&address, &length) != 0) return 0;
  return ntohs(address.sin_port);
}

static void report_poll(const char *label, int fd, short events, int timeout) {
  struct pollfd entry = { fd, events, 0 };
  int ready = poll(&entry, 1, timeout);
  printf("%s: %d %#x\n", label, ready, entry.revents);
}

static void udp(void) {
  int a = CHECK("udp socket", socket(AF_INET, SOCK_DGRAM, 0));
  struct sockaddr_in any = loopback(0), elsewhere = loopback(0);
  elsewhere.sin_addr.s_addr = htonl(0x0a090909);
  CHECK("bind elsewhere", bind(a, (struct sockaddr *)&elsewhere, sizeof elsewhere));
  CHECK("bind a short address", bind(a, (struct sockaddr *)&any, 4));
  CHECK("bind", bind(a, (struct sockaddr *)&any, sizeof any));
  CHECK("bind again", bind(a, (struct sockaddr *)&any, sizeof any));
  unsigned short port = port_of(a);
  EXPECT("a port was chosen", port != 0);
  struct sockaddr_in to = loopback(port), from = { 0 };
  socklen_t length = sizeof from;
  int b = socket(AF_INET, SOCK_DGRAM, 0);
  char buffer[64] = { 0 };
  CHECK("recv, nothing there", recv(a, buffer, sizeof buffer, MSG_DONTWAIT));
  CHECK("send without a peer", send(b, "x", 1, 0));
  CHECK("sendto", sendto(b, "ping", 4, 0, (struct sockaddr *)&to, sizeof to));
  report_poll("poll, a datagram in", a, POLLIN | POLLOUT, 1000);
  CHECK("recvfrom", recvfrom(a, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &length));
  printf("received: %s, address length %d\n", buffer, (int)length);
  EXPECT("from 127.0.0.1", from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
  EXPECT("from b's port", ntohs(from.sin_port) == port_of(b));
  CHECK("getpeername, not connected", getpeername(a, (struct sockaddr *)&from, &length));
  CHECK("connect", connect(b, (struct sockaddr *)&to, sizeof to));
  length = sizeof from;
  CHECK("getpeername", getpeername(b, (struct sockaddr *)&from, &length));
  EXPECT("the peer is a's port", ntohs(from.sin_port) == port);
  CHECK("send, connected", send(b, "0123456789", 10, 0));
  int waiting = -1;
  CHECK("FIONREAD, a datagram of 10", ioctl(a, FIONREAD, &waiting));
  printf("waiting %d\n", waiting);
  CHECK("recv, MSG_PEEK", recv(a, buffer, sizeof buffer, MSG_PEEK));
  CHECK("recv, 4 bytes of 10, MSG_TRUNC", recv(a, buffer, 4, MSG_TRUNC));
  CHECK("send again", send(b, "abcdefgh", 8, 0));
  struct iovec vector = { buffer, 3 };
  struct msghdr message = { 0 };
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  CHECK("recvmsg, 3 bytes of 8", recvmsg(a, &message, 0));
  printf("msg_flags MSG_TRUNC: %d\n", (message.msg_flags & MSG_TRUNC) != 0);
  struct sockaddr unspec = { 0 };
  unspec.sa_family = AF_UNSPEC;
  CHECK("connect AF_UNSPEC", connect(b, &unspec, sizeof unspec));
  CHECK("send, no peer again", send(b, "x", 1, 0));
  CHECK("listen on a datagram socket", listen(a, 1));
  struct iovec parts[2] = { { "one", 3 }, { "three", 5 } };
  struct mmsghdr messages[2] = { 0 };
  for (int i = 0; i < 2; i++) {
    messages[i].msg_hdr.msg_name = &to;
    messages[i].msg_hdr.msg_namelen = sizeof to;
    messages[i].msg_hdr.msg_iov = &parts[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  CHECK("sendmmsg", sendmmsg(b, messages, 2, 0));
  printf("lengths %u %u\n", messages[0].msg_len, messages[1].msg_len);
  CHECK("recv the first", recv(a, buffer, sizeof buffer, 0));
  CHECK("recv the second", recv(a, buffer, sizeof buffer, 0));
  CHECK("sendmmsg on a closed descriptor", sendmmsg(99, messages, 2, 0));
  struct timeval wait = { 0, 100000 };
  CHECK("SO_RCVTIMEO", setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait));
  CHECK("recv, timing out", recv(a, buffer, sizeof buffer, 0));
  CHECK("SO_RCVTIMEO, short", setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &wait, 4));
  CHECK("an unknown option", setsockopt(a, SOL_SOCKET, 9999, &wait, 4));
  int pipes[2];
  pipe(pipes);
  struct sockaddr_in name = { 0 };
  socklen_t name_length = sizeof name;
  CHECK("getsockname on a pipe", getsockname(pipes[0], (struct sockaddr *)&name, &name_length));
  CHECK("bind a pipe", bind(pipes[0], (struct sockaddr *)&any, sizeof any));
  close(pipes[0]);
  close(pipes[1]);
  int value = 0;
  socklen_t size = sizeof value;
  CHECK("SO_TYPE", getsockopt(a, SOL_SOCKET, SO_TYPE, &value, &size));
  printf("type %d\n", value);
  CHECK("SO_PROTOCOL", getsockopt(a, SOL_SOCKET, SO_PROTOCOL, &value, &size));
  printf("protocol %d\n", value);
  close(a);
  close(b);
}

static void tcp(void) {
  int listener = CHECK("tcp socket", socket(AF_INET, SOCK_STREAM, 0));
  int one = 1, value = 0;
  socklen_t size = sizeof value;
  CHECK("SO_REUSEADDR", setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
  struct sockaddr_in any = loopback(0);
  CHECK("accept, not listening", accept(listener, NULL, NULL));
  CHECK("bind", bind(listener, (struct sockaddr *)&any, sizeof any));
  CHECK("listen", listen(listener, 4));
  CHECK("SO_ACCEPTCONN", getsockopt(listener, SOL_SOCKET, SO_ACCEPTCONN, &value, &size));
  printf("accepting %d\n", value);
  unsigned short port = port_of(listener);
  struct sockaddr_in to = loopback(port), peer = { 0 };
  int taken = socket(AF_INET, SOCK_STREAM, 0);
  CHECK("bind a port a listener holds", bind(taken, (struct sockaddr *)&to, sizeof to));
  close(taken);
  fcntl(listener, F_SETFL, O_NONBLOCK);
  CHECK("accept, none waiting", accept(listener, NULL, NULL));
  int client = socket(AF_INET, SOCK_STREAM, 0);
  char buffer[64] = { 0 };
  CHECK("recv before connect", recv(client, buffer, sizeof buffer, 0));
  CHECK("send before connect", send(client, "x", 1, MSG_NOSIGNAL));
  CHECK("getpeername before connect", getpeername(client, (struct sockaddr *)&peer, &size));
  CHECK("connect", connect(client, (struct sockaddr *)&to, sizeof to));
  report_poll("poll the listener", listener, POLLIN, 1000);
  socklen_t length = sizeof peer;
  int server = CHECK_OK("accept", accept(listener, (struct sockaddr *)&peer, &length));
  printf("peer address length %d\n", (int)length);
  EXPECT("the peer is the client's port", ntohs(peer.sin_port) == port_of(client));
  EXPECT("the peer is 127.0.0.1", peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
  CHECK("connect again", connect(client, (struct sockaddr *)&to, sizeof to));
  CHECK("TCP_NODELAY", setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
  size = sizeof value;
  CHECK("TCP_NODELAY read", getsockopt(client, IPPROTO_TCP, TCP_NODELAY, &value, &size));
  printf("nodelay %d\n", value != 0);
  CHECK("write", write(client, "hello", 5));
  report_poll("poll the server", server, POLLIN, 1000);
  int waiting = -1;
  CHECK("FIONREAD, 5 bytes", ioctl(server, FIONREAD, &waiting));
  printf("waiting %d\n", waiting);
  CHECK("FIONREAD on a listener", ioctl(listener, FIONREAD, &waiting));
  CHECK("recv 3, MSG_PEEK", recv(server, buffer, 3, MSG_PEEK));
  printf("peeked: %.3s\n", buffer);
  CHECK("read", read(server, buffer, sizeof buffer));
  printf("read: %s\n", buffer);
  int file = open("inet-sendfile", O_RDWR | O_CREAT | O_TRUNC, 0644);
  write(file, "file bytes", 10);
  off_t offset = 5;
  CHECK("sendfile from offset 5", sendfile(client, file, &offset, 100));
  printf("offset after: %ld\n", (long)offset);
  memset(buffer, 0, sizeof buffer);
  report_poll("poll the server again", server, POLLIN, 1000);
  CHECK("read what sendfile sent", read(server, buffer, sizeof buffer));
  printf("read: %s\n", buffer);
  CHECK("sendfile from a socket", sendfile(client, server, NULL, 10));
  CHECK("sendfile from a closed descriptor", sendfile(client, 99, NULL, 10));
  close(file);
  unlink("inet-sendfile");
  CHECK("shutdown SHUT_WR", shutdown(client, SHUT_WR));
  CHECK("read, the end", read(server, buffer, sizeof buffer));
  CHECK("write back", write(server, "bye", 3));
  memset(buffer, 0, sizeof buffer);
  CHECK("read back", read(client, buffer, sizeof buffer));
  printf("read: %s\n", buffer);
  close(server);
  CHECK("read, the server closed", read(client, buffer, sizeof buffer));
  close(client);

  CHECK("accept4, a bad flag", accept4(listener, NULL, NULL, 0x1));
  int again = socket(AF_INET, SOCK_STREAM, 0);
  CHECK("connect a second", connect(again, (struct sockaddr *)&to, sizeof to));
  server = CHECK_OK("accept4", accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK));
  CHECK("its FD_CLOEXEC", fcntl(server, F_GETFD));
  CHECK("its O_NONBLOCK", (fcntl(server, F_GETFL) & O_NONBLOCK) != 0);
  CHECK("read, nothing there", read(server, buffer, sizeof buffer));
  close(server);
  close(again);

  int late = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  CHECK("non-blocking connect", connect(late, (struct sockaddr *)&to, sizeof to));
  report_poll("poll the connecting socket", late, POLLOUT, 2000);
  size = sizeof value;
  value = -1;
  CHECK("SO_ERROR", getsockopt(late, SOL_SOCKET, SO_ERROR, &value, &size));
  printf("error %d\n", value);
  CHECK("connect once connected", connect(late, (struct sockaddr *)&to, sizeof to));
  server = accept(listener, NULL, NULL);
  close(server);
  close(late);
  close(listener);

  int refused = socket(AF_INET, SOCK_STREAM, 0);
  CHECK("connect to a closed port", connect(refused, (struct sockaddr *)&to, sizeof to));
  close(refused);
}

int main(void) {
  scratch("inet");
  loopback_up();
  CHECK("a protocol of another type", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
  CHECK("SOCK_SEQPACKET", socket(AF_INET, SOCK_SEQPACKET, 0));
  CHECK("a type past SOCK_MAX", socket(AF_INET, 12, 0));
  CHECK("an unknown flag", socket(AF_INET, SOCK_STREAM | 0x100, 0));
  udp();
  tcp();
  return 0;
}
