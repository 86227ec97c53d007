// The process side of the capability ring (abi/ring.ts is the layout): submits
// entries and reaps their completions. Synchronous by default: ringCall submits one entry and
// waits for its completion. Each thread has its own ring: `ringBase` is a wasm global, and each
// thread runs its own instance of the module (userspace/rt/thread.ts), so each sees its own.
// Rule kept by the whole runtime: nothing allocates between writing an entry and reaping its
// completion (the C runtime grows memory through the first ring, see userspace/rt/c/runtime.c).

import {
  CAP_ENTER_NO_TIMEOUT, CQE_RESULT, CQE_USER_DATA, CQE_VALUE, GRANT_HANDLE, GRANT_INTERFACE, Opcode, RING_CQ_ENTRIES, RING_CQ_HEAD,
  RING_CQ_OFFSET, RING_CQ_TAIL, RING_CQE_SIZE, RING_GRANT_COUNT, RING_GRANT_SIZE, RING_GRANTS, RING_GRANTS_MAXIMUM,
  RING_ARGUMENT, RING_PROCESS_ID, RING_TEXT, RING_TEXT_LENGTH, RING_TEXT_MAXIMUM, RING_SQ_ENTRIES, RING_SQ_HEAD, RING_SQ_OFFSET, RING_SQ_TAIL, RING_SQE_SIZE, SQE_ARGUMENT0,
  SQE_ARGUMENT1, SQE_ARGUMENT2, SQE_ARGUMENT3, SQE_HANDLE, SQE_METHOD, SQE_OPCODE, SQE_USER_DATA,
} from "../../abi/ring";
import { USER_LINEAR_BASE, USER_RING_LINEAR } from "../../abi/layout";
import { capEnter } from "./syscalls";

/** This thread's ring (a per-instance global; the first thread's by default). */
let ringBase: usize = <usize>USER_RING_LINEAR;

/** Called once by a new thread's entry (userspace/rt/thread.ts). */
export function ringUse(address: usize): void {
  ringBase = address;
}

/** A user virtual address for a linear-memory address (what ring entries carry). */
@inline export function userAddress(linear: usize): u64 {
  return USER_LINEAR_BASE + <u64>linear;
}

/** The result of the last completion reaped by call(): result and second value. */
export class Completion {
  result: i64 = 0;
  value: u64 = 0;
}
// The last completion's values, as globals (per thread, like ringBase), not an object the
// threads' instances would share.
let lastResult: i64 = 0;
let lastSecond: u64 = 0;
let nextUserData: u64 = 1;

/** Submission slots free right now. */
export function ringFree(): u32 {
  return RING_SQ_ENTRIES - (load<u32>(ringBase + RING_SQ_TAIL) - load<u32>(ringBase + RING_SQ_HEAD));
}

/** Writes one entry at the tail (the caller made sure there is room); returns its user data.
 * A handle is a u64 (abi/ring.ts), opaque: only the kernel's table gives it meaning. */
export function ringPush(opcode: Opcode, handle: u64, method: u32, argument0: u64, argument1: u64, argument2: u64, argument3: u64): u64 {
  return ringPushTagged(nextUserData++, opcode, handle, method, argument0, argument1, argument2, argument3);
}

/** ringPush with the caller's own user data (an event loop's tag; userspace/rt/event-loop.ts);
 * returns it. */
export function ringPushTagged(userData: u64, opcode: Opcode, handle: u64, method: u32, argument0: u64, argument1: u64, argument2: u64, argument3: u64): u64 {
  const tail = load<u32>(ringBase + RING_SQ_TAIL);
  const entry = ringBase + RING_SQ_OFFSET + (tail % RING_SQ_ENTRIES) * RING_SQE_SIZE;
  memory.fill(entry, 0, RING_SQE_SIZE);
  store<u8>(entry + SQE_OPCODE, <u8>opcode);
  store<u32>(entry + SQE_METHOD, method);
  store<u64>(entry + SQE_USER_DATA, userData);
  store<u64>(entry + SQE_HANDLE, handle);
  store<u64>(entry + SQE_ARGUMENT0, argument0);
  store<u64>(entry + SQE_ARGUMENT1, argument1);
  store<u64>(entry + SQE_ARGUMENT2, argument2);
  store<u64>(entry + SQE_ARGUMENT3, argument3);
  store<u32>(ringBase + RING_SQ_TAIL, tail + 1);
  return userData;
}

/** Completions ready to reap. */
export function ringReady(): u32 {
  return load<u32>(ringBase + RING_CQ_TAIL) - load<u32>(ringBase + RING_CQ_HEAD);
}

/** Reaps the oldest completion into `into`; returns its user data. */
export function ringPop(into: Completion): u64 {
  const head = load<u32>(ringBase + RING_CQ_HEAD);
  const completion = ringBase + RING_CQ_OFFSET + (head % RING_CQ_ENTRIES) * RING_CQE_SIZE;
  into.result = load<i64>(completion + CQE_RESULT);
  into.value = load<u64>(completion + CQE_VALUE);
  const userData = load<u64>(completion + CQE_USER_DATA);
  store<u32>(ringBase + RING_CQ_HEAD, head + 1);
  return userData;
}

/** One operation, submitted and waited for. Returns its result (negative: -KernelError); the
 * second value is in lastValue(). Panics if the ring is corrupt or full (a runtime bug:
 * synchronous use never leaves entries behind). */
export function ringCall(opcode: Opcode, handle: u64, method: u32, argument0: u64 = 0, argument1: u64 = 0, argument2: u64 = 0, argument3: u64 = 0): i64 {
  if (ringFree() == 0) abort("ring: submission queue full");
  const userData = ringPush(opcode, handle, method, argument0, argument1, argument2, argument3);
  while (true) {
    const ready = capEnter(1, CAP_ENTER_NO_TIMEOUT);
    if (ready < 0) abort("ring: cap_enter refused the ring");
    if (ready == 0) continue;
    const head = load<u32>(ringBase + RING_CQ_HEAD);
    const completion = ringBase + RING_CQ_OFFSET + (head % RING_CQ_ENTRIES) * RING_CQE_SIZE;
    if (load<u64>(completion + CQE_USER_DATA) != userData) abort("ring: a completion for another entry");
    lastResult = load<i64>(completion + CQE_RESULT);
    lastSecond = load<u64>(completion + CQE_VALUE);
    store<u32>(ringBase + RING_CQ_HEAD, head + 1);
    return lastResult;
  }
}

/** Two operations in one cap_enter (one kernel entry, where a call would take two): submits
 * both, waits for both completions, and returns the second's result (its value in lastValue());
 * the first's result is firstResult(). Completions may arrive in either order. */
export function ringCallPair(
  opcode1: Opcode, handle1: u64, method1: u32, a1: u64, b1: u64, c1: u64, d1: u64,
  opcode2: Opcode, handle2: u64, method2: u32, a2: u64, b2: u64, c2: u64, d2: u64,
): i64 {
  if (ringFree() < 2) abort("ring: submission queue full");
  const first = ringPush(opcode1, handle1, method1, a1, b1, c1, d1);
  const second = ringPush(opcode2, handle2, method2, a2, b2, c2, d2);
  let pending = 2;
  while (pending > 0) {
    const ready = capEnter(<u32>pending, CAP_ENTER_NO_TIMEOUT);
    if (ready < 0) abort("ring: cap_enter refused the ring");
    for (let i = 0; i < ready; i++) {
      const head = load<u32>(ringBase + RING_CQ_HEAD);
      const completion = ringBase + RING_CQ_OFFSET + (head % RING_CQ_ENTRIES) * RING_CQE_SIZE;
      const userData = load<u64>(completion + CQE_USER_DATA);
      if (userData == first) firstLast = load<i64>(completion + CQE_RESULT);
      else if (userData == second) {
        lastResult = load<i64>(completion + CQE_RESULT);
        lastSecond = load<u64>(completion + CQE_VALUE);
      } else abort("ring: a completion for another entry");
      store<u32>(ringBase + RING_CQ_HEAD, head + 1);
      pending--;
    }
  }
  return lastResult;
}
let firstLast: i64 = 0;

/** The first result of the last ringCallPair. */
export function firstResult(): i64 {
  return firstLast;
}

/** Drops the capability `handle` names, whatever its interface: 0 or -KernelError. */
export function releaseHandle(handle: u64): i64 {
  return ringCall(Opcode.Release, handle, 0);
}

/** The result of the last completion ringCall reaped (negative: -KernelError): the error behind
 * a client's null or 0. */
export function lastResultOfCall(): i64 {
  return lastResult;
}

/** The second value of the last completion ringCall reaped (the method's `value`). */
export function lastValue(): u64 {
  return lastSecond;
}

/** This process's id, from the startup block. */
export function processId(): u32 {
  return load<u32>(ringBase + RING_PROCESS_ID);
}

/** The argument the spawner passed (0 for the program the kernel started). */
export function startArgument(): u32 {
  return load<u32>(ringBase + RING_ARGUMENT);
}

/** The start text (ring.md): for the program the kernel starts, the command line's args= value;
 * "" when there is none. */
export function startText(): string {
  const length = min(load<u32>(ringBase + RING_TEXT_LENGTH), RING_TEXT_MAXIMUM);
  return String.UTF8.decodeUnsafe(ringBase + RING_TEXT, length, false);
}

/** The handle of the first capability of `iface` the process was started with (with `nth`, the
 * one after `nth` others of it), or 0 (never a handle). Grant entries are RING_GRANT_SIZE bytes: u64 handle, u32 interface, u32 0. */
export function grant(iface: u32, nth: u32 = 0): u64 {
  const count = min(load<u32>(ringBase + RING_GRANT_COUNT), RING_GRANTS_MAXIMUM);
  for (let i: u32 = 0; i < count; i++) {
    const entry = ringBase + RING_GRANTS + i * RING_GRANT_SIZE;
    if (load<u32>(entry + GRANT_INTERFACE) == iface && nth-- == 0) return load<u64>(entry + GRANT_HANDLE);
  }
  return 0;
}
