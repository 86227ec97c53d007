// cap_enter(min_complete, timeout_ns): consume the thread's submissions, then wait for
// completions. Each entry is copied out of the shared page first (the process may change it
// while the kernel reads), given a completion slot, decoded and invoked (cap/entry.ts). Rules
// for a ring the process broke (docs/abi/ring.md): a tail or head that is impossible makes
// cap_enter return -Malformed and consume nothing; when the completion queue has no free slot
// the remaining entries stay queued until the process reaps completions.

import { entryProcess } from "../cap/entry";
import { CAP_ENTER_NO_TIMEOUT, RING_CQ_ENTRIES, RING_SQE_SIZE } from "../cap/ring-layout";
import { KernelError } from "../error";
import { monotonicNanos } from "../time/clock";
import { CONTEXT_RAX, contextWrite } from "./context";
import { schedulerReady, schedulerRemove } from "./scheduler";
import { Thread, ThreadState } from "./thread";
import { timeoutAdd, timeoutCancelCapEnter, TimeoutKind } from "./timeouts";

const snapshot = memory.data(<i32>RING_SQE_SIZE, 16);

/** Runs cap_enter for `thread` (the current one). Leaves the result in its rax, or blocks it. */
export function capEnter(thread: Thread, minimum: u64, timeout: u64): void {
  const ring = thread.ring;
  let pending = ring.submissionsPending();
  let ready = ring.completionsReady();
  if (pending == u32.MAX_VALUE || ready == u32.MAX_VALUE) {
    contextWrite(<usize>thread.context, CONTEXT_RAX, <u64>-(<i64>KernelError.Malformed));
    return;
  }
  while (pending > 0 && ring.completionSlotsFree(ready) > 0) {
    memory.copy(snapshot, ring.submissionAtHead(), RING_SQE_SIZE);
    ring.sqHead++;
    pending--;
    ring.reserved++;
    entryProcess(thread, snapshot);
    if (thread.state == ThreadState.Ended) return;   // it killed its own process
    ready = ring.completionsReady();
  }
  ring.publishHead();
  if (minimum > <u64>RING_CQ_ENTRIES) {
    contextWrite(<usize>thread.context, CONTEXT_RAX, <u64>-(<i64>KernelError.InvalidArgument));
    return;
  }
  contextWrite(<usize>thread.context, CONTEXT_RAX, <u64>ready);
  if (<u64>ready >= minimum || timeout == 0) return;
  thread.state = ThreadState.Blocked;
  thread.waitMinimum = <u32>minimum;
  thread.waitDeadline = 0;
  schedulerRemove(thread);
  if (timeout != CAP_ENTER_NO_TIMEOUT) {
    const now = monotonicNanos();
    const deadline = timeout > u64.MAX_VALUE - now ? u64.MAX_VALUE : now + timeout;
    thread.waitDeadline = deadline;
    timeoutAdd(deadline, thread, TimeoutKind.CapEnter, 0);
  }
}

/** A completion was posted to `thread`'s ring: wakes it if it waits for that many. */
export function threadNotify(thread: Thread): void {
  if (thread.state != ThreadState.Blocked) return;
  const ready = thread.ring.completionsReady();
  if (ready == u32.MAX_VALUE || ready >= thread.waitMinimum) {
    if (thread.waitDeadline != 0) timeoutCancelCapEnter(thread);
    threadWakeFromCapEnter(thread);
  }
}

/** Ends a cap_enter wait: rax = completions ready now (or -Malformed if the head went bad). */
export function threadWakeFromCapEnter(thread: Thread): void {
  if (thread.state != ThreadState.Blocked) return;
  const ready = thread.ring.completionsReady();
  contextWrite(<usize>thread.context, CONTEXT_RAX, ready == u32.MAX_VALUE ? <u64>-(<i64>KernelError.Malformed) : <u64>ready);
  thread.waitDeadline = 0;
  schedulerReady(thread);
}
