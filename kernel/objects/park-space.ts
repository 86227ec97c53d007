// ParkSpace: futex-like waiting on 32-bit words of its process's memory (docs/abi/interfaces/
// park-space.md). park blocks only if the word still holds the expected value, checked and
// recorded in one kernel step (nothing runs in between on one CPU with the kernel unpreempted);
// unpark wakes up to `count` threads parked on that address, oldest first. Every process holds
// one on itself from the start.

import { KernelError } from "../../abi/errors";
import { CAP_ENTER_NO_TIMEOUT } from "../../abi/ring";
import { Process } from "../sched/process";
import { Thread, ThreadState } from "../sched/thread";
import { threadNotify } from "../syscall/cap-enter";
import { timeoutAdd, timeoutForgetPark, TimeoutKind, timeoutsPending } from "../sched/timeouts";
import { readUserWord } from "../vm/user-memory";
import { monotonicNanos } from "../time/clock";
import { Interface } from "../../abi/interfaces";
import { KernelObject } from "../cap/kernel-object";
import { ParkSpaceMethod } from "../../abi/methods";
import { Opcode, SQE_ARGUMENT0, SQE_ARGUMENT1, SQE_ARGUMENT2 } from "../../abi/ring";
import { listRemoveAt } from "../collections/lists";

/** One parked operation. Records are reused through a free list (at most PARKED_FREE_MAXIMUM
 * kept), so a park allocates nothing once warm. */
export class Parked {
  thread: Thread | null = null;
  userData: u64 = 0;
  address: u64 = 0;
  /** Names this park for its deadline: userData is the process's and need not be unique. */
  token: u64 = 0;
}
const PARKED_FREE_MAXIMUM: i32 = 16;

function parkedTake(thread: Thread, userData: u64, address: u64): Parked {
  const record = state.free.length > 0 ? state.free.pop() : new Parked();
  record.thread = thread;
  record.userData = userData;
  record.token = state.nextToken++;
  record.address = address;
  return record;
}

function parkedGive(record: Parked): void {
  record.thread = null;
  if (state.free.length < PARKED_FREE_MAXIMUM) state.free.push(record);
}

export class ParkSpaceObject extends KernelObject {
  parked: Parked[] = [];
  constructor(readonly process: Process) {
    super(Interface.ParkSpace);
    state.spaces.push(this);
  }
  destroy(): void {
    const index = state.spaces.indexOf(this);
    if (index >= 0) listRemoveAt(state.spaces, index);
  }
}

class ParkSpacesState {
  spaces: ParkSpaceObject[] = [];
  free: Parked[] = [];
  nextToken: u64 = 1;
}
const state = new ParkSpacesState();

export function parkSpaceDecode(object: ParkSpaceObject, process: Process, method: u32, entry: usize): KernelError {
  if (method != ParkSpaceMethod.Park && method != ParkSpaceMethod.Unpark) return KernelError.UnknownMethod;
  if (object.process !== process) return KernelError.NotPermitted;   // words of its own process only
  const address = load<u64>(entry + SQE_ARGUMENT0);
  if ((address & 3) != 0) return KernelError.InvalidArgument;
  if (method == ParkSpaceMethod.Unpark) return KernelError.None;
  // Reading is no side effect: the word is read once here, and the kernel runs nothing else
  // before invoke compares it.
  decoded.word = readUserWord(process.space, address);
  return decoded.word < 0 ? KernelError.BadAddress : KernelError.None;
}

class Decoded {
  word: i64 = 0;
}
const decoded = new Decoded();

export function parkSpaceInvoke(object: ParkSpaceObject, thread: Thread, method: u32, entry: usize, userData: u64): void {
  const address = load<u64>(entry + SQE_ARGUMENT0);
  if (method == ParkSpaceMethod.Unpark) {
    const count = load<u64>(entry + SQE_ARGUMENT1);
    let woken: u64 = 0;
    const parked = object.parked;
    for (let i = 0; i < parked.length && woken < count; ) {
      const record = parked[i];
      if (record.address != address) { i++; continue; }
      listRemoveAt(parked, i);
      const sleeper = record.thread!, sleeperData = record.userData, token = record.token;
      parkedGive(record);
      if (sleeper.state == ThreadState.Ended) continue;
      if (timeoutsPending() != 0) timeoutForgetPark(sleeper, token);
      sleeper.ring.complete(sleeperData, 0, 0, Opcode.Call);
      threadNotify(sleeper);
      woken++;
    }
    thread.ring.complete(userData, <i64>woken, 0, Opcode.Call);
    return;
  }
  if (<u32>decoded.word != <u32>load<u64>(entry + SQE_ARGUMENT1)) {   // read by decode
    thread.ring.complete(userData, 1, 0, Opcode.Call);
    return;
  }
  const record = parkedTake(thread, userData, address);
  object.parked.push(record);
  const timeout = load<u64>(entry + SQE_ARGUMENT2);
  if (timeout != CAP_ENTER_NO_TIMEOUT) {
    const now = monotonicNanos();
    timeoutAdd(timeout > u64.MAX_VALUE - now ? u64.MAX_VALUE : now + timeout, thread, TimeoutKind.Park, record.token);
  }
}

/** The park named `token` passed its deadline: it leaves the list and completes with TimedOut. */
export function parkTimedOut(thread: Thread, token: u64): void {
  for (let s = 0; s < state.spaces.length; s++) {
    const parked = state.spaces[s].parked;
    for (let i = 0; i < parked.length; i++) {
      if (parked[i].thread !== thread || parked[i].token != token) continue;
      const userData = parked[i].userData;
      parkedGive(parked[i]);
      listRemoveAt(parked, i);
      thread.ring.complete(userData, -(<i64>KernelError.TimedOut), 0, Opcode.Call);
      threadNotify(thread);
      return;
    }
  }
}

/** An ended thread's parks go. */
export function parkSpaceThreadEnded(thread: Thread): void {
  for (let s = 0; s < state.spaces.length; s++) {
    const parked = state.spaces[s].parked;
    for (let i = parked.length - 1; i >= 0; i--) {
      if (parked[i].thread !== thread) continue;
      parkedGive(parked[i]);
      listRemoveAt(parked, i);
    }
  }
}
