/* The program entry: the kernel starts a process here with rsp at USER_STACK_TOP and every other
 * register zero. Aligns the stack as the System V ABI wants at a call and enters C. */
    .intel_syntax noprefix
    .text
    .global _start
_start:
    and rsp, -16
    xor ebp, ebp
    call capsid_start
    ud2

    .section .note.GNU-stack, "", @progbits
