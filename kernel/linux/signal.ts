// Linux signals (docs/linux.md, "Signals"): the numbers, a process's and a thread's signal state,
// sending (kill and the kernel's own sources: SIGCHLD, SIGPIPE, SIGALRM, faults), process groups
// and sessions, and the API the rest of the personality uses (the tty's foreground group,
// execve). Delivery on the way back to user mode is signal-deliver.ts, the frame
// signal-frame.ts, the calls sys-signal.ts and sys-process-group.ts.

import { ExitKind } from "../../abi/methods";
import { processEnd } from "../sched/process";
import { schedulerReady, schedulerRemove } from "../sched/scheduler";
import { Thread, ThreadState } from "../sched/thread";
import { instanceBytes, staticArrayBytes } from "../memory/heap-cost";
import { monotonicNanos } from "../time/clock";
import { Timer, timerStart, timerStop } from "../time/timers";
import { linuxWake } from "./block";
import { LinuxProcess, linuxInitProcess } from "./linux-process";
import { LinuxThread } from "./linux-thread";
import { listRemoveAt } from "../collections/lists";

/** Signals 1..64 (linux-process.ts's SIGNALS, repeated: the two files import each other). */
const SIGNALS: i32 = 64;

export const SIGHUP: i32 = 1, SIGINT: i32 = 2, SIGQUIT: i32 = 3, SIGILL: i32 = 4, SIGTRAP: i32 = 5, SIGABRT: i32 = 6, SIGBUS: i32 = 7;
export const SIGFPE: i32 = 8, SIGKILL: i32 = 9, SIGUSR1: i32 = 10, SIGSEGV: i32 = 11, SIGUSR2: i32 = 12, SIGPIPE: i32 = 13;
export const SIGALRM: i32 = 14, SIGTERM: i32 = 15, SIGCHLD: i32 = 17, SIGCONT: i32 = 18, SIGSTOP: i32 = 19, SIGTSTP: i32 = 20;
export const SIGTTIN: i32 = 21, SIGTTOU: i32 = 22, SIGURG: i32 = 23, SIGWINCH: i32 = 28, SIGSYS: i32 = 31;

/** sa_handler's two special values. */
export const SIG_DFL: u64 = 0, SIG_IGN: u64 = 1;
/** sa_flags (asm-generic/signal-defs.h, x86's SA_RESTORER). */
export const SA_NOCLDSTOP: u64 = 1, SA_NOCLDWAIT: u64 = 2, SA_SIGINFO: u64 = 4, SA_RESTORER: u64 = 0x0400_0000;
export const SA_ONSTACK: u64 = 0x0800_0000, SA_RESTART: u64 = 0x1000_0000, SA_NODEFER: u64 = 0x4000_0000;
export const SA_RESETHAND: u64 = 0x8000_0000;
/** si_code values (asm-generic/siginfo.h). */
export const SI_USER: i32 = 0, SI_KERNEL: i32 = 0x80, SI_QUEUE: i32 = -1, SI_TKILL: i32 = -6;
/** The first real-time signal as the kernel counts (the C libraries keep 32 and 33 for
 * themselves and call 34 SIGRTMIN): from here on signals queue. */
export const SIGRTMIN_KERNEL: i32 = 32;
/** Instances of real-time signals a process keeps queued behind the pending ones, at most (its
 * RLIMIT_SIGPENDING; sys-limits.ts reports it). */
export const SIGNAL_QUEUE_MAXIMUM: i32 = 64;
export const CLD_EXITED: i32 = 1, CLD_KILLED: i32 = 2, CLD_STOPPED: i32 = 5, CLD_CONTINUED: i32 = 6;

/** signalActions' words per signal: handler, flags, restorer, mask. */
export const ACTION_HANDLER: i32 = 0, ACTION_FLAGS: i32 = 1, ACTION_RESTORER: i32 = 2, ACTION_MASK: i32 = 3;

@inline export function signalBit(signal: i32): u64 {
  return <u64>1 << <u64>(signal - 1);
}

/** SIGKILL and SIGSTOP: never caught, blocked or ignored. */
export const UNBLOCKABLE: u64 = (<u64>1 << 8) | (<u64>1 << 18);
/** SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU. */
export const STOP_SIGNALS: u64 = (<u64>1 << 18) | (<u64>1 << 19) | (<u64>1 << 20) | (<u64>1 << 21);
/** The signals a fault raises, delivered before others (Linux's SYNCHRONOUS_MASK). */
export const SYNCHRONOUS: u64 = (<u64>1 << 10) | (<u64>1 << 6) | (<u64>1 << 4) | (<u64>1 << 3) | (<u64>1 << 7) | (<u64>1 << 30);

export enum DefaultAction { Terminate = 0, Ignore = 1, Stop = 2, Continue = 3 }

/** What SIG_DFL does (signal(7)). Core dumps are not written: a "core" signal terminates, and
 * the wait status has no core bit, as on Debian's kernel with RLIMIT_CORE 0. */
export function defaultAction(signal: i32): DefaultAction {
  if (signal == SIGCHLD || signal == SIGURG || signal == SIGWINCH) return DefaultAction.Ignore;
  if (signal == SIGCONT) return DefaultAction.Continue;
  if ((signalBit(signal) & STOP_SIGNALS) != 0) return DefaultAction.Stop;
  return DefaultAction.Terminate;
}

/** ITIMER_REAL (alarm, setitimer): SIGALRM at `deadline`, again every `interval` ns (0: once). */
export class AlarmTimer extends Timer {
  owner: LinuxProcess | null = null;
  interval: u64 = 0;

  expire(): void {
    const owner = this.owner;
    if (owner === null || owner.ended_) return;
    if (this.interval != 0) timerStart(this, max(this.deadline + this.interval, monotonicNanos() + 1));
    signalSend(owner, SIGALRM, Scope.Process, SI_KERNEL, 0, 0);
  }
}

/** A process's signal state besides its dispositions (LinuxProcess.signalActions). */
export class LinuxSignals {
  /** Signals sent to the process, and their siginfo (as LinuxThread's). */
  pending: u64 = 0;
  readonly information: StaticArray<u64> = new StaticArray<u64>(SIGNALS * 2);
  /** Its process group and session (ids; 0 for the Linux init and its descendants until they
   * call setsid or setpgid, as for /init on Linux). */
  processGroup: i32 = 0;
  session: i32 = 0;
  /** The id of the Linux process a manifest or a native spawner started, which it descends
   * from: kill reaches only processes of the same family (docs/linux.md, "Signals"). */
  family: u32 = 0;
  /** Stopped by a stop signal (its threads that were running Blocked, in no wait); a stop or a continue its parent's
   * wait4 has not reported yet (WUNTRACED, WCONTINUED). */
  stopped: bool = false;
  stopReport: i32 = 0;
  continueReport: bool = false;
  /** The signal that ended it (its wait status), 0 when none did. */
  killedBy: i32 = 0;
  readonly alarm: AlarmTimer = new AlarmTimer();
  /** Real-time signal instances sent while one of the same signal (and scope) was pending, in
   * the order sent: three words each (signal | scope << 8, then the two siginfo words). */
  readonly queue: StaticArray<u64> = new StaticArray<u64>(SIGNAL_QUEUE_MAXIMUM * 3);
  queued: i32 = 0;
}

/** Heap bytes a LinuxProcess's signal state costs (linux-process.ts adds it to its own). */
export const LINUX_SIGNALS_BYTES: u64 = instanceBytes<LinuxSignals>() + instanceBytes<AlarmTimer>()
  + staticArrayBytes<u64>(<u64>SIGNALS * 2) + staticArrayBytes<u64>(<u64>SIGNAL_QUEUE_MAXIMUM * 3);

/** Whether a signal goes to the process (any thread may take it) or to one thread. */
export enum Scope { Process = 0, Thread = 1 }

class SignalsState {
  /** Linux processes not yet reaped (a process that ended and that no parent will wait for is
   * dropped at the next registration): what kill and process groups look in. */
  processes: LinuxProcess[] = [];
}
const state = new SignalsState();

/** The signal state of `linux`, a Linux process just made: a family and group of its own (the
 * root of a family: `parent` null) or its parent's (fork); the registry holds it from now on. */
export function linuxSignalsStart(linux: LinuxProcess, parent: LinuxProcess | null): void {
  const signals = linux.signals;
  signals.alarm.owner = linux;
  if (parent === null) {
    signals.family = linux.process.id;
  } else {
    const from = parent.signals;
    signals.family = from.family;
    signals.processGroup = from.processGroup;
    signals.session = from.session;
  }
  const list = state.processes;
  for (let i = list.length - 1; i >= 0; i--) {
    const other = list[i];
    if (other.ended_ && other.parent === null) listRemoveAt(list, i);
  }
  list.push(linux);
}

/** The mask Linux looks at for a signal sent to `linux` (or to its thread `to`): the thread's,
 * or for the process its first live thread's (the group leader's on Linux). */
function maskFor(linux: LinuxProcess, to: LinuxThread | null): u64 {
  if (to !== null) return to.signalMask;
  const first = linux.firstThread();
  return first !== null ? first.signalMask : 0;
}

/** Whether `signal` sent to `linux` (its thread `to`) now would be thrown away: ignored (SIG_IGN,
 * or SIG_DFL whose action is to ignore or only to continue) and not blocked. */
function discarded(linux: LinuxProcess, signal: i32, to: LinuxThread | null): bool {
  if ((maskFor(linux, to) & signalBit(signal)) != 0) return false;
  const handler = unchecked(linux.signalActions[(signal - 1) * 4 + ACTION_HANDLER]);
  if (handler == SIG_IGN) return true;
  if (handler != SIG_DFL) return false;
  const action = defaultAction(signal);
  return action == DefaultAction.Ignore || action == DefaultAction.Continue;
}

/** Whether `signal` is lost on `linux` because it is the Linux init and the signal's action is
 * SIG_DFL (Linux's SIGNAL_UNKILLABLE: init gets only the signals it has a handler for; SIGKILL
 * and SIGSTOP included, since every sender is in its namespace). */
export function initIgnores(linux: LinuxProcess, signal: i32): bool {
  return linux === linuxInitProcess() && unchecked(linux.signalActions[(signal - 1) * 4 + ACTION_HANDLER]) == SIG_DFL;
}

/** Sends `signal` (1..64) to `target` (to its thread `to` for Scope.Thread) with its siginfo (`code`, the sender's `pid`, and an
 * address or a status in `value`). SIGKILL ends it at once; SIGCONT continues it when stopped
 * (and a stop signal forgets a pending SIGCONT, and the other way round); an ignored signal is
 * dropped; anything else is pending until delivered on the way back to user mode, and wakes
 * the thread from a blocking call when it is not blocked. A standard signal already pending keeps
 * its first siginfo (they do not queue); a real-time one queues behind it with its own, up to
 * SIGNAL_QUEUE_MAXIMUM (beyond that the instance is lost: rt_sigqueueinfo checks first and says
 * EAGAIN, as Linux does). */
export function signalSend(target: LinuxProcess, signal: i32, scope: Scope, code: i32, pid: u32, value: u64, to: LinuxThread | null = null): void {
  if (target.ended_ || signal < 1 || signal > SIGNALS) return;
  if (scope == Scope.Thread && (to === null || to.thread.state == ThreadState.Ended)) return;
  if (scope == Scope.Process) to = null;
  const signals = target.signals, bit = signalBit(signal), mask = maskFor(target, to);
  if (initIgnores(target, signal) && (mask & bit) == 0) return;
  if (signal == SIGKILL) {
    signalTerminate(target, SIGKILL);
    return;
  }
  if (signal == SIGCONT) {
    signals.pending &= ~STOP_SIGNALS;
    threadsForget(target, STOP_SIGNALS);
    if (signals.stopped) signalContinue(target);
  } else if ((bit & STOP_SIGNALS) != 0) {
    signals.pending &= ~signalBit(SIGCONT);
    threadsForget(target, signalBit(SIGCONT));
  }
  if (discarded(target, signal, to)) return;
  const handler = unchecked(target.signalActions[(signal - 1) * 4 + ACTION_HANDLER]);
  if (signals.stopped && handler == SIG_DFL && defaultAction(signal) == DefaultAction.Terminate && (mask & bit) == 0) {
    signalTerminate(target, signal);   // a fatal signal does not wait for SIGCONT (Linux's complete_signal)
    return;
  }
  const slot = (signal - 1) * 2;
  const information = to !== null ? to.information : signals.information;
  const pending = to !== null ? to.pending : signals.pending;
  const word = (<u64><u32>code) | (<u64>pid << 32);
  if ((pending & bit) == 0) {
    unchecked(information[slot] = word);
    unchecked(information[slot + 1] = value);
  } else if (signal >= SIGRTMIN_KERNEL) {
    if (signals.queued >= SIGNAL_QUEUE_MAXIMUM) return;
    const at = signals.queued * 3;
    unchecked(signals.queue[at] = queueTag(signal, to));
    unchecked(signals.queue[at + 1] = word);
    unchecked(signals.queue[at + 2] = value);
    signals.queued++;
  }
  if (to !== null) to.pending |= bit;
  else signals.pending |= bit;
  signalWake(target, bit, to);
}

/** A queued instance's first word: the signal, and the tid of the thread it was sent to (0: the
 * process). */
function queueTag(signal: i32, to: LinuxThread | null): u64 {
  return <u64>signal | (to !== null ? <u64>to.tid << 8 : 0);
}

/** Forgets `bits` pending on each of `linux`'s threads. */
function threadsForget(linux: LinuxProcess, bits: u64): void {
  for (let i = 0; i < linux.threads.length; i++) {
    const own = unchecked(linux.threads[i]);
    if (own !== null) own.pending &= ~bits;
  }
}

/** Whether another instance of real-time `signal` could be queued on `target` (its thread `to`)
 * now (false when one is pending and the queue is full). */
export function signalQueueHasRoom(target: LinuxProcess, signal: i32, to: LinuxThread | null): bool {
  const signals = target.signals, bit = signalBit(signal);
  if (((to !== null ? to.pending : signals.pending) & bit) == 0) return true;
  return signal < SIGRTMIN_KERNEL || signals.queued < SIGNAL_QUEUE_MAXIMUM;
}

/** Takes pending `signal` (from thread `own`'s set when `fromThread`, else the process's) after
 * its siginfo was read: the next queued instance of it, if any, becomes the pending one; else
 * it is pending no more. */
export function signalTake(linux: LinuxProcess, own: LinuxThread, signal: i32, fromThread: bool): void {
  const signals = linux.signals, bit = signalBit(signal);
  const tag = queueTag(signal, fromThread ? own : null);
  const queue = signals.queue;
  for (let i = 0; i < signals.queued; i++) {
    if (unchecked(queue[i * 3]) != tag) continue;
    const information = fromThread ? own.information : signals.information;
    const slot = (signal - 1) * 2;
    unchecked(information[slot] = queue[i * 3 + 1]);
    unchecked(information[slot + 1] = queue[i * 3 + 2]);
    for (let j = i * 3; j + 3 < signals.queued * 3; j++) unchecked(queue[j] = queue[j + 3]);
    signals.queued--;
    return;
  }
  if (fromThread) own.pending &= ~bit;
  else signals.pending &= ~bit;
}

/** Forgets every queued instance of `signal` (it is ignored now). */
function queueDrop(signals: LinuxSignals, signal: i32): void {
  let kept = 0;
  const queue = signals.queue;
  for (let i = 0; i < signals.queued; i++) {
    if (<i32>(unchecked(queue[i * 3]) & 0xff) == signal) continue;
    for (let k = 0; k < 3; k++) unchecked(queue[kept * 3 + k] = queue[i * 3 + k]);
    kept++;
  }
  signals.queued = kept;
}

/** Whether thread `own` would act on signal `bit` now: not blocked, or one rt_sigtimedwait waits for. */
function wants(own: LinuxThread, bit: u64): bool {
  return own.thread.state != ThreadState.Ended && ((bit & ~own.signalMask) != 0 || (bit & own.waitSet) != 0);
}

/** Wakes a thread of `linux` (`to` for a thread's signal) from a blocking call when signal `bit`
 * is one it would act on (not blocked, or one rt_sigtimedwait waits for): the call then ends with
 * EINTR, restarts, or reports the signal (signal-deliver.ts); a futex wait ends with EINTR. A
 * process's signal goes to a thread that wants it, one that is running first (it acts on it on
 * its way back to user mode), as Linux's complete_signal chooses. A stopped process is left
 * stopped. */
function signalWake(linux: LinuxProcess, bit: u64, to: LinuxThread | null): void {
  // A vfork parent waits for its child whatever comes (Linux's vfork wait is killable only;
  // SIGKILL ends the process without waking it): the signal waits for its return.
  if (linux.signals.stopped || linux.vforkWaiting) return;
  let chosen: LinuxThread | null = null;
  if (to !== null) chosen = wants(to, bit) ? to : null;
  else {
    for (let i = 0; i < linux.threads.length; i++) {
      const own = unchecked(linux.threads[i]);
      if (own === null || !wants(own, bit)) continue;
      if (own.thread.state == ThreadState.Runnable) return;   // it acts on it soon
      if (chosen === null) chosen = own;
    }
  }
  if (chosen === null) return;
  const thread = chosen.thread;
  if (thread.state != ThreadState.Blocked) return;
  if (chosen.futex.waiter === thread) {
    chosen.futex.wake();
    return;
  }
  if (chosen.wait.waiter !== thread) return;
  if ((bit & chosen.waitSet) == 0) chosen.interrupted = true;
  linuxWake(chosen.wait);
}

/** Ends `linux` as killed by `signal` (its wait status is the signal's number). */
export function signalTerminate(linux: LinuxProcess, signal: i32): void {
  if (linux.ended_) return;
  linux.signals.killedBy = signal;
  processEnd(linux.process, ExitKind.Killed, signal);
}

/** A stopped `linux` runs again (SIGCONT, or SIGKILL on its way): the threads the stop took
 * off the run queue go back on it; its parent hears of it. */
function signalContinue(linux: LinuxProcess): void {
  const signals = linux.signals;
  signals.stopped = false;
  signals.stopReport = 0;
  signals.continueReport = true;
  for (let i = 0; i < linux.threads.length; i++) {
    const own = unchecked(linux.threads[i]);
    if (own === null || !own.stopped) continue;
    own.stopped = false;
    if (own.thread.state == ThreadState.Blocked && own.thread.waits === null) schedulerReady(own.thread);
  }
  notifyParent(linux, CLD_CONTINUED, SIGCONT);
}

/** Stops `linux` for stop signal `signal` (`thread` is returning to user mode: a call it was in
 * restarts once it continues): it and every other thread able to run leave the run queue
 * (threads blocked in a call stay so). Its parent hears of it. */
export function signalStop(thread: Thread, linux: LinuxProcess, signal: i32): void {
  const signals = linux.signals;
  signals.stopped = true;
  signals.stopReport = signal;
  signals.continueReport = false;
  for (let i = 0; i < linux.threads.length; i++) {
    const own = unchecked(linux.threads[i]);
    if (own === null || own.thread.state != ThreadState.Runnable) continue;
    own.stopped = true;
    own.thread.state = ThreadState.Blocked;
    schedulerRemove(own.thread);
  }
  if (thread.state == ThreadState.Runnable) abort("signalStop: the returning thread is not one of its process's");
  notifyParent(linux, CLD_STOPPED, signal);
}

/** SIGCHLD to `child`'s parent (unless it asked for none on stops and continues: SA_NOCLDSTOP),
 * whose wait4 is woken. */
function notifyParent(child: LinuxProcess, code: i32, status: i32): void {
  const parent = child.parent;
  if (parent === null || parent.ended_) return;
  const flags = unchecked(parent.signalActions[(SIGCHLD - 1) * 4 + ACTION_FLAGS]);
  if (code == CLD_EXITED || code == CLD_KILLED || (flags & SA_NOCLDSTOP) == 0) {
    signalSend(parent, SIGCHLD, Scope.Process, code, child.process.id, <u64><u32>status);
  }
  parent.wakeAll();
}

/** `linux` ended (linux-process.ts, LinuxProcess.ended, before its parent is woken): its alarm
 * stops; its parent gets SIGCHLD, or, when it ignores SIGCHLD or set SA_NOCLDWAIT, does not keep
 * it as a zombie (Linux reaps it at once). */
export function linuxSignalsEnded(linux: LinuxProcess): void {
  timerStop(linux.signals.alarm);
  linux.signals.alarm.owner = null;
  const parent = linux.parent;
  if (parent === null || parent.ended_) return;
  const status = linux.waitStatus;
  const exited = (status & 0x7f) == 0;
  notifyParent(linux, exited ? CLD_EXITED : CLD_KILLED, exited ? (status >> 8) & 0xff : status & 0x7f);
  const slot = (SIGCHLD - 1) * 4;
  if (unchecked(parent.signalActions[slot + ACTION_HANDLER]) == SIG_IGN || (unchecked(parent.signalActions[slot + ACTION_FLAGS]) & SA_NOCLDWAIT) != 0) {
    const index = parent.children.indexOf(linux);
    if (index >= 0) listRemoveAt(parent.children, index);
    linux.parent = null;
  }
}

/** The live Linux process `pid` of `caller`'s family, or null (ESRCH: kill's authority, docs/linux.md). */
export function signalFind(caller: LinuxProcess, pid: i32): LinuxProcess | null {
  const list = state.processes;
  for (let i = 0; i < list.length; i++) {
    const other = unchecked(list[i]);
    if (<i32>other.process.id == pid && other.signals.family == caller.signals.family && !(other.ended_ && other.parent === null)) return other;
  }
  return null;
}

/** The live thread `tid` of a process of `caller`'s family, or null (ESRCH). */
export function signalFindThread(caller: LinuxProcess, tid: i32): LinuxThread | null {
  const list = state.processes;
  for (let i = 0; i < list.length; i++) {
    const other = unchecked(list[i]);
    if (other.ended_ || other.signals.family != caller.signals.family) continue;
    for (let j = 0; j < other.threads.length; j++) {
      const own = unchecked(other.threads[j]);
      if (own !== null && <i32>own.tid == tid && own.thread.state != ThreadState.Ended) return own;
    }
  }
  return null;
}

/** Whether `linux`'s process group is orphaned: no live member has a live parent in another
 * group of the same session, the Linux init aside (Linux drops SIGTSTP, SIGTTIN and SIGTTOU to
 * such a group). */
export function signalGroupOrphaned(linux: LinuxProcess): bool {
  const group = linux.signals.processGroup, session = linux.signals.session, list = state.processes;
  for (let i = 0; i < list.length; i++) {
    const member = unchecked(list[i]);
    if (member.ended_ || member.signals.family != linux.signals.family || member.signals.processGroup != group) continue;
    const parent = member.parent;
    if (parent === null || parent.ended_ || parent === linuxInitProcess()) continue;   // init's children count for nothing, as on Linux
    if (parent.signals.processGroup != group && parent.signals.session == session) return false;
  }
  return true;
}

/** Whether a process of `family` in group `group` has session `session` (ended ones not yet
 * reaped count): setpgid may join only such a group. */
export function signalGroupInSession(family: u32, group: i32, session: i32): bool {
  const list = state.processes;
  for (let i = 0; i < list.length; i++) {
    const other = unchecked(list[i]);
    if (other.signals.family == family && other.signals.processGroup == group && other.signals.session == session
      && !(other.ended_ && other.parent === null)) return true;
  }
  return false;
}

/** Whether any process of `family` has `session` as its session or `group` as its group. */
export function signalSessionOrGroupUsed(family: u32, id: i32): bool {
  const list = state.processes;
  for (let i = 0; i < list.length; i++) {
    const other = unchecked(list[i]);
    if (other.signals.family != family || (other.ended_ && other.parent === null)) continue;
    if (other.signals.processGroup == id || other.signals.session == id) return true;
  }
  return false;
}

/** Sends `signal` to every live process of `family` in group `group` (every process of the
 * family but `except` and the family's root when `group` is -1: kill(-1)); 0 only checks.
 * Returns how many there are. */
export function signalGroupSend(family: u32, group: i32, signal: i32, code: i32, pid: u32, except: LinuxProcess | null): i32 {
  let count = 0;
  const list = state.processes;
  for (let i = 0; i < list.length; i++) {
    const other = unchecked(list[i]);
    if (other.ended_ || other.signals.family != family || other === except) continue;
    if (group == -1 ? other.process.id == family : other.signals.processGroup != group) continue;
    count++;
    if (signal != 0) signalSend(other, signal, Scope.Process, code, pid, 0);
  }
  return count;
}

// The API for the rest of the personality (the tty, execve).

/** Sends `signal` to `target` as the kernel (si_code SI_KERNEL): what a tty does. */
export function linuxSignalProcess(target: LinuxProcess, signal: i32): void {
  signalSend(target, signal, Scope.Process, SI_KERNEL, 0, 0);
}

/** Sends `signal` to every live Linux process in process group `group` (the tty's foreground
 * group: SIGINT, SIGQUIT, SIGTSTP) whatever its family; returns how many got it. */
export function linuxSignalGroup(group: i32, signal: i32): i32 {
  let count = 0;
  const list = state.processes;
  for (let i = 0; i < list.length; i++) {
    const other = unchecked(list[i]);
    if (other.ended_ || other.signals.processGroup != group) continue;
    count++;
    signalSend(other, signal, Scope.Process, SI_KERNEL, 0, 0);
  }
  return count;
}

/** What execve does to signals: caught signals go back to SIG_DFL (flags, mask and restorer
 * cleared), ignored ones stay ignored; the mask and pending signals are kept; the alternate
 * stack of `own`, the thread that goes on, is forgotten (it was in the old image). */
export function linuxSignalsExec(linux: LinuxProcess, own: LinuxThread): void {
  for (let signal = 1; signal <= SIGNALS; signal++) {
    const slot = (signal - 1) * 4;
    if (linux.signalActions[slot + ACTION_HANDLER] == SIG_IGN) continue;
    for (let i = 0; i < 4; i++) linux.signalActions[slot + i] = 0;
  }
  own.alternateBase = 0;
  own.alternateSize = 0;
  own.alternateDisabled = true;
}

/** rt_sigaction made `signal` ignored: a pending one is dropped (POSIX). */
export function signalDiscardIfIgnored(linux: LinuxProcess, signal: i32): void {
  const handler = linux.signalActions[(signal - 1) * 4 + ACTION_HANDLER];
  const action = defaultAction(signal);
  if (handler == SIG_IGN || (handler == SIG_DFL && (action == DefaultAction.Ignore || action == DefaultAction.Continue))) {
    linux.signals.pending &= ~signalBit(signal);
    threadsForget(linux, signalBit(signal));
    queueDrop(linux.signals, signal);
  }
}
