/* sigframe-check: the signal frame (the ucontext a handler gets, its FPU state, what rt_sigreturn
 * takes back), signals from faults (SIGSEGV, SIGILL, SIGFPE, SIGTRAP) with their siginfo, a
 * SIGSEGV handler that siglongjmps out, the alternate stack, and hostile rt_sigreturn frames,
 * unmodified (glibc and musl, static); its output is compared with the same binary's as /init on
 * Debian's kernel (tests/qemu/linux-signals.test.ts). Only relations are printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <ucontext.h>
#include <unistd.h>

static void status_line(const char *what, int status) {
  if (WIFEXITED(status)) printf("%s: exited %d\n", what, WEXITSTATUS(status));
  else if (WIFSIGNALED(status)) printf("%s: killed by signal %d\n", what, WTERMSIG(status));
  else printf("%s: status 0x%x\n", what, status);
}

static void result(const char *what, long value) {
  int error = errno;
  if (value < 0) printf("%s: -1 %s\n", what, error == EPERM ? "EPERM" : error == EINVAL ? "EINVAL" : "other");
  else printf("%s: %ld\n", what, value);
}

static void install(int signal, void (*handler)(int, siginfo_t *, void *), int flags) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = handler;
  action.sa_flags = SA_SIGINFO | flags;
  sigemptyset(&action.sa_mask);
  sigaction(signal, &action, 0);
}

/* What the handlers saw. */
static struct {
  unsigned long uc_flags;
  int uc_link_null, info_offset, fpregs_aligned, fpregs_above, frame_mxcsr, handler_mxcsr, mask_usr1, mask_usr2, below_red_zone;
  int code, signo, addr_is_rip, trapno, err, cr2_is_addr, on_alternate, stack_flags_onstack, altstack_eperm, uc_stack_flags;
  void *addr;
} seen;
static sigjmp_buf jump;
static char alternate[1 << 16];

static uint32_t mxcsr_now(void) {
  uint32_t value;
  __asm__ volatile("stmxcsr %0" : "=m"(value));
  return value;
}

static void on_usr1(int signal, siginfo_t *info, void *context) {
  (void)signal;
  ucontext_t *uc = context;
  char local;
  seen.uc_flags = uc->uc_flags;
  seen.uc_link_null = uc->uc_link == 0;
  seen.info_offset = (int)((char *)info - (char *)uc);
  seen.fpregs_aligned = ((uintptr_t)uc->uc_mcontext.fpregs & 63) == 0;
  seen.fpregs_above = (char *)uc->uc_mcontext.fpregs > (char *)info;
  seen.frame_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
  seen.handler_mxcsr = mxcsr_now();
  seen.mask_usr1 = sigismember(&uc->uc_sigmask, SIGUSR1);
  seen.mask_usr2 = sigismember(&uc->uc_sigmask, SIGUSR2);
  seen.below_red_zone = (uintptr_t)&local < (uintptr_t)uc->uc_mcontext.gregs[REG_RSP] - 128;
  /* Clobber xmm7 here; ask for round-down in the interrupted code's MXCSR. */
  __asm__ volatile("pxor %%xmm7, %%xmm7" ::: "xmm7");
  uc->uc_mcontext.fpregs->mxcsr = 0x3f80;
}

/* kill(pid, SIGUSR1) with xmm7 = `pattern` and MXCSR = 0x7f80 around it; xmm7 and MXCSR after. */
static void kill_around(uint64_t pattern, uint64_t *xmm_after, uint32_t *mxcsr_after) {
  uint32_t mxcsr = 0x7f80;
  long pid = getpid();
  __asm__ volatile(
    "ldmxcsr %[mxcsr]\n\t"
    "movq %[pattern], %%xmm7\n\t"
    "mov $62, %%eax\n\t"
    "mov %[pid], %%rdi\n\t"
    "mov $10, %%esi\n\t"
    "syscall\n\t"
    "movq %%xmm7, %[xmm]\n\t"
    "stmxcsr %[after]\n\t"
    "movl $0x1f80, %[mxcsr]\n\t"
    "ldmxcsr %[mxcsr]\n\t"
    : [xmm] "=m"(*xmm_after), [after] "=m"(*mxcsr_after), [mxcsr] "+m"(mxcsr)
    : [pattern] "m"(pattern), [pid] "r"(pid)
    : "rax", "rdi", "rsi", "rcx", "r11", "xmm7", "memory");
}

static void on_fault(int signal, siginfo_t *info, void *context) {
  ucontext_t *uc = context;
  seen.signo = signal;
  seen.code = info->si_code;
  seen.addr = info->si_addr;
  seen.addr_is_rip = info->si_addr == (void *)uc->uc_mcontext.gregs[REG_RIP];
  seen.trapno = (int)uc->uc_mcontext.gregs[REG_TRAPNO];
  seen.err = (int)uc->uc_mcontext.gregs[REG_ERR];
  seen.cr2_is_addr = (void *)uc->uc_mcontext.gregs[REG_CR2] == info->si_addr;
  siglongjmp(jump, 1);
}

static void on_ill(int signal, siginfo_t *info, void *context) {
  ucontext_t *uc = context;
  seen.signo = signal;
  seen.code = info->si_code;
  seen.addr_is_rip = info->si_addr == (void *)uc->uc_mcontext.gregs[REG_RIP];
  seen.trapno = (int)uc->uc_mcontext.gregs[REG_TRAPNO];
  uc->uc_mcontext.gregs[REG_RIP] += 2;   /* over the ud2 */
}

static void on_trap(int signal, siginfo_t *info, void *context) {
  (void)context;
  seen.signo = signal;
  seen.code = info->si_code;
}

static void on_alternate(int signal, siginfo_t *info, void *context) {
  (void)signal; (void)info;
  ucontext_t *uc = context;
  char local;
  seen.on_alternate = &local >= alternate && &local < alternate + sizeof alternate;
  stack_t now;
  sigaltstack(0, &now);
  seen.stack_flags_onstack = now.ss_flags == SS_ONSTACK;
  stack_t other = { .ss_sp = alternate, .ss_size = sizeof alternate, .ss_flags = 0 };
  seen.altstack_eperm = sigaltstack(&other, 0) < 0 && errno == EPERM;
  seen.uc_stack_flags = uc->uc_stack.ss_flags;
}

static int depth(int n) {
  volatile char pad[512];
  pad[0] = (char)n;
  return n == 0 ? pad[0] : depth(n - 1) + pad[0];
}

static void on_overflow(int signal, siginfo_t *info, void *context) {
  (void)info; (void)context;
  char local;
  seen.signo = signal;
  seen.on_alternate = &local >= alternate && &local < alternate + sizeof alternate;
  siglongjmp(jump, 1);
}

/* The fault `what` names, with the handler installed; prints what the handler saw. */
static void fault_case(const char *what, void (*fault)(void)) {
  memset(&seen, 0, sizeof seen);
  if (sigsetjmp(jump, 1) == 0) {
    fault();
    printf("%s: no signal\n", what);
    return;
  }
  printf("%s: signal %d, code %d, trapno %d\n", what, seen.signo, seen.code, seen.trapno);
}

static volatile int zero = 0, *volatile unmapped = (int *)0x1000;
static volatile char *read_only;
static void read_unmapped(void) { (void)*unmapped; }
static void write_read_only(void) { *read_only = 1; }
static void divide_by_zero(void) { __asm__ volatile("xor %%edx, %%edx\n\tmov $1, %%eax\n\tdivl %0" : : "r"(zero) : "eax", "edx"); }
static void non_canonical(void) { (void)*(volatile int *)0x8000000000000000ul; }

/* A child that calls rt_sigreturn with RSP at `frame` (the frame starts 8 bytes below... as after
 * a handler's `ret`: RSP points just past the restorer's address). */
static void sigreturn_with(void *frame) {
  __asm__ volatile("mov %0, %%rsp\n\tmov $15, %%eax\n\tsyscall\n\tud2" : : "r"(frame) : "memory");
  __builtin_unreachable();
}

static void landing(void) { _exit(42); }

/* A frame (rt_sigframe without its return address: uc, then siginfo) that returns to landing. */
static void frame_to_landing(unsigned char *frame, uint64_t fpstate, uint64_t rip, int stack_flags) {
  static char stack[16384] __attribute__((aligned(16)));
  memset(frame, 0, 512);
  uint64_t *uc = (uint64_t *)frame;
  uc[2] = 0; ((int32_t *)&uc[3])[0] = stack_flags; uc[4] = 0;       /* uc_stack */
  uint64_t *sc = &uc[5];                                             /* uc_mcontext */
  sc[15] = (uint64_t)(stack + sizeof stack - 8);                      /* rsp */
  sc[16] = rip;                                                       /* rip */
  sc[17] = 0x202 | 0x3000 | 0x4000 | 0x20000;                         /* eflags: IOPL, NT, VM are not the frame's to set */
  ((uint16_t *)&sc[18])[0] = 0x33;                                    /* cs */
  ((uint16_t *)&sc[18])[3] = 0x2b;                                    /* ss */
  sc[23] = fpstate;
}

static void hostile(const char *what, int kind) {
  pid_t child = fork();
  if (child == 0) {
    signal(SIGSEGV, SIG_DFL);   /* not the parent's handlers */
    signal(SIGILL, SIG_DFL);
    static unsigned char frame[1024] __attribute__((aligned(64)));
    switch (kind) {
      case 0: memset(frame, 0xff, sizeof frame); break;
      case 1: memset(frame, 0, sizeof frame); break;
      case 2: frame_to_landing(frame, 0, (uint64_t)landing, 0); break;
      case 3: frame_to_landing(frame, 0x10, (uint64_t)landing, 0); break;
      case 4: frame_to_landing(frame, 0, 0x800000000000ul, 0); break;
      case 5: frame_to_landing(frame, (uint64_t)(frame + 512), (uint64_t)landing, 0); memset(frame + 512, 0xff, 512); break;
      case 6: frame_to_landing(frame, 0, (uint64_t)landing, 0x7777); break;
      case 7: frame_to_landing(frame, (uint64_t)(frame + 520), (uint64_t)landing, 0); break;
    }
    sigreturn_with(frame);
  }
  int status = 0;
  waitpid(child, &status, 0);
  status_line(what, status);
}

int main(void) {
  setvbuf(stdout, 0, _IOLBF, 0);
  printf("sigframe-check: started\n");

  /* The frame a handler gets, and the FPU state around it. */
  install(SIGUSR1, on_usr1, 0);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, 0);
  uint64_t xmm = 0;
  uint32_t mxcsr = 0;
  kill_around(0x1122334455667788ull, &xmm, &mxcsr);
  printf("uc_flags 0x%lx, uc_link null %d, siginfo at ucontext + %d\n", seen.uc_flags, seen.uc_link_null, seen.info_offset);
  printf("fpstate 64-byte aligned %d, above the siginfo %d, its mxcsr 0x%x\n", seen.fpregs_aligned, seen.fpregs_above, seen.frame_mxcsr);
  printf("the handler's mxcsr 0x%x, its stack below the red zone %d\n", seen.handler_mxcsr, seen.below_red_zone);
  printf("uc_sigmask: SIGUSR1 %d, SIGUSR2 %d\n", seen.mask_usr1, seen.mask_usr2);
  printf("after the handler: xmm7 kept %d, mxcsr 0x%x (the frame's)\n", xmm == 0x1122334455667788ull, mxcsr);
  sigprocmask(SIG_UNBLOCK, &set, 0);

  /* Faults. */
  install(SIGSEGV, on_fault, 0);
  install(SIGFPE, on_fault, 0);
  read_only = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  fault_case("read 0x1000", read_unmapped);
  printf("  si_addr 0x1000 %d, cr2 the address %d, err %d\n", seen.addr == (void *)0x1000, seen.cr2_is_addr, seen.err);
  fault_case("write a read-only page", write_read_only);
  printf("  si_addr the page %d, err %d\n", seen.addr == (void *)read_only, seen.err);
  fault_case("again, after siglongjmp", write_read_only);
  fault_case("divide by zero", divide_by_zero);
  printf("  si_addr the instruction %d\n", seen.addr_is_rip);
  fault_case("a non-canonical address", non_canonical);
  printf("  si_addr null %d\n", seen.addr == 0);
  memset(&seen, 0, sizeof seen);
  install(SIGILL, on_ill, 0);
  __asm__ volatile("ud2");
  printf("ud2: signal %d, code %d, trapno %d, si_addr the instruction %d, went on past it\n", seen.signo, seen.code, seen.trapno, seen.addr_is_rip);
  memset(&seen, 0, sizeof seen);
  install(SIGTRAP, on_trap, 0);
  __asm__ volatile("int3");
  printf("int3: signal %d, code %d, went on past it\n", seen.signo, seen.code);

  /* The alternate stack. */
  stack_t stack = { .ss_sp = alternate, .ss_size = sizeof alternate, .ss_flags = 0 };
  result("sigaltstack", sigaltstack(&stack, 0));
  install(SIGUSR2, on_alternate, SA_ONSTACK);
  memset(&seen, 0, sizeof seen);
  raise(SIGUSR2);
  printf("SA_ONSTACK: on the alternate stack %d, sigaltstack says SS_ONSTACK %d, changing it EPERM %d, uc_stack flags %d\n",
    seen.on_alternate, seen.stack_flags_onstack, seen.altstack_eperm, seen.uc_stack_flags);
  install(SIGUSR2, on_alternate, 0);
  memset(&seen, 0, sizeof seen);
  raise(SIGUSR2);
  printf("without SA_ONSTACK: on the alternate stack %d\n", seen.on_alternate);
  install(SIGSEGV, on_overflow, SA_ONSTACK);
  memset(&seen, 0, sizeof seen);
  if (sigsetjmp(jump, 1) == 0) printf("deep recursion returned %d\n", depth(1 << 30));
  printf("stack overflow: signal %d, handled on the alternate stack %d\n", seen.signo, seen.on_alternate);

  /* Faults that cannot be handled end the process with the signal. */
  signal(SIGSEGV, SIG_DFL);
  pid_t child = fork();
  if (child == 0) {
    install(SIGSEGV, on_fault, 0);
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigprocmask(SIG_BLOCK, &set, 0);
    read_unmapped();
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  status_line("a fault with SIGSEGV blocked", status);
  child = fork();
  if (child == 0) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = (void (*)(int))read_unmapped;   /* the handler faults too */
    sigaction(SIGSEGV, &action, 0);
    read_unmapped();
    _exit(0);
  }
  waitpid(child, &status, 0);
  status_line("a fault in the SIGSEGV handler", status);
  child = fork();
  if (child == 0) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_IGN;
    sigaction(SIGSEGV, &action, 0);
    read_unmapped();
    _exit(0);
  }
  waitpid(child, &status, 0);
  status_line("a fault with SIGSEGV ignored", status);
  child = fork();
  if (child == 0) {
    stack_t none = { .ss_flags = SS_DISABLE };
    sigaltstack(&none, 0);
    install(SIGUSR1, on_usr1, 0);
    __asm__ volatile("mov $0x1000, %%rsp\n\tmov $62, %%eax\n\tmov %0, %%rdi\n\tmov $10, %%esi\n\tsyscall\n\tud2" : : "r"((long)getpid()) : "memory");
  }
  waitpid(child, &status, 0);
  status_line("a handler with no room for its frame", status);

  /* Handlers outside the user half. */
  static const unsigned long bad_handlers[] = { 0xffffffff81000000ul, 0x8000000000000000ul };
  for (int i = 0; i < 2; i++) {
    child = fork();
    if (child == 0) {
      struct sigaction action;
      memset(&action, 0, sizeof action);
      action.sa_handler = (void (*)(int))bad_handlers[i];
      sigaction(SIGUSR1, &action, 0);
      signal(SIGSEGV, SIG_DFL);
      raise(SIGUSR1);
      _exit(0);
    }
    waitpid(child, &status, 0);
    status_line(i == 0 ? "a handler at a kernel address" : "a handler at a non-canonical address", status);
  }
  /* A stack pointer that is not canonical: #SS, which Linux reports as SIGBUS. */
  child = fork();
  if (child == 0) {
    signal(SIGSEGV, SIG_DFL);
    __asm__ volatile("mov $0x8000000000000000, %%rax\n\tmov %%rax, %%rsp\n\tpush %%rax" : : : "rax", "memory");
    _exit(0);
  }
  waitpid(child, &status, 0);
  status_line("a push on a non-canonical stack", status);

  /* Hostile rt_sigreturn frames. */
  hostile("rt_sigreturn, a frame of 0xff bytes", 0);
  hostile("rt_sigreturn, a frame of zeros", 1);
  hostile("rt_sigreturn, to a function, hostile flags", 2);
  hostile("rt_sigreturn, fpstate unmapped", 3);
  hostile("rt_sigreturn, a non-canonical rip", 4);
  hostile("rt_sigreturn, fpstate of 0xff bytes", 5);
  hostile("rt_sigreturn, a bad uc_stack", 6);
  hostile("rt_sigreturn, fpstate misaligned", 7);
  /* Random frames (a fixed seed): each child dies or lands; the kernel must only stay up. */
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  int reaped = 0;
  for (int i = 0; i < 200; i++) {
    static unsigned char frame[1024] __attribute__((aligned(64)));
    for (unsigned j = 0; j < sizeof frame; j++) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      frame[j] = (unsigned char)(seed >> 56);
    }
    uint64_t *sc = (uint64_t *)frame + 5;
    if (i % 2 == 0) sc[16] = (uint64_t)landing;                    /* rip: land, with random registers and flags */
    if (i % 4 == 0) sc[23] = (uint64_t)(frame + 512);              /* fpstate: random bytes that can be read */
    if (i % 8 == 0) sc[15] = (uint64_t)(frame + 1024);             /* rsp: a stack that exists */
    child = fork();
    if (child == 0) {
      signal(SIGSEGV, SIG_DFL);
      sigreturn_with(frame);
    }
    if (waitpid(child, &status, 0) == child) reaped++;
  }
  printf("200 random frames: every child reaped %d\n", reaped == 200);
  printf("sigframe-check: done\n");
  tcdrain(1);
  return 0;
}
