/* unix-dgram: AF_UNIX datagram sockets with names. A socket bound to a path receives datagrams
 * with their boundaries and their senders' names (none for an unbound sender); a reply to the
 * sender's name; MSG_PEEK, MSG_TRUNC, FIONREAD; connect naming a default peer (send, write,
 * getpeername), refusing others (EPERM), undone with AF_UNSPEC; a queue full (how many datagrams
 * fit, EAGAIN, POLLOUT off and on again); the abstract namespace; SCM_RIGHTS in a datagram; a
 * forked sender; shutdown; and the errors: no such file (ENOENT), a socket of another type at
 * the path (EPROTOTYPE), nothing bound there (ECONNREFUSED), a peer that went (ECONNREFUSED, then
 * ENOTCONN), no address (ENOTCONN), listen and accept (EOPNOTSUPP). */
#include "sockets.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

/** Receives one datagram on `fd` and prints it and its sender's name. */
static void receive(const char *label, int fd, int flags) {
  char buffer[64] = { 0 };
  struct sockaddr_un from;
  memset(&from, 0, sizeof from);
  socklen_t length = sizeof from;
  long got = recvfrom(fd, buffer, sizeof buffer - 1, flags, (struct sockaddr *)&from, &length);
  if (got < 0) {
    printf("%s: -1 %s\n", label, errno_name(errno));
    return;
  }
  const char *sender = length > offsetof(struct sockaddr_un, sun_path) ? (from.sun_path[0] ? from.sun_path : "@abstract") : "(unnamed)";
  printf("%s: %ld \"%s\" from %s, length %d\n", label, got, buffer, sender, (int)length);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  scratch("unix-dgram");
  unlink("server.sock");
  unlink("client.sock");
  unlink("stream.sock");
  struct sockaddr_un server_address, client_address, other;
  socklen_t server_length = named(&server_address, "server.sock");
  socklen_t client_length = named(&client_address, "client.sock");
  int server = CHECK("socket", socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  int type = 0;
  socklen_t size = sizeof type;
  CHECK("SO_TYPE", getsockopt(server, SOL_SOCKET, SO_TYPE, &type, &size));
  printf("type %d\n", type);
  CHECK("sendto no file", sendto(server, "x", 1, 0, (struct sockaddr *)&server_address, server_length));
  CHECK("send without an address", send(server, "x", 1, 0));
  CHECK("write without a peer", write(server, "x", 1));
  CHECK("bind", bind(server, (struct sockaddr *)&server_address, server_length));
  CHECK("bind again", bind(server, (struct sockaddr *)&server_address, server_length));
  struct stat info;
  CHECK("stat the socket file", stat("server.sock", &info));
  EXPECT("it is a socket", S_ISSOCK(info.st_mode));
  CHECK("listen", listen(server, 1));
  CHECK("accept", accept(server, NULL, NULL));
  socklen_t got = sizeof other;
  CHECK("getsockname", getsockname(server, (struct sockaddr *)&other, &got));
  printf("name: %s, length %d\n", other.sun_path, (int)got);
  CHECK("getpeername, not connected", getpeername(server, (struct sockaddr *)&other, &got));

  /* An unbound sender, then a bound one, and a reply. */
  int client = socket(AF_UNIX, SOCK_DGRAM, 0);
  CHECK("sendto from an unbound socket", sendto(client, "hello", 5, 0, (struct sockaddr *)&server_address, server_length));
  receive("recvfrom", server, 0);
  CHECK("bind the client", bind(client, (struct sockaddr *)&client_address, client_length));
  CHECK("sendto one", sendto(client, "one", 3, 0, (struct sockaddr *)&server_address, server_length));
  CHECK("sendto three", sendto(client, "three", 5, 0, (struct sockaddr *)&server_address, server_length));
  CHECK("sendto empty", sendto(client, "", 0, 0, (struct sockaddr *)&server_address, server_length));
  int waiting = -1;
  CHECK("FIONREAD", ioctl(server, FIONREAD, &waiting));
  printf("next datagram: %d bytes\n", waiting);
  receive("MSG_PEEK", server, MSG_PEEK);
  receive("recvfrom the first", server, 0);
  char small[2];
  CHECK("recv cut to 2 bytes", recv(server, small, sizeof small, 0));
  CHECK("recv the empty one", recv(server, small, sizeof small, 0));
  CHECK("recv, none left", recv(server, small, sizeof small, MSG_DONTWAIT));
  CHECK("sendto three again", sendto(client, "three", 5, 0, (struct sockaddr *)&server_address, server_length));
  CHECK("recv MSG_TRUNC", recv(server, small, sizeof small, MSG_TRUNC));
  CHECK("sendto three once more", sendto(client, "three", 5, 0, (struct sockaddr *)&server_address, server_length));
  struct iovec piece = { small, sizeof small };
  struct msghdr message = { .msg_name = &other, .msg_namelen = sizeof other, .msg_iov = &piece, .msg_iovlen = 1 };
  CHECK("recvmsg cut", recvmsg(server, &message, 0));
  printf("msg_flags MSG_TRUNC %d, from %s, length %d\n", (message.msg_flags & MSG_TRUNC) != 0, other.sun_path, (int)message.msg_namelen);
  CHECK("reply", sendto(server, "reply", 5, 0, (struct sockaddr *)&client_address, client_length));
  receive("the client receives", client, 0);

  /* connect: a default peer, and no one else may send. */
  CHECK("connect", connect(client, (struct sockaddr *)&server_address, server_length));
  got = sizeof other;
  memset(&other, 0, sizeof other);
  CHECK("getpeername", getpeername(client, (struct sockaddr *)&other, &got));
  printf("peer: %s, length %d\n", other.sun_path, (int)got);
  CHECK("send", send(client, "sent", 4, 0));
  CHECK("write", write(client, "written", 7));
  receive("recv sent", server, 0);
  char buffer[64] = { 0 };
  CHECK("read written", read(server, buffer, sizeof buffer));
  int third = socket(AF_UNIX, SOCK_DGRAM, 0);
  CHECK("sendto a socket connected to another", sendto(third, "x", 1, 0, (struct sockaddr *)&client_address, client_length));
  CHECK("connect to it", connect(third, (struct sockaddr *)&client_address, client_length));
  CHECK("sendto the server", sendto(third, "third", 5, 0, (struct sockaddr *)&server_address, server_length));
  receive("the server receives", server, 0);
  struct sockaddr unspecified = { .sa_family = AF_UNSPEC };
  CHECK("connect AF_UNSPEC", connect(client, &unspecified, sizeof unspecified));
  CHECK("send after", send(client, "x", 1, 0));
  CHECK("getpeername after", getpeername(client, (struct sockaddr *)&other, &got));
  CHECK("sendto the client now", sendto(third, "x", 1, MSG_DONTWAIT, (struct sockaddr *)&client_address, client_length));
  receive("the client receives", client, 0);

  /* A full queue. */
  int filler = socket(AF_UNIX, SOCK_DGRAM, 0);
  int sent = 0;
  while (sent < 100 && sendto(filler, "f", 1, MSG_DONTWAIT, (struct sockaddr *)&server_address, server_length) == 1) sent++;
  printf("datagrams queued: %d, then %s\n", sent, errno_name(errno));
  CHECK("connect the filler", connect(filler, (struct sockaddr *)&server_address, server_length));
  struct pollfd entry = { filler, POLLOUT, 0 };
  CHECK("poll POLLOUT, full", poll(&entry, 1, 0));
  entry = (struct pollfd){ server, POLLIN, 0 };
  CHECK("poll the server", poll(&entry, 1, 0));
  printf("revents %#x\n", entry.revents);
  CHECK("recv one", recv(server, small, sizeof small, 0));
  entry = (struct pollfd){ filler, POLLOUT, 0 };
  CHECK("poll POLLOUT, room", poll(&entry, 1, 0));
  printf("revents %#x\n", entry.revents);
  int drained = 0;
  while (recv(server, small, sizeof small, MSG_DONTWAIT) >= 0) drained++;
  printf("drained %d\n", drained);
  close(filler);

  /* The abstract namespace. */
  struct sockaddr_un hidden;
  socklen_t hidden_length = abstract_name(&hidden, "capsid-dgram");
  int secret = socket(AF_UNIX, SOCK_DGRAM, 0);
  CHECK("bind an abstract name", bind(secret, (struct sockaddr *)&hidden, hidden_length));
  CHECK("sendto it", sendto(client, "psst", 4, 0, (struct sockaddr *)&hidden, hidden_length));
  receive("recvfrom", secret, 0);
  CHECK("sendto it from an abstract name", sendto(secret, "back", 4, 0, (struct sockaddr *)&client_address, client_length));
  receive("recvfrom", client, 0);
  int stream_hidden = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK("connect a stream to the abstract datagram name", connect(stream_hidden, (struct sockaddr *)&hidden, hidden_length));
  close(stream_hidden);
  close(secret);

  /* A descriptor in a datagram. */
  int pipes[2];
  pipe(pipes);
  char control[CMSG_SPACE(sizeof(int))] = { 0 };
  struct iovec vector = { "p", 1 };
  struct msghdr outgoing = { .msg_name = &server_address, .msg_namelen = server_length, .msg_iov = &vector, .msg_iovlen = 1,
    .msg_control = control, .msg_controllen = sizeof control };
  struct cmsghdr *header = CMSG_FIRSTHDR(&outgoing);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(header), &pipes[1], sizeof(int));
  int unconnected = socket(AF_UNIX, SOCK_DGRAM, 0);
  CHECK("sendmsg a pipe's end", sendmsg(unconnected, &outgoing, 0));
  char received_control[CMSG_SPACE(sizeof(int))] = { 0 };
  char byte = 0;
  struct iovec in = { &byte, 1 };
  memset(&other, 0, sizeof other);
  struct msghdr incoming = { .msg_name = &other, .msg_namelen = sizeof other, .msg_iov = &in, .msg_iovlen = 1,
    .msg_control = received_control, .msg_controllen = sizeof received_control };
  CHECK("recvmsg it", recvmsg(server, &incoming, 0));
  printf("msg_namelen %d, controllen %d\n", (int)incoming.msg_namelen, (int)incoming.msg_controllen);
  int passed = -1;
  memcpy(&passed, CMSG_DATA(CMSG_FIRSTHDR(&incoming)), sizeof(int));
  passed_end_works(passed, pipes[0]);
  close(passed);
  close(pipes[0]);
  close(pipes[1]);
  close(unconnected);

  /* A forked sender. */
  pid_t child = fork();
  if (child == 0) {
    int mine = socket(AF_UNIX, SOCK_DGRAM, 0);
    _exit(sendto(mine, "child", 5, 0, (struct sockaddr *)&server_address, server_length) == 5 ? 0 : 1);
  }
  wait_report("the child", child);
  receive("recvfrom the child", server, 0);

  /* Another type at the path, nothing bound there, a peer that went. */
  int stream = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un stream_address;
  socklen_t stream_length = named(&stream_address, "stream.sock");
  bind(stream, (struct sockaddr *)&stream_address, stream_length);
  listen(stream, 1);
  CHECK("sendto a stream socket's path", sendto(client, "x", 1, 0, (struct sockaddr *)&stream_address, stream_length));
  CHECK("connect to it", connect(client, (struct sockaddr *)&stream_address, stream_length));
  int stream_client = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK("connect a stream to a datagram path", connect(stream_client, (struct sockaddr *)&server_address, server_length));
  close(stream_client);
  close(stream);
  CHECK("connect the client", connect(client, (struct sockaddr *)&server_address, server_length));
  close(server);
  CHECK("send, the peer went", send(client, "x", 1, 0));
  CHECK("send again", send(client, "x", 1, 0));
  CHECK("sendto a path nothing is bound to", sendto(client, "x", 1, 0, (struct sockaddr *)&server_address, server_length));

  /* shutdown. */
  int quiet = socket(AF_UNIX, SOCK_DGRAM, 0);
  unlink("server.sock");
  CHECK("bind a new server", bind(quiet, (struct sockaddr *)&server_address, server_length));
  CHECK("shutdown SHUT_RD", shutdown(quiet, SHUT_RD));
  CHECK("recv after", recv(quiet, small, sizeof small, 0));
  CHECK("sendto it", sendto(client, "x", 1, 0, (struct sockaddr *)&server_address, server_length));
  CHECK("shutdown SHUT_WR of the client", shutdown(client, SHUT_WR));
  CHECK("sendto after", sendto(client, "x", 1, 0, (struct sockaddr *)&client_address, client_length));
  entry = (struct pollfd){ quiet, POLLIN | POLLOUT | POLLRDHUP, 0 };
  CHECK("poll it", poll(&entry, 1, 0));
  printf("revents %#x\n", entry.revents);
  CHECK("shutdown 7", shutdown(quiet, 7));
  close(quiet);
  close(client);
  close(third);
  unlink("server.sock");
  unlink("client.sock");
  unlink("stream.sock");
  return 0;
}
