/* Kernel stacks, each above a guard page. The guard pages are ordinary .bss pages here; the
 * kernel's own page tables (kernel/memory/kernel-space.ts) leave them unmapped, so running off
 * the bottom of a stack is a page fault on the guard, reported as stack exhaustion. The kernel
 * stack is where every entry from user mode runs the kernel. The entry stacks are where the CPU
 * itself switches when it enters the kernel: the entry stack (the TSS's RSP0: interrupts and
 * exceptions from user mode, which move to the kernel stack at once) and the interrupt stack
 * table's (gdt.c) for #DF, NMI and #PF (a #PF caused by the kernel stack's own guard page must not
 * need that stack). The entry stacks are in the entry area (.bss.entry), which stays mapped
 * while user code runs under page-table isolation. Addresses are exported for C and the
 * AssemblyScript kernel (hw.kernelImageLayout). */
#include "layout.h"

.macro STACK name, size
    .global \name\()_guard
\name\()_guard:
    .skip 4096
    .global \name\()_bottom
\name\()_bottom:
    .skip \size
    .global \name\()_top
\name\()_top:
.endm

    .section .bss.stacks, "aw", @nobits
    .balign 4096
    STACK kernel_stack, KERNEL_STACK_SIZE

    .section .bss.entry.stacks, "aw", @nobits
    .balign 4096
    STACK entry_stack, ENTRY_STACK_SIZE
    STACK double_fault_stack, IST_STACK_SIZE
    STACK nmi_stack, IST_STACK_SIZE
    STACK page_fault_stack, IST_STACK_SIZE

    .section .note.GNU-stack, "", @progbits
