// AF_UNIX datagram sockets with names (docs/linux.md, "Sockets"): socket(AF_UNIX, SOCK_DGRAM)
// makes a UnixEndpoint (objects/unix-endpoint.ts) that stays itself, unlike a stream's, which
// becomes a socketpair's end on connect. bind (sys-unix.ts) gives it a name and a queue; sendto
// and sendmsg put a datagram, with the sender's name, in the queue of the endpoint bound at the
// name they give (socket-messages.ts); connect names the endpoint datagrams without an address go
// to, and from then on only that endpoint may send to this one, as on Linux. A queue holds at most
// eleven datagrams from senders other than its own peer (Linux's net.unix.max_dgram_qlen, 10, and
// its `>` test) and 64 KiB: a sender waits for room, or says EAGAIN. Reaching a name needs nothing
// but the namespace the path resolves in, or the abstract name itself.

import { KernelError } from "../../abi/errors";
import { pipeWordAt, RingRights } from "../objects/pipe-ring";
import { UnixEndpointObject } from "../objects/unix-endpoint";
import { Thread } from "../sched/thread";
import { Wait } from "../sched/wait";
import { copyIn, copyOut } from "../vm/user-memory";
import { blockForCall, timedBegin, timedEnd } from "./socket-timeout";
import { BLOCKED, Errno } from "./errno";
import { LinuxProcess } from "./linux-process";
import { Scope, SI_USER, SIGPIPE, signalSend } from "./signal";
import { messageRead, messageWrite, readBegin, RIGHTS_IN_FLIGHT_MAXIMUM, SENDER_MAXIMUM, senderAddress, senderLength } from "./socket-messages";
import { STATUS_NONBLOCK } from "./sys-pipe";
import { unixAddressOf, unixNamed } from "./sys-unix";

/** Linux's net.unix.max_dgram_qlen: a queue is full once it holds more than this many datagrams. */
const DATAGRAM_QUEUE_LENGTH: i32 = 10;
const MSG_DONTWAIT: u64 = 0x40, MSG_NOSIGNAL: u64 = 0x4000;
const AF_UNSPEC: u32 = 0;

class UnixDatagramState {
  readonly buffer: usize = memory.data(16, 16);
  /** The sending endpoint's name, as the datagram carries it. */
  readonly sender: usize = memory.data(<i32>SENDER_MAXIMUM + 2, 16);
}
const state = new UnixDatagramState();

/** connect(fd, address, length) of a datagram endpoint: datagrams without an address go to the
 * endpoint bound at the name, and only it may send here; AF_UNSPEC undoes it. EPERM when that
 * endpoint is connected to another; the errors of unixNamed (EPROTOTYPE for a path bound by a
 * socket of another type, ECONNREFUSED for a name nothing is bound to). */
export function unixDatagramConnect(thread: Thread, linux: LinuxProcess, endpoint: UnixEndpointObject, address: u64, length: u64): i64 {
  if ((length & 0xffff_ffff) < 2) return -(<i64>Errno.EINVAL);
  if (copyIn(thread.process.space, state.buffer, 16, address, 2) != KernelError.None) return -(<i64>Errno.EFAULT);
  if (<u32>load<u16>(state.buffer) == AF_UNSPEC) {
    endpoint.peer = null;
    return 0;
  }
  const error = new StaticArray<i64>(1);
  const other = unixNamed(thread, linux, address, length, endpoint.kind, error);
  if (other === null) return error[0];
  if (!mayReach(endpoint, other)) return -(<i64>Errno.EPERM);
  endpoint.peer = other;
  endpoint.waiting.wakeAll();   // a poll for POLLOUT looks at the new peer's queue
  return 0;
}

/** Whether `sender` may send to `other`: it is connected to none, or to `sender` (Linux's
 * unix_may_send: a peer that went still counts until `other` sends again). */
function mayReach(sender: UnixEndpointObject, other: UnixEndpointObject): bool {
  return other.peer === null || other.peer === sender;
}

/** Whether `other`'s queue takes no datagram from `sender` now (its peer's are not counted). */
function queueFull(sender: UnixEndpointObject, other: UnixEndpointObject): bool {
  return other.peer !== sender && other.queued > DATAGRAM_QUEUE_LENGTH;
}

/** write, writev, send, sendto and sendmsg of a datagram endpoint: one datagram of the bytes (a
 * vector when `vectors`), with `rights` (SCM_RIGHTS), to the endpoint bound at `address`
 * (`addressLength` bytes; none: the connected peer). The datagram's length; EPIPE once this end
 * stopped sending (SIGPIPE too, unless MSG_NOSIGNAL) or the receiver stopped receiving; ENOTCONN
 * without an address or a peer; ETOOMANYREFS past 1,024 capabilities in flight to the receiver; ECONNREFUSED when the peer went (it is forgotten: ENOTCONN
 * next); EPERM when the receiver is connected to another; the errors of unixNamed; a wait while
 * its queue is full (EAGAIN with MSG_DONTWAIT or O_NONBLOCK); EMSGSIZE past 64 KiB. */
export function unixDatagramSend(thread: Thread, linux: LinuxProcess, endpoint: UnixEndpointObject, fd: i32, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, flags: u64, address: u64, addressLength: u64, rights: RingRights | null): i64 {
  const own = linux.threadOf(thread);
  timedBegin(own, endpoint.options.sendTimeout);
  return timedEnd(thread, own, send(thread, linux, endpoint, fd, number, buffer, count, vectors, vectorCount, flags, address, addressLength, rights));
}

function send(thread: Thread, linux: LinuxProcess, endpoint: UnixEndpointObject, fd: i32, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, flags: u64, address: u64, addressLength: u64, rights: RingRights | null): i64 {
  if (!endpoint.writing) {
    if ((flags & MSG_NOSIGNAL) == 0) signalSend(linux, SIGPIPE, Scope.Process, SI_USER, thread.process.id, 0);
    return -(<i64>Errno.EPIPE);
  }
  let other: UnixEndpointObject | null;
  if (address != 0 && (addressLength & 0xffff_ffff) != 0) {
    const error = new StaticArray<i64>(1);
    other = unixNamed(thread, linux, address, addressLength, endpoint.kind, error);
    if (other === null) return error[0];
  } else {
    other = endpoint.peer;
    if (other === null) return -(<i64>Errno.ENOTCONN);
    if (other.closed) {
      endpoint.peer = null;
      return -(<i64>Errno.ECONNREFUSED);
    }
  }
  if (!mayReach(endpoint, other)) return -(<i64>Errno.EPERM);
  const ring = other.receive;
  if (ring === null || !other.reading) return -(<i64>Errno.EPIPE);
  if (rights !== null && ring.rightsObjects + rights.objects.length > RIGHTS_IN_FLIGHT_MAXIMUM) return -(<i64>Errno.ETOOMANYREFS);
  const named = endpoint.key !== null ? <i32>unixAddressOf(endpoint, state.sender) : 0;
  const result = messageWrite(thread, linux, ring, fd, number, buffer, count, vectors, vectorCount, flags, rights, state.sender, named,
    queueFull(endpoint, other));
  if (result >= 0) other.queued++;
  return result;
}

/** read, readv, recv, recvfrom and recvmsg of a datagram endpoint: the oldest datagram queued
 * (socket-messages.ts's messageRead: cut to the buffers, MSG_PEEK, MSG_TRUNC; the sender's name
 * at senderAddress()), or a wait (EAGAIN with MSG_DONTWAIT or O_NONBLOCK); an endpoint never
 * bound waits for ever, as Linux's; 0 once it stopped receiving and nothing is queued. */
export function unixDatagramReceive(thread: Thread, linux: LinuxProcess, endpoint: UnixEndpointObject, fd: i32, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, flags: u64, capacity: i32, closeOnExec: bool): i64 {
  const own = linux.threadOf(thread);
  timedBegin(own, endpoint.options.receiveTimeout);
  return timedEnd(thread, own, receive(thread, linux, endpoint, fd, number, buffer, count, vectors, vectorCount, flags, capacity, closeOnExec));
}

function receive(thread: Thread, linux: LinuxProcess, endpoint: UnixEndpointObject, fd: i32, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, flags: u64, capacity: i32, closeOnExec: bool): i64 {
  readBegin();
  const ring = endpoint.receive;
  if (ring === null) {
    if (!endpoint.reading) return 0;
    if ((flags & MSG_DONTWAIT) != 0 || (linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0) return -(<i64>Errno.EAGAIN);
    return blockForCall(thread, linux.threadOf(thread), endpoint.waiting, number);
  }
  const before = ring.read;
  const result = messageRead(thread, linux, ring, fd, number, buffer, count, vectors, vectorCount, flags, capacity, closeOnExec, !endpoint.reading, true);
  if (ring.read != before) endpoint.queued--;
  return result;
}

/** Writes the last datagram's sender's name (none for an unnamed sender: length 0) to `address`,
 * cut to the length at `lengthAt`, and its length to `lengthAt`: 0, EINVAL for a negative
 * length, EFAULT. */
export function unixSenderOut(thread: Thread, address: u64, lengthAt: u64): i64 {
  if (address == 0 || lengthAt == 0) return 0;
  const space = thread.process.space, b = state.buffer;
  if (copyIn(space, b, 16, lengthAt, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
  const given = load<i32>(b);
  if (given < 0) return -(<i64>Errno.EINVAL);
  const size = <u64>senderLength();
  if (given > 0 && size > 0 && copyOut(space, address, senderAddress(), <u64>SENDER_MAXIMUM, min(<u64>given, size)) != KernelError.None) {
    return -(<i64>Errno.EFAULT);
  }
  store<i32>(b, <i32>size);
  return copyOut(space, lengthAt, b, 16, 4) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** What a datagram endpoint is ready for, as Linux's unix_dgram_poll: readable with a datagram
 * queued or once it stopped receiving (POLLRDHUP too), POLLHUP once it stopped both; writable
 * unless its peer's queue is full. `wait` (when not null) is told when that may change. */
export function unixDatagramReadiness(endpoint: UnixEndpointObject, wait: Wait | null): i32 {
  const ring = endpoint.receive, peer = endpoint.peer;
  if (wait !== null) {
    endpoint.waiting.add(wait);
    if (ring !== null) ring.waiting.add(wait);
    if (peer !== null && !peer.closed && peer.receive !== null) peer.receive!.waiting.add(wait);
  }
  let mask = 0;
  if (!endpoint.reading) mask |= 0x2000 | 0x1 | 0x40;                         // POLLRDHUP, POLLIN, POLLRDNORM
  if (!endpoint.reading && !endpoint.writing) mask |= 0x10;                   // POLLHUP
  if (ring !== null && ring.buffered > 0) mask |= 0x1 | 0x40;
  const blocked = peer !== null && !peer.closed && queueFull(endpoint, peer);
  if (!blocked) mask |= 0x4 | 0x100 | 0x200;                                 // POLLOUT, POLLWRNORM, POLLWRBAND
  return mask;
}

/** FIONREAD of a datagram endpoint: the next datagram's length (0 when none). */
export function unixDatagramReadable(endpoint: UnixEndpointObject): i64 {
  const ring = endpoint.receive;
  return ring === null || ring.buffered == 0 ? 0 : <i64>pipeWordAt(ring, 0);
}
