// EventCounter: a 64-bit counter that writers add to and readers take (docs/abi/interfaces/
// event-counter.md), the Linux personality's eventfd (linux/sys-eventfd.ts). It keeps the waits
// to tell when it changes (a blocked read or write, a poll: Wait.wake), as a pipe's ring does.
// Native programs reach only `info` through the ring so far.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { EventCounterMethod } from "../../abi/methods";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { arrayBytes, instanceBytes } from "../memory/heap-cost";
import { Wait } from "../sched/wait";

/** The largest value the counter holds (a write that would pass it waits). */
export const EVENT_COUNTER_MAXIMUM: u64 = 0xffff_ffff_ffff_fffe;

export class EventCounterObject extends KernelObject {
  /** Waits to tell when the counter changes; told once, then dropped. */
  readonly waiting: Wait[] = [];

  constructor(public count: u64, readonly semaphore: bool) { super(Interface.EventCounter); }

  /** Tells every wait that the counter changed (each looks again). */
  wakeAll(): void {
    const waiting = this.waiting;
    while (waiting.length > 0) waiting.pop().wake();
  }

  destroy(): void {
    this.wakeAll();
  }

  decodeCall(request: Request): Invocation | null {
    if (request.method != EventCounterMethod.Info) return request.refuse(KernelError.UnknownMethod);
    return state.info;
  }
}

/** info() -> result: the counter; value: 1 in semaphore mode. */
class Info extends Invocation {
  invoke(request: Request): void {
    const counter = changetype<EventCounterObject>(request.object);
    request.complete(<i64>counter.count, counter.semaphore ? 1 : 0);
  }
}

class EventCountersState {
  readonly info: Info = new Info();
}
const state = new EventCountersState();

/** Heap bytes a counter's records take, charged to its quota's kernel bytes. */
export const EVENT_COUNTER_BYTES: u64 = instanceBytes<EventCounterObject>() + arrayBytes<usize>(8);

