/* The DNS latency benchmark's program (bench/dns.ts), one static binary run on both kernels: on
 * Debian's kernel as init of build/linux/initrd-net.cpio (rdinit=/dns-bench, which brings
 * virtio-net up at 10.0.2.15/24 first: guest-network.h), and on Capsid as init=dns-bench-posix
 * (the same binary in the test package, through the Linux personality's sockets; Capsid's kernel
 * configures the interface itself, so there are no modules beside it). It asks the DNS server
 * at 10.0.2.1 (dnsmasq in the bench's namespace) for QUERY_NAME's A record over one connected
 * UDP socket, WARMUP queries first, then QUERIES, one at a time, each timed from its send to its
 * answer (CLOCK_MONOTONIC), and prints
 *   dns-bench: median M us, p90 P us, fastest F us, A of N answered
 *   dns-bench: done
 * An answer must carry the query's id, the response bit, no error and at least one record; one
 * that does not, or none within 2 s, counts as unanswered. It then waits to be stopped. */
#define _GNU_SOURCE
#include "guest-network.h"
#include <stdint.h>
#include <stdlib.h>
#include <sys/time.h>

#define SERVER "10.0.2.1"
#define QUERY_NAME "bench.capsid.test"
#define WARMUP 20
#define QUERIES 200

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* A query for QUERY_NAME's A record with `id`: its length. */
static size_t query(unsigned char* out, uint16_t id) {
  size_t at = 0;
  out[at++] = (unsigned char)(id >> 8); out[at++] = (unsigned char)id;
  out[at++] = 0x01; out[at++] = 0x00;              /* RD */
  out[at++] = 0; out[at++] = 1;                    /* one question */
  memset(out + at, 0, 6); at += 6;
  const char* name = QUERY_NAME;
  while (*name) {
    const char* dot = strchr(name, '.');
    size_t length = dot ? (size_t)(dot - name) : strlen(name);
    out[at++] = (unsigned char)length;
    memcpy(out + at, name, length);
    at += length;
    name += length + (dot ? 1 : 0);
  }
  out[at++] = 0;
  out[at++] = 0; out[at++] = 1;                    /* A */
  out[at++] = 0; out[at++] = 1;                    /* IN */
  return at;
}

static int by_value(const void* a, const void* b) {
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x < y ? -1 : x > y;
}

int main(void) {
  if (getpid() == 1 && access("/virtio_net.ko", F_OK) == 0) {
    char name[IF_NAMESIZE], features[160];
    guest_network_up(name, features, sizeof features);
  }
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) guest_fail("socket");
  struct sockaddr_in server = { .sin_family = AF_INET, .sin_port = htons(53) };
  inet_pton(AF_INET, SERVER, &server.sin_addr);
  if (connect(sock, (struct sockaddr*)&server, sizeof server) != 0) guest_fail("connect");
  struct timeval limit = { .tv_sec = 2 };
  setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  static uint64_t times[QUERIES];
  int answered = 0;
  unsigned char request[512], answer[512];
  for (int i = 0; i < WARMUP + QUERIES; i++) {
    uint16_t id = (uint16_t)(0x4000 + i);
    size_t length = query(request, id);
    uint64_t start = now_ns();
    if (send(sock, request, length, 0) != (ssize_t)length) guest_fail("send");
    ssize_t got;
    for (;;) {   /* a late answer to an earlier query is skipped */
      got = recv(sock, answer, sizeof answer, 0);
      if (got < 12 || (((unsigned)answer[0] << 8) | answer[1]) == id) break;
    }
    uint64_t took = now_ns() - start;
    int good = got >= 12 && (answer[2] & 0x80) && (answer[3] & 0x0f) == 0 && ((answer[6] << 8) | answer[7]) >= 1;
    if (i < WARMUP || !good) continue;
    times[answered++] = took;
  }
  if (answered == 0) {
    printf("dns-bench: median - us, p90 - us, fastest - us, 0 of %d answered\n", QUERIES);
  } else {
    qsort(times, (size_t)answered, sizeof times[0], by_value);
    printf("dns-bench: median %lu us, p90 %lu us, fastest %lu us, %d of %d answered\n", (unsigned long)(times[answered / 2] / 1000),
           (unsigned long)(times[answered * 9 / 10] / 1000), (unsigned long)(times[0] / 1000), answered, QUERIES);
  }
  printf("dns-bench: done\n");
  fflush(stdout);
  for (;;) pause();
}
