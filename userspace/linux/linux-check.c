/* linux-check: the first Linux program run on Capsid, unmodified, built twice (glibc and musl,
 * static). It makes the calls the C libraries' start-up and a plain program make, and prints
 * each result and errno; tests/qemu/linux.test.ts runs it as /init on the Debian guest (the
 * reference) and as init on Capsid, and the two outputs must be the same, line for line. Only
 * what both kernels must agree on is printed: no addresses, times or process ids, but their
 * relations (the break moved by what was asked, a clock that did not go back). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* musl has no strerrorname_np: the names this program can see. */
#ifndef __GLIBC__
static const char *strerrorname_np(int error) {
  switch (error) {
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EBADF: return "EBADF"; case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES"; case EFAULT: return "EFAULT"; case EEXIST: return "EEXIST"; case EINVAL: return "EINVAL";
    case ENOTTY: return "ENOTTY"; case ESPIPE: return "ESPIPE"; case ENOSYS: return "ENOSYS"; case ENODEV: return "ENODEV";
    case ESRCH: return "ESRCH"; case EMFILE: return "EMFILE";
    default: return 0;
  }
}
#endif

static void result(const char *what, long value) {
  if (value < 0) printf("%s: -1 %s\n", what, strerrorname_np(errno) ? strerrorname_np(errno) : "?");
  else printf("%s: %ld\n", what, value);
}


static void memory_checks(void) {
  /* The break (the system call: musl's sbrk moves nothing): it moves by what was asked. */
  long start = syscall(SYS_brk, 0);
  long grown = syscall(SYS_brk, start + 3 * 4096 + 100);
  printf("brk: grew by %ld\n", grown - start);
  memset((char *)start, 0x5a, 3 * 4096 + 100);
  printf("brk: memory written and read %d\n", ((char *)start)[3 * 4096 + 99] == 0x5a);
  printf("brk: back at the start %d\n", syscall(SYS_brk, start) == start);
  printf("brk: below the start refused %d\n", syscall(SYS_brk, start - 3 * 4096 * 1000) == start);

  /* malloc: small blocks (the break or an arena) and a large one (mmap). */
  unsigned sum = 0;
  char *blocks[200];
  for (int i = 0; i < 200; i++) { blocks[i] = malloc(100 + i); memset(blocks[i], i, 100 + i); }
  for (int i = 0; i < 200; i++) { sum += (unsigned char)blocks[i][99 + i]; free(blocks[i]); }
  printf("malloc: 200 small blocks, checksum %u\n", sum);
  char *large = malloc(4 << 20);
  memset(large, 7, 4 << 20);
  printf("malloc: 4 MiB block, last byte %d\n", large[(4 << 20) - 1]);
  free(large);

  /* mmap: anonymous private memory reads as zero, holds what is written, and goes. */
  unsigned char *map = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("mmap: 1 MiB %s, page aligned %d\n", map == MAP_FAILED ? "failed" : "mapped", ((uintptr_t)map & 4095) == 0);
  int zero = 1;
  for (int i = 0; i < 1 << 20; i += 4096) zero &= map[i] == 0;
  printf("mmap: reads as zero %d\n", zero);
  for (int i = 0; i < 1 << 20; i += 4096) map[i] = (unsigned char)(i >> 12);
  printf("mmap: page 200 holds %d\n", map[200 * 4096]);
  result("munmap", munmap(map, 1 << 20));

  /* PROT_NONE reserved, then opened with mprotect, as allocators and thread stacks do. */
  unsigned char *reserved = mmap(0, 16 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("mmap PROT_NONE: %s\n", reserved == MAP_FAILED ? "failed" : "mapped");
  result("mprotect read-write", mprotect(reserved + 4096, 2 * 4096, PROT_READ | PROT_WRITE));
  reserved[4096] = 9;
  reserved[3 * 4096 - 1] = 10;
  printf("mprotect: written %d %d\n", reserved[4096], reserved[3 * 4096 - 1]);
  result("madvise DONTNEED", madvise(reserved + 4096, 4096, MADV_DONTNEED));
  printf("madvise: dropped page reads %d, next page kept %d\n", reserved[4096], reserved[3 * 4096 - 1]);
  result("munmap reserved", munmap(reserved, 16 * 4096));

  /* MAP_FIXED_NOREPLACE over a mapping, and the errors of bad arguments. */
  void *first = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  void *again = mmap(first, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  result("mmap MAP_FIXED_NOREPLACE over a mapping", again == MAP_FAILED ? -1 : 0);
  void *fixed = mmap(first, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  printf("mmap MAP_FIXED over a mapping: same address %d\n", fixed == first);
  munmap(first, 4096);
  result("mmap length 0", mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0);
  result("mmap unaligned offset", mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1) == MAP_FAILED ? -1 : 0);
  result("mmap of a closed descriptor", mmap(0, 4096, PROT_READ, MAP_PRIVATE, 77, 0) == MAP_FAILED ? -1 : 0);
  result("munmap unaligned", munmap((void *)4097, 4096));
  result("mprotect unmapped", mprotect((void *)0x10000000, 4096, PROT_READ));
}

static void descriptor_checks(void) {
  result("isatty 1", isatty(1));
  struct termios termios;
  result("tcgetattr 1", tcgetattr(1, &termios));
  result("write to a closed descriptor", write(77, "x", 1));
  result("close a closed descriptor", close(77));
  result("write from a bad address", syscall(SYS_write, 1, (void *)16, 4));
  int copy = dup(1);
  result("dup 1", copy);
  result("write on the copy", write(copy, "copy: a line\n", 13));
  result("F_GETFD", fcntl(copy, F_GETFD));
  result("F_SETFD", fcntl(copy, F_SETFD, FD_CLOEXEC));
  result("F_GETFD after", fcntl(copy, F_GETFD));
  result("dup2 to 9", dup2(copy, 9));
  result("close copy", close(copy));
  result("write on 9", write(9, "nine: a line\n", 13));
  result("close 9", close(9));
  result("dup3 same", dup3(1, 1, 0));
  struct iovec parts[3] = { { "writev: ", 8 }, { "three ", 6 }, { "parts\n", 6 } };
  result("writev", writev(1, parts, 3));
  result("lseek on the console", lseek(1, 0, SEEK_SET));
  struct stat status;
  result("fstat 1", fstat(1, &status));
  printf("fstat: character device %d\n", S_ISCHR(status.st_mode));
  result("open a missing file", open("/no/such/file", O_RDONLY));
  result("open from a bad address", open((char *)16, O_RDONLY));
  result("stat a missing file", stat("/no/such/file", &status));
  result("access a missing file", access("/no/such/file", F_OK));
  fflush(stdout);
}

static void process_checks(void) {
  printf("getpid positive %d, gettid is getpid %d\n", getpid() > 0, (pid_t)syscall(SYS_gettid) == getpid());
  printf("uid %d euid %d gid %d egid %d\n", getuid(), geteuid(), getgid(), getegid());
  struct utsname name;
  result("uname", uname(&name));
  printf("uname: %s %s\n", name.sysname, name.machine);
  result("prctl PR_SET_NAME", prctl(PR_SET_NAME, "checker", 0, 0, 0));
  char comm[16] = { 0 };
  result("prctl PR_GET_NAME", prctl(PR_GET_NAME, comm, 0, 0, 0));
  printf("name: %s\n", comm);
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGKILL);
  result("sigprocmask block", sigprocmask(SIG_BLOCK, &set, 0));
  result("sigprocmask read", sigprocmask(SIG_SETMASK, 0, &old));
  printf("blocked: SIGUSR1 %d SIGKILL %d\n", sigismember(&old, SIGUSR1), sigismember(&old, SIGKILL));
  struct sigaction action = { 0 }, previous;
  action.sa_handler = SIG_IGN;
  result("sigaction SIGUSR2", sigaction(SIGUSR2, &action, 0));
  result("sigaction read back", sigaction(SIGUSR2, 0, &previous));
  printf("SIGUSR2 ignored %d\n", previous.sa_handler == SIG_IGN);
  result("sigaction SIGKILL", sigaction(SIGKILL, &action, 0));
  cpu_set_t cpus;
  result("sched_getaffinity", sched_getaffinity(0, sizeof cpus, &cpus));
  printf("cpus: %d\n", CPU_COUNT(&cpus));
  result("sched_yield", sched_yield());
  struct rlimit limit;
  result("getrlimit RLIMIT_STACK", getrlimit(RLIMIT_STACK, &limit));
  printf("stack limit %lu MiB\n", (unsigned long)(limit.rlim_cur >> 20));
  result("unknown system call 999", syscall(999));
  result("unknown system call 999 again", syscall(999));
}

static void time_checks(void) {
  struct timespec a, b;
  result("clock_gettime MONOTONIC", clock_gettime(CLOCK_MONOTONIC, &a));
  result("clock_gettime MONOTONIC again", clock_gettime(CLOCK_MONOTONIC, &b));
  printf("monotonic did not go back %d\n", b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
  struct timespec now;
  result("clock_gettime REALTIME", clock_gettime(CLOCK_REALTIME, &now));
  printf("realtime after 2020 %d\n", now.tv_sec > 1577836800);
  struct timeval tv;
  result("gettimeofday", gettimeofday(&tv, 0));
  printf("gettimeofday agrees %d\n", tv.tv_sec - now.tv_sec < 5 && tv.tv_sec >= now.tv_sec);
  result("clock_gettime bad clock", clock_gettime(99, &now));
  result("clock_gettime bad address", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)16));
  struct timespec before, after, nap = { 0, 30 * 1000 * 1000 };
  clock_gettime(CLOCK_MONOTONIC, &before);
  result("nanosleep 30 ms", nanosleep(&nap, 0));
  clock_gettime(CLOCK_MONOTONIC, &after);
  long slept = (after.tv_sec - before.tv_sec) * 1000000000L + (after.tv_nsec - before.tv_nsec);
  printf("nanosleep: at least 30 ms %d, under 1 s %d\n", slept >= 30000000L, slept < 1000000000L);
  struct timespec until = after;
  until.tv_nsec += 20 * 1000 * 1000;
  if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
  printf("clock_nanosleep TIMER_ABSTIME: %d\n", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, 0));
  clock_gettime(CLOCK_MONOTONIC, &before);
  printf("clock_nanosleep: woke after the deadline %d\n", before.tv_sec > until.tv_sec || (before.tv_sec == until.tv_sec && before.tv_nsec >= until.tv_nsec));
  struct timespec bad = { 0, 1000000000L };
  result("nanosleep with tv_nsec 10^9", nanosleep(&bad, 0));
  result("nanosleep from a bad address", syscall(SYS_nanosleep, (void *)16, 0));
  printf("clock_nanosleep on a bad clock: %d\n", clock_nanosleep(99, 0, &nap, 0));
  unsigned char bytes[64] = { 0 };
  result("getrandom 64", getrandom(bytes, sizeof bytes, 0));
  int nonzero = 0;
  for (int i = 0; i < 64; i++) nonzero |= bytes[i];
  printf("getrandom: not all zero %d\n", nonzero != 0);
  result("getrandom bad flags", getrandom(bytes, 8, 0x100));
  struct sysinfo info;
  result("sysinfo", sysinfo(&info));
  printf("sysinfo: some RAM %d, processes %d\n", info.totalram * info.mem_unit > 0, info.procs > 0);
}

int main(int argc, char **argv) {
  (void)argv;
  setvbuf(stdout, 0, _IOLBF, 0);   /* line by line whatever stdout is, so direct writes interleave alike */
  printf("linux-check: started with %d argument(s)\n", argc);
  process_checks();
  memory_checks();
  descriptor_checks();
  time_checks();
  printf("linux-check: done\n");
  tcdrain(1);   /* on the wire before init exits: Linux panics when init exits, and would cut the tty's output */
  return 0;
}
