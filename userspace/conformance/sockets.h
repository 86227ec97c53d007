/* sockets.h: what the socket programs of the conformance suite share: naming AF_UNIX sockets by
 * path and in the abstract namespace, loopback's AF_INET address, bringing loopback up where a
 * kernel has it down (Debian's /init does; Capsid's is always up) and mounting /proc, silently,
 * and trying a descriptor passed with SCM_RIGHTS. */
#ifndef CONFORMANCE_SOCKETS_H
#define CONFORMANCE_SOCKETS_H
#include "report.h"
#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>

/** `address` names `path`: the length to pass with it (the path's terminating zero included). */
static UNUSED socklen_t named(struct sockaddr_un *address, const char *path) {
  memset(address, 0, sizeof *address);
  address->sun_family = AF_UNIX;
  strcpy(address->sun_path, path);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

/** `address` names `name` in the abstract namespace (a leading zero byte): its length. */
static UNUSED socklen_t abstract_name(struct sockaddr_un *address, const char *name) {
  memset(address, 0, sizeof *address);
  address->sun_family = AF_UNIX;
  memcpy(address->sun_path + 1, name, strlen(name));
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

/** Brings the loopback interface up, if it is down and the kernel lets it. */
static UNUSED void loopback_up(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct ifreq request = { 0 };
  strcpy(request.ifr_name, "lo");
  if (ioctl(fd, SIOCGIFFLAGS, &request) == 0) {
    request.ifr_flags |= IFF_UP;
    ioctl(fd, SIOCSIFFLAGS, &request);
  }
  close(fd);
}
/** 127.0.0.1:`port` (host order). */
static UNUSED struct sockaddr_in loopback(unsigned short port) {
  struct sockaddr_in address = { 0 };
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

/** Mounts procfs on /proc where nothing has (Debian's /init mounts none; Capsid's is there). */
static UNUSED void proc_mounted(void) {
  if (access("/proc/self", F_OK) == 0) return;
  mkdir("/proc", 0555);
  mount("proc", "/proc", "proc", 0, NULL);
}

/** Writes through `passed`, a pipe's write end that came with SCM_RIGHTS, and reads the bytes
 * back from the pipe's read end `reader`, printing both results and the bytes. */
static UNUSED void passed_end_works(int passed, int reader) {
  char buffer[16] = { 0 };
  CHECK("write to the passed end", write(passed, "through", 7));
  CHECK("read from the pipe", read(reader, buffer, sizeof buffer - 1));
  printf("read: %s\n", buffer);
}
#endif
