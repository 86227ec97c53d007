/* syscall-fuzz: hostile input through the Linux personality. A seeded generator makes at least
 * CALLS system calls with random numbers and arguments (small integers, pointers into a scratch
 * buffer, into a reserved unmapped area, kernel addresses, random words), from children this
 * program forks, a batch each. A child that blocks is killed by the watchdog here; one that dies
 * of a signal is counted and replaced. Calls that would end the experiment rather than test the
 * kernel (exit, execve, fork and clone, signals to other processes) are left out. Afterwards
 * the parent checks that it still works: a pipe, a fork and an exec. Its manifest entry grants
 * the network on loopback alone, so the socket calls reach Capsid's AF_INET code too. It prints
 * "syscall-fuzz: PASS ..." or "syscall-fuzz: FAIL ..." (tests/qemu/linux-hostile.test.ts). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define CALLS 1000000L
#define BATCH 20000
#define REPORT_EVERY 1000
#define HIGHEST_NUMBER 460
#define SANDBOX_SIZE (64L << 20)

static uint64_t state;

static uint64_t next(void) {   /* xorshift64* */
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}

static char scratch[65536] __attribute__((aligned(4096)));
static char *sandbox;
static const uint64_t zero_time[2] = { 0, 0 };

static int excluded(long number) {
  switch (number) {
    case SYS_exit: case SYS_exit_group: case SYS_execve: case SYS_execveat: case SYS_fork: case SYS_vfork: case SYS_clone:
    case 435 /* clone3 */: case SYS_kill: case SYS_tkill: case SYS_tgkill: case SYS_rt_sigqueueinfo: case SYS_rt_tgsigqueueinfo:
    case SYS_rt_sigreturn: case SYS_reboot: case SYS_ptrace:
    /* Calls that wait for what no one here will do: the watchdog would end the child each time. */
    case SYS_pause: case SYS_rt_sigsuspend: case SYS_nanosleep: case SYS_clock_nanosleep: case SYS_rt_sigtimedwait:
    case SYS_pipe: case SYS_pipe2: case SYS_wait4: case SYS_waitid:
      return 1;
    default:
      return 0;
  }
}

static uint64_t argument(void) {
  switch (next() % 8) {
    case 0: return next() % 64;
    case 1: return (uint64_t)-(int64_t)(next() % 8 + 1);
    case 2: return (uint64_t)(uintptr_t)(scratch + next() % sizeof scratch);
    case 3: return (uint64_t)(uintptr_t)(sandbox + (next() % SANDBOX_SIZE & ~4095UL));
    case 4: return 0xffff800000000000ULL + (next() & 0xffffffffULL);
    case 5: return 0;
    case 6: return next() % 0x100000;
    default: return next();
  }
}

/* One child: BATCH calls, telling the parent its progress through `report` every REPORT_EVERY. */
static void child(int report, uint64_t seed) {
  state = seed;
  close(0);   /* the console: a read would block, a write would print random bytes */
  close(1);
  close(2);
  for (long i = 1; i <= BATCH;) {
    long number = (long)(next() % HIGHEST_NUMBER);
    if (excluded(number)) continue;
    uint64_t a[6];
    for (int j = 0; j < 6; j++) a[j] = argument();
    if ((number == SYS_munmap || number == SYS_mprotect || number == SYS_mremap || number == SYS_madvise || number == SYS_mmap)
        && a[0] != 0) a[0] = (uint64_t)(uintptr_t)(sandbox + (next() % SANDBOX_SIZE & ~4095UL));   /* its own code stays */
    if (number == SYS_brk) a[0] = 0;
    /* Readiness calls wait no time. */
    if (number == SYS_poll) a[2] = 0;
    if (number == SYS_ppoll) a[2] = (uint64_t)(uintptr_t)zero_time;
    if (number == SYS_select || number == SYS_pselect6) a[4] = (uint64_t)(uintptr_t)zero_time;
    /* A futex wait (FUTEX_WAIT, FUTEX_WAIT_BITSET) times out at once; its other operations do not wait. */
    if (number == SYS_futex && ((a[1] & 127) == 0 || (a[1] & 127) == 9)) a[3] = (uint64_t)(uintptr_t)zero_time;
    if ((number == SYS_close || number == SYS_dup2 || number == SYS_dup3) && (a[0] == (uint64_t)report || a[1] == (uint64_t)report)) a[0] = a[1] = 1000;
    syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (i++ % REPORT_EVERY == 0 && write(report, "r", 1) != 1) _exit(3);
  }
  _exit(0);
}

int main(void) {
  uint64_t seed = 0x5eed1234abcdULL;
  printf("syscall-fuzz: started, seed 0x%llx\n", (unsigned long long)seed);
  fflush(stdout);
  sandbox = mmap(0, SANDBOX_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (sandbox == MAP_FAILED) { printf("syscall-fuzz: FAIL mmap of the sandbox\n"); return 1; }
  long calls = 0, children = 0, signalled = 0, stalled = 0;
  while (calls < CALLS) {
    int ends[2];
    if (pipe(ends) != 0) { printf("syscall-fuzz: FAIL pipe after %ld calls\n", calls); return 1; }
    state = seed + (uint64_t)children * 0x9e3779b97f4a7c15ULL;
    uint64_t child_seed = next();
    pid_t pid = fork();
    if (pid < 0) { printf("syscall-fuzz: FAIL fork after %ld calls\n", calls); return 1; }
    if (pid == 0) { close(ends[0]); child(ends[1], child_seed); }
    close(ends[1]);
    children++;
    long made = 0;
    for (;;) {
      struct pollfd watch = { ends[0], POLLIN, 0 };
      int ready = poll(&watch, 1, 500);
      if (ready == 0) { kill(pid, SIGKILL); stalled++; break; }   /* blocked in a call: the watchdog */
      char progress[64];
      long n = read(ends[0], progress, sizeof progress);
      if (n <= 0) break;   /* it ended */
      made += n * REPORT_EVERY;
    }
    close(ends[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) { printf("syscall-fuzz: FAIL waitpid after %ld calls\n", calls); return 1; }
    if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL) signalled++;
    calls += made > 0 ? made : REPORT_EVERY;   /* a child's last, unreported calls are not counted */
  }
  /* The parent still works: a pipe, a fork and an exec. */
  int ends[2];
  char byte = 0;
  int pipe_ok = pipe(ends) == 0 && write(ends[1], "x", 1) == 1 && read(ends[0], &byte, 1) == 1 && byte == 'x';
  pid_t pid = fork();
  if (pid == 0) {
    char *argv[] = { "true", 0 }, *envp[] = { 0 };
    execve("/bin/busybox", argv, envp);
    _exit(127);
  }
  int status = -1;
  int exec_ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!pipe_ok || !exec_ok) {
    printf("syscall-fuzz: FAIL after %ld calls: pipe %s, fork and exec %s\n", calls, pipe_ok ? "works" : "broken", exec_ok ? "work" : "broken");
    return 1;
  }
  printf("syscall-fuzz: PASS %ld calls in %ld children (%ld ended by a signal, %ld stalled and killed); pipe, fork and exec still work\n",
    calls, children, signalled, stalled);
  fflush(stdout);
  tcdrain(1);
  return 0;
}
