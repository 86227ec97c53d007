// futex (docs/linux.md, "Threads"): WAIT, WAKE, WAIT_BITSET, WAKE_BITSET, REQUEUE, CMP_REQUEUE and
// WAKE_OP, private and shared, with timeouts; the priority-inheritance operations are ENOSYS. A
// waiter is keyed as Linux keys it: by its address space and address for private memory (and for
// a private futex anywhere), by the physical address for a MAP_SHARED page shared across
// processes. Unlike the personality's other blocking calls, a futex wait does not run again
// when woken (a FUTEX_WAKE must not be lost to a word that still holds the same value): its
// answer, 0, is in rax before it blocks, and a timeout or a signal rewrites it.

import { KernelError } from "../../abi/errors";
import { CONTEXT_RAX, contextWrite } from "../arch/context";
import { PAGE_ADDRESS_MASK, PAGE_SIZE } from "../memory/page-table";
import { listRemoveAt } from "../collections/lists";
import { schedulerRemove } from "../sched/scheduler";
import { Thread, ThreadState } from "../sched/thread";
import { Wait } from "../sched/wait";
import { monotonicNanos } from "../time/clock";
import { timerStart } from "../time/timers";
import { realtimeNanos } from "../time/wall-clock";
import { AddressSpace } from "../vm/address-space";
import { Backing } from "../vm/regions";
import { copyIn, copyOut } from "../vm/user-memory";
import { linuxResume } from "./block";
import { BLOCKED, Errno } from "./errno";

const FUTEX_WAIT: u32 = 0, FUTEX_WAKE: u32 = 1, FUTEX_REQUEUE: u32 = 3, FUTEX_CMP_REQUEUE: u32 = 4, FUTEX_WAKE_OP: u32 = 5;
const FUTEX_WAIT_BITSET: u32 = 9, FUTEX_WAKE_BITSET: u32 = 10;
const FUTEX_PRIVATE_FLAG: u32 = 128, FUTEX_CLOCK_REALTIME: u32 = 256;
const FUTEX_BITSET_MATCH_ANY: u32 = 0xffff_ffff;
const NANOSECONDS: i64 = 1_000_000_000;

/** A thread's futex wait: queued under its key until a wake, its deadline or a signal. */
export class FutexWait extends Wait {
  /** The key: the address space (0 for a shared page's physical address) and the address. */
  keySpace: usize = 0;
  keyAddress: u64 = 0;
  bitset: u32 = 0;
  queued: bool = false;

  constructor(readonly owner: Thread) { super(); }

  /** The thread ended while waiting. */
  cancel(): void {
    dequeue(this);
  }

  expire(): void {
    futexFinish(this, -(<i64>Errno.ETIMEDOUT));
  }

  /** A signal it would act on (signal.ts): the wait ends with EINTR, as Linux's does for a
   * handler (the C libraries wait again). */
  wake(): void {
    futexFinish(this, -(<i64>Errno.EINTR));
  }
}

class FutexState {
  /** Every queued wait, oldest first (wakes go in that order, as on Linux within one key). */
  readonly waiters: FutexWait[] = [];
  readonly buffer: usize = memory.data(16, 16);
}
const state = new FutexState();

function dequeue(wait: FutexWait): void {
  if (!wait.queued) return;
  wait.queued = false;
  const index = state.waiters.indexOf(wait);
  if (index >= 0) listRemoveAt(state.waiters, index);
}

/** Ends `wait` with `result` in its thread's rax; the thread runs again. */
function futexFinish(wait: FutexWait, result: i64): void {
  dequeue(wait);
  const thread = wait.owner;
  if (wait.waiter === null || thread.state != ThreadState.Blocked) return;
  contextWrite(<usize>thread.context, CONTEXT_RAX, <u64>result);
  wait.end();
  linuxResume(thread);
}

/** The key of `address` in `space`: the physical address for a page of a MAP_SHARED mapping when
 * the operation is shared, else the space and the address. */
class Key {
  space: usize = 0;
  address: u64 = 0;
}

function keyOf(space: AddressSpace, address: u64, shared: bool, key: Key): void {
  key.space = changetype<usize>(space);
  key.address = address;
  if (!shared) return;
  const region = space.regions.find(address);
  if (region === null || region.backing != Backing.Shared) return;
  const leaf = space.leaf(address & ~(<u64>PAGE_SIZE - 1));
  if (leaf == 0) return;
  key.space = 0;
  key.address = (leaf & PAGE_ADDRESS_MASK) + (address & (<u64>PAGE_SIZE - 1));
}

/** Wakes up to `count` waiters on `key` whose bitset meets `bitset`; how many. */
function wakeKey(key: Key, count: i64, bitset: u32): i64 {
  let woken: i64 = 0;
  for (let i = 0; i < state.waiters.length && woken < count;) {
    const wait = state.waiters[i];
    if (wait.keySpace != key.space || wait.keyAddress != key.address || (wait.bitset & bitset) == 0) { i++; continue; }
    futexFinish(wait, 0);   // leaves the list: the same index is the next one
    woken++;
  }
  return woken;
}

/** The u32 at `address`, or -EFAULT. */
function wordIn(space: AddressSpace, address: u64): i64 {
  if (copyIn(space, state.buffer, 16, address, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
  return <i64>load<u32>(state.buffer);
}

/** Wakes one waiter on the word at `address` of `space` (a thread's CLONE_CHILD_CLEARTID word,
 * cleared as it ends: pthread_join waits there), keyed as a shared futex. */
export function futexWakeWord(space: AddressSpace, address: u64): void {
  const key = new Key();
  keyOf(space, address, true, key);
  wakeKey(key, 1, FUTEX_BITSET_MATCH_ANY);
}

/** futex(uaddr, op, val, timeout or val2, uaddr2, val3) for `thread`, whose futex wait is `wait`. */
export function sysFutex(thread: Thread, wait: FutexWait, address: u64, op: u64, value: u64, timeout: u64, address2: u64, value3: u64): i64 {
  const command = <u32>op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  const shared = (<u32>op & FUTEX_PRIVATE_FLAG) == 0, realtime = (<u32>op & FUTEX_CLOCK_REALTIME) != 0;
  if (realtime && command != FUTEX_WAIT_BITSET) return -(<i64>Errno.ENOSYS);
  const space = thread.process.space;
  const expected = <u32>value;
  switch (command) {
    case FUTEX_WAIT: case FUTEX_WAIT_BITSET: {
      // Linux's order: the timeout is read first, then the bitset, the address and the word.
      let deadline: u64 = 0;
      if (timeout != 0) {
        if (copyIn(space, state.buffer, 16, timeout, 16) != KernelError.None) return -(<i64>Errno.EFAULT);
        const seconds = load<i64>(state.buffer), nanoseconds = load<i64>(state.buffer, 8);
        if (seconds < 0 || nanoseconds < 0 || nanoseconds >= NANOSECONDS) return -(<i64>Errno.EINVAL);
        const span: i64 = seconds > (i64.MAX_VALUE - nanoseconds) / NANOSECONDS ? i64.MAX_VALUE : seconds * NANOSECONDS + nanoseconds;
        const now = monotonicNanos();
        if (command == FUTEX_WAIT) deadline = <u64>span > u64.MAX_VALUE - now ? u64.MAX_VALUE : now + <u64>span;
        else if (!realtime) deadline = <u64>span;   // absolute, CLOCK_MONOTONIC
        else {                                      // absolute, CLOCK_REALTIME
          const wall = realtimeNanos(), offset: i64 = wall < 0 ? 0 : wall - <i64>now;   // no wall clock: as monotonic
          deadline = span <= offset ? 1 : <u64>(span - offset);
        }
        if (deadline == 0) deadline = 1;
      }
      const bitset = command == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : <u32>value3;
      if (bitset == 0 || (address & 3) != 0) return -(<i64>Errno.EINVAL);
      const word = wordIn(space, address);
      if (word < 0) return word;
      if (<u32>word != expected) return -(<i64>Errno.EAGAIN);
      if (deadline != 0 && monotonicNanos() >= deadline) return -(<i64>Errno.ETIMEDOUT);
      const key = new Key();
      keyOf(space, address, shared, key);
      wait.keySpace = key.space;
      wait.keyAddress = key.address;
      wait.bitset = bitset;
      wait.queued = true;
      state.waiters.push(wait);
      contextWrite(<usize>thread.context, CONTEXT_RAX, 0);   // the answer to a wake
      thread.state = ThreadState.Blocked;
      schedulerRemove(thread);
      wait.begin(thread);
      if (deadline != 0) timerStart(wait, deadline);
      return BLOCKED;
    }
    case FUTEX_WAKE: case FUTEX_WAKE_BITSET: {
      const bitset = command == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : <u32>value3;
      if (bitset == 0 || (address & 3) != 0) return -(<i64>Errno.EINVAL);
      const key = new Key();
      keyOf(space, address, shared, key);
      return wakeKey(key, <i64><i32>expected, bitset);
    }
    case FUTEX_REQUEUE: case FUTEX_CMP_REQUEUE: {
      const wakeCount = <i64><i32>expected, requeueCount = <i64><i32><u32>timeout;
      if (wakeCount < 0 || requeueCount < 0 || (address & 3) != 0 || (address2 & 3) != 0) return -(<i64>Errno.EINVAL);
      if (command == FUTEX_CMP_REQUEUE) {
        const word = wordIn(space, address);
        if (word < 0) return word;
        if (<u32>word != <u32>value3) return -(<i64>Errno.EAGAIN);
      }
      const from = new Key(), to = new Key();
      keyOf(space, address, shared, from);
      keyOf(space, address2, shared, to);
      let done = wakeKey(from, wakeCount, FUTEX_BITSET_MATCH_ANY);
      for (let i = 0, moved: i64 = 0; i < state.waiters.length && moved < requeueCount; i++) {
        const other = state.waiters[i];
        if (other.keySpace != from.space || other.keyAddress != from.address) continue;
        other.keySpace = to.space;
        other.keyAddress = to.address;
        moved++;
        done++;
      }
      return done;
    }
    case FUTEX_WAKE_OP: return wakeOp(space, address, <i64><i32>expected, <i64><i32><u32>timeout, address2, <u32>value3, shared);
    default: return -(<i64>Errno.ENOSYS);   // the PI operations, FUTEX_FD, and unknown ones
  }
}

/** FUTEX_WAKE_OP: *uaddr2 is changed by the encoded operation (its old value kept), up to `count`
 * waiters on uaddr are woken, and up to `count2` on uaddr2 if the old value meets the encoded
 * comparison. */
function wakeOp(space: AddressSpace, address: u64, count: i64, count2: i64, address2: u64, encoded: u32, shared: bool): i64 {
  if ((address & 3) != 0 || (address2 & 3) != 0) return -(<i64>Errno.EINVAL);
  const operation = (encoded >> 28) & 7, shift = (encoded & 0x8000_0000) != 0, comparison = (encoded >> 24) & 15;
  // Both arguments are signed 12-bit fields; a shift past 31 is masked, as Linux does.
  let argument = <u32>((<i32>(encoded << 8)) >> 20);
  const comparand = <u32>((<i32>(encoded << 20)) >> 20);
  if (shift) argument = <u32>1 << (argument & 31);
  const old = wordIn(space, address2);
  if (old < 0) return old;
  const previous = <u32>old;
  let next: u32;
  switch (operation) {
    case 0: next = argument; break;              // FUTEX_OP_SET
    case 1: next = previous + argument; break;   // FUTEX_OP_ADD
    case 2: next = previous | argument; break;   // FUTEX_OP_OR
    case 3: next = previous & ~argument; break;  // FUTEX_OP_ANDN
    case 4: next = previous ^ argument; break;   // FUTEX_OP_XOR
    default: return -(<i64>Errno.ENOSYS);
  }
  store<u32>(state.buffer, next);
  if (copyOut(space, address2, state.buffer, 16, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
  let met: bool;
  const signedOld = <i32>previous, signedComparand = <i32>comparand;
  switch (comparison) {
    case 0: met = signedOld == signedComparand; break;
    case 1: met = signedOld != signedComparand; break;
    case 2: met = signedOld < signedComparand; break;
    case 3: met = signedOld <= signedComparand; break;
    case 4: met = signedOld > signedComparand; break;
    case 5: met = signedOld >= signedComparand; break;
    default: return -(<i64>Errno.ENOSYS);
  }
  const first = new Key();
  keyOf(space, address, shared, first);
  let woken = wakeKey(first, count, FUTEX_BITSET_MATCH_ANY);
  if (met) {
    const second = new Key();
    keyOf(space, address2, shared, second);
    woken += wakeKey(second, count2, FUTEX_BITSET_MATCH_ANY);
  }
  return woken;
}
