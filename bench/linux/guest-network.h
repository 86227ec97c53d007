/* The network setup shared by the Linux guests of the network benchmarks (bench/linux/net-echo.c
 * for bench/net.ts, bench/linux/tcp-bench.c for bench/tcp.ts): both run as /init (or rdinit=) of
 * build/linux/initrd-net.cpio in Debian's own kernel. Debian builds virtio-net as modules: they
 * sit at the initramfs's top level (extracted from the same kernel package at build time,
 * Makefile) and are loaded here in dependency order with finit_module; the first interface that
 * is not loopback gets 10.0.2.15/24 and is brought up (SIOCSIFADDR, SIOCSIFNETMASK,
 * SIOCSIFFLAGS: the kernel has no IP autoconfiguration). Header-only: each program is one
 * translation unit, built static by the Makefile. */
#ifndef CAPSID_BENCH_GUEST_NETWORK_H
#define CAPSID_BENCH_GUEST_NETWORK_H

#include <arpa/inet.h>
#include <errno.h>
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

#define GUEST_ADDRESS "10.0.2.15"
#define GUEST_NETMASK "255.255.255.0"

/* virtio_net's dependencies first (each module's modinfo "depends="). */
static const char* const GUEST_MODULES[] = {
  "virtio_ring.ko", "virtio.ko", "virtio_pci_modern_dev.ko", "virtio_pci_legacy_dev.ko", "virtio_pci.ko",
  "failover.ko", "net_failover.ko", "virtio_net.ko",
};

/* Prints "linux-net: FAIL what: errno" and powers the machine off (the bench sees QEMU end). */
static void guest_fail(const char* what) {
  printf("linux-net: FAIL %s: %m\n", what);
  fflush(stdout);
  reboot(RB_POWER_OFF);
  _exit(1);
}

static void guest_load_module(const char* name) {
  char path[64];
  snprintf(path, sizeof path, "/%s", name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) guest_fail(path);
  if (syscall(SYS_finit_module, fd, "", 0) != 0) guest_fail(path);
  close(fd);
}

/* The first interface that is not loopback; PCI probing runs inside finit_module, so it exists
 * by now, but a bounded wait costs nothing when it does. */
static void guest_find_interface(char name[IF_NAMESIZE]) {
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
  guest_fail("no network interface after loading virtio_net");
}

static void guest_set_address(int sock, const char* name, unsigned long request, const char* text) {
  struct ifreq request_block = { 0 };
  snprintf(request_block.ifr_name, IF_NAMESIZE, "%s", name);
  struct sockaddr_in* address = (struct sockaddr_in*)&request_block.ifr_addr;
  address->sin_family = AF_INET;
  inet_pton(AF_INET, text, &address->sin_addr);
  if (ioctl(sock, request, &request_block) != 0) guest_fail(request == SIOCSIFADDR ? "SIOCSIFADDR" : "SIOCSIFNETMASK");
}

static void guest_bring_up(int sock, const char* name) {
  struct ifreq request_block = { 0 };
  snprintf(request_block.ifr_name, IF_NAMESIZE, "%s", name);
  if (ioctl(sock, SIOCGIFFLAGS, &request_block) != 0) guest_fail("SIOCGIFFLAGS");
  request_block.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(sock, SIOCSIFFLAGS, &request_block) != 0) guest_fail("SIOCSIFFLAGS");
}

/* The virtio feature bits the driver accepted, as sysfs shows them (bit 0 first), or "?". */
static void guest_negotiated_features(const char* name, char* text, size_t size) {
  snprintf(text, size, "?");
  mkdir("/sys", 0755);
  if (mount("sysfs", "/sys", "sysfs", 0, NULL) != 0 && errno != EBUSY) return;
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

/* Loads the modules and brings the interface up at GUEST_ADDRESS/24: its name in `name`, the
 * negotiated features in `features`. Fails (powers off) on any error. */
static void guest_network_up(char name[IF_NAMESIZE], char* features, size_t features_size) {
  for (size_t i = 0; i < sizeof GUEST_MODULES / sizeof GUEST_MODULES[0]; i++) guest_load_module(GUEST_MODULES[i]);
  guest_find_interface(name);
  int control = socket(AF_INET, SOCK_DGRAM, 0);
  if (control < 0) guest_fail("socket");
  guest_set_address(control, name, SIOCSIFADDR, GUEST_ADDRESS);
  guest_set_address(control, name, SIOCSIFNETMASK, GUEST_NETMASK);
  guest_bring_up(control, name);
  close(control);
  guest_negotiated_features(name, features, features_size);
}

#endif
