// The alternate signal stack (docs/linux.md, "Signals"): sigaltstack, and the checks the frame
// (signal-frame.ts) uses for SA_ONSTACK and for the uc_stack rt_sigreturn puts back.

import { KernelError } from "../../abi/errors";
import { CONTEXT_RSP, contextRead } from "../arch/context";
import { Thread } from "../sched/thread";
import { copyIn, copyOut } from "../vm/user-memory";
import { Errno } from "./errno";
import { LinuxProcess } from "./linux-process";
import { LinuxThread } from "./linux-thread";

export const SS_ONSTACK: i32 = 1, SS_DISABLE: i32 = 2;
const SS_AUTODISARM: i32 = <i32>0x8000_0000;
/** The smallest alternate stack (MINSIGSTKSZ on x86-64). */
const MINIMUM_SIZE: u64 = 2048;

class StackState {
  readonly buffer: usize = memory.data(48, 16);
}
const state = new StackState();

/** Whether `stack` (a user RSP) is on the alternate stack (Linux's on_sig_stack). */
export function onAlternateStack(thread: LinuxThread, stack: u64): bool {
  if (thread.alternateDisabled) return false;
  return stack > thread.alternateBase && stack - thread.alternateBase <= thread.alternateSize;
}

/** Sets the alternate stack from a stack_t's fields as Linux's do_sigaltstack does, with `stack`
 * the thread's RSP: EPERM while on the alternate stack, EINVAL for a mode other than 0,
 * SS_ONSTACK or SS_DISABLE, nothing to do when the fields are the current ones, ENOMEM for a size
 * below MINSIGSTKSZ; 0 once set. SS_AUTODISARM is accepted and not acted on. */
export function alternateStackSet(thread: LinuxThread, stack: u64, base: u64, flags: i32, size: u64): Errno {
  if (onAlternateStack(thread, stack)) return Errno.EPERM;
  const mode = flags & ~SS_AUTODISARM;
  if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE) return Errno.EINVAL;
  if (base == thread.alternateBase && size == thread.alternateSize && flags == 0) return 0;
  if (mode == SS_DISABLE) {
    thread.alternateBase = 0;
    thread.alternateSize = 0;
    thread.alternateDisabled = true;
    return 0;
  }
  if (size < MINIMUM_SIZE) return Errno.ENOMEM;
  thread.alternateBase = base;
  thread.alternateSize = size;
  thread.alternateDisabled = false;
  return 0;
}

/** sigaltstack(new, old): the old one (its flags say SS_ONSTACK while the thread runs on it,
 * SS_DISABLE when there is none), then the new one. EPERM while on the alternate stack, EINVAL
 * for a bad mode, ENOMEM for a size below MINSIGSTKSZ, EFAULT. */
export function sysSigaltstack(thread: Thread, linux: LinuxProcess, next: u64, old: u64): i64 {
  const signals = linux.threadOf(thread), space = thread.process.space, b = state.buffer;
  const stack = contextRead(<usize>thread.context, CONTEXT_RSP);
  if (next != 0 && copyIn(space, b + 24, 24, next, 24) != KernelError.None) return -(<i64>Errno.EFAULT);
  if (old != 0) {
    memory.fill(b, 0, 24);
    store<u64>(b, signals.alternateBase);
    store<i32>(b, signals.alternateDisabled ? SS_DISABLE : onAlternateStack(signals, stack) ? SS_ONSTACK : 0, 8);
    store<u64>(b, signals.alternateSize, 16);
  }
  if (next != 0) {
    const error = alternateStackSet(signals, stack, load<u64>(b + 24), load<i32>(b + 32), load<u64>(b + 40));
    if (error != 0) return -(<i64>error);
  }
  if (old != 0 && copyOut(space, old, b, 48, 24) != KernelError.None) return -(<i64>Errno.EFAULT);
  return 0;
}
