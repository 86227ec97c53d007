// The kernel side of one thread's capability ring (layout: abi/ring.ts, docs/abi/ring.md).
// The kernel keeps its own submission head and completion tail and republishes them; the
// process's tail and head are read once per cap_enter and checked, never trusted. A completion
// slot is reserved for every entry before it is decoded, so no operation ever finds the
// completion queue full when it completes (now or later, for operations that wait).

import {
  CQE_OPCODE, CQE_RESERVED, CQE_RESULT, CQE_USER_DATA, CQE_VALUE, RING_CQ_ENTRIES, RING_CQ_ENTRIES_FIELD, RING_CQ_HEAD,
  RING_CQ_OFFSET, RING_CQ_TAIL, RING_CQE_SIZE, RING_SQ_ENTRIES, RING_SQ_ENTRIES_FIELD, RING_SQ_HEAD, RING_SQ_TAIL,
} from "../../abi/ring";

export class Ring {
  /** Next submission the kernel reads (its own copy). */
  sqHead: u32 = 0;
  /** Next completion slot the kernel writes (its own copy). */
  cqTail: u32 = 0;
  /** Completion slots promised to entries not yet completed. */
  reserved: u32 = 0;

  /** `page`: the ring frame's physical address, zeroed. Writes the constant header fields. */
  constructor(readonly page: u64) {
    store<u32>(<usize>page + RING_SQ_ENTRIES_FIELD, RING_SQ_ENTRIES);
    store<u32>(<usize>page + RING_CQ_ENTRIES_FIELD, RING_CQ_ENTRIES);
  }

  /** Submissions pending, or u32.MAX_VALUE when the process's tail is impossible. */
  @inline submissionsPending(): u32 {
    const pending = load<u32>(<usize>this.page + RING_SQ_TAIL) - this.sqHead;
    return pending > RING_SQ_ENTRIES ? u32.MAX_VALUE : pending;
  }

  /** Completions the process has not consumed, or u32.MAX_VALUE when its head is impossible:
   * those plus the slots promised to pending operations can never exceed the queue (a head moved
   * back would otherwise free promised slots twice). */
  @inline completionsReady(): u32 {
    const ready = this.cqTail - load<u32>(<usize>this.page + RING_CQ_HEAD);
    return ready > RING_CQ_ENTRIES - this.reserved ? u32.MAX_VALUE : ready;
  }

  /** Completion slots neither filled and unconsumed nor reserved; `ready` from completionsReady. */
  @inline completionSlotsFree(ready: u32): u32 {
    return RING_CQ_ENTRIES - ready - this.reserved;
  }

  /** Fills a reserved slot: the entry with `userData` completed with `result` (and `value`). */
  complete(userData: u64, result: i64, value: u64, opcode: u32): void {
    const entry = <usize>this.page + RING_CQ_OFFSET + (this.cqTail % RING_CQ_ENTRIES) * RING_CQE_SIZE;
    store<u64>(entry + CQE_USER_DATA, userData);
    store<i64>(entry + CQE_RESULT, result);
    store<u64>(entry + CQE_VALUE, value);
    store<u32>(entry + CQE_OPCODE, opcode);
    store<u32>(entry + CQE_RESERVED, 0);
    this.cqTail++;
    this.reserved--;
    store<u32>(<usize>this.page + RING_CQ_TAIL, this.cqTail);
  }

  /** Publishes the kernel's submission head. */
  @inline publishHead(): void {
    store<u32>(<usize>this.page + RING_SQ_HEAD, this.sqHead);
  }
}
