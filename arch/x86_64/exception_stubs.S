/* Exception entry stubs for vectors 0-31. Each pushes a zero error code where the CPU pushes
 * none, then its vector, saves the general registers and calls exception_report() in
 * exceptions.c with the frame; the report never returns (kernel-mode faults are fatal, and
 * AssemblyScript is never re-entered from here). */
    .intel_syntax noprefix
    .text

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
    mov rdi, rsp
    and rsp, -16
    call exception_report
1:  cli
    hlt
    jmp 1b

    .section .rodata
    .balign 8
    .global exception_stubs
exception_stubs:
.irp vector, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad exception_stub_\vector
.endr

    .section .note.GNU-stack, "", @progbits
