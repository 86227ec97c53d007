// ParkSpace: futex-like waiting on 32-bit words of its process's memory (docs/abi/interfaces/
// park-space.md). park blocks only if the word still holds the expected value, checked and
// recorded in one kernel step (nothing runs in between on one CPU with the kernel unpreempted);
// unpark wakes up to `count` threads parked on that address, oldest first. A park is a wait of
// its thread, with a deadline when it has a timeout. Every process holds one on itself.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { ParkSpaceMethod } from "../../abi/methods";
import { CAP_ENTER_NO_TIMEOUT, Opcode } from "../../abi/ring";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { Chain } from "../collections/lists";
import { Pool } from "../collections/pool";
import { threadNotify } from "../sched/blocking";
import { Process } from "../sched/process";
import { callerThread } from "../sched/thread";
import { Wait } from "../sched/wait";
import { monotonicNanos } from "../time/clock";
import { timerStart } from "../time/timers";
import { readUserWord } from "../vm/user-memory";
import { instanceBytes } from "../memory/heap-cost";

export class ParkSpaceObject extends KernelObject {
  /** Parked operations, oldest first. */
  readonly parked: Chain<Parked> = new Chain<Parked>();

  constructor(readonly process: Process) { super(Interface.ParkSpace); }

  decodeCall(request: Request): Invocation | null {
    const method = request.method;
    if (method != ParkSpaceMethod.Park && method != ParkSpaceMethod.Unpark) return request.refuse(KernelError.UnknownMethod);
    if (this.process !== callerThread(request).process) return request.refuse(KernelError.NotPermitted);   // its own words only
    const address = request.argument0;
    if ((address & 3) != 0) return request.refuse(KernelError.InvalidArgument);
    if (method == ParkSpaceMethod.Unpark) return state.unpark;
    // Reading is no side effect: the word is read once here, and the kernel runs nothing else
    // before invoke compares it.
    const word = readUserWord(this.process.space, address);
    if (word < 0) return request.refuse(KernelError.BadAddress);
    const park = state.parks.take();
    park.word = <u32>word;
    return park;
  }
}

/** unpark(address, count): holds nothing. */
class Unpark extends Invocation {
  invoke(request: Request): void {
    const address = request.argument0, count = request.argument1;
    const parked = changetype<ParkSpaceObject>(request.object).parked;
    let woken: u64 = 0;
    let previous: Parked | null = null;
    let record = parked.head;
    while (record !== null && woken < count) {
      const next = record.next;
      if (record.address != address) {
        previous = record;
      } else {
        parked.unlinkAfter(previous, record);
        record.wake();
        woken++;
      }
      record = next;
    }
    request.complete(<i64>woken, 0);
  }
}

/** park(address, expected, timeout): the word decode read. */
class Park extends Invocation {
  next: Park | null = null;
  word: u32 = 0;

  invoke(request: Request): void {
    const word = this.word;
    state.parks.give(this);
    if (word != <u32>request.argument1) {
      request.complete(1, 0);
      return;
    }
    const record = state.parked.take();
    record.space = changetype<ParkSpaceObject>(request.object);
    record.userData = request.userData;
    record.address = request.argument0;
    record.space!.parked.push(record);
    record.begin(callerThread(request));
    const timeout = request.argument2;
    if (timeout != CAP_ENTER_NO_TIMEOUT) {
      const now = monotonicNanos();
      timerStart(record, timeout > u64.MAX_VALUE - now ? u64.MAX_VALUE : now + timeout);
    }
  }
}

/** One parked thread: a wait in its ParkSpace's chain, with a deadline when timed. Pooled, so a
 * park allocates nothing once warm. */
class Parked extends Wait {
  next: Parked | null = null;
  space: ParkSpaceObject | null = null;
  userData: u64 = 0;
  address: u64 = 0;

  /** Unparked (already off the chain): completes with 0. */
  wake(): void {
    this.complete(0);
  }

  /** The timeout passed: off the chain, completes with TimedOut. */
  expire(): void {
    this.space!.parked.remove(this);
    this.complete(-(<i64>KernelError.TimedOut));
  }

  /** The thread ended: off the chain, nothing completes. */
  cancel(): void {
    this.space!.parked.remove(this);
    this.recycle();
  }

  private complete(result: i64): void {
    const thread = this.waiter!;
    this.end();
    thread.ring.complete(this.userData, result, 0, Opcode.Call);
    threadNotify(thread);
    this.recycle();
  }

  private recycle(): void {
    this.space = null;
    state.parked.give(this);
  }
}

class ParkSpacesState {
  readonly unpark: Unpark = new Unpark();
  parks: Pool<Park> = new Pool<Park>(4);
  parked: Pool<Parked> = new Pool<Parked>(16);
}
const state = new ParkSpacesState();

/** Heap bytes of the record one park in flight holds (charged with its thread: objects/costs.ts). */
export const PARKED_BYTES: u64 = instanceBytes<Parked>();
