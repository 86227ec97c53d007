// The user runtime's imports from the C side (userspace/rt/c/imports.c): the two system calls
// and the TSC. Everything else a program does goes through capabilities on its ring.

/** Processes submitted entries, then waits until `minComplete` completions are ready or
 * `timeoutNanos` passed (CAP_ENTER_NO_TIMEOUT: no limit). Returns completions ready, or
 * -Malformed when the ring's indexes are corrupt, -InvalidArgument when minComplete > 32. */
@external("capsid", "capEnter") export declare function capEnter(minComplete: u32, timeoutNanos: u64): i32;
/** Ends the whole process with `code`. */
@external("capsid", "exit") export declare function exit(code: i32): void;
/** The time-stamp counter. */
@external("capsid", "readTsc") export declare function readTsc(): u64;
