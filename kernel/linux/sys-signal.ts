// Signal calls (docs/linux.md, "Signals"): kill, tkill, tgkill, rt_sigreturn, rt_sigpending,
// rt_sigsuspend, rt_sigtimedwait, pause, alarm, setitimer and getitimer. rt_sigaction and
// rt_sigprocmask are in sys-process.ts, sigaltstack in signal-stack.ts. kill reaches only the
// caller's family (signal.ts): any other pid is ESRCH, as if it did not exist.

import { KernelError } from "../../abi/errors";
import { CONTEXT_RIP, contextRead } from "../arch/context";
import { Thread } from "../sched/thread";
import { monotonicNanos } from "../time/clock";
import { timerStart, timerStop } from "../time/timers";
import { copyIn, copyOut } from "../vm/user-memory";
import { linuxBlock, linuxWake } from "./block";
import { BLOCKED, Errno } from "./errno";
import { LinuxProcess, SIGNALS } from "./linux-process";
import { LinuxThread } from "./linux-thread";
import { Sys } from "./numbers";
import {
  ACTION_HANDLER, initIgnores, Scope, SI_KERNEL, SI_TKILL, SI_USER, SIG_DFL, SIG_IGN, signalBit, signalFind, signalFindThread, signalGroupSend, signalSend, signalTerminate, SIGSEGV,
  signalQueueHasRoom, signalTake, SYNCHRONOUS, UNBLOCKABLE,
} from "./signal";
import { signalFrameRestore, siginfoWrite } from "./signal-frame";

/** What sysSigreturn returns: the context is the frame's, rax included; nothing is written. */
export const RESTORED: i64 = i64.MIN_VALUE + 2;
const ITIMER_REAL: u64 = 0, ITIMER_PROF: u64 = 2;
const NANOSECONDS: u64 = 1_000_000_000;

class SignalCallsState {
  readonly buffer: usize = memory.data(160, 16);
}
const state = new SignalCallsState();

/** An int argument (the register's upper half is not the caller's). */
@inline function int(value: u64): i32 {
  return <i32>value;
}

/** kill(pid, signal): pid > 0 that process, 0 the caller's process group, -1 every process of
 * its family but itself and the family's root, < -1 the group -pid; signal 0 only checks. EINVAL
 * for a signal out of 1..64, ESRCH when nothing is found (outside the family nothing is). */
export function sysKill(thread: Thread, linux: LinuxProcess, pid: u64, signal: u64): i64 {
  const target = int(pid), number = int(signal);
  if (number < 0 || number > SIGNALS) return -(<i64>Errno.EINVAL);
  const self = thread.process.id;
  if (target > 0) {
    const found = signalFind(linux, target);
    if (found === null) return -(<i64>Errno.ESRCH);
    if (number != 0) signalSend(found, number, Scope.Process, SI_USER, self, 0);
    return 0;
  }
  const family = linux.signals.family;
  const group = target == 0 ? linux.signals.processGroup : target == -1 ? -1 : -target;
  if (target < -1 && -target <= 0) return -(<i64>Errno.ESRCH);   // -INT_MIN
  const count = signalGroupSend(family, group, number, SI_USER, self, target == -1 ? linux : null);
  return count > 0 ? 0 : -(<i64>Errno.ESRCH);
}

/** tkill(tid, signal) and tgkill(tgid, tid, signal): to one thread (a process's first thread has
 * its pid as tid), si_code SI_TKILL; tgkill's thread must be one of process tgid's. EINVAL for a
 * tid or tgid not positive; ESRCH for a thread not found (outside the family none is). */
export function sysTgkill(thread: Thread, linux: LinuxProcess, group: i64, tid: u64, signal: u64): i64 {
  const target = int(tid), number = int(signal);
  if (number < 0 || number > SIGNALS || target <= 0 || (group != -1 && group <= 0)) return -(<i64>Errno.EINVAL);
  const found = signalFindThread(linux, target);
  if (found === null) return -(<i64>Errno.ESRCH);
  const owner = changetype<LinuxProcess>(found.thread.process.personality);
  if (group != -1 && group != <i64>owner.process.id) return -(<i64>Errno.ESRCH);
  if (number != 0) signalSend(owner, number, Scope.Thread, SI_TKILL, thread.process.id, 0, found);
  return 0;
}

/** rt_sigqueueinfo(pid, signal, info) and rt_tgsigqueueinfo(tgid, tid, signal, info) (`group` -1
 * for the first): `signal` with the caller's siginfo (si_code, si_pid and si_value taken as given,
 * as Linux does) to a process of its family, or its one thread. A si_code of 0 or more, or
 * SI_TKILL, is the kernel's to send: EPERM unless the target is the caller. EAGAIN when the
 * target's queue is full (a real-time signal already pending and SIGNAL_QUEUE_MAXIMUM queued);
 * EINVAL, ESRCH, EFAULT as kill. */
export function sysSigqueueinfo(thread: Thread, linux: LinuxProcess, group: i64, pid: u64, signal: u64, information: u64): i64 {
  // Linux's order: the ids, the copy, the kernel's codes, the target, the signal.
  const target = int(pid), number = int(signal);
  if (group != -1 && (group <= 0 || target <= 0)) return -(<i64>Errno.EINVAL);
  if (copyIn(thread.process.space, state.buffer, 160, information, 128) != KernelError.None) return -(<i64>Errno.EFAULT);
  const code = load<i32>(state.buffer, 8);
  const sender = load<u32>(state.buffer, 16), value = load<u64>(state.buffer, 24);
  if ((code >= 0 || code == SI_TKILL) && target != <i32>thread.process.id) return -(<i64>Errno.EPERM);
  const to = group != -1 && target > 0 ? signalFindThread(linux, target) : null;
  const found = group == -1 ? (target > 0 ? signalFind(linux, target) : null)
    : to !== null ? changetype<LinuxProcess>(to.thread.process.personality) : null;
  if (found === null || (group != -1 && group != <i64>found.process.id)) return -(<i64>Errno.ESRCH);
  if (number < 0 || number > SIGNALS) return -(<i64>Errno.EINVAL);
  if (number == 0) return 0;
  if (!signalQueueHasRoom(found, number, to)) return -(<i64>Errno.EAGAIN);
  signalSend(found, number, to !== null ? Scope.Thread : Scope.Process, code, sender, value, to);
  return 0;
}

/** rt_sigreturn: the frame back (signal-frame.ts); a bad frame forces SIGSEGV (Linux's
 * signal_fault: a handler for it runs if one is installed and unblocked, else the process ends). */
export function sysSigreturn(thread: Thread, linux: LinuxProcess): i64 {
  if (signalFrameRestore(thread, linux)) return RESTORED;
  signalForce(linux, linux.threadOf(thread), SIGSEGV);
  return 0;
}

/** Linux's force_sig: `signal` to thread `own` even if blocked or ignored (its action back to
 * SIG_DFL then, and unblocked). */
export function signalForce(linux: LinuxProcess, own: LinuxThread, signal: i32): void {
  const slot = (signal - 1) * 4, bit = signalBit(signal);
  if (linux.signalActions[slot + ACTION_HANDLER] == SIG_IGN || (own.signalMask & bit) != 0) {
    for (let i = 0; i < 4; i++) linux.signalActions[slot + i] = 0;
    own.signalMask &= ~bit;
  }
  if (initIgnores(linux, signal)) signalTerminate(linux, signal);   // forced: init is not spared
  else signalSend(linux, signal, Scope.Thread, SI_KERNEL, 0, 0, own);
}

/** rt_sigpending(set, size): the signals pending and blocked. EINVAL for a size over 8. */
export function sysSigpending(thread: Thread, linux: LinuxProcess, set: u64, size: u64): i64 {
  if (size > 8) return -(<i64>Errno.EINVAL);
  const own = linux.threadOf(thread);
  store<u64>(state.buffer, (linux.signals.pending | own.pending) & own.signalMask);
  return copyOut(thread.process.space, set, state.buffer, 160, size) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** rt_sigsuspend(set, size): waits with `set` as the mask until a signal is delivered, then
 * EINTR; the handler's frame keeps the mask from before, which rt_sigreturn puts back. */
export function sysSigsuspend(thread: Thread, linux: LinuxProcess, set: u64, size: u64): i64 {
  if (size != 8) return -(<i64>Errno.EINVAL);
  if (set == 0) return -(<i64>Errno.EFAULT);
  const applied = signalCallMask(thread, linux, set, size);
  if (applied != 0) return applied;
  const own = linux.threadOf(thread);
  linuxBlock(thread, own.wait, <u64>Sys.rt_sigsuspend, 0);
  signalCallInterrupt(linux, own);
  return BLOCKED;
}

/** The mask `set` (8 bytes at `address`; none when 0) stands while a call waits (rt_sigsuspend,
 * ppoll, pselect6); the mask from before is saved, as Linux's TIF_RESTORE_SIGMASK: a handler's
 * frame takes it (rt_sigreturn puts it back), or signalCallMaskEnd does when the call answers.
 * A restart (after a stop, or a wake of ppoll) keeps the first saved mask. 0, or -errno (EINVAL
 * for a size other than 8, EFAULT). */
export function signalCallMask(thread: Thread, linux: LinuxProcess, address: u64, size: u64): i64 {
  if (address == 0) return 0;
  if (size != 8) return -(<i64>Errno.EINVAL);
  if (copyIn(thread.process.space, state.buffer, 160, address, 8) != KernelError.None) return -(<i64>Errno.EFAULT);
  const own = linux.threadOf(thread);
  if (!own.maskSaved) {
    own.savedMask = own.signalMask;
    own.maskSaved = true;
  }
  own.signalMask = load<u64>(state.buffer) & ~UNBLOCKABLE;
  return 0;
}

/** A call that waited with its own mask answered without a handler running: the mask from before
 * stands again (a signal it let through stays pending if that mask blocks it). */
export function signalCallMaskEnd(own: LinuxThread): void {
  if (!own.maskSaved) return;
  own.signalMask = own.savedMask;
  own.maskSaved = false;
}

/** After blocking with a call's mask: a signal pending already that the mask lets through is
 * acted on at once (the call ends with EINTR before its handler). */
export function signalCallInterrupt(linux: LinuxProcess, own: LinuxThread): void {
  if (((linux.signals.pending | own.pending) & ~own.signalMask) == 0) return;
  own.interrupted = true;
  linuxWake(own.wait);
}

/** pause: waits until a signal is delivered (EINTR after its handler). */
export function sysPause(thread: Thread, linux: LinuxProcess): i64 {
  linuxBlock(thread, linux.threadOf(thread).wait, <u64>Sys.pause, 0);
  return BLOCKED;
}

/** rt_sigtimedwait(set, info, timeout, size): takes a pending signal of `set` (blocked ones are
 * what it is for) and answers its number, its siginfo to `info`; waits for one until `timeout`
 * (none: for good), then EAGAIN. EINTR when another signal's handler runs. */
export function sysSigtimedwait(thread: Thread, linux: LinuxProcess, set: u64, information: u64, timeout: u64, size: u64): i64 {
  if (size != 8) return -(<i64>Errno.EINVAL);
  const space = thread.process.space, own = linux.threadOf(thread), signals = linux.signals;
  if (copyIn(space, state.buffer, 160, set, 8) != KernelError.None) return -(<i64>Errno.EFAULT);
  const wanted = load<u64>(state.buffer) & ~UNBLOCKABLE;
  const at = contextRead(<usize>thread.context, CONTEXT_RIP) - 2;
  const restarting = own.waitDeadline != 0 && own.waitAt == at;
  own.waitSet = 0;
  const ready = (signals.pending | own.pending) & wanted;
  if (ready != 0) {
    own.waitDeadline = 0;
    const synchronous = ready & SYNCHRONOUS;
    const signal = <i32>ctz(synchronous != 0 ? synchronous : ready) + 1;
    const bit = signalBit(signal), slot = (signal - 1) * 2;
    const fromThread = (own.pending & bit) != 0;
    const word = fromThread ? own.information[slot] : signals.information[slot];
    const value = fromThread ? own.information[slot + 1] : signals.information[slot + 1];
    signalTake(linux, own, signal, fromThread);
    if (information != 0) {
      siginfoWrite(state.buffer, signal, <i32><u32>word, <u32>(word >> 32), value);
      if (copyOut(space, information, state.buffer, 160, 128) != KernelError.None) return -(<i64>Errno.EFAULT);
    }
    return signal;
  }
  let deadline: u64 = 0;
  if (restarting) deadline = own.waitDeadline;
  else if (timeout != 0) {
    if (copyIn(space, state.buffer, 160, timeout, 16) != KernelError.None) return -(<i64>Errno.EFAULT);
    const seconds = load<i64>(state.buffer), nanoseconds = load<i64>(state.buffer, 8);
    if (seconds < 0 || nanoseconds < 0 || nanoseconds >= <i64>NANOSECONDS) return -(<i64>Errno.EINVAL);
    const now = monotonicNanos();
    const length = <u64>seconds > (u64.MAX_VALUE - now) / NANOSECONDS ? u64.MAX_VALUE - now : <u64>seconds * NANOSECONDS + <u64>nanoseconds;
    deadline = now + length;
  }
  if (timeout != 0 && monotonicNanos() >= deadline) {
    own.waitDeadline = 0;
    return -(<i64>Errno.EAGAIN);
  }
  own.waitSet = wanted;
  own.waitDeadline = deadline;
  own.waitAt = at;
  linuxBlock(thread, own.wait, <u64>Sys.rt_sigtimedwait, deadline);
  return BLOCKED;
}

/** The time left on the process's ITIMER_REAL, ns (0: not armed). */
function alarmLeft(linux: LinuxProcess): u64 {
  const alarm = linux.signals.alarm;
  if (!alarm.pending) return 0;
  const now = monotonicNanos();
  return alarm.deadline > now ? alarm.deadline - now : 1;
}

/** Arms ITIMER_REAL `value` ns from now (0: disarms), then every `interval` ns. */
function alarmSet(linux: LinuxProcess, value: u64, interval: u64): void {
  const alarm = linux.signals.alarm;
  timerStop(alarm);
  alarm.interval = interval;
  if (value != 0) timerStart(alarm, monotonicNanos() + value);
}

/** alarm(seconds): SIGALRM after `seconds` (0 cancels); the seconds the previous one had left,
 * rounded to the nearest (at least 1 while one was armed), as Linux answers. */
export function sysAlarm(linux: LinuxProcess, seconds: u64): i64 {
  const left = alarmLeft(linux);
  const seconds32 = <u64><u32>seconds;
  alarmSet(linux, seconds32 * NANOSECONDS, 0);
  if (left == 0) return 0;
  const microseconds = (left + 999) / 1000;
  let whole = microseconds / 1_000_000;
  if ((whole == 0 && microseconds != 0) || microseconds % 1_000_000 >= 500_000) whole++;
  return <i64>whole;
}

/** The itimerval `value` and `interval` (ns) to the buffer at `offset`, in µs rounded up. */
function itimervalStore(offset: usize, interval: u64, value: u64): void {
  const b = state.buffer + offset;
  const intervalMicro = (interval + 999) / 1000, valueMicro = (value + 999) / 1000;
  store<u64>(b, intervalMicro / 1_000_000);
  store<u64>(b, intervalMicro % 1_000_000, 8);
  store<u64>(b, valueMicro / 1_000_000, 16);
  store<u64>(b, valueMicro % 1_000_000, 24);
}

/** getitimer(which, value): ITIMER_REAL's time left and interval; ITIMER_VIRTUAL and ITIMER_PROF
 * are not kept (EINVAL, documented), others EINVAL. */
export function sysGetitimer(thread: Thread, linux: LinuxProcess, which: u64, value: u64): i64 {
  if (int(which) != <i32>ITIMER_REAL) return -(<i64>Errno.EINVAL);
  itimervalStore(0, linux.signals.alarm.interval, alarmLeft(linux));
  return copyOut(thread.process.space, value, state.buffer, 160, 32) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** setitimer(which, value, old): ITIMER_REAL (a null value disarms it, as Linux allows); EINVAL
 * for microseconds out of 0..999999 or negative seconds, and for the CPU-time timers. */
export function sysSetitimer(thread: Thread, linux: LinuxProcess, which: u64, value: u64, old: u64): i64 {
  const kind = int(which);
  if (kind < 0 || kind > <i32>ITIMER_PROF || kind != <i32>ITIMER_REAL) return -(<i64>Errno.EINVAL);
  const space = thread.process.space;
  let interval: u64 = 0, first: u64 = 0;
  if (value != 0) {
    if (copyIn(space, state.buffer + 64, 96, value, 32) != KernelError.None) return -(<i64>Errno.EFAULT);
    const b = state.buffer + 64;
    const intervalSeconds = load<i64>(b), intervalMicro = load<i64>(b, 8), seconds = load<i64>(b, 16), micro = load<i64>(b, 24);
    if (intervalSeconds < 0 || seconds < 0 || intervalMicro < 0 || micro < 0 || intervalMicro >= 1_000_000 || micro >= 1_000_000) {
      return -(<i64>Errno.EINVAL);
    }
    const limit = <i64>(u64.MAX_VALUE / 4 / NANOSECONDS);
    interval = <u64>min(intervalSeconds, limit) * NANOSECONDS + <u64>intervalMicro * 1000;
    first = <u64>min(seconds, limit) * NANOSECONDS + <u64>micro * 1000;
  }
  if (old != 0) {
    itimervalStore(0, linux.signals.alarm.interval, alarmLeft(linux));
    if (copyOut(space, old, state.buffer, 160, 32) != KernelError.None) return -(<i64>Errno.EFAULT);
  }
  alarmSet(linux, first, first != 0 ? interval : 0);
  return 0;
}
