// The platform contract: every wasm import through which the kernel touches the machine, one
// line of doc each. Implemented in C in arch/x86_64/hw.c (same order); wasm2c turns each into a
// prototype that hw.c must match, so the two files cannot drift apart silently. Keep it short.
// Addresses are kernel linear-memory addresses, which are physical addresses (docs/DESIGN.md #3).

/** Writes `length` bytes at `address` to COM1, polling; "\n" becomes CR LF. */
@external("hw", "serialWrite") export declare function serialWrite(address: usize, length: usize): void;
/** Writes one byte to an I/O port. */
@external("hw", "portOut8") export declare function portOut8(port: u16, value: u8): void;
/** Writes a 32-bit I/O port. */
@external("hw", "portOut32") export declare function portOut32(port: u16, value: u32): void;
/** Reads a 32-bit I/O port. */
@external("hw", "portIn32") export declare function portIn32(port: u16): u32;
/** Reads an 8-bit I/O port. */
@external("hw", "portIn8") export declare function portIn8(port: u16): u8;
/** Nanoseconds since the C entry point, from the boot stopwatch (PIT channel 2, then TSC). */
@external("hw", "bootClockNanos") export declare function bootClockNanos(): u64;
/** Non-zero: later panics (faults, traps, aborts) end QEMU through isa-debug-exit. */
@external("hw", "panicExitArm") export declare function panicExitArm(enabled: u32): void;
/** Ends the run through isa-debug-exit with `code`; halts if there is no such device. */
@external("hw", "debugExit") export declare function debugExit(code: u32): void;
/** Reports "capsid: panic: " + the `length` bytes at `address`, then takes the panic path. */
@external("hw", "panic") export declare function panic(address: usize, length: usize): void;
/** CPUID leaf/subleaf: writes EAX, EBX, ECX, EDX as four u32 at `output`. */
@external("hw", "cpuid") export declare function cpuid(leaf: u32, subleaf: u32, output: usize): void;
/** Reads a model-specific register. */
@external("hw", "readMsr") export declare function readMsr(msr: u32): u64;
/** Writes a model-specific register. */
@external("hw", "writeMsr") export declare function writeMsr(msr: u32, value: u64): void;
/** Reads CR0, CR2, CR3 or CR4 (`number`); any other number panics. */
@external("hw", "readControlRegister") export declare function readControlRegister(number: u32): u64;
/** Writes CR0, CR3 or CR4; any other number panics. CR3 takes a physical address. */
@external("hw", "writeControlRegister") export declare function writeControlRegister(number: u32, value: u64): void;
/** Invalidates the TLB entry for one virtual address. */
@external("hw", "invalidatePage") export declare function invalidatePage(virtual: u64): void;
/** Interrupts CPU `cpu` (its index among the CPUs' switch states) so that it runs its part of a
 * TLB shootdown (vm/user-half.ts, userHalfShootdownReceive), and returns once it has. Only the
 * bootstrap CPU runs user code today, so the machine never needs one: a call panics there. */
@external("hw", "shootdownSignal") export declare function shootdownSignal(cpu: u32): void;
/** Reads a 32-bit device register at a virtual address in the MMIO window (volatile). */
@external("hw", "mmioRead32") export declare function mmioRead32(virtual: u64): u32;
/** Writes a 32-bit device register at a virtual address in the MMIO window (volatile). */
@external("hw", "mmioWrite32") export declare function mmioWrite32(virtual: u64, value: u32): void;
/** 16- and 8-bit device registers, read and written at their own width (virtio's common
 * configuration has such fields). */
@external("hw", "mmioRead16") export declare function mmioRead16(virtual: u64): u32;
@external("hw", "mmioWrite16") export declare function mmioWrite16(virtual: u64, value: u32): void;
@external("hw", "mmioRead8") export declare function mmioRead8(virtual: u64): u32;
@external("hw", "mmioWrite8") export declare function mmioWrite8(virtual: u64, value: u32): void;
/** A full memory barrier: stores to memory a device reads are done before what follows. */
@external("hw", "memoryBarrier") export declare function memoryBarrier(): void;
/** Copies `length` bytes of linear memory at `source` to device memory at `virtual` in the MMIO
 * window (a framebuffer's rows: one call for many pixels, never one per pixel). */
@external("hw", "mmioCopy") export declare function mmioCopy(virtual: u64, source: usize, length: usize): void;
/** The time-stamp counter (RDTSC). */
@external("hw", "readTsc") export declare function readTsc(): u64;
/** Writes the kernel image layout (KernelImageLayout, kernel/memory/kernel-image.ts) at `output`. */
@external("hw", "kernelImageLayout") export declare function kernelImageLayout(output: usize): void;
/** Page-table isolation: the CR3 every way into the kernel loads (`kernel`), the one the next way
 * out to user mode loads (`user`), and the one later ways out load (`userAfter`); `user` 0 turns
 * isolation off (the ways in and out leave CR3 alone). Returns what the next way out would have
 * loaded before this call (`user` of the last call if no way out came since, else its
 * `userAfter`). */
@external("hw", "userModeCr3Set") export declare function userModeCr3Set(kernel: u64, user: u64, userAfter: u64): u64;
/** Forgets a user thread's context frame before it is freed (C may hold its SSE state or point
 * at it as the current context). */
@external("hw", "contextForget") export declare function contextForget(context: u64): void;
/** Writes the SSE state of the thread whose context frame is `context` into its frame, when the
 * registers hold it (the state is switched lazily): before the frame is copied (fork). */
@external("hw", "contextSaveFpu") export declare function contextSaveFpu(context: u64): void;
/** Test-only: the kernel itself reads (kind 0) or executes (kind 1) at a user virtual address
 * in the loaded address space. With SMAP / SMEP on, this must page-fault (a panic report). */
@external("hw", "kernelTouchUser") export declare function kernelTouchUser(virtual: u64, kind: u32): u64;
/** RDRAND (instruction 0) or RDSEED (1): writes a u64 at `output` and returns 1 when the CPU had
 * one to give (CF set), else 0. Only when CPUID says the instruction exists. */
@external("hw", "hardwareRandom") export declare function hardwareRandom(instruction: u32, output: usize): u32;
/** Bytes of live AssemblyScript objects the collector accounts (its `total`; after __collect(),
 * what is reachable). For leak checks. */
@external("hw", "kernelHeapBytes") export declare function kernelHeapBytes(): u32;
