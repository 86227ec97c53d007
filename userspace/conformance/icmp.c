/* icmp: ICMP echo over loopback (127.0.0.1) through both kinds of ICMP socket. A raw socket
 * (SOCK_RAW, IPPROTO_ICMP, as busybox ping opens): SO_TYPE and SO_PROTOCOL, its /proc/net/raw
 * line, an echo request sent with sendto, its reply read with recvfrom, IP header first (version, protocol, addresses,
 * lengths), the identifier, sequence and data back, the checksum valid; send without a peer,
 * connect and send; another type of message. A ping socket (SOCK_DGRAM, IPPROTO_ICMP, as iputils ping tries first): bind to an
 * identifier (twice) and getsockname, a request whose identifier the kernel replaces, the reply without
 * an IP header, connect and send, another type refused, poll. Debian lets no group make ping
 * sockets by default (ping_group_range "1 0"); the program lets root's in first, silently, as
 * distributions that ship ping without setuid do (mounting /proc where nothing has), and brings
 * loopback up. */
#include "sockets.h"
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static void setup(void) {
  loopback_up();
  proc_mounted();
  int range = open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY);
  if (range >= 0) {
    if (write(range, "0 0\n", 4) < 0) { /* Capsid has no such file; Linux's may refuse */ }
    close(range);
  }
}

/** The Internet checksum of `length` bytes. */
static uint16_t checksum(const void *data, size_t length) {
  const uint8_t *bytes = data;
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < length; i += 2) sum += (uint32_t)(bytes[i] << 8 | bytes[i + 1]);
  if (length & 1) sum += (uint32_t)(bytes[length - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons((uint16_t)~sum);
}

/** An echo request: `identifier`, `sequence`, 24 bytes of data, its checksum done. */
static size_t request(uint8_t *out, uint16_t identifier, uint16_t sequence) {
  struct icmphdr *header = (struct icmphdr *)out;
  memset(out, 0, 32);
  header->type = ICMP_ECHO;
  header->un.echo.id = htons(identifier);
  header->un.echo.sequence = htons(sequence);
  for (int i = 0; i < 24; i++) out[8 + i] = (uint8_t)('a' + i);
  header->checksum = checksum(out, 32);
  return 32;
}

/** Reads until an echo reply comes (a raw socket on Linux sees its own request too) or 2 s pass:
 * its length, or -1. */
static long reply(int fd, uint8_t *in, size_t size, struct sockaddr_in *from, int skip) {
  for (int i = 0; i < 8; i++) {
    struct pollfd entry = { fd, POLLIN, 0 };
    if (poll(&entry, 1, 2000) != 1) return -1;
    socklen_t length = sizeof *from;
    long got = recvfrom(fd, in, size, 0, (struct sockaddr *)from, &length);
    if (got < 0) return -1;
    if (got > skip && in[skip] == ICMP_ECHOREPLY) return got;
  }
  return -1;
}

static void raw(void) {
  int fd = CHECK("raw socket", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
  if (fd < 0) return;
  int value = 0;
  socklen_t size = sizeof value;
  getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, &size);
  printf("raw SO_TYPE: %d\n", value);
  getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &value, &size);
  printf("raw SO_PROTOCOL: %d\n", value);
  /* /proc/net/raw lists it: local address and protocol, remote address, state. */
  proc_mounted();
  FILE *table = fopen("/proc/net/raw", "r");
  char line[256], local[32], remote[32], state[8];
  int listed = 0;
  if (table != NULL && fgets(line, sizeof line, table) != NULL) printf("/proc/net/raw: %s", line);
  while (table != NULL && fgets(line, sizeof line, table) != NULL) {
    if (sscanf(line, "%*s %31s %31s %7s", local, remote, state) != 3) continue;
    printf("/proc/net/raw lists %s %s %s\n", local, remote, state);
    listed++;
  }
  if (table != NULL) fclose(table);
  printf("/proc/net/raw lines: %d\n", listed);
  CHECK("raw SO_BROADCAST", setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &(int){ 1 }, sizeof(int)));
  struct sockaddr_in to = loopback(0), from = { 0 };
  uint8_t out[64], in[256];
  size_t length = request(out, 0x4321, 7);
  CHECK("raw sendto", sendto(fd, out, length, 0, (struct sockaddr *)&to, sizeof to));
  long got = reply(fd, in, sizeof in, &from, 20);
  printf("raw reply: %ld\n", got);
  if (got >= 20 + 32) {
    struct iphdr *ip = (struct iphdr *)in;
    EXPECT("raw reply: IPv4, header 20 bytes", ip->version == 4 && ip->ihl == 5);
    EXPECT("raw reply: protocol ICMP", ip->protocol == IPPROTO_ICMP);
    EXPECT("raw reply: total length", ntohs(ip->tot_len) == got);
    EXPECT("raw reply: from and to 127.0.0.1", ip->saddr == htonl(INADDR_LOOPBACK) && ip->daddr == htonl(INADDR_LOOPBACK));
    struct icmphdr *icmp = (struct icmphdr *)(in + 20);
    EXPECT("raw reply: type 0, code 0", icmp->type == ICMP_ECHOREPLY && icmp->code == 0);
    EXPECT("raw reply: identifier and sequence", ntohs(icmp->un.echo.id) == 0x4321 && ntohs(icmp->un.echo.sequence) == 7);
    EXPECT("raw reply: the data", memcmp(in + 28, out + 8, 24) == 0);
    EXPECT("raw reply: checksum", checksum(in + 20, (size_t)got - 20) == 0);
  }
  EXPECT("raw reply: from 127.0.0.1", from.sin_family == AF_INET && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
  out[0] = ICMP_TIMESTAMP;   // Capsid's raw sockets send echo requests alone (the differences list)
  CHECK("raw sendto: a timestamp request", sendto(fd, out, length, 0, (struct sockaddr *)&to, sizeof to));
  CHECK("raw send: no peer", send(fd, out, length, 0));
  CHECK("raw connect", connect(fd, (struct sockaddr *)&to, sizeof to));
  length = request(out, 0x4322, 8);
  CHECK("raw send", send(fd, out, length, 0));
  got = reply(fd, in, sizeof in, &from, 20);
  printf("raw reply after connect: %ld\n", got);
  EXPECT("raw reply after connect: sequence 8", got >= 28 && in[20 + 7] == 8);
  CHECK("raw close", close(fd));
}

static void ping(void) {
  int fd = CHECK("ping socket", socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
  if (fd < 0) return;
  int value = 0;
  socklen_t size = sizeof value;
  getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &value, &size);
  printf("ping SO_PROTOCOL: %d\n", value);
  struct sockaddr_in here = loopback(0), to = loopback(0), from = { 0 };
  here.sin_port = htons(0x5151);
  CHECK("ping bind", bind(fd, (struct sockaddr *)&here, sizeof here));
  CHECK("ping bind again", bind(fd, (struct sockaddr *)&here, sizeof here));
  struct sockaddr_in name = { 0 };
  socklen_t nameLength = sizeof name;
  CHECK("ping getsockname", getsockname(fd, (struct sockaddr *)&name, &nameLength));
  printf("ping getsockname: port %#x\n", ntohs(name.sin_port));
  uint8_t out[64], in[256];
  size_t length = request(out, 0x1111, 3);   // the identifier is the socket's, whatever this says
  CHECK("ping sendto", sendto(fd, out, length, 0, (struct sockaddr *)&to, sizeof to));
  long got = reply(fd, in, sizeof in, &from, 0);
  printf("ping reply: %ld\n", got);
  if (got >= 32) {
    struct icmphdr *icmp = (struct icmphdr *)in;
    EXPECT("ping reply: type 0", icmp->type == ICMP_ECHOREPLY);
    EXPECT("ping reply: the socket's identifier", ntohs(icmp->un.echo.id) == 0x5151);
    EXPECT("ping reply: sequence 3", ntohs(icmp->un.echo.sequence) == 3);
    EXPECT("ping reply: the data", memcmp(in + 8, out + 8, 24) == 0);
  }
  EXPECT("ping reply: from 127.0.0.1, port 0", from.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && from.sin_port == 0);
  out[0] = ICMP_TIMESTAMP;
  CHECK("ping sendto: a timestamp request", sendto(fd, out, length, 0, (struct sockaddr *)&to, sizeof to));
  out[0] = ICMP_ECHO;
  CHECK("ping sendto: 4 bytes", sendto(fd, out, 4, 0, (struct sockaddr *)&to, sizeof to));
  CHECK("ping connect", connect(fd, (struct sockaddr *)&to, sizeof to));
  length = request(out, 0, 4);
  CHECK("ping send", send(fd, out, length, 0));
  struct pollfd entry = { fd, POLLIN, 0 };
  int ready = poll(&entry, 1, 2000);
  printf("ping poll: %d %#x\n", ready, entry.revents);
  got = recv(fd, in, sizeof in, 0);
  printf("ping recv: %ld\n", got);
  EXPECT("ping recv: sequence 4", got >= 8 && in[7] == 4);
  CHECK("ping recv: nothing more", recv(fd, in, sizeof in, MSG_DONTWAIT));
  CHECK("ping close", close(fd));
  int fresh = CHECK("ping socket, unbound", socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
  length = request(out, 0, 5);
  CHECK("unbound ping sendto", sendto(fresh, out, length, 0, (struct sockaddr *)&to, sizeof to));
  nameLength = sizeof name;
  getsockname(fresh, (struct sockaddr *)&name, &nameLength);
  EXPECT("unbound ping: an identifier was chosen", name.sin_port != 0);
  got = reply(fresh, in, sizeof in, &from, 0);
  EXPECT("unbound ping: the reply carries it", got >= 8 && memcmp(in + 4, &name.sin_port, 2) == 0);
  close(fresh);
}

int main(void) {
  setup();
  CHECK("raw socket, protocol 0", socket(AF_INET, SOCK_RAW, 0));
  raw();
  ping();
  return 0;
}
