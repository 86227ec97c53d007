// A ring event loop, for programs with many operations under way at once (tcp-echo, http-server,
// tcp-bench, tcp-push): each operation belongs to a Task, which has at most one under way, and
// its completion goes back to that task (the entry's user data is LOOP_TAG | the task's index).
// Three rules of the ring shape it (docs/abi/ring.md):
//   - the kernel takes an entry only when a completion slot is free and keeps the slot while the
//     operation waits (rule 3): at most LOOP_SLOTS operations are submitted and not reaped, and
//     the others wait here, first in first out, for a slot;
//   - so a wait must not hold its slot for ever while others queue: tasks give their waits
//     loop.waitTimeout(), short while others queue, and submit again on TimedOut;
//   - the C runtime grows linear memory by a synchronous call on this same ring, which must find
//     no other completion (userspace/rt/c/runtime.c): loopReserveHeap() before the first
//     submission makes room, so that what the loop allocates later never grows memory. No
//     synchronous call (ringCall, the clients' methods) may run while the loop has operations
//     under way: print through loop.print.

import { ConsoleMethod, CONSOLE_WRITE_MAXIMUM } from "../../abi/methods";
import { CAP_ENTER_NO_TIMEOUT, Opcode, RING_CQ_ENTRIES } from "../../abi/ring";
import { capEnter } from "./syscalls";
import { Completion, grant, ringPop, ringPushTagged, userAddress } from "./ring";
import { Interface } from "../../abi/interfaces";

/** Operations under way at most: every completion slot. */
export const LOOP_SLOTS: u32 = RING_CQ_ENTRIES;
/** User data of the loop's entries: a bit no synchronous call's counter reaches. */
const LOOP_TAG: u64 = <u64>1 << 62;
/** A wait's timeout while no task queues for a slot, and while some do (ns). */
export const LOOP_IDLE_TIMEOUT: u64 = 1_000_000_000;
export const LOOP_ROTATE_TIMEOUT: u64 = 20_000_000;

/** One sequence of operations, one under way at a time; subclasses say what to do next. */
export abstract class Task {
  /** Its index in the loop's table while added, else -1. */
  index: i32 = -1;
  /** An operation submitted (or queued for a slot) and not completed yet. */
  busy: bool = false;
  /** The queue for a slot: the next task, and the operation this one waits to submit. */
  queuedNext: Task | null = null;
  opcode: Opcode = Opcode.Nop;
  handle: u64 = 0;
  method: u32 = 0;
  argument0: u64 = 0;
  argument1: u64 = 0;
  argument2: u64 = 0;
  argument3: u64 = 0;

  /** Its operation completed with `result` (negative: -KernelError) and `value`. */
  abstract complete(loop: EventLoop, result: i64, value: u64): void;
}

/** Writes lines to the Console one at a time, in order, without waiting. */
class ConsoleTask extends Task {
  lines: string[] = [];
  /** The line being written (alive until its write completes). */
  writing: ArrayBuffer | null = null;

  constructor(readonly console: u64) { super(); }

  next(loop: EventLoop): void {
    if (this.busy || this.lines.length == 0) return;
    const bytes = String.UTF8.encode(this.lines.shift());
    this.writing = bytes;
    loop.submit(this, Opcode.Call, this.console, ConsoleMethod.Write, userAddress(changetype<usize>(bytes)),
      min(<u64>bytes.byteLength, CONSOLE_WRITE_MAXIMUM));
  }

  complete(loop: EventLoop, result: i64, value: u64): void {
    this.writing = null;
    this.next(loop);
  }
}

export class EventLoop {
  private readonly tasks: StaticArray<Task | null>;
  private readonly freeIndexes: i32[] = [];
  private underWay: u32 = 0;
  private queueHead: Task | null = null;
  private queueTail: Task | null = null;
  private queued: u32 = 0;
  private readonly completion: Completion = new Completion();
  private readonly printer: ConsoleTask | null;
  /** run() returns once this is set and nothing is under way. */
  stopping: bool = false;

  /** A loop for at most `capacity` tasks at once (one more for its console). */
  constructor(readonly capacity: i32) {
    this.tasks = new StaticArray<Task | null>(capacity + 1);
    for (let i = capacity; i >= 0; i--) this.freeIndexes.push(i);
    const console = grant(Interface.Console);
    const printer = console != 0 ? new ConsoleTask(console) : null;
    this.printer = printer;
    if (printer !== null) this.add(printer);
  }

  /** Gives `task` a place in the table: false when the table is full. */
  add(task: Task): bool {
    if (this.freeIndexes.length == 0 || task.index >= 0) return false;
    task.index = this.freeIndexes.pop();
    unchecked(this.tasks[task.index] = task);
    return true;
  }

  /** Takes `task` out; it must have nothing under way. */
  remove(task: Task): void {
    if (task.busy) abort("EventLoop.remove: an operation is under way");
    if (task.index < 0) return;
    unchecked(this.tasks[task.index] = null);
    this.freeIndexes.push(task.index);
    task.index = -1;
  }

  /** Tasks in the table (the console's included). */
  get count(): i32 {
    return this.capacity + 1 - this.freeIndexes.length;
  }

  /** The timeout a task gives a wait: short while tasks queue for a slot or more could. */
  waitTimeout(): u64 {
    return this.queued > 0 || <u32>this.count > LOOP_SLOTS ? LOOP_ROTATE_TIMEOUT : LOOP_IDLE_TIMEOUT;
  }

  /** Submits `task`'s one operation now, or as soon as a slot is free. */
  submit(task: Task, opcode: Opcode, handle: u64, method: u32, argument0: u64 = 0, argument1: u64 = 0, argument2: u64 = 0, argument3: u64 = 0): void {
    if (task.busy || task.index < 0) abort("EventLoop.submit: a task with an operation under way, or not added");
    task.busy = true;
    task.opcode = opcode;
    task.handle = handle;
    task.method = method;
    task.argument0 = argument0;
    task.argument1 = argument1;
    task.argument2 = argument2;
    task.argument3 = argument3;
    if (this.underWay < LOOP_SLOTS && this.queued == 0) {
      this.push(task);
      return;
    }
    if (this.queueTail === null) this.queueHead = task;
    else this.queueTail!.queuedNext = task;
    this.queueTail = task;
    this.queued++;
  }

  /** Queues `text` and a line feed for the console (nothing when the process has none). */
  print(text: string): void {
    const printer = this.printer;
    if (printer === null) return;
    printer.lines.push(text + "\n");
    printer.next(this);
  }

  /** Reaps completions and hands them to their tasks until stopping is set and nothing is under
   * way or queued. */
  run(): void {
    while (!(this.stopping && this.underWay == 0 && this.queued == 0 && !this.printerBusy())) {
      const ready = capEnter(1, CAP_ENTER_NO_TIMEOUT);
      if (ready < 0) abort("EventLoop.run: cap_enter refused the ring");
      for (let i = 0; i < ready; i++) {
        const userData = ringPop(this.completion);
        const index = <i32>(userData & 0xffff);
        if ((userData & ~(<u64>0xffff)) != LOOP_TAG || index > this.capacity) abort("EventLoop.run: a completion of no task");
        const task = unchecked(this.tasks[index]);
        if (task === null || !task.busy) abort("EventLoop.run: a completion of no task");
        this.underWay--;
        task!.busy = false;
        task!.complete(this, this.completion.result, this.completion.value);
        this.drain();
      }
    }
  }

  private printerBusy(): bool {
    const printer = this.printer;
    return printer !== null && (printer.busy || printer.lines.length > 0);
  }

  /** Submits queued operations while slots are free. */
  private drain(): void {
    while (this.underWay < LOOP_SLOTS && this.queueHead !== null) {
      const task = this.queueHead!;
      this.queueHead = task.queuedNext;
      if (this.queueHead === null) this.queueTail = null;
      task.queuedNext = null;
      this.queued--;
      this.push(task);
    }
  }

  private push(task: Task): void {
    this.underWay++;
    ringPushTagged(LOOP_TAG | <u64>task.index, task.opcode, task.handle, task.method, task.argument0, task.argument1, task.argument2, task.argument3);
  }
}

/** Makes the heap hold `bytes` more than it needs now, so that a loop allocating less than that
 * between collections never grows linear memory (see the header). Call before the first
 * submission. */
export function loopReserveHeap(bytes: usize): void {
  heap.free(heap.alloc(bytes));
}
