// EventPoll: a set of capabilities to watch for readiness (docs/abi/interfaces/event-poll.md), the
// Linux personality's epoll instance (linux/sys-epoll.ts computes readiness: what "ready" means is
// the personality's). Each entry is a descriptor number, the capability it named when it was
// added, the events asked for and their flags, and the caller's 64-bit data. An entry is also a
// wait: registered with what it watches (a pipe's ring, the tty, an event counter, another set),
// it is told when that changes, and goes on the set's ready list, so a look at the set examines
// only the entries that may have something to report (Linux's ready list), not all of them.
// Entries are charged to the quota of the process that made the set, in blocks, while they exist
// (the maker checks that a block fits: linux/sys-epoll.ts). Native programs reach only `info`
// through the ring so far.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { EventPollMethod } from "../../abi/methods";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { arrayBytes, instanceBytes } from "../memory/heap-cost";
import { Quota } from "../memory/quota";
import { Wait, WaitList } from "../sched/wait";

/** Entries one set holds at most (Linux's limit is per user and far larger; ENOSPC past it). */
export const EVENT_POLL_ENTRIES_MAXIMUM: i32 = 4096;
/** Entries are paid for this many at a time. */
const BLOCK: i32 = 64;

/** One watched descriptor. As a wait it is in no thread's list: only wake() is used. */
export class EventPollEntry extends Wait {
  /** On the set's ready list now. */
  queued: bool = false;
  /** Taken out of the set (EPOLL_CTL_DEL, or its descriptor closed): a late wake does nothing. */
  removed: bool = false;
  /** A one-shot entry that reported: silent until EPOLL_CTL_MOD. */
  spent: bool = false;

  constructor(readonly set: EventPollObject, readonly fd: i32, readonly handle: u64, public events: u32, public data: u64) { super(); }

  cancel(): void {}

  /** What it watches changed: onto the ready list, and whoever waits on the set is told. */
  wake(): void {
    if (this.removed) return;
    this.set.enqueue(this);
    this.set.wakeAll();
  }
}

/** Heap bytes one block of entries takes: the entries and their places in the set's lists. */
export const EVENT_POLL_BLOCK_BYTES: u64 = <u64>BLOCK * (instanceBytes<EventPollEntry>() + 2 * 8);

export class EventPollObject extends KernelObject {
  readonly entries: EventPollEntry[] = [];
  /** Entries that may have something to report, oldest first. */
  readonly ready: EventPollEntry[] = [];
  /** Waits to tell when an entry becomes ready (a blocked epoll_wait, a set watching this one). */
  readonly waiting: WaitList = new WaitList();
  /** Blocks of entries charged so far (beyond the set's own record). */
  private blocks: i32 = 0;

  constructor(readonly quota: Quota) { super(Interface.EventPoll); }

  get count(): i32 { return this.entries.length; }

  /** The entry for descriptor `fd`, or null. */
  find(fd: i32): EventPollEntry | null {
    for (let i = 0; i < this.entries.length; i++) if (unchecked(this.entries[i]).fd == fd) return unchecked(this.entries[i]);
    return null;
  }

  /** Whether the next entry needs another block charged first (chargeBlock). */
  get blockNeeded(): bool {
    return this.entries.length == this.blocks * BLOCK;
  }

  /** Charges one more block of entries to the set's quota (the caller checked that it fits). */
  chargeBlock(): void {
    this.quota.chargeKernel(EVENT_POLL_BLOCK_BYTES);
    this.blocks++;
  }

  /** Adds an entry (below EVENT_POLL_ENTRIES_MAXIMUM, its block charged: the caller's checks),
   * ready to be looked at. */
  add(fd: i32, handle: u64, events: u32, data: u64): void {
    if (this.entries.length >= EVENT_POLL_ENTRIES_MAXIMUM || this.blockNeeded) abort("EventPollObject.add: no room was made");
    const entry = new EventPollEntry(this, fd, handle, events, data);
    this.entries.push(entry);
    this.enqueue(entry);
  }

  /** Puts `entry` on the ready list unless it is there. */
  enqueue(entry: EventPollEntry): void {
    if (entry.queued) return;
    entry.queued = true;
    this.ready.push(entry);
  }

  /** Takes `entry` out of the set. */
  remove(entry: EventPollEntry): void {
    if (entry.queued) {
      entry.queued = false;
      this.ready.splice(this.ready.indexOf(entry), 1);
    }
    this.removeQuiet(entry);
  }

  /** Takes `entry`, which is on no ready list, out of the set (a look that is rewriting the list). */
  removeQuiet(entry: EventPollEntry): void {
    entry.removed = true;
    const index = this.entries.indexOf(entry);
    if (index < 0) return;
    const last = this.entries.length - 1;
    this.entries[index] = this.entries[last];
    this.entries.pop();
    if (this.blocks > 0 && this.entries.length <= (this.blocks - 1) * BLOCK) {
      this.blocks--;
      this.quota.unchargeKernel(EVENT_POLL_BLOCK_BYTES);
    }
  }

  /** Tells every wait on the set that an entry became ready (each looks again). */
  wakeAll(): void {
    this.waiting.wakeAll();
  }

  destroy(): void {
    for (let i = 0; i < this.entries.length; i++) unchecked(this.entries[i]).removed = true;
    this.entries.length = 0;
    this.ready.length = 0;
    if (this.blocks > 0) this.quota.unchargeKernel(<u64>this.blocks * EVENT_POLL_BLOCK_BYTES);
    this.blocks = 0;
    this.wakeAll();
    this.quota.release();
  }

  decodeCall(request: Request): Invocation | null {
    if (request.method != EventPollMethod.Info) return request.refuse(KernelError.UnknownMethod);
    return state.info;
  }
}

/** info() -> result: how many entries the set has. */
class Info extends Invocation {
  invoke(request: Request): void {
    request.complete(<i64>changetype<EventPollObject>(request.object).count, 0);
  }
}

class EventPollsState {
  readonly info: Info = new Info();
}
const state = new EventPollsState();

/** Heap bytes a set's own records take (its entries are charged apart, in blocks). */
export const EVENT_POLL_BYTES: u64 = instanceBytes<EventPollObject>() + instanceBytes<WaitList>() + 3 * arrayBytes<usize>(0);
