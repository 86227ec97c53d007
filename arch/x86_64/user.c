/* Ring 3 (see user_context.h): the SYSCALL MSRs and CR4 features, the C side of each entry from
 * user mode (syscall, interrupt, exception), and context_resume. Each entry runs one kernel export
 * to completion, then asks the kernel which thread runs next (docs/DESIGN.md #5). The FPU/SSE
 * registers are switched lazily: the kernel never touches them (-mgeneral-regs-only), so they
 * stay the last user thread's until another thread is resumed. */
#include "user_context.h"
#include "cpu.h"
#include "gdt.h"
#include "kernel_module.h"
#include "layout.h"
#include "panic.h"

#define MSR_EFER    0xc0000080
#define MSR_STAR    0xc0000081
#define MSR_LSTAR   0xc0000082
#define MSR_FMASK   0xc0000084
#define MSR_FS_BASE 0xc0000100
#define EFER_SCE    (1u << 0)
/* FMASK: RFLAGS bits SYSCALL clears (Intel SDM vol. 3, 5.8.8): IF, DF, TF, AC, NT. */
#define RFLAGS_TF   0x100
#define RFLAGS_IF   0x200
#define RFLAGS_DF   0x400
#define RFLAGS_NT   0x4000
#define RFLAGS_AC   0x40000
#define SYSCALL_FLAG_MASK (RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC | RFLAGS_NT)
/* What a user thread may hold in RFLAGS: the arithmetic flags, TF, DF, OF, AC, ID; IF always set. */
#define USER_RFLAGS_KEPT 0x240dd5
#define CR0_MP      (1u << 1)
#define CR0_EM      (1u << 2)
#define CR4_OSFXSR  (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_SMEP    (1u << 20)
#define CR4_SMAP    (1u << 21)

extern char syscall_entry[];
__attribute__((noreturn)) void context_sysret(uint8_t* context);
__attribute__((noreturn)) void context_iret(uint8_t* context);

uint8_t* current_context;
static uint8_t* fpu_owner;   /* whose SSE state the registers hold */
static uint8_t* fs_owner;    /* the context last resumed, and the FS base written for it */
static uint64_t fs_loaded;

static uint64_t read_cr0(void) { uint64_t value; __asm__ volatile("mov %%cr0, %0" : "=r"(value)); return value; }
static uint64_t read_cr4(void) { uint64_t value; __asm__ volatile("mov %%cr4, %0" : "=r"(value)); return value; }

void user_mode_install(void) {
  uint32_t eax = 7, ebx, ecx = 0, edx;
  __asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
  uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
  if (ebx & (1u << 7)) cr4 |= CR4_SMEP;
  if (ebx & (1u << 20)) cr4 |= CR4_SMAP;
  __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
  __asm__ volatile("mov %0, %%cr0" : : "r"((read_cr0() | CR0_MP) & ~(uint64_t)CR0_EM));
  write_msr(MSR_EFER, read_msr(MSR_EFER) | EFER_SCE);
  /* STAR[47:32]: SYSCALL's CS (SS = +8); STAR[63:48] + 16 / + 8: SYSRET's CS and SS (gdt.h). */
  write_msr(MSR_STAR, ((uint64_t)SELECTOR_KERNEL_CODE << 32) | ((uint64_t)(SELECTOR_KERNEL_DATA | 3) << 48));
  write_msr(MSR_LSTAR, (uint64_t)syscall_entry);
  write_msr(MSR_FMASK, SYSCALL_FLAG_MASK);
  /* A clean FXSAVE image for new threads is written by the kernel (kernel/arch/context.ts). */
}

static int canonical_user(uint64_t address) { return address < USER_HALF_END; }

void context_resume(uint64_t context_physical) {
  uint8_t* context = (uint8_t*)(DIRECT_MAP_BASE + context_physical);
  if (fpu_owner != context) {
    if (fpu_owner) __asm__ volatile("fxsave64 (%0)" : : "r"(fpu_owner + CONTEXT_FXSAVE) : "memory");
    __asm__ volatile("fxrstor64 (%0)" : : "r"(context + CONTEXT_FXSAVE) : "memory");
    fpu_owner = context;
  }
  /* FS base (a Linux thread's TLS, arch_prctl): written when it differs from what was loaded, or
   * for another thread when not 0. User mode cannot set the base itself but by loading a
   * selector (every GDT base is 0), so a base of 0 may be stale only as 0. */
  uint64_t fs = *(uint64_t*)(context + CONTEXT_FS_BASE);
  if (fs != fs_loaded || (fs != 0 && fs_owner != context)) {
    write_msr(MSR_FS_BASE, fs);
    fs_loaded = fs;
  }
  fs_owner = context;
  uint64_t* rflags = (uint64_t*)(context + CONTEXT_RFLAGS);
  *rflags = (*rflags & USER_RFLAGS_KEPT) | RFLAGS_IF | 2;
  current_context = context;
  if (*(uint64_t*)(context + CONTEXT_FROM_SYSCALL) && canonical_user(*(uint64_t*)(context + CONTEXT_RIP)))
    context_sysret(context);
  context_iret(context);
}

void context_save_fpu(uint64_t context_physical) {
  uint8_t* context = (uint8_t*)(DIRECT_MAP_BASE + context_physical);
  if (fpu_owner == context) __asm__ volatile("fxsave64 (%0)" : : "r"(context + CONTEXT_FXSAVE) : "memory");
}

void context_forget(uint64_t context_physical) {
  uint8_t* context = (uint8_t*)(DIRECT_MAP_BASE + context_physical);
  if (fpu_owner == context) fpu_owner = 0;
  if (fs_owner == context) fs_owner = 0;
  if (current_context == context) current_context = 0;
}

/* kernelSchedule's answer when nothing runs yet but kernel work remains (kernel/main.ts). */
#define KERNEL_SCHEDULE_AGAIN 1

void schedule_and_resume(void) {
  for (;;) {
    uint64_t next = Z_kernelZ_kernelSchedule(kernel_module());
    if (next == KERNEL_SCHEDULE_AGAIN) {
      /* Kernel work remains between entries (teardown): let pending interrupts in, then go on.
       * The jump ends QEMU's translation block after the STI shadow: TCG looks for interrupts only
       * between blocks, so "sti; nop; cli" in one block would never take one there. */
      __asm__ volatile("sti; nop; jmp 1f; 1: cli" ::: "memory");
      continue;
    }
    if (next) context_resume(next);
    if (Z_kernelZ_kernelIdle(kernel_module())) {
      /* Nothing to run, but work that needed only the CPU was done (kernel/main.ts): its output
       * goes out on the next round; interrupts get their window first, as above. */
      __asm__ volatile("sti; nop; jmp 1f; 1: cli" ::: "memory");
      continue;
    }
    /* Nothing to run: wait for an interrupt (sti takes effect after hlt begins, so none is lost). */
    __asm__ volatile("sti; hlt; cli" ::: "memory");
  }
}

__attribute__((noreturn)) void syscall_dispatch(void) {
  Z_kernelZ_kernelSyscall(kernel_module());
  schedule_and_resume();
}

__attribute__((noreturn)) void user_interrupt(uint64_t vector) {
  Z_kernelZ_kernelInterrupt(kernel_module(), (u32)vector);
  schedule_and_resume();
}

__attribute__((noreturn)) void user_exception(uint64_t vector, uint64_t error_code, uint64_t cr2) {
  Z_kernelZ_kernelUserFault(kernel_module(), (u32)vector, error_code, cr2);
  schedule_and_resume();
}
