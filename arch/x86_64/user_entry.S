/* The ways in and out of ring 3. In: SYSCALL (syscall_entry) and interrupts taken in user mode
 * (interrupt_from_user, jumped to from interrupt_stubs.S); exceptions from user mode go through
 * exceptions.c. Each saves the whole user state into current_context (user_context.h), moves to
 * the top of the kernel stack (nothing of the kernel is live on it while a thread runs in user
 * mode) and calls C, which never returns here. Out: context_sysret (SYSCALL's way back, only
 * for a canonical RIP: SYSRET with a non-canonical RCX faults in ring 0) and context_iret.
 * Each routine has a section of its own, named .text.<routine> as gcc's -ffunction-sections
 * names C functions, so that linker/hot-text.txt can place the system-call path. */
#include "user_context.h"
#include "gdt.h"
    .intel_syntax noprefix
    .text

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
 * user's. */
    .section .text.syscall_entry, "ax", @progbits
    .global syscall_entry
syscall_entry:
    mov [rip + syscall_user_rsp], rsp
    mov rsp, [rip + current_context]
    mov [rsp + CONTEXT_RAX], rax
    SAVE_COMMON rsp
    mov [rsp + CONTEXT_RIP], rcx
    mov [rsp + CONTEXT_RFLAGS], r11
    mov rax, [rip + syscall_user_rsp]
    mov [rsp + CONTEXT_RSP], rax
    mov qword ptr [rsp + CONTEXT_FROM_SYSCALL], 1
    lea rsp, [rip + kernel_stack_top]
    cld
    call syscall_dispatch
    ud2

/* From interrupt_stubs.S with [rsp] = vector, then the CPU's frame: RIP, CS, RFLAGS, RSP, SS. */
    .global interrupt_from_user
interrupt_from_user:
    push rax
    mov rax, [rip + current_context]
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

/* context_sysret(context): rdi = the context's virtual address; RFLAGS already sanitised. */
    .section .text.context_sysret, "ax", @progbits
    .global context_sysret
context_sysret:
    RESTORE_MOST rdi
    mov rcx, [rdi + CONTEXT_RIP]
    mov r11, [rdi + CONTEXT_RFLAGS]
    mov rsp, [rdi + CONTEXT_RSP]
    mov rdi, [rdi + CONTEXT_RDI]
    sysretq

/* context_iret(context): every register restored, through an interrupt frame. */
    .section .text.context_iret, "ax", @progbits
    .global context_iret
context_iret:
    push SELECTOR_USER_DATA
    push [rdi + CONTEXT_RSP]
    push [rdi + CONTEXT_RFLAGS]
    push SELECTOR_USER_CODE
    push [rdi + CONTEXT_RIP]
    RESTORE_MOST rdi
    mov rcx, [rdi + CONTEXT_RCX]
    mov r11, [rdi + CONTEXT_R11]
    mov rdi, [rdi + CONTEXT_RDI]
    iretq

    .bss
    .balign 8
syscall_user_rsp:
    .skip 8

    .section .note.GNU-stack, "", @progbits
