// cap_enter(min_complete, timeout_ns): consume the thread's submissions, then wait for
// completions. Each entry is copied out of the shared page first (the process may change it
// while the kernel reads), given a completion slot, and handed to the one dispatch
// (cap/dispatch.ts) as a Request. Rules for a ring the process broke (docs/abi/ring.md): a tail
// or head that is impossible makes cap_enter return -Malformed and consume nothing; when the
// completion queue has no free slot the remaining entries stay queued until the process reaps
// completions.

import { dispatch } from "../cap/dispatch";
import { REQUEST_ENTRY } from "../cap/request";
import {
  CAP_ENTER_NO_TIMEOUT, CQE_OPCODE, CQE_RESULT, CQE_USER_DATA, CQE_VALUE, Opcode, RING_CQ_ENTRIES, RING_CQ_OFFSET, RING_CQ_TAIL,
  RING_CQE_SIZE, RING_SQ_ENTRIES, RING_SQ_OFFSET, RING_SQE_SIZE, SQE_OPCODE, SQE_RESERVED0, SQE_RESERVED1, SQE_USER_DATA,
} from "../../abi/ring";
import { KernelError } from "../../abi/errors";
import { CONTEXT_RAX, contextWrite } from "../arch/context";
import { threadBlock } from "../sched/blocking";
import { Thread, ThreadState } from "../sched/thread";


/** Copies one SQE into the snapshot with eight word moves: memory.copy becomes `rep movs`,
 * which TCG runs an iteration at a time (docs/PERFORMANCE.md, "Ring and round trips"). */
@inline function snapshotEntry(snapshot: usize, entry: usize): void {
  store<u64>(snapshot, load<u64>(entry), 0);
  store<u64>(snapshot, load<u64>(entry, 8), 8);
  store<u64>(snapshot, load<u64>(entry, 16), 16);
  store<u64>(snapshot, load<u64>(entry, 24), 24);
  store<u64>(snapshot, load<u64>(entry, 32), 32);
  store<u64>(snapshot, load<u64>(entry, 40), 40);
  store<u64>(snapshot, load<u64>(entry, 48), 48);
  store<u64>(snapshot, load<u64>(entry, 56), 56);
}

/** Runs cap_enter for `thread` (the current one). Leaves the result in its rax, or blocks it. */
export function capEnter(thread: Thread, minimum: u64, timeout: u64): void {
  if (minimum > <u64>RING_CQ_ENTRIES) {
    contextWrite(<usize>thread.context, CONTEXT_RAX, <u64>-(<i64>KernelError.InvalidArgument));
    return;
  }
  const ring = thread.ring;
  let pending = ring.submissionsPending();
  let ready = ring.completionsReady();
  if (pending == u32.MAX_VALUE || ready == u32.MAX_VALUE) {
    contextWrite(<usize>thread.context, CONTEXT_RAX, <u64>-(<i64>KernelError.Malformed));
    return;
  }
  // The loop keeps the ring's indexes in locals and completes a well-formed NOP in place: the
  // per-entry cost of the ring itself is what a NOP measures (make bench). Any other entry
  // goes through dispatch with the indexes written back first.
  const page = <usize>ring.page;
  let sqHead = ring.sqHead, cqTail = ring.cqTail;
  let free = ring.completionSlotsFree(ready);
  while (pending > 0 && free > 0) {
    snapshotEntry(REQUEST_ENTRY, page + RING_SQ_OFFSET + (sqHead % RING_SQ_ENTRIES) * RING_SQE_SIZE);
    sqHead++;
    pending--;
    if (load<u16>(REQUEST_ENTRY, SQE_OPCODE) == <u16>Opcode.Nop && load<u16>(REQUEST_ENTRY, SQE_RESERVED0) == 0
        && load<u64>(REQUEST_ENTRY, SQE_RESERVED1) == 0) {   // opcode and flags share the first u16
      const completion = page + RING_CQ_OFFSET + (cqTail % RING_CQ_ENTRIES) * RING_CQE_SIZE;
      store<u64>(completion, load<u64>(REQUEST_ENTRY, SQE_USER_DATA), CQE_USER_DATA);
      store<u64>(completion, 0, CQE_RESULT);
      store<u64>(completion, 0, CQE_VALUE);
      store<u64>(completion, 0, CQE_OPCODE);   // opcode NOP and the reserved word
      cqTail++;
      free--;
      continue;
    }
    ring.sqHead = sqHead;
    ring.cqTail = cqTail;
    ring.reserved++;
    dispatch(thread.request);
    if (thread.state == ThreadState.Ended) return;   // it killed its own process
    sqHead = ring.sqHead;
    cqTail = ring.cqTail;
    ready = ring.completionsReady();
    free = ready == u32.MAX_VALUE ? 0 : ring.completionSlotsFree(ready);
  }
  ring.sqHead = sqHead;
  ring.cqTail = cqTail;
  store<u32>(page + RING_CQ_TAIL, cqTail);
  ready = ring.completionsReady();
  ring.publishHead();
  if (ready == u32.MAX_VALUE) {   // the head went bad mid-batch (the process cannot run meanwhile, but be exact)
    contextWrite(<usize>thread.context, CONTEXT_RAX, <u64>-(<i64>KernelError.Malformed));
    return;
  }
  contextWrite(<usize>thread.context, CONTEXT_RAX, <u64>ready);
  if (<u64>ready >= minimum || timeout == 0) return;
  threadBlock(thread, <u32>minimum, timeout);
}
