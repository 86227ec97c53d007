/* The Linux side of the TCP benchmark (bench/tcp.ts): a program of build/linux/initrd-net.cpio,
 * started as init with rdinit=/tcp-bench in Debian's own kernel under the same QEMU, device and
 * tap as Capsid. It brings virtio-net up at 10.0.2.15/24 (guest-network.h), prints the driver's
 * line, then serves the protocol Capsid's tcp-bench program serves (one thread per port,
 * connections one at a time per port):
 *   5001 sink    accept, read until EOF, close
 *   5002 source  accept, read one line "N\n" (decimal byte count), send N bytes (byte i is i mod
 *                256), close
 *   5003 rr      accept, read until "\n", reply "ok\n", close
 * and prints "tcp-bench: ready" once the three are listening. It runs until QEMU is killed.
 * Run as any process but PID 1 (on the host: bench/tcp.ts measures its client's ceiling against
 * it on loopback), or as init where its modules are not beside it (Capsid's Linux personality,
 * as tcp-bench-posix in the test package: the same binary through POSIX sockets), it skips the
 * network setup and serves on every local address. */
#define _GNU_SOURCE
#include "guest-network.h"
#include <errno.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/time.h>

#define SINK_PORT 5001
#define SOURCE_PORT 5002
#define RR_PORT 5003
#define CHUNK (64 * 1024)
#define LINE_MAXIMUM 64          /* longer requests are not ours: the connection is closed */
#define IDLE_SECONDS 30          /* a peer silent this long is dropped, so a port never hangs */

static int listen_on(int port) {
  int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) guest_fail("socket");
  int on = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_ANY) };
  if (bind(sock, (struct sockaddr*)&local, sizeof local) != 0) guest_fail("bind");
  if (listen(sock, 128) != 0) guest_fail("listen");
  return sock;
}

/* The next connection, with bounded waits on it; retries on a connection aborted before accept. */
static int next_connection(int listener) {
  for (;;) {
    int connection = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (connection < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
      guest_fail("accept");
    }
    struct timeval idle = { .tv_sec = IDLE_SECONDS };
    setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle);
    setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &idle, sizeof idle);
    return connection;
  }
}

/* Writes all `length` bytes (partial writes continued); 0, or -1 when the peer is gone. */
static int write_all(int connection, const char* data, size_t length) {
  while (length > 0) {
    ssize_t written = send(connection, data, length, MSG_NOSIGNAL);
    if (written < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    data += written;
    length -= (size_t)written;
  }
  return 0;
}

/* Reads up to the first "\n" into `line` (NUL-terminated, without it): its length, or -1 on EOF,
 * an error or LINE_MAXIMUM bytes without one. Bytes after the newline are not expected and are
 * dropped. */
static int read_line(int connection, char line[LINE_MAXIMUM]) {
  size_t have = 0;
  while (have < LINE_MAXIMUM - 1) {
    ssize_t got = recv(connection, line + have, LINE_MAXIMUM - 1 - have, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return -1;
    char* newline = memchr(line + have, '\n', (size_t)got);
    have += (size_t)got;
    if (newline) {
      *newline = 0;
      return (int)(newline - line);
    }
  }
  return -1;
}

static void* sink(void* argument) {
  int listener = *(int*)argument;
  static char buffer[CHUNK];
  for (;;) {
    int connection = next_connection(listener);
    for (;;) {
      ssize_t got = recv(connection, buffer, sizeof buffer, 0);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
    }
    close(connection);
  }
  return NULL;
}

static void* source(void* argument) {
  int listener = *(int*)argument;
  static char buffer[CHUNK];
  for (size_t i = 0; i < sizeof buffer; i++) buffer[i] = (char)(i % 256);   /* byte i of the stream is i mod 256, as Capsid's */
  for (;;) {
    int connection = next_connection(listener);
    char line[LINE_MAXIMUM];
    char* end = NULL;
    errno = 0;
    unsigned long long count = read_line(connection, line) > 0 ? strtoull(line, &end, 10) : 0;
    if (end && *end == 0 && errno == 0) {
      while (count > 0) {
        size_t piece = count < sizeof buffer ? (size_t)count : sizeof buffer;
        if (write_all(connection, buffer, piece) != 0) break;
        count -= piece;
      }
    }
    close(connection);
  }
  return NULL;
}

static void* request_response(void* argument) {
  int listener = *(int*)argument;
  for (;;) {
    int connection = next_connection(listener);
    char line[LINE_MAXIMUM];
    if (read_line(connection, line) >= 0) write_all(connection, "ok\n", 3);
    close(connection);
  }
  return NULL;
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  /* Init beside its modules: Debian's kernel with nothing up yet. Capsid's kernel brings its
   * interface up itself (ip=), and this same binary runs there as init with no modules beside it. */
  if (getpid() == 1 && access("/virtio_net.ko", F_OK) == 0) {
    char name[IF_NAMESIZE], features[160];
    guest_network_up(name, features, sizeof features);
    printf("linux-net: %s %s/24 up; virtio features %s; TCP bench on ports %d-%d\n", name, GUEST_ADDRESS, features,
           SINK_PORT, RR_PORT);
  }
  static int listeners[3];
  listeners[0] = listen_on(SINK_PORT);
  listeners[1] = listen_on(SOURCE_PORT);
  listeners[2] = listen_on(RR_PORT);
  pthread_t threads[2];
  if (pthread_create(&threads[0], NULL, sink, &listeners[0]) != 0) guest_fail("pthread_create");
  if (pthread_create(&threads[1], NULL, source, &listeners[1]) != 0) guest_fail("pthread_create");
  printf("tcp-bench: ready\n");
  fflush(stdout);
  request_response(&listeners[2]);   /* never returns: init must not exit */
  return 0;
}
