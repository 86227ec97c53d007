// A thread: its saved registers (a context frame, context.ts), its capability ring and its
// scheduling state. One per process for now. Blocking is a state, never a kernel stack
// (DESIGN.md #5): a thread blocked in cap_enter records what would wake it.

import { Ring } from "../cap/ring";
import { Process } from "./process";

export enum ThreadState {
  /** In the run queue or running. */
  Runnable = 0,
  /** In cap_enter, waiting for completions or its timeout. */
  Blocked = 1,
  /** Its process ended; nothing refers to it for scheduling any more. */
  Ended = 2,
}

/** A wait not yet completed: a ThreadHandle.join, or a ProcessHandle.wait (the thread that waits
 * and the userData its completion carries). */
export class Joiner {
  constructor(readonly thread: Thread, readonly userData: u64) {}
}

export class Thread {
  state: ThreadState = ThreadState.Runnable;
  /** In the run queue (scheduler.ts), linked through `next`. */
  queued: bool = false;
  next: Thread | null = null;
  /** The value ThreadControl.exit gave (joiners' completion value). */
  exitValue: u64 = 0;
  joiners: Joiner[] = [];
  /** cap_enter: completions wanted before waking, and the deadline (0: none). */
  waitMinimum: u32 = 0;
  waitDeadline: u64 = 0;

  constructor(
    readonly process: Process,
    /** Its place in the process: its ring is linear page 1 + index, its stack the index-th. */
    readonly index: i32,
    /** Physical (= kernel linear) address of the context frame. */
    readonly context: u64,
    readonly ring: Ring,
  ) {}
}
