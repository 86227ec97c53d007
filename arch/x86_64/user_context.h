/* A user thread's saved state, one per thread, in a kernel frame (so the AssemblyScript kernel
 * reaches it as linear memory and C at DIRECT_MAP_BASE + its physical address). Written by the
 * entry paths (user_entry.S, exceptions.c), read by context_resume. kernel/arch/context.ts
 * mirrors the offsets; tests/host/layout.test.ts checks the two agree. */
#ifndef CAPSID_USER_CONTEXT_H
#define CAPSID_USER_CONTEXT_H

#define CONTEXT_FXSAVE        0x000  /* 512-byte FXSAVE image, 16-byte aligned */
#define CONTEXT_RAX           0x200
#define CONTEXT_RBX           0x208
#define CONTEXT_RCX           0x210
#define CONTEXT_RDX           0x218
#define CONTEXT_RSI           0x220
#define CONTEXT_RDI           0x228
#define CONTEXT_RBP           0x230
#define CONTEXT_R8            0x238
#define CONTEXT_R9            0x240
#define CONTEXT_R10           0x248
#define CONTEXT_R11           0x250
#define CONTEXT_R12           0x258
#define CONTEXT_R13           0x260
#define CONTEXT_R14           0x268
#define CONTEXT_R15           0x270
#define CONTEXT_RIP           0x278
#define CONTEXT_RSP           0x280
#define CONTEXT_RFLAGS        0x288
#define CONTEXT_FS_BASE       0x298
#define CONTEXT_FROM_SYSCALL  0x2a0  /* 1: entered by SYSCALL, rcx and r11 are scratch (SYSRET may return) */
#define CONTEXT_SIZE          0x2b0

#ifndef __ASSEMBLER__
#include <stdint.h>
/* Resumes a user thread (DIRECT_MAP_BASE + physical address of its context); never returns. */
__attribute__((noreturn)) void context_resume(uint64_t context_physical);
/* The kernel's answer to "what runs now": resumes that thread, or idles until an interrupt. */
__attribute__((noreturn)) void schedule_and_resume(void);
/* The context of the thread running (or last run) in user mode, for the entry paths. */
extern uint8_t* current_context;
/* SYSCALL MSRs, CR4 (OSFXSR, OSXMMEXCPT, SMEP, SMAP where present), CR0.MP: before any process. */
void user_mode_install(void);
/* The exported C entries from user mode (user.c); none returns. */
__attribute__((noreturn)) void user_exception(uint64_t vector, uint64_t error_code, uint64_t cr2);
/* Forgets a context about to be freed (it may own the FPU registers' saved copy). */
void context_forget(uint64_t context_physical);
void context_save_fpu(uint64_t context_physical);
#endif

#endif
