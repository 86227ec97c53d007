/* The datagram generator of the network benchmarks (issue 16, bench/net.ts): one program, run on
 * the host inside the benchmark's network namespace, drives both guests (Linux and Capsid) the
 * same way. Every datagram is DATAGRAM_BYTES long: a magic word, a sequence number, and a pattern
 * derived from the sequence number, so every echo is checked byte for byte. Every wait is bounded
 * (a loss costs a timeout, never a hang) and it talks only to 10.0.2.0/24.
 *
 *   generator probe ADDRESS PORT SECONDS     one datagram every 100 ms until one comes back
 *   generator rtt ADDRESS PORT COUNT WARMUP  one datagram in flight: WARMUP round trips not
 *                                            counted, then COUNT timed (CLOCK_MONOTONIC);
 *                                            GIVE_UP_AFTER losses in a row end it
 *   generator rate ADDRESS PORT WINDOW SECONDS  WINDOW datagrams in flight for SECONDS: each echo
 *                                            sends the next; a datagram unanswered after
 *                                            TIMEOUT_MS is counted lost and replaced
 *
 * Each mode prints one line starting with its name (bench/net.ts parses it); exit status 0 when
 * the mode could measure (losses are reported, not fatal), 1 when it could not. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DATAGRAM_BYTES 32
#define MAGIC 0x43617073u /* "Caps" */
#define TIMEOUT_MS 200
#define MAX_WINDOW 64
#define MAX_COUNT 100000
#define GIVE_UP_AFTER 20 /* rtt: losses in a row that mean the guest is gone */

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void fill(uint8_t* datagram, uint32_t sequence) {
  uint32_t magic = MAGIC;
  memcpy(datagram, &magic, 4);
  memcpy(datagram + 4, &sequence, 4);
  for (int i = 8; i < DATAGRAM_BYTES; i++) datagram[i] = (uint8_t)(sequence * 31u + (uint32_t)i);
}

/* The sequence number of a correct echo, or -1 for anything else (wrong length or bytes). */
static int64_t check(const uint8_t* datagram, ssize_t length) {
  if (length != DATAGRAM_BYTES) return -1;
  uint32_t sequence;
  memcpy(&sequence, datagram + 4, 4);
  uint8_t expected[DATAGRAM_BYTES];
  fill(expected, sequence);
  return memcmp(datagram, expected, DATAGRAM_BYTES) == 0 ? (int64_t)sequence : -1;
}

/* A UDP socket connected to ADDRESS:PORT, refusing anything outside 10.0.2.0/24. */
static int connect_to(const char* address_text, const char* port_text) {
  struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port_text)) };
  if (inet_pton(AF_INET, address_text, &peer.sin_addr) != 1) { fprintf(stderr, "generator: bad address %s\n", address_text); exit(1); }
  if ((ntohl(peer.sin_addr.s_addr) & 0xffffff00u) != 0x0a000200u) {
    fprintf(stderr, "generator: %s is outside 10.0.2.0/24; refusing\n", address_text);
    exit(1);
  }
  int sock = socket(AF_INET, SOCK_DGRAM, 0);
  if (sock < 0 || connect(sock, (struct sockaddr*)&peer, sizeof peer) != 0) { perror("generator: socket"); exit(1); }
  return sock;
}

/* Sends datagram `sequence`; false when the send failed (ICMP port unreachable shows up here as
 * ECONNREFUSED on a connected socket: the datagram is then simply not answered). */
static int send_sequence(int sock, uint32_t sequence) {
  uint8_t datagram[DATAGRAM_BYTES];
  fill(datagram, sequence);
  return send(sock, datagram, DATAGRAM_BYTES, 0) == DATAGRAM_BYTES;
}

/* Waits up to `timeout_ms` for one datagram; its sequence number, -1 for a wrong one, -2 for none
 * (timeout, or an error such as ECONNREFUSED). */
static int64_t receive(int sock, int timeout_ms) {
  struct pollfd poll_entry = { .fd = sock, .events = POLLIN };
  if (poll(&poll_entry, 1, timeout_ms) <= 0) return -2;
  uint8_t datagram[2048];
  ssize_t length = recv(sock, datagram, sizeof datagram, 0);
  if (length < 0) return -2;
  return check(datagram, length);
}

static int probe(int sock, int seconds) {
  for (int attempt = 0; attempt < seconds * 10; attempt++) {
    uint32_t sequence = 0x70000000u + (uint32_t)attempt;
    send_sequence(sock, sequence);
    uint64_t deadline = now_ns() + 100 * 1000000ull;
    for (uint64_t now = now_ns(); now < deadline; now = now_ns()) {
      int64_t got = receive(sock, (int)((deadline - now) / 1000000) + 1);
      if (got == (int64_t)sequence) { printf("probe: answered after %d datagrams\n", attempt + 1); return 0; }
      if (got == -2) break;
    }
  }
  printf("probe: no answer in %d s\n", seconds);
  return 1;
}

static int compare(const void* a, const void* b) {
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x < y ? -1 : x > y;
}

/* One round trip: ns, or 0 when the echo did not come back within TIMEOUT_MS. */
static uint64_t round_trip(int sock, uint32_t sequence, int* corrupt) {
  uint64_t start = now_ns(), deadline = start + TIMEOUT_MS * 1000000ull;
  if (!send_sequence(sock, sequence)) return 0;
  for (uint64_t now = now_ns(); now < deadline; now = now_ns()) {
    int64_t got = receive(sock, (int)((deadline - now) / 1000000) + 1);
    if (got == (int64_t)sequence) return now_ns() - start;
    if (got == -1) (*corrupt)++;
    if (got == -2) return 0;
    /* else a late echo of an earlier datagram: keep waiting for this one */
  }
  return 0;
}

static int rtt(int sock, int count, int warmup) {
  if (count < 1 || count > MAX_COUNT || warmup < 0 || warmup > MAX_COUNT) { fprintf(stderr, "generator: bad count\n"); return 1; }
  static uint64_t times[MAX_COUNT];
  int measured = 0, lost = 0, corrupt = 0, lost_in_a_row = 0;
  for (int i = 0; i < warmup + count && lost_in_a_row < GIVE_UP_AFTER; i++) {
    uint64_t ns = round_trip(sock, (uint32_t)i, &corrupt);
    lost_in_a_row = ns == 0 ? lost_in_a_row + 1 : 0;
    if (i < warmup) continue;
    if (ns == 0) lost++;
    else times[measured++] = ns;
  }
  if (lost_in_a_row >= GIVE_UP_AFTER) { printf("rtt: gave up after %d losses in a row\n", GIVE_UP_AFTER); return 1; }
  if (measured == 0) { printf("rtt: no echo (%d lost)\n", lost); return 1; }
  qsort(times, (size_t)measured, sizeof times[0], compare);
  size_t p99 = (size_t)measured * 99 / 100;
  if (p99 >= (size_t)measured) p99 = (size_t)measured - 1;
  printf("rtt: median %.1f us p99 %.1f us min %.1f us; %d measured, %d lost, %d corrupt\n", times[measured / 2] / 1000.0,
         times[p99] / 1000.0, times[0] / 1000.0, measured, lost, corrupt);
  return 0;
}

struct slot { uint32_t sequence; uint64_t sent; };

static int rate(int sock, int window, int seconds) {
  if (window < 1 || window > MAX_WINDOW || seconds < 1 || seconds > 60) { fprintf(stderr, "generator: bad window or duration\n"); return 1; }
  struct slot slots[MAX_WINDOW];
  uint32_t next = 0;
  uint64_t echoed = 0, lost = 0, corrupt = 0, stray = 0;
  uint64_t start = now_ns(), end = start + (uint64_t)seconds * 1000000000ull;
  for (int i = 0; i < window; i++) { slots[i] = (struct slot){ next, now_ns() }; send_sequence(sock, next++); }
  for (uint64_t now = now_ns(); now < end; now = now_ns()) {
    int64_t got = receive(sock, 10);
    now = now_ns();
    if (got == -1) corrupt++;
    if (got >= 0) {
      int found = 0;
      for (int i = 0; i < window && !found; i++) {
        if (slots[i].sequence != (uint32_t)got) continue;
        found = 1;
        echoed++;
        slots[i] = (struct slot){ next, now };
        send_sequence(sock, next++);
      }
      if (!found) stray++; /* a duplicate, or an echo that came after its timeout */
    }
    for (int i = 0; i < window; i++) {
      if (now - slots[i].sent < TIMEOUT_MS * 1000000ull) continue;
      lost++;
      slots[i] = (struct slot){ next, now };
      send_sequence(sock, next++);
    }
  }
  double elapsed = (double)(now_ns() - start) / 1e9;
  printf("rate: %.0f datagrams/s; %llu echoed in %.2f s, window %d, %llu lost, %llu corrupt, %llu stray\n", (double)echoed / elapsed,
         (unsigned long long)echoed, elapsed, window, (unsigned long long)lost, (unsigned long long)corrupt, (unsigned long long)stray);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 5 && strcmp(argv[1], "probe") == 0) return probe(connect_to(argv[2], argv[3]), atoi(argv[4]));
  if (argc == 6 && strcmp(argv[1], "rtt") == 0) return rtt(connect_to(argv[2], argv[3]), atoi(argv[4]), atoi(argv[5]));
  if (argc == 6 && strcmp(argv[1], "rate") == 0) return rate(connect_to(argv[2], argv[3]), atoi(argv[4]), atoi(argv[5]));
  fprintf(stderr, "usage: generator probe ADDRESS PORT SECONDS | rtt ADDRESS PORT COUNT WARMUP | rate ADDRESS PORT WINDOW SECONDS\n");
  return 1;
}
