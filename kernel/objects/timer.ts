// Timer: the monotonic clock and sleep (docs/abi/interfaces/timer.md). A sleep reserves its
// completion slot and completes from the tick once the clock has passed its deadline, so it
// never returns early; it may return up to one tick late.

import { KernelError } from "../../abi/errors";
import { Thread } from "../sched/thread";
import { timeoutAdd, TimeoutKind } from "../sched/timeouts";
import { monotonicNanos } from "../time/clock";
import { Interface } from "../../abi/interfaces";
import { KernelObject } from "../cap/kernel-object";
import { TimerMethod } from "../../abi/methods";
import { Opcode, SQE_ARGUMENT0 } from "../../abi/ring";

export class TimerObject extends KernelObject {
  constructor() { super(Interface.Timer); }
}

/** The longest sleep: 2^62 ns (about 146 years), so a deadline never wraps. */
const SLEEP_MAXIMUM: u64 = 1 << 62;

export function timerDecode(method: u32, entry: usize): KernelError {
  if (method == TimerMethod.Now) return KernelError.None;
  if (method != TimerMethod.Sleep) return KernelError.UnknownMethod;
  return load<u64>(entry + SQE_ARGUMENT0) > SLEEP_MAXIMUM ? KernelError.InvalidArgument : KernelError.None;
}

export function timerInvoke(thread: Thread, method: u32, entry: usize, userData: u64): void {
  const now = monotonicNanos();
  if (method == TimerMethod.Now) {
    thread.ring.complete(userData, <i64>now, 0, Opcode.Call);
    return;
  }
  const nanoseconds = load<u64>(entry + SQE_ARGUMENT0);
  if (nanoseconds == 0) {
    thread.ring.complete(userData, 0, 0, Opcode.Call);
    return;
  }
  timeoutAdd(now + nanoseconds, thread, TimeoutKind.Sleep, userData);
}
