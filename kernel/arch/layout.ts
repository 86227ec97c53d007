// The machine layout as the AssemblyScript kernel sees it: mirrors arch/x86_64/layout.h (the
// ASCII maps live there), checked by tests/host/layout.test.ts.

/** Physical address GRUB loads the kernel image at (the boot segment first). */
export const KERNEL_PHYS_BASE: u32 = 0x0010_0000;
/** First byte of the AssemblyScript static data and heap (asc --memoryBase). */
export const KERNEL_HEAP_START: u32 = 0x0100_0000;
/** End of the heap range on the smallest machine; the real end, sized from RAM at boot
 * (arch/x86_64/memory_plan.h), is memory.size() << 16. */
export const KERNEL_HEAP_END: u32 = 0x0180_0000;
/** The direct map: physical memory below DIRECT_MAP_LIMIT as the kernel's linear memory. */
export const DIRECT_MAP_BASE: u64 = 0xffff_8000_0000_0000;
export const DIRECT_MAP_LIMIT: u64 = 0x1_0000_0000;
/** Device registers, mapped uncached on demand (kernel/memory/mmio.ts). */
export const MMIO_WINDOW_BASE: u64 = 0xffff_c000_0000_0000;
export const MMIO_WINDOW_SIZE: u64 = 0x40_0000_0000;
/** isa-debug-exit codes the kernel writes (QEMU exits with code * 2 + 1). */
export const DEBUG_EXIT_PASS: u32 = 0x10;
export const DEBUG_EXIT_FAIL: u32 = 0x11;
export const DEBUG_EXIT_PANIC: u32 = 0x12;
