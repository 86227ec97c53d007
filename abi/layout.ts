// The lower half of a native (AssemblyScript) program's address space, as its runtime sees it:
// ABI shared by the kernel's loader and userspace/rt. Mirrors arch/x86_64/layout.h (the ASCII map
// lives there), checked by tests/host/layout.test.ts. No imports.

/** Native code touching USER_TRAP_REPORT_BASE + code, in the never-mapped page 0, reports a
 * wasm trap or runtime failure to the kernel (kernel/syscall/fault.ts names the codes). */
export const USER_TRAP_REPORT_BASE: u64 = 0x100;
/** The program's ELF segments lie in [USER_IMAGE_START, USER_IMAGE_END). */
export const USER_IMAGE_START: u64 = 0x40_0000;
export const USER_IMAGE_END: u64 = 0x4000_0000;
/** The wasm linear memory starts here, inside a reservation of USER_LINEAR_RESERVED bytes. */
export const USER_LINEAR_BASE: u64 = 0x1_0000_0000;
export const USER_LINEAR_RESERVED: u64 = 0x2_0000_0000;
/** The first thread's ring, as a linear address; thread i's is i pages higher. */
export const USER_RING_LINEAR: u32 = 0x1000;
/** Where the heap's linear pages begin: after the threads' ring pages. */
export const USER_LINEAR_START: u32 = 0x1_0000;
/** Threads a Linux process can have at once, its first included (a native program's limit is
 * THREADS_MAXIMUM, abi/methods.ts). A Linux process has no heap in linear memory: its threads'
 * ring pages take linear pages 1..LINUX_THREADS_MAXIMUM, which its mmap avoids. */
export const LINUX_THREADS_MAXIMUM: u32 = 256;
/** Thread i's native stack top is USER_STACK_TOP - i * USER_STACK_SPACING; each USER_STACK_SIZE
 * bytes above an unmapped guard page. */
export const USER_STACK_SPACING: u64 = 0x2_0000;
export const USER_STACK_TOP: u64 = 0x7fff_0000_0000;
export const USER_STACK_SIZE: u64 = 0x1_0000;
/** The first non-canonical address: every user address lies below it. */
export const USER_HALF_END: u64 = 0x8000_0000_0000;
