/* The machine layout: physical placement of the kernel image and the AssemblyScript heap, and
 * the virtual memory map. Included by the boot stub, the C glue and the linker script (all
 * preprocessed by cpp); kernel/arch/layout.ts mirrors the values the AssemblyScript kernel needs, and
 * a host test (tests/host/layout.test.ts) checks that the two agree.
 *
 * Physical memory (what GRUB loads, what the kernel reserves):
 *
 *   0x0000_0000 +---------------------------+  page 0: never mapped (an AssemblyScript null)
 *               | low memory, BIOS areas    |  mapped only where the memory map says RAM/ACPI
 *   0x0010_0000 +---------------------------+  KERNEL_PHYS_BASE
 *               | .boot (32-bit entry,      |  identity-addressed; boot page tables, boot GDT
 *               |  multiboot2 header)       |
 *               | .text .rodata .data .bss  |  linked at KERNEL_VIRT_OFFSET + physical
 *               | .ksyms (symbol table)     |  read by panic reports
 *   0x0080_0000 +---------------------------+  KERNEL_IMAGE_LIMIT: OVMF keeps ACPI NVS and its
 *               | firmware (OVMF) or free   |  work areas in 8-9 MiB on QEMU; the image must
 *               |                           |  end below it
 *   0x0100_0000 +---------------------------+  KERNEL_HEAP_START (= asc --memoryBase)
 *               | AssemblyScript static     |  a NOLOAD PT_LOAD segment of KERNEL_STATIC_RESERVE
 *               | data, shadow stack        |  bytes: GRUB zeroes it (wasm needs zeroed memory)
 *   0x0104_0000 +---------------------------+  and places nothing there
 *               | AssemblyScript heap       |  not loaded (zeroing it cost 12 ms of boot): the
 *               | (TLSF)                    |  kernel moves boot information out of it at entry
 *   0x0180_0000 +- - - - - - - - - - - - - -+  KERNEL_HEAP_END: the heap's end on the smallest
 *               | (heap, on larger machines)|  machine; the real end (= wasm memory.size() << 16)
 *               |                           |  is a 16th of RAM, 8-256 MiB (memory_plan.h)
 *               +---------------------------+
 *               | free RAM (frame allocator)|
 *               +---------------------------+  top of RAM below 4 GiB (= wasm memory `size`)
 *
 * Virtual memory (one PML4, kernel half shared by every address space later):
 *
 *   0x0000_0000_0000_0000  identity map of the first 4 GiB: boot only, removed before the
 *                          kernel module is instantiated
 * A process's lower half (its own PML4; the kernel half above is shared by every process):
 *
 *   0x0000_0000_0000_0000  unmapped; native code touching USER_TRAP_REPORT_BASE + trap is how the
 *                          user runtime reports a wasm trap (the kernel names it, ends the process)
 *   0x0000_0000_0040_0000  USER_IMAGE_START: the program's ELF segments (up to USER_IMAGE_END),
 *                          text read-only, data no-execute
 *   0x0000_0001_0000_0000  USER_LINEAR_BASE: the program's wasm linear memory; linear page 0
 *                          unmapped (null), pages 1-15 the threads' capability rings
 *                          (USER_RING_LINEAR), then from USER_LINEAR_START pages granted by the
 *                          Memory capability; USER_LINEAR_RESERVED bytes are
 *                          kept free of any other mapping, so every u32 address + u32 offset that
 *                          is not granted memory faults
 *   0x0000_7fff_0000_0000  USER_STACK_TOP: the first thread's native stack (USER_STACK_SIZE)
 *                          grows down; thread i's starts USER_STACK_SPACING * i lower; the
 *                          pages between stacks are never mapped (guards)
 *
 *   0xffff_8000_0000_0000  DIRECT_MAP_BASE: physical memory, RAM and ACPI ranges only, page 0
 *                          unmapped; the kernel module's linear memory (wasm address ==
 *                          physical address). DIRECT_MAP_RESERVED bytes are kept free of any
 *                          other mapping so that every wasm address + offset (< 8 GiB) that
 *                          is not RAM faults.
 *   0xffff_c000_0000_0000  MMIO_WINDOW_BASE: device registers, mapped uncached on demand by
 *                          kernel/memory/mmio.ts (any 64-bit physical address)
 *   0xffff_ffff_8000_0000  KERNEL_VIRT_OFFSET: the kernel image (-mcmodel=kernel), 4 KiB pages:
 *                          text read-only, rodata and data no-execute, stack guard pages unmapped.
 *                          Its entry area (the first pages of .text: the entry and exit
 *                          trampolines; a page-aligned block of .bss: GDT, IDT, TSS, the entry
 *                          variables and the entry stacks) is all of the kernel that the
 *                          user-mode page tables map under page-table isolation
 *                          (docs/ARCHITECTURE.md, "Switching address spaces")
 */
#ifndef CAPSID_LAYOUT_H
#define CAPSID_LAYOUT_H

#define KERNEL_PHYS_BASE     0x00100000
#define KERNEL_VIRT_OFFSET   0xffffffff80000000
#define KERNEL_IMAGE_LIMIT   0x00800000
#define KERNEL_HEAP_START    0x01000000
#define KERNEL_HEAP_END      0x01800000 /* the smallest heap's end: memory_plan_heap_end decides */
#define KERNEL_STATIC_RESERVE 0x00080000 /* static data; checked at boot */
#define DIRECT_MAP_BASE      0xffff800000000000
#define DIRECT_MAP_RESERVED  0x0000000200000000 /* 8 GiB: u32 address + u32 offset */
#define DIRECT_MAP_LIMIT     0x0000000100000000 /* physical memory is mapped below 4 GiB only */
#define MMIO_WINDOW_BASE     0xffffc00000000000
#define MMIO_WINDOW_SIZE     0x0000004000000000 /* 256 GiB of virtual space */

#define USER_TRAP_REPORT_BASE 0x0000000000000100 /* + wasm_rt_trap_t, in the never-mapped page 0 */
#define USER_IMAGE_START     0x0000000000400000
#define USER_IMAGE_END       0x0000000040000000
#define USER_LINEAR_BASE     0x0000000100000000
#define USER_LINEAR_RESERVED 0x0000000200000000 /* 8 GiB: u32 address + u32 offset */
#define USER_RING_LINEAR     0x00001000         /* the first thread's ring; thread i's is at + i pages */
#define USER_LINEAR_START    0x00010000         /* where the heap's pages begin: after 15 ring pages */
#define LINUX_THREADS_MAXIMUM 256               /* a Linux process's threads; their rings take linear pages 1..256 */
#define USER_STACK_SPACING   0x00020000         /* thread i's stack top is USER_STACK_TOP - i * this */
#define USER_STACK_TOP       0x00007fff00000000
#define USER_STACK_SIZE      0x00010000         /* 64 KiB */
#define USER_HALF_END        0x0000800000000000 /* first non-canonical address */

#define KERNEL_STACK_SIZE    0x10000  /* 64 KiB for C and the wasm2c kernel (stacks.S) */
#define IST_STACK_SIZE       0x4000   /* #DF, NMI and #PF each run on their own stack */
#define ENTRY_STACK_SIZE     0x1000   /* the TSS's RSP0: the CPU's frame on entry from user mode */

/* isa-debug-exit (QEMU -device isa-debug-exit,iobase=0xf4,iosize=0x04): QEMU exits with
 * (code << 1) | 1. The kernel writes only when the command line selected a test run. */
#define DEBUG_EXIT_PORT      0xf4
#define DEBUG_EXIT_PASS      0x10     /* QEMU exit status 33 */
#define DEBUG_EXIT_FAIL      0x11     /* QEMU exit status 35 */
#define DEBUG_EXIT_PANIC     0x12     /* QEMU exit status 37 */

#define COM1_PORT            0x3f8

#endif
