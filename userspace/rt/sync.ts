// A mutex and a condition variable on ParkSpace (park.ts): the uncontended paths are one atomic
// operation each and never enter the kernel. Both are plain u32 words in linear memory (static
// or pinned, shared by address), so threads use them without allocating.
//
// Mutex word: 0 unlocked, 1 locked, 2 locked with waiters (Drepper, "Futexes are tricky", mutex 2).
// Condition word: a sequence number bumped by each signal.

import { park, unpark } from "./park";
import { atomicAdd32, atomicCompareExchange32, atomicLoad32, atomicStore32 } from "./syscalls";

/** Kernel parks taken by mutexes since boot (shared by every thread: a word, not a global). */
const parkCounter = memory.data(4, 4);

function exchange(address: usize, value: u32): u32 {
  while (true) {
    const seen = atomicLoad32(address);
    if (atomicCompareExchange32(address, seen, value) == seen) return seen;
  }
}

export function mutexLock(word: usize): void {
  let seen = atomicCompareExchange32(word, 0, 1);
  if (seen == 0) return;                          // uncontended: no kernel entry
  if (seen != 2) seen = exchange(word, 2);
  while (seen != 0) {
    atomicAdd32(parkCounter, 1);
    park(word, 2);
    seen = exchange(word, 2);
  }
}

export function mutexUnlock(word: usize): void {
  if (atomicAdd32(word, 0xffff_ffff) != 1) {     // there were waiters: hand over and wake one
    atomicStore32(word, 0);
    unpark(word, 1);
  }
}

/** Parks taken by mutexes so far. */
export function mutexParks(): u32 {
  return atomicLoad32(parkCounter);
}

/** Waits for a signal on `condition`, `mutex` held on entry and on return. */
export function conditionWait(condition: usize, mutex: usize): void {
  const sequence = atomicLoad32(condition);
  mutexUnlock(mutex);
  park(condition, sequence);
  // Relock as contended: another waiter may be parked on the mutex.
  let seen = exchange(mutex, 2);
  while (seen != 0) {
    atomicAdd32(parkCounter, 1);
    park(mutex, 2);
    seen = exchange(mutex, 2);
  }
}

export function conditionSignal(condition: usize): void {
  atomicAdd32(condition, 1);
  unpark(condition, 1);
}

export function conditionBroadcast(condition: usize): void {
  atomicAdd32(condition, 1);
  unpark(condition, 0xffff_ffff);
}
