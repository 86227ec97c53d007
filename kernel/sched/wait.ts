// Waits: what a thread is waiting for or holding that must be undone if it ends first: a call
// in flight, a RECV, a park, a sleep, a join. Each kind is a subclass in the objects layer (or
// joiner.ts), linked into its thread's list while it lasts; when the thread ends, every wait in
// the list is cancelled (threadStop, process.ts), so scheduling and process teardown never name
// an object type. A wait is also a Timer: those with a deadline (a sleep, a timed park) start it.

import { Timer, timerStop } from "../time/timers";
import { Thread } from "./thread";

export abstract class Wait extends Timer {
  /** The thread whose list holds this wait; null when it is in none. */
  waiter: Thread | null = null;
  private previousWait: Wait | null = null;
  private nextWait: Wait | null = null;

  /** The waiter ended before the wait was over: give back what it holds (slots, capabilities,
   * queue places), complete nothing. Called once, after the wait left the list and its timer
   * stopped. */
  abstract cancel(): void;

  /** What it waits on changed (a pipe's ring): a wait that looks again overrides this. */
  wake(): void {}

  /** Its deadline passed; only waits that start their timer override this. */
  expire(): void {
    abort("Wait.expire: this kind of wait has no deadline");
  }

  /** Links the wait into `thread`'s list; it must be in none. */
  @inline begin(thread: Thread): void {
    if (this.waiter !== null) abort("Wait.begin: the wait is in a list already");
    this.waiter = thread;
    this.previousWait = null;
    const first = thread.waits;
    this.nextWait = first;
    if (first !== null) first.previousWait = this;
    thread.waits = this;
  }

  /** Unlinks the wait from its thread's list and stops its timer; nothing when it is in none. */
  @inline end(): void {
    if (this.heapIndex >= 0) timerStop(this);
    const thread = this.waiter;
    if (thread === null) return;
    const previous = this.previousWait, next = this.nextWait;
    if (previous !== null) previous.nextWait = next;
    else thread.waits = next;
    if (next !== null) next.previousWait = previous;
    this.waiter = null;
  }

  /** Ends this wait and puts `successor`, which must be in no list, in its place in the same
   * thread's list: one step where end() and begin() would take two (a RECV that becomes the
   * hold on the call it received). This wait must have no timer running. */
  @inline handOver(successor: Wait): void {
    const thread = this.waiter!;
    if (successor.waiter !== null) abort("Wait.handOver: the successor is in a list already");
    const previous = this.previousWait, next = this.nextWait;
    successor.waiter = thread;
    successor.previousWait = previous;
    successor.nextWait = next;
    if (previous !== null) previous.nextWait = successor;
    else thread.waits = successor;
    if (next !== null) next.previousWait = successor;
    this.waiter = null;
  }
}

/** Waits to tell when something changes (a pipe's ring, an event counter, an epoll set, the
 * tty): each is told once (Wait.wake), then dropped; one that still waits registers again. */
export class WaitList {
  readonly waits: Wait[] = [];

  /** Registers `wait`, unless it is registered already. */
  add(wait: Wait): void {
    if (!this.waits.includes(wait)) this.waits.push(wait);
  }

  /** Tells every wait that the thing changed (each looks again). */
  wakeAll(): void {
    const waits = this.waits;
    while (waits.length > 0) waits.pop().wake();
  }
}

/** Cancels every wait `thread` holds (it ended), newest first. A cancel may end other waits of
 * the same thread (an endpoint whose last capability goes fails its calls): each is unlinked
 * before its cancel runs, so the list stays consistent. */
export function waitsCancel(thread: Thread): void {
  let wait = thread.waits;
  while (wait !== null) {
    wait.end();
    wait.cancel();
    wait = thread.waits;
  }
}
