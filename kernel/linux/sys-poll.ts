// Readiness (docs/linux.md, "Readiness"): poll, ppoll, select and pselect6 over the descriptors'
// capabilities (readiness.ts says what each is ready for; epoll is sys-epoll.ts). With nothing ready the call blocks (block.ts) on every one of them and its deadline, and runs
// again when any changes; the deadline is kept across restarts with the SYSCALL's address.

import { KernelError } from "../../abi/errors";
import { CONTEXT_RIP, contextRead } from "../arch/context";
import { Thread } from "../sched/thread";
import { monotonicNanos } from "../time/clock";
import { copyIn, copyOut } from "../vm/user-memory";
import { linuxBlock } from "./block";
import { BLOCKED, Errno } from "./errno";
import { LINUX_DESCRIPTORS, LinuxProcess } from "./linux-process";
import { Sys } from "./numbers";
import { signalCallInterrupt, signalCallMask, signalCallMaskEnd } from "./sys-signal";
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, readiness } from "./readiness";

/** select's FD_SETSIZE: the most descriptors its sets name. */
const SELECT_MAXIMUM: u64 = 1024;
const NANOSECONDS: i64 = 1_000_000_000;
/** No deadline. */
export const FOREVER: u64 = u64.MAX_VALUE;

class PollState {
  /** The pollfd array (8 bytes each) or select's three sets (128 bytes each). */
  readonly buffer: usize = memory.data(<i32>(LINUX_DESCRIPTORS * 8), 16);
  readonly sets: usize = memory.data(3 * 128, 16);
  readonly result: usize = memory.data(3 * 128, 16);
  readonly time: usize = memory.data(16, 16);
}
const state = new PollState();

/** The SYSCALL's address: a deadline is kept for it across restarts. */
function callAddress(thread: Thread): u64 {
  return contextRead(<usize>thread.context, CONTEXT_RIP) - 2;
}

/** The deadline for a call waiting `timeout` ns (FOREVER: none; 0: do not wait), the one kept if
 * this is a restart of the same call. */
export function deadlineOf(thread: Thread, linux: LinuxProcess, timeout: u64): u64 {
  const own = linux.threadOf(thread);
  if (own.sleepDeadline != 0 && own.sleepAt == callAddress(thread)) return own.sleepDeadline;
  if (timeout == FOREVER) return FOREVER;
  const now = monotonicNanos();
  return timeout > FOREVER - now - 1 ? FOREVER - 1 : now + timeout;
}

/** Blocks until `deadline` or a change (0 when the deadline has passed: the caller answers). */
export function waitUntil(thread: Thread, linux: LinuxProcess, number: u64, deadline: u64): i64 {
  const own = linux.threadOf(thread);
  if (deadline != FOREVER && monotonicNanos() >= deadline) {
    own.sleepDeadline = 0;
    return 0;
  }
  own.sleepDeadline = deadline == FOREVER ? 0 : deadline;
  own.sleepAt = callAddress(thread);
  linuxBlock(thread, own.wait, number, deadline == FOREVER ? 0 : deadline);
  signalCallInterrupt(linux, own);   // ppoll's and pselect6's mask may let a pending signal through
  return BLOCKED;
}

/** Whether timespecIn's answer is -errno: FOREVER (no timeout) is -1 as an i64, which is not EPERM. */
@inline export function isError(given: i64): bool { return given < 0 && <u64>given != FOREVER; }

/** The timespec at `address` in ns (FOREVER for address 0), or -errno. */
export function timespecIn(thread: Thread, address: u64, microseconds: bool): i64 {
  if (address == 0) return <i64>FOREVER;
  if (copyIn(thread.process.space, state.time, 16, address, 16) != KernelError.None) return -(<i64>Errno.EFAULT);
  const seconds = load<i64>(state.time), fraction = load<i64>(state.time, 8);
  const unit: i64 = microseconds ? 1000 : 1, limit: i64 = microseconds ? 1_000_000 : NANOSECONDS;
  if (seconds < 0 || fraction < 0 || fraction >= limit) return -(<i64>Errno.EINVAL);
  if (seconds > (i64.MAX_VALUE / 2) / NANOSECONDS) return <i64>(FOREVER - 1);
  return seconds * NANOSECONDS + fraction * unit;
}

/** poll(fds, nfds, timeout in ms; negative: none) and ppoll(fds, nfds, timespec, sigmask, size):
 * ppoll waits with `sigmask` as the signal mask (sys-signal.ts, signalCallMask). */
export function sysPoll(thread: Thread, linux: LinuxProcess, number: u64, fds: u64, count: u64, timeout: u64, sigmask: u64, sigsetSize: u64): i64 {
  if (count > <u64>linux.descriptorLimit) return -(<i64>Errno.EINVAL);   // past RLIMIT_NOFILE, as Linux
  if (number == <u64>Sys.ppoll && sigmask != 0 && sigsetSize != 8) return -(<i64>Errno.EINVAL);
  const result = pollOnce(thread, linux, number, fds, count, timeout, sigmask, sigsetSize);
  if (result != BLOCKED) signalCallMaskEnd(linux.threadOf(thread));
  return result;
}

function pollOnce(thread: Thread, linux: LinuxProcess, number: u64, fds: u64, count: u64, timeout: u64, sigmask: u64, sigsetSize: u64): i64 {
  const own = linux.threadOf(thread);
  let wait: u64;
  if (number == <u64>Sys.poll) wait = <i32>timeout < 0 ? FOREVER : <u64><i32>timeout * 1_000_000;
  else {
    const given = timespecIn(thread, timeout, false);
    if (isError(given)) return given;
    wait = <u64>given;
  }
  const space = thread.process.space, bytes = count * 8;
  if (bytes > 0 && copyIn(space, state.buffer, LINUX_DESCRIPTORS * 8, fds, bytes) != KernelError.None) return -(<i64>Errno.EFAULT);
  if (number == <u64>Sys.ppoll) {
    const masked = signalCallMask(thread, linux, sigmask, sigsetSize);
    if (masked != 0) return masked;
  }
  const deadline = deadlineOf(thread, linux, wait);
  const blocking = deadline != 0 && (deadline == FOREVER || monotonicNanos() < deadline);
  let ready = 0;
  for (let i: u64 = 0; i < count; i++) {
    const entry = state.buffer + <usize>(i * 8);
    const fd = load<i32>(entry), events = <i32>load<u16>(entry, 4);
    let revents = 0;
    if (fd >= 0) revents = readiness(thread, linux, fd, blocking ? own.wait : null, 0, events) & (events | POLLERR | POLLHUP | POLLNVAL);
    store<u16>(entry, <u16>revents, 6);
    if (revents != 0) ready++;
  }
  if (ready == 0 && blocking) {
    const blocked = waitUntil(thread, linux, number, deadline);
    if (blocked == BLOCKED) return BLOCKED;
  }
  own.sleepDeadline = 0;
  if (bytes > 0 && copyOut(space, fds, state.buffer, LINUX_DESCRIPTORS * 8, bytes) != KernelError.None) return -(<i64>Errno.EFAULT);
  return ready;
}

/** select(nfds, read, write, except, timeval) and pselect6(nfds, read, write, except, timespec,
 * {sigmask, size}): the sets are rewritten with the ready descriptors; the time left is written
 * back, as Linux does. EBADF for a closed descriptor in a set. pselect6 waits with the mask
 * `sigmask` names (sys-signal.ts, signalCallMask). */
export function sysSelect(thread: Thread, linux: LinuxProcess, number: u64, count: u64, reads: u64, writes: u64, excepts: u64,
  timeout: u64, sigmask: u64): i64 {
  const result = selectOnce(thread, linux, number, count, reads, writes, excepts, timeout, sigmask);
  if (result != BLOCKED) signalCallMaskEnd(linux.threadOf(thread));
  return result;
}

function selectOnce(thread: Thread, linux: LinuxProcess, number: u64, count: u64, reads: u64, writes: u64, excepts: u64,
  timeout: u64, sigmask: u64): i64 {
  const own = linux.threadOf(thread);
  if (<i64><i32>count < 0) return -(<i64>Errno.EINVAL);
  const limit = min(<u64><u32>count, SELECT_MAXIMUM);
  const given = timespecIn(thread, timeout, number == <u64>Sys.select);
  if (isError(given)) return given;
  const space = thread.process.space, bytes = (limit + 63) / 64 * 8;
  const addresses: u64[] = [reads, writes, excepts];
  memory.fill(state.sets, 0, 3 * 128);
  for (let s = 0; s < 3; s++) {
    if (addresses[s] != 0 && bytes > 0 && copyIn(space, state.sets + <usize>(s * 128), 3 * 128, addresses[s], bytes) != KernelError.None) {
      return -(<i64>Errno.EFAULT);
    }
  }
  if (number == <u64>Sys.pselect6 && sigmask != 0) {   // {const sigset_t *ss; size_t ss_len}
    if (copyIn(space, state.time, 16, sigmask, 16) != KernelError.None) return -(<i64>Errno.EFAULT);
    const masked = signalCallMask(thread, linux, load<u64>(state.time), load<u64>(state.time, 8));
    if (masked != 0) return masked;
  }
  const deadline = deadlineOf(thread, linux, <u64>given);
  const blocking = deadline != 0 && (deadline == FOREVER || monotonicNanos() < deadline);
  memory.fill(state.result, 0, 3 * 128);
  let ready = 0;
  for (let fd: u64 = 0; fd < limit; fd++) {
    const word = <usize>(fd / 64) * 8, bit = <u64>1 << (fd % 64);
    // Bit s: set s (read, write, except) names the descriptor; then: it is ready for set s.
    let wanted = 0;
    for (let set = 0; set < 3; set++) if ((load<u64>(state.sets + <usize>(set * 128) + word) & bit) != 0) wanted |= 1 << set;
    if (wanted == 0) continue;
    const now = readiness(thread, linux, <i32>fd, blocking ? own.wait : null);
    if (now & POLLNVAL) {
      own.sleepDeadline = 0;
      return -(<i64>Errno.EBADF);
    }
    const hits = wanted & (((now & (POLLIN | POLLHUP | POLLERR)) != 0 ? 1 : 0) | ((now & (POLLOUT | POLLERR)) != 0 ? 2 : 0)
      | ((now & POLLPRI) != 0 ? 4 : 0));
    for (let set = 0; set < 3; set++) {
      if ((hits & (1 << set)) == 0) continue;
      const at = state.result + <usize>(set * 128) + word;
      store<u64>(at, load<u64>(at) | bit);
      ready++;
    }
  }
  if (ready == 0 && blocking) {
    const blocked = waitUntil(thread, linux, number, deadline);
    if (blocked == BLOCKED) return BLOCKED;
  }
  own.sleepDeadline = 0;
  for (let s = 0; s < 3; s++) {
    if (addresses[s] != 0 && bytes > 0 && copyOut(space, addresses[s], state.result + <usize>(s * 128), 128, bytes) != KernelError.None) {
      return -(<i64>Errno.EFAULT);
    }
  }
  if (timeout != 0 && <u64>given != FOREVER) {   // the time left
    const left = deadline == 0 || deadline == FOREVER ? 0 : max<i64>(0, <i64>(deadline - min(deadline, monotonicNanos())));
    store<i64>(state.time, left / NANOSECONDS);
    store<i64>(state.time, number == <u64>Sys.select ? (left % NANOSECONDS) / 1000 : left % NANOSECONDS, 8);
    copyOut(space, timeout, state.time, 16, 16);   // Linux ignores a failure here too
  }
  return ready;
}
