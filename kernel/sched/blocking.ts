// A thread blocked in cap_enter, and what wakes it: a completion posted to its ring once as many
// are ready as it asked for (threadNotify, called by whoever posts one), or its timeout (a timer
// the thread owns). Waking writes cap_enter's result into its saved rax.

import { KernelError } from "../../abi/errors";
import { CAP_ENTER_NO_TIMEOUT } from "../../abi/ring";
import { CONTEXT_RAX, contextWrite } from "../arch/context";
import { monotonicNanos } from "../time/clock";
import { Timer, timerStart, timerStop } from "../time/timers";
import { schedulerReady, schedulerRemove } from "./scheduler";
import { Thread, ThreadState } from "./thread";

/** The deadline of a cap_enter with a timeout. */
export class CapEnterTimeout extends Timer {
  constructor(readonly thread: Thread) { super(); }

  expire(): void {
    threadWake(this.thread);
  }
}

/** Blocks `thread` (the current one, in cap_enter) until `minimum` completions are ready or
 * `timeout` nanoseconds pass (CAP_ENTER_NO_TIMEOUT: no limit). */
export function threadBlock(thread: Thread, minimum: u32, timeout: u64): void {
  thread.state = ThreadState.Blocked;
  thread.waitMinimum = minimum;
  schedulerRemove(thread);
  if (timeout == CAP_ENTER_NO_TIMEOUT) return;
  const now = monotonicNanos();
  timerStart(thread.timeout, timeout > u64.MAX_VALUE - now ? u64.MAX_VALUE : now + timeout);
}

/** A completion was posted to `thread`'s ring: wakes it if it waits for that many. */
export function threadNotify(thread: Thread): void {
  if (thread.state != ThreadState.Blocked) return;
  const ready = thread.ring.completionsReady();
  if (ready == u32.MAX_VALUE || ready >= thread.waitMinimum) threadWake(thread);
}

/** Ends a cap_enter wait: rax = completions ready now (or -Malformed if the head went bad). */
export function threadWake(thread: Thread): void {
  if (thread.state != ThreadState.Blocked) return;
  if (thread.timeout.pending) timerStop(thread.timeout);
  const ready = thread.ring.completionsReady();
  contextWrite(<usize>thread.context, CONTEXT_RAX, ready == u32.MAX_VALUE ? <u64>-(<i64>KernelError.Malformed) : <u64>ready);
  schedulerReady(thread);
}
