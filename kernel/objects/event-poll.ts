// EventPoll: a set of capabilities to watch for readiness (docs/abi/interfaces/event-poll.md), the
// Linux personality's epoll instance (linux/sys-epoll.ts, which computes readiness: what "ready"
// means is the personality's). Each entry is a descriptor number, the capability it named when it
// was added, the events asked for and their flags, the caller's 64-bit data, and the readiness it
// was last seen with (edge-triggered entries report only what is new). Entries are charged to the
// quota of the process that made the set, in blocks, while they exist (the maker checks that a
// block fits: linux/sys-epoll.ts). Native programs reach only
// `info` through the ring so far.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { EventPollMethod } from "../../abi/methods";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { arrayBytes, instanceBytes } from "../memory/heap-cost";
import { Quota } from "../memory/quota";

/** Entries one set holds at most (Linux's limit is per user and far larger; ENOSPC past it). */
export const EVENT_POLL_ENTRIES_MAXIMUM: i32 = 4096;
/** Entries are paid for this many at a time. */
const BLOCK: i32 = 64;
/** Heap bytes one block of entries takes in the set's five arrays. */
export const EVENT_POLL_BLOCK_BYTES: u64 = <u64>BLOCK * (4 + 4 + 8 + 8 + 4);

export class EventPollObject extends KernelObject {
  readonly fds: i32[] = [];
  readonly handles: u64[] = [];
  /** The events asked for with their flags (EPOLLET, EPOLLONESHOT), as epoll_ctl gave them. */
  readonly events: u32[] = [];
  readonly data: u64[] = [];
  /** The readiness last seen (edge-triggered entries), or a one-shot entry's being spent (bit 31). */
  readonly seen: u32[] = [];
  /** Blocks of entries charged so far (beyond the set's own record). */
  private blocks: i32 = 0;

  constructor(readonly quota: Quota) { super(Interface.EventPoll); }

  get count(): i32 { return this.fds.length; }

  /** The entry for descriptor `fd`, or -1. */
  find(fd: i32): i32 {
    return this.fds.indexOf(fd);
  }

  /** Whether the next entry needs another block charged first (chargeBlock). */
  get blockNeeded(): bool {
    return this.fds.length == this.blocks * BLOCK;
  }

  /** Charges one more block of entries to the set's quota (the caller checked that it fits). */
  chargeBlock(): void {
    this.quota.chargeKernel(EVENT_POLL_BLOCK_BYTES);
    this.blocks++;
  }

  /** Adds an entry: below EVENT_POLL_ENTRIES_MAXIMUM, its block charged (the caller's checks). */
  add(fd: i32, handle: u64, events: u32, data: u64): void {
    if (this.fds.length >= EVENT_POLL_ENTRIES_MAXIMUM || this.blockNeeded) abort("EventPollObject.add: no room was made");
    this.fds.push(fd);
    this.handles.push(handle);
    this.events.push(events);
    this.data.push(data);
    this.seen.push(0);
  }

  /** Removes entry `index` (the last one takes its place). */
  remove(index: i32): void {
    const last = this.fds.length - 1;
    this.fds[index] = this.fds[last];
    this.handles[index] = this.handles[last];
    this.events[index] = this.events[last];
    this.data[index] = this.data[last];
    this.seen[index] = this.seen[last];
    this.fds.pop();
    this.handles.pop();
    this.events.pop();
    this.data.pop();
    this.seen.pop();
    if (this.blocks > 0 && this.fds.length <= (this.blocks - 1) * BLOCK) {
      this.blocks--;
      this.quota.unchargeKernel(EVENT_POLL_BLOCK_BYTES);
    }
  }

  destroy(): void {
    if (this.blocks > 0) this.quota.unchargeKernel(<u64>this.blocks * EVENT_POLL_BLOCK_BYTES);
    this.blocks = 0;
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
export const EVENT_POLL_BYTES: u64 = instanceBytes<EventPollObject>() + 5 * arrayBytes<u64>(0);
