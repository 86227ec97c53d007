/* udp-errors: ICMP errors reported to UDP sockets over loopback. A datagram to a port nobody
 * holds is answered with a port unreachable; a socket connected to that port is told: POLLERR,
 * then the next recv, send or SO_ERROR says ECONNREFUSED once (an error before any queued
 * datagram; a send that meets it sends nothing). An unconnected socket is not told, nor is one
 * connected to another peer; with IP_RECVERR an unconnected one is. A blocked recv wakes with it.
 * (IP_RECVERR's error queue, MSG_ERRQUEUE, is not looked at: Capsid queues nothing there.) */
#include "sockets.h"
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>

/** A loopback port nobody holds: one bound, read back and let go. */
static unsigned short free_port(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in address = loopback(0);
  socklen_t length = sizeof address;
  bind(fd, (struct sockaddr *)&address, sizeof address);
  getsockname(fd, (struct sockaddr *)&address, &length);
  close(fd);
  return ntohs(address.sin_port);
}

/** Waits up to `timeout` ms for POLLERR (asked for with POLLIN: POLLERR is always reported). */
static void report_error_poll(const char *label, int fd, int timeout) {
  struct pollfd entry = { fd, POLLIN, 0 };
  int ready = poll(&entry, 1, timeout);
  printf("%s: %d %#x\n", label, ready, entry.revents);
}

static void report_so_error(const char *label, int fd) {
  int value = -1;
  socklen_t length = sizeof value;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) != 0) printf("%s: getsockopt -1 %s\n", label, errno_name(errno));
  else printf("%s: %s\n", label, value == 0 ? "0" : errno_name(value));
}

static int connected_to(unsigned short port) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in to = loopback(port);
  CHECK("connect", connect(fd, (struct sockaddr *)&to, sizeof to));
  return fd;
}

static void *blocked_receive(void *argument) {
  int fd = *(int *)argument;
  char buffer[16];
  CHECK("a blocked recv, woken", recv(fd, buffer, sizeof buffer, 0));
  return NULL;
}

int main(void) {
  loopback_up();
  unsigned short closed = free_port();
  char buffer[64];

  int a = connected_to(closed);
  CHECK("send to a closed port", send(a, "x", 1, 0));
  report_error_poll("poll, the error in", a, 2000);
  CHECK("recv", recv(a, buffer, sizeof buffer, MSG_DONTWAIT));
  CHECK("recv again", recv(a, buffer, sizeof buffer, MSG_DONTWAIT));
  report_error_poll("poll, the error taken", a, 0);

  CHECK("send again", send(a, "y", 1, 0));
  report_error_poll("poll, a second error in", a, 2000);
  CHECK("send, meeting the error", send(a, "z", 1, 0));
  report_error_poll("poll after that send", a, 0);
  report_error_poll("poll, the error its datagram would have made", a, 300);

  CHECK("send a third time", send(a, "w", 1, 0));
  report_error_poll("poll, a third error in", a, 2000);
  report_so_error("SO_ERROR", a);
  report_so_error("SO_ERROR again", a);
  CHECK("recv after SO_ERROR", recv(a, buffer, sizeof buffer, MSG_DONTWAIT));
  close(a);

  /* The error comes before a datagram already queued (an unconnected socket with IP_RECVERR,
   * since a connected one takes datagrams from its peer alone). */
  int sender = socket(AF_INET, SOCK_DGRAM, 0);
  int b = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in b_address = loopback(0);
  socklen_t b_length = sizeof b_address;
  CHECK("bind", bind(b, (struct sockaddr *)&b_address, sizeof b_address));
  getsockname(b, (struct sockaddr *)&b_address, &b_length);
  int on = 1;
  CHECK("IP_RECVERR", setsockopt(b, IPPROTO_IP, IP_RECVERR, &on, sizeof on));
  struct sockaddr_in to = loopback(closed);
  CHECK("sendto a closed port", sendto(b, "x", 1, 0, (struct sockaddr *)&to, sizeof to));
  report_error_poll("poll, the error in", b, 2000);
  CHECK("a datagram from another socket", sendto(sender, "hello", 5, 0, (struct sockaddr *)&b_address, sizeof b_address));
  struct pollfd entry = { b, POLLIN, 0 };
  for (int i = 0; i < 20 && !(entry.revents & POLLIN); i++) poll(&entry, 1, 100);
  CHECK("recv: the error first", recv(b, buffer, sizeof buffer, MSG_DONTWAIT));
  memset(buffer, 0, sizeof buffer);
  CHECK("recv: then the datagram", recv(b, buffer, sizeof buffer, MSG_DONTWAIT));
  printf("received: %s\n", buffer);
  close(b);
  close(sender);

  /* Unconnected: not told, unless IP_RECVERR. */
  int c = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK("sendto a closed port, unconnected", sendto(c, "x", 1, 0, (struct sockaddr *)&to, sizeof to));
  report_error_poll("poll, unconnected", c, 300);
  CHECK("recv, unconnected", recv(c, buffer, sizeof buffer, MSG_DONTWAIT));
  report_so_error("SO_ERROR, unconnected", c);
  CHECK("IP_RECVERR", setsockopt(c, IPPROTO_IP, IP_RECVERR, &on, sizeof on));
  CHECK("sendto a closed port, IP_RECVERR", sendto(c, "x", 1, 0, (struct sockaddr *)&to, sizeof to));
  report_error_poll("poll, IP_RECVERR", c, 2000);
  CHECK("recv, IP_RECVERR", recv(c, buffer, sizeof buffer, MSG_DONTWAIT));
  close(c);

  /* Connected to another peer: an error about a datagram sendto sent elsewhere is not its. */
  unsigned short other = free_port();
  int d = connected_to(other);
  CHECK("sendto elsewhere from a connected socket", sendto(d, "x", 1, 0, (struct sockaddr *)&to, sizeof to));
  report_error_poll("poll, connected elsewhere", d, 300);
  close(d);

  /* A recv blocked before the error arrives wakes with it. */
  int e = connected_to(closed);
  pthread_t thread;
  pthread_create(&thread, NULL, blocked_receive, &e);
  usleep(200000);
  CHECK("send from the other thread", send(e, "x", 1, 0));
  pthread_join(thread, NULL);
  close(e);
  return 0;
}
