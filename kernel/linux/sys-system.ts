// System calls about the system (docs/linux.md, "The system"): uname, the clocks, the kernel's
// random generator (getrandom), sysinfo and CPU affinity. What they report is
// the process's own view: its memory is its Memory capability's quota, its CPUs the one CPU
// that runs user code.

import { KernelError } from "../../abi/errors";
import { generatorFill } from "../random/generator";
import { processesLive } from "../sched/process";
import { processCpuTotal, threadCpuNanos } from "../sched/scheduler";
import { Thread } from "../sched/thread";
import { monotonicNanos } from "../time/clock";
import { realtimeNanos } from "../time/wall-clock";
import { copyOut } from "../vm/user-memory";
import { Errno } from "./errno";
import { quotaBytes } from "./sys-limits";

const CLOCK_REALTIME: u64 = 0, CLOCK_MONOTONIC: u64 = 1, CLOCK_MONOTONIC_RAW: u64 = 4, CLOCK_REALTIME_COARSE: u64 = 5;
const CLOCK_MONOTONIC_COARSE: u64 = 6, CLOCK_BOOTTIME: u64 = 7, CLOCK_PROCESS_CPUTIME_ID: u64 = 2, CLOCK_THREAD_CPUTIME_ID: u64 = 3;
const GRND_NONBLOCK: u64 = 1, GRND_RANDOM: u64 = 2, GRND_INSECURE: u64 = 4;
/** Bytes one getrandom returns at most (Linux: 32 MiB - 1; a shorter answer is allowed and callers loop). */
const GETRANDOM_MAXIMUM: u64 = 64 * 1024;
const UTSNAME_FIELD: usize = 65;
const SYSINFO_SIZE: u64 = 112;

class SystemState {
  readonly buffer: usize = memory.data(512, 16);
}
const state = new SystemState();

/** uname: Linux's fields, so programs that check them see the kernel ABI they were built for
 * (the release is Debian 12's, whose system calls this personality follows). */
export function sysUname(thread: Thread, address: u64): i64 {
  const buffer = state.buffer;
  memory.fill(buffer, 0, UTSNAME_FIELD * 6);
  const fields = ["Linux", "capsid", "6.1.0-capsid", "#1 Capsid", "x86_64", "(none)"];
  for (let i = 0; i < fields.length; i++) {
    const bytes = String.UTF8.encode(fields[i]);
    memory.copy(buffer + <usize>i * UTSNAME_FIELD, changetype<usize>(bytes), bytes.byteLength);
  }
  return copyOut(thread.process.space, address, buffer, 512, UTSNAME_FIELD * 6) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** getrandom: bytes from the kernel's ChaCha20 generator (seeded before any process runs, so it
 * never blocks); at most GETRANDOM_MAXIMUM a call. */
export function sysGetrandom(thread: Thread, address: u64, length: u64, flags: u64): i64 {
  if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) != 0) return -(<i64>Errno.EINVAL);
  if ((flags & GRND_RANDOM) != 0 && (flags & GRND_INSECURE) != 0) return -(<i64>Errno.EINVAL);
  const total = min(length, GETRANDOM_MAXIMUM);
  for (let done: u64 = 0; done < total; done += 256) {
    const chunk = min(<u64>256, total - done);
    generatorFill(state.buffer, <u32>chunk);
    if (copyOut(thread.process.space, address + done, state.buffer, 512, chunk) != KernelError.None) {
      return done > 0 ? <i64>done : -(<i64>Errno.EFAULT);
    }
  }
  return <i64>total;
}

/** The nanoseconds `clock` reads for `thread`, or -1 for a clock not kept (EINVAL: another
 * process's or thread's CPU clock, named by a negative id). */
function clockNanos(thread: Thread, clock: u64): i64 {
  if (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE) return realtimeNanos();
  if (clock == CLOCK_MONOTONIC || clock == CLOCK_MONOTONIC_RAW || clock == CLOCK_MONOTONIC_COARSE || clock == CLOCK_BOOTTIME) {
    return <i64>monotonicNanos();
  }
  if (clock == CLOCK_PROCESS_CPUTIME_ID) return <i64>processCpuTotal(thread.process);
  if (clock == CLOCK_THREAD_CPUTIME_ID) return <i64>threadCpuNanos(thread);
  return -1;
}

function timespecOut(thread: Thread, address: u64, nanos: i64): i64 {
  store<i64>(state.buffer, nanos / 1_000_000_000);
  store<i64>(state.buffer, nanos % 1_000_000_000, 8);
  return copyOut(thread.process.space, address, state.buffer, 512, 16) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

export function sysClockGettime(thread: Thread, clock: u64, address: u64): i64 {
  const nanos = clockNanos(thread, clock);
  if (nanos < 0) return -(<i64>Errno.EINVAL);
  return timespecOut(thread, address, nanos);
}

/** clock_getres: every clock kept is read from the TSC in nanoseconds. */
export function sysClockGetres(thread: Thread, clock: u64, address: u64): i64 {
  if (clockNanos(thread, clock) < 0) return -(<i64>Errno.EINVAL);
  return address == 0 ? 0 : timespecOut(thread, address, 1);
}

export function sysGettimeofday(thread: Thread, address: u64): i64 {
  if (address == 0) return 0;
  const nanos = realtimeNanos();
  store<i64>(state.buffer, nanos / 1_000_000_000);
  store<i64>(state.buffer, (nanos % 1_000_000_000) / 1000, 8);
  return copyOut(thread.process.space, address, state.buffer, 512, 16) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

export function sysTime(thread: Thread, address: u64): i64 {
  const seconds = realtimeNanos() / 1_000_000_000;
  if (address != 0) {
    store<i64>(state.buffer, seconds);
    if (copyOut(thread.process.space, address, state.buffer, 512, 8) != KernelError.None) return -(<i64>Errno.EFAULT);
  }
  return seconds;
}

/** sysinfo: uptime, the Memory quota as the RAM (total and free), no swap, the live processes. */
export function sysSysinfo(thread: Thread, address: u64): i64 {
  const buffer = state.buffer;
  memory.fill(buffer, 0, <usize>SYSINFO_SIZE);
  store<i64>(buffer, <i64>(monotonicNanos() / 1_000_000_000));   // uptime
  store<u64>(buffer, quotaBytes(thread, false), 32);                // totalram
  store<u64>(buffer, quotaBytes(thread, true), 40);                 // freeram
  store<u16>(buffer, <u16>processesLive(), 80);                     // procs
  store<u32>(buffer, 1, 104);                                       // mem_unit
  return copyOut(thread.process.space, address, buffer, 512, SYSINFO_SIZE) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** sched_getaffinity: CPU 0, the one that runs user code; answers the mask's size (8 bytes). */
export function sysSchedGetaffinity(thread: Thread, pid: u64, size: u64, address: u64): i64 {
  if (pid != 0 && pid != <u64>thread.process.id) return -(<i64>Errno.ESRCH);
  if (size < 8 || (size & 7) != 0) return -(<i64>Errno.EINVAL);
  store<u64>(state.buffer, 1);
  return copyOut(thread.process.space, address, state.buffer, 512, 8) != KernelError.None ? -(<i64>Errno.EFAULT) : 8;
}
