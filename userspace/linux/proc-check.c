/* proc-check: procfs as a program sees it: /proc, /proc/self and its links, self/stat, self/maps,
 * self/fd, meminfo, uptime, cpuinfo, mounts, and what procfs refuses. Unmodified (glibc and musl,
 * static); its output is compared with the same binary's as /init on Debian's kernel
 * (tests/qemu/linux-fs.test.ts), so what differs between machines (pids, addresses, sizes,
 * times) is printed as a check that compares it with what the program knows, never as it is.
 * On Linux, /init mounts procfs first; on Capsid every Linux process with a Namespace sees it. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <termios.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int data_variable = 42;

static const char *name(int error) {
  switch (error) {
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EBADF: return "EBADF"; case EACCES: return "EACCES";
    case EFAULT: return "EFAULT"; case EINVAL: return "EINVAL"; case ENOSPC: return "ENOSPC"; case ESPIPE: return "ESPIPE";
    case EROFS: return "EROFS"; case ENOTDIR: return "ENOTDIR"; case EEXIST: return "EEXIST"; case EISDIR: return "EISDIR";
    case ELOOP: return "ELOOP"; case EIO: return "EIO";
    default: return "other";
  }
}

static void result(const char *what, long value) {
  int error = errno;
  if (value < 0) printf("%s: -1 %s\n", what, name(error));
  else printf("%s: %ld\n", what, value);
}

/* The whole of a procfs file (read in small pieces, as seq_file is), NUL-terminated. */
static char *slurp(const char *path, size_t *size) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return NULL;
  size_t capacity = 4096, length = 0;
  char *text = malloc(capacity + 1);
  for (;;) {
    if (length + 512 > capacity) text = realloc(text, (capacity *= 2) + 1);
    ssize_t got = read(fd, text + length, 512);
    if (got <= 0) break;
    length += (size_t)got;
  }
  close(fd);
  text[length] = 0;
  if (size) *size = length;
  return text;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static int ends_with(const char *text, const char *end) {
  size_t a = strlen(text), b = strlen(end);
  return a >= b && strcmp(text + a - b, end) == 0;
}

static void kind(const char *path, int follow) {
  struct stat status;
  int got = follow ? stat(path, &status) : lstat(path, &status);
  if (got < 0) { printf("%s %s: -1 %s\n", follow ? "stat" : "lstat", path, name(errno)); return; }
  const char *type = S_ISDIR(status.st_mode) ? "directory" : S_ISLNK(status.st_mode) ? "link" : S_ISREG(status.st_mode) ? "file" : "other";
  printf("%s %s: %s", follow ? "stat" : "lstat", path, type);
  if (!S_ISLNK(status.st_mode)) printf(" mode %o", status.st_mode & 07777);
  if (S_ISREG(status.st_mode)) printf(" size %ld", (long)status.st_size);
  printf("\n");
}

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A directory's names, sorted; pid (the caller's) shown as "PID". */
static void list(const char *path, const char *only, int pids) {
  DIR *directory = opendir(path);
  if (!directory) { printf("%s: opendir: %s\n", path, name(errno)); return; }
  char *names[300];
  int count = 0;
  char pid[16];
  snprintf(pid, sizeof pid, "%d", getpid());
  struct dirent *entry;
  while ((entry = readdir(directory)) && count < 300) {
    const char *shown = pids && strcmp(entry->d_name, pid) == 0 ? "PID" : entry->d_name;
    char word[300];
    snprintf(word, sizeof word, " %s ", shown);
    if (only && strcmp(shown, "PID") != 0 && !strstr(only, word)) continue;   /* Linux's /proc has many more */
    char *text = malloc(strlen(shown) + 3);
    sprintf(text, "%s%s", shown, entry->d_type == DT_DIR ? "/" : entry->d_type == DT_LNK ? "@" : "");
    names[count++] = text;
  }
  closedir(directory);
  qsort(names, count, sizeof names[0], compare);
  printf("%s:", path);
  for (int i = 0; i < count; i++) { printf(" %s", names[i]); free(names[i]); }
  printf("\n");
}

static void link_check(const char *path, const char *expected) {
  char target[512];
  ssize_t length = readlink(path, target, sizeof target - 1);
  if (length < 0) { printf("readlink %s: -1 %s\n", path, name(errno)); return; }
  target[length] = 0;
  printf("readlink %s: %s\n", path, expected ? (strcmp(target, expected) == 0 ? "as expected" : target) : target);
}

static void stat_check(const char *comm_expected) {
  char *text = slurp("/proc/self/stat", NULL);
  if (!text) { printf("self/stat: %s\n", name(errno)); return; }
  int pid = 0;
  char comm[64] = "";
  sscanf(text, "%d (%63[^)])", &pid, comm);
  char *after = strrchr(text, ')');
  char state = 0;
  long ppid = -1, group = -1, session = -1, threads = -1;
  unsigned long long start = 0, vsize = 0, rss = 0;
  int fields = 2;
  if (after) {
    for (char *p = after + 1; *p; p++) if (*p == ' ' && p[1] && p[1] != '\n') fields++;
    sscanf(after + 2, "%c %ld %ld %ld %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %ld %*d %llu %llu %llu", &state, &ppid, &group,
           &session, &threads, &start, &vsize, &rss);
  }
  printf("self/stat: fields %d, ends in a newline %d\n", fields, text[strlen(text) - 1] == '\n');
  printf("self/stat: pid is getpid() %d, comm is the program's %d, state %c\n", pid == getpid(), strncmp(comm, comm_expected, 15) == 0, state);
  printf("self/stat: ppid is getppid() %d, pgrp is getpgrp() %d, session is getsid() %d, threads %ld\n", ppid == getppid(),
         group == getpgrp(), session == getsid(0), threads);
  printf("self/stat: vsize > 0 %d, rss > 0 %d\n", vsize > 0, rss > 0);
  free(text);
}

/* The maps line holding `address`: its permissions and whether its name ends with `suffix`. */
static void maps_check(const char *maps, const char *what, uintptr_t address, const char *suffix) {
  const char *line = maps;
  while (*line) {
    unsigned long start, end, offset, inode;
    unsigned major, minor;
    char permissions[8];
    int consumed = 0;
    if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu%n", &start, &end, permissions, &offset, &major, &minor, &inode, &consumed) == 7
        && start <= address && address < end) {
      const char *newline = strchr(line, '\n');
      size_t length = newline ? (size_t)(newline - line) : strlen(line);
      char name_part[512] = "";
      const char *p = line + consumed;
      while (p < line + length && *p == ' ') p++;
      snprintf(name_part, sizeof name_part, "%.*s", (int)(line + length - p), p);
      printf("maps %s: %s, name as expected %d\n", what, permissions, suffix ? ends_with(name_part, suffix) : name_part[0] == 0);
      return;
    }
    const char *next = strchr(line, '\n');
    if (!next) break;
    line = next + 1;
  }
  printf("maps %s: not found\n", what);
}

static void maps_format(const char *maps) {
  int lines = 0, good = 0;
  for (const char *line = maps; *line;) {
    unsigned long start, end, offset, inode;
    unsigned major, minor;
    char permissions[8];
    lines++;
    if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &start, &end, permissions, &offset, &major, &minor, &inode) == 7 && start < end
        && strlen(permissions) == 4 && strchr("r-", permissions[0]) && strchr("w-", permissions[1]) && strchr("x-", permissions[2])
        && strchr("ps", permissions[3])) good++;
    const char *next = strchr(line, '\n');
    if (!next) break;
    line = next + 1;
  }
  printf("maps: lines > 3 %d, every line in Linux's format %d\n", lines > 3, lines == good);
}

static void meminfo_check(void) {
  char *text = slurp("/proc/meminfo", NULL);
  if (!text) { printf("meminfo: %s\n", name(errno)); return; }
  unsigned long total = 0, free_ = 0, available = 0;
  int lines = 0, good = 0;
  for (char *line = text; *line;) {
    char key[64], one_line[256];
    unsigned long value;
    char unit[8] = "";
    lines++;
    char *end_of_line = strchr(line, '\n');
    snprintf(one_line, sizeof one_line, "%.*s", end_of_line ? (int)(end_of_line - line) : 255, line);
    int got = sscanf(one_line, "%63[^:]: %lu %7s", key, &value, unit);
    if (got >= 2 && (got == 2 || strcmp(unit, "kB") == 0)) {
      good++;
    }
    if (got >= 2) {
      if (strcmp(key, "MemTotal") == 0) total = value;
      if (strcmp(key, "MemFree") == 0) free_ = value;
      if (strcmp(key, "MemAvailable") == 0) available = value;
    }
    char *next = strchr(line, '\n');
    if (!next) break;
    line = next + 1;
  }
  printf("meminfo: first line MemTotal %d, MemTotal > 0 %d, MemFree <= MemTotal %d, MemAvailable <= MemTotal %d\n",
         strncmp(text, "MemTotal:", 9) == 0, total > 0, free_ > 0 && free_ <= total, available > 0 && available <= total);
  printf("meminfo: lines > 10 %d, every line in Linux's format %d\n", lines > 10, good == lines);
  free(text);
}

static void cpuinfo_check(void) {
  char *text = slurp("/proc/cpuinfo", NULL);
  if (!text) { printf("cpuinfo: %s\n", name(errno)); return; }
  int processors = 0, vendor = 0, model = 0, fpu = 0, sse2 = 0, bogomips = 0;
  for (char *line = text; *line;) {
    if (strncmp(line, "processor\t: ", 12) == 0) processors++;
    if (strncmp(line, "vendor_id\t: ", 12) == 0) vendor = 1;
    if (strncmp(line, "model name\t: ", 13) == 0) model = 1;
    if (strncmp(line, "bogomips\t: ", 11) == 0) bogomips = 1;
    if (strncmp(line, "flags\t\t: ", 9) == 0) {
      char *end = strchr(line, '\n');
      if (end) *end = 0;
      fpu = strstr(line, " fpu ") != NULL;
      sse2 = strstr(line, " sse2 ") != NULL;
      if (end) *end = '\n';
    }
    char *next = strchr(line, '\n');
    if (!next) break;
    line = next + 1;
  }
  printf("cpuinfo: processors %d, vendor_id %d, model name %d, flags with fpu %d and sse2 %d, bogomips %d, ends in a blank line %d\n",
         processors, vendor, model, fpu, sse2, bogomips, ends_with(text, "\n\n"));
  free(text);
}

static void mounts_check(void) {
  char *text = slurp("/proc/mounts", NULL);
  if (!text) { printf("mounts: %s\n", name(errno)); return; }
  int root = 0, proc = 0, lines = 0, good = 0;
  for (char *line = text; *line;) {
    char device[128], point[128], type[64], options[256];
    int a, b;
    lines++;
    if (sscanf(line, "%127s %127s %63s %255s %d %d", device, point, type, options, &a, &b) == 6) {
      good++;
      if (strcmp(point, "/") == 0) root = 1;
      if (strcmp(point, "/proc") == 0 && strcmp(type, "proc") == 0) proc = 1;
    }
    char *next = strchr(line, '\n');
    if (!next) break;
    line = next + 1;
  }
  printf("mounts: / %d, /proc proc %d, every line six fields %d\n", root, proc, lines == good);
  free(text);
}

int main(int argc, char **argv) {
  (void)argc;
  /* Linux's /init starts without procfs: mount it (Capsid's is there already: these fail). */
  mkdir("/proc", 0555);
  mount("proc", "/proc", "proc", 0, NULL);
  printf("proc-check: started\n");
  const char *program = base_name(argv[0]);
  char pid[32], expected[128];
  snprintf(pid, sizeof pid, "%d", getpid());

  kind("/proc", 1);
  kind("/proc/self", 0);
  kind("/proc/self", 1);
  kind("/proc/self/fd", 1);
  kind("/proc/self/exe", 0);
  kind("/proc/self/stat", 1);
  kind("/proc/meminfo", 1);
  kind("/proc/mounts", 0);
  link_check("/proc/self", pid);
  link_check("/proc/mounts", NULL);
  char exe[512];
  ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[length > 0 ? length : 0] = 0;
  printf("readlink /proc/self/exe: absolute %d, ends with the program's name %d\n", exe[0] == '/', ends_with(exe, program));
  snprintf(expected, sizeof expected, "/proc/%s/stat", pid);
  struct stat own;
  printf("stat /proc/PID/stat: %d\n", stat(expected, &own) == 0 && S_ISREG(own.st_mode));
  printf("/proc/99999/stat: %s\n", access("/proc/99999/stat", F_OK) == 0 ? "exists" : name(errno));
  list("/proc", " self meminfo uptime cpuinfo mounts . .. ", 1);
  list("/proc/self", " stat maps fd exe comm cmdline mounts . .. ", 0);

  stat_check(program);
  char *comm = slurp("/proc/self/comm", NULL);
  size_t comm_length = strlen(program) < 15 ? strlen(program) : 15;
  printf("self/comm: is the program's %d\n", comm && strncmp(comm, program, comm_length) == 0 && comm[comm_length] == '\n');
  free(comm);

  size_t cmdline_length = 0;
  char *cmdline = slurp("/proc/self/cmdline", &cmdline_length);
  printf("self/cmdline: argv[0] and its NUL %d\n", cmdline && cmdline_length == strlen(argv[0]) + 1 && strcmp(cmdline, argv[0]) == 0);
  free(cmdline);

  char *maps = slurp("/proc/self/maps", NULL);
  if (maps) {
    int stack_variable = 7;
    maps_format(maps);
    maps_check(maps, "a variable", (uintptr_t)&data_variable, program);
    maps_check(maps, "main", (uintptr_t)main, program);
    maps_check(maps, "the stack", (uintptr_t)&stack_variable, "[stack]");
    free(maps);
  } else printf("maps: %s\n", name(errno));

  /* Descriptors: the console, a file of procfs, a file of the root, a pipe. */
  int stat_fd = open("/proc/self/stat", O_RDONLY);
  int file_fd = open("/etc/hostname", O_RDONLY);
  int pipe_fds[2];
  if (pipe(pipe_fds) < 0) printf("pipe: %s\n", name(errno));
  printf("descriptors: %d %d %d %d\n", stat_fd, file_fd, pipe_fds[0], pipe_fds[1]);
  list("/proc/self/fd", NULL, 0);
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", stat_fd);
  link_check(path, expected);
  snprintf(path, sizeof path, "/proc/self/fd/%d", file_fd);
  link_check(path, NULL);
  kind(path, 0);
  kind(path, 1);
  snprintf(path, sizeof path, "/proc/self/fd/%d", pipe_fds[0]);
  char target[128];
  length = readlink(path, target, sizeof target - 1);
  target[length > 0 ? length : 0] = 0;
  struct stat pipe_status;
  fstat(pipe_fds[0], &pipe_status);
  unsigned long inode = 0;
  int parsed = sscanf(target, "pipe:[%lu]", &inode) == 1;
  printf("readlink pipe: pipe:[inode] %d, its fstat inode %d\n", parsed, inode == (unsigned long)pipe_status.st_ino);
  struct stat through_link;
  int linked = stat(path, &through_link) == 0;
  printf("stat of the pipe's link: a FIFO %d, fstat's inode %d\n", linked && S_ISFIFO(through_link.st_mode), linked && through_link.st_ino == pipe_status.st_ino);
  linked = stat("/proc/self/fd/0", &through_link) == 0;
  printf("stat /proc/self/fd/0: a character device %d\n", linked && S_ISCHR(through_link.st_mode));
  link_check("/proc/self/fd/0", NULL);
  snprintf(path, sizeof path, "/proc/self/fd/%d", file_fd);
  int again = open(path, O_RDONLY);
  char first[16] = "", second[16] = "";
  read(again, first, 8);
  pread(file_fd, second, 8, 0);
  printf("open /proc/self/fd/N: the same file %d\n", again >= 0 && strcmp(first, second) == 0 && first[0]);
  close(again);

  /* A snapshot reads again from the start, and pread reads at its offset. */
  char one[256] = "", two[256] = "";
  ssize_t got = read(stat_fd, one, sizeof one - 1);
  lseek(stat_fd, 0, SEEK_SET);
  ssize_t got_again = read(stat_fd, two, sizeof two - 1);
  printf("self/stat again after lseek: the same start %d\n", got > 20 && got_again > 20 && strncmp(one, two, 20) == 0);
  char byte = 0;
  printf("pread at 1: %d\n", pread(stat_fd, &byte, 1, 1) == 1 && byte == one[1]);
  result("lseek SEEK_END", lseek(stat_fd, 0, SEEK_END));
  struct stat status;
  result("fstat", fstat(stat_fd, &status));
  printf("fstat: file %d, size %ld\n", S_ISREG(status.st_mode), (long)status.st_size);
  result("write", write(stat_fd, "x", 1));
  close(stat_fd);
  close(file_fd);
  close(pipe_fds[0]);
  close(pipe_fds[1]);

  struct statfs filesystem;
  result("statfs /proc", statfs("/proc", &filesystem));
  printf("statfs /proc: procfs's magic %d, no blocks %d\n", filesystem.f_type == 0x9fa0, filesystem.f_blocks == 0);
  /* statx through syscall() (musl 1.2.3 has no wrapper): its mode at offset 28. */
  unsigned char extended[256] = {0};
  result("statx /proc/self/stat", syscall(332, AT_FDCWD, "/proc/self/stat", 0, 0x7ffu, extended));
  unsigned short extended_mode = (unsigned short)(extended[28] | extended[29] << 8);
  printf("statx: file %d, mode %o\n", S_ISREG(extended_mode), extended_mode & 07777);
  meminfo_check();
  char *uptime = slurp("/proc/uptime", NULL);
  double up = 0, idle = 0;
  int numbers = uptime && sscanf(uptime, "%lf %lf", &up, &idle) == 2;
  printf("uptime: two numbers %d, up > 0 %d\n", numbers, up > 0);
  free(uptime);
  cpuinfo_check();
  mounts_check();

  /* What procfs refuses: writes (uid 0 may open its files for writing, as on Linux). */
  int writable = open("/proc/meminfo", O_WRONLY);
  result("open meminfo O_WRONLY", writable);
  result("write meminfo", write(writable, "x", 1));
  result("read meminfo opened O_WRONLY", read(writable, target, 1));
  close(writable);
  writable = open("/proc/meminfo", O_RDWR);
  result("open meminfo O_RDWR", writable);
  close(writable);
  writable = open("/proc/self/stat", O_WRONLY | O_TRUNC);
  result("open self/stat O_WRONLY|O_TRUNC", writable);
  result("write self/stat", write(writable, "x", 1));
  close(writable);
  result("creat /proc/new", open("/proc/new", O_CREAT | O_WRONLY, 0644));
  result("open /proc/self/fd/99", open("/proc/self/fd/99", O_RDONLY));
  result("open /proc/self O_WRONLY", open("/proc/self", O_WRONLY));
  result("open /proc/meminfo O_DIRECTORY", open("/proc/meminfo", O_RDONLY | O_DIRECTORY));
  result("stat /proc/meminfo/x", stat("/proc/meminfo/x", &status));
  result("mkdir /proc/new", mkdir("/proc/new", 0755));
  result("rmdir /proc/self/fd", rmdir("/proc/self/fd"));
  result("readlink /proc/meminfo", readlink("/proc/meminfo", target, sizeof target));
  result("stat /proc/self/../self/stat", stat("/proc/self/../self/stat", &status));
  result("stat /proc/../etc/hostname", stat("/proc/../etc/hostname", &status));
  chdir("/etc");
  result("stat ../proc/self/stat from /etc", stat("../proc/self/stat", &status));
  result("readlink ../proc/self from /etc", readlink("../proc/self", target, sizeof target) > 0 ? 0 : -1);
  chdir("/");

  /* A child: its own /proc/self. Its parent's view of it is the one difference (Capsid shows a
   * process only itself: tests/linux/differences.txt). */
  int ready[2], gate[2];
  pipe(ready);
  pipe(gate);
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    char *text = slurp("/proc/self/stat", NULL);
    int child_pid = 0, child_ppid = 0;
    char state = 0, byte_in;
    if (text) sscanf(strrchr(text, ')') + 2, "%c %d", &state, &child_ppid);
    if (text) sscanf(text, "%d", &child_pid);
    printf("child: pid is getpid() %d, ppid is its parent %d\n", child_pid == getpid(), child_ppid == getppid());
    fflush(stdout);
    write(ready[1], "r", 1);
    read(gate[0], &byte_in, 1);
    _exit(0);
  }
  char signal_byte;
  read(ready[0], &signal_byte, 1);
  snprintf(path, sizeof path, "/proc/%d/stat", (int)child);
  printf("a live child's /proc/PID/stat: %s\n", access(path, F_OK) == 0 ? "exists" : name(errno));
  write(gate[1], "g", 1);
  waitpid(child, NULL, 0);
  printf("a reaped child's /proc/PID/stat: %s\n", access(path, F_OK) == 0 ? "exists" : name(errno));
  printf("proc-check: done\n");
  fflush(stdout);
  tcdrain(1);   /* on the wire before init exits: Linux panics when init exits, and would cut the tty's output */
  return 0;
}
