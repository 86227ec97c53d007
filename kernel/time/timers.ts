// Deadlines: a binary min-heap of timers, each owned by the object that waits (a cap_enter, a
// sleep, a timed park), checked on every tick. Starting or stopping a timer costs O(log n) and
// allocates nothing but, rarely, the heap array's growth; a tick with nothing due reads one
// entry. Never early: a timer fires only once the monotonic clock has reached its deadline, and
// at most one tick late. The layers above subclass Timer; this one never names them.

import { monotonicNanos } from "./clock";

/** A deadline and what happens at it. Pending while it is in the heap. */
export abstract class Timer {
  /** Monotonic nanoseconds; meaningful while pending. */
  deadline: u64 = 0;
  /** Its place in the heap, or -1 when not pending. */
  heapIndex: i32 = -1;

  @inline get pending(): bool { return this.heapIndex >= 0; }

  /** The deadline passed: called once per start, from the tick with interrupts masked, after the
   * timer left the heap (it may start itself again). */
  abstract expire(): void;
}

class TimersState {
  heap: Timer[] = [];
}
const state = new TimersState();

/** Makes `timer` fire at `deadline` (moving it if it is pending already). */
export function timerStart(timer: Timer, deadline: u64): void {
  if (timer.pending) timerStop(timer);
  timer.deadline = deadline;
  const heap = state.heap;
  timer.heapIndex = heap.length;
  heap.push(timer);
  siftUp(timer.heapIndex);
}

/** Takes `timer` out of the heap; nothing when it is not pending. */
export function timerStop(timer: Timer): void {
  const index = timer.heapIndex;
  if (index < 0) return;
  const heap = state.heap;
  const last = heap.length - 1;
  timer.heapIndex = -1;
  if (index != last) {
    const moved = unchecked(heap[last]);
    unchecked(heap[index] = moved);
    moved.heapIndex = index;
    heap.length = last;
    siftDown(index);
    siftUp(moved.heapIndex);
  } else {
    heap.length = last;
  }
}

/** Timers pending (for leak checks). */
export function timersPending(): i32 {
  return state.heap.length;
}

/** From the tick: fires, earliest first, every timer whose deadline has passed. */
export function timersExpire(): void {
  const heap = state.heap;
  if (heap.length == 0) return;
  const now = monotonicNanos();
  while (heap.length > 0 && unchecked(heap[0]).deadline <= now) {
    const timer = unchecked(heap[0]);
    timerStop(timer);
    timer.expire();
  }
}

function siftUp(index: i32): void {
  const heap = state.heap;
  const timer = unchecked(heap[index]);
  while (index > 0) {
    const parentIndex = (index - 1) >> 1;
    const parent = unchecked(heap[parentIndex]);
    if (parent.deadline <= timer.deadline) break;
    unchecked(heap[index] = parent);
    parent.heapIndex = index;
    index = parentIndex;
  }
  unchecked(heap[index] = timer);
  timer.heapIndex = index;
}

function siftDown(index: i32): void {
  const heap = state.heap;
  const length = heap.length;
  const timer = unchecked(heap[index]);
  while (true) {
    let child = 2 * index + 1;
    if (child >= length) break;
    if (child + 1 < length && unchecked(heap[child + 1]).deadline < unchecked(heap[child]).deadline) child++;
    const smaller = unchecked(heap[child]);
    if (smaller.deadline >= timer.deadline) break;
    unchecked(heap[index] = smaller);
    smaller.heapIndex = index;
    index = child;
  }
  unchecked(heap[index] = timer);
  timer.heapIndex = index;
}
