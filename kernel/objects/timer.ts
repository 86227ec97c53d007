// Timer: the monotonic clock, the wall clock and sleep (docs/abi/interfaces/timer.md). A sleep keeps its
// completion slot and is a wait of its thread with a deadline: the tick completes it once the
// clock has passed the deadline, so it never returns early; it may return up to one tick late.
// If the thread ends first, the sleep is cancelled with it.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { TimerMethod } from "../../abi/methods";
import { Opcode } from "../../abi/ring";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { Pool } from "../collections/pool";
import { threadNotify } from "../sched/blocking";
import { callerThread } from "../sched/thread";
import { Wait } from "../sched/wait";
import { monotonicNanos } from "../time/clock";
import { timerStart } from "../time/timers";
import { realtimeNanos } from "../time/wall-clock";
import { instanceBytes } from "../memory/heap-cost";

/** The longest sleep: 2^62 ns (about 146 years), so a deadline never wraps. */
const SLEEP_MAXIMUM: u64 = 1 << 62;

export class TimerObject extends KernelObject {
  constructor() { super(Interface.Timer); }

  decodeCall(request: Request): Invocation | null {
    const method = request.method;
    if (method == TimerMethod.Now) return state.now;
    if (method == TimerMethod.Realtime) return realtimeNanos() < 0 ? request.refuse(KernelError.NotFound) : state.realtime;
    if (method != TimerMethod.Sleep) return request.refuse(KernelError.UnknownMethod);
    return request.argument0 > SLEEP_MAXIMUM ? request.refuse(KernelError.InvalidArgument) : state.sleep;
  }
}

/** now(): holds nothing. */
class Now extends Invocation {
  invoke(request: Request): void {
    request.complete(<i64>monotonicNanos(), 0);
  }
}

/** realtime(): holds nothing. */
class Realtime extends Invocation {
  invoke(request: Request): void {
    request.complete(realtimeNanos(), 0);
  }
}

/** sleep(nanoseconds): holds nothing; invoke makes the Sleep wait. */
class SleepCall extends Invocation {
  invoke(request: Request): void {
    const nanoseconds = request.argument0;
    if (nanoseconds == 0) {
      request.complete(0, 0);
      return;
    }
    const sleep = state.sleeps.take();
    sleep.userData = request.userData;
    sleep.begin(callerThread(request));
    timerStart(sleep, monotonicNanos() + nanoseconds);
  }
}

/** A sleeping thread's completion, due at the timer's deadline. */
class Sleep extends Wait {
  next: Sleep | null = null;
  userData: u64 = 0;

  expire(): void {
    const thread = this.waiter!;
    this.end();
    thread.ring.complete(this.userData, 0, 0, Opcode.Call);
    threadNotify(thread);
    state.sleeps.give(this);
  }

  cancel(): void {
    state.sleeps.give(this);
  }
}

class TimerState {
  readonly now: Now = new Now();
  readonly realtime: Realtime = new Realtime();
  readonly sleep: SleepCall = new SleepCall();
  sleeps: Pool<Sleep> = new Pool<Sleep>(16);
}
const state = new TimerState();

/** Heap bytes of the record one sleep in flight holds (charged with its thread: objects/costs.ts). */
export const SLEEP_BYTES: u64 = instanceBytes<Sleep>();
