/* The host side of the TCP benchmark (bench/tcp.ts): one program, run on the host inside the
 * benchmark's network namespace, drives both guests (Linux's bench/linux/tcp-bench.c and
 * Capsid's tcp-bench program) through the same protocol on ports 5001-5003. Sockets keep the
 * host's defaults (buffer autotuning on); every wait is bounded (poll with a deadline), so a
 * stalled guest costs a timeout, never a hang. It talks only to 10.0.2.0/24 and, for its own
 * ceiling (tcp-bench.c run on the host), 127.0.0.0/8. MB are 10^6 bytes.
 *
 *   tcp-client from ADDRESS BYTES SECONDS   guest to host: connect to 5002, send "BYTES\n", read
 *                                           to EOF; the rate from the first byte to EOF
 *   tcp-client to ADDRESS BYTES SECONDS     host to guest: connect to 5001, send BYTES, shut the
 *                                           sending side, wait for the guest's close (EOF),
 *                                           every byte acknowledged (SIOCOUTQ 0); the rate
 *                                           from the first write to that EOF
 *   tcp-client rr ADDRESS COUNT SECONDS     connections per second: COUNT times in turn (or
 *                                           until SECONDS pass) connect to 5003, send "x\n",
 *                                           read "ok\n", close; and the median of one cycle
 *   tcp-client probe ADDRESS SECONDS        one rr cycle every 100 ms until one succeeds
 *
 * from/to stop sending or reading at SECONDS and report what got through, marked "cut", its rate
 * counted up to the cut (a stall is part of the figure).
 * Each mode prints one line starting with its name (bench/tcp.ts parses it); exit status 0 when
 * the mode measured, 1 when it could not. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SINK_PORT 5001
#define SOURCE_PORT 5002
#define RR_PORT 5003
#define CHUNK (256 * 1024)
#define CYCLE_TIMEOUT_MS 2000      /* rr: one connect, request and answer */
#define CLOSE_TIMEOUT_MS 10000     /* to: the guest's close after our shutdown */
#define GIVE_UP_AFTER 20           /* rr: failures in a row that mean the guest is gone */
#define MAX_COUNT 1000000

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int remaining_ms(uint64_t deadline) {
  uint64_t now = now_ns();
  return now >= deadline ? 0 : (int)((deadline - now) / 1000000) + 1;
}

static struct sockaddr_in peer_address(const char* text) {
  struct sockaddr_in peer = { .sin_family = AF_INET };
  if (inet_pton(AF_INET, text, &peer.sin_addr) != 1) { fprintf(stderr, "tcp-client: bad address %s\n", text); exit(1); }
  uint32_t host_order = ntohl(peer.sin_addr.s_addr);
  if ((host_order & 0xffffff00u) != 0x0a000200u && (host_order & 0xff000000u) != 0x7f000000u) {
    fprintf(stderr, "tcp-client: %s is outside 10.0.2.0/24 and 127.0.0.0/8; refusing\n", text);
    exit(1);
  }
  return peer;
}

/* A non-blocking socket connected to `peer`:`port` by `deadline`, or -1 (errno says why). */
static int connect_by(struct sockaddr_in peer, int port, uint64_t deadline) {
  peer.sin_port = htons((uint16_t)port);
  int sock = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (sock < 0) return -1;
  if (connect(sock, (struct sockaddr*)&peer, sizeof peer) != 0) {
    if (errno != EINPROGRESS) { close(sock); return -1; }
    struct pollfd entry = { .fd = sock, .events = POLLOUT };
    int error = 0;
    socklen_t length = sizeof error;
    if (poll(&entry, 1, remaining_ms(deadline)) <= 0) { close(sock); errno = ETIMEDOUT; return -1; }
    getsockopt(sock, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) { close(sock); errno = error; return -1; }
  }
  return sock;
}

/* Waits for `events` on `sock` until `deadline`: 1 when ready, 0 on timeout. */
static int wait_for(int sock, short events, uint64_t deadline) {
  struct pollfd entry = { .fd = sock, .events = events };
  for (;;) {
    int ready = poll(&entry, 1, remaining_ms(deadline));
    if (ready > 0) return 1;
    if (ready == 0 || errno != EINTR) return 0;
  }
}

/* Sends all of `data` by `deadline`: 0, or -1 on an error or timeout. */
static int send_all(int sock, const char* data, size_t length, uint64_t deadline) {
  while (length > 0) {
    ssize_t sent = send(sock, data, length, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno != EAGAIN && errno != EINTR) return -1;
      if (!wait_for(sock, POLLOUT, deadline)) return -1;
      continue;
    }
    data += sent;
    length -= (size_t)sent;
  }
  return 0;
}

static void print_rate(const char* mode, uint64_t bytes, uint64_t requested, uint64_t elapsed_ns, const char* end) {
  double seconds = (double)elapsed_ns / 1e9;
  printf("%s: %.1f MB/s; %llu of %llu bytes in %.3f s%s\n", mode, seconds > 0 ? (double)bytes / 1e6 / seconds : 0.0,
         (unsigned long long)bytes, (unsigned long long)requested, seconds, end);
}

static char buffer[CHUNK];

static int from_guest(struct sockaddr_in peer, uint64_t bytes, int seconds) {
  uint64_t deadline = now_ns() + (uint64_t)seconds * 1000000000ull;
  int sock = connect_by(peer, SOURCE_PORT, deadline);
  if (sock < 0) { printf("from: connect: %s\n", strerror(errno)); return 1; }
  char request[32];
  int length = snprintf(request, sizeof request, "%llu\n", (unsigned long long)bytes);
  if (send_all(sock, request, (size_t)length, deadline) != 0) { printf("from: request not sent: %s\n", strerror(errno)); return 1; }
  uint64_t received = 0, first = 0, last = 0;
  const char* end = "";
  for (;;) {
    ssize_t got = recv(sock, buffer, sizeof buffer, 0);
    if (got > 0) {
      last = now_ns();
      if (received == 0) first = last;
      received += (uint64_t)got;
      continue;
    }
    if (got == 0) { last = now_ns(); break; }
    if (errno == EINTR) continue;
    /* A stall counts against the rate: the time runs to the reset, error or cut. */
    if (errno != EAGAIN) { last = now_ns(); end = errno == ECONNRESET ? ", reset by the guest" : ", ended by an error"; break; }
    if (!wait_for(sock, POLLIN, deadline)) { last = now_ns(); end = ", cut at the time limit"; break; }
  }
  close(sock);
  if (received == 0) { printf("from: no data%s\n", end); return 1; }
  if (received > bytes) end = ", more than asked for";
  else if (received < bytes && end[0] == 0) end = ", short";
  print_rate("from", received, bytes, last - first, end);
  return 0;
}

static int to_guest(struct sockaddr_in peer, uint64_t bytes, int seconds) {
  uint64_t deadline = now_ns() + (uint64_t)seconds * 1000000000ull;
  int sock = connect_by(peer, SINK_PORT, deadline);
  if (sock < 0) { printf("to: connect: %s\n", strerror(errno)); return 1; }
  for (size_t i = 0; i < sizeof buffer; i++) buffer[i] = (char)('A' + i % 26);
  uint64_t sent = 0, start = now_ns();
  const char* end = "";
  while (sent < bytes) {
    size_t piece = bytes - sent < sizeof buffer ? (size_t)(bytes - sent) : sizeof buffer;
    ssize_t written = send(sock, buffer, piece, MSG_NOSIGNAL);
    if (written > 0) { sent += (uint64_t)written; continue; }
    if (written < 0 && errno == EINTR) continue;
    if (written < 0 && errno != EAGAIN) { end = ", ended by an error"; break; }
    if (!wait_for(sock, POLLOUT, deadline)) { end = ", cut at the time limit"; break; }
  }
  shutdown(sock, SHUT_WR);
  /* The guest closes once it has read everything up to our FIN: its FIN is the proof of delivery. */
  uint64_t close_deadline = now_ns() + CLOSE_TIMEOUT_MS * 1000000ull, finished = 0;
  for (;;) {
    ssize_t got = recv(sock, buffer, sizeof buffer, 0);
    if (got == 0) { finished = now_ns(); break; }
    if (got > 0) continue;   /* the sink sends nothing; ignore it if it does */
    if (errno == EINTR) continue;
    if (errno != EAGAIN || !wait_for(sock, POLLIN, close_deadline)) break;
  }
  /* A guest that closed before acknowledging every byte did not read them all: no figure. */
  int unacknowledged = 0;
  if (ioctl(sock, SIOCOUTQ, &unacknowledged) != 0) unacknowledged = -1;
  close(sock);
  if (finished == 0) { printf("to: the guest did not close within %d ms after %llu bytes%s\n", CLOSE_TIMEOUT_MS, (unsigned long long)sent, end); return 1; }
  if (unacknowledged != 0) { printf("to: the guest closed with %d bytes unacknowledged (of %llu sent)\n", unacknowledged, (unsigned long long)sent); return 1; }
  print_rate("to", sent, bytes, finished - start, end);
  return 0;
}

/* One connect, "x\n", "ok\n", close: its ns, or 0 when it failed. */
static uint64_t cycle(struct sockaddr_in peer) {
  uint64_t start = now_ns(), deadline = start + CYCLE_TIMEOUT_MS * 1000000ull;
  int sock = connect_by(peer, RR_PORT, deadline);
  if (sock < 0) return 0;
  char answer[8];
  size_t have = 0;
  if (send_all(sock, "x\n", 2, deadline) == 0) {
    while (have < 3) {
      ssize_t got = recv(sock, answer + have, sizeof answer - have, 0);
      if (got > 0) { have += (size_t)got; continue; }
      if (got == 0 || (errno != EAGAIN && errno != EINTR)) break;
      if (!wait_for(sock, POLLIN, deadline)) break;
    }
  }
  close(sock);
  return have == 3 && memcmp(answer, "ok\n", 3) == 0 ? now_ns() - start : 0;
}

static int compare(const void* a, const void* b) {
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x < y ? -1 : x > y;
}

static int request_response(struct sockaddr_in peer, int count, int seconds) {
  if (count < 1 || count > MAX_COUNT) { fprintf(stderr, "tcp-client: bad count\n"); return 1; }
  static uint64_t times[MAX_COUNT];
  int done = 0, failed = 0, failed_in_a_row = 0;
  uint64_t start = now_ns(), end = start + (uint64_t)seconds * 1000000000ull;
  while (done + failed < count && now_ns() < end && failed_in_a_row < GIVE_UP_AFTER) {
    uint64_t ns = cycle(peer);
    if (ns == 0) { failed++; failed_in_a_row++; continue; }
    failed_in_a_row = 0;
    times[done++] = ns;
  }
  double elapsed = (double)(now_ns() - start) / 1e9;
  if (done == 0) { printf("rr: no connection completed (%d failed)\n", failed); return 1; }
  qsort(times, (size_t)done, sizeof times[0], compare);
  int over = 0;   /* cycles that took a retransmission's time (Linux's initial RTO is 1 s) */
  for (int i = 0; i < done; i++) over += times[i] >= 200000000ull;
  printf("rr: %.0f connections/s; %d in %.2f s, median %.1f us, max %.1f us, %d over 200 ms, %d failed%s\n", done / elapsed, done,
         elapsed, times[done / 2] / 1000.0, times[done - 1] / 1000.0, over, failed, failed_in_a_row >= GIVE_UP_AFTER ? ", gave up" : "");
  return 0;
}

static int probe(struct sockaddr_in peer, int seconds) {
  for (int attempt = 0; attempt < seconds * 10; attempt++) {
    uint64_t started = now_ns();
    if (cycle(peer) != 0) { printf("probe: answered after %d attempts\n", attempt + 1); return 0; }
    uint64_t spent = now_ns() - started;
    if (spent < 100000000ull) nanosleep(&(struct timespec){ .tv_nsec = (long)(100000000ull - spent) }, NULL);
  }
  printf("probe: no answer in %d s\n", seconds);
  return 1;
}

static int seconds_argument(const char* text) {
  int seconds = atoi(text);
  if (seconds < 1 || seconds > 600) { fprintf(stderr, "tcp-client: bad duration %s\n", text); exit(1); }
  return seconds;
}

static uint64_t bytes_argument(const char* text) {
  char* end;
  unsigned long long bytes = strtoull(text, &end, 10);
  if (*end != 0 || bytes == 0 || bytes > (1ull << 40)) { fprintf(stderr, "tcp-client: bad byte count %s\n", text); exit(1); }
  return bytes;
}

int main(int argc, char** argv) {
  if (argc == 5 && strcmp(argv[1], "from") == 0) return from_guest(peer_address(argv[2]), bytes_argument(argv[3]), seconds_argument(argv[4]));
  if (argc == 5 && strcmp(argv[1], "to") == 0) return to_guest(peer_address(argv[2]), bytes_argument(argv[3]), seconds_argument(argv[4]));
  if (argc == 5 && strcmp(argv[1], "rr") == 0) return request_response(peer_address(argv[2]), atoi(argv[3]), seconds_argument(argv[4]));
  if (argc == 4 && strcmp(argv[1], "probe") == 0) return probe(peer_address(argv[2]), seconds_argument(argv[3]));
  fprintf(stderr, "usage: tcp-client from ADDRESS BYTES SECONDS | to ADDRESS BYTES SECONDS | rr ADDRESS COUNT SECONDS | probe ADDRESS SECONDS\n");
  return 1;
}
