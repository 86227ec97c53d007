// A process: an address space, a capability table, its threads, its memory charges and how it
// ended. Made by objects/spawn.ts, ended by processEnd (exit, kill, fault): every thread's waits
// cancelled, every capability released, every charge returned, every frame freed, its joiners
// completed. The registry of live processes (ids, counts for leak checks) is here too.
//
// Two kinds of charge (docs/ARCHITECTURE.md, "Kernel memory"). Linear memory grown through a
// Memory capability is charged to that capability's quota (charges). Everything else the process
// costs — its records and threads' kernel heap bytes, its table's storage, the frames of its
// image, stacks, rings, contexts and page tables — is charged to its account: the quota of the
// first Memory capability it was granted, or its spawner's account.

import { ExitKind, THREADS_MAXIMUM } from "../../abi/methods";
import { USER_LINEAR_BASE, USER_LINEAR_START, USER_RING_LINEAR } from "../../abi/layout";
import { contextForget } from "../arch/hw";
import { CapabilityTable } from "../cap/capability-table";
import { Chain, listRemoveAt } from "../collections/lists";
import { instanceBytes } from "../memory/heap-cost";
import { BootProgram } from "../loader/boot-package";
import { logEnd, LogLevel, logLine } from "../log/log";
import { frameFree } from "../memory/frames";
import { Quota } from "../memory/quota";
import { AddressSpace, KernelErrorCell } from "../vm/address-space";
import { KernelError } from "../../abi/errors";
import { PAGE_SIZE } from "../memory/page-table";
import { reclaimTable } from "../vm/reclaim";
import { userHalfHide } from "../vm/user-half";
import { Joiner, joinersComplete } from "./joiner";
import { Personality } from "./personality";
import { schedulerRemove } from "./scheduler";
import { Thread, ThreadState } from "./thread";
import { waitsCancel } from "./wait";
import { timerStop } from "../time/timers";

/** Pages a quota lent to a process, returned at its end (the charge holds a reference). */
export class Charge {
  next: Charge | null = null;
  constructor(readonly quota: Quota, public pages: u64) {}
}

/** Heap bytes of one charge record, paid by the process's account: the record, and the quota's
 * own record, which the charge may keep alive after its Memory object is gone. */
export const CHARGE_BYTES: u64 = instanceBytes<Charge>() + instanceBytes<Quota>();

export enum ProcessState { Running = 0, Ended = 1 }

export class Process {
  state: ProcessState = ProcessState.Running;
  exitCode: i32 = 0;
  exitKind: ExitKind = ExitKind.Exited;
  /** Its threads, by index (null where none runs); index 0 is the first. THREADS_MAXIMUM slots;
   * a Linux process's personality widens it (processWidenThreads). */
  threads: StaticArray<Thread | null> = new StaticArray<Thread | null>(<i32>THREADS_MAXIMUM);
  /** The startup grants every thread's ring lists besides its own ThreadControl: handle, iface. */
  startupGrants: u64[] = [];
  /** End of the linear memory mapped so far (bytes; starts after the rings' pages). */
  linearEnd: u64 = <u64>USER_LINEAR_START;
  /** Linear memory's charges, one per quota. */
  charges: Chain<Charge> = new Chain<Charge>();
  /** Linear-memory pages charged, over every quota (at most the manifest's quota). */
  pagesCharged: u64 = 0;
  /** ProcessHandle.waits not yet completed. */
  joiners: Chain<Joiner> = new Chain<Joiner>();
  /** Kernel heap bytes and frames charged to the account for this process (its threads' and
   * its space's included; its table charges the account itself). */
  accountBytes: u64 = 0;
  accountPages: u64 = 0;
  /** Nanoseconds its threads have been on the CPU, ended ones included (scheduler.ts). */
  cpuNanos: u64 = 0;
  /** The part of those that pays for the address space (processSettleSpace). */
  private spaceBytes: u64 = 0;
  private spacePages: u64 = 0;

  /** `account`: what pays for the process (retained here until its end). */
  /** Replaced whole only by processReplaceSpace. */
  space: AddressSpace;
  /** The ABI it speaks besides Capsid's (null: a native program); set once at spawn. */
  personality: Personality | null = null;

  /** What it runs: the program it was spawned from, until an execve (linux/sys-exec.ts) replaces it. */
  program: BootProgram;

  constructor(readonly id: u32, program: BootProgram, space: AddressSpace, readonly table: CapabilityTable,
    readonly account: Quota) {
    this.space = space;
    this.program = program;
    account.retain();
  }

  /** The charge record for `quota`, or null. */
  chargeFor(quota: Quota): Charge | null {
    let charge = this.charges.head;
    while (charge !== null && charge.quota !== quota) charge = charge.next;
    return charge;
  }

  /** Charges `pages` of linear memory to `quota` (the caller checked that they are available, and
   * that the account can pay CHARGE_BYTES when chargeFor(quota) is null). */
  charge(quota: Quota, pages: u64): void {
    const existing = this.chargeFor(quota);
    if (existing !== null) {
      quota.charge(pages);
      existing.pages += pages;
    } else {
      this.accountCharge(CHARGE_BYTES, 0);
      quota.charge(pages);
      quota.retain();
      this.charges.push(new Charge(quota, pages));
    }
    this.pagesCharged += pages;
  }

  /** Charges the account `bytes` of kernel heap and `pages` frames (the caller checked
   * account.kernelFits(bytes, pages)). */
  accountCharge(bytes: u64, pages: u64): void {
    this.account.charge(pages);
    this.account.chargeKernel(bytes);
    this.accountBytes += bytes;
    this.accountPages += pages;
  }

  /** Gives back what accountCharge charged. */
  accountUncharge(bytes: u64, pages: u64): void {
    this.account.unchargeKernel(bytes);
    this.account.uncharge(pages);
    this.accountBytes -= bytes;
    this.accountPages -= pages;
  }
}

/** Brings the account's charge for `process`'s address space to what it holds now: its frames
 * besides grown linear memory (charged to Memory quotas), and its lists' heap bytes. Called after
 * every change to the space; the caller checked that the growth fits (processSpaceGrowthBound). */
export function processSettleSpace(process: Process): void {
  const space = process.space;
  const pages = space.ownedFrames - process.pagesCharged, bytes = space.heapBytes();
  const oldBytes = process.spaceBytes, oldPages = process.spacePages;
  if (bytes >= oldBytes && pages >= oldPages) process.accountCharge(bytes - oldBytes, pages - oldPages);
  else {
    process.accountUncharge(oldBytes, oldPages);
    process.accountCharge(bytes, pages);
  }
  process.spaceBytes = bytes;
  process.spacePages = pages;
}

/** Replaces `process`'s address space whole with `next` (what execve will use): each live
 * thread's ring frame is mapped into `next` at its address (a Pinned region: the kernel reaches
 * the ring by frame), the charges of the old linear memory are returned (linear memory starts
 * again at USER_LINEAR_START), the old space is hidden and handed to teardown, and the account
 * is settled for `next`. Making the new image, stack and thread context is the caller's (the
 * loader's); the caller checked that the account can pay for `next` and that `next` leaves the
 * rings' addresses free. OutOfMemory when no frame is left for a ring's page table: the process
 * is unchanged, and the caller destroys `next`. */
export function processReplaceSpace(process: Process, next: AddressSpace): KernelError {
  const error = new KernelErrorCell();
  for (let i = 0; i < process.threads.length; i++) {
    const thread = process.threads[i];
    if (thread === null || thread.state == ThreadState.Ended) continue;
    if (next.mapPinned(USER_LINEAR_BASE + <u64>USER_RING_LINEAR + <u64>i * PAGE_SIZE, thread.ring.page, error) == 0) return error.value;
  }
  let charge = process.charges.shift();
  while (charge !== null) {
    charge.quota.uncharge(charge.pages);
    charge.quota.release();
    process.accountUncharge(CHARGE_BYTES, 0);
    charge = process.charges.shift();
  }
  process.pagesCharged = 0;
  process.linearEnd = <u64>USER_LINEAR_START;
  const old = process.space;
  userHalfHide(old);
  old.destroy();
  process.space = next;
  processSettleSpace(process);
  return KernelError.None;
}

/** At most how many heap bytes an operation that maps pages can add to the space's lists: each
 * list at most doubles, by a bounded number of entries. */
export function processSpaceGrowthBound(process: Process): u64 {
  return process.space.heapBytes() + 1024;
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

  for (let i = 0; i < process.threads.length; i++) {
    const thread = process.threads[i];
    if (thread !== null) threadStop(thread);
  }
  if (process.personality !== null) process.personality!.ended();
  reclaimTable(process.table);   // its capabilities are released a step at a time
  let charge = process.charges.shift();
  while (charge !== null) {
    charge.quota.uncharge(charge.pages);
    charge.quota.release();
    charge = process.charges.shift();
  }
  for (let i = 0; i < process.threads.length; i++) {
    const thread = process.threads[i];
    if (thread === null) continue;
    threadForget(thread);
    process.threads[i] = null;
  }
  // The user half may show it (it called exit, or faulted): stop that before freeing.
  userHalfHide(process.space);
  process.space.destroy();   // the ring pages and stacks are among its frames
  process.accountUncharge(process.accountBytes, process.accountPages);
  process.account.release();

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
  for (let i = 0; i < process.threads.length; i++) {
    const other = process.threads[i];
    if (other !== null && other !== thread && other.state != ThreadState.Ended) others++;
  }
  if (others == 0) {
    processEnd(process, ExitKind.Exited, <i32>value);
    return;
  }
  threadStop(thread);
  threadForget(thread);
  process.threads[thread.index] = null;   // its ring page and stack stay mapped for the next one
}

/** Gives `process` room for `slots` threads (more than it has; its threads keep their indices).
 * The caller pays for the new array (a personality's record: LINUX_PROCESS_BYTES). */
export function processWidenThreads(process: Process, slots: i32): void {
  const wider = new StaticArray<Thread | null>(slots);
  for (let i = 0; i < process.threads.length; i++) wider[i] = process.threads[i];
  process.threads = wider;
}

/** Frees a stopped thread's context frame and gives back what its account paid for it. */
function threadForget(thread: Thread): void {
  contextForget(thread.context);
  frameFree(thread.context);
  thread.process.accountUncharge(thread.chargedBytes, thread.chargedPages);
  thread.chargedBytes = 0;
  thread.chargedPages = 0;
}

/** ProcessHandle.wait's value: the exit code (low 32 bits) and ExitKind << 32. */
export function exitValue(process: Process): u64 {
  return (<u64>process.exitCode & 0xffff_ffff) | (<u64>process.exitKind << 32);
}
