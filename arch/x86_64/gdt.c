/* The kernel's GDT and TSS (see gdt.h). Intel SDM vol. 3: 3.4.5 (segment descriptors), 7.7
 * (64-bit TSS), 7.2.3 (TSS descriptor in 64-bit mode). Both are in the entry area (.bss.entry):
 * the CPU reads them on every entry from user mode, so the user-mode page tables map them under
 * page-table isolation. RSP0 is the entry stack, not the kernel stack, for the same reason. */
#include "gdt.h"
#include <stdint.h>

struct tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t io_map_base;
} __attribute__((packed));

extern char double_fault_stack_top[], nmi_stack_top[], page_fault_stack_top[], entry_stack_top[];

static struct tss tss __attribute__((aligned(16), section(".bss.entry.descriptors")));
static uint64_t gdt[7] __attribute__((aligned(16), section(".bss.entry.descriptors")));

void gdt_install(void) {
  tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)double_fault_stack_top;
  tss.ist[IST_NMI - 1] = (uint64_t)nmi_stack_top;
  tss.ist[IST_PAGE_FAULT - 1] = (uint64_t)page_fault_stack_top;
  tss.rsp[0] = (uint64_t)entry_stack_top;
  tss.io_map_base = sizeof tss;  /* no I/O permission bitmap: ring 3 gets no ports */

  gdt[0] = 0;
  gdt[1] = 0x00af9a000000ffffull;  /* 0x08 kernel code: 64-bit, DPL 0 */
  gdt[2] = 0x00cf92000000ffffull;  /* 0x10 kernel data */
  gdt[3] = 0x00cff2000000ffffull;  /* 0x18 user data: DPL 3 */
  gdt[4] = 0x00affa000000ffffull;  /* 0x20 user code: 64-bit, DPL 3 */
  uint64_t base = (uint64_t)&tss, limit = sizeof tss - 1;
  gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |  /* present, 64-bit TSS */
           (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
  gdt[6] = base >> 32;

  struct {
    uint16_t limit;
    uint64_t base;
  } __attribute__((packed)) pointer = {sizeof gdt - 1, (uint64_t)gdt};
  __asm__ volatile(
      "lgdt %0\n"
      "mov %1, %%ds\n mov %1, %%es\n mov %1, %%ss\n"
      "pushq %2\n lea 1f(%%rip), %%rax\n pushq %%rax\n lretq\n1:\n"
      "ltr %w3\n"
      :
      : "m"(pointer), "r"((uint64_t)SELECTOR_KERNEL_DATA), "i"(SELECTOR_KERNEL_CODE), "r"((uint64_t)SELECTOR_TSS)
      : "rax", "memory");
}
