/* ro-check: a Linux program whose Namespace grant is read-only (manifest grant `namespace`) and
 * one with none (`ro-check-musl` has no namespace grant: every path is ENOENT). Capsid only: Linux
 * has no such grants, so tests/qemu/linux-fs.test.ts compares its output with the expected lines
 * written there. Every call that would change the file system says EROFS through the read-only
 * grant, reading still works, devices are written all the same (as on a read-only Linux mount),
 * and a forked child keeps the same right. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char *name(int error) {
  switch (error) {
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EBADF: return "EBADF"; case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR"; case EISDIR: return "EISDIR"; case EINVAL: return "EINVAL"; case EROFS: return "EROFS";
    case ENXIO: return "ENXIO"; case ENODEV: return "ENODEV"; case EFAULT: return "EFAULT";
    default: return "other";
  }
}

static void result(const char *what, long value) {
  int error = errno;
  if (value < 0) printf("%s: -1 %s\n", what, name(error));
  else printf("%s: %ld\n", what, value);
}

int main(void) {
  setvbuf(stdout, 0, _IOLBF, 0);
  printf("ro-check: started\n");
  struct stat status;
  int namespace = stat("/", &status) == 0;
  printf("namespace: %d\n", namespace);
  result("open O_CREAT", open("/tmp/new", O_CREAT | O_WRONLY, 0644));
  result("open O_WRONLY", open("/etc/motd", O_WRONLY));
  result("open O_RDWR", open("/etc/motd", O_RDWR));
  result("open O_RDONLY|O_TRUNC", open("/etc/motd", O_RDONLY | O_TRUNC));
  result("creat", creat("/etc/motd", 0644));
  int fd = open("/etc/motd", O_RDONLY);
  result("open O_RDONLY", fd >= 0 ? 0 : -1);
  result("fchmod", fchmod(fd, 0600));
  result("fchown", fchown(fd, 1, 1));
  result("futimens", futimens(fd, 0));
  result("ftruncate", ftruncate(fd, 0));
  close(fd);
  result("mkdir", mkdir("/tmp/d", 0755));
  result("mkdir an existing directory", mkdir("/etc", 0755));
  result("rmdir", rmdir("/usr/share/capsid/empty"));
  result("unlink", unlink("/etc/motd"));
  result("unlink a missing file", unlink("/etc/nothing"));
  result("rename", rename("/etc/motd", "/etc/motd2"));
  result("link", link("/etc/motd", "/tmp/hard"));
  result("symlink", symlink("/etc/motd", "/tmp/soft"));
  result("chmod", chmod("/etc/motd", 0600));
  result("chown", chown("/etc/motd", 1, 1));
  result("utimensat", utimensat(AT_FDCWD, "/etc/motd", 0, 0));
  result("truncate", truncate("/etc/motd", 0));
  result("access W_OK", access("/etc/motd", W_OK));
  result("access R_OK", access("/etc/motd", R_OK));
  result("access W_OK /dev/null", access("/dev/null", W_OK));
  result("access /proc/self/stat", access("/proc/self/stat", R_OK));   /* procfs: only through a Namespace */
  struct statfs filesystem;
  result("statfs", statfs("/", &filesystem));
  printf("read-only: %d\n", namespace ? (int)(filesystem.f_flags & 1) : -1);
  result("stat", stat("/etc/motd", &status));
  result("chdir", chdir("/tmp"));
  char cwd[64];
  printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : name(errno));
  fd = open("/dev/null", O_RDWR);
  result("open /dev/null", fd >= 0 ? 0 : -1);
  result("write /dev/null", write(fd, "abc", 3));
  close(fd);
  fd = open("/dev/zero", O_RDONLY);
  result("open /dev/zero", fd >= 0 ? 0 : -1);
  close(fd);
  fd = open("/dev/tty", O_WRONLY);
  result("open /dev/tty", fd >= 0 ? 0 : -1);
  result("isatty /dev/tty", isatty(fd));
  result("write /dev/tty", write(fd, "ro-check: through /dev/tty\n", 27));
  close(fd);
  fd = open("/dev/console", O_WRONLY);
  result("open /dev/console", fd >= 0 ? 0 : -1);
  close(fd);
  pid_t child = fork();
  if (child == 0) {
    long made = mkdir("/tmp/from-child", 0755);
    printf("child mkdir: %s\n", made < 0 ? name(errno) : "made");
    _exit(0);
  }
  int wait_status;
  waitpid(child, &wait_status, 0);
  printf("ro-check: done\n");
  tcdrain(1);
  return 0;
}
