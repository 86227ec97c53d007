/* interfaces: what a program learns of the network interfaces, on loopback. The interface ioctls
 * on an AF_INET socket: SIOCGIFCONF (the length it needs, lo with 127.0.0.1 in the list),
 * SIOCGIFFLAGS, SIOCGIFADDR, SIOCGIFNETMASK, SIOCGIFBRDADDR, SIOCGIFMTU, SIOCGIFMETRIC,
 * SIOCGIFTXQLEN, SIOCGIFHWADDR, SIOCGIFINDEX of lo and SIOCGIFNAME of its index; ENODEV for a
 * name and an index no interface has; if_nametoindex and if_indextoname. /proc/net/dev: its
 * header and a lo line of 16 counters. /proc/net/tcp and udp: a listener, both ends of a
 * connection and a datagram socket on 127.0.0.1, before and after its connect, as Linux writes
 * them (addresses, ports, state, queues). Values that differ between machines (counters, the
 * ports chosen, other interfaces) are compared, not printed. */
#include "sockets.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <net/if_arp.h>

static struct ifreq request_for(const char *name) {
  struct ifreq request;
  memset(&request, 0, sizeof request);
  strncpy(request.ifr_name, name, IFNAMSIZ - 1);
  return request;
}

static const char *address_of(struct sockaddr *address) {
  return inet_ntoa(((struct sockaddr_in *)address)->sin_addr);
}

/** The line of /proc/net/`file` whose local address is 127.0.0.1:`port` (and remote port
 * `remote`, unless 0): its addresses, state and queues printed. */
static void proc_line(const char *label, const char *file, unsigned port, unsigned remote) {
  char path[64], buffer[8192];
  snprintf(path, sizeof path, "/proc/net/%s", file);
  int fd = open(path, O_RDONLY);
  long length = fd < 0 ? -1 : read(fd, buffer, sizeof buffer - 1);
  if (fd >= 0) close(fd);
  if (length < 0) {
    printf("%s: %s unreadable\n", label, path);
    return;
  }
  buffer[length] = 0;
  char local[32], other[32];
  snprintf(local, sizeof local, " 0100007F:%04X ", port);
  snprintf(other, sizeof other, ":%04X ", remote);
  for (char *line = strtok(buffer, "\n"); line != NULL; line = strtok(NULL, "\n")) {
    char *at = strstr(line, local);
    if (at == NULL || (remote != 0 && strncmp(at + 23, other, 6) != 0)) continue;
    // The ports differ from run to run: the addresses, the state and the queues are printed.
    printf("%s: %.8s %.8s %.2s %.17s\n", label, at + 1, at + 15, at + 29, at + 32);
    return;
  }
  printf("%s: no line\n", label);
}

static unsigned port_of(int fd) {
  struct sockaddr_in address;
  socklen_t length = sizeof address;
  getsockname(fd, (struct sockaddr *)&address, &length);
  return ntohs(address.sin_port);
}

int main(void) {
  loopback_up();
  proc_mounted();
  int fd = CHECK("socket", socket(AF_INET, SOCK_DGRAM, 0));

  struct ifconf list = { 0 };
  list.ifc_buf = NULL;
  CHECK("SIOCGIFCONF, no buffer", ioctl(fd, SIOCGIFCONF, &list));
  EXPECT("the length needed: whole ifreqs", list.ifc_len > 0 && list.ifc_len % (int)sizeof(struct ifreq) == 0);
  struct ifreq entries[8];
  list.ifc_len = sizeof entries;
  list.ifc_req = entries;
  CHECK("SIOCGIFCONF", ioctl(fd, SIOCGIFCONF, &list));
  int listed = 0;
  for (int i = 0; i < list.ifc_len / (int)sizeof(struct ifreq); i++) {
    if (strcmp(entries[i].ifr_name, "lo") == 0) listed = strcmp(address_of(&entries[i].ifr_addr), "127.0.0.1") == 0;
  }
  EXPECT("lo listed with 127.0.0.1", listed);

  struct ifreq request = request_for("lo");
  CHECK("SIOCGIFFLAGS lo", ioctl(fd, SIOCGIFFLAGS, &request));
  printf("lo flags: up %d, loopback %d, running %d, broadcast %d\n", !!(request.ifr_flags & IFF_UP), !!(request.ifr_flags & IFF_LOOPBACK),
    !!(request.ifr_flags & IFF_RUNNING), !!(request.ifr_flags & IFF_BROADCAST));
  CHECK("SIOCGIFADDR lo", ioctl(fd, SIOCGIFADDR, &request));
  printf("lo address: %s\n", address_of(&request.ifr_addr));
  CHECK("SIOCGIFNETMASK lo", ioctl(fd, SIOCGIFNETMASK, &request));
  printf("lo mask: %s\n", address_of(&request.ifr_netmask));
  CHECK("SIOCGIFBRDADDR lo", ioctl(fd, SIOCGIFBRDADDR, &request));
  printf("lo broadcast: %s\n", address_of(&request.ifr_broadaddr));
  CHECK("SIOCGIFMTU lo", ioctl(fd, SIOCGIFMTU, &request));
  printf("lo mtu: %d\n", request.ifr_mtu);
  CHECK("SIOCGIFMETRIC lo", ioctl(fd, SIOCGIFMETRIC, &request));
  printf("lo metric: %d\n", request.ifr_metric);
  CHECK("SIOCGIFTXQLEN lo", ioctl(fd, SIOCGIFTXQLEN, &request));
  printf("lo txqueuelen: %d\n", request.ifr_qlen);
  CHECK("SIOCGIFHWADDR lo", ioctl(fd, SIOCGIFHWADDR, &request));
  unsigned char *mac = (unsigned char *)request.ifr_hwaddr.sa_data;
  printf("lo hardware: family %d, %02x:%02x:%02x:%02x:%02x:%02x\n", request.ifr_hwaddr.sa_family, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  CHECK("SIOCGIFINDEX lo", ioctl(fd, SIOCGIFINDEX, &request));
  int index = request.ifr_ifindex;
  printf("lo index: %d\n", index);
  memset(&request, 0, sizeof request);
  request.ifr_ifindex = index;
  CHECK("SIOCGIFNAME of lo's index", ioctl(fd, SIOCGIFNAME, &request));
  printf("its name: %s\n", request.ifr_name);
  request = request_for("nosuch0");
  CHECK("SIOCGIFFLAGS nosuch0", ioctl(fd, SIOCGIFFLAGS, &request));
  request.ifr_ifindex = 99;
  CHECK("SIOCGIFNAME 99", ioctl(fd, SIOCGIFNAME, &request));
  printf("if_nametoindex lo: %u\n", if_nametoindex("lo"));
  char name[IF_NAMESIZE] = { 0 };
  printf("if_indextoname of it: %s\n", if_indextoname(if_nametoindex("lo"), name) != NULL ? name : "(none)");
  CHECK("if_nametoindex nosuch0", (long)if_nametoindex("nosuch0") - 0);
  close(fd);

  char buffer[4096] = { 0 };
  int dev = open("/proc/net/dev", O_RDONLY);
  long length = dev < 0 ? -1 : read(dev, buffer, sizeof buffer - 1);
  if (dev >= 0) close(dev);
  EXPECT("/proc/net/dev read", length > 0);
  char *second = strchr(buffer, '\n');
  printf("first line: %.*s\n", second != NULL ? (int)(second - buffer) : 0, buffer);
  char *lo = strstr(buffer, "    lo:");
  unsigned long long counters[16];
  int fields = lo == NULL ? 0 : sscanf(lo + 7, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &counters[0],
    &counters[1], &counters[2], &counters[3], &counters[4], &counters[5], &counters[6], &counters[7], &counters[8], &counters[9],
    &counters[10], &counters[11], &counters[12], &counters[13], &counters[14], &counters[15]);
  printf("lo's counters: %d\n", fields);

  struct sockaddr_in address = { 0 };
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  CHECK("bind a listener", bind(listener, (struct sockaddr *)&address, sizeof address));
  CHECK("listen", listen(listener, 4));
  unsigned listening = port_of(listener);
  proc_line("tcp, the listener", "tcp", listening, 0);
  int client = socket(AF_INET, SOCK_STREAM, 0);
  address.sin_port = htons(listening);
  CHECK("connect", connect(client, (struct sockaddr *)&address, sizeof address));
  int accepted = CHECK("accept", accept(listener, NULL, NULL));
  CHECK("send 5 bytes", send(client, "hello", 5, 0));
  usleep(100000);
  proc_line("tcp, the client", "tcp", port_of(client), listening);
  proc_line("tcp, the accepted end", "tcp", listening, port_of(client));
  close(client);
  close(accepted);
  close(listener);

  int datagram = socket(AF_INET, SOCK_DGRAM, 0);
  address.sin_port = 0;
  CHECK("bind a datagram socket", bind(datagram, (struct sockaddr *)&address, sizeof address));
  proc_line("udp, bound", "udp", port_of(datagram), 0);
  address.sin_port = htons(9);
  CHECK("connect it", connect(datagram, (struct sockaddr *)&address, sizeof address));
  proc_line("udp, connected", "udp", port_of(datagram), 9);
  close(datagram);
  return 0;
}
