// Threads (docs/linux.md, "Threads"): clone with the thread flags makes a thread of the calling
// process (a Capsid thread of the same process: one address space, one capability table, so one
// set of descriptors and one namespace), exit ends one thread, exit_group the process, and
// execve ends the other threads first. A thread's end clears its CLONE_CHILD_CLEARTID word and
// wakes a futex waiter there (pthread_join), and walks its robust list (futex.ts).

import { KernelError } from "../../abi/errors";
import { ExitKind } from "../../abi/methods";
import { CONTEXT_FS_BASE, CONTEXT_RAX, CONTEXT_RSP, CONTEXT_SIZE, contextRead, contextWrite } from "../arch/context";
import { contextSaveFpu } from "../arch/hw";
import { framesFree } from "../memory/frames";
import { THREAD_BYTES } from "../objects/costs";
import { processEnd, processNextId, processSpaceGrowthBound, threadExit } from "../sched/process";
import { Thread, ThreadState } from "../sched/thread";
import { threadCreate, threadFramesNeeded } from "../sched/threads";
import { USER_HALF_END } from "../../abi/layout";
import { AddressSpace } from "../vm/address-space";
import { copyIn, copyOut } from "../vm/user-memory";
import { Errno } from "./errno";
import { futexWakeWord } from "./futex";
import { LinuxProcess } from "./linux-process";
import { LINUX_THREAD_BYTES, LinuxThread } from "./linux-thread";

export const CLONE_VM: u64 = 0x100, CLONE_FS: u64 = 0x200, CLONE_FILES: u64 = 0x400, CLONE_SIGHAND: u64 = 0x800;
export const CLONE_THREAD: u64 = 0x1_0000, CLONE_SYSVSEM: u64 = 0x4_0000, CLONE_SETTLS: u64 = 0x8_0000;
export const CLONE_PARENT_SETTID: u64 = 0x10_0000, CLONE_CHILD_CLEARTID: u64 = 0x20_0000, CLONE_DETACHED: u64 = 0x40_0000;
export const CLONE_CHILD_SETTID: u64 = 0x100_0000;
const CSIGNAL: u64 = 0xff;
/** What a thread must share: Capsid's threads share the whole process. */
const THREAD_SHARES: u64 = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
const THREAD_FLAGS: u64 = THREAD_SHARES | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED
  | CLONE_CHILD_SETTID | CSIGNAL;

/** The robust futex list's walk stops after this many entries (Linux's ROBUST_LIST_LIMIT). */
const ROBUST_LIST_LIMIT: i32 = 2048;
const FUTEX_WAITERS: u32 = 0x8000_0000, FUTEX_OWNER_DIED: u32 = 0x4000_0000, FUTEX_TID_MASK: u32 = 0x3fff_ffff;

class ThreadCallsState {
  readonly buffer: usize = memory.data(32, 16);
}
const state = new ThreadCallsState();

/** clone with CLONE_THREAD: a new thread of the caller's process, starting after the SYSCALL with
 * the caller's registers, rax 0, `stack` as its stack (the caller's when 0) and `tls` as its FS
 * base with CLONE_SETTLS. Its tid to the caller (and to `parentTid`, `childTid` as asked).
 * EINVAL for a thread that would not share the memory, descriptors, working directory and signal
 * handlers (Capsid's threads share the whole process), or for flags beyond the thread flags;
 * EAGAIN past LINUX_THREADS_MAXIMUM threads; ENOMEM when its records or frames do not fit. */
export function sysCloneThread(thread: Thread, linux: LinuxProcess, flags: u64, stack: u64, parentTid: u64, childTid: u64, tls: u64): i64 {
  if ((flags & THREAD_SHARES) != THREAD_SHARES || (flags & ~THREAD_FLAGS) != 0) return -(<i64>Errno.EINVAL);
  if ((flags & CLONE_SETTLS) != 0 && tls >= USER_HALF_END) return -(<i64>Errno.EPERM);
  const process = thread.process;
  let index = -1;
  for (let i = 1; i < process.threads.length; i++) {
    if (process.threads[i] === null) {
      index = i;
      break;
    }
  }
  if (index < 0) return -(<i64>Errno.EAGAIN);
  const bytes = THREAD_BYTES + LINUX_THREAD_BYTES;
  if (framesFree() < threadFramesNeeded()) return -(<i64>Errno.ENOMEM);
  if (process.account.kernelFits(bytes + processSpaceGrowthBound(process), threadFramesNeeded()) != KernelError.None) return -(<i64>Errno.ENOMEM);
  const context = <usize>thread.context;
  const top = stack != 0 ? stack : contextRead(context, CONTEXT_RSP);
  const tid = processNextId();
  const child = threadCreate(process, index, 0, 0, 0, 0, bytes, top != 0 ? top : 1);
  contextSaveFpu(thread.context);
  memory.copy(<usize>child.context, context, CONTEXT_SIZE);
  contextWrite(<usize>child.context, CONTEXT_RAX, 0);
  contextWrite(<usize>child.context, CONTEXT_RSP, top);
  if ((flags & CLONE_SETTLS) != 0) contextWrite(<usize>child.context, CONTEXT_FS_BASE, tls);
  const own = new LinuxThread(child, tid);
  own.signalMask = linux.threadOf(thread).signalMask;   // no alternate stack: Linux clears it for CLONE_VM
  linux.threads[index] = own;
  store<u32>(state.buffer, tid);
  const space = process.space;
  // The words are in the one memory both threads share; a bad address is not an error, as on Linux.
  if ((flags & CLONE_PARENT_SETTID) != 0) copyOut(space, parentTid, state.buffer, 32, 4);
  if ((flags & CLONE_CHILD_SETTID) != 0) copyOut(space, childTid, state.buffer, 32, 4);
  if ((flags & CLONE_CHILD_CLEARTID) != 0) own.clearChildTid = childTid;
  return <i64>tid;
}

/** exit: the calling thread ends (its process too when it was the last, with `code`). */
export function sysExitThread(thread: Thread, linux: LinuxProcess, code: u64): i64 {
  const own = linux.threadOf(thread);
  let others = 0;
  for (let i = 0; i < linux.threads.length; i++) {
    const other = unchecked(linux.threads[i]);
    if (other !== null && other !== own && other.thread.state != ThreadState.Ended) others++;
  }
  if (others == 0) {
    processEnd(thread.process, ExitKind.Exited, <i32>(code & 0xff));
    return 0;
  }
  threadLeaves(linux, own);
  threadExit(thread, code & 0xff);
  return 0;
}

/** exit_group: every thread ends, the process with `code`. */
export function sysExitGroup(thread: Thread, code: u64): i64 {
  processEnd(thread.process, ExitKind.Exited, <i32>(code & 0xff));
  return 0;
}

/** Ends every thread of `linux` but `thread` (execve), each as its own exit would, but for its
 * robust list and tid word: the memory they are in is about to go. */
export function linuxEndOtherThreads(thread: Thread, linux: LinuxProcess): void {
  for (let i = 0; i < linux.threads.length; i++) {
    const other = unchecked(linux.threads[i]);
    if (other === null || other.thread === thread) continue;
    linux.threads[i] = null;
    if (other.thread.state != ThreadState.Ended) threadExit(other.thread, 0);
  }
}

/** What a thread's end does for the others (Linux's mm_release): its robust futexes are marked
 * OWNER_DIED and a waiter woken on each, its tid word cleared and a waiter woken there. */
function threadLeaves(linux: LinuxProcess, own: LinuxThread): void {
  const space = own.thread.process.space;
  if (own.robustList != 0) robustListWalk(linux, own);
  if (own.clearChildTid != 0) {
    store<u32>(state.buffer, 0);
    if (copyOut(space, own.clearChildTid, state.buffer, 32, 4) == KernelError.None) futexWakeWord(space, own.clearChildTid);
  }
  linux.threads[own.thread.index] = null;
}

/** Walks `own`'s robust list (struct robust_list_head: the first entry, the futex word's offset
 * from each entry, the entry being changed), as Linux's exit_robust_list: at most
 * ROBUST_LIST_LIMIT entries, stopping at the first unreadable word. */
function robustListWalk(linux: LinuxProcess, own: LinuxThread): void {
  const space = own.thread.process.space, head = own.robustList, b = state.buffer;
  if (copyIn(space, b, 32, head, 24) != KernelError.None) return;
  let entry = load<u64>(b) & ~(<u64>1);
  const offset = load<i64>(b, 8), pending = load<u64>(b, 16) & ~(<u64>1);
  for (let count = 0; entry != head && count < ROBUST_LIST_LIMIT; count++) {
    if (copyIn(space, b, 32, entry, 8) != KernelError.None) return;
    const next = load<u64>(b) & ~(<u64>1);
    if (entry != pending) futexOwnerDied(space, entry + <u64>offset, own.tid);
    entry = next;
  }
  if (pending != 0) futexOwnerDied(space, pending + <u64>offset, own.tid);
}

/** A robust futex word `tid` held: OWNER_DIED set (the waiters bit kept), a waiter woken. */
function futexOwnerDied(space: AddressSpace, address: u64, tid: u32): void {
  if ((address & 3) != 0 || copyIn(space, state.buffer, 32, address, 4) != KernelError.None) return;
  const word = load<u32>(state.buffer);
  if ((word & FUTEX_TID_MASK) != tid) return;
  store<u32>(state.buffer, (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED);
  if (copyOut(space, address, state.buffer, 32, 4) != KernelError.None) return;
  if ((word & FUTEX_WAITERS) != 0) futexWakeWord(space, address);
}
