/* scm-rights: passing descriptors over a socketpair (SCM_RIGHTS). A child that never opened the
 * file reads it through the descriptor it received; a pipe's write end passed the other way; two
 * descriptors into a control buffer with room for one (MSG_CTRUNC); a plain read that drops what
 * was passed; the read that stops at the end of the bytes that carried descriptors; sendmsg's
 * errors (a closed descriptor, a malformed control message); MSG_CMSG_CLOEXEC. */
#include "report.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>

static long send_fds(int socket, const char *bytes, size_t length, const int *fds, int count) {
  struct iovec part = { (void *)bytes, length };
  union { struct cmsghdr header; char space[CMSG_SPACE(4 * sizeof(int))]; } control;
  memset(&control, 0, sizeof control);
  struct msghdr message = { 0 };
  message.msg_iov = &part;
  message.msg_iovlen = 1;
  if (count > 0) {
    message.msg_control = &control;
    message.msg_controllen = CMSG_SPACE((size_t)count * sizeof(int));
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN((size_t)count * sizeof(int));
    memcpy(CMSG_DATA(header), fds, (size_t)count * sizeof(int));
  }
  return sendmsg(socket, &message, 0);
}

/* Receives into `bytes`; the descriptors to `fds` (room for `room`); prints what came. */
static long receive_fds(const char *label, int socket, char *bytes, size_t length, int *fds, int room, int flags) {
  struct iovec part = { bytes, length };
  union { struct cmsghdr header; char space[CMSG_SPACE(4 * sizeof(int))]; } control;
  memset(&control, 0, sizeof control);
  struct msghdr message = { 0 };
  message.msg_iov = &part;
  message.msg_iovlen = 1;
  message.msg_control = room > 0 ? &control : NULL;
  message.msg_controllen = room > 0 ? CMSG_LEN((size_t)room * sizeof(int)) : 0;
  errno = 0;
  long got = recvmsg(socket, &message, flags);
  if (got < 0) {
    printf("%s: -1 %s\n", label, errno_name(errno));
    return got;
  }
  int count = 0;
  for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
    int n = (int)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (int i = 0; i < n && count < room; i++) memcpy(&fds[count++], CMSG_DATA(header) + i * sizeof(int), sizeof(int));
  }
  printf("%s: %ld bytes \"%.*s\", %d descriptors%s\n", label, got, (int)got, bytes, count, (message.msg_flags & MSG_CTRUNC) ? ", MSG_CTRUNC" : "");
  return got;
}

int main(void) {
  if (chdir("/tmp") != 0) return 1;
  int sv[2];
  CHECK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    close(sv[0]);
    char bytes[16];
    int fds[4] = { -1, -1, -1, -1 };
    receive_fds("child: the file", sv[1], bytes, sizeof bytes, fds, 1, 0);
    char content[16] = { 0 };
    CHECK("child: pread through it", pread(fds[0], content, sizeof content - 1, 0));
    printf("child: content \"%s\"\n", content);
    int ends[2];
    pipe(ends);
    send_fds(sv[1], "p", 1, &ends[1], 1);
    close(ends[1]);
    char back[8] = { 0 };
    CHECK("child: read what the parent wrote into the passed end", read(ends[0], back, sizeof back));
    printf("child: \"%s\"\n", back);
    fflush(stdout);
    _exit(0);
  }
  close(sv[1]);
  /* The parent prints only once the child is done: their lines would race otherwise. */
  int file = open("scm-rights.txt", O_CREAT | O_TRUNC | O_RDWR, 0600);
  write(file, "passed", 6);
  errno = 0;
  long sent = send_fds(sv[0], "f", 1, &file, 1);
  int sent_error = errno;
  close(file);
  char bytes[16];
  int fds[4] = { -1, -1, -1, -1 };
  struct iovec part0 = { bytes, sizeof bytes };
  union { struct cmsghdr header; char space[CMSG_SPACE(sizeof(int))]; } control0;
  struct msghdr message0 = { 0 };
  message0.msg_iov = &part0;
  message0.msg_iovlen = 1;
  message0.msg_control = &control0;
  message0.msg_controllen = sizeof control0;
  long got = recvmsg(sv[0], &message0, 0);
  struct cmsghdr *header0 = CMSG_FIRSTHDR(&message0);
  if (header0 != NULL && header0->cmsg_type == SCM_RIGHTS) memcpy(&fds[0], CMSG_DATA(header0), sizeof(int));
  long wrote = write(fds[0], "hi", 2);
  close(fds[0]);
  wait_report("child", child);
  report("sendmsg with the file", sent, sent_error);
  printf("parent: %ld bytes, a descriptor: %s\n", got, header0 != NULL && fds[0] >= 0 ? "yes" : "no");
  CHECK("parent: write into the passed end", wrote);
  unlink("scm-rights.txt");
  close(sv[0]);

  CHECK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  int two[2];
  pipe(two);
  CHECK("sendmsg with two descriptors", send_fds(sv[0], "ab", 2, two, 2));
  int lowest = dup(0);
  close(lowest);
  receive_fds("room for one", sv[1], bytes, sizeof bytes, fds, 1, 0);
  EXPECT("the one given is the lowest free descriptor", fds[0] == lowest);
  int after = dup(0);
  close(after);
  EXPECT("the other was closed", after == lowest + 1);
  close(fds[0]);

  CHECK("sendmsg with one", send_fds(sv[0], "cd", 2, &two[0], 1));
  CHECK("a plain read", read(sv[1], bytes, sizeof bytes));
  int free_now = dup(0);
  close(free_now);
  EXPECT("it dropped the descriptor", free_now == lowest);

  CHECK("send without", send(sv[0], "xy", 2, 0));
  CHECK("sendmsg with one", send_fds(sv[0], "ab", 2, &two[1], 1));
  CHECK("send without", send(sv[0], "cd", 2, 0));
  receive_fds("a read across them", sv[1], bytes, sizeof bytes, fds, 2, MSG_CMSG_CLOEXEC);
  CHECK("FD_CLOEXEC with MSG_CMSG_CLOEXEC", fcntl(fds[0], F_GETFD));
  close(fds[0]);
  receive_fds("the rest", sv[1], bytes, sizeof bytes, fds, 2, 0);

  int closed = 99;
  CHECK("sendmsg with a closed descriptor", send_fds(sv[0], "z", 1, &closed, 1));
  struct iovec part = { "z", 1 };
  char raw[32] = { 0 };
  struct msghdr message = { 0 };
  message.msg_iov = &part;
  message.msg_iovlen = 1;
  message.msg_control = raw;
  message.msg_controllen = sizeof raw;
  ((struct cmsghdr *)raw)->cmsg_len = 200;
  ((struct cmsghdr *)raw)->cmsg_level = SOL_SOCKET;
  ((struct cmsghdr *)raw)->cmsg_type = SCM_RIGHTS;
  CHECK("sendmsg with a control message longer than the buffer", sendmsg(sv[0], &message, 0));
  close(two[0]);
  close(two[1]);
  close(sv[0]);
  close(sv[1]);
  return 0;
}
