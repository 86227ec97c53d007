// timerfd (docs/linux.md, "Readiness"): timerfd_create makes an EventCounter with a timer
// (objects/event-counter.ts) behind a descriptor; timerfd_settime arms it (relative or absolute,
// once or periodic) or disarms it, timerfd_gettime says what is left. Each expiry adds to the
// counter; a read takes the count of expiries (sys-eventfd.ts's read), blocking while it is 0.
// The clocks: CLOCK_MONOTONIC and CLOCK_BOOTTIME (the same here: the machine never suspends) and
// CLOCK_REALTIME, whose absolute times are turned into monotonic deadlines when set (a change of
// the wall clock afterwards does not move them; TFD_TIMER_CANCEL_ON_SET is accepted and never
// fires, since nothing sets the wall clock).

import { KernelError } from "../../abi/errors";
import { COUNTER_TIMER_BYTES, CounterTimer, EVENT_COUNTER_BYTES, EventCounterObject } from "../objects/event-counter";
import { Interface } from "../../abi/interfaces";
import { Thread } from "../sched/thread";
import { monotonicNanos } from "../time/clock";
import { timerStart, timerStop } from "../time/timers";
import { realtimeNanos } from "../time/wall-clock";
import { copyIn, copyOut } from "../vm/user-memory";
import { Errno } from "./errno";
import { FD_CLOEXEC, LinuxProcess } from "./linux-process";
import { STATUS_NONBLOCK } from "./sys-pipe";

const CLOCK_REALTIME: u32 = 0, CLOCK_MONOTONIC: u32 = 1, CLOCK_BOOTTIME: u32 = 7, CLOCK_REALTIME_ALARM: u32 = 8, CLOCK_BOOTTIME_ALARM: u32 = 9;
const TFD_NONBLOCK: u64 = 0o4000, TFD_CLOEXEC: u64 = 0o2000000;
const TFD_TIMER_ABSTIME: u64 = 1, TFD_TIMER_CANCEL_ON_SET: u64 = 2;
const NANOSECONDS: u64 = 1_000_000_000;

class TimerCallsState {
  readonly buffer: usize = memory.data(32, 16);
}
const state = new TimerCallsState();

/** timerfd_create(clock, flags): CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME and their _ALARM
 * forms (others EINVAL); TFD_CLOEXEC and TFD_NONBLOCK (others EINVAL); EMFILE, ENOMEM. */
export function sysTimerfdCreate(thread: Thread, linux: LinuxProcess, clock: u64, flags: u64): i64 {
  const id = <u32>clock;
  if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC && id != CLOCK_BOOTTIME && id != CLOCK_REALTIME_ALARM && id != CLOCK_BOOTTIME_ALARM) {
    return -(<i64>Errno.EINVAL);
  }
  if ((flags & ~(TFD_NONBLOCK | TFD_CLOEXEC)) != 0) return -(<i64>Errno.EINVAL);
  const process = thread.process;
  const fd = linux.lowestFree(0);
  if (fd < 0) return -(<i64>Errno.EMFILE);
  if (process.account.kernelFits(EVENT_COUNTER_BYTES + COUNTER_TIMER_BYTES, 0) != KernelError.None) return -(<i64>Errno.ENOMEM);
  const table = process.table, slot = table.reserve();
  if (slot < 0) return -(<i64>Errno.ENOMEM);
  const counter = new EventCounterObject(0, false);
  counter.timer = new CounterTimer(counter);
  counter.clock = id;
  counter.chargeTo(process.account, EVENT_COUNTER_BYTES + COUNTER_TIMER_BYTES);
  linux.descriptors[fd] = table.commit(slot, counter);
  linux.descriptorFlags[fd] = ((flags & TFD_CLOEXEC) != 0 ? FD_CLOEXEC : 0) | ((flags & TFD_NONBLOCK) != 0 ? STATUS_NONBLOCK : 0);
  return fd;
}

/** The timerfd descriptor `fd` names, or null (EBADF when closed, EINVAL when it is no timerfd:
 * timerError). */
function timerOf(thread: Thread, linux: LinuxProcess, fd: i32): EventCounterObject | null {
  const object = thread.process.table.lookup(linux.handleOf(<i64>fd));
  if (object === null || object.iface != Interface.EventCounter) return null;
  const counter = changetype<EventCounterObject>(object);
  return counter.timer !== null ? counter : null;
}

function timerError(linux: LinuxProcess, fd: i32): i64 {
  return linux.handleOf(<i64>fd) == 0 ? -(<i64>Errno.EBADF) : -(<i64>Errno.EINVAL);
}

/** Writes `counter`'s itimerspec (interval, then the time left) at `address`. */
function currentOut(thread: Thread, counter: EventCounterObject, address: u64): bool {
  const timer = counter.timer!;
  const now = monotonicNanos();
  const left: u64 = timer.pending ? (timer.deadline > now ? timer.deadline - now : 1) : 0;
  const b = state.buffer;
  store<u64>(b, timer.interval / NANOSECONDS);
  store<u64>(b, timer.interval % NANOSECONDS, 8);
  store<u64>(b, left / NANOSECONDS, 16);
  store<u64>(b, left % NANOSECONDS, 24);
  return copyOut(thread.process.space, address, b, 32, 32) == KernelError.None;
}

/** A timespec's nanoseconds, or -1 when it is not valid (a negative second or nanoseconds out of
 * 0..999,999,999). */
function nanosOf(at: usize): i64 {
  const seconds = load<i64>(at), nanoseconds = load<i64>(at, 8);
  if (seconds < 0 || nanoseconds < 0 || nanoseconds >= <i64>NANOSECONDS) return -1;
  if (<u64>seconds > (u64.MAX_VALUE / 2) / NANOSECONDS) return i64.MAX_VALUE;
  return seconds * <i64>NANOSECONDS + nanoseconds;
}

/** timerfd_settime(fd, flags, new, old), in Linux's order: EFAULT for `new`, EINVAL for unknown
 * flags or an invalid time, EBADF, EINVAL for a descriptor that is no timerfd; then the old
 * setting to `old` (EFAULT). A value of 0 disarms; the count of expiries starts again at 0. */
export function sysTimerfdSettime(thread: Thread, linux: LinuxProcess, fd: u64, flags: u64, next: u64, old: u64): i64 {
  const b = state.buffer;
  if (copyIn(thread.process.space, b, 32, next, 32) != KernelError.None) return -(<i64>Errno.EFAULT);
  const interval = nanosOf(b), value = nanosOf(b + 16);
  flags &= 0xffff_ffff;
  if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) != 0 || interval < 0 || value < 0) return -(<i64>Errno.EINVAL);
  const counter = timerOf(thread, linux, <i32>fd);
  if (counter === null) return timerError(linux, <i32>fd);
  if (old != 0 && !currentOut(thread, counter, old)) return -(<i64>Errno.EFAULT);
  const timer = counter.timer!;
  timerStop(timer);
  counter.count = 0;
  timer.interval = <u64>interval;
  if (value == 0) return 0;
  const now = monotonicNanos();
  let deadline: u64;
  if ((flags & TFD_TIMER_ABSTIME) == 0) deadline = <u64>value > u64.MAX_VALUE - now ? u64.MAX_VALUE : now + <u64>value;
  else if (counter.clock == CLOCK_REALTIME || counter.clock == CLOCK_REALTIME_ALARM) {
    const wall = realtimeNanos(), offset: i64 = wall < 0 ? 0 : wall - <i64>now;
    deadline = value <= offset ? 1 : <u64>(value - offset);
  } else deadline = <u64>value;
  timerStart(timer, max<u64>(deadline, 1));   // a deadline passed fires at the next tick
  return 0;
}

/** timerfd_gettime(fd, current): the interval and the time left (0: disarmed). */
export function sysTimerfdGettime(thread: Thread, linux: LinuxProcess, fd: u64, current: u64): i64 {
  const counter = timerOf(thread, linux, <i32>fd);
  if (counter === null) return timerError(linux, <i32>fd);
  return currentOut(thread, counter, current) ? 0 : -(<i64>Errno.EFAULT);
}
