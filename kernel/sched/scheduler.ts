// The scheduler: round-robin over runnable threads, preemptive on the tick (one tick per turn),
// with the CPU halted by C when nothing is runnable. Blocked threads are in no queue and cost
// nothing; deadlines (cap_enter timeouts, sleeps, timed parks) are timers (time/timers.ts) that
// the tick fires. arch/x86_64/user.c asks kernelSchedule which thread runs after every kernel
// entry. CPU time: from one schedulerNext to the next (or to its blocking or end), the clock runs
// for the thread that was handed the CPU, its kernel entries (system calls, interrupts taken while
// it ran) included, as tick-less accounting does; idle time is no one's.

import { Chain } from "../collections/lists";
import { monotonicNanos } from "../time/clock";
import { tickListen } from "../time/tick";
import { Process } from "./process";
import { Thread, ThreadState } from "./thread";
import { userHalfShow } from "../vm/user-half";

class SchedulerState {
  queue: Chain<Thread> = new Chain<Thread>();
  current: Thread | null = null;
  /** The tick ended the current thread's turn. */
  turnOver: bool = false;
  /** The thread schedulerNext last handed the CPU, and when (monotonic ns). */
  running: Thread | null = null;
  since: u64 = 0;
}
const state = new SchedulerState();

/** The thread that entered the kernel (or last ran), if it still exists. */
export function currentThread(): Thread | null {
  return state.current;
}

/** Makes a new or woken thread runnable (it runs after those already waiting). */
export function schedulerReady(thread: Thread): void {
  thread.state = ThreadState.Runnable;
  if (thread !== state.current) enqueue(thread);
}

@inline function enqueue(thread: Thread): void {
  if (thread.queued) return;
  thread.queued = true;
  state.queue.push(thread);
}

/** Takes a thread off the CPU and the queue (it blocked or ended). */
export function schedulerRemove(thread: Thread): void {
  if (thread === state.running) charge(monotonicNanos(), null);
  if (thread === state.current) state.current = null;
  if (!thread.queued) return;
  thread.queued = false;
  state.queue.remove(thread);
}

/** Listens to the tick: each tick ends the running thread's turn. */
export function schedulerInit(): void {
  tickListen(schedulerTick);
}

function schedulerTick(): void {
  state.turnOver = true;
}

/** The context (physical address) to run next, or 0 to idle; the user half shows its space. */
export function schedulerNext(): u64 {
  let next = pick();
  // A personality acts on its thread before it returns to user mode (a Linux signal is delivered
  // there): when that stops the thread or ends its process, another is picked.
  while (next !== null && next.process.personality !== null) {
    next.process.personality!.returning(next);
    if (next.state == ThreadState.Runnable) break;
    next = pick();
  }
  // The thread that ran runs on (a system call returning, most entries): its turn goes on and
  // the clock is read when it ends, not on every entry.
  if (next !== state.running) charge(monotonicNanos(), next);
  if (next === null) return 0;
  userHalfShow(next.process.space);
  return next.context;
}

/** The running thread's time until `now` to it and its process; `next` runs from `now`. */
function charge(now: u64, next: Thread | null): void {
  const running = state.running;
  if (running !== null) {
    const spent = now - state.since;
    running.cpuNanos += spent;
    running.process.cpuNanos += spent;
  }
  state.running = next;
  state.since = now;
}

/** `thread`'s CPU time so far, the turn it is in included. */
export function threadCpuNanos(thread: Thread): u64 {
  return thread.cpuNanos + (thread === state.running ? monotonicNanos() - state.since : 0);
}

/** `process`'s CPU time so far, the running thread's turn included. */
export function processCpuTotal(process: Process): u64 {
  const running = state.running;
  return process.cpuNanos + (running !== null && running.process === process ? monotonicNanos() - state.since : 0);
}

function pick(): Thread | null {
  let current = state.current;
  if (current !== null && current.state != ThreadState.Runnable) current = state.current = null;
  if (current !== null && !state.turnOver) return current;
  state.turnOver = false;
  if (state.queue.length == 0) return current;
  if (current !== null) enqueue(current);
  const next = state.queue.shift()!;
  next.queued = false;
  state.current = next;
  return next;
}
