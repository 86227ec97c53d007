// epoll (docs/linux.md, "Readiness"): epoll_create and epoll_create1 make an EventPoll set
// (objects/event-poll.ts) behind a descriptor; epoll_ctl adds, changes and removes entries;
// epoll_wait and epoll_pwait report the entries on the set's ready list that are ready
// (readiness.ts): level-triggered, edge-triggered (EPOLLET: once per change of what the entry
// watches), EPOLLONESHOT entries once until changed. With nothing to report the call blocks
// (block.ts) on the set and its deadline, and runs again when an entry becomes ready. An entry
// whose descriptor was closed (it names another capability, or none) is dropped when next looked
// at, as Linux drops an entry whose file is closed.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { EVENT_POLL_BLOCK_BYTES, EVENT_POLL_BYTES, EVENT_POLL_ENTRIES_MAXIMUM, EventPollObject } from "../objects/event-poll";
import { Thread } from "../sched/thread";
import { monotonicNanos } from "../time/clock";
import { USER_HALF_END } from "../../abi/layout";
import { AddressSpace } from "../vm/address-space";
import { copyIn, copyOut, userRangeCheck, userRangeResolve } from "../vm/user-memory";
import { PAGE_SIZE } from "../memory/page-table";
import { BLOCKED, Errno } from "./errno";
import { FD_CLOEXEC, LinuxProcess } from "./linux-process";
import { LinuxThread } from "./linux-thread";
import { Sys } from "./numbers";
import { EPOLLET, EPOLLEXCLUSIVE, EPOLLONESHOT, epollAnyReady, epollEntryLive, epollEntryReadiness, pollable } from "./readiness";
import { deadlineOf, FOREVER, waitUntil } from "./sys-poll";
import { signalCallMask, signalCallMaskEnd } from "./sys-signal";

const EPOLL_CLOEXEC: u64 = 0o2000000;
const EPOLL_CTL_ADD: u64 = 1, EPOLL_CTL_DEL: u64 = 2, EPOLL_CTL_MOD: u64 = 3;
/** struct epoll_event is packed on x86-64: u32 events, u64 data. */
const EVENT_SIZE: u64 = 12;
/** Events one epoll_wait reports at most (the rest come at the next). */
const REPORT_MAXIMUM: i32 = 256;
/** Linux's EP_MAX_EVENTS: maxevents above it is EINVAL. */
const MAXEVENTS_LIMIT: u64 = 0x7fff_ffff / EVENT_SIZE;

class EpollState {
  readonly events: usize = memory.data(<i32>(<u64>REPORT_MAXIMUM * EVENT_SIZE), 16);
  readonly buffer: usize = memory.data(16, 16);
  /** Where the events go in kernel linear memory, when they lie in one page (writableEvents). */
  linear: usize = 0;
}
const state = new EpollState();

/** epoll_create(size) (size must be positive) and epoll_create1(flags) (EPOLL_CLOEXEC only). */
export function sysEpollCreate(thread: Thread, linux: LinuxProcess, flags: u64): i64 {
  if ((flags & ~EPOLL_CLOEXEC) != 0) return -(<i64>Errno.EINVAL);
  const process = thread.process;
  const fd = linux.lowestFree(0);
  if (fd < 0) return -(<i64>Errno.EMFILE);
  if (process.account.kernelFits(EVENT_POLL_BYTES + EVENT_POLL_BLOCK_BYTES, 0) != KernelError.None) return -(<i64>Errno.ENOMEM);
  const table = process.table, slot = table.reserve();
  if (slot < 0) return -(<i64>Errno.ENOMEM);
  const set = new EventPollObject(process.account);
  process.account.retain();   // the set keeps it for its entries' blocks
  set.chargeTo(process.account, EVENT_POLL_BYTES);
  linux.descriptors[fd] = table.commit(slot, set);
  linux.descriptorFlags[fd] = (flags & EPOLL_CLOEXEC) != 0 ? FD_CLOEXEC : 0;
  return fd;
}

/** The set descriptor `epfd` names, or null (the caller says EBADF or EINVAL: setError). */
@inline function setOf(thread: Thread, linux: LinuxProcess, epfd: i32): EventPollObject | null {
  const handle = linux.handleOf(<i64>epfd);
  if (handle == 0) return null;
  const object = thread.process.table.lookup(handle);
  return object !== null && object.iface == Interface.EventPoll ? changetype<EventPollObject>(object) : null;
}

/** EBADF for a closed descriptor, EINVAL for one that is no epoll set. */
function setError(linux: LinuxProcess, epfd: i32): i64 {
  return linux.handleOf(<i64>epfd) == 0 ? -(<i64>Errno.EBADF) : -(<i64>Errno.EINVAL);
}

/** epoll_ctl(epfd, op, fd, event), in Linux's order of checks: EFAULT for the event (ADD, MOD),
 * EBADF for either descriptor, EPERM for a regular file or directory, EINVAL for an epfd that is
 * no set or names itself, EPOLLEXCLUSIVE with MOD, an unknown op; EEXIST (ADD) or ENOENT (MOD,
 * DEL) for the entry; ENOSPC past EVENT_POLL_ENTRIES_MAXIMUM; ENOMEM. */
export function sysEpollCtl(thread: Thread, linux: LinuxProcess, epfd: u64, op: u64, fd: u64, event: u64): i64 {
  const set32 = <i32>epfd, target = <i32>fd;
  op &= 0xffff_ffff;
  if ((op == EPOLL_CTL_ADD || op == EPOLL_CTL_MOD) && copyIn(thread.process.space, state.buffer, 16, event, EVENT_SIZE) != KernelError.None) {
    return -(<i64>Errno.EFAULT);
  }
  const events = load<u32>(state.buffer), data = load<u64>(state.buffer, 4);
  if (linux.handleOf(<i64>set32) == 0 || linux.handleOf(<i64>target) == 0) return -(<i64>Errno.EBADF);
  if (!pollable(thread, linux, target)) return -(<i64>Errno.EPERM);
  const set = setOf(thread, linux, set32);
  if (set === null || set32 == target) return -(<i64>Errno.EINVAL);
  if (op == EPOLL_CTL_MOD && (events & EPOLLEXCLUSIVE) != 0) return -(<i64>Errno.EINVAL);
  let entry = set.find(target);
  if (entry !== null && !epollEntryLive(linux, entry)) {   // its file was closed: that entry is gone
    set.remove(entry);
    entry = null;
  }
  if (op == EPOLL_CTL_ADD) {
    if (entry !== null) return -(<i64>Errno.EEXIST);
    if (set.count >= EVENT_POLL_ENTRIES_MAXIMUM) return -(<i64>Errno.ENOSPC);
    if (set.blockNeeded) {
      if (set.quota.kernelFits(EVENT_POLL_BLOCK_BYTES, 0) != KernelError.None) return -(<i64>Errno.ENOMEM);
      set.chargeBlock();
    }
    set.add(target, linux.handleOf(<i64>target), events, data);
    return 0;
  }
  if (op == EPOLL_CTL_MOD) {
    if (entry === null) return -(<i64>Errno.ENOENT);
    entry.events = events;
    entry.data = data;
    entry.spent = false;
    set.enqueue(entry);   // re-armed: looked at again
    return 0;
  }
  if (op == EPOLL_CTL_DEL) {
    if (entry === null) return -(<i64>Errno.ENOENT);
    set.remove(entry);
    return 0;
  }
  return -(<i64>Errno.EINVAL);
}

/** epoll_wait(epfd, events, maxevents, timeout ms; negative: none) and epoll_pwait(..., sigmask,
 * size), which waits with that mask (sys-signal.ts, signalCallMask). EINVAL for maxevents not in
 * 1..EP_MAX_EVENTS or an epfd that is no set, EFAULT, EBADF. */
export function sysEpollWait(thread: Thread, linux: LinuxProcess, number: u64, epfd: u64, events: u64, maximum: u64, timeout: u64,
  sigmask: u64, sigsetSize: u64): i64 {
  if (number == <u64>Sys.epoll_pwait && sigmask != 0) {
    if (sigsetSize != 8) return -(<i64>Errno.EINVAL);
    const masked = signalCallMask(thread, linux, sigmask, sigsetSize);
    if (masked != 0) return masked;
  }
  const own = linux.threadOf(thread);
  const result = waitOnce(thread, linux, own, number, <i32>epfd, events, <u64><i64><i32>maximum, timeout);
  if (result != BLOCKED) signalCallMaskEnd(own);
  return result;
}

function waitOnce(thread: Thread, linux: LinuxProcess, own: LinuxThread, number: u64, epfd: i32, events: u64, maximum: u64, timeout: u64): i64 {
  if (maximum == 0 || maximum > MAXEVENTS_LIMIT) return -(<i64>Errno.EINVAL);
  const space = thread.process.space;
  // Linux's access_ok: the buffer must lie in the user half; whether it is mapped shows when the
  // events are copied out.
  if (events >= USER_HALF_END || maximum * EVENT_SIZE > USER_HALF_END - events) return -(<i64>Errno.EFAULT);
  const set = setOf(thread, linux, epfd);
  if (set === null) return setError(linux, epfd);
  const wait = <i32>timeout < 0 ? FOREVER : <u64><i32>timeout * 1_000_000;
  // A timeout of 0 (a look, the common case of an event loop) reads no clock.
  const deadline = wait == 0 ? 0 : deadlineOf(thread, linux, wait);
  const blocking = deadline != 0 && (deadline == FOREVER || monotonicNanos() < deadline);
  // Only as many events are taken from the list as fit in the writable start of the buffer, so a
  // bad buffer loses none: Linux copies event by event, returns the count before a fault (EFAULT
  // for none) and puts the failed entry back.
  const room = writableEvents(space, events, <i32>min(maximum, <u64>REPORT_MAXIMUM));
  if (room == 0 && epollAnyReady(thread, linux, set, null, 0)) return -(<i64>Errno.EFAULT);
  // Only the entries on the ready list are looked at, each once: what they watch told them of a
  // change since (or they were added or changed). A level-triggered entry that reports goes back
  // on the list, as on Linux; an edge-triggered one waits for the next change.
  // The list is rewritten in place: entries kept (level-triggered ones that reported, and those
  // past the last one looked at) move to its front, in order.
  const ready = set.ready, length = ready.length;
  let reported = 0, kept = 0, i = 0;
  for (; i < length && reported < room; i++) {
    const entry = unchecked(ready[i]);
    entry.queued = false;
    if (!epollEntryLive(linux, entry)) {
      set.removeQuiet(entry);
      continue;
    }
    if (entry.spent) continue;
    const now = epollEntryReadiness(thread, linux, entry, entry, 0);   // registers it for the next change
    if (now == 0) continue;
    const at = state.events + <usize>(<u64>reported * EVENT_SIZE);
    store<u32>(at, now);
    store<u64>(at, entry.data, 4);
    reported++;
    if ((entry.events & EPOLLONESHOT) != 0) entry.spent = true;
    else if ((entry.events & EPOLLET) == 0) {
      entry.queued = true;
      if (kept != i) unchecked(ready[kept] = entry);
      kept++;
    }
  }
  // The common look (every entry looked at kept its place) writes nothing back.
  if (kept != i) {
    for (; i < length; i++) unchecked(ready[kept++] = ready[i]);   // not looked at: still queued
    ready.length = kept;
  }
  if (reported == 0 && blocking) {
    // Nothing to report: an entry becoming ready wakes this thread, and the call runs again.
    set.waiting.add(own.wait);
    const blocked = waitUntil(thread, linux, number, deadline);
    if (blocked == BLOCKED) return BLOCKED;
  }
  own.sleepDeadline = 0;
  return reported > 0 ? reportOut(space, events, reported) : 0;
}

/** How many of `limit` events fit in the writable start of the user's buffer at `events` (0 when
 * its first is not writable). When all `limit` lie in one page, state.linear says where (the
 * usual few events: one translation, shared with reportOut), else it is 0. */
function writableEvents(space: AddressSpace, events: u64, limit: i32): i32 {
  const bytes = <u64>limit * EVENT_SIZE;
  const linear = userRangeResolve(space, events, bytes, true);
  state.linear = linear > 0 ? <usize>linear : 0;
  if (linear >= 0) return limit;
  let end = events & ~(PAGE_SIZE - 1);   // some page is not writable: the events before it
  while (end < events + bytes && userRangeCheck(space, end, 1, true) == KernelError.None) end += PAGE_SIZE;
  return end <= events ? 0 : <i32>min(<u64>limit, (end - events) / EVENT_SIZE);
}

/** Copies the first `reported` events of state.events to the user's `events`, which
 * writableEvents found writable: `reported` (EFAULT should a copy fail all the same). In one
 * page they are stored through its translation, with no call to copy them. */
function reportOut(space: AddressSpace, events: u64, reported: i32): i64 {
  const bytes = <u64>reported * EVENT_SIZE, linear = state.linear;
  if (linear == 0) {
    return copyOut(space, events, state.events, <u64>REPORT_MAXIMUM * EVENT_SIZE, bytes) == KernelError.None ? reported : -(<i64>Errno.EFAULT);
  }
  for (let at: usize = 0; at < <usize>bytes; at += <usize>EVENT_SIZE) {
    store<u32>(linear + at, load<u32>(state.events + at));
    store<u64>(linear + at, load<u64>(state.events + at, 4), 4);
  }
  return reported;
}
