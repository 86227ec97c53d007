// What a descriptor is ready for (docs/linux.md, "Readiness"), for poll, select and epoll: the
// console (readable when its line discipline has something for a read), pipe ends (readable with
// bytes or at the end of the stream, writable with room for an atomic write, POLLHUP and POLLERR
// when the other end is gone), event counters (readable above 0, writable below the maximum; a
// timerfd's never writable), sockets (sys-socket.ts; AF_INET's: sys-inet.ts), epoll sets (readable when an entry is
// ready), files (always ready, as Linux's regular files).
// With a wait, each also registers it to be woken when that may change.

import { Interface } from "../../abi/interfaces";
import { EVENT_COUNTER_MAXIMUM, EventCounterObject } from "../objects/event-counter";
import { EventPollEntry, EventPollObject } from "../objects/event-poll";
import { PipeObject } from "../objects/pipe";
import { PIPE_ATOMIC } from "../objects/pipe-ring";
import { UnixSocketObject } from "../objects/unix-socket";
import { socketReadiness } from "./sys-socket";
import { inetReadiness } from "./sys-inet";
import { unixEndpointReadiness } from "./sys-unix";
import { unixDatagramReadiness } from "./sys-unix-dgram";
import { UnixEndpointObject } from "../objects/unix-endpoint";
import { InetSocketObject } from "../objects/inet-socket";
import { Thread } from "../sched/thread";
import { Wait } from "../sched/wait";
import { LinuxProcess } from "./linux-process";
import { ttyDiscipline, ttyWaitFor } from "./tty";

export const POLLIN: i32 = 0x1, POLLPRI: i32 = 0x2, POLLOUT: i32 = 0x4, POLLERR: i32 = 0x8, POLLHUP: i32 = 0x10, POLLNVAL: i32 = 0x20;
export const POLLRDNORM: i32 = 0x40, POLLWRNORM: i32 = 0x100;
/** Every event a wait may be interested in (readiness's default `interest`). */
const ALL_EVENTS: i32 = -1;
/** What a descriptor that cannot wait reports (Linux's DEFAULT_POLLMASK). */
export const ALWAYS_READY: i32 = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
/** epoll_ctl's flags beside the events: EPOLLET and EPOLLONESHOT (and EPOLLWAKEUP, EPOLLEXCLUSIVE, accepted). */
export const EPOLLEXCLUSIVE: u32 = 1 << 28, EPOLLWAKEUP: u32 = 1 << 29, EPOLLONESHOT: u32 = 1 << 30, EPOLLET: u32 = 1 << 31;
/** How deep epoll sets inside epoll sets are looked into (Linux refuses nesting past 4: ELOOP). */
export const EPOLL_DEPTH_MAXIMUM: i32 = 4;

/** What descriptor `fd` is ready for now (POLL* bits; POLLNVAL when closed); with `wait`, also
 * registers it to be woken when that may change, for the events of `interest` (POLLERR and
 * POLLHUP always count). */
export function readiness(thread: Thread, linux: LinuxProcess, fd: i32, wait: Wait | null, depth: i32 = 0, interest: i32 = ALL_EVENTS): i32 {
  const handle = linux.handleOf(<i64>fd);
  if (handle == 0) return POLLNVAL;
  const object = thread.process.table.lookup(handle);
  if (object === null) return POLLNVAL;
  if (object.iface == Interface.Console) {
    if (wait !== null) ttyWaitFor(wait);
    return (ttyDiscipline().readable ? POLLIN | POLLRDNORM : 0) | POLLOUT | POLLWRNORM;
  }
  if (object.iface == Interface.Pipe) {
    const pipe = changetype<PipeObject>(object), ring = pipe.ring;
    if (wait !== null) ring.waiting.add(wait);
    if (pipe.reading) return (ring.buffered > 0 ? POLLIN | POLLRDNORM : 0) | (ring.writers == 0 ? POLLHUP : 0);
    if (ring.readers == 0) return POLLOUT | POLLWRNORM | POLLERR;
    return ring.room >= PIPE_ATOMIC ? POLLOUT | POLLWRNORM : 0;
  }
  if (object.iface == Interface.EventCounter) {
    const counter = changetype<EventCounterObject>(object);
    if (wait !== null) counter.waiting.add(wait);
    const readable = counter.count > 0 ? POLLIN | POLLRDNORM : 0;
    if (counter.timer !== null) return readable;   // a timerfd is never writable
    return readable | (counter.count < EVENT_COUNTER_MAXIMUM ? POLLOUT | POLLWRNORM : 0);
  }
  if (object.iface == Interface.UnixSocket) {
    const socket = changetype<UnixSocketObject>(object);
    const mask = socketReadiness(socket);
    if (wait !== null) {
      socket.receive.waiting.add(wait);
      // The sending side matters to a wait for POLLOUT, or for POLLHUP once receiving has ended
      // (POLLRDHUP says so): otherwise only a change on the receiving side can change the answer.
      if ((interest & POLLOUT) != 0 || (mask & 0x2000) != 0) socket.send.waiting.add(wait);
    }
    return mask;
  }
  if (object.iface == Interface.UnixEndpoint) {
    const endpoint = changetype<UnixEndpointObject>(object);
    if (endpoint.kind == 2) return unixDatagramReadiness(endpoint, wait);
    if (wait !== null) endpoint.waiting.add(wait);
    return unixEndpointReadiness(endpoint);
  }
  if (object.iface == Interface.InetSocket) return inetReadiness(changetype<InetSocketObject>(object), wait);
  if (object.iface == Interface.EventPoll) {
    if (depth >= EPOLL_DEPTH_MAXIMUM) return 0;
    return epollAnyReady(thread, linux, changetype<EventPollObject>(object), wait, depth + 1) ? POLLIN | POLLRDNORM : 0;
  }
  return ALWAYS_READY;   // files, and capabilities nothing waits on
}

/** Whether descriptor `fd` may go in an epoll set: not a regular file or directory (EPERM on
 * Linux, whose files have no poll). */
export function pollable(thread: Thread, linux: LinuxProcess, fd: i32): bool {
  const object = thread.process.table.lookup(linux.handleOf(<i64>fd));
  return object !== null && object.iface != Interface.File;
}

/** Whether `entry` still names what it was added for: its descriptor still names the same
 * capability (Linux drops an entry when its file is closed). */
export function epollEntryLive(linux: LinuxProcess, entry: EventPollEntry): bool {
  return linux.handleOf(<i64>entry.fd) == entry.handle;
}

/** The readiness `entry` would report now (its events, with POLLERR and POLLHUP always); with
 * `wait`, registering it with what the entry watches. */
export function epollEntryReadiness(thread: Thread, linux: LinuxProcess, entry: EventPollEntry, wait: Wait | null, depth: i32): u32 {
  const asked = entry.events & ~(EPOLLET | EPOLLONESHOT | EPOLLWAKEUP | EPOLLEXCLUSIVE);
  return <u32>readiness(thread, linux, entry.fd, wait, depth, <i32>asked) & (asked | <u32>(POLLERR | POLLHUP));
}

/** Whether an entry on `set`'s ready list has something to report (a set inside a poll or another
 * set), without taking it; with `wait`, registering it to be told when an entry becomes ready.
 * Each entry looked at registers with what it watches, so that a change reaches the set even if
 * no one waits on the set itself. */
export function epollAnyReady(thread: Thread, linux: LinuxProcess, set: EventPollObject, wait: Wait | null, depth: i32): bool {
  if (wait !== null) set.waiting.add(wait);
  for (let i = 0; i < set.ready.length; i++) {
    const entry = set.ready[i];
    if (entry.spent || !epollEntryLive(linux, entry)) continue;
    if (epollEntryReadiness(thread, linux, entry, entry, depth) != 0) return true;
  }
  return false;
}
