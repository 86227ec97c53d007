// ParkSpace: futex-like waiting on 32-bit words of its process's memory (docs/abi/interfaces/
// park-space.md). park blocks only if the word still holds the expected value, checked and
// recorded in one kernel step (nothing runs in between on one CPU with the kernel unpreempted);
// unpark wakes up to `count` threads parked on that address, oldest first. Every process holds
// one on itself from the start.

import { KernelError } from "../../error";
import { CAP_ENTER_NO_TIMEOUT } from "../ring-layout";
import { Process } from "../../proc/process";
import { Thread, ThreadState } from "../../proc/thread";
import { threadNotify } from "../../proc/cap-enter";
import { timeoutAdd, timeoutForgetPark, TimeoutKind } from "../../proc/timeouts";
import { copyIn, userRangeCheck } from "../../proc/user-memory";
import { monotonicNanos } from "../../time/clock";
import { Interface } from "../interface";
import { KernelObject } from "../kernel-object";
import { ParkSpaceMethod } from "../methods";
import { Opcode, SQE_ARGUMENT0, SQE_ARGUMENT1, SQE_ARGUMENT2 } from "../ring-layout";

export class Parked {
  constructor(readonly thread: Thread, readonly userData: u64, readonly address: u64) {}
}

export class ParkSpaceObject extends KernelObject {
  parked: Parked[] = [];
  constructor(readonly process: Process) {
    super(Interface.ParkSpace);
    state.spaces.push(this);
  }
  destroy(): void {
    const index = state.spaces.indexOf(this);
    if (index >= 0) state.spaces.splice(index, 1);
  }
}

class ParkSpacesState {
  spaces: ParkSpaceObject[] = [];
}
const state = new ParkSpacesState();
const word = memory.data(8, 8);

export function parkSpaceDecode(object: ParkSpaceObject, process: Process, method: u32, entry: usize): KernelError {
  if (method != ParkSpaceMethod.Park && method != ParkSpaceMethod.Unpark) return KernelError.UnknownMethod;
  if (object.process !== process) return KernelError.NotPermitted;   // words of its own process only
  const address = load<u64>(entry + SQE_ARGUMENT0);
  if ((address & 3) != 0) return KernelError.InvalidArgument;
  return method == ParkSpaceMethod.Park ? userRangeCheck(process.space, address, 4, false) : KernelError.None;
}

export function parkSpaceInvoke(object: ParkSpaceObject, thread: Thread, method: u32, entry: usize, userData: u64): void {
  const address = load<u64>(entry + SQE_ARGUMENT0);
  if (method == ParkSpaceMethod.Unpark) {
    const count = load<u64>(entry + SQE_ARGUMENT1);
    let woken: u64 = 0;
    const parked = object.parked;
    for (let i = 0; i < parked.length && woken < count; ) {
      const entryParked = parked[i];
      if (entryParked.address != address) { i++; continue; }
      parked.splice(i, 1);
      if (entryParked.thread.state == ThreadState.Ended) continue;
      timeoutForgetPark(entryParked.thread, entryParked.userData);
      entryParked.thread.ring.complete(entryParked.userData, 0, 0, Opcode.Call);
      threadNotify(entryParked.thread);
      woken++;
    }
    thread.ring.complete(userData, <i64>woken, 0, Opcode.Call);
    return;
  }
  copyIn(thread.process.space, word, address, 4);   // checked by decode
  if (load<u32>(word) != <u32>load<u64>(entry + SQE_ARGUMENT1)) {
    thread.ring.complete(userData, 1, 0, Opcode.Call);
    return;
  }
  object.parked.push(new Parked(thread, userData, address));
  const timeout = load<u64>(entry + SQE_ARGUMENT2);
  if (timeout != CAP_ENTER_NO_TIMEOUT) {
    const now = monotonicNanos();
    timeoutAdd(timeout > u64.MAX_VALUE - now ? u64.MAX_VALUE : now + timeout, thread, TimeoutKind.Park, userData);
  }
}

/** A park's deadline passed: it leaves the list and completes with TimedOut. */
export function parkTimedOut(thread: Thread, userData: u64): void {
  for (let s = 0; s < state.spaces.length; s++) {
    const parked = state.spaces[s].parked;
    for (let i = 0; i < parked.length; i++) {
      if (parked[i].thread !== thread || parked[i].userData != userData) continue;
      parked.splice(i, 1);
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
    for (let i = parked.length - 1; i >= 0; i--) if (parked[i].thread === thread) parked.splice(i, 1);
  }
}
