// EventCounter: a 64-bit counter that writers add to and readers take (docs/abi/interfaces/
// event-counter.md), the Linux personality's eventfd (linux/sys-eventfd.ts); or, with a timer,
// one that the timer adds its expiries to, the personality's timerfd (linux/sys-timerfd.ts). It
// keeps the waits to tell when it changes (a blocked read or write, a poll: Wait.wake), as a
// pipe's ring does. Native programs reach only `info` through the ring so far.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { EventCounterMethod } from "../../abi/methods";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { arrayBytes, instanceBytes } from "../memory/heap-cost";
import { WaitList } from "../sched/wait";
import { monotonicNanos } from "../time/clock";
import { Timer, timerStart, timerStop } from "../time/timers";

/** The largest value the counter holds (a write that would pass it waits). */
export const EVENT_COUNTER_MAXIMUM: u64 = 0xffff_ffff_ffff_fffe;

export class EventCounterObject extends KernelObject {
  /** Waits to tell when the counter changes. */
  readonly waiting: WaitList = new WaitList();

  /** A timerfd's timer (null for an eventfd), and the Linux clock it was made for. */
  timer: CounterTimer | null = null;
  clock: u32 = 0;

  constructor(public count: u64, readonly semaphore: bool) { super(Interface.EventCounter); }

  /** Tells every wait that the counter changed (each looks again). */
  wakeAll(): void {
    this.waiting.wakeAll();
  }

  destroy(): void {
    const timer = this.timer;
    if (timer !== null) {
      timerStop(timer);
      this.timer = null;
    }
    this.wakeAll();
  }

  decodeCall(request: Request): Invocation | null {
    if (request.method != EventCounterMethod.Info) return request.refuse(KernelError.UnknownMethod);
    return state.info;
  }
}

/** A timerfd's timer: each expiry adds 1 to its counter, and a periodic one the periods it
 * missed too (the expiries a read reports, as Linux's overrun count), and starts again. */
export class CounterTimer extends Timer {
  /** The period (ns; 0: once). */
  interval: u64 = 0;

  constructor(readonly counter: EventCounterObject) { super(); }

  expire(): void {
    let expiries: u64 = 1;
    if (this.interval != 0) {
      const now = monotonicNanos(), missed = now > this.deadline ? (now - this.deadline) / this.interval : 0;
      expiries += missed;
      const step = missed + 1 > u64.MAX_VALUE / this.interval ? u64.MAX_VALUE : (missed + 1) * this.interval;
      timerStart(this, step > u64.MAX_VALUE - this.deadline ? u64.MAX_VALUE : this.deadline + step);
    }
    const counter = this.counter;
    counter.count = expiries > EVENT_COUNTER_MAXIMUM - counter.count ? EVENT_COUNTER_MAXIMUM : counter.count + expiries;
    counter.wakeAll();
  }
}

/** info() -> result: the counter; value: 1 in semaphore mode, 2 for a timer's counter. */
class Info extends Invocation {
  invoke(request: Request): void {
    const counter = changetype<EventCounterObject>(request.object);
    request.complete(<i64>counter.count, counter.semaphore ? 1 : counter.timer !== null ? 2 : 0);
  }
}

class EventCountersState {
  readonly info: Info = new Info();
}
const state = new EventCountersState();

/** Heap bytes a counter's records take, charged to its quota's kernel bytes (with a timer's). */
export const EVENT_COUNTER_BYTES: u64 = instanceBytes<EventCounterObject>() + instanceBytes<WaitList>() + arrayBytes<usize>(8);
export const COUNTER_TIMER_BYTES: u64 = instanceBytes<CounterTimer>();

