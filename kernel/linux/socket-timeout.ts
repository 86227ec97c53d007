// A socket's blocking limits, SO_RCVTIMEO and SO_SNDTIMEO (docs/linux.md, "Sockets"): a call
// that would block longer gives up with EAGAIN, or with the bytes it moved. A blocked call is
// made again from the start each time it wakes (block.ts), so its limit is a deadline kept in its
// thread across those restarts (LinuxThread.sleepAt names the SYSCALL it belongs to) and dropped
// when the call ends; a signal ends such a call with EINTR whatever SA_RESTART says, as Linux's
// (signal-deliver.ts). An AF_UNIX call sets its limit in LinuxThread.callTimeout for the shared
// ring code it runs (sys-pipe.ts, socket-messages.ts) to block with; an AF_INET one passes it.

import { CONTEXT_RIP, contextRead } from "../arch/context";
import { Thread } from "../sched/thread";
import { WaitList } from "../sched/wait";
import { monotonicNanos } from "../time/clock";
import { linuxBlock } from "./block";
import { BLOCKED, Errno } from "./errno";
import { LinuxThread } from "./linux-thread";

/** The address of the SYSCALL `thread` is in. */
@inline function callAt(thread: Thread): u64 {
  return contextRead(<usize>thread.context, CONTEXT_RIP) - 2;
}

/** Blocks `thread` in call `number` on `list` for at most `timeout` ns from the call's first
 * block (0: no limit). BLOCKED, or EAGAIN once the limit passed (nothing registered then). */
export function blockFor(thread: Thread, own: LinuxThread, list: WaitList, number: u64, timeout: u64): i64 {
  const at = callAt(thread);
  let deadline: u64 = 0;
  if (timeout != 0) {
    const now = monotonicNanos();
    if (own.sleepAt != at || own.sleepDeadline == 0) {
      own.sleepAt = at;
      own.sleepDeadline = timeout > u64.MAX_VALUE - now ? u64.MAX_VALUE : now + timeout;
    }
    deadline = own.sleepDeadline;
    if (now >= deadline) {
      own.sleepAt = 0;
      own.sleepDeadline = 0;
      return -(<i64>Errno.EAGAIN);
    }
  } else {
    own.sleepAt = at;   // marks the call as blocked here (an AF_INET connect's restart)
    own.sleepDeadline = 0;
  }
  list.add(own.wait);
  linuxBlock(thread, own.wait, number, deadline);
  return BLOCKED;
}

/** blockFor with the limit of the AF_UNIX call running (callTimeout). */
export function blockForCall(thread: Thread, own: LinuxThread, list: WaitList, number: u64): i64 {
  return blockFor(thread, own, list, number, own.callTimeout);
}

/** An AF_UNIX call begins, with `timeout` as its limit (the socket's SO_RCVTIMEO or SO_SNDTIMEO). */
export function timedBegin(own: LinuxThread, timeout: u64): void {
  own.callTimeout = timeout;
}

/** A socket call returns `result`: unless it blocked, a later call at the same SYSCALL starts its
 * own limit. Returns `result`. */
export function timedEnd(thread: Thread, own: LinuxThread, result: i64): i64 {
  own.callTimeout = 0;
  if (result != BLOCKED) timeoutDrop(thread, own);
  return result;
}

/** The call at this SYSCALL ended: a later one there starts its own limit. */
export function timeoutDrop(thread: Thread, own: LinuxThread): void {
  if (own.sleepAt != callAt(thread)) return;
  own.sleepAt = 0;
  own.sleepDeadline = 0;
}

/** A struct timeval's limit, for setsockopt: ns (0, from 0 s 0 µs: none), or -EDOM for
 * microseconds outside 0..999,999. A negative time makes a blocking call give up at once, as
 * Linux's sock_set_timeout (it stores 0 jiffies): 1 ns here, which getsockopt shows as 0. A limit
 * past 10^9 s is for ever. */
export function timeoutOfTimeval(seconds: i64, micros: i64): i64 {
  if (micros < 0 || micros >= 1_000_000) return -(<i64>Errno.EDOM);
  if (seconds < 0) return 1;
  return seconds > 1_000_000_000 ? <i64>(u64.MAX_VALUE / 2) : seconds * 1_000_000_000 + micros * 1000;
}

/** Stores limit `nanos` as a struct timeval at `at` (getsockopt). */
export function timevalStore(at: usize, nanos: u64): void {
  store<u64>(at, nanos / 1_000_000_000);
  store<u64>(at, (nanos % 1_000_000_000) / 1000, 8);
}
