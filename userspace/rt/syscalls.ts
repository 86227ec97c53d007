// The user runtime's imports from the C side (userspace/rt/c/imports.c): the two system calls,
// the TSC and atomics (wasm2c 1.0.32 rejects wasm's own). Everything else a program does goes
// through capabilities on its ring.

/** Processes submitted entries, then waits until `minComplete` completions are ready or
 * `timeoutNanos` passed (CAP_ENTER_NO_TIMEOUT: no limit). Returns completions ready, or
 * -Malformed when the ring's indexes are corrupt, -InvalidArgument when minComplete > 32. */
@external("capsid", "capEnter") export declare function capEnter(minComplete: u32, timeoutNanos: u64): i32;
/** Ends the whole process with `code`. */
@external("capsid", "exit") export declare function exit(code: i32): void;
/** The time-stamp counter. */
@external("capsid", "readTsc") export declare function readTsc(): u64;
/** Atomic (sequentially consistent) operations on a 4-byte-aligned u32 of linear memory; an
 * unaligned address is a trap. compareExchange returns the value found (== expected: swapped). */
@external("capsid", "atomicLoad32") export declare function atomicLoad32(address: usize): u32;
@external("capsid", "atomicStore32") export declare function atomicStore32(address: usize, value: u32): void;
@external("capsid", "atomicAdd32") export declare function atomicAdd32(address: usize, value: u32): u32;
@external("capsid", "atomicCompareExchange32") export declare function atomicCompareExchange32(address: usize, expected: u32, replacement: u32): u32;
