/* recvmmsg: several UDP datagrams over loopback in one call. Three queued, five asked for with
 * MSG_WAITFORONE: three, each msg_len its datagram's length and its sender named; two asked for:
 * two, then the third; nothing queued with MSG_DONTWAIT: EAGAIN; a timeout with nanoseconds past
 * a second: EINVAL; an unreadable timeout: EFAULT; a pipe: ENOTSOCK; a closed descriptor: EBADF.
 * Then on an AF_UNIX datagram pair. */
#include "report.h"
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#define COUNT 5

static struct mmsghdr messages[COUNT];
static struct iovec parts[COUNT];
static char buffers[COUNT][32];
static struct sockaddr_in names[COUNT];

static void prepare(void) {
  memset(messages, 0, sizeof messages);
  memset(buffers, 0, sizeof buffers);
  for (int i = 0; i < COUNT; i++) {
    parts[i].iov_base = buffers[i];
    parts[i].iov_len = sizeof buffers[i];
    messages[i].msg_hdr.msg_iov = &parts[i];
    messages[i].msg_hdr.msg_iovlen = 1;
    messages[i].msg_hdr.msg_name = &names[i];
    messages[i].msg_hdr.msg_namelen = sizeof names[i];
  }
}

static void show(const char *label, int count, int named) {
  for (int i = 0; i < count; i++) {
    printf("%s %d: %u bytes, \"%.*s\"", label, i, messages[i].msg_len, (int)messages[i].msg_len, buffers[i]);
    if (named) printf(", from 127.0.0.1: %s", names[i].sin_addr.s_addr == htonl(INADDR_LOOPBACK) ? "yes" : "no");
    printf("\n");
  }
}

static void scenarios(const char *kind, int receiver, int sender, struct sockaddr *to, socklen_t length) {
  char label[64];
  int named = to != NULL;
  const char *words[] = { "one", "three", "fifteen" };
  for (int i = 0; i < 3; i++) sendto(sender, words[i], strlen(words[i]), 0, to, length);
  usleep(100000);
  prepare();
  snprintf(label, sizeof label, "%s: five asked for, three queued", kind);
  int got = (int)CHECK(label, recvmmsg(receiver, messages, COUNT, MSG_WAITFORONE, NULL));
  snprintf(label, sizeof label, "%s: message", kind);
  show(label, got, named);

  for (int i = 0; i < 3; i++) sendto(sender, words[i], strlen(words[i]), 0, to, length);
  usleep(100000);
  prepare();
  snprintf(label, sizeof label, "%s: two asked for", kind);
  got = (int)CHECK(label, recvmmsg(receiver, messages, 2, 0, NULL));
  snprintf(label, sizeof label, "%s: message", kind);
  show(label, got, named);
  prepare();
  struct timespec timeout = { 1, 0 };
  snprintf(label, sizeof label, "%s: the rest, with a timeout", kind);
  got = (int)CHECK(label, recvmmsg(receiver, messages, COUNT, MSG_WAITFORONE, &timeout));
  snprintf(label, sizeof label, "%s: message", kind);
  show(label, got, named);
  snprintf(label, sizeof label, "%s: nothing queued, MSG_DONTWAIT", kind);
  CHECK(label, recvmmsg(receiver, messages, COUNT, MSG_DONTWAIT, NULL));
}

int main(void) {
  int receiver = socket(AF_INET, SOCK_DGRAM, 0), sender = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in address = { 0 };
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  CHECK("bind", bind(receiver, (struct sockaddr *)&address, sizeof address));
  getsockname(receiver, (struct sockaddr *)&address, &length);
  scenarios("udp", receiver, sender, (struct sockaddr *)&address, sizeof address);

  struct timespec bad = { 0, 1000000000 };
  CHECK("nanoseconds past a second", recvmmsg(receiver, messages, COUNT, 0, &bad));
  CHECK("an unreadable timeout", recvmmsg(receiver, messages, COUNT, 0, (struct timespec *)8));
  int pipes[2];
  if (pipe(pipes) != 0) return 1;
  CHECK("a pipe", recvmmsg(pipes[0], messages, COUNT, MSG_DONTWAIT, NULL));
  close(pipes[0]);
  CHECK("a closed descriptor", recvmmsg(pipes[0], messages, COUNT, MSG_DONTWAIT, NULL));
  close(receiver);
  close(sender);

  int pair[2];
  CHECK("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0, pair));
  scenarios("unix", pair[0], pair[1], NULL, 0);
  return 0;
}
