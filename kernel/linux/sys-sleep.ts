// Sleeping calls (docs/linux.md, "Blocking"): nanosleep and clock_nanosleep block their
// thread (block.ts) until the deadline, which the kernel's timers keep (they fire at the tick,
// never early: a sleep lasts at least what was asked, rounded up to the tick). The deadline is
// remembered across the call's restarts with the address of the SYSCALL that set it.

import { KernelError } from "../../abi/errors";
import { CONTEXT_RIP, contextRead } from "../arch/context";
import { Thread } from "../sched/thread";
import { monotonicNanos } from "../time/clock";
import { realtimeNanos } from "../time/wall-clock";
import { copyIn } from "../vm/user-memory";
import { linuxBlock } from "./block";
import { BLOCKED, Errno } from "./errno";
import { LinuxProcess } from "./linux-process";
import { Sys } from "./numbers";

const CLOCK_REALTIME: u64 = 0, CLOCK_MONOTONIC: u64 = 1, CLOCK_BOOTTIME: u64 = 7;
const TIMER_ABSTIME: u64 = 1;
const NANOSECONDS: i64 = 1_000_000_000;

class SleepState {
  readonly buffer: usize = memory.data(16, 16);
}
const state = new SleepState();

/** The timespec at `address` in ns, or -errno (EFAULT, EINVAL for a negative or unnormalised one). */
function timespecIn(thread: Thread, address: u64): i64 {
  if (copyIn(thread.process.space, state.buffer, 16, address, 16) != KernelError.None) return -(<i64>Errno.EFAULT);
  const seconds = load<i64>(state.buffer), nanoseconds = load<i64>(state.buffer, 8);
  if (seconds < 0 || nanoseconds < 0 || nanoseconds >= NANOSECONDS) return -(<i64>Errno.EINVAL);
  if (seconds > (i64.MAX_VALUE - nanoseconds) / NANOSECONDS) return i64.MAX_VALUE;
  return seconds * NANOSECONDS + nanoseconds;
}

/** Sleeps until monotonic `deadline`: 0 once it has passed, else blocks (the call runs again). */
function sleepUntil(thread: Thread, linux: LinuxProcess, number: u64, deadline: u64): i64 {
  const own = linux.threadOf(thread);
  if (monotonicNanos() >= deadline) {
    own.sleepDeadline = 0;
    return 0;
  }
  own.sleepDeadline = deadline;
  own.sleepAt = syscallAddress(thread);
  linuxBlock(thread, own.wait, number, deadline);
  return BLOCKED;
}

/** The address of the SYSCALL instruction the thread is in. */
function syscallAddress(thread: Thread): u64 {
  return contextRead(<usize>thread.context, CONTEXT_RIP) - 2;
}

/** Whether this call is the restart of a sleep that blocked (the same SYSCALL, a deadline kept). */
function restarting(thread: Thread, linux: LinuxProcess): bool {
  const own = linux.threadOf(thread);
  return own.sleepDeadline != 0 && own.sleepAt == syscallAddress(thread);
}

export function sysNanosleep(thread: Thread, linux: LinuxProcess, request: u64): i64 {
  if (restarting(thread, linux)) return sleepUntil(thread, linux, <u64>Sys.nanosleep, linux.threadOf(thread).sleepDeadline);
  const duration = timespecIn(thread, request);
  if (duration < 0) return duration;
  const now = monotonicNanos();
  return sleepUntil(thread, linux, <u64>Sys.nanosleep, <u64>duration > u64.MAX_VALUE - now ? u64.MAX_VALUE : now + <u64>duration);
}

/** clock_nanosleep: REALTIME, MONOTONIC and BOOTTIME (the CPU-time clocks are not kept: EINVAL);
 * TIMER_ABSTIME takes the time as a deadline on that clock. Errors come back as -errno. */
export function sysClockNanosleep(thread: Thread, linux: LinuxProcess, clock: u64, flags: u64, request: u64): i64 {
  if (restarting(thread, linux)) return sleepUntil(thread, linux, <u64>Sys.clock_nanosleep, linux.threadOf(thread).sleepDeadline);
  if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME) return -(<i64>Errno.EINVAL);
  if ((flags & ~TIMER_ABSTIME) != 0) return -(<i64>Errno.EINVAL);
  const time = timespecIn(thread, request);
  if (time < 0) return time;
  const now = monotonicNanos();
  let deadline: u64;
  if ((flags & TIMER_ABSTIME) == 0) deadline = <u64>time > u64.MAX_VALUE - now ? u64.MAX_VALUE : now + <u64>time;
  else if (clock == CLOCK_REALTIME) {
    const ahead = time - realtimeNanos();   // how far the wall-clock deadline is from now
    deadline = ahead <= 0 ? now : <u64>ahead > u64.MAX_VALUE - now ? u64.MAX_VALUE : now + <u64>ahead;
  } else deadline = <u64>time;
  return sleepUntil(thread, linux, <u64>Sys.clock_nanosleep, deadline == 0 ? 1 : deadline);
}
