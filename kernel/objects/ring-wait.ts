// A wait that completes one ring entry of its thread (objects/): a UDP receive; a TCP send,
// receive, wait or accept. It keeps the entry's user data, completes it and wakes the thread, and
// ends the two ways every such wait may end besides: its deadline passes (TimedOut) or its thread
// ends first (nothing completes). A subclass says how it leaves its object's chain and how it
// goes back to its pool.

import { KernelError } from "../../abi/errors";
import { Opcode } from "../../abi/ring";
import { threadNotify } from "../sched/blocking";
import { Thread } from "../sched/thread";
import { Wait } from "../sched/wait";

export abstract class RingWait extends Wait {
  userData: u64 = 0;

  /** Takes the wait off its object's chain (it may be in none). */
  protected abstract unlink(): void;

  /** Clears the subclass's fields and gives the record back to its pool. */
  protected abstract recycle(): void;

  /** The timeout passed: off the chain, TimedOut. */
  expire(): void {
    this.unlink();
    this.finish(-(<i64>KernelError.TimedOut), 0);
  }

  /** The thread ended: off the chain, nothing completes. */
  cancel(): void {
    this.unlink();
    this.recycle();
  }

  /** Completes the entry with `result` and `value` (the wait is off its chain already) and wakes
   * its thread. */
  finish(result: i64, value: u64): void {
    const thread: Thread = this.waiter!;
    this.end();
    thread.ring.complete(this.userData, result, value, Opcode.Call);
    threadNotify(thread);
    this.recycle();
  }
}
