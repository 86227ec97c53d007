/* The ways in and out of ring 3. In: SYSCALL (syscall_entry) and interrupts taken in user mode
 * (interrupt_from_user, jumped to from interrupt_stubs.S); exceptions from user mode go through
 * exception_stubs.S. Each saves the whole user state into current_context (user_context.h), moves
 * to the top of the kernel stack (nothing of the kernel is live on it while a thread runs in user
 * mode) and calls C, which never returns here. Out: context_sysret (SYSCALL's way back, only
 * for a canonical RIP: SYSRET with a non-canonical RCX faults in ring 0) and context_iret.
 *
 * Page-table isolation (docs/ARCHITECTURE.md, "Switching address spaces"): while user code runs,
 * CR3 may hold user-mode page tables that map, of the kernel, only the entry area: this code
 * (.text.entry) and .bss.entry (the variables below, GDT, IDT, TSS, entry stacks). Then every
 * way in loads entry_kernel_cr3 before it touches anything else of the kernel, and every way out
 * loads entry_user_cr3 as its last step before SYSRET or IRETQ, then replaces it with
 * entry_user_cr3_after (PCID: the first way out after a PCID was handed out flushes it, later
 * ones do not). entry_user_cr3 == 0 means isolation is off: CR3 is left alone (a compare and a
 * branch not taken on each path; SYSCALL's way in has two entry points instead, chosen through
 * MSR_LSTAR). The kernel sets the three (hw.userModeCr3Set).
 *
 * All of it is one section, .text.entry.0_user: the linker puts the .text.entry sections first in
 * .text, sorted by name, on pages of their own (the entry text), so that a round trip's way in
 * and way out share the first page. */
#include "user_context.h"
#include "gdt.h"
    .intel_syntax noprefix
    .section .text.entry.0_user, "ax", @progbits

.macro SAVE_COMMON base
    mov [\base + CONTEXT_RBX], rbx
    mov [\base + CONTEXT_RCX], rcx
    mov [\base + CONTEXT_RDX], rdx
    mov [\base + CONTEXT_RSI], rsi
    mov [\base + CONTEXT_RDI], rdi
    mov [\base + CONTEXT_RBP], rbp
    mov [\base + CONTEXT_R8], r8
    mov [\base + CONTEXT_R9], r9
    mov [\base + CONTEXT_R10], r10
    mov [\base + CONTEXT_R11], r11
    mov [\base + CONTEXT_R12], r12
    mov [\base + CONTEXT_R13], r13
    mov [\base + CONTEXT_R14], r14
    mov [\base + CONTEXT_R15], r15
.endm

/* SYSCALL: RCX = user RIP, R11 = user RFLAGS, RFLAGS masked by FMASK (IF clear), RSP still the
 * user's, which waits in entry_scratch (mapped in both page tables). MSR_LSTAR names
 * syscall_entry_isolated while isolation is on (hw.c), which loads the kernel's CR3 first with RSP
 * as the free register; syscall_entry otherwise, with no test on the way. */
    .global syscall_entry_isolated
syscall_entry_isolated:
    mov [rip + entry_scratch], rsp
    mov rsp, [rip + entry_kernel_cr3]
    mov cr3, rsp
    jmp 1f
    .global syscall_entry
syscall_entry:
    mov [rip + entry_scratch], rsp
1:  mov rsp, [rip + current_context]
    mov [rsp + CONTEXT_RAX], rax
    SAVE_COMMON rsp
    mov [rsp + CONTEXT_RIP], rcx
    mov [rsp + CONTEXT_RFLAGS], r11
    mov rax, [rip + entry_scratch]
    mov [rsp + CONTEXT_RSP], rax
    mov qword ptr [rsp + CONTEXT_FROM_SYSCALL], 1
    lea rsp, [rip + kernel_stack_top]
    cld
    call syscall_dispatch
    ud2

.macro RESTORE_MOST base
    mov rax, [\base + CONTEXT_RAX]
    mov rbx, [\base + CONTEXT_RBX]
    mov rdx, [\base + CONTEXT_RDX]
    mov rsi, [\base + CONTEXT_RSI]
    mov rbp, [\base + CONTEXT_RBP]
    mov r8, [\base + CONTEXT_R8]
    mov r9, [\base + CONTEXT_R9]
    mov r10, [\base + CONTEXT_R10]
    mov r12, [\base + CONTEXT_R12]
    mov r13, [\base + CONTEXT_R13]
    mov r14, [\base + CONTEXT_R14]
    mov r15, [\base + CONTEXT_R15]
.endm

/* Loads the user-mode CR3 (isolation on), using `scratch`, whose value it keeps in
 * entry_scratch; the caller has checked that entry_user_cr3 is not 0. */
.macro LOAD_USER_CR3 scratch
    mov [rip + entry_scratch], \scratch
    mov \scratch, [rip + entry_user_cr3]
    mov cr3, \scratch
    mov \scratch, [rip + entry_user_cr3_after]
    mov [rip + entry_user_cr3], \scratch
    mov \scratch, [rip + entry_scratch]
.endm

/* context_sysret(context): rdi = the context's virtual address; RFLAGS already sanitised. */
    .global context_sysret
context_sysret:
    RESTORE_MOST rdi
    mov rcx, [rdi + CONTEXT_RIP]
    mov r11, [rdi + CONTEXT_RFLAGS]
    mov rsp, [rdi + CONTEXT_RSP]
    mov rdi, [rdi + CONTEXT_RDI]
    cmp qword ptr [rip + entry_user_cr3], 0
    jne 1f
    sysretq
1:  LOAD_USER_CR3 rdi
    sysretq

/* context_iret(context): every register restored, through an interrupt frame built on the entry
 * stack (mapped in both page tables; nothing uses it while the kernel runs). */
    .global context_iret
context_iret:
    lea rsp, [rip + entry_stack_top]
    push SELECTOR_USER_DATA
    push [rdi + CONTEXT_RSP]
    push [rdi + CONTEXT_RFLAGS]
    push SELECTOR_USER_CODE
    push [rdi + CONTEXT_RIP]
    RESTORE_MOST rdi
    mov rcx, [rdi + CONTEXT_RCX]
    mov r11, [rdi + CONTEXT_R11]
    mov rdi, [rdi + CONTEXT_RDI]
    cmp qword ptr [rip + entry_user_cr3], 0
    je 1f
    LOAD_USER_CR3 rdi
1:  iretq

/* From interrupt_stubs.S on the entry stack, with [rsp] = vector, then the CPU's frame: RIP, CS,
 * RFLAGS, RSP, SS. */
    .global interrupt_from_user
interrupt_from_user:
    push rax
    cmp qword ptr [rip + entry_user_cr3], 0
    je 1f
    mov rax, [rip + entry_kernel_cr3]
    mov cr3, rax
1:  mov rax, [rip + current_context]
    SAVE_COMMON rax
    pop rbx
    mov [rax + CONTEXT_RAX], rbx
    pop rdi                               /* the vector: user_interrupt's argument */
    mov rbx, [rsp]
    mov [rax + CONTEXT_RIP], rbx
    mov rbx, [rsp + 16]
    mov [rax + CONTEXT_RFLAGS], rbx
    mov rbx, [rsp + 24]
    mov [rax + CONTEXT_RSP], rbx
    mov qword ptr [rax + CONTEXT_FROM_SYSCALL], 0
    lea rsp, [rip + kernel_stack_top]
    cld
    call user_interrupt
    ud2

/* The entry variables: in the entry area, so mapped in the user-mode page tables too. */
    .section .bss.entry.descriptors, "aw", @nobits
    .balign 64
    .global entry_kernel_cr3, entry_user_cr3, entry_user_cr3_after
entry_kernel_cr3:       .skip 8   /* loaded on every way in (isolation on) */
entry_user_cr3:         .skip 8   /* loaded on the next way out; 0: isolation off */
entry_user_cr3_after:   .skip 8   /* entry_user_cr3 from then on */
entry_scratch:          .skip 8   /* the user's RSP in syscall_entry, a register on the way out */

    .section .note.GNU-stack, "", @progbits
