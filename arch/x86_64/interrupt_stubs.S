/* Entry stubs for vectors 32-255 (device interrupts, the timer, spurious). Each pushes its
 * vector and jumps to a common path that saves the registers C may clobber and calls
 * interrupt_dispatch(vector) in interrupts.c, which runs the AssemblyScript kernel's
 * kernelInterrupt to completion. Interrupt gates keep IF clear throughout, and interrupts are
 * enabled only in the idle loop and in user mode, so the kernel module is never re-entered. An
 * interrupt taken in user mode arrives on the entry stack (the TSS's RSP0) and leaves by
 * interrupt_from_user (user_entry.S) instead, which loads the kernel's CR3 first under page-table
 * isolation. Entry text (.text.entry): mapped in the user-mode page tables too. One taken in
 * kernel mode needs no CR3 switch: interrupts are enabled only in the idle wait, on the kernel's
 * page tables. */
    .intel_syntax noprefix
    .section .text.entry.1_interrupts, "ax", @progbits

interrupt_common:
    test byte ptr [rsp + 16], 3       /* the interrupted CS: from ring 3? */
    jnz interrupt_from_user           /* user_entry.S: the thread's state goes to its context */
    push rax
    push rcx
    push rdx
    push rsi
    push rdi
    push r8
    push r9
    push r10
    push r11
    push rbx
    mov rdi, [rsp + 10 * 8]           /* the vector the stub pushed */
    mov rbx, rsp
    and rsp, -16
    call interrupt_dispatch
    mov rsp, rbx
    pop rbx
    pop r11
    pop r10
    pop r9
    pop r8
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rax
    add rsp, 8                        /* the vector */
    iretq

    .balign 16
    .global interrupt_stubs_start
interrupt_stubs_start:
.set vector, 32
.rept 224
    .balign 16
    push vector
    jmp interrupt_common
.set vector, vector + 1
.endr

    .section .note.GNU-stack, "", @progbits
