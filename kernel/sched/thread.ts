// A thread: its saved registers (a context frame, arch/context.ts), its capability ring, its
// scheduling state, and the list of waits it holds (wait.ts). Blocking is a state, never a
// kernel stack (docs/DESIGN.md #5): a thread blocked in cap_enter records what would wake it
// (blocking.ts). To the capability core a thread is a Caller: its process's table and its ring.

import { Caller } from "../cap/caller";
import { Request } from "../cap/request";
import { Ring } from "../cap/ring";
import { CapEnterTimeout } from "./blocking";
import { Joiner } from "./joiner";
import { Process } from "./process";
import { Wait } from "./wait";
import { Chain } from "../collections/lists";

export enum ThreadState {
  /** In the run queue or running. */
  Runnable = 0,
  /** In cap_enter, waiting for completions or its timeout. */
  Blocked = 1,
  /** Ended; nothing refers to it for scheduling any more. */
  Ended = 2,
}

export class Thread extends Caller {
  state: ThreadState = ThreadState.Runnable;
  /** In the run queue (scheduler.ts), linked through `next`. */
  queued: bool = false;
  next: Thread | null = null;
  /** The value ThreadControl.exit gave (joiners' completion value). */
  exitValue: u64 = 0;
  /** ThreadHandle.joins waiting for this thread's end. */
  joiners: Chain<Joiner> = new Chain<Joiner>();
  /** The waits this thread holds, newest first (wait.ts): each is cancelled when it ends. */
  waits: Wait | null = null;
  /** cap_enter: completions wanted before waking. */
  waitMinimum: u32 = 0;
  /** cap_enter's deadline, pending while the thread is blocked with a timeout. */
  timeout!: CapEnterTimeout;
  /** What its process's account pays for the thread while it lives (its maker charged it):
   * heap bytes (its records and the waits it may hold) and frames (its context). */
  chargedBytes: u64 = 0;
  chargedPages: u64 = 0;
  /** Nanoseconds it has been on the CPU, its kernel entries included (scheduler.ts). */
  cpuNanos: u64 = 0;

  constructor(
    readonly process: Process,
    /** Its place in the process: its ring is linear page 1 + index, its stack the index-th. */
    readonly index: i32,
    /** Physical (= kernel linear) address of the context frame. */
    readonly context: u64,
    ring: Ring,
  ) {
    super(process.table, ring);
    this.timeout = new CapEnterTimeout(this);
  }
}

/** The thread that submitted `request`: every Caller is a Thread (the core names only the base
 * class because it sits below this layer). */
@inline export function callerThread(request: Request): Thread {
  return changetype<Thread>(request.caller);
}
