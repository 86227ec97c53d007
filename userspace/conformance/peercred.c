/* peercred: SO_PEERCRED on AF_UNIX sockets, the process at the other end. A socketpair's ends
 * (stream and datagram) name their maker; a connection's client names the process that called
 * listen, and the accepted end the process that connected (a forked child); a listening socket
 * names itself; an unconnected one pid 0 and ids of -1; a short length gets the pid alone.
 * Pids differ between kernels: they are compared, not printed. */
#include "sockets.h"

static struct ucred peer(int fd, socklen_t *length) {
  struct ucred credentials = { -1, 12345, 12345 };
  socklen_t size = length != NULL ? *length : sizeof credentials;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0) printf("getsockopt: -1 %s\n", errno_name(errno));
  if (length != NULL) *length = size;
  return credentials;
}

int main(void) {
  scratch("peercred");
  int pair[2];
  CHECK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, pair));
  struct ucred got = peer(pair[0], NULL);
  EXPECT("a stream pair's end: this process", got.pid == getpid());
  printf("uid %d, gid %d\n", (int)got.uid, (int)got.gid);
  socklen_t length = 4;
  got = peer(pair[1], &length);
  printf("a short length: %u bytes, this pid: %s, uid untouched: %s\n", (unsigned)length, got.pid == getpid() ? "yes" : "no",
    got.uid == 12345 ? "yes" : "no");
  close(pair[0]);
  close(pair[1]);
  CHECK("socketpair, datagrams", socketpair(AF_UNIX, SOCK_DGRAM, 0, pair));
  EXPECT("a datagram pair's end: this process", peer(pair[0], NULL).pid == getpid());
  close(pair[0]);
  close(pair[1]);

  int loose = socket(AF_UNIX, SOCK_STREAM, 0);
  got = peer(loose, NULL);
  printf("unconnected: pid %d, uid %d, gid %d\n", (int)got.pid, (int)got.uid, (int)got.gid);
  close(loose);

  struct sockaddr_un address;
  socklen_t size = named(&address, "peer.sock");
  int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK("bind", bind(listener, (struct sockaddr *)&address, size));
  CHECK("listen", listen(listener, 4));
  EXPECT("the listener: this process", peer(listener, NULL).pid == getpid());
  pid_t parent = getpid();
  pid_t child = fork();
  if (child == 0) {
    int client = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(client, (struct sockaddr *)&address, size) != 0) _exit(2);
    struct ucred other = peer(client, NULL);
    char byte = 0;
    if (read(client, &byte, 1) != 1) _exit(3);   // until the parent looked
    _exit(other.pid == parent && other.uid == 0 ? 0 : 1);
  }
  int accepted = (int)CHECK("accept", accept(listener, NULL, NULL));
  EXPECT("the accepted end: the child", peer(accepted, NULL).pid == child);
  CHECK("write", write(accepted, "x", 1));
  wait_report("the child saw the listener's process", child);
  close(accepted);
  close(listener);
  unlink("peer.sock");
  return 0;
}
