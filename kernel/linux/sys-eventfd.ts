// eventfd (docs/linux.md, "Readiness"): eventfd and eventfd2 make an EventCounter
// (objects/event-counter.ts) behind a descriptor. A read of 8 bytes takes the counter (or 1 of it
// in semaphore mode) and blocks (block.ts) while it is 0; a write of 8 bytes adds to it and blocks
// while that would pass the maximum; O_NONBLOCK says EAGAIN instead.

import { KernelError } from "../../abi/errors";
import { EVENT_COUNTER_BYTES, EVENT_COUNTER_MAXIMUM, EventCounterObject } from "../objects/event-counter";
import { Thread } from "../sched/thread";
import { copyIn, copyOut } from "../vm/user-memory";
import { linuxBlock } from "./block";
import { BLOCKED, Errno } from "./errno";
import { FD_CLOEXEC, LinuxProcess } from "./linux-process";
import { STATUS_NONBLOCK } from "./sys-pipe";

const EFD_SEMAPHORE: u64 = 1, EFD_NONBLOCK: u64 = 0o4000, EFD_CLOEXEC: u64 = 0o2000000;

class EventCallsState {
  readonly buffer: usize = memory.data(16, 16);
}
const state = new EventCallsState();

/** eventfd(initval) and eventfd2(initval, flags): EFD_CLOEXEC, EFD_NONBLOCK, EFD_SEMAPHORE (others
 * EINVAL); the descriptor, EMFILE or ENOMEM. */
export function sysEventfd(thread: Thread, linux: LinuxProcess, initial: u64, flags: u64): i64 {
  if ((flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC)) != 0) return -(<i64>Errno.EINVAL);
  const process = thread.process;
  const fd = linux.lowestFree(0);
  if (fd < 0) return -(<i64>Errno.EMFILE);
  if (process.account.kernelFits(EVENT_COUNTER_BYTES, 0) != KernelError.None) return -(<i64>Errno.ENOMEM);
  const table = process.table, slot = table.reserve();
  if (slot < 0) return -(<i64>Errno.ENOMEM);
  const counter = new EventCounterObject(initial & 0xffff_ffff, (flags & EFD_SEMAPHORE) != 0);
  counter.chargeTo(process.account, EVENT_COUNTER_BYTES);
  linux.descriptors[fd] = table.commit(slot, counter);
  linux.descriptorFlags[fd] = ((flags & EFD_CLOEXEC) != 0 ? FD_CLOEXEC : 0) | ((flags & EFD_NONBLOCK) != 0 ? STATUS_NONBLOCK : 0);
  return fd;
}

/** read of an eventfd: EINVAL under 8 bytes; EAGAIN (non-blocking) or a wait while it is 0; EFAULT. */
export function eventfdRead(thread: Thread, linux: LinuxProcess, counter: EventCounterObject, fd: i32, number: u64, buffer: u64, count: u64): i64 {
  if (count < 8) return -(<i64>Errno.EINVAL);
  if (counter.count == 0) {
    if ((linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0) return -(<i64>Errno.EAGAIN);
    const own = linux.threadOf(thread);
    counter.waiting.add(own.wait);
    linuxBlock(thread, own.wait, number, 0);
    return BLOCKED;
  }
  const value = counter.semaphore ? 1 : counter.count;
  store<u64>(state.buffer, value);
  if (copyOut(thread.process.space, buffer, state.buffer, 16, 8) != KernelError.None) return -(<i64>Errno.EFAULT);
  counter.count -= value;
  counter.wakeAll();
  return 8;
}

/** write to an eventfd: EINVAL under 8 bytes or for the value 2^64-1; EAGAIN (non-blocking) or a
 * wait while the sum would pass the maximum; EFAULT. */
export function eventfdWrite(thread: Thread, linux: LinuxProcess, counter: EventCounterObject, fd: i32, number: u64, buffer: u64, count: u64): i64 {
  if (count < 8) return -(<i64>Errno.EINVAL);
  if (copyIn(thread.process.space, state.buffer, 16, buffer, 8) != KernelError.None) return -(<i64>Errno.EFAULT);
  const value = load<u64>(state.buffer);
  if (value == u64.MAX_VALUE) return -(<i64>Errno.EINVAL);
  if (value > EVENT_COUNTER_MAXIMUM - counter.count) {
    if ((linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0) return -(<i64>Errno.EAGAIN);
    const own = linux.threadOf(thread);
    counter.waiting.add(own.wait);
    linuxBlock(thread, own.wait, number, 0);
    return BLOCKED;
  }
  counter.count += value;
  if (value > 0) counter.wakeAll();
  return 8;
}
