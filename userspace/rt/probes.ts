// Isolation probes for test programs (userspace/rt/c/probes.c): native accesses and privileged
// instructions a process may try and must not get away with. Not part of the runtime's index:
// only programs that test isolation import this file.

/** Reads 8 bytes at any virtual address. */
@external("probe", "read64") export declare function probeRead64(address: u64): u64;
/** Writes 8 bytes at any virtual address. */
@external("probe", "write64") export declare function probeWrite64(address: u64, value: u64): void;
/** Runs a privileged instruction: PROBE_CLI, PROBE_IN, PROBE_INT, PROBE_HLT. */
@external("probe", "privileged") export declare function probePrivileged(kind: u32): void;

export const PROBE_CLI: u32 = 0;
export const PROBE_IN: u32 = 1;
export const PROBE_INT: u32 = 2;
export const PROBE_HLT: u32 = 3;
