/* fs-fuzz: a seeded random sequence of file calls (open with random flags, write, mkdir, rmdir,
 * unlink, rename, link, symlink, truncate, chmod, utimensat, stat) over random paths built from a
 * few names, "..", ".", links made along the way and trailing slashes, printing every result.
 * Unmodified (glibc and musl, static); compared line for line with Debian's kernel
 * (tests/qemu/linux-fs.test.ts): every error must be the one Linux gives, and no input may harm
 * the kernel. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

/* A seed per C library: the two builds walk different sequences. */
#ifdef __GLIBC__
static unsigned long long seed = 0x9e3779b97f4a7c15ull;
#else
static unsigned long long seed = 0x2545f4914f6cdd1dull;
#endif
static unsigned next(unsigned bound) {
  seed ^= seed << 13;
  seed ^= seed >> 7;
  seed ^= seed << 17;
  return (unsigned)(seed % bound);
}

static const char *name(int error) {
  switch (error) {
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EBADF: return "EBADF"; case EACCES: return "EACCES";
    case EFAULT: return "EFAULT"; case EBUSY: return "EBUSY"; case EEXIST: return "EEXIST"; case EXDEV: return "EXDEV";
    case ENOTDIR: return "ENOTDIR"; case EISDIR: return "EISDIR"; case EINVAL: return "EINVAL"; case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC"; case EROFS: return "EROFS"; case EMLINK: return "EMLINK"; case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOTEMPTY: return "ENOTEMPTY"; case ELOOP: return "ELOOP"; case ENXIO: return "ENXIO";
    default: return "other";
  }
}

/* A random path of 1..3 components under /tmp/fz (absolute or relative to it). */
static void path(char *out) {
  static const char *parts[] = { "a", "b", "c", "d", "..", ".", "l1", "l2", "a/b", "d/c" };
  out[0] = 0;
  if (next(3) == 0) strcat(out, "/tmp/fz/");
  int count = 1 + next(3);
  for (int i = 0; i < count; i++) {
    if (i) strcat(out, "/");
    strcat(out, parts[next(sizeof parts / sizeof parts[0])]);
  }
  if (next(6) == 0) strcat(out, "/");
}

static void report(int step, const char *call, const char *a, const char *b, long value) {
  int error = errno;
  if (value < 0) printf("%d %s %s %s: %s\n", step, call, a, b, name(error));
  else printf("%d %s %s %s: %ld\n", step, call, a, b, value);
}

int main(void) {
  setvbuf(stdout, 0, _IOLBF, 0);
  printf("fs-fuzz: started\n");
  mkdir("/tmp/fz", 0755);
  chdir("/tmp/fz");
  static const int flags[] = { O_RDONLY, O_WRONLY | O_CREAT, O_RDWR | O_CREAT | O_EXCL, O_WRONLY | O_TRUNC, O_RDONLY | O_DIRECTORY,
    O_WRONLY | O_CREAT | O_APPEND, O_RDONLY | O_NOFOLLOW, O_RDWR, O_PATH, O_CREAT | O_RDONLY };
  char p[128], q[128];
  int held[4] = { -1, -1, -1, -1 };   /* descriptors kept open across steps */
  for (int step = 0; step < 3000; step++) {
    path(p);
    path(q);
    long r = 0;
    int slot = next(4);
    switch (next(17)) {
      case 13: {   /* open and keep */
        if (held[slot] >= 0) close(held[slot]);
        int f = flags[next(sizeof flags / sizeof flags[0])];
        held[slot] = open(p, f, 0600);
        report(step, "keep", p, f & O_CREAT ? "creat" : "", held[slot] < 0 ? -1 : 0);
        break;
      }
      case 14: {   /* write, pwrite or an O_APPEND change on a kept descriptor */
        static const long offsets[] = { 0, 1, 4095, 4096, 70000 };
        unsigned what = next(3);
        if (what == 0) r = write(held[slot], "abcdefgh", 1 + next(8));
        else if (what == 1) r = pwrite(held[slot], "XYZ", 3, offsets[next(5)]);
        else r = fcntl(held[slot], F_SETFL, next(2) ? O_APPEND : 0);
        report(step, what == 0 ? "write" : what == 1 ? "pwrite" : "setfl", "kept", "", r);
        break;
      }
      case 15: {   /* ftruncate, lseek or read on a kept descriptor */
        static const long sizes[] = { 0, 2, 4097, -1 };
        unsigned what = next(3);
        char buffer[16];
        if (what == 0) r = ftruncate(held[slot], sizes[next(4)]);
        else if (what == 1) r = lseek(held[slot], next(5000), next(3));
        else r = read(held[slot], buffer, sizeof buffer);
        report(step, what == 0 ? "ftruncate" : what == 1 ? "lseek" : "read", "kept", "", r);
        break;
      }
      case 16: {   /* fstat a kept descriptor */
        struct stat status;
        r = fstat(held[slot], &status);
        if (r < 0) report(step, "fstat", "kept", "", r);
        else if (S_ISDIR(status.st_mode)) printf("%d fstat kept: directory\n", step);
        else printf("%d fstat kept: type %o mode %o links %ld size %ld\n", step, status.st_mode & S_IFMT, status.st_mode & 07777,
                    (long)status.st_nlink, (long)status.st_size);
        break;
      }
      case 0: case 1: {
        int f = flags[next(sizeof flags / sizeof flags[0])];
        int fd = open(p, f, 0644);
        report(step, "open", p, f & O_CREAT ? "creat" : "", fd < 0 ? -1 : 0);
        if (fd >= 0) {
          r = write(fd, "data", 1 + next(4));
          report(step, "write", p, "", r);
          close(fd);
        }
        break;
      }
      case 2: r = mkdir(p, 0755); report(step, "mkdir", p, "", r); break;
      case 3: r = rmdir(p); report(step, "rmdir", p, "", r); break;
      case 4: r = unlink(p); report(step, "unlink", p, "", r); break;
      case 5: r = rename(p, q); report(step, "rename", p, q, r); break;
      case 6: r = syscall(SYS_renameat2, AT_FDCWD, p, AT_FDCWD, q, 1); report(step, "noreplace", p, q, r); break;
      case 7: r = link(p, q); report(step, "link", p, q, r); break;
      case 8: r = symlink(q, p); report(step, "symlink", q, p, r); break;
      case 9: { static const long sizes[] = { 0, 3, 4096, 10000, -1 }; r = truncate(p, sizes[next(5)]); report(step, "truncate", p, "", r); break; }
      case 10: r = chmod(p, next(2) ? 0600 : 0755); report(step, "chmod", p, "", r); break;
      case 11: r = utimensat(AT_FDCWD, p, 0, next(2) ? AT_SYMLINK_NOFOLLOW : 0); report(step, "utimensat", p, "", r); break;
      default: {
        struct stat status;
        r = lstat(p, &status);
        if (r < 0) report(step, "lstat", p, "", r);
        else if (S_ISDIR(status.st_mode)) printf("%d lstat %s: directory\n", step, p);   /* the root's mode and links are the archive's */
        else printf("%d lstat %s: type %o mode %o links %ld size %ld\n", step, p, status.st_mode & S_IFMT, status.st_mode & 07777,
                    (long)status.st_nlink, (long)status.st_size);
      }
    }
  }
  printf("fs-fuzz: done\n");
  tcdrain(1);
  return 0;
}
