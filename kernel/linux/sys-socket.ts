// Sockets (docs/linux.md, "Sockets"): socketpair(AF_UNIX, SOCK_STREAM) makes a connected pair of
// UnixSocket capabilities (objects/unix-socket.ts), one behind each of two descriptors; read,
// write, readv, writev, sendto, recvfrom, sendmsg and recvmsg move bytes through the pair's rings
// as a pipe's calls do (sys-pipe.ts: blocking, O_NONBLOCK, SIGPIPE and EPIPE once the peer stopped
// reading, MSG_NOSIGNAL to go without the signal); shutdown ends a direction; getsockopt answers
// the socket's type, domain, protocol and error. AF_INET sockets are sys-inet.ts's; the calls
// naming one go there. sendmsg and recvmsg pass descriptors (SCM_RIGHTS):
// passing a descriptor passes its capability, which travels with the bytes in the ring
// (pipe-ring.ts, RingRights). socket(AF_UNIX) (sockets with paths) is not supported yet.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { framesFree } from "../memory/frames";
import { PIPE_ATOMIC, PIPE_BYTES, PIPE_PAGES, pipePeek, pipeRingCreate, pipeWordAt, RingRights } from "../objects/pipe-ring";
import { CONTEXT_RIP, contextRead } from "../arch/context";
import { UNIX_SOCKET_BYTES, UnixSocketObject } from "../objects/unix-socket";
import { UnixEndpointObject } from "../objects/unix-endpoint";
import { Thread } from "../sched/thread";
import { copyIn, copyOut, userRangeCheck } from "../vm/user-memory";
import { timedBegin, timedEnd } from "./socket-timeout";
import { unixOptionOut, unixSetsockopt } from "./sys-unix-options";
import { BLOCKED, Errno } from "./errno";
import { FD_CLOEXEC, LinuxProcess } from "./linux-process";
import { Sys } from "./numbers";
import { Scope, SI_USER, SIGPIPE, signalSend } from "./signal";
import { pipeReadAllCall, pipeReadCall, pipeWriteCall, STATUS_NONBLOCK } from "./sys-pipe";
import { deliver, messageRead, messageWasCut, messageWrite, readBegin, RIGHTS_IN_FLIGHT_MAXIMUM, rightsCapacity, rightsIn, rightsOut, rightsTruncated } from "./socket-messages";
import { unixDatagramConnect, unixDatagramReceive, unixDatagramSend, unixSenderOut } from "./sys-unix-dgram";
import { unixAccept, unixBind, unixConnect, unixEndpointName, unixEndpointOf, unixListen, unixSocket } from "./sys-unix";
import { inetAccept, inetBind, inetConnect, inetGetsockopt, inetListen, inetMessage, inetName, inetRecvfrom, inetSendto, inetSetsockopt, inetShutdown, inetSocket, inetSocketOf } from "./sys-inet";

const AF_UNIX: u64 = 1, AF_INET: u64 = 2, AF_INET6: u64 = 10, AF_NETLINK: u64 = 16, AF_PACKET: u64 = 17;
const SOCK_STREAM: u64 = 1, SOCK_DGRAM: u64 = 2, SOCK_RAW: u64 = 3, SOCK_SEQPACKET: u64 = 5, SOCK_MAX: u64 = 11, SOCK_TYPE_MASK: u64 = 0xf;
const SOCK_NONBLOCK: u64 = 0o4000, SOCK_CLOEXEC: u64 = 0o2000000;
const MSG_OOB: u64 = 1, MSG_PEEK: u64 = 2, MSG_TRUNC: u64 = 0x20, MSG_DONTWAIT: u64 = 0x40, MSG_WAITALL: u64 = 0x100, MSG_NOSIGNAL: u64 = 0x4000,
  MSG_WAITFORONE: u64 = 0x10000;
const SHUT_RD: u64 = 0, SHUT_WR: u64 = 1, SHUT_RDWR: u64 = 2;
const SOL_SOCKET: u64 = 1, SO_TYPE: u64 = 3, SO_ERROR: u64 = 4, SO_PEERCRED: u64 = 17, SO_ACCEPTCONN: u64 = 30, SO_PROTOCOL: u64 = 38, SO_DOMAIN: u64 = 39;
/** The uid and gid SO_PEERCRED reports without a peer (Linux's cred_to_ucred: -1). */
const NO_ID: i32 = -1;
/** struct msghdr: name, namelen, iov, iovlen, control, controllen, flags. */
const MSGHDR_SIZE: u64 = 56;

const MSG_CMSG_CLOEXEC: u64 = 0x4000_0000, MSG_CTRUNC: i32 = 8;

class SocketCallsState {
  readonly buffer: usize = memory.data(64, 16);
}
const state = new SocketCallsState();

/** Heap bytes and frames a pair takes: two rings and two ends. */
const PAIR_BYTES: u64 = 2 * PIPE_BYTES + 2 * UNIX_SOCKET_BYTES;

/** socketpair(domain, type, protocol, sv): AF_UNIX and SOCK_STREAM (with SOCK_NONBLOCK and
 * SOCK_CLOEXEC), protocol 0. EINVAL for an unknown flag or a type past SOCK_MAX, EOPNOTSUPP for
 * the families Linux has that make no pairs (AF_INET, AF_INET6, AF_NETLINK, AF_PACKET) and, not
 * supported yet, for SOCK_DGRAM, SOCK_SEQPACKET and SOCK_RAW; EAFNOSUPPORT for another family,
 * EPROTONOSUPPORT for a protocol, ESOCKTNOSUPPORT for another type; EFAULT, EMFILE, ENOMEM. */
export function sysSocketpair(thread: Thread, linux: LinuxProcess, domain: u64, type: u64, protocol: u64, pair: u64): i64 {
  domain &= 0xffff_ffff;
  type &= 0xffff_ffff;
  protocol &= 0xffff_ffff;
  // Linux's order: the flags, the family, the type's range, then the family's own checks.
  if ((type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -(<i64>Errno.EINVAL);
  const kind = type & SOCK_TYPE_MASK;
  if (domain != AF_UNIX) return domain == AF_INET || domain == AF_INET6 || domain == AF_NETLINK || domain == AF_PACKET
    ? -(<i64>Errno.EOPNOTSUPP) : -(<i64>Errno.EAFNOSUPPORT);
  if (kind >= SOCK_MAX) return -(<i64>Errno.EINVAL);
  if (protocol != 0 && protocol != AF_UNIX) return -(<i64>Errno.EPROTONOSUPPORT);
  if (kind != SOCK_STREAM && kind != SOCK_DGRAM && kind != SOCK_SEQPACKET && kind != SOCK_RAW) return -(<i64>Errno.ESOCKTNOSUPPORT);
  const made = kind == SOCK_RAW ? SOCK_DGRAM : kind;   // as Linux's unix_create
  const process = thread.process;
  if (userRangeCheck(process.space, pair, 8, true) != KernelError.None) return -(<i64>Errno.EFAULT);
  const first = linux.lowestFree(0);
  const second = first < 0 ? -1 : linux.lowestFree(first + 1);
  if (second < 0) return -(<i64>Errno.EMFILE);
  if (framesFree() < 2 * PIPE_PAGES || process.account.kernelFits(PAIR_BYTES, 2 * PIPE_PAGES) != KernelError.None) return -(<i64>Errno.ENOMEM);
  const table = process.table;
  const one = table.reserve();
  if (one < 0) return -(<i64>Errno.ENOMEM);
  const two = table.reserve();
  if (two < 0) {
    table.cancel(one);
    return -(<i64>Errno.ENOMEM);
  }
  const there = pipeRingCreate(process.account), back = pipeRingCreate(process.account);
  const a = new UnixSocketObject(back, there, <u32>made), b = new UnixSocketObject(there, back, <u32>made);
  a.peerPid = process.id;
  b.peerPid = process.id;
  a.chargeTo(process.account, PAIR_BYTES / 2);
  b.chargeTo(process.account, PAIR_BYTES - PAIR_BYTES / 2);
  const flagBits = ((type & SOCK_CLOEXEC) != 0 ? FD_CLOEXEC : 0) | ((type & SOCK_NONBLOCK) != 0 ? STATUS_NONBLOCK : 0);
  linux.descriptors[first] = table.commit(one, a);
  linux.descriptors[second] = table.commit(two, b);
  linux.descriptorFlags[first] = flagBits;
  linux.descriptorFlags[second] = flagBits;
  store<i32>(state.buffer, first);
  store<i32>(state.buffer, second, 4);
  if (copyOut(process.space, pair, state.buffer, 64, 8) != KernelError.None) abort("socketpair: the checked range");
  return 0;
}

/** socket(domain, type, protocol): AF_INET's SOCK_STREAM and SOCK_DGRAM (sys-inet.ts) and
 * AF_UNIX's SOCK_STREAM and SOCK_SEQPACKET (sys-unix.ts), with SOCK_NONBLOCK and SOCK_CLOEXEC.
 * EINVAL for an unknown flag or a type past SOCK_MAX; EAFNOSUPPORT for every other family:
 * AF_INET6, AF_NETLINK, AF_PACKET have no capability behind them. */
export function sysSocket(thread: Thread, linux: LinuxProcess, domain: u64, type: u64, protocol: u64): i64 {
  domain &= 0xffff_ffff;
  type &= 0xffff_ffff;
  protocol &= 0xffff_ffff;
  if ((type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -(<i64>Errno.EINVAL);
  const kind = type & SOCK_TYPE_MASK;
  if (kind >= SOCK_MAX || kind == 0) return -(<i64>Errno.EINVAL);
  if (domain == AF_UNIX) return unixSocket(thread, linux, kind, protocol, type & (SOCK_NONBLOCK | SOCK_CLOEXEC));
  if (domain != AF_INET) return -(<i64>Errno.EAFNOSUPPORT);
  return inetSocket(thread, linux, kind, protocol, type & (SOCK_NONBLOCK | SOCK_CLOEXEC));
}

/** bind, connect, listen, accept, accept4, getsockname, getpeername and setsockopt: on an
 * InetSocket (sys-inet.ts), an AF_UNIX endpoint (sys-unix.ts, sys-unix-dgram.ts) or a socketpair's
 * end (which has no address: EOPNOTSUPP; its options: sys-unix-options.ts); ENOTSOCK for another
 * descriptor, EBADF for a closed one. */
export function sysSocketCall(thread: Thread, linux: LinuxProcess, number: u64, fd: i32, a1: u64, a2: u64, a3: u64, a4: u64): i64 {
  const endpoint = unixEndpointOf(thread, linux, fd);
  if (endpoint !== null) {
    if (<u64>endpoint.kind == SOCK_DGRAM) {
      if (number == <u64>Sys.connect) return unixDatagramConnect(thread, linux, endpoint, a1, a2);
      if (number == <u64>Sys.listen || number == <u64>Sys.accept || number == <u64>Sys.accept4) return -(<i64>Errno.EOPNOTSUPP);
    }
    // connect and accept may block, bounded by SO_SNDTIMEO and SO_RCVTIMEO: timedEnd ends the bound.
    switch (<i32>number) {
      case Sys.bind: return unixBind(thread, linux, endpoint, a1, a2);
      case Sys.connect: return timedEnd(thread, linux.threadOf(thread), unixConnect(thread, linux, endpoint, fd, number, a1, a2));
      case Sys.listen: return unixListen(thread, endpoint, a1);
      case Sys.accept: return timedEnd(thread, linux.threadOf(thread), unixAccept(thread, linux, endpoint, fd, number, a1, a2, 0));
      case Sys.accept4: return timedEnd(thread, linux.threadOf(thread), unixAccept(thread, linux, endpoint, fd, number, a1, a2, a3));
      case Sys.getsockname: return unixEndpointName(thread, endpoint, false, a1, a2);
      case Sys.getpeername: return unixEndpointName(thread, endpoint, true, a1, a2);
    }
    return unixSetsockopt(thread, endpoint.options, a1, a2, a3, a4);
  }
  const inet = inetSocketOf(thread, linux, fd);
  if (inet === null) {
    const pair = socketOf(thread, linux, fd);
    if (pair === null) return socketError(linux, fd);
    if (number == <u64>Sys.setsockopt) return unixSetsockopt(thread, pair.options, a1, a2, a3, a4);
    if (number == <u64>Sys.getsockname || number == <u64>Sys.getpeername) return unixName(thread, a1, a2);
    if (number == <u64>Sys.connect) return -(<i64>Errno.EISCONN);
    return -(<i64>(number == <u64>Sys.bind ? Errno.EINVAL : Errno.EOPNOTSUPP));
  }
  switch (<i32>number) {
    case Sys.bind: return inetBind(thread, inet, a1, a2);
    case Sys.connect: return inetConnect(thread, linux, inet, fd, number, a1, a2);
    case Sys.listen: return inetListen(thread, inet, a1);
    case Sys.accept: return inetAccept(thread, linux, inet, fd, number, a1, a2, 0);
    case Sys.accept4: return inetAccept(thread, linux, inet, fd, number, a1, a2, a3);
    case Sys.getsockname: return inetName(thread, inet, false, a1, a2);
    case Sys.getpeername: return inetName(thread, inet, true, a1, a2);
    case Sys.setsockopt: return inetSetsockopt(thread, inet, a1, a2, a3, a4);
  }
  return -(<i64>Errno.EINVAL);
}

/** getsockname and getpeername of a socketpair's end: an unnamed AF_UNIX address (the family
 * alone), as Linux's. */
function unixName(thread: Thread, address: u64, lengthAt: u64): i64 {
  const space = thread.process.space, b = state.buffer;
  if (copyIn(space, b, 64, lengthAt, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
  const given = load<i32>(b);
  if (given < 0) return -(<i64>Errno.EINVAL);
  store<u16>(b, <u16>AF_UNIX, 8);
  if (given > 0 && copyOut(space, address, b + 8, 56, min(<u64>given, 2)) != KernelError.None) return -(<i64>Errno.EFAULT);
  store<i32>(b, 2);
  return copyOut(space, lengthAt, b, 64, 4) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** The socket descriptor `fd` names, or null (socketError says EBADF or ENOTSOCK). */
function socketOf(thread: Thread, linux: LinuxProcess, fd: i32): UnixSocketObject | null {
  const object = thread.process.table.lookup(linux.handleOf(<i64>fd));
  return object !== null && object.iface == Interface.UnixSocket ? changetype<UnixSocketObject>(object) : null;
}

/** Why descriptor `fd` names no connected socket: EBADF (closed), ENOTCONN (an AF_UNIX socket
 * not connected), ENOTSOCK. */
function socketError(linux: LinuxProcess, fd: i32): i64 {
  const handle = linux.handleOf(<i64>fd);
  if (handle == 0) return -(<i64>Errno.EBADF);
  return linux.process.table.interfaceOf(handle) == Interface.UnixEndpoint ? -(<i64>Errno.ENOTCONN) : -(<i64>Errno.ENOTSOCK);
}

/** read, readv, recvfrom and recvmsg's bytes: the end's incoming ring as a pipe's read end
 * (nothing once it shut reading down: the end of the stream). A read stops at the end of a
 * stretch that carries capabilities; reading the stretch's first byte takes them: into the descriptor table, up to `capacity` of them (recvmsg's control buffer),
 * the rest closed (socket-messages.ts: deliveredDescriptors, rightsTruncated). */
export function socketRead(thread: Thread, linux: LinuxProcess, socket: UnixSocketObject, fd: i32, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, flags: u64 = 0, capacity: i32 = 0, closeOnExec: bool = false): i64 {
  const own = linux.threadOf(thread);
  timedBegin(own, socket.options.receiveTimeout);
  return timedEnd(thread, own, pairRead(thread, linux, socket, fd, number, buffer, count, vectors, vectorCount, flags, capacity, closeOnExec));
}

function pairRead(thread: Thread, linux: LinuxProcess, socket: UnixSocketObject, fd: i32, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, flags: u64, capacity: i32, closeOnExec: bool): i64 {
  readBegin();
  if (!socket.reading) return 0;
  if (<u64>socket.kind != SOCK_STREAM) {
    const ended = socket.receive.writers == 0 && <u64>socket.kind == SOCK_SEQPACKET;
    return messageRead(thread, linux, socket.receive, fd, number, buffer, count, vectors, vectorCount, flags & ~MSG_WAITALL, capacity, closeOnExec, ended, false);
  }
  const ring = socket.receive, before = ring.read;
  const next = ring.rights.length > 0 ? ring.rights[0] : null;
  // As Linux's unix_stream_read_generic: a read may take the bytes before a stretch that carries
  // capabilities and that stretch, and stops at its end.
  const limit = next === null ? u64.MAX_VALUE : next.end - before;
  if ((flags & MSG_PEEK) != 0) {
    if (ring.buffered == 0 && ring.writers != 0 && ((flags & MSG_DONTWAIT) != 0 || (linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0)) {
      return -(<i64>Errno.EAGAIN);
    }
    if (ring.buffered > 0 && vectors == 0) {
      const peeked = pipePeek(ring, thread.process.space, buffer, min(count, limit));
      return peeked < 0 ? -(<i64>Errno.EFAULT) : peeked;
    }
  }
  const nonblocking = (flags & MSG_DONTWAIT) != 0 || (linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0;
  const result = (flags & MSG_WAITALL) != 0 && (flags & MSG_PEEK) == 0 && !nonblocking
    ? pipeReadAllCall(thread, linux, ring, number, buffer, count, vectors, vectorCount, limit, next === null ? u64.MAX_VALUE : next.start - before)
    : pipeReadCall(thread, linux, ring, fd, number, buffer, count, vectors, vectorCount, nonblocking, limit);
  if (result > 0 && next !== null && next.start >= before && next.start < ring.read) {
    ring.rights.shift();
    ring.rightsObjects -= next.objects.length;
    deliver(thread, linux, next, capacity, closeOnExec);
  }
  return result;
}

/** write, writev, sendto and sendmsg's bytes: the outgoing ring as a pipe's write end (EPIPE, and
 * SIGPIPE unless MSG_NOSIGNAL, once the peer stopped reading or this end stopped writing). With
 * `rights` (sendmsg's SCM_RIGHTS), the capabilities go in flight with the bytes this call writes,
 * attached when its first byte goes in (not again when a blocked call runs again). */
export function socketWrite(thread: Thread, linux: LinuxProcess, socket: UnixSocketObject, fd: i32, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, flags: u64 = 0, rights: RingRights | null = null): i64 {
  const own = linux.threadOf(thread);
  timedBegin(own, socket.options.sendTimeout);
  return timedEnd(thread, own, pairWrite(thread, linux, socket, fd, number, buffer, count, vectors, vectorCount, flags, rights));
}

function pairWrite(thread: Thread, linux: LinuxProcess, socket: UnixSocketObject, fd: i32, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, flags: u64, rights: RingRights | null): i64 {
  if (!socket.writing) {
    if ((flags & MSG_NOSIGNAL) == 0) signalSend(linux, SIGPIPE, Scope.Process, SI_USER, thread.process.id, 0);
    return -(<i64>Errno.EPIPE);
  }
  if (<u64>socket.kind != SOCK_STREAM) return pairMessageWrite(thread, linux, socket, fd, number, buffer, count, vectors, vectorCount, flags, rights);
  const ring = socket.send, own = linux.threadOf(thread);
  const at = contextRead(<usize>thread.context, CONTEXT_RIP) - 2;
  let attached: RingRights | null = null;
  if (rights !== null && ring.readers > 0 && !(own.writeAt == at && own.writeDone > 0)) {
    attached = new RingRights(ring.written, u64.MAX_VALUE, rights.objects, rights.statusFlags);
    for (let i = 0; i < attached.objects.length; i++) attached.objects[i].retain();
    ring.rights.push(attached);
    ring.rightsObjects += attached.objects.length;
  }
  const result = pipeWriteCall(thread, linux, ring, fd, number, buffer, count, vectors, vectorCount, (flags & MSG_DONTWAIT) != 0,
    (flags & MSG_NOSIGNAL) == 0);
  if (attached !== null) {
    const nothing = result == BLOCKED ? own.writeDone == 0 : result <= 0;
    if (nothing) {   // no byte went in: nothing carries them (a blocked call attaches them again)
      const index = ring.rights.indexOf(attached);
      if (index >= 0) {
        ring.rights.splice(index, 1);
        ring.rightsObjects -= attached.objects.length;
        attached.releaseFrom(0);
      }
    } else if (result != BLOCKED) attached.end = attached.start + <u64>result;
  }
  return result;
}

/** A pair's message write (SOCK_DGRAM, SOCK_SEQPACKET): socket-messages.ts's messageWrite on
 * the outgoing ring. A peer that went away: EPIPE and SIGPIPE for SOCK_SEQPACKET, ECONNREFUSED for
 * SOCK_DGRAM (Linux's first answer; it says ENOTCONN after). */
function pairMessageWrite(thread: Thread, linux: LinuxProcess, socket: UnixSocketObject, fd: i32, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, flags: u64, rights: RingRights | null): i64 {
  const ring = socket.send;
  if (!socket.writing || (ring.readers == 0 && <u64>socket.kind == SOCK_SEQPACKET)) {
    if ((flags & MSG_NOSIGNAL) == 0) signalSend(linux, SIGPIPE, Scope.Process, SI_USER, thread.process.id, 0);
    return -(<i64>Errno.EPIPE);
  }
  if (ring.readers == 0) return -(<i64>Errno.ECONNREFUSED);
  return messageWrite(thread, linux, ring, fd, number, buffer, count, vectors, vectorCount, flags, rights, 0, -1, false);
}

/** sendto(fd, buffer, length, flags, address, addrlen): a connected stream takes no address
 * (EISCONN); MSG_DONTWAIT, MSG_NOSIGNAL; MSG_OOB EOPNOTSUPP. */
export function sysSendto(thread: Thread, linux: LinuxProcess, fd: i32, buffer: u64, length: u64, flags: u64, address: u64, addressLength: u64): i64 {
  const inet = inetSocketOf(thread, linux, fd);
  if (inet !== null) return inetSendto(thread, linux, inet, fd, buffer, length, flags & 0xffff_ffff, address, addressLength);
  const endpoint = datagramEndpointOf(thread, linux, fd);
  if (endpoint !== null) {
    if ((flags & MSG_OOB) != 0) return -(<i64>Errno.EOPNOTSUPP);
    return unixDatagramSend(thread, linux, endpoint, fd, <u64>Sys.sendto, buffer, length, 0, 0, flags & 0xffff_ffff, address, addressLength, null);
  }
  const socket = socketOf(thread, linux, fd);
  if (socket === null) return socketError(linux, fd);
  flags &= 0xffff_ffff;
  if ((flags & MSG_OOB) != 0) return -(<i64>Errno.EOPNOTSUPP);
  if (address != 0) return -(<i64>Errno.EISCONN);
  return socketWrite(thread, linux, socket, fd, <u64>Sys.sendto, buffer, length, 0, 0, flags);
}

/** recvfrom(fd, buffer, length, flags, address, addrlen): the peer of a pair has no address, so
 * *addrlen becomes 0; MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL (a stream's read blocks until the
 * buffer is full: sys-pipe.ts's pipeReadAllCall); MSG_OOB EOPNOTSUPP. */
export function sysRecvfrom(thread: Thread, linux: LinuxProcess, fd: i32, buffer: u64, length: u64, flags: u64, address: u64, addressLength: u64): i64 {
  const inet = inetSocketOf(thread, linux, fd);
  if (inet !== null) return inetRecvfrom(thread, linux, inet, fd, buffer, length, flags & 0xffff_ffff, address, addressLength);
  const endpoint = datagramEndpointOf(thread, linux, fd);
  if (endpoint !== null) {
    if ((flags & MSG_OOB) != 0) return -(<i64>Errno.EOPNOTSUPP);
    const received = unixDatagramReceive(thread, linux, endpoint, fd, <u64>Sys.recvfrom, buffer, length, 0, 0, flags & 0xffff_ffff & ~MSG_WAITALL, 0, false);
    if (received < 0) return received;
    const named = unixSenderOut(thread, address, addressLength);
    return named < 0 ? named : received;
  }
  const socket = socketOf(thread, linux, fd);
  if (socket === null) return socketError(linux, fd);
  flags &= 0xffff_ffff;
  if ((flags & MSG_OOB) != 0) return -(<i64>Errno.EOPNOTSUPP);
  const result = socketRead(thread, linux, socket, fd, <u64>Sys.recvfrom, buffer, length, 0, 0, flags);
  if (result >= 0 && address != 0 && addressLength != 0) {
    store<u32>(state.buffer, 0);
    if (copyOut(thread.process.space, addressLength, state.buffer, 64, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
  }
  return result;
}

/** sendmsg(fd, msghdr, flags) and recvmsg: the bytes of msg_iov, as writev and readv, and
 * descriptors passed with SCM_RIGHTS control messages (their capabilities travel with the bytes;
 * the receiver gets new descriptors for them, with MSG_CMSG_CLOEXEC close-on-exec). sendmsg:
 * EINVAL for a malformed control message, another SOL_SOCKET type, or more than 253
 * descriptors; EBADF for one not open; ETOOMANYREFS past 1,024 capabilities in flight on one
 * direction; ENOBUFS for control data over 4 KiB. recvmsg answers no name, MSG_CTRUNC when
 * descriptors did not fit its control buffer (they are closed). */
export function sysMessage(thread: Thread, linux: LinuxProcess, number: u64, fd: i32, message: u64, flags: u64): i64 {
  const inet = inetSocketOf(thread, linux, fd);
  if (inet !== null) return inetMessage(thread, linux, inet, number, fd, message, flags & 0xffff_ffff);
  const endpoint = datagramEndpointOf(thread, linux, fd);
  const socket = socketOf(thread, linux, fd);
  if (socket === null && endpoint === null) return socketError(linux, fd);
  flags &= 0xffff_ffff;
  const space = thread.process.space, b = state.buffer;
  if (copyIn(space, b, 64, message, MSGHDR_SIZE) != KernelError.None) return -(<i64>Errno.EFAULT);
  if ((flags & MSG_OOB) != 0) return -(<i64>Errno.EOPNOTSUPP);
  const vectors = load<u64>(b, 16), vectorCount = load<u64>(b, 24), control = load<u64>(b, 32), controlLength = load<u64>(b, 40);
  if (number == <u64>Sys.sendmsg) {
    const named = load<u64>(b) != 0 && load<u32>(b, 8) != 0;
    const error = new StaticArray<i64>(1);
    const rights = rightsIn(thread, linux, control, controlLength, error);
    if (error[0] < 0) return error[0];
    if (endpoint !== null) return unixDatagramSend(thread, linux, endpoint, fd, number, 0, 0, vectors, vectorCount, flags, load<u64>(b), load<u32>(b, 8), rights);
    if (rights !== null && socket!.send.rightsObjects + rights.objects.length > RIGHTS_IN_FLIGHT_MAXIMUM) return -(<i64>Errno.ETOOMANYREFS);
    if (named) return -(<i64>Errno.EISCONN);
    return socketWrite(thread, linux, socket!, fd, number, 0, 0, vectors, vectorCount, flags, rights);
  }
  const capacity = rightsCapacity(controlLength);
  if (endpoint !== null) {
    const received = unixDatagramReceive(thread, linux, endpoint, fd, number, 0, 0, vectors, vectorCount, flags & ~(MSG_WAITALL | MSG_CMSG_CLOEXEC), capacity,
      (flags & MSG_CMSG_CLOEXEC) != 0);
    if (received < 0) return received;
    // msg_name gets the sender's name, msg_namelen its length (0: unnamed).
    const named = unixSenderOut(thread, load<u64>(b) != 0 ? load<u64>(b) : 0, message + 8);
    if (named < 0) return named;
    return messageOut(thread, message, control, controlLength, received, true);
  }
  const sock = socket!;
  // A stream's MSG_PEEK passes no descriptors and is taken as a read here; a message socket peeks.
  const kept = <u64>sock.kind == SOCK_STREAM ? flags & ~(MSG_PEEK | MSG_CMSG_CLOEXEC) : flags & ~(MSG_WAITALL | MSG_CMSG_CLOEXEC);
  const result = socketRead(thread, linux, sock, fd, number, 0, 0, vectors, vectorCount, kept, capacity, (flags & MSG_CMSG_CLOEXEC) != 0);
  if (result < 0) return result;
  return messageOut(thread, message, control, controlLength, result, false);
}

/** recvmsg's answer after a read of `result` bytes: the SCM_RIGHTS control message, msg_controllen,
 * msg_flags (MSG_CTRUNC, MSG_TRUNC) and, unless `named` (the caller wrote it), msg_namelen 0. */
function messageOut(thread: Thread, message: u64, control: u64, controlLength: u64, result: i64, named: bool): i64 {
  const space = thread.process.space, b = state.buffer;
  const used = rightsOut(thread, control, controlLength);
  if (used < 0) return used;
  if (copyIn(space, b, 64, message, MSGHDR_SIZE) != KernelError.None) return -(<i64>Errno.EFAULT);
  if (!named) store<u32>(b, 0, 8);   // msg_namelen
  store<u64>(b, <u64>used, 40);       // msg_controllen
  store<i32>(b, (rightsTruncated() ? MSG_CTRUNC : 0) | (messageWasCut() ? <i32>MSG_TRUNC : 0), 48);
  if (copyOut(space, message, b, 64, MSGHDR_SIZE) != KernelError.None) return -(<i64>Errno.EFAULT);
  return result;
}

/** The datagram UnixEndpoint descriptor `fd` names, or null. */
function datagramEndpointOf(thread: Thread, linux: LinuxProcess, fd: i32): UnixEndpointObject | null {
  const endpoint = unixEndpointOf(thread, linux, fd);
  return endpoint !== null && <u64>endpoint.kind == SOCK_DGRAM ? endpoint : null;
}

/** sendmmsg(fd, vector, count, flags): sendmsg for each struct mmsghdr (a msghdr, then msg_len,
 * which gets the bytes sent) in turn, at most 1,024; the number sent, or the first one's error.
 * Only the first may block: the others go with MSG_DONTWAIT, and the call ends with the first
 * that cannot go at once. */
export function sysSendmmsg(thread: Thread, linux: LinuxProcess, fd: i32, vector: u64, count: u64, flags: u64): i64 {
  return eachMessage(thread, linux, <u64>Sys.sendmsg, fd, vector, count, flags);
}

/** sendmsg or recvmsg (`number`) for each struct mmsghdr of `vector` in turn, msg_len getting
 * the bytes, at most 1,024: how many went, or the first one's error. Only the first may block. */
function eachMessage(thread: Thread, linux: LinuxProcess, number: u64, fd: i32, vector: u64, count: u64, flags: u64): i64 {
  count = min(count & 0xffff_ffff, 1024);
  const space = thread.process.space;
  let done: u64 = 0;
  for (; done < count; done++) {
    const entry = vector + done * 64;
    const result = sysMessage(thread, linux, number, fd, entry, done == 0 ? flags : flags | MSG_DONTWAIT);
    if (result == BLOCKED) return result;
    if (result < 0) return done > 0 ? <i64>done : result;
    store<u32>(state.buffer, <u32>result);
    if (copyOut(space, entry + MSGHDR_SIZE, state.buffer, 64, 4) != KernelError.None) return done > 0 ? <i64>done : -(<i64>Errno.EFAULT);
  }
  return <i64>done;
}

/** recvmmsg(fd, vector, count, flags, timeout): recvmsg for each struct mmsghdr in turn (msg_len
 * gets the bytes), at most 1,024; the number received, or the first one's error. Only the first
 * may block: the others are taken with MSG_DONTWAIT, and the call ends at the first that is not
 * there at once, as Linux's MSG_WAITFORONE (without it, Linux goes on waiting for the rest,
 * checking the timeout only after each message: a listed difference in docs/linux.md). The
 * timeout is read and checked (EFAULT; EINVAL for a negative time or nanoseconds past a
 * second) and waits for nothing else. */
export function sysRecvmmsg(thread: Thread, linux: LinuxProcess, fd: i32, vector: u64, count: u64, flags: u64, timeout: u64): i64 {
  const space = thread.process.space;
  if (timeout != 0) {
    if (copyIn(space, state.buffer, 64, timeout, 16) != KernelError.None) return -(<i64>Errno.EFAULT);
    const seconds = load<i64>(state.buffer), nanos = load<i64>(state.buffer, 8);
    if (seconds < 0 || nanos < 0 || nanos >= 1_000_000_000) return -(<i64>Errno.EINVAL);
  }
  return eachMessage(thread, linux, <u64>Sys.recvmsg, fd, vector, count, flags & ~MSG_WAITFORONE);
}

/** shutdown(fd, how): SHUT_RD, SHUT_WR, SHUT_RDWR; EINVAL for another how, ENOTSOCK, EBADF. */
export function sysShutdown(thread: Thread, linux: LinuxProcess, fd: i32, how: u64): i64 {
  const inet = inetSocketOf(thread, linux, fd);
  if (inet !== null) return inetShutdown(inet, how & 0xffff_ffff);
  how &= 0xffff_ffff;
  const endpoint = unixEndpointOf(thread, linux, fd);
  if (endpoint !== null) {   // as Linux's unix_shutdown: a socket not connected takes it too
    if (how > SHUT_RDWR) return -(<i64>Errno.EINVAL);
    if (how == SHUT_RD || how == SHUT_RDWR) endpoint.reading = false;
    if (how == SHUT_WR || how == SHUT_RDWR) endpoint.writing = false;
    endpoint.waiting.wakeAll();
    if (endpoint.receive !== null) endpoint.receive!.wakeAll();
    return 0;
  }
  const socket = socketOf(thread, linux, fd);
  if (socket === null) return socketError(linux, fd);
  if (how > SHUT_RDWR) return -(<i64>Errno.EINVAL);
  if (how == SHUT_RD || how == SHUT_RDWR) socket.shutRead();
  if (how == SHUT_WR || how == SHUT_RDWR) socket.shutWrite();
  return 0;
}

/** getsockopt(fd, level, name, value, length) of an AF_UNIX socket: SOL_SOCKET's SO_TYPE,
 * SO_ERROR (always 0: a pair has no pending error), SO_DOMAIN, SO_PROTOCOL, SO_ACCEPTCONN,
 * SO_PEERCRED and the options setsockopt keeps (sys-unix-options.ts), cut to *length; others
 * ENOPROTOOPT, and EOPNOTSUPP for another level; EINVAL for a negative length, EFAULT, ENOTSOCK,
 * EBADF. */
export function sysGetsockopt(thread: Thread, linux: LinuxProcess, fd: i32, level: u64, name: u64, value: u64, length: u64): i64 {
  const inet = inetSocketOf(thread, linux, fd);
  if (inet !== null) return inetGetsockopt(thread, inet, level, name, value, length);
  const endpoint = unixEndpointOf(thread, linux, fd);
  const socket = socketOf(thread, linux, fd);
  if (socket === null && endpoint === null) return socketError(linux, fd);
  const space = thread.process.space, b = state.buffer;
  if (copyIn(space, b, 64, length, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
  const given = load<i32>(b);
  if (given < 0) return -(<i64>Errno.EINVAL);
  if ((level & 0xffff_ffff) != SOL_SOCKET) return -(<i64>Errno.EOPNOTSUPP);   // AF_UNIX has no options of its own
  name &= 0xffff_ffff;
  if (name == SO_PEERCRED) {
    // struct ucred of the process at the other end when it connected (the listener's own for a
    // listening socket); every process is uid and gid 0. Pid 0 and ids of -1 when there is none,
    // as Linux.
    const pid = socket !== null ? socket.peerPid : endpoint!.listening ? endpoint!.listenerPid : 0;
    store<i32>(b, <i32>pid, 8);
    store<i32>(b, pid != 0 ? 0 : NO_ID, 12);
    store<i32>(b, pid != 0 ? 0 : NO_ID, 16);
    const size = min(given, 12);
    if (copyOut(space, value, b + 8, 56, <u64>size) != KernelError.None) return -(<i64>Errno.EFAULT);
    store<i32>(b, size);
    return copyOut(space, length, b, 64, 4) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
  }
  let answer: i32;
  if (name == SO_TYPE) answer = <i32>(socket !== null ? socket.kind : endpoint!.kind);
  else if (name == SO_ERROR || name == SO_PROTOCOL) answer = 0;
  else if (name == SO_DOMAIN) answer = <i32>AF_UNIX;
  else if (name == SO_ACCEPTCONN) answer = endpoint !== null && endpoint.listening ? 1 : 0;
  else {
    const kept = unixOptionOut(socket !== null ? socket.options : endpoint!.options, name, b + 8);
    if (kept == 0) return -(<i64>Errno.ENOPROTOOPT);
    const cut = min(<u64>given, kept);
    if (copyOut(space, value, b + 8, 56, cut) != KernelError.None) return -(<i64>Errno.EFAULT);
    store<i32>(b, <i32>cut);
    return copyOut(space, length, b, 64, 4) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
  }
  const size = min(given, 4);
  store<i32>(b, answer, 8);
  if (copyOut(space, value, b + 8, 56, <u64>size) != KernelError.None) return -(<i64>Errno.EFAULT);
  store<i32>(b, size);
  return copyOut(space, length, b, 64, 4) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** FIONREAD of a socketpair's end: a stream's bytes waiting, a message socket's next message's
 * length (0 when none). */
export function unixReadable(socket: UnixSocketObject): i64 {
  const ring = socket.receive;
  if (!socket.reading || ring.buffered == 0) return 0;
  return <u64>socket.kind == SOCK_STREAM ? <i64>ring.buffered : <i64>pipeWordAt(ring, 0);
}

/** What a socket's end is ready for (readiness.ts), as Linux's unix_poll: readable with bytes (a
 * message), or once its incoming direction ended (POLLRDHUP too); POLLHUP once both directions
 * ended; writable with room for an atomic write. */
export function socketReadiness(socket: UnixSocketObject): i32 {
  // A datagram pair's ends are not connected as a stream's are: the peer going away shuts
  // nothing down here (Linux's unix_dgram_poll).
  const datagrams = <u64>socket.kind == SOCK_DGRAM;
  const receiveShut = !socket.reading || (!datagrams && socket.receive.writers == 0);
  const sendShut = !socket.writing || (!datagrams && socket.send.readers == 0);
  let mask = 0;
  if (receiveShut && sendShut) mask |= 0x10;                             // POLLHUP
  if (receiveShut) mask |= 0x2000 | 0x1 | 0x40;                          // POLLRDHUP, POLLIN, POLLRDNORM
  if (socket.reading && socket.receive.buffered > 0) mask |= 0x1 | 0x40;
  if (socket.send.room >= PIPE_ATOMIC) mask |= 0x4 | 0x100;             // POLLOUT, POLLWRNORM
  return mask;
}
