// The capability ring's byte layout and opcodes (docs/DESIGN.md #7): one 4 KiB page per thread,
// shared by the kernel (kernel/cap/ring.ts) and the process (userspace/rt/ring.ts imports this
// file). docs/abi/ring.md is the description; tests/host/ring-abi.test.ts checks this file
// against it. Handles are u64 (HANDLE_SLOT_BITS below).
//
//   0x000 +---------------------------------------+
//         | header: sqHead sqTail cqHead cqTail   |  sqHead, cqTail written by the kernel only;
//         |         sqEntries cqEntries ...       |  sqTail, cqHead by the process only
//   0x040 | startup: processId grantCount         |  written once by the kernel at spawn
//         |          argument testRingPhysical    |
//   0x050 |          grants[32] {handle, iface}   |  16 bytes each
//   0x400 +---------------------------------------+
//         | submission queue: 32 x 64-byte SQE    |
//   0xc00 +---------------------------------------+
//         | completion queue: 32 x 32-byte CQE    |
//  0x1000 +---------------------------------------+

export const RING_SIZE: u32 = 0x1000;
export const RING_SQ_HEAD: u32 = 0x000;
export const RING_SQ_TAIL: u32 = 0x004;
export const RING_CQ_HEAD: u32 = 0x008;
export const RING_CQ_TAIL: u32 = 0x00c;
export const RING_SQ_ENTRIES_FIELD: u32 = 0x010;
export const RING_CQ_ENTRIES_FIELD: u32 = 0x014;
export const RING_PROCESS_ID: u32 = 0x040;
export const RING_GRANT_COUNT: u32 = 0x044;
export const RING_ARGUMENT: u32 = 0x048;        // u32 the spawner passed (spawn's arg3 >> 32)
export const RING_TEST_RING_PHYSICAL: u32 = 0x04c; // u32, test runs only: this ring's frame
export const RING_GRANTS: u32 = 0x050;
export const RING_GRANTS_MAXIMUM: u32 = 32;
export const RING_GRANT_SIZE: u32 = 16;
export const GRANT_HANDLE: u32 = 0;     // u64
export const GRANT_INTERFACE: u32 = 8;  // u32
export const GRANT_RESERVED: u32 = 12;  // u32, 0
/** The start text: u32 length at RING_TEXT_LENGTH, then that many bytes at RING_TEXT (at most
 * RING_TEXT_MAXIMUM): for the process the kernel starts, the command line's args= value. */
export const RING_TEXT_LENGTH: u32 = 0x250;
export const RING_TEXT: u32 = 0x260;
export const RING_TEXT_MAXIMUM: u32 = 256;
export const RING_SQ_OFFSET: u32 = 0x400;
export const RING_CQ_OFFSET: u32 = 0xc00;
export const RING_SQ_ENTRIES: u32 = 32;
export const RING_CQ_ENTRIES: u32 = 32;
export const RING_SQE_SIZE: u32 = 64;
export const RING_CQE_SIZE: u32 = 32;

// Submission queue entry, 64 bytes.
export const SQE_OPCODE: u32 = 0;       // u8
export const SQE_FLAGS: u32 = 1;        // u8, must be 0
export const SQE_RESERVED0: u32 = 2;    // u16, must be 0
export const SQE_METHOD: u32 = 4;       // u32
export const SQE_USER_DATA: u32 = 8;    // u64, copied to the completion
export const SQE_HANDLE: u32 = 16;      // u64
export const SQE_ARGUMENT0: u32 = 24;   // u64
export const SQE_ARGUMENT1: u32 = 32;   // u64
export const SQE_ARGUMENT2: u32 = 40;   // u64
export const SQE_ARGUMENT3: u32 = 48;   // u64
export const SQE_RESERVED1: u32 = 56;   // u64, must be 0

/** A handle is a u64: (generation << HANDLE_SLOT_BITS) | slot, with a 32-bit generation that
 * starts at 1, so every handle is below 2^56 (positive as an i64 result) and 0 is never one. */
export const HANDLE_SLOT_BITS: u32 = 24;
export const HANDLE_BITS: u32 = 56;

// Completion queue entry, 32 bytes.
export const CQE_USER_DATA: u32 = 0;    // u64
export const CQE_RESULT: u32 = 8;       // i64: >= 0 success, -KernelError on failure
export const CQE_VALUE: u32 = 16;       // u64: a second result where the method has one
export const CQE_OPCODE: u32 = 24;      // u32: the entry's opcode
export const CQE_RESERVED: u32 = 28;    // u32, 0

export enum Opcode {
  Nop = 0,
  Call = 1,
  Recv = 2,
  Return = 3,
  Release = 4,
}

/** The two system calls (rax). Outside Linux's numbering, so the POSIX personality's numbers
 * can never collide with them. */
export const SYSCALL_CAP_ENTER: u64 = 0x4350_0000;
export const SYSCALL_EXIT: u64 = 0x4350_0001;
/** cap_enter's timeout meaning "wait as long as it takes". */
export const CAP_ENTER_NO_TIMEOUT: u64 = 0xffff_ffff_ffff_ffff;
