/* The Linux side of the UDP network benchmarks (issue 16, bench/net.ts): the /init of
 * build/linux/initrd-net.cpio booted in Debian's own kernel under the same QEMU as Capsid, on the
 * same virtio-net device and tap. It brings virtio-net up at 10.0.2.15/24 (guest-network.h),
 * prints one ready line naming the interface and the virtio features the driver negotiated;
 * then echoes every UDP datagram to port 7 back to its sender, forever: the benchmark ends it by
 * killing QEMU. The kernel answers ARP and ping. */
#define _GNU_SOURCE
#include "guest-network.h"

#define ECHO_PORT 7

int main(void) {
  char name[IF_NAMESIZE], features[160];
  guest_network_up(name, features, sizeof features);

  int sock = socket(AF_INET, SOCK_DGRAM, 0);
  if (sock < 0) guest_fail("socket");
  struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons(ECHO_PORT), .sin_addr.s_addr = htonl(INADDR_ANY) };
  if (bind(sock, (struct sockaddr*)&local, sizeof local) != 0) guest_fail("bind");
  printf("linux-net: %s %s/24 up; virtio features %s; UDP echo on port %d\n", name, GUEST_ADDRESS, features, ECHO_PORT);
  fflush(stdout);

  /* Forever, by design: QEMU is killed when the benchmark is done. */
  for (;;) {
    char datagram[2048];
    struct sockaddr_in peer;
    socklen_t peer_length = sizeof peer;
    ssize_t length = recvfrom(sock, datagram, sizeof datagram, 0, (struct sockaddr*)&peer, &peer_length);
    if (length < 0) continue;
    sendto(sock, datagram, (size_t)length, 0, (struct sockaddr*)&peer, peer_length);
  }
}
