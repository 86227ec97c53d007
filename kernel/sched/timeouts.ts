// Deadlines, checked on every tick: a cap_enter timeout wakes its thread; a Timer.sleep posts its
// completion (into the slot it reserved). Never early: an entry fires only once the monotonic
// clock has reached its deadline. A list scanned per tick: it holds at most one cap_enter per
// thread plus one sleep per reserved completion slot.

import { parkTimedOut } from "../objects/park-space";
import { Opcode } from "../../abi/ring";
import { monotonicNanos } from "../time/clock";
import { threadNotify, threadWakeFromCapEnter } from "../syscall/cap-enter";
import { Thread, ThreadState } from "./thread";
import { listRemoveAt } from "../collections/lists";

export enum TimeoutKind {
  CapEnter = 0,
  Sleep = 1,
  Park = 2,
}

class Timeout {
  constructor(readonly deadline: u64, readonly thread: Thread, readonly kind: TimeoutKind, readonly userData: u64) {}
}

class TimeoutsState {
  entries: Timeout[] = [];
}
const state = new TimeoutsState();

export function timeoutAdd(deadline: u64, thread: Thread, kind: TimeoutKind, userData: u64): void {
  state.entries.push(new Timeout(deadline, thread, kind, userData));
}

/** Drops a thread's cap_enter timeout (it woke for completions). */
export function timeoutCancelCapEnter(thread: Thread): void {
  const entries = state.entries;
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i].thread === thread && entries[i].kind == TimeoutKind.CapEnter) listRemoveAt(entries, i);
  }
}

/** Drops a park's deadline (it was unparked); `token` names the park (its userData field here). */
export function timeoutForgetPark(thread: Thread, userData: u64): void {
  const entries = state.entries;
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry.thread === thread && entry.kind == TimeoutKind.Park && entry.userData == userData) listRemoveAt(entries, i);
  }
}

/** Drops every entry of an ended thread. */
export function timeoutForget(thread: Thread): void {
  const entries = state.entries;
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i].thread === thread) listRemoveAt(entries, i);
  }
}

export function timeoutsPending(): i32 {
  return state.entries.length;
}

/** From the tick: fires every entry whose deadline has passed. */
export function timeoutsExpire(): void {
  const entries = state.entries;
  if (entries.length == 0) return;
  const now = monotonicNanos();
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry.deadline > now) continue;
    listRemoveAt(entries, i);
    if (entry.thread.state == ThreadState.Ended) continue;
    if (entry.kind == TimeoutKind.CapEnter) {
      threadWakeFromCapEnter(entry.thread);
    } else if (entry.kind == TimeoutKind.Park) {
      parkTimedOut(entry.thread, entry.userData);
    } else {
      entry.thread.ring.complete(entry.userData, 0, 0, Opcode.Call);
      threadNotify(entry.thread);
    }
  }
}
