/* The capability ring's byte layout, as the C side of the user runtime needs it (the page is the
 * linear-memory page USER_RING_LINEAR). docs/abi/ring.md is the one description;
 * tests/host/ring-abi.test.ts checks this file, abi/ring.ts and the document
 * against each other. */
#ifndef CAPSID_USER_RING_H
#define CAPSID_USER_RING_H

#define RING_SQ_HEAD          0x000
#define RING_SQ_TAIL          0x004
#define RING_CQ_HEAD          0x008
#define RING_CQ_TAIL          0x00c
#define RING_SQ_ENTRIES       32
#define RING_CQ_ENTRIES       32
#define RING_GRANT_COUNT      0x044
#define RING_GRANTS           0x050
#define RING_GRANTS_MAXIMUM   32
#define RING_GRANT_SIZE       16
#define GRANT_HANDLE          0     /* u64 */
#define GRANT_INTERFACE       8     /* u32 */
#define RING_SQ_OFFSET        0x400
#define RING_CQ_OFFSET        0xc00
#define RING_SQE_SIZE         64
#define RING_CQE_SIZE         32

#define SQE_OPCODE            0     /* u8 */
#define SQE_METHOD            4     /* u32 */
#define SQE_USER_DATA         8     /* u64 */
#define SQE_HANDLE            16    /* u64: a handle is a u64, below 2^56 */
#define SQE_ARGUMENT0         24    /* u64 */
#define CQE_USER_DATA         0
#define CQE_RESULT            8

#define OPCODE_CALL           1
#define INTERFACE_MEMORY      3
#define MEMORY_METHOD_GROW    0
#define GROW_PAGES_MAXIMUM    64

/* The two system calls (rax): outside Linux's numbering, so the POSIX personality's can never collide. */
#define SYSCALL_CAP_ENTER     0x43500000
#define SYSCALL_EXIT          0x43500001
#define CAP_ENTER_NO_TIMEOUT  0xffffffffffffffffull

#endif
