// A process: an address space, a capability table, its threads, its memory charges and how it
// ended. Made by objects/spawn.ts, ended by processEnd (exit, kill, fault): every thread's waits
// cancelled, every capability released, every charge returned, every frame freed, its joiners
// completed. The registry of live processes (ids, counts for leak checks) is here too.

import { ExitKind, THREADS_MAXIMUM } from "../../abi/methods";
import { USER_LINEAR_START } from "../../abi/layout";
import { contextForget } from "../arch/hw";
import { CapabilityTable } from "../cap/capability-table";
import { Chain, listRemoveAt } from "../collections/lists";
import { BootProgram } from "../loader/boot-package";
import { logEnd, LogLevel, logLine } from "../log/log";
import { frameFree } from "../memory/frames";
import { Quota } from "../memory/quota";
import { AddressSpace } from "../vm/address-space";
import { userHalfHide } from "../vm/user-half";
import { Joiner, joinersComplete } from "./joiner";
import { schedulerRemove } from "./scheduler";
import { Thread, ThreadState } from "./thread";
import { waitsCancel } from "./wait";
import { timerStop } from "../time/timers";

/** Pages a quota lent to a process, returned at its end (the charge holds a reference). */
export class Charge {
  constructor(readonly quota: Quota, public pages: u64) {}
}

export enum ProcessState { Running = 0, Ended = 1 }

export class Process {
  state: ProcessState = ProcessState.Running;
  exitCode: i32 = 0;
  exitKind: ExitKind = ExitKind.Exited;
  /** Its threads, by index (null where none runs); index 0 is the first. */
  threads: StaticArray<Thread | null> = new StaticArray<Thread | null>(<i32>THREADS_MAXIMUM);
  /** The startup grants every thread's ring lists besides its own ThreadControl: handle, iface. */
  startupGrants: u64[] = [];
  /** End of the linear memory mapped so far (bytes; starts after the rings' pages). */
  linearEnd: u64 = <u64>USER_LINEAR_START;
  charges: Charge[] = [];
  /** Linear-memory pages charged, over every quota (at most the manifest's quota). */
  pagesCharged: u64 = 0;
  /** ProcessHandle.waits not yet completed. */
  joiners: Chain<Joiner> = new Chain<Joiner>();

  constructor(readonly id: u32, readonly program: BootProgram, readonly space: AddressSpace, readonly table: CapabilityTable) {}

  /** Charges `pages` to `quota` (the caller checked that they are available). */
  charge(quota: Quota, pages: u64): void {
    quota.charge(pages);
    this.pagesCharged += pages;
    for (let i = 0; i < this.charges.length; i++) {
      if (this.charges[i].quota === quota) { this.charges[i].pages += pages; return; }
    }
    quota.retain();
    this.charges.push(new Charge(quota, pages));
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

/** Ends `process` (no effect if it has ended): logs how, stops its threads, releases its
 * capabilities, returns its charges, frees its memory and completes every wait on it. */
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
  process.table.discard();
  for (let i = 0; i < process.charges.length; i++) {
    const charge = process.charges[i];
    charge.quota.uncharge(charge.pages);
    charge.quota.release();
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

  joinersComplete(process.joiners, exitValue(process));
  const observer = state.endObserver;
  if (observer !== null) observer(process);
}

/** Takes a thread off everything that could run or complete it: the scheduler, its cap_enter
 * deadline, every wait it holds (cancelled); completes its joiners. Its context frame is freed
 * by the caller. */
export function threadStop(thread: Thread): void {
  if (thread.state == ThreadState.Ended) return;
  thread.state = ThreadState.Ended;
  schedulerRemove(thread);
  timerStop(thread.timeout);
  waitsCancel(thread);
  joinersComplete(thread.joiners, thread.exitValue);
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
