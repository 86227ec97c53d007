/* unix-names: AF_UNIX sockets with names. A stream socket bound to a path (a socket file: fstat
 * and stat say so), listening, connected to from another socket and from a forked child,
 * accepted (the peer unnamed), bytes both ways and SCM_RIGHTS over it; getsockname's path and
 * lengths; an abstract name; SOCK_SEQPACKET keeping message boundaries; and the errors: a name
 * taken (EADDRINUSE), a second bind (EINVAL), connect to no file (ENOENT), to a file that is no
 * socket, a socket nobody listens on or a listener of another type (ECONNREFUSED), accept with nothing queued (EAGAIN), reads and writes before a connection. */
#include "sockets.h"
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(void) {
  scratch("unix-names");
  unlink("server.sock");
  struct sockaddr_un address, other;
  socklen_t length = named(&address, "server.sock");
  int listener = CHECK("socket", socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  CHECK("SOCK_DGRAM with a protocol", socket(AF_UNIX, SOCK_STREAM, 6));
  CHECK("connect to no file", connect(listener, (struct sockaddr *)&address, length));
  CHECK("read before a connection", read(listener, &other, 1));
  CHECK("bind", bind(listener, (struct sockaddr *)&address, length));
  CHECK("bind again", bind(listener, (struct sockaddr *)&address, length));
  struct stat info;
  CHECK("stat the socket file", stat("server.sock", &info));
  EXPECT("it is a socket", S_ISSOCK(info.st_mode));
  int taken = socket(AF_UNIX, SOCK_STREAM, 0);
  struct pollfd unconnected = { taken, POLLIN | POLLOUT, 0 };
  CHECK("poll a socket not connected", poll(&unconnected, 1, 0));
  printf("revents %#x\n", unconnected.revents);
  CHECK("shutdown a socket not connected", shutdown(taken, SHUT_RDWR));
  CHECK("bind a name taken", bind(taken, (struct sockaddr *)&address, length));
  CHECK("connect to a socket nobody listens on", connect(taken, (struct sockaddr *)&address, length));
  close(taken);
  socklen_t got = sizeof other;
  CHECK("getsockname", getsockname(listener, (struct sockaddr *)&other, &got));
  printf("name: %s, length %d\n", other.sun_path, (int)got);
  CHECK("getpeername, not connected", getpeername(listener, (struct sockaddr *)&other, &got));
  CHECK("listen", listen(listener, 4));
  int value = 0;
  socklen_t size = sizeof value;
  CHECK("SO_ACCEPTCONN", getsockopt(listener, SOL_SOCKET, SO_ACCEPTCONN, &value, &size));
  printf("accepting %d\n", value);
  fcntl(listener, F_SETFL, O_NONBLOCK);
  CHECK("accept, none queued", accept(listener, NULL, NULL));

  int client = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK("connect", connect(client, (struct sockaddr *)&address, length));
  struct pollfd entry = { listener, POLLIN, 0 };
  int ready = poll(&entry, 1, 1000);
  printf("poll the listener: %d %#x\n", ready, entry.revents);
  got = sizeof other;
  int server = CHECK_OK("accept", accept(listener, (struct sockaddr *)&other, &got));
  printf("peer length %d, family %d\n", (int)got, other.sun_family);
  CHECK("write", write(client, "hello", 5));
  char buffer[32] = { 0 };
  CHECK("read", read(server, buffer, sizeof buffer));
  printf("read: %s\n", buffer);
  CHECK("write back", write(server, "bye", 3));
  memset(buffer, 0, sizeof buffer);
  CHECK("read back", read(client, buffer, sizeof buffer));
  printf("read: %s\n", buffer);
  CHECK("connect again", connect(client, (struct sockaddr *)&address, length));
  /* A descriptor over the named connection. */
  int pipes[2];
  pipe(pipes);
  char control[CMSG_SPACE(sizeof(int))] = { 0 };
  struct iovec vector = { "p", 1 };
  struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
  struct cmsghdr *header = CMSG_FIRSTHDR(&message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(header), &pipes[1], sizeof(int));
  CHECK("sendmsg a pipe's end", sendmsg(client, &message, 0));
  char received_control[CMSG_SPACE(sizeof(int))] = { 0 };
  char byte = 0;
  struct iovec in = { &byte, 1 };
  struct msghdr incoming = { .msg_iov = &in, .msg_iovlen = 1, .msg_control = received_control, .msg_controllen = sizeof received_control };
  CHECK("recvmsg it", recvmsg(server, &incoming, 0));
  int passed = -1;
  memcpy(&passed, CMSG_DATA(CMSG_FIRSTHDR(&incoming)), sizeof(int));
  passed_end_works(passed, pipes[0]);
  close(passed);
  close(pipes[0]);
  close(pipes[1]);
  close(client);
  CHECK("read, the client closed", read(server, buffer, sizeof buffer));
  close(server);

  /* A forked child connects. */
  pid_t child = fork();
  if (child == 0) {
    int mine = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(mine, (struct sockaddr *)&address, length) != 0) _exit(1);
    _exit(write(mine, "child", 5) == 5 ? 0 : 2);
  }
  wait_report("the child", child);
  server = accept(listener, NULL, NULL);
  memset(buffer, 0, sizeof buffer);
  CHECK("read the child's bytes", read(server, buffer, sizeof buffer));
  printf("read: %s\n", buffer);
  close(server);

  /* The abstract namespace, and SOCK_SEQPACKET. */
  struct sockaddr_un hidden;
  socklen_t hidden_length = abstract_name(&hidden, "capsid-conformance");
  int packets = socket(AF_UNIX, SOCK_SEQPACKET, 0);
  CHECK("bind an abstract name", bind(packets, (struct sockaddr *)&hidden, hidden_length));
  got = sizeof other;
  memset(&other, 0, sizeof other);
  CHECK("getsockname, abstract", getsockname(packets, (struct sockaddr *)&other, &got));
  printf("abstract: %s, length %d\n", other.sun_path + 1, (int)got);
  CHECK("listen", listen(packets, 2));
  int stream = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK("connect a stream to a seqpacket listener", connect(stream, (struct sockaddr *)&hidden, hidden_length));
  close(stream);
  int sender = socket(AF_UNIX, SOCK_SEQPACKET, 0);
  CHECK("connect", connect(sender, (struct sockaddr *)&hidden, hidden_length));
  int receiver = CHECK_OK("accept", accept(packets, NULL, NULL));
  CHECK("send one", send(sender, "one", 3, 0));
  CHECK("send three", send(sender, "three", 5, 0));
  memset(buffer, 0, sizeof buffer);
  CHECK("recv the first", recv(receiver, buffer, sizeof buffer, 0));
  CHECK("recv the second", recv(receiver, buffer, sizeof buffer, 0));
  close(sender);
  close(receiver);
  close(packets);

  close(listener);
  CHECK("connect after the listener closed", connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&address, length));
  CHECK("unlink the socket file", unlink("server.sock"));
  int plain = open("plain", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  close(plain);
  length = named(&address, "plain");
  CHECK("connect to a file that is no socket", connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&address, length));
  unlink("plain");
  return 0;
}
