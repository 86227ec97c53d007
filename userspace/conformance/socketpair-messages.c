/* socketpair-messages: AF_UNIX SOCK_DGRAM and SOCK_SEQPACKET pairs keep message boundaries: each
 * read takes one message, cut to the buffer (MSG_TRUNC in recvmsg's flags; recv with MSG_TRUNC
 * answers the whole length); MSG_PEEK leaves it; empty messages; readv/writev gather and scatter
 * one message; EMSGSIZE; SO_TYPE (SOCK_RAW is made SOCK_DGRAM); the peer's end: EOF then EPIPE
 * for SEQPACKET, ECONNREFUSED for DGRAM; a descriptor passed with a message. */
#include "report.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>

static void report_poll(const char *label, int fd) {
  struct pollfd entry = { fd, POLLIN | POLLOUT | POLLRDHUP, 0 };
  int ready = poll(&entry, 1, 0);
  printf("%s: %d %#x\n", label, ready, entry.revents);
}

static void messages(const char *name, int type) {
  int sv[2];
  char label[64], buffer[64];
  snprintf(label, sizeof label, "%s: socketpair", name);
  if (CHECK(label, socketpair(AF_UNIX, type, 0, sv)) != 0) return;
  int value = 0;
  socklen_t length = sizeof value;
  getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &value, &length);
  printf("%s: SO_TYPE %d\n", name, value);
  snprintf(label, sizeof label, "%s: send one", name);
  CHECK(label, send(sv[0], "first", 5, 0));
  snprintf(label, sizeof label, "%s: send two", name);
  CHECK(label, send(sv[0], "second!", 7, 0));
  snprintf(label, sizeof label, "%s: send empty", name);
  CHECK(label, send(sv[0], "", 0, 0));
  snprintf(label, sizeof label, "%s: peek 3", name);
  CHECK(label, recv(sv[1], buffer, 3, MSG_PEEK));
  snprintf(label, sizeof label, "%s: recv 64, one message", name);
  long got = CHECK(label, recv(sv[1], buffer, sizeof buffer, 0));
  printf("%s: \"%.*s\"\n", name, (int)got, buffer);
  struct iovec part = { buffer, 3 };
  struct msghdr message = { 0 };
  message.msg_iov = &part;
  message.msg_iovlen = 1;
  snprintf(label, sizeof label, "%s: recvmsg 3 of 7", name);
  got = CHECK(label, recvmsg(sv[1], &message, 0));
  printf("%s: \"%.*s\", MSG_TRUNC %s\n", name, (int)got, buffer, (message.msg_flags & MSG_TRUNC) ? "yes" : "no");
  snprintf(label, sizeof label, "%s: the empty one", name);
  CHECK(label, recv(sv[1], buffer, sizeof buffer, MSG_DONTWAIT));
  snprintf(label, sizeof label, "%s: nothing left", name);
  CHECK(label, recv(sv[1], buffer, sizeof buffer, MSG_DONTWAIT));
  send(sv[0], "0123456789", 10, 0);
  snprintf(label, sizeof label, "%s: recv 4 with MSG_TRUNC", name);
  CHECK(label, recv(sv[1], buffer, 4, MSG_TRUNC));

  struct iovec gather[3] = { { "ab", 2 }, { "cde", 3 }, { "f", 1 } };
  snprintf(label, sizeof label, "%s: writev", name);
  CHECK(label, writev(sv[0], gather, 3));
  char x[2], y[8];
  struct iovec scatter[2] = { { x, 2 }, { y, 8 } };
  snprintf(label, sizeof label, "%s: readv", name);
  got = CHECK(label, readv(sv[1], scatter, 2));
  printf("%s: \"%.2s\" \"%.*s\"\n", name, x, (int)(got - 2), y);

  static char big[300000];
  snprintf(label, sizeof label, "%s: a message of 300000 bytes", name);
  long big_result = send(sv[0], big, sizeof big, MSG_DONTWAIT);
  printf("%s: %s\n", label, big_result == -1 && (errno == EMSGSIZE || errno == EAGAIN || errno == ENOBUFS) ? "refused" : "sent");

  int file = open("/conformance", O_RDONLY | O_DIRECTORY);
  union { struct cmsghdr header; char space[CMSG_SPACE(sizeof(int))]; } control;
  memset(&control, 0, sizeof control);
  struct iovec one = { "m", 1 };
  struct msghdr with = { 0 };
  with.msg_iov = &one;
  with.msg_iovlen = 1;
  with.msg_control = &control;
  with.msg_controllen = sizeof control;
  struct cmsghdr *header = CMSG_FIRSTHDR(&with);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(header), &file, sizeof(int));
  snprintf(label, sizeof label, "%s: sendmsg with a descriptor", name);
  CHECK(label, sendmsg(sv[0], &with, 0));
  close(file);
  union { struct cmsghdr header; char space[CMSG_SPACE(sizeof(int))]; } into;
  memset(&into, 0, sizeof into);
  struct iovec place = { buffer, sizeof buffer };
  struct msghdr received = { 0 };
  received.msg_iov = &place;
  received.msg_iovlen = 1;
  received.msg_control = &into;
  received.msg_controllen = sizeof into;
  snprintf(label, sizeof label, "%s: recvmsg", name);
  CHECK(label, recvmsg(sv[1], &received, MSG_DONTWAIT));
  struct cmsghdr *came = CMSG_FIRSTHDR(&received);
  int passed = -1;
  if (came != NULL && came->cmsg_type == SCM_RIGHTS) memcpy(&passed, CMSG_DATA(came), sizeof(int));
  struct stat info;
  printf("%s: the descriptor came and names a directory: %s\n", name, passed >= 0 && fstat(passed, &info) == 0 && S_ISDIR(info.st_mode) ? "yes" : "no");
  close(passed);

  snprintf(label, sizeof label, "%s: poll", name);
  report_poll(label, sv[1]);
  close(sv[0]);
  snprintf(label, sizeof label, "%s: poll, the peer closed", name);
  report_poll(label, sv[1]);
  if (type == SOCK_SEQPACKET) {
    snprintf(label, sizeof label, "%s: recv after the peer closed", name);
    CHECK(label, recv(sv[1], buffer, sizeof buffer, 0));
  }
  snprintf(label, sizeof label, "%s: send to the closed peer", name);
  CHECK(label, send(sv[1], "x", 1, MSG_NOSIGNAL));
  close(sv[1]);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  messages("SOCK_DGRAM", SOCK_DGRAM);
  messages("SOCK_SEQPACKET", SOCK_SEQPACKET);
  int sv[2];
  CHECK("SOCK_RAW", socketpair(AF_UNIX, SOCK_RAW, 0, sv));
  int value = 0;
  socklen_t length = sizeof value;
  getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &value, &length);
  printf("SOCK_RAW: SO_TYPE %d\n", value);
  return 0;
}
