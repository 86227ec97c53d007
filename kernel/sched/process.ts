// A process: an address space, a capability table, its threads (one for now), its memory
// charges and how it ended. Made by spawn.ts, ended by processEnd (exit, kill, fault): every
// capability released, every frame freed, waiters completed. The registry of live processes is
// here too (ids, counts for leak checks).

import { CapabilityTable } from "../cap/capability-table";
import { ExitKind } from "../../abi/methods";
import { Opcode } from "../../abi/ring";
import { contextForget } from "../arch/hw";
import { endpointsThreadEnded } from "../objects/endpoint";
import { parkSpaceThreadEnded } from "../objects/park-space";
import { THREADS_MAXIMUM } from "../../abi/methods";
import { USER_LINEAR_START } from "../../abi/layout";
import { MemoryObject } from "../objects/memory";
import { frameFree } from "../memory/frames";
import { logEnd, LogLevel, logLine } from "../log/log";
import { AddressSpace } from "../vm/address-space";
import { threadNotify } from "../syscall/cap-enter";
import { BootProgram } from "../loader/boot-package";
import { schedulerRemove } from "./scheduler";
import { Joiner, Thread, ThreadState } from "./thread";
import { timeoutForget } from "./timeouts";
import { listRemoveAt } from "../collections/lists";
import { userHalfHide } from "../vm/user-half";

/** Pages a Memory object lent to a process, returned at its end. */
export class MemoryCharge {
  constructor(readonly memory: MemoryObject, public pages: u64) {}
}

export enum ProcessState { Running = 0, Ended = 1 }

export class Process {
  state: ProcessState = ProcessState.Running;
  exitCode: i32 = 0;
  exitKind: ExitKind = ExitKind.Exited;
  /** Its threads, by index (null where none runs); index 0 is the first. */
  threads: StaticArray<Thread | null> = new StaticArray<Thread | null>(<i32>THREADS_MAXIMUM);
  /** The startup grants every thread's ring lists besides its own ThreadControl: handle, iface. */
  startupGrants: u32[] = [];
  /** End of the linear memory mapped so far (bytes; starts after the rings' pages). */
  linearEnd: u64 = <u64>USER_LINEAR_START;
  charges: MemoryCharge[] = [];
  /** Linear-memory pages charged, over every Memory object (at most the manifest's quota). */
  pagesCharged: u64 = 0;
  /** ProcessHandle.waits not yet completed. */
  waiters: Joiner[] = [];

  constructor(readonly id: u32, readonly program: BootProgram, readonly space: AddressSpace, readonly table: CapabilityTable) {}

  /** Charges `pages` to `memory` (the caller checked the quota). */
  charge(memory: MemoryObject, pages: u64): void {
    memory.used += pages;
    this.pagesCharged += pages;
    for (let i = 0; i < this.charges.length; i++) {
      if (this.charges[i].memory === memory) { this.charges[i].pages += pages; return; }
    }
    memory.retain();
    this.charges.push(new MemoryCharge(memory, pages));
  }
}

class ProcessesState {
  nextId: u32 = 1;
  live: Process[] = [];
  /** Told about every process once it has fully ended (the test-run check). */
  endObserver: ((process: Process) => void) | null = null;
}
const state = new ProcessesState();

export function processEndObserve(observer: ((process: Process) => void) | null): void {
  state.endObserver = observer;
}

export function processRegister(process: Process): void {
  state.live.push(process);
}

export function processNextId(): u32 {
  return state.nextId++;
}

export function processesLive(): i32 {
  return state.live.length;
}

/** Ends `process` (no effect if it has ended): logs how, releases its capabilities, frees its
 * memory and thread, returns its charges and completes every wait on it. */
export function processEnd(process: Process, kind: ExitKind, code: i32): void {
  if (process.state == ProcessState.Ended) return;
  process.state = ProcessState.Ended;
  process.exitKind = kind;
  process.exitCode = code;
  const index = state.live.indexOf(process);
  if (index >= 0) listRemoveAt(state.live, index);

  const line = logLine(kind == ExitKind.Exited ? LogLevel.Debug : LogLevel.Info).text("process ").decimal(process.id).text(" (")
    .text(process.program.name).text(") ");
  if (kind == ExitKind.Exited) line.text("exited with code ").signedDecimal(code);
  else if (kind == ExitKind.Killed) line.text("was killed");
  else line.text("ended by a fault");
  logEnd();

  for (let i = 0; i < <i32>THREADS_MAXIMUM; i++) {
    const thread = process.threads[i];
    if (thread !== null) threadStop(thread);
  }
  process.table.releaseAll();
  for (let i = 0; i < process.charges.length; i++) {
    const charge = process.charges[i];
    charge.memory.used -= charge.pages;
    charge.memory.release();
  }
  process.charges = [];
  for (let i = 0; i < <i32>THREADS_MAXIMUM; i++) {
    const thread = process.threads[i];
    if (thread === null) continue;
    contextForget(thread.context);
    frameFree(thread.context);
    process.threads[i] = null;
  }
  // The user half may show it (it called exit, or faulted): stop that before freeing.
  userHalfHide(process.space);
  process.space.destroy();   // the ring pages and stacks are among its frames

  const waiters = process.waiters;
  process.waiters = [];
  for (let i = 0; i < waiters.length; i++) {
    const waiter = waiters[i];
    if (waiter.thread.state == ThreadState.Ended) continue;
    waiter.thread.ring.complete(waiter.userData, 0, exitValue(process), Opcode.Call);
    threadNotify(waiter.thread);
  }
  const observer = state.endObserver;
  if (observer !== null) observer(process);
}

/** Takes a thread off everything that could run or complete it: the scheduler, deadlines,
 * endpoints, parked words; completes its joiners. Its context frame is freed by the caller. */
export function threadStop(thread: Thread): void {
  if (thread.state == ThreadState.Ended) return;
  thread.state = ThreadState.Ended;
  schedulerRemove(thread);
  timeoutForget(thread);
  endpointsThreadEnded(thread);
  parkSpaceThreadEnded(thread);
  const joiners = thread.joiners;
  thread.joiners = [];
  for (let i = 0; i < joiners.length; i++) {
    const joiner = joiners[i];
    if (joiner.thread.state == ThreadState.Ended) continue;
    joiner.thread.ring.complete(joiner.userData, 0, thread.exitValue, Opcode.Call);
    threadNotify(joiner.thread);
  }
}

/** Ends one thread (ThreadControl.exit): the process too when it was the last. */
export function threadExit(thread: Thread, value: u64): void {
  const process = thread.process;
  thread.exitValue = value;
  let others = 0;
  for (let i = 0; i < <i32>THREADS_MAXIMUM; i++) {
    const other = process.threads[i];
    if (other !== null && other !== thread && other.state != ThreadState.Ended) others++;
  }
  if (others == 0) {
    processEnd(process, ExitKind.Exited, <i32>value);
    return;
  }
  threadStop(thread);
  contextForget(thread.context);
  frameFree(thread.context);
  process.threads[thread.index] = null;   // its ring page and stack stay mapped for the next one
}

/** ProcessHandle.wait's value: the exit code (low 32 bits) and ExitKind << 32. */
export function exitValue(process: Process): u64 {
  return (<u64>process.exitCode & 0xffff_ffff) | (<u64>process.exitKind << 32);
}
