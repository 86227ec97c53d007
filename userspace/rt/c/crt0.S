/* The program entry: the kernel starts a process here with rsp at USER_STACK_TOP and every other
 * register zero. Aligns the stack as the System V ABI wants at a call and enters C. The same for
 * a new thread, at capsid_thread_entry. */
    .intel_syntax noprefix
    .text
    .global _start
_start:
    and rsp, -16
    xor ebp, ebp
    call capsid_start
    ud2

/* Where a new thread starts (ThreadSpawner.spawn, userspace/rt/thread.ts): rdi = its start
 * block, rsi = its ring's linear address, rsp = the top of its own stack. */
    .global capsid_thread_entry
capsid_thread_entry:
    and rsp, -16
    xor ebp, ebp
    call capsid_thread_start
    ud2

    .section .note.GNU-stack, "", @progbits
