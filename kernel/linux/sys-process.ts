// Process calls (docs/linux.md, "Processes"): the thread pointer (arch_prctl), the words the
// C library registers at start (set_tid_address, set_robust_list), prctl's name, and the signal
// dispositions and mask (signal.ts sends signals, signal-deliver.ts delivers them).

import { ExitKind } from "../../abi/methods";
import { USER_HALF_END } from "../../abi/layout";
import { KernelError } from "../../abi/errors";
import { CONTEXT_FS_BASE, contextRead, contextWrite } from "../arch/context";
import { processEnd } from "../sched/process";
import { Thread } from "../sched/thread";
import { copyIn, copyOut } from "../vm/user-memory";
import { Errno } from "./errno";
import { LinuxProcess, SIGNALS } from "./linux-process";
import { LinuxThread } from "./linux-thread";
import { signalDiscardIfIgnored } from "./signal";

const ARCH_SET_FS: u64 = 0x1002, ARCH_GET_FS: u64 = 0x1003;
const PR_SET_NAME: u64 = 15, PR_GET_NAME: u64 = 16;
const ROBUST_LIST_HEAD_SIZE: u64 = 24;
const SIGKILL: u64 = 9, SIGSTOP: u64 = 19;
const SIG_BLOCK: u64 = 0, SIG_UNBLOCK: u64 = 1, SIG_SETMASK: u64 = 2;
/** The bits of SIGKILL and SIGSTOP, which no mask blocks. */
const UNBLOCKABLE: u64 = (<u64>1 << (SIGKILL - 1)) | (<u64>1 << (SIGSTOP - 1));

class ProcessCallsState {
  readonly buffer: usize = memory.data(64, 16);
}
const state = new ProcessCallsState();

/** set_tid_address: the calling thread's word to clear at its end (sys-thread.ts); its tid. */
export function sysSetTidAddress(thread: Thread, linux: LinuxProcess, address: u64): i64 {
  const own = linux.threadOf(thread);
  own.clearChildTid = address;
  return <i64>own.tid;
}

/** set_robust_list: the calling thread's list, walked at its end (sys-thread.ts). */
export function sysSetRobustList(thread: Thread, linux: LinuxProcess, head: u64, length: u64): i64 {
  if (length != ROBUST_LIST_HEAD_SIZE) return -(<i64>Errno.EINVAL);
  linux.threadOf(thread).robustList = head;
  return 0;
}

/** get_robust_list(tid, head, length): thread `tid`'s list head (0: the caller's; a thread of its
 * own process, else ESRCH: reading another process's would need ptrace) and 24; EFAULT. */
export function sysGetRobustList(thread: Thread, linux: LinuxProcess, tid: u64, head: u64, length: u64): i64 {
  const wanted = <i32>tid;
  let own: LinuxThread | null = null;
  if (wanted == 0) own = linux.threadOf(thread);
  else {
    for (let i = 0; i < linux.threads.length; i++) {
      const other = linux.threads[i];
      if (other !== null && <i32>other.tid == wanted) own = other;
    }
  }
  if (own === null) return -(<i64>Errno.ESRCH);
  const space = thread.process.space;
  store<u64>(state.buffer, own.robustList);
  store<u64>(state.buffer + 8, ROBUST_LIST_HEAD_SIZE);
  if (copyOut(space, head, state.buffer, 64, 8) != KernelError.None) return -(<i64>Errno.EFAULT);
  if (copyOut(space, length, state.buffer + 8, 56, 8) != KernelError.None) return -(<i64>Errno.EFAULT);
  return 0;
}

/** arch_prctl: the FS base (the C library's thread pointer); GS and the rest are EINVAL. */
export function sysArchPrctl(thread: Thread, code: u64, address: u64): i64 {
  const context = <usize>thread.context;
  if (code == ARCH_SET_FS) {
    if (address >= USER_HALF_END) return -(<i64>Errno.EPERM);
    contextWrite(context, CONTEXT_FS_BASE, address);
    return 0;
  }
  if (code == ARCH_GET_FS) {
    store<u64>(state.buffer, contextRead(context, CONTEXT_FS_BASE));
    return copyOut(thread.process.space, address, state.buffer, 64, 8) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
  }
  return -(<i64>Errno.EINVAL);
}

/** prctl: PR_SET_NAME and PR_GET_NAME (16 bytes with the NUL); other options EINVAL. */
export function sysPrctl(thread: Thread, linux: LinuxProcess, option: u64, argument: u64): i64 {
  const space = thread.process.space;
  if (option == PR_SET_NAME) {
    let length = 0;
    for (; length < 15; length++) {
      if (copyIn(space, state.buffer + <usize>length, 64, argument + <u64>length, 1) != KernelError.None) return -(<i64>Errno.EFAULT);
      if (load<u8>(state.buffer + <usize>length) == 0) break;
    }
    linux.name = String.UTF8.decodeUnsafe(state.buffer, <usize>length);
    return 0;
  }
  if (option == PR_GET_NAME) {
    memory.fill(state.buffer, 0, 16);
    const bytes = String.UTF8.encode(linux.name);
    memory.copy(state.buffer, changetype<usize>(bytes), <usize>min(bytes.byteLength, 15));
    return copyOut(space, argument, state.buffer, 64, 16) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
  }
  return -(<i64>Errno.EINVAL);
}

/** rt_sigaction: the kernel's struct sigaction (handler, flags, restorer, mask: 32 bytes). */
export function sysSigaction(thread: Thread, signal: u64, action: u64, old: u64, setSize: u64): i64 {
  const linux = changetype<LinuxProcess>(thread.process.personality);
  if (setSize != 8) return -(<i64>Errno.EINVAL);
  if (signal < 1 || signal > <u64>SIGNALS) return -(<i64>Errno.EINVAL);
  if (action != 0 && (signal == SIGKILL || signal == SIGSTOP)) return -(<i64>Errno.EINVAL);
  const space = thread.process.space, slot = <i32>(signal - 1) * 4;
  if (action != 0 && copyIn(space, state.buffer + 32, 64, action, 32) != KernelError.None) return -(<i64>Errno.EFAULT);
  if (old != 0) {
    for (let i = 0; i < 4; i++) store<u64>(state.buffer + <usize>i * 8, linux.signalActions[slot + i]);
    if (copyOut(space, old, state.buffer, 64, 32) != KernelError.None) return -(<i64>Errno.EFAULT);
  }
  if (action != 0) {
    for (let i = 0; i < 4; i++) linux.signalActions[slot + i] = load<u64>(state.buffer + 32 + <usize>i * 8);
    linux.signalActions[slot + 3] &= ~UNBLOCKABLE;
    signalDiscardIfIgnored(linux, <i32>signal);
  }
  return 0;
}

/** rt_sigprocmask: the calling thread's mask; SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK; SIGKILL and
 * SIGSTOP are never blocked. */
export function sysSigprocmask(thread: Thread, how: u64, set: u64, old: u64, setSize: u64): i64 {
  const own = changetype<LinuxProcess>(thread.process.personality).threadOf(thread);
  if (setSize != 8) return -(<i64>Errno.EINVAL);
  const space = thread.process.space;
  let next = own.signalMask;
  if (set != 0) {
    if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK) return -(<i64>Errno.EINVAL);
    if (copyIn(space, state.buffer, 64, set, 8) != KernelError.None) return -(<i64>Errno.EFAULT);
    const bits = load<u64>(state.buffer);
    next = how == SIG_BLOCK ? next | bits : how == SIG_UNBLOCK ? next & ~bits : bits;
  }
  if (old != 0) {
    store<u64>(state.buffer + 8, own.signalMask);
    if (copyOut(space, old, state.buffer + 8, 56, 8) != KernelError.None) return -(<i64>Errno.EFAULT);
  }
  own.signalMask = next & ~UNBLOCKABLE;
  return 0;
}
