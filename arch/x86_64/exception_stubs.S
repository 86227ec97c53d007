/* Exception entry stubs for vectors 0-31. Each pushes a zero error code where the CPU pushes
 * none, then its vector, saves the general registers and calls exception_report() in
 * exceptions.c with the frame; the report never returns (kernel-mode faults are fatal, and
 * AssemblyScript is never re-entered from here). Entry text (.text.entry): mapped in the
 * user-mode page tables too. Under page-table isolation (entry_user_cr3 not 0) the kernel's CR3 is
 * loaded before any C runs, whatever mode the exception came from: an NMI or a fault can land
 * between a way out's CR3 load and its SYSRET or IRETQ (user_entry.S). An exception from user
 * mode arrives on the entry stack or an IST stack (both small, in the entry area) and runs C on
 * the kernel stack, which holds nothing while a thread runs in user mode. */
    .intel_syntax noprefix
    .section .text.entry.2_exceptions, "ax", @progbits

.macro EXCEPTION_STUB vector, has_error_code
    .balign 16
exception_stub_\vector:
    .if \has_error_code == 0
    push 0
    .endif
    push \vector
    jmp exception_common
.endm

/* Vectors whose exceptions push an error code: Intel SDM vol. 3, table 6-1. */
EXCEPTION_STUB 0, 0
EXCEPTION_STUB 1, 0
EXCEPTION_STUB 2, 0
EXCEPTION_STUB 3, 0
EXCEPTION_STUB 4, 0
EXCEPTION_STUB 5, 0
EXCEPTION_STUB 6, 0
EXCEPTION_STUB 7, 0
EXCEPTION_STUB 8, 1
EXCEPTION_STUB 9, 0
EXCEPTION_STUB 10, 1
EXCEPTION_STUB 11, 1
EXCEPTION_STUB 12, 1
EXCEPTION_STUB 13, 1
EXCEPTION_STUB 14, 1
EXCEPTION_STUB 15, 0
EXCEPTION_STUB 16, 0
EXCEPTION_STUB 17, 1
EXCEPTION_STUB 18, 0
EXCEPTION_STUB 19, 0
EXCEPTION_STUB 20, 0
EXCEPTION_STUB 21, 1
EXCEPTION_STUB 22, 0
EXCEPTION_STUB 23, 0
EXCEPTION_STUB 24, 0
EXCEPTION_STUB 25, 0
EXCEPTION_STUB 26, 0
EXCEPTION_STUB 27, 0
EXCEPTION_STUB 28, 0
EXCEPTION_STUB 29, 1
EXCEPTION_STUB 30, 1
EXCEPTION_STUB 31, 0

exception_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cmp qword ptr [rip + entry_user_cr3], 0
    je 1f
    mov rax, [rip + entry_kernel_cr3]
    mov cr3, rax
1:  mov rdi, rsp                      /* the frame: 15 registers, vector, error code, CPU frame */
    test byte ptr [rsp + 18 * 8], 3   /* the CS pushed by the CPU: from ring 3? */
    jz 2f
    lea rsp, [rip + kernel_stack_top]
    jmp 3f
2:  and rsp, -16
3:  cld                               /* the C ABI's DF = 0: a user's DF would run the kernel's string copies backwards */
    call exception_report
4:  cli
    hlt
    jmp 4b

    .section .rodata
    .balign 8
    .global exception_stubs
exception_stubs:
.irp vector, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad exception_stub_\vector
.endr

    .section .note.GNU-stack, "", @progbits
