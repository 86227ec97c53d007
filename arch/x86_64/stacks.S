/* Kernel stacks, each above a guard page. The guard pages are ordinary .bss pages here; the
 * kernel's own page tables (kernel/memory/kernel-space.ts) leave them unmapped, so running off
 * the bottom of a stack is a page fault on the guard, reported as stack exhaustion. IST stacks
 * (the TSS's interrupt stack table, gdt.c) take #DF, NMI and #PF: a #PF caused by the kernel
 * stack's own guard page must not need that stack. Addresses are exported for C and the
 * AssemblyScript kernel (hw.kernelImageLayout). */
#include "layout.h"

    .section .bss.stacks, "aw", @nobits
    .balign 4096
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
    STACK kernel_stack, KERNEL_STACK_SIZE
    STACK double_fault_stack, IST_STACK_SIZE
    STACK nmi_stack, IST_STACK_SIZE
    STACK page_fault_stack, IST_STACK_SIZE

    .section .note.GNU-stack, "", @progbits
