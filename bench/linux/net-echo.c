/* The Linux side of the network benchmarks (issue 16, bench/net.ts): the /init of a second
 * initramfs (build/linux/initrd-net.cpio) booted in Debian's own kernel under the same QEMU as
 * Capsid, on the same virtio-net device and tap. Debian builds virtio-net as modules: this
 * program loads them from the initramfs's top level (extracted from the same kernel package at
 * build time, Makefile), in dependency order, with finit_module; gives the first interface that
 * is not loopback 10.0.2.15/24 and brings it up (SIOCSIFADDR, SIOCSIFNETMASK, SIOCSIFFLAGS: the
 * kernel has no IP autoconfiguration); prints one ready line naming the interface and the
 * virtio features the driver negotiated; then echoes every UDP datagram to port 7 back to its
 * sender, forever: the benchmark ends it by killing QEMU. The kernel answers ARP and ping. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ADDRESS "10.0.2.15"
#define NETMASK "255.255.255.0"
#define ECHO_PORT 7

/* virtio_net's dependencies first (each module's modinfo "depends="). */
static const char* const MODULES[] = {
  "virtio_ring.ko", "virtio.ko", "virtio_pci_modern_dev.ko", "virtio_pci_legacy_dev.ko", "virtio_pci.ko",
  "failover.ko", "net_failover.ko", "virtio_net.ko",
};

static void fail(const char* what) {
  printf("linux-net: FAIL %s: %m\n", what);
  fflush(stdout);
  reboot(RB_POWER_OFF);
  _exit(1);
}

static void load_module(const char* name) {
  char path[64];
  snprintf(path, sizeof path, "/%s", name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(path);
  if (syscall(SYS_finit_module, fd, "", 0) != 0) fail(path);
  close(fd);
}

/* The first interface that is not loopback; PCI probing runs inside finit_module, so it exists
 * by now, but a bounded wait costs nothing when it does. */
static void find_interface(char name[IF_NAMESIZE]) {
  for (int attempt = 0; attempt < 50; attempt++) {
    struct if_nameindex* interfaces = if_nameindex();
    for (struct if_nameindex* entry = interfaces; entry && entry->if_index != 0; entry++) {
      if (strcmp(entry->if_name, "lo") != 0) {
        snprintf(name, IF_NAMESIZE, "%s", entry->if_name);
        if_freenameindex(interfaces);
        return;
      }
    }
    if (interfaces) if_freenameindex(interfaces);
    nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
  }
  fail("no network interface after loading virtio_net");
}

static void set_address(int sock, const char* name, unsigned long request, const char* text) {
  struct ifreq request_block = { 0 };
  snprintf(request_block.ifr_name, IF_NAMESIZE, "%s", name);
  struct sockaddr_in* address = (struct sockaddr_in*)&request_block.ifr_addr;
  address->sin_family = AF_INET;
  inet_pton(AF_INET, text, &address->sin_addr);
  if (ioctl(sock, request, &request_block) != 0) fail(request == SIOCSIFADDR ? "SIOCSIFADDR" : "SIOCSIFNETMASK");
}

static void bring_up(int sock, const char* name) {
  struct ifreq request_block = { 0 };
  snprintf(request_block.ifr_name, IF_NAMESIZE, "%s", name);
  if (ioctl(sock, SIOCGIFFLAGS, &request_block) != 0) fail("SIOCGIFFLAGS");
  request_block.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(sock, SIOCSIFFLAGS, &request_block) != 0) fail("SIOCSIFFLAGS");
}

/* The virtio feature bits the driver accepted, as sysfs shows them (bit 0 first), or "?". */
static void negotiated_features(const char* name, char* text, size_t size) {
  snprintf(text, size, "?");
  mkdir("/sys", 0755);
  if (mount("sysfs", "/sys", "sysfs", 0, NULL) != 0) return;
  char path[96];
  snprintf(path, sizeof path, "/sys/class/net/%s/device/features", name);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return;
  ssize_t length = read(fd, text, size - 1);
  close(fd);
  if (length <= 0) { snprintf(text, size, "?"); return; }
  text[length] = 0;
  text[strcspn(text, "\n")] = 0;
}

int main(void) {
  for (size_t i = 0; i < sizeof MODULES / sizeof MODULES[0]; i++) load_module(MODULES[i]);
  char name[IF_NAMESIZE];
  find_interface(name);
  int control = socket(AF_INET, SOCK_DGRAM, 0);
  if (control < 0) fail("socket");
  set_address(control, name, SIOCSIFADDR, ADDRESS);
  set_address(control, name, SIOCSIFNETMASK, NETMASK);
  bring_up(control, name);
  close(control);

  int sock = socket(AF_INET, SOCK_DGRAM, 0);
  if (sock < 0) fail("socket");
  struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons(ECHO_PORT), .sin_addr.s_addr = htonl(INADDR_ANY) };
  if (bind(sock, (struct sockaddr*)&local, sizeof local) != 0) fail("bind");
  char features[160];
  negotiated_features(name, features, sizeof features);
  printf("linux-net: %s %s/24 up; virtio features %s; UDP echo on port %d\n", name, ADDRESS, features, ECHO_PORT);
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
