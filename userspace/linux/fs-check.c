/* fs-check: files, directories, symbolic links and paths in the root file system (userspace/root/,
 * the initrd), unmodified (glibc and musl, static); its output is compared with the same binary's
 * as /init on Debian's kernel with the same tree in its initramfs (tests/qemu/linux.test.ts).
 * Directory listings are sorted: the order entries come in is the file system's own. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

static const char *name(int error) {
  switch (error) {
    case ENOENT: return "ENOENT"; case ENOTDIR: return "ENOTDIR"; case EISDIR: return "EISDIR"; case EINVAL: return "EINVAL";
    case EBADF: return "EBADF"; case EFAULT: return "EFAULT"; case EACCES: return "EACCES"; case EROFS: return "EROFS";
    case ELOOP: return "ELOOP"; case ERANGE: return "ERANGE"; case ENAMETOOLONG: return "ENAMETOOLONG"; case ESPIPE: return "ESPIPE";
    default: return "other";
  }
}

static void result(const char *what, long value) {
  int error = errno;
  if (value < 0) printf("%s: -1 %s\n", what, name(error));
  else printf("%s: %ld\n", what, value);
}

static void show_file(const char *path) {
  char buffer[256] = { 0 };
  int fd = open(path, O_RDONLY);
  if (fd < 0) { printf("%s: open: %s\n", path, name(errno)); return; }
  long n = read(fd, buffer, sizeof buffer - 1);
  printf("%s: %ld bytes: %s", path, n, n > 0 ? buffer : "\n");
  close(fd);
}

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY);
  if (fd < 0) { printf("%s: open: %s\n", path, name(errno)); return; }
  char buffer[512];
  char *names[64];
  int count = 0;
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buffer, sizeof buffer);   /* small: several calls */
    if (n <= 0) break;
    for (long at = 0; at < n;) {
      struct dirent64 *entry = (struct dirent64 *)(buffer + at);
      if (count < 64) {
        names[count] = malloc(strlen(entry->d_name) + 4);
        sprintf(names[count], "%s%s", entry->d_name, entry->d_type == DT_DIR ? "/" : entry->d_type == DT_LNK ? "@" : "");
        count++;
      }
      at += entry->d_reclen;
    }
  }
  close(fd);
  qsort(names, count, sizeof names[0], compare);
  printf("%s:", path);
  for (int i = 0; i < count; i++) { printf(" %s", names[i]); free(names[i]); }
  printf("\n");
}

int main(void) {
  setvbuf(stdout, 0, _IOLBF, 0);
  printf("fs-check: started\n");
  show_file("/etc/hostname");
  show_file("/etc/motd");
  show_file("/usr/share/capsid/motd-link");
  show_file("/usr/share/capsid/absolute-link");
  show_file("/../../etc/../etc/./hostname");
  show_file("//usr///share/capsid/alpha.txt");
  show_file("/no/such/file");
  show_file("/etc/hostname/below-a-file");

  struct stat status, through;
  result("stat /etc/motd", stat("/etc/motd", &status));
  printf("/etc/motd: regular %d, mode %o, size %ld, links %ld, uid %d\n", S_ISREG(status.st_mode), status.st_mode & 07777,
         (long)status.st_size, (long)status.st_nlink, status.st_uid);
  result("lstat the relative link", lstat("/usr/share/capsid/motd-link", &through));
  printf("link: symbolic %d, size %ld\n", S_ISLNK(through.st_mode), (long)through.st_size);
  result("stat through the link", stat("/usr/share/capsid/motd-link", &through));
  printf("through the link: the same file %d\n", through.st_ino == status.st_ino && through.st_dev == status.st_dev);
  result("stat /usr/share", stat("/usr/share", &status));
  printf("/usr/share: directory %d, mode %o\n", S_ISDIR(status.st_mode), status.st_mode & 07777);
  char target[64] = { 0 };
  result("readlink", readlink("/usr/share/capsid/motd-link", target, sizeof target));
  printf("target: %s\n", target);
  memset(target, 0, sizeof target);
  result("readlink cut to 5", readlink("/usr/share/capsid/absolute-link", target, 5));
  printf("cut: %s\n", target);
  result("readlink of a file", readlink("/etc/motd", target, sizeof target));

  list("/usr/share/capsid");
  list("/etc");
  list("/usr/share/capsid/empty");

  /* The working directory. */
  char cwd[128];
  result("chdir", chdir("/usr/share/capsid"));
  printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : name(errno));
  show_file("beta.txt");
  show_file("../capsid/gamma.txt");
  result("chdir ..", chdir(".."));
  printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : name(errno));
  result("getcwd too small", syscall(SYS_getcwd, cwd, 3));
  result("chdir to a file", chdir("/etc/motd"));
  int directory = open("/etc", O_RDONLY | O_DIRECTORY);
  result("fchdir", fchdir(directory));
  printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : name(errno));
  show_file("hostname");
  int relative = openat(directory, "passwd", O_RDONLY);
  result("openat from a directory descriptor", relative >= 0 ? 0 : -1);
  close(relative);
  result("fstatat AT_EMPTY_PATH", fstatat(directory, "", &status, AT_EMPTY_PATH));
  printf("the directory: %d\n", S_ISDIR(status.st_mode));
  result("read a directory", read(directory, cwd, 8));
  result("openat relative to a file", openat(open("/etc/motd", O_RDONLY), "x", O_RDONLY));
  close(directory);
  chdir("/");

  /* Offsets. */
  int fd = open("/etc/motd", O_RDONLY);
  char piece[16] = { 0 };
  result("read 10", read(fd, piece, 10));
  printf("piece: %s\n", piece);
  result("lseek SEEK_CUR", lseek(fd, 0, SEEK_CUR));
  result("lseek SEEK_END", lseek(fd, -5, SEEK_END));
  memset(piece, 0, sizeof piece);
  result("read at the end", read(fd, piece, sizeof piece - 1));
  printf("tail: %s", piece);
  result("read past the end", read(fd, piece, 4));
  memset(piece, 0, sizeof piece);
  result("pread at 11", pread(fd, piece, 7, 11));
  printf("pread: %s\n", piece);
  result("lseek after pread", lseek(fd, 0, SEEK_CUR));
  result("lseek before 0", lseek(fd, -1, SEEK_SET));
  result("lseek bad whence", lseek(fd, 0, 9));
  result("read into a bad buffer", syscall(SYS_read, fd, (void *)16, 4));
  close(fd);
  result("pread on a pipe", ({ int p[2]; pipe(p); long r = pread(p[0], piece, 1, 0); close(p[0]); close(p[1]); r; }));

  /* Errors. */
  result("open a missing file", open("/etc/nothing", O_RDONLY));
  result("O_DIRECTORY on a file", open("/etc/motd", O_RDONLY | O_DIRECTORY));
  result("a directory for writing", open("/etc", O_WRONLY));
  result("getdents64 on a file", ({ int f = open("/etc/motd", O_RDONLY); long r = syscall(SYS_getdents64, f, piece, sizeof piece); close(f); r; }));
  result("access R_OK", access("/etc/motd", R_OK));
  result("access X_OK on 0644", access("/etc/motd", X_OK));
  result("access X_OK on a directory", access("/etc", X_OK));
  result("access a missing file", access("/etc/nothing", F_OK));
  result("open from a bad address", open((char *)16, O_RDONLY));
  result("stat an empty path", stat("", &status));
  char longpath[5000];
  memset(longpath, 'a', sizeof longpath - 1);
  longpath[sizeof longpath - 1] = 0;
  result("a path over PATH_MAX", open(longpath, O_RDONLY));
  printf("fs-check: done\n");
  tcdrain(1);   /* on the wire before init exits: Linux panics when init exits, and would cut the tty's output */
  return 0;
}
