/* fsw-check: writing the root file system: creating, writing, truncating, renaming, linking and
 * removing files and directories, their modes, owners and times, statfs and statx, and escape
 * attempts (".." past the root, absolute and climbing symbolic links). Unmodified (glibc and musl,
 * static); its output is compared with the same binary's as /init on Debian's kernel with the same
 * tree in its initramfs (tests/qemu/linux.test.ts). Every line is a return value and errno, or a
 * fact that both kernels must agree on (no inode numbers or absolute times). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

/* struct statx (include/uapi/linux/stat.h), called through syscall(): musl 1.2.3 has no wrapper. */
struct timestamp { long long tv_sec; unsigned tv_nsec; int reserved; };
struct extended_stat {
  unsigned mask, blksize;
  unsigned long long attributes;
  unsigned nlink, uid, gid;
  unsigned short mode, spare0;
  unsigned long long ino, size, blocks, attributes_mask;
  struct timestamp atime, btime, ctime, mtime;
  unsigned rdev_major, rdev_minor, dev_major, dev_minor;
  unsigned long long spare[14];
};
#define BASIC_STATS 0x7ffu
static long extended(int dirfd, const char *path, int flags, struct extended_stat *out) {
  return syscall(332, dirfd, path, flags, BASIC_STATS, out);
}

/* An address no program maps (volatile: the compiler must not see through it). */
static void *volatile bad = (void *)16;

static const char *name(int error) {
  switch (error) {
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EBADF: return "EBADF"; case EACCES: return "EACCES";
    case EFAULT: return "EFAULT"; case EBUSY: return "EBUSY"; case EEXIST: return "EEXIST"; case EXDEV: return "EXDEV";
    case ENOTDIR: return "ENOTDIR"; case EISDIR: return "EISDIR"; case EINVAL: return "EINVAL"; case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC"; case ESPIPE: return "ESPIPE"; case EROFS: return "EROFS"; case EMLINK: return "EMLINK";
    case ENAMETOOLONG: return "ENAMETOOLONG"; case ENOSYS: return "ENOSYS"; case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP"; case ENXIO: return "ENXIO"; case ENODEV: return "ENODEV"; case EOPNOTSUPP: return "EOPNOTSUPP";
    default: return "other";
  }
}

static void result(const char *what, long value) {
  int error = errno;
  if (value < 0) printf("%s: -1 %s\n", what, name(error));
  else printf("%s: %ld\n", what, value);
}

/* A file's type, permission bits, links, size and owner. */
static void show(const char *path) {
  struct stat status;
  if (lstat(path, &status) < 0) { printf("%s: lstat: %s\n", path, name(errno)); return; }
  const char *type = S_ISREG(status.st_mode) ? "file" : S_ISDIR(status.st_mode) ? "directory" : S_ISLNK(status.st_mode) ? "link" : "other";
  printf("%s: %s, mode %o, links %ld, size %ld, owner %d:%d\n", path, type, status.st_mode & 07777, (long)status.st_nlink,
         (long)status.st_size, status.st_uid, status.st_gid);
}

/* A file's bytes (up to 64), printable or as "\xNN". */
static void contents(const char *path) {
  char buffer[65] = { 0 };
  int fd = open(path, O_RDONLY);
  if (fd < 0) { printf("%s: open: %s\n", path, name(errno)); return; }
  long n = read(fd, buffer, 64);
  close(fd);
  printf("%s: %ld bytes: \"", path, n);
  for (long i = 0; i < n; i++) {
    if (buffer[i] >= 32 && buffer[i] < 127) putchar(buffer[i]);
    else printf("\\x%02x", (unsigned char)buffer[i]);
  }
  printf("\"\n");
}

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A directory's names, sorted (the order entries come in is the file system's own). */
static void list(const char *path) {
  DIR *directory = opendir(path);
  if (!directory) { printf("%s: opendir: %s\n", path, name(errno)); return; }
  char *names[64];
  int count = 0;
  struct dirent *entry;
  while ((entry = readdir(directory)) && count < 64) names[count++] = strdup(entry->d_name);
  closedir(directory);
  qsort(names, count, sizeof names[0], compare);
  printf("%s:", path);
  for (int i = 0; i < count; i++) { printf(" %s", names[i]); free(names[i]); }
  printf("\n");
}

static long links_of(const char *path) {
  struct stat status;
  return stat(path, &status) < 0 ? -1 : (long)status.st_nlink;
}

static void creating(void) {
  printf("-- creating and writing\n");
  result("umask 022", umask(022));
  int fd = open("/tmp/a", O_CREAT | O_WRONLY | O_EXCL, 0666);
  result("open O_CREAT|O_EXCL", fd);
  result("write", write(fd, "hello\n", 6));
  show("/tmp/a");
  result("O_EXCL again", open("/tmp/a", O_CREAT | O_EXCL | O_WRONLY, 0600));
  result("pwrite at 0", pwrite(fd, "J", 1, 0));
  result("offset after pwrite", lseek(fd, 0, SEEK_CUR));
  char buffer[64];
  result("read a write-only file", read(fd, buffer, 4));
  result("F_GETFL", fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND));
  close(fd);
  contents("/tmp/a");
  fd = open("/tmp/a", O_RDONLY);
  result("write a read-only file", write(fd, "x", 1));
  result("ftruncate a read-only file", ftruncate(fd, 0));
  result("pwrite a read-only file", pwrite(fd, "x", 1, 0));
  close(fd);

  fd = open("/tmp/a", O_WRONLY | O_APPEND);
  result("open O_APPEND", fd);
  result("F_GETFL", fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND));
  result("lseek 0", lseek(fd, 0, SEEK_SET));
  result("append", write(fd, "more\n", 5));
  result("offset after append", lseek(fd, 0, SEEK_CUR));
  result("pwrite at 0 with O_APPEND", pwrite(fd, "X", 1, 0));
  close(fd);
  contents("/tmp/a");

  fd = open("/tmp/a", O_RDWR | O_TRUNC);
  result("open O_TRUNC", fd);
  show("/tmp/a");
  result("pwrite at 8192 (a hole)", pwrite(fd, "Z", 1, 8192));
  show("/tmp/a");
  memset(buffer, 7, sizeof buffer);
  result("pread in the hole", pread(fd, buffer, 4, 100));
  printf("hole reads zeros: %d\n", buffer[0] == 0 && buffer[3] == 0);
  result("pread at the end", pread(fd, buffer, 4, 8192));
  printf("last byte: %c\n", buffer[0]);
  result("ftruncate 3", ftruncate(fd, 3));
  result("ftruncate -1", ftruncate(fd, -1));
  show("/tmp/a");
  result("lseek 0", lseek(fd, 0, SEEK_SET));
  struct iovec out[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
  result("writev", writev(fd, out, 3));
  result("lseek 1", lseek(fd, 1, SEEK_SET));
  char first[2] = { 0 }, second[8] = { 0 };
  struct iovec in[2] = { { first, 1 }, { second, sizeof second - 1 } };
  result("readv", readv(fd, in, 2));
  printf("readv: %s|%s\n", first, second);
  result("write from a bad buffer", write(fd, bad, 4));
  result("writev with a bad vector", writev(fd, bad, 1));
  close(fd);
  result("truncate 10", truncate("/tmp/a", 10));
  contents("/tmp/a");
  result("truncate a directory", truncate("/tmp", 0));
  result("truncate a missing file", truncate("/tmp/missing", 0));
  result("truncate -1", truncate("/tmp/a", -1));
  fd = open("/tmp", O_RDONLY | O_DIRECTORY);
  result("ftruncate a directory", ftruncate(fd, 0));
  result("write a directory", write(fd, "x", 1));
  close(fd);
  result("ftruncate a closed descriptor", ftruncate(77, 0));

  fd = creat("/tmp/c", 0755);
  result("creat", fd);
  result("F_GETFL of creat", fcntl(fd, F_GETFL) & O_ACCMODE);
  close(fd);
  show("/tmp/c");
  result("umask 077", umask(077));
  close(open("/tmp/private", O_CREAT | O_WRONLY, 0666));
  show("/tmp/private");
  result("umask 022", umask(022));
  result("O_CREAT on a directory", open("/tmp", O_CREAT | O_RDONLY, 0644));
  result("O_CREAT with a trailing slash", open("/tmp/newdir/", O_CREAT | O_WRONLY, 0644));
  result("O_CREAT in a missing directory", open("/tmp/nodir/x", O_CREAT | O_WRONLY, 0644));
  result("O_CREAT below a file", open("/tmp/a/x", O_CREAT | O_WRONLY, 0644));
  result("a directory O_RDWR", open("/tmp", O_RDWR));
  result("a directory O_RDONLY|O_TRUNC", open("/tmp", O_RDONLY | O_TRUNC));
  result("symlink to a missing target", symlink("/tmp/target", "/tmp/dangling"));
  result("O_CREAT|O_EXCL on a link", open("/tmp/dangling", O_CREAT | O_EXCL | O_WRONLY, 0644));
  result("O_NOFOLLOW on a link", open("/tmp/dangling", O_RDONLY | O_NOFOLLOW));
  fd = open("/tmp/dangling", O_CREAT | O_WRONLY, 0644);
  result("O_CREAT through a dangling link", fd);
  close(fd);
  show("/tmp/target");
  result("a link to itself with a slash", symlink("/tmp/selfslash/", "/tmp/selfslash"));
  result("O_CREAT through it", open("/tmp/selfslash", O_CREAT | O_WRONLY, 0644));
  result("a link to \"name/\"", symlink("nothing-yet/", "/tmp/toslash"));
  result("O_CREAT through it", open("/tmp/toslash", O_CREAT | O_WRONLY, 0644));
  show("/tmp/nothing-yet");
  unlink("/tmp/selfslash");
  unlink("/tmp/toslash");
  char longname[300];
  memset(longname, 'n', sizeof longname);
  memcpy(longname, "/tmp/", 5);
  longname[5 + 256] = 0;
  result("a name of 256 bytes", open(longname, O_CREAT | O_WRONLY, 0644));
  longname[5 + 255] = 0;
  fd = open(longname, O_CREAT | O_WRONLY, 0644);
  result("a name of 255 bytes", fd);
  close(fd);
  result("unlink it", unlink(longname));
}

static void directories(void) {
  printf("-- directories\n");
  long before = links_of("/tmp");
  result("mkdir", mkdir("/tmp/d", 0777));
  show("/tmp/d");
  printf("/tmp gained a link: %d\n", links_of("/tmp") == before + 1);
  result("mkdir again", mkdir("/tmp/d", 0777));
  result("mkdir in a missing directory", mkdir("/tmp/d/e/f", 0777));
  result("mkdir below a file", mkdir("/tmp/a/x", 0777));
  result("mkdir /", mkdir("/", 0777));
  result("mkdir .", mkdir("/tmp/.", 0777));
  result("mkdir with a trailing slash", mkdir("/tmp/d2/", 0700));
  show("/tmp/d2");
  result("mkdir over a link", mkdir("/tmp/dangling", 0777));
  result("rmdir", rmdir("/tmp/d2"));
  close(open("/tmp/d/f", O_CREAT | O_WRONLY, 0644));
  result("rmdir a non-empty directory", rmdir("/tmp/d"));
  result("rmdir a file", rmdir("/tmp/a"));
  result("rmdir .", rmdir("/tmp/d/."));
  result("rmdir ..", rmdir("/tmp/d/.."));
  result("rmdir /", rmdir("/"));
  result("rmdir a missing directory", rmdir("/tmp/missing"));
  result("rmdir a link", rmdir("/tmp/dangling"));
  result("unlink a directory", unlink("/tmp/d"));
  result("unlink a missing file", unlink("/tmp/missing"));
  result("unlink a file with a trailing slash", unlink("/tmp/a/"));
  result("unlink /", unlink("/"));
  result("symlink to a directory", symlink("d", "/tmp/dirlink"));
  result("rmdir a link to a directory, with a slash", rmdir("/tmp/dirlink/"));
  result("unlink a link to a directory, with a slash", unlink("/tmp/dirlink/"));
  result("rename a link to a directory, with a slash", rename("/tmp/dirlink/", "/tmp/renamed"));
  result("mkdir a dangling link, with a slash", mkdir("/tmp/dangling/", 0755));
  show("/tmp/target");
  result("unlink the link", unlink("/tmp/dirlink"));
  show("/tmp/d");
  result("unlinkat", unlinkat(AT_FDCWD, "/tmp/d/f", 0));
  result("unlinkat bad flags", unlinkat(AT_FDCWD, "/tmp/d", 0x8000));
  result("unlinkat AT_REMOVEDIR a file", unlinkat(AT_FDCWD, "/tmp/a", AT_REMOVEDIR));
  result("unlinkat AT_REMOVEDIR", unlinkat(AT_FDCWD, "/tmp/d", AT_REMOVEDIR));
  printf("/tmp back to its links: %d\n", links_of("/tmp") == before);

  int directory = open("/tmp", O_RDONLY | O_DIRECTORY);
  result("mkdirat", mkdirat(directory, "rel", 0750));
  show("/tmp/rel");
  int fd = openat(directory, "rel/file", O_CREAT | O_RDWR, 0600);
  result("openat relative to a directory", fd);
  result("write", write(fd, "kept", 4));
  result("unlinkat while open", unlinkat(directory, "rel/file", 0));
  struct stat status;
  result("fstat the unlinked file", fstat(fd, &status));
  printf("unlinked: links %ld, size %ld\n", (long)status.st_nlink, (long)status.st_size);
  char buffer[8] = { 0 };
  result("pread the unlinked file", pread(fd, buffer, 4, 0));
  printf("still there: %s\n", buffer);
  close(fd);
  result("rmdir relative", unlinkat(directory, "rel", AT_REMOVEDIR));
  result("chdir into a directory, then remove it", ({ mkdir("/tmp/gone", 0755); chdir("/tmp/gone"); rmdir("/tmp/gone"); }));
  result("create in the removed working directory", open("new", O_CREAT | O_WRONLY, 0644));
  result("mkdir in the removed working directory", mkdir("sub", 0755));
  chdir("/");
  close(directory);
}

static void renaming(void) {
  printf("-- renaming\n");
  result("rename", rename("/tmp/a", "/tmp/b"));
  show("/tmp/a");
  show("/tmp/b");
  close(open("/tmp/other", O_CREAT | O_WRONLY, 0600));
  result("rename over a file", rename("/tmp/other", "/tmp/c"));
  show("/tmp/c");
  result("rename to itself", rename("/tmp/b", "/tmp/b"));
  mkdir("/tmp/d", 0755);
  mkdir("/tmp/full", 0755);
  close(open("/tmp/full/x", O_CREAT | O_WRONLY, 0600));
  result("rename a file over a directory", rename("/tmp/b", "/tmp/d"));
  result("rename a directory over a file", rename("/tmp/d", "/tmp/b"));
  result("rename a directory over a non-empty one", rename("/tmp/d", "/tmp/full"));
  result("rename a directory into itself", rename("/tmp/d", "/tmp/d/inside"));
  result("rename a file over its own directory", rename("/tmp/full/x", "/tmp/full"));
  result("rename a directory over its parent", ({ mkdir("/tmp/full/sub", 0755); long r = rename("/tmp/full/sub", "/tmp/full"); rmdir("/tmp/full/sub"); r; }));
  result("rename a missing file", rename("/tmp/missing", "/tmp/x"));
  result("rename /", rename("/", "/tmp/x"));
  result("rename to /", rename("/tmp/b", "/"));
  result("rename a file with a trailing slash", rename("/tmp/b/", "/tmp/x"));
  result("rename to a trailing slash", rename("/tmp/b", "/tmp/x/"));
  result("rename into a missing directory", rename("/tmp/b", "/tmp/nodir/x"));
  long before = links_of("/tmp/full");
  result("rename a directory into another", rename("/tmp/d", "/tmp/full/d"));
  printf("the new parent gained a link: %d\n", links_of("/tmp/full") == before + 1);
  mkdir("/tmp/empty", 0755);
  result("rename a directory over an empty one", rename("/tmp/full/d", "/tmp/empty"));
  show("/tmp/empty");
  result("RENAME_NOREPLACE over a file", syscall(SYS_renameat2, AT_FDCWD, "/tmp/b", AT_FDCWD, "/tmp/c", RENAME_NOREPLACE));
  result("RENAME_NOREPLACE to a new name", syscall(SYS_renameat2, AT_FDCWD, "/tmp/b", AT_FDCWD, "/tmp/b2", RENAME_NOREPLACE));
  result("renameat2 unknown flags", syscall(SYS_renameat2, AT_FDCWD, "/tmp/b2", AT_FDCWD, "/tmp/b", 8));
  int directory = open("/tmp/full", O_RDONLY | O_DIRECTORY);
  result("renameat", renameat(AT_FDCWD, "/tmp/b2", directory, "moved"));
  show("/tmp/full/moved");
  result("renameat back", renameat(directory, "moved", AT_FDCWD, "/tmp/b"));
  close(directory);
  list("/tmp");
}

static void linking(void) {
  printf("-- links\n");
  result("link", link("/tmp/b", "/tmp/h"));
  struct stat one, two;
  stat("/tmp/b", &one);
  stat("/tmp/h", &two);
  printf("one file, two names: %d, links %ld\n", one.st_ino == two.st_ino, (long)one.st_nlink);
  result("link to an existing name", link("/tmp/b", "/tmp/c"));
  result("link a directory", link("/tmp/empty", "/tmp/e2"));
  result("link a missing file", link("/tmp/missing", "/tmp/x"));
  result("link into a missing directory", link("/tmp/b", "/tmp/nodir/x"));
  result("link with a trailing slash", link("/tmp/b", "/tmp/x/"));
  result("unlink one name", unlink("/tmp/h"));
  printf("links now %ld\n", links_of("/tmp/b"));
  result("symlink", symlink("b", "/tmp/s"));
  show("/tmp/s");
  char target[64] = { 0 };
  result("readlink", readlink("/tmp/s", target, sizeof target));
  printf("target: %s\n", target);
  result("link a symbolic link itself", link("/tmp/s", "/tmp/s-hard"));
  show("/tmp/s-hard");
  result("linkat AT_SYMLINK_FOLLOW", linkat(AT_FDCWD, "/tmp/s", AT_FDCWD, "/tmp/followed", AT_SYMLINK_FOLLOW));
  show("/tmp/followed");
  result("linkat bad flags", linkat(AT_FDCWD, "/tmp/s", AT_FDCWD, "/tmp/y", 0x1));
  result("symlink an empty target", symlink("", "/tmp/s2"));
  result("symlink over a name", symlink("b", "/tmp/c"));
  result("symlink into a missing directory", symlink("b", "/tmp/nodir/s"));
  char *longtarget = malloc(4200);
  memset(longtarget, 'x', 4200);
  longtarget[4095] = 0;
  result("symlink a 4095-byte target", symlink(longtarget, "/tmp/longlink"));
  result("lstat size", ({ struct stat s; lstat("/tmp/longlink", &s) < 0 ? -1L : (long)s.st_size; }));
  longtarget[4095] = 'x';
  longtarget[4199] = 0;
  result("symlink a target over PATH_MAX", symlink(longtarget, "/tmp/longlink2"));
  free(longtarget);
  unlink("/tmp/longlink");
  unlink("/tmp/s-hard");
  unlink("/tmp/followed");
}

static void attributes(void) {
  printf("-- attributes\n");
  time_t start = time(0);
  result("chmod", chmod("/tmp/b", 0600));
  show("/tmp/b");
  result("chmod 04755", chmod("/tmp/b", 04755));
  show("/tmp/b");
  result("chown keeps the owner, clears set-user-ID", chown("/tmp/b", 0, 0));
  show("/tmp/b");
  int fd = open("/tmp/b", O_RDWR);
  result("fchmod", fchmod(fd, 0640));
  result("fchown", fchown(fd, 1000, 1000));
  show("/tmp/b");
  result("chown -1 5", chown("/tmp/b", -1, 5));
  show("/tmp/b");
  result("lchown a link", lchown("/tmp/s", 7, 8));
  show("/tmp/s");
  show("/tmp/b");
  result("fchownat AT_SYMLINK_NOFOLLOW", fchownat(AT_FDCWD, "/tmp/s", 0, 0, AT_SYMLINK_NOFOLLOW));
  result("fchownat bad flags", fchownat(AT_FDCWD, "/tmp/s", 0, 0, 0x1));
  result("fchmodat", fchmodat(AT_FDCWD, "/tmp/b", 0644, 0));
  result("chmod a missing file", chmod("/tmp/missing", 0644));
  result("chown back", chown("/tmp/b", 0, 0));
  show("/tmp/b");
  struct stat status;
  stat("/tmp/b", &status);
  printf("ctime is recent: %d\n", status.st_ctime >= start - 2);

  struct timespec times[2] = { { 100, 5 }, { 200, 6 } };
  result("utimensat", utimensat(AT_FDCWD, "/tmp/b", times, 0));
  stat("/tmp/b", &status);
  printf("atime %ld.%09ld mtime %ld.%09ld\n", (long)status.st_atim.tv_sec, status.st_atim.tv_nsec, (long)status.st_mtim.tv_sec,
         status.st_mtim.tv_nsec);
  struct timespec omit[2] = { { 0, UTIME_OMIT }, { 300, 0 } };
  result("utimensat UTIME_OMIT", utimensat(AT_FDCWD, "/tmp/b", omit, 0));
  stat("/tmp/b", &status);
  printf("atime %ld mtime %ld\n", (long)status.st_atim.tv_sec, (long)status.st_mtim.tv_sec);
  struct timespec both_omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
  result("utimensat both UTIME_OMIT on a missing file", utimensat(AT_FDCWD, "/tmp/missing", both_omit, 0));
  struct timespec invalid[2] = { { 0, 1000000000 }, { 0, 0 } };
  result("utimensat a bad tv_nsec", utimensat(AT_FDCWD, "/tmp/b", invalid, 0));
  result("utimensat bad flags", utimensat(AT_FDCWD, "/tmp/b", times, 0x2));
  result("utimensat a bad pointer", syscall(SYS_utimensat, AT_FDCWD, "/tmp/b", bad, 0));
  result("utimensat now", utimensat(AT_FDCWD, "/tmp/b", 0, 0));
  stat("/tmp/b", &status);
  printf("mtime is recent: %d\n", status.st_mtime >= start - 2);
  struct timespec link_times[2] = { { 50, 0 }, { 60, 0 } };
  result("utimensat AT_SYMLINK_NOFOLLOW", utimensat(AT_FDCWD, "/tmp/s", link_times, AT_SYMLINK_NOFOLLOW));
  lstat("/tmp/s", &status);
  printf("link mtime %ld\n", (long)status.st_mtime);
  result("futimens", futimens(fd, times));
  fstat(fd, &status);
  printf("mtime %ld\n", (long)status.st_mtime);
  struct timeval values[2] = { { 400, 7 }, { 500, 8 } };
  result("utimes", utimes("/tmp/b", values));
  stat("/tmp/b", &status);
  printf("atime %ld.%09ld mtime %ld.%09ld\n", (long)status.st_atim.tv_sec, status.st_atim.tv_nsec, (long)status.st_mtim.tv_sec,
         status.st_mtim.tv_nsec);
  struct timeval bad_values[2] = { { 0, 1000000 }, { 0, 0 } };
  result("utimes a bad tv_usec", utimes("/tmp/b", bad_values));
  result("write updates mtime", ({ write(fd, "w", 1); fstat(fd, &status); status.st_mtime >= start - 2; }));

  printf("-- statfs, statx, fsync\n");
  struct statfs filesystem;
  result("statfs", statfs("/tmp", &filesystem));
  printf("tmpfs %d, block size %ld, names %ld, read-only %d\n", filesystem.f_type == 0x01021994, (long)filesystem.f_bsize,
         (long)filesystem.f_namelen, (int)(filesystem.f_flags & 1));
  result("fstatfs", fstatfs(fd, &filesystem));
  printf("tmpfs %d\n", filesystem.f_type == 0x01021994);
  result("statfs a missing path", statfs("/tmp/missing", &filesystem));
  result("statfs a bad buffer", syscall(SYS_statfs, "/tmp", bad));
  result("fstatfs a closed descriptor", fstatfs(77, &filesystem));
  struct extended_stat x;
  result("statx", extended(AT_FDCWD, "/tmp/b", 0, &x));
  stat("/tmp/b", &status);
  printf("statx: basic %d, mode %o, size %ld, links %d, mtime agrees %d\n", (x.mask & BASIC_STATS) == BASIC_STATS,
         x.mode & 07777, (long)x.size, x.nlink, x.mtime.tv_sec == status.st_mtim.tv_sec && x.mtime.tv_nsec == status.st_mtim.tv_nsec);
  result("statx AT_EMPTY_PATH", extended(fd, "", AT_EMPTY_PATH, &x));
  printf("statx: file %d, inode agrees %d\n", S_ISREG(x.mode), x.ino == status.st_ino);
  result("statx a link", extended(AT_FDCWD, "/tmp/s", AT_SYMLINK_NOFOLLOW, &x));
  printf("statx: link %d, size %ld\n", S_ISLNK(x.mode), (long)x.size);
  result("statx bad flags", extended(AT_FDCWD, "/tmp/b", 0x1, &x));
  result("statx a missing file", extended(AT_FDCWD, "/tmp/missing", 0, &x));
  result("statx a bad buffer", extended(AT_FDCWD, "/tmp/b", 0, (struct extended_stat *)bad));
  int opath = open("/tmp/b", O_PATH);
  result("open O_PATH", opath >= 0 ? 0 : -1);
  result("fstat O_PATH", fstat(opath, &status));
  result("fstatfs O_PATH", fstatfs(opath, &filesystem));
  result("statx AT_EMPTY_PATH of O_PATH", extended(opath, "", AT_EMPTY_PATH, &x));
  result("fchmod O_PATH", fchmod(opath, 0600));
  result("fchown O_PATH", fchown(opath, 0, 0));
  result("futimens O_PATH", futimens(opath, 0));
  result("ftruncate O_PATH", ftruncate(opath, 0));
  result("fsync O_PATH", fsync(opath));
  result("read O_PATH", read(opath, &status, 1));
  result("write O_PATH", write(opath, "x", 1));
  result("linkat AT_EMPTY_PATH of O_PATH", linkat(opath, "", AT_FDCWD, "/tmp/from-opath", AT_EMPTY_PATH));
  show("/tmp/from-opath");
  unlink("/tmp/from-opath");
  close(opath);
  result("fsync", fsync(fd));
  result("fdatasync", fdatasync(fd));
  result("fsync a closed descriptor", fsync(77));
  result("fsync a pipe", ({ int p[2]; pipe(p); long r = fsync(p[0]); close(p[0]); close(p[1]); r; }));
  sync();
  printf("sync returned\n");
  close(fd);
}

static void escapes(void) {
  printf("-- escapes\n");
  char cwd[256];
  result("chdir /tmp/../../..", chdir("/tmp/../../.."));
  printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : name(errno));
  result("mkdir past the root", mkdir("/../../tmp/esc", 0755));
  show("/tmp/esc");
  result("chdir /tmp", chdir("/tmp"));
  contents("../../../../etc/hostname");
  result("create climbing past the root", open("../../../../tmp/climbed", O_CREAT | O_WRONLY, 0644));
  show("/tmp/climbed");
  result("symlink to an absolute directory", symlink("/etc", "/tmp/abs"));
  contents("/tmp/abs/hostname");
  result("symlink climbing out", symlink("../../../../../../..", "/tmp/up"));
  show("/tmp/up/etc/passwd");
  result("create through a climbing link", open("/tmp/up/tmp/through-up", O_CREAT | O_WRONLY, 0644));
  show("/tmp/through-up");
  result("rename climbing past the root", rename("/tmp/esc", "/../../esc"));
  show("/esc");
  result("rmdir it", rmdir("/esc"));
  result("a link loop", symlink("loop", "/tmp/loop"));
  result("create through a link loop", open("/tmp/loop", O_CREAT | O_WRONLY, 0644));
  result("mkdir from a bad address", mkdir(bad, 0755));
  result("unlink from a bad address", unlink(bad));
  result("rename from a bad address", rename(bad, "/tmp/x"));
  result("rename to a bad address", rename("/tmp/b", bad));
  result("symlink from a bad address", symlink(bad, "/tmp/x"));
  result("link to a bad address", link("/tmp/b", bad));
  result("chmod from a bad address", chmod(bad, 0644));
  chdir("/");
}

static void forked(void) {
  printf("-- fork\n");
  int fd = open("/tmp/shared", O_CREAT | O_RDWR | O_TRUNC, 0644);
  pid_t child = fork();
  if (child == 0) {
    write(fd, "child,", 6);
    int own = open("/tmp/from-child", O_CREAT | O_WRONLY, 0600);
    write(own, "made by the child", 17);
    _exit(own >= 0 ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  printf("child exit %d\n", WEXITSTATUS(status));
  result("parent writes after the child (shared offset)", write(fd, "parent", 6));
  close(fd);
  contents("/tmp/shared");
  contents("/tmp/from-child");
}

int main(void) {
  setvbuf(stdout, 0, _IOLBF, 0);
  /* As on any Linux system, procfs at /proc (musl's fchmod and fchown of an O_PATH descriptor go
   * through /proc/self/fd); Linux's /init mounts it, Capsid's processes have it. */
  mkdir("/proc", 0555);
  mount("proc", "/proc", "proc", 0, NULL);
  printf("fsw-check: started\n");
  creating();
  directories();
  renaming();
  linking();
  attributes();
  escapes();
  forked();
  list("/tmp");
  printf("fsw-check: done\n");
  tcdrain(1);   /* on the wire before init exits: Linux panics when init exits, and would cut the tty's output */
  return 0;
}
