/* dev-check: the device files of /dev (null, zero, full, random, urandom, tty, console): their
 * types, numbers and modes, what reading and writing them does. Unmodified (glibc and musl,
 * static); its output is compared with the same binary's as /init on Debian's kernel, whose
 * initramfs has the same nodes (tests/qemu/linux.test.ts). On Capsid it runs with a read-only
 * namespace: devices are written through it all the same, as on a read-only Linux mount. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

static void *volatile bad = (void *)16;

static const char *name(int error) {
  switch (error) {
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EBADF: return "EBADF"; case EACCES: return "EACCES";
    case EFAULT: return "EFAULT"; case EINVAL: return "EINVAL"; case ENOSPC: return "ENOSPC"; case ESPIPE: return "ESPIPE";
    case EROFS: return "EROFS"; case ENOTTY: return "ENOTTY"; case ENXIO: return "ENXIO"; case ENODEV: return "ENODEV";
    case EISDIR: return "EISDIR"; case ENOTDIR: return "ENOTDIR"; case EEXIST: return "EEXIST";
    default: return "other";
  }
}

static void result(const char *what, long value) {
  int error = errno;
  if (value < 0) printf("%s: -1 %s\n", what, name(error));
  else printf("%s: %ld\n", what, value);
}

static void show(const char *path) {
  struct stat status;
  if (stat(path, &status) < 0) { printf("%s: stat: %s\n", path, name(errno)); return; }
  printf("%s: character %d, %u:%u, mode %o, links %ld, size %ld\n", path, S_ISCHR(status.st_mode), major(status.st_rdev),
         minor(status.st_rdev), status.st_mode & 07777, (long)status.st_nlink, (long)status.st_size);
}

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *path) {
  DIR *directory = opendir(path);
  if (!directory) { printf("%s: opendir: %s\n", path, name(errno)); return; }
  char *names[64];
  int count = 0;
  struct dirent *entry;
  while ((entry = readdir(directory)) && count < 64) {
    char *text = malloc(strlen(entry->d_name) + 2);
    sprintf(text, "%s%s", entry->d_name, entry->d_type == DT_CHR ? "*" : "");
    names[count++] = text;
  }
  closedir(directory);
  qsort(names, count, sizeof names[0], compare);
  printf("%s:", path);
  for (int i = 0; i < count; i++) { printf(" %s", names[i]); free(names[i]); }
  printf("\n");
}

static int all(const unsigned char *bytes, int length, unsigned char value) {
  for (int i = 0; i < length; i++) if (bytes[i] != value) return 0;
  return 1;
}

int main(void) {
  setvbuf(stdout, 0, _IOLBF, 0);
  printf("dev-check: started\n");
  list("/dev");
  const char *nodes[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/console" };
  for (unsigned i = 0; i < sizeof nodes / sizeof nodes[0]; i++) show(nodes[i]);
  unsigned char buffer[64];

  int fd = open("/dev/null", O_RDWR);
  result("open /dev/null", fd);
  result("write /dev/null", write(fd, "gone\n", 5));
  result("write /dev/null from a bad buffer", syscall(SYS_write, fd, bad, 5));
  result("read /dev/null", read(fd, buffer, sizeof buffer));
  result("read /dev/null into a bad buffer", syscall(SYS_read, fd, bad, 5));
  result("lseek /dev/null", lseek(fd, 100, SEEK_SET));
  result("isatty /dev/null", isatty(fd));
  struct stat status;
  result("fstat /dev/null", fstat(fd, &status));
  printf("fstat: character %d, %u:%u\n", S_ISCHR(status.st_mode), major(status.st_rdev), minor(status.st_rdev));
  result("F_GETFL", fcntl(fd, F_GETFL) & O_ACCMODE);
  close(fd);
  fd = open("/dev/null", O_WRONLY | O_TRUNC | O_CREAT, 0644);
  result("open /dev/null O_TRUNC|O_CREAT", fd);
  close(fd);
  result("open /dev/null O_CREAT|O_EXCL", open("/dev/null", O_WRONLY | O_CREAT | O_EXCL, 0644));
  result("open /dev/null O_DIRECTORY", open("/dev/null", O_RDONLY | O_DIRECTORY));

  fd = open("/dev/zero", O_RDWR);
  result("open /dev/zero", fd);
  memset(buffer, 0x55, sizeof buffer);
  result("read /dev/zero", read(fd, buffer, 48));
  printf("zeros: %d, past them untouched: %d\n", all(buffer, 48, 0), all(buffer + 48, 16, 0x55));
  memset(buffer, 0x55, sizeof buffer);
  result("pread /dev/zero", pread(fd, buffer, 8, 4096));
  printf("zeros: %d\n", all(buffer, 8, 0));
  result("read /dev/zero into a bad buffer", syscall(SYS_read, fd, bad, 5));
  result("write /dev/zero", write(fd, "abc", 3));
  result("lseek /dev/zero", lseek(fd, 0, SEEK_CUR));
  close(fd);

  fd = open("/dev/full", O_RDWR);
  result("open /dev/full", fd);
  result("write /dev/full", write(fd, "abc", 3));
  memset(buffer, 0x55, sizeof buffer);
  result("read /dev/full", read(fd, buffer, 8));
  printf("zeros: %d\n", all(buffer, 8, 0));
  close(fd);

  unsigned char first[32], second[32];
  fd = open("/dev/urandom", O_RDONLY);
  result("open /dev/urandom", fd);
  result("read /dev/urandom", read(fd, first, sizeof first));
  result("read /dev/urandom again", read(fd, second, sizeof second));
  printf("not all zero: %d, the two differ: %d\n", !all(first, 32, 0), memcmp(first, second, 32) != 0);
  result("read /dev/urandom into a bad buffer", syscall(SYS_read, fd, bad, 5));
  result("write a read-only /dev/urandom", write(fd, "x", 1));
  close(fd);
  fd = open("/dev/urandom", O_WRONLY);
  result("write /dev/urandom", write(fd, "seed", 4));
  result("write /dev/urandom from a bad buffer", syscall(SYS_write, fd, bad, 4));
  close(fd);
  fd = open("/dev/random", O_RDONLY);
  result("open /dev/random", fd);
  result("read /dev/random", read(fd, first, 16));
  printf("not all zero: %d\n", !all(first, 16, 0));
  close(fd);

  fd = open("/dev/console", O_WRONLY);
  result("open /dev/console", fd);
  result("isatty /dev/console", isatty(fd));
  tcdrain(1);
  result("write /dev/console", write(fd, "dev-check: through /dev/console\n", 32));
  tcdrain(fd);
  close(fd);
  result("/dev/null as a directory", open("/dev/null/x", O_RDONLY));
  printf("dev-check: done\n");
  tcdrain(1);
  return 0;
}
