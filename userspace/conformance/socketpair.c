/* socketpair: a connected pair of AF_UNIX stream sockets. Its errors (domain, type, flags,
 * protocol, address), bytes both ways through read/write, send/recv, sendmsg/recvmsg and
 * MSG_PEEK, shutdown of each direction, the peer's close (EOF, then EPIPE with SIGPIPE, or without
 * it under MSG_NOSIGNAL), non-blocking reads, getsockopt, fstat's type, poll's readiness, calls
 * on a descriptor that is no socket, and a pair across fork. */
#include "report.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static volatile int pipe_signals;
static void on_sigpipe(int signal) { (void)signal; pipe_signals++; }

static void report_poll(const char *label, int fd, short events) {
  struct pollfd entry = { fd, events, 0 };
  int ready = poll(&entry, 1, 0);
  printf("%s: %d %#x\n", label, ready, entry.revents);
}

int main(void) {
  int sv[2];
  CHECK("AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, sv));
  CHECK("an unknown family", socketpair(99, SOCK_STREAM, 0, sv));
  CHECK("a type past SOCK_MAX", socketpair(AF_UNIX, 12, 0, sv));
  CHECK("an unknown type", socketpair(AF_UNIX, 9, 0, sv));
  CHECK("an unknown flag", socketpair(AF_UNIX, SOCK_STREAM | 0x100, 0, sv));
  CHECK("a protocol", socketpair(AF_UNIX, SOCK_STREAM, 6, sv));
  CHECK("a bad address", syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, 16));
  CHECK("socketpair", socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
  CHECK("FD_CLOEXEC", fcntl(sv[0], F_GETFD));
  struct stat info;
  fstat(sv[0], &info);
  EXPECT("fstat: a socket", S_ISSOCK(info.st_mode));
  int value = -1;
  socklen_t length = sizeof value;
  CHECK("SO_TYPE", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &value, &length));
  printf("type: %d, length %d\n", value, (int)length);
  CHECK("SO_ERROR", getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &value, &length));
  printf("error: %d\n", value);
  CHECK("SO_DOMAIN", getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &value, &length));
  printf("domain: %d\n", value);
  CHECK("an unknown option", getsockopt(sv[0], SOL_SOCKET, 9999, &value, &length));

  report_poll("poll, nothing sent", sv[1], POLLIN | POLLOUT);
  CHECK("write", write(sv[0], "hello", 5));
  report_poll("poll, 5 bytes in", sv[1], POLLIN | POLLOUT);
  char buffer[32] = { 0 };
  CHECK("recv MSG_PEEK", recv(sv[1], buffer, 3, MSG_PEEK));
  printf("peeked: %.3s\n", buffer);
  CHECK("read", read(sv[1], buffer, sizeof buffer));
  printf("read: %.5s\n", buffer);
  CHECK("send back", send(sv[1], "world", 5, 0));
  CHECK("recv", recv(sv[0], buffer, sizeof buffer, 0));
  printf("recv: %.5s\n", buffer);
  CHECK("recv MSG_DONTWAIT, nothing there", recv(sv[0], buffer, sizeof buffer, MSG_DONTWAIT));
  CHECK("sendto with an address", sendto(sv[0], "x", 1, 0, (struct sockaddr *)&info, 16));

  struct iovec parts[2] = { { "ab", 2 }, { "cde", 3 } };
  struct msghdr message = { 0 };
  message.msg_iov = parts;
  message.msg_iovlen = 2;
  CHECK("sendmsg", sendmsg(sv[0], &message, 0));
  char first[2], rest[8];
  struct iovec into[2] = { { first, 2 }, { rest, 8 } };
  struct msghdr received = { 0 };
  received.msg_iov = into;
  received.msg_iovlen = 2;
  CHECK("recvmsg", recvmsg(sv[1], &received, 0));
  printf("recvmsg: %.2s %.3s, flags %d, controllen %d\n", first, rest, received.msg_flags, (int)received.msg_controllen);

  struct sockaddr_storage from;
  socklen_t from_length = sizeof from;
  write(sv[0], "z", 1);
  CHECK("recvfrom", recvfrom(sv[1], buffer, sizeof buffer, 0, (struct sockaddr *)&from, &from_length));
  printf("recvfrom's address length: %d\n", (int)from_length);

  CHECK("shutdown with a bad how", shutdown(sv[0], 7));
  CHECK("shutdown SHUT_WR", shutdown(sv[0], SHUT_WR));
  report_poll("poll, the peer shut writing", sv[1], POLLIN | POLLOUT | POLLRDHUP);
  CHECK("read at the end of the stream", read(sv[1], buffer, sizeof buffer));
  CHECK("the peer still writes", write(sv[1], "ok", 2));
  CHECK("and this end reads it", read(sv[0], buffer, sizeof buffer));
  signal(SIGPIPE, on_sigpipe);
  CHECK("write after SHUT_WR", write(sv[0], "x", 1));
  printf("SIGPIPEs: %d\n", pipe_signals);
  close(sv[0]);
  report_poll("poll, the peer closed", sv[1], POLLIN | POLLOUT | POLLRDHUP);
  CHECK("write to a closed peer", write(sv[1], "x", 1));
  printf("SIGPIPEs: %d\n", pipe_signals);
  CHECK("send MSG_NOSIGNAL to a closed peer", send(sv[1], "x", 1, MSG_NOSIGNAL));
  printf("SIGPIPEs: %d\n", pipe_signals);
  close(sv[1]);

  int ends[2];
  pipe(ends);
  CHECK("send on a pipe", send(ends[1], "x", 1, 0));
  CHECK("shutdown on a pipe", shutdown(ends[0], SHUT_RD));
  CHECK("getsockopt on a pipe", getsockopt(ends[0], SOL_SOCKET, SO_TYPE, &value, &length));
  CHECK("shutdown on a closed descriptor", shutdown(99, SHUT_RD));
  close(ends[0]);
  close(ends[1]);

  CHECK("a non-blocking pair", socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
  CHECK("read, nothing there", read(sv[0], buffer, sizeof buffer));
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    close(sv[0]);
    char got[8] = { 0 };
    fcntl(sv[1], F_SETFL, 0);
    ssize_t n = read(sv[1], got, sizeof got);
    write(sv[1], got, (size_t)(n > 0 ? n : 0));
    _exit(n == 4 ? 0 : 1);
  }
  close(sv[1]);
  write(sv[0], "ping", 4);
  fcntl(sv[0], F_SETFL, 0);
  CHECK("the child's echo", read(sv[0], buffer, sizeof buffer));
  printf("echo: %.4s\n", buffer);
  wait_report("child", child);
  return 0;
}
