/* The kernel's own GDT and TSS (replacing the boot GDT): ring-0 code and data, ring-3 data and
 * code in the order SYSRET needs, and a TSS whose interrupt stack table gives #DF, NMI and #PF
 * their own stacks (stacks.S). */
#ifndef CAPSID_GDT_H
#define CAPSID_GDT_H

#define SELECTOR_KERNEL_CODE 0x08
#define SELECTOR_KERNEL_DATA 0x10
#define SELECTOR_USER_DATA   0x1b   /* 0x18 | RPL 3 */
#define SELECTOR_USER_CODE   0x23   /* 0x20 | RPL 3 */
#define SELECTOR_TSS         0x28

/* Interrupt stack table slots (1-based, as the IDT's IST field wants them). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_PAGE_FAULT   3

#ifndef __ASSEMBLER__
void gdt_install(void);
#endif

#endif
