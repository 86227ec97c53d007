// CPU time (docs/linux.md, "System calls"): times, getrusage, the rusage wait4 fills, and the
// CPU-time clocks, from the scheduler's accounting (sched/scheduler.ts: a thread's time on the
// CPU from the TSC, its kernel entries included). Capsid does not split user from system time:
// all of it is reported as user time. A reaped child's time, and its reaped children's, join
// its parent's children total (sys-fork.ts, reaped).

import { KernelError } from "../../abi/errors";
import { processCpuTotal, threadCpuNanos } from "../sched/scheduler";
import { Thread } from "../sched/thread";
import { monotonicNanos } from "../time/clock";
import { copyOut } from "../vm/user-memory";
import { Errno } from "./errno";
import { LinuxProcess } from "./linux-process";

/** struct rusage's size on x86-64; struct tms's. */
export const RUSAGE_SIZE: u64 = 144;
const TMS_SIZE: u64 = 32;
/** USER_HZ: clock_t counts hundredths of a second. */
const CLOCK_TICK_NANOS: u64 = 10_000_000;
const RUSAGE_SELF: i32 = 0, RUSAGE_CHILDREN: i32 = -1, RUSAGE_THREAD: i32 = 1;

class UsageState {
  readonly buffer: usize = memory.data(144, 16);
}
const state = new UsageState();

/** Fills the buffer with a struct rusage whose user time is `nanos` (the rest 0: not kept). */
function rusageFill(nanos: u64): usize {
  const buffer = state.buffer;
  memory.fill(buffer, 0, <usize>RUSAGE_SIZE);
  store<i64>(buffer, <i64>(nanos / 1_000_000_000));        // ru_utime.tv_sec
  store<i64>(buffer, <i64>((nanos % 1_000_000_000) / 1000), 8);   // ru_utime.tv_usec
  return buffer;
}

/** Writes the rusage of `nanos` of CPU time to `address`: 0, or -EFAULT. */
export function rusageOut(thread: Thread, address: u64, nanos: u64): i64 {
  const buffer = rusageFill(nanos);
  return copyOut(thread.process.space, address, buffer, RUSAGE_SIZE, RUSAGE_SIZE) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** A child's CPU time as a wait reports it: its own and its reaped children's. */
export function childCpuNanos(child: LinuxProcess): u64 {
  return child.process.cpuNanos + child.childrenCpuNanos;
}

/** `child` was reaped by `parent`: its time joins the parent's children total. */
export function usageReaped(parent: LinuxProcess, child: LinuxProcess): void {
  parent.childrenCpuNanos += childCpuNanos(child);
}

/** Nanoseconds as clock_t (hundredths of a second). */
export function clockTicks(nanos: u64): i64 {
  return <i64>(nanos / CLOCK_TICK_NANOS);
}

/** getrusage(who, usage): RUSAGE_SELF, RUSAGE_CHILDREN (the reaped ones), RUSAGE_THREAD. */
export function sysGetrusage(thread: Thread, linux: LinuxProcess, who: u64, address: u64): i64 {
  const selected = <i32>who;
  let nanos: u64;
  if (selected == RUSAGE_SELF) nanos = processCpuTotal(thread.process);
  else if (selected == RUSAGE_CHILDREN) nanos = linux.childrenCpuNanos;
  else if (selected == RUSAGE_THREAD) nanos = threadCpuNanos(thread);
  else return -(<i64>Errno.EINVAL);
  return rusageOut(thread, address, nanos);
}

/** times(buffer): the process's and its reaped children's CPU time in clock ticks (a NULL buffer
 * is allowed); answers the clock ticks since boot. */
export function sysTimes(thread: Thread, linux: LinuxProcess, address: u64): i64 {
  if (address != 0) {
    const buffer = state.buffer;
    memory.fill(buffer, 0, <usize>TMS_SIZE);
    store<i64>(buffer, clockTicks(processCpuTotal(thread.process)));       // tms_utime
    store<i64>(buffer, clockTicks(linux.childrenCpuNanos), 16);     // tms_cutime
    if (copyOut(thread.process.space, address, buffer, RUSAGE_SIZE, TMS_SIZE) != KernelError.None) return -(<i64>Errno.EFAULT);
  }
  return clockTicks(monotonicNanos());
}
