/* Linker script for the kernel image (preprocessed by cpp with arch/x86_64/layout.h).
 * Produces a multiboot2 ELF: GRUB loads each PT_LOAD segment at its p_paddr and jumps to the
 * 32-bit boot_entry. The .boot segment runs at its physical address; everything else is linked
 * at KERNEL_VIRT_OFFSET + physical. The symbol table (.ksyms) comes last in the image so that
 * filling it in (the second link) moves no other symbol; the build checks this. The static
 * segment is NOLOAD: GRUB zeroes the AssemblyScript static data and shadow stack and keeps
 * modules and boot information out of them (the rest of the heap range: see layout.h).
 *
 * .text starts with the functions linker/hot-text.txt names (build/hot-text.ld, made from it):
 * those the IPC and ParkSpace round trips run. Under TCG a CR3 load flushes the whole software
 * TLB and jump cache, so every code page a round touches afterwards costs a refill; grouped,
 * they touch a few pages instead of one in every corner of the image. Every C file is compiled
 * with -ffunction-sections, so each function is a section .text.<name> the list can place.
 *
 * The entry area comes before both: the entry and exit trampolines (.text.entry.*, from the .S
 * files, sorted by name) on whole pages at the start of .text, and a page-aligned block of .bss
 * (.bss.entry.*: GDT, IDT, TSS, the entry variables, the entry stacks). Under page-table
 * isolation these pages are all of the kernel the user-mode page tables map, so nothing else may
 * share them (tests/host/entry-area.test.ts checks the symbols found there).
 */
#include "../arch/x86_64/layout.h"

OUTPUT_FORMAT("elf64-x86-64")
ENTRY(boot_entry)

PHDRS {
  boot   PT_LOAD FLAGS(7);
  text   PT_LOAD FLAGS(5);
  rodata PT_LOAD FLAGS(4);
  data   PT_LOAD FLAGS(6);
  ksyms  PT_LOAD FLAGS(4);
  heap   PT_LOAD FLAGS(6);
}

SECTIONS {
  . = KERNEL_PHYS_BASE;
  .boot : {
    KEEP(*(.multiboot2))
    *(.boot.text)
    *(.boot.data)
  } :boot
  /* Boot page tables and stack: zeroed by GRUB, not stored in the file. GRUB reads the kernel
   * from a CD through the BIOS (ATAPI PIO under QEMU), so every stored byte costs boot time. */
  .boot_bss (NOLOAD) : ALIGN(4096) {
    *(.boot.bss)
  } :boot

  . = ALIGN(4096) + KERNEL_VIRT_OFFSET;
  kernel_image_start = .;
  .text : AT(ADDR(.text) - KERNEL_VIRT_OFFSET) {
    kernel_text_start = .;
    kernel_entry_text_start = .;
    *(SORT_BY_NAME(.text.entry.*))
    . = ALIGN(4096);
    kernel_entry_text_end = .;
    INCLUDE hot-text.ld
    *(.text .text.*)
  } :text
  kernel_text_end = ALIGN(4096);   /* symbols, not padding: padding would be read from the CD */

  . = ALIGN(4096);
  .rodata : AT(ADDR(.rodata) - KERNEL_VIRT_OFFSET) {
    kernel_rodata_start = .;
    *(.rodata .rodata.*)
  } :rodata
  kernel_rodata_end = ALIGN(4096);

  . = ALIGN(4096);
  .data : AT(ADDR(.data) - KERNEL_VIRT_OFFSET) {
    kernel_data_start = .;
    *(.data .data.*)
  } :data
  .bss.entry : AT(ADDR(.bss.entry) - KERNEL_VIRT_OFFSET) ALIGN(4096) {
    kernel_entry_data_start = .;
    *(SORT_BY_NAME(.bss.entry.*))
    . = ALIGN(4096);
    kernel_entry_data_end = .;
  } :data
  .bss : AT(ADDR(.bss) - KERNEL_VIRT_OFFSET) {
    *(.bss .bss.* COMMON)
  } :data

  . = ALIGN(4096);
  kernel_symbols_start = .;
  .ksyms : AT(ADDR(.ksyms) - KERNEL_VIRT_OFFSET) {
    KEEP(*(.ksyms))
  } :ksyms
  . = ALIGN(4096);
  kernel_image_end = .;

  . = KERNEL_HEAP_START + KERNEL_VIRT_OFFSET;
  .kernel_static (NOLOAD) : AT(KERNEL_HEAP_START) {
    . += KERNEL_STATIC_RESERVE;
  } :heap

  /DISCARD/ : { *(.comment) *(.note*) *(.eh_frame*) }
}

ASSERT(kernel_image_end - KERNEL_VIRT_OFFSET <= KERNEL_IMAGE_LIMIT,
       "the kernel image has grown past KERNEL_IMAGE_LIMIT (firmware memory under OVMF): see layout.h")
