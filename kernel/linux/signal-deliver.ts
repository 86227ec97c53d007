// Signal delivery (docs/linux.md, "Signals"): every time a Linux thread returns to user mode
// (sched/scheduler.ts calls LinuxProcess.returning after any kernel entry: a call, an interrupt,
// a fault), its pending signals that are not blocked are acted on, the synchronous ones (faults)
// first, then the lowest: ignored, the default action (terminate, stop, continue), or a handler,
// whose frame (signal-frame.ts) goes on the stack. Several handlers nest as on Linux: the last
// set up runs first. A call that blocked and was woken for the signal either restarts (its
// context already holds the restart, block.ts: SA_RESTART, or no handler ran) or ends with EINTR.

import { KernelError } from "../../abi/errors";
import { CONTEXT_R10, CONTEXT_RAX, CONTEXT_RIP, CONTEXT_RSI, contextRead, contextWrite } from "../arch/context";
import { Thread } from "../sched/thread";
import { monotonicNanos } from "../time/clock";
import { copyOut } from "../vm/user-memory";
import { Errno } from "./errno";
import { LinuxProcess, SIGNALS } from "./linux-process";
import { LinuxThread } from "./linux-thread";
import { Sys } from "./numbers";
import {
  ACTION_FLAGS, ACTION_HANDLER, ACTION_MASK, ACTION_RESTORER, DefaultAction, defaultAction, SA_NODEFER, SA_RESETHAND, SA_RESTART,
  initIgnores, Scope, SI_KERNEL, SIG_DFL, SIG_IGN, SIGBUS, SIGFPE, SIGILL, SIGSEGV, signalBit, signalSend, signalGroupOrphaned, signalStop, signalTerminate, SIGSTOP, SIGTRAP,
  signalTake, SYNCHRONOUS, UNBLOCKABLE,
} from "./signal";
import { Delivery, signalFrameWrite } from "./signal-frame";

const SEGV_MAPERR: i32 = 1, SEGV_ACCERR: i32 = 2, ILL_ILLOPN: i32 = 2, FPE_INTDIV: i32 = 1, BUS_ADRALN: i32 = 1;
const TIMER_ABSTIME: u64 = 1;

class DeliverState {
  readonly delivery: Delivery = new Delivery();
  readonly buffer: usize = memory.data(16, 16);
}
const state = new DeliverState();

/** LinuxProcess.returning: acts on `thread`'s deliverable signals (at most one round per signal
 * number). May stop the thread or end its process. */
export function linuxSignalsReturning(thread: Thread, linux: LinuxProcess): void {
  const signals = linux.signals, own = linux.threadOf(thread);
  if (((signals.pending | own.pending) & ~own.signalMask) == 0) {
    own.interrupted = false;
    return;
  }
  for (let round = 0; round < SIGNALS; round++) {
    const deliverable = (signals.pending | own.pending) & ~own.signalMask;
    if (deliverable == 0) break;
    const synchronous = deliverable & SYNCHRONOUS;
    const signal = <i32>ctz(synchronous != 0 ? synchronous : deliverable) + 1;
    const bit = signalBit(signal), slot = (signal - 1) * 2;
    const fromThread = (own.pending & bit) != 0;
    const information = fromThread ? own.information : signals.information;
    const word = unchecked(information[slot]);
    const delivery = state.delivery;
    delivery.signal = signal;
    delivery.code = <i32><u32>word;
    delivery.pid = <u32>(word >> 32);
    delivery.value = unchecked(information[slot + 1]);
    signalTake(linux, own, signal, fromThread);
    const action = (signal - 1) * 4;
    const handler = unchecked(linux.signalActions[action + ACTION_HANDLER]);
    if (handler == SIG_IGN) continue;
    if (handler == SIG_DFL) {
      if (initIgnores(linux, signal)) continue;   // unblocked after it was sent: still lost on init
      const kind = defaultAction(signal);
      if (kind == DefaultAction.Ignore || kind == DefaultAction.Continue) continue;
      if (kind == DefaultAction.Stop) {
        if (signal != SIGSTOP && signalGroupOrphaned(linux)) continue;   // as Linux: no one would continue it
        signalStop(thread, linux, signal);   // a call it was in restarts once it continues
        return;
      }
      signalTerminate(linux, signal);
      return;
    }
    delivery.handler = handler;
    delivery.flags = unchecked(linux.signalActions[action + ACTION_FLAGS]);
    delivery.restorer = unchecked(linux.signalActions[action + ACTION_RESTORER]);
    if (own.interrupted) {
      own.interrupted = false;
      interruptedCall(thread, own, (delivery.flags & SA_RESTART) != 0);
    }
    const saved = own.maskSaved ? own.savedMask : own.signalMask;
    own.maskSaved = false;
    if (!signalFrameWrite(thread, linux, delivery, saved)) {
      signalTerminate(linux, SIGSEGV);   // no room for the frame, or no restorer: Linux's force_sigsegv
      return;
    }
    let mask = own.signalMask | unchecked(linux.signalActions[action + ACTION_MASK]);
    if ((delivery.flags & SA_NODEFER) == 0) mask |= bit;
    own.signalMask = mask & ~UNBLOCKABLE;
    if ((delivery.flags & SA_RESETHAND) != 0) unchecked(linux.signalActions[action + ACTION_HANDLER] = SIG_DFL);   // the flags stay
  }
  own.interrupted = false;
}

/** A handler is about to run in a thread woken from blocking call (its context holds the
 * restart: RIP on the SYSCALL, rax its number). It stays so (the call runs again after the
 * handler) when the handler asked for SA_RESTART and the call is one Linux restarts; otherwise
 * the call ends with EINTR (a relative nanosleep writes the time left). A write or send that
 * moved bytes, and a MSG_WAITALL receive that took some, return their count either way, as
 * Linux's pipe_write and tcp_recvmsg do. */
function interruptedCall(thread: Thread, own: LinuxThread, restart: bool): void {
  const context = <usize>thread.context;
  const number = <i32>contextRead(context, CONTEXT_RAX);
  const never = number == Sys.nanosleep || number == Sys.clock_nanosleep || number == Sys.pause || number == Sys.rt_sigsuspend
    || number == Sys.rt_sigtimedwait || number == Sys.poll || number == Sys.ppoll || number == Sys.select || number == Sys.pselect6
    || number == Sys.epoll_pwait || number == 232   // 232: epoll_wait
    || own.sleepDeadline != 0;   // a socket call under SO_RCVTIMEO or SO_SNDTIMEO (socket-timeout.ts), as signal(7) says
  const sending = number == Sys.write || number == Sys.writev || number == Sys.sendto || number == Sys.sendmsg;
  const partial = sending && own.writeDone > 0 || (number == Sys.recvfrom || number == Sys.recvmsg) && own.readDone > 0;
  if (restart && !never && !partial) return;
  let result: i64 = -(<i64>Errno.EINTR);
  if (partial) result = sending ? <i64>own.writeDone : <i64>own.readDone;
  own.writeAt = 0;
  own.writeDone = 0;
  own.readAt = 0;
  own.readDone = 0;
  if ((number == Sys.nanosleep || number == Sys.clock_nanosleep) && own.sleepDeadline != 0) {
    const remainder = number == Sys.nanosleep ? contextRead(context, CONTEXT_RSI) : contextRead(context, CONTEXT_R10);
    const absolute = number == Sys.clock_nanosleep && (contextRead(context, CONTEXT_RSI) & TIMER_ABSTIME) != 0;
    if (remainder != 0 && !absolute) {
      const now = monotonicNanos(), left = own.sleepDeadline > now ? own.sleepDeadline - now : 0;
      store<u64>(state.buffer, left / 1_000_000_000);
      store<u64>(state.buffer, left % 1_000_000_000, 8);
      if (copyOut(thread.process.space, remainder, state.buffer, 16, 16) != KernelError.None) result = -(<i64>Errno.EFAULT);
    }
  }
  own.sleepDeadline = 0;   // the call ends: a later one at the same SYSCALL starts its own
  own.sleepAt = 0;
  own.waitDeadline = 0;
  own.waitSet = 0;
  contextWrite(context, CONTEXT_RIP, contextRead(context, CONTEXT_RIP) + 2);
  contextWrite(context, CONTEXT_RAX, <u64>result);
}

/** LinuxProcess.fault: a fault `thread` took in user mode becomes its signal when a handler is
 * installed for it and it is not blocked (the handler runs on the way back to user mode, its
 * siginfo naming the address); otherwise false, and the process ends as killed by that signal
 * (syscall/fault.ts), as Linux's force_sig does. */
export function linuxSignalFault(thread: Thread, linux: LinuxProcess, vector: u32, errorCode: u64, address: u64): bool {
  let signal = SIGSEGV, code = SI_KERNEL, value: u64 = 0;
  const rip = contextRead(<usize>thread.context, CONTEXT_RIP);
  switch (vector) {
    case 0: signal = SIGFPE; code = FPE_INTDIV; value = rip; break;
    case 16: case 19: signal = SIGFPE; code = SI_KERNEL; break;
    case 1: case 3: signal = SIGTRAP; break;   // a single step (TF), int3
    case 6: signal = SIGILL; code = ILL_ILLOPN; value = rip; break;
    case 17: signal = SIGBUS; code = BUS_ADRALN; value = address; break;
    case 12: signal = SIGBUS; break;   // #SS: a non-canonical stack address (Linux's SIGBUS, SI_KERNEL)
    case 14:   // Linux's rule: a mapping that forbids the access is ACCERR, no mapping MAPERR
      code = thread.process.space.regions.find(address) !== null ? SEGV_ACCERR : SEGV_MAPERR;
      value = address;
      break;
    default: break;   // #GP and the rest: SIGSEGV, SI_KERNEL, no address
  }
  const handler = linux.signalActions[(signal - 1) * 4 + ACTION_HANDLER];
  const own = linux.threadOf(thread);
  if (handler == SIG_DFL || handler == SIG_IGN || (own.signalMask & signalBit(signal)) != 0) return false;
  own.trapNumber = <u64>vector;
  own.errorCode = errorCode;
  own.faultAddress = vector == 14 ? address : 0;
  signalSend(linux, signal, Scope.Thread, code, 0, value, own);
  return true;
}
