// AF_UNIX sockets with names (docs/linux.md, "Sockets"): socket(AF_UNIX, SOCK_STREAM or
// SOCK_SEQPACKET) makes a UnixEndpoint (objects/unix-endpoint.ts); bind gives it a name, a socket
// file in the process's namespace (made as mknod would, EADDRINUSE when the name exists) or a
// name in the abstract namespace (a leading NUL); listen queues connections for accept. connect
// to a listening name makes a connected pair of UnixSocket ends, as socketpair does (its rings
// charged to the connecting process), queues the server's end for accept and makes every
// descriptor of the caller that named the endpoint name the client's end: from then on the
// socket is socketpair's (sys-socket.ts), SCM_RIGHTS included. Reaching a name needs nothing but
// the namespace the path resolves in (or, for an abstract name, the name itself), as on Linux.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { NodeType } from "../fs/node";
import { Resolve } from "../fs/path";
import { framesFree } from "../memory/frames";
import { PIPE_BYTES, PIPE_PAGES, pipeFits, pipeRingCreate } from "../objects/pipe-ring";
import { UNIX_BACKLOG_MAXIMUM, unixAutobindNumber, UNIX_DATAGRAM_BYTES, UNIX_ENDPOINT_BYTES, unixEndpointNamed, UnixEndpointObject } from "../objects/unix-endpoint";
import { UNIX_SOCKET_BYTES, UnixSocketObject } from "../objects/unix-socket";
import { Thread } from "../sched/thread";
import { copyIn, copyOut } from "../vm/user-memory";
import { blockFor } from "./socket-timeout";
import { BLOCKED, Errno, linuxErrno } from "./errno";
import { FD_CLOEXEC, LINUX_DESCRIPTORS, LinuxProcess } from "./linux-process";
import { socketFileMake } from "./sys-names";
import { resolveAt } from "./sys-path";
import { STATUS_NONBLOCK } from "./sys-pipe";

const AF_UNIX: u32 = 1;
const SOCK_STREAM: u64 = 1, SOCK_DGRAM: u64 = 2, SOCK_RAW: u64 = 3, SOCK_SEQPACKET: u64 = 5;
const SOCK_NONBLOCK: u64 = 0o4000, SOCK_CLOEXEC: u64 = 0o2000000;
/** struct sockaddr_un: the family (2 bytes) and sun_path (108). */
const SOCKADDR_UN: u64 = 110;
const AT_FDCWD: u64 = <u64><i64>-100;
/** Heap bytes and frames a connection takes: two rings and two ends (as a socketpair). */
const PAIR_BYTES: u64 = 2 * PIPE_BYTES + 2 * UNIX_SOCKET_BYTES;

class UnixCallsState {
  readonly address: usize = memory.data(<i32>SOCKADDR_UN + 2, 16);
  readonly buffer: usize = memory.data(16, 16);
  /** What the last nameIn read: the registry key, what getsockname says, whether abstract. */
  key: string = "";
  name: StaticArray<u8> = new StaticArray<u8>(0);
  inAbstract: bool = false;
}
const state = new UnixCallsState();

/** The UnixEndpoint descriptor `fd` names, or null. */
export function unixEndpointOf(thread: Thread, linux: LinuxProcess, fd: i32): UnixEndpointObject | null {
  const object = thread.process.table.lookup(linux.handleOf(<i64>fd));
  return object !== null && object.iface == Interface.UnixEndpoint ? changetype<UnixEndpointObject>(object) : null;
}

/** socket(AF_UNIX, type, 0): SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET (SOCK_RAW is taken as
 * SOCK_DGRAM, as Linux's unix_create) with SOCK_NONBLOCK and SOCK_CLOEXEC. EPROTONOSUPPORT for a
 * protocol, ESOCKTNOSUPPORT for another type; EMFILE, ENOMEM. The caller checked the flags and the
 * type's range. */
export function unixSocket(thread: Thread, linux: LinuxProcess, kind: u64, protocol: u64, flags: u64): i64 {
  if (protocol != 0 && protocol != <u64>AF_UNIX) return -(<i64>Errno.EPROTONOSUPPORT);
  if (kind == SOCK_RAW) kind = SOCK_DGRAM;
  if (kind != SOCK_STREAM && kind != SOCK_DGRAM && kind != SOCK_SEQPACKET) return -(<i64>Errno.ESOCKTNOSUPPORT);
  const process = thread.process;
  const fd = linux.lowestFree(0);
  if (fd < 0) return -(<i64>Errno.EMFILE);
  const bytes = kind == SOCK_DGRAM ? UNIX_DATAGRAM_BYTES : UNIX_ENDPOINT_BYTES;
  if (process.account.kernelFits(bytes, 0) != KernelError.None) return -(<i64>Errno.ENOMEM);
  const slot = process.table.reserve();
  if (slot < 0) return -(<i64>Errno.ENOMEM);
  const endpoint = new UnixEndpointObject(<u32>kind);
  endpoint.chargeTo(process.account, bytes);
  linux.descriptors[fd] = process.table.commit(slot, endpoint);
  linux.descriptorFlags[fd] = ((flags & SOCK_CLOEXEC) != 0 ? FD_CLOEXEC : 0) | ((flags & SOCK_NONBLOCK) != 0 ? STATUS_NONBLOCK : 0);
  return fd;
}

/** Reads a struct sockaddr_un at `address` (`length` bytes) into state.key and state.name: 0;
 * EINVAL for another family, a length shorter than a name or longer than the structure; EFAULT.
 * A path is resolved in the namespace when `resolvePath` (connect): ENOENT, ENOTDIR, ELOOP, and
 * ECONNREFUSED for a file that is no socket. */
function nameIn(thread: Thread, linux: LinuxProcess, address: u64, length: u64, resolvePath: bool): i64 {
  length &= 0xffff_ffff;
  if (length <= 2 || length > SOCKADDR_UN) return -(<i64>Errno.EINVAL);
  const at = state.address;
  memory.fill(at, 0, <usize>SOCKADDR_UN + 2);
  if (copyIn(thread.process.space, at, SOCKADDR_UN + 2, address, length) != KernelError.None) return -(<i64>Errno.EFAULT);
  if (<u32>load<u16>(at) != AF_UNIX) return -(<i64>Errno.EINVAL);
  const bytes = <i32>length - 2;
  if (load<u8>(at, 2) == 0) {   // the abstract namespace: every byte after the NUL is the name
    state.inAbstract = true;
    state.name = bytesAt(at + 3, bytes - 1);
    state.key = "a" + hexOf(state.name);
    return 0;
  }
  let end = 0;
  while (end < bytes && load<u8>(at + 2 + <usize>end) != 0) end++;
  state.inAbstract = false;
  state.name = bytesAt(at + 2, end);
  if (!resolvePath) return 0;
  const error = new StaticArray<i64>(1);
  const found = resolveAt(thread, linux, AT_FDCWD, address + 2, Resolve.Follow, 0, error);
  if (found === null) return error[0];
  if (found.error != KernelError.None) return -(<i64>linuxErrno(found.error));
  const node = found.node!;
  if (node.type != NodeType.Socket) return -(<i64>Errno.ECONNREFUSED);
  state.key = "p" + node.fileSystem.toString() + ":" + node.inode.toString();
  return 0;
}

/** A copy of `length` bytes at `at`. */
function bytesAt(at: usize, length: i32): StaticArray<u8> {
  const bytes = new StaticArray<u8>(length);
  memory.copy(changetype<usize>(bytes), at, <usize>length);
  return bytes;
}

/** `bytes` in hexadecimal: an abstract name as a registry key (any byte may be in it). */
function hexOf(bytes: StaticArray<u8>): string {
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += (<u32>unchecked(bytes[i]) + 0x100).toString(16).substring(1);
  return text;
}

/** bind(fd, address, length) of an AF_UNIX socket: a path makes a socket file (EADDRINUSE when
 * the name exists), an abstract name is taken (EADDRINUSE when bound). EINVAL when bound already. */
export function unixBind(thread: Thread, linux: LinuxProcess, endpoint: UnixEndpointObject, address: u64, length: u64): i64 {
  const parsed = nameIn(thread, linux, address, length, false);
  if (parsed < 0) return parsed;
  const datagrams = <u64>endpoint.kind == SOCK_DGRAM && endpoint.key === null;
  if (datagrams && pipeFits(thread.process.account) != KernelError.None) return -(<i64>Errno.ENOMEM);
  if (endpoint.key !== null) {
    if (state.inAbstract) return -(<i64>Errno.EINVAL);
    // A path is made before the socket is looked at, as Linux's unix_bind_bsd: one that exists
    // says EADDRINUSE even to a socket bound already.
    const error = new StaticArray<i64>(1);
    const found = resolveAt(thread, linux, AT_FDCWD, address + 2, Resolve.NoFollow, 0, error);
    return found !== null && found.error == KernelError.None && found.node !== null ? -(<i64>Errno.EADDRINUSE) : -(<i64>Errno.EINVAL);
  }
  if (state.inAbstract) {
    if (unixEndpointNamed(state.key) !== null) return -(<i64>Errno.EADDRINUSE);
    endpoint.bind(state.key, state.name, true, null);
  } else {
    const error = new StaticArray<i64>(1);
    const node = socketFileMake(thread, linux, address + 2, error);
    if (node === null) return error[0];
    endpoint.bind("p" + node.fileSystem.toString() + ":" + node.inode.toString(), state.name, false, node);
  }
  if (datagrams) endpoint.receive = pipeRingCreate(thread.process.account);   // pipeFits said its frames fit
  return 0;
}

/** The endpoint bound to the AF_UNIX name at `address` (`length` bytes), or null with the reason
 * in error[0]: EINVAL (a malformed address), EFAULT, ENOENT, ENOTDIR, ELOOP (a path), and
 * ECONNREFUSED for a file that is no socket or a name nothing is bound to. `kind` is the caller's
 * type: an endpoint of another type at a path says EPROTOTYPE, at an abstract name ECONNREFUSED
 * (Linux keys abstract names by type). */
export function unixNamed(thread: Thread, linux: LinuxProcess, address: u64, length: u64, kind: u32, error: StaticArray<i64>): UnixEndpointObject | null {
  const parsed = nameIn(thread, linux, address, length, true);
  error[0] = parsed;
  if (parsed < 0) return null;
  const found = unixEndpointNamed(state.key);
  if (found === null || (found.kind != kind && state.inAbstract)) {
    error[0] = -(<i64>Errno.ECONNREFUSED);
    return null;
  }
  if (found.kind != kind) {
    error[0] = -(<i64>Errno.EPROTOTYPE);
    return null;
  }
  return found;
}

/** Writes the struct sockaddr_un of the name `endpoint` is bound to at `out` (room for 110
 * bytes): its length (a path's counts its NUL, as Linux's), 2 (the family alone) when unbound. */
export function unixAddressOf(endpoint: UnixEndpointObject, out: usize): u32 {
  memory.fill(out, 0, <usize>SOCKADDR_UN);
  store<u16>(out, <u16>AF_UNIX);
  if (endpoint.key === null) return 2;
  const bytes = endpoint.name;
  const length = min(bytes.length, <i32>SOCKADDR_UN - 3);
  memory.copy(out + (endpoint.inAbstract ? 3 : 2), changetype<usize>(bytes), <usize>length);
  return endpoint.inAbstract ? 3 + <u32>length : 2 + <u32>length + 1;
}

/** listen(fd, backlog) of an AF_UNIX socket: connections queue for accept (backlog 1..128); an
 * unbound socket takes an abstract name first (Linux's autobind). */
export function unixListen(thread: Thread, endpoint: UnixEndpointObject, backlog: u64): i64 {
  if (endpoint.key === null) {
    const number = unixAutobindNumber();
    let text = number.toString(16);
    while (text.length < 5) text = "0" + text;
    const name = bytesAt(changetype<usize>(String.UTF8.encode(text)), 5);
    endpoint.bind("a" + hexOf(name), name, true, null);
  }
  endpoint.backlog = <i32>min(max(<i64><i32>(backlog & 0xffff_ffff), 1), <i64>UNIX_BACKLOG_MAXIMUM);
  endpoint.listening = true;
  endpoint.listenerPid = thread.process.id;
  return 0;
}

/** connect(fd, address, length) of an AF_UNIX socket: a connection to the endpoint listening at
 * the name, whose accept queue takes the server's end; this process's descriptors that named the
 * socket name the client's end. ECONNREFUSED when nothing listens there, EPROTOTYPE for a path
 * bound by a socket of another type (unixNamed), EAGAIN (O_NONBLOCK) or a wait while its queue is
 * full, EINVAL for a listening socket, ENOMEM. */
export function unixConnect(thread: Thread, linux: LinuxProcess, endpoint: UnixEndpointObject, fd: i32, number: u64, address: u64, length: u64): i64 {
  if (endpoint.listening) return -(<i64>Errno.EINVAL);
  const error = new StaticArray<i64>(1);
  const listener = unixNamed(thread, linux, address, length, endpoint.kind, error);
  if (listener === null) return error[0];
  if (!listener.listening) return -(<i64>Errno.ECONNREFUSED);
  if (listener.pending.length >= listener.backlog) {
    if ((linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0) return -(<i64>Errno.EAGAIN);
    return blockFor(thread, linux.threadOf(thread), listener.waiting, number, endpoint.options.sendTimeout);
  }
  const process = thread.process, table = process.table;
  if (framesFree() < 2 * PIPE_PAGES || process.account.kernelFits(PAIR_BYTES, 2 * PIPE_PAGES) != KernelError.None) return -(<i64>Errno.ENOMEM);
  const slot = table.reserve();
  if (slot < 0) return -(<i64>Errno.ENOMEM);
  const there = pipeRingCreate(process.account), back = pipeRingCreate(process.account);
  const client = new UnixSocketObject(back, there, endpoint.kind), server = new UnixSocketObject(there, back, endpoint.kind);
  client.peerPid = listener.listenerPid;
  client.options = endpoint.options;   // the same socket, connected
  server.peerPid = process.id;
  client.chargeTo(process.account, PAIR_BYTES / 2);
  server.chargeTo(process.account, PAIR_BYTES - PAIR_BYTES / 2);
  server.retain();   // the queue holds it until accept
  listener.pending.push(server);
  listener.waiting.wakeAll();
  // The descriptors that named the endpoint name the client's end now; the endpoint goes.
  const old = linux.handleOf(<i64>fd), handle = table.commit(slot, client);
  for (let other = 0; other < LINUX_DESCRIPTORS; other++) if (unchecked(linux.descriptors[other]) == old) unchecked(linux.descriptors[other] = handle);
  table.release(old);
  return 0;
}

/** accept and accept4(fd, address, length, flags) of an AF_UNIX socket: the oldest queued
 * connection's server end behind the lowest free descriptor (SOCK_NONBLOCK, SOCK_CLOEXEC), its
 * peer unnamed (the family alone); a wait while none is queued (EAGAIN with O_NONBLOCK). EINVAL
 * when not listening or for another flag, EMFILE, ENOMEM, EFAULT. */
export function unixAccept(thread: Thread, linux: LinuxProcess, endpoint: UnixEndpointObject, fd: i32, number: u64, address: u64, lengthAt: u64,
  flags: u64): i64 {
  flags &= 0xffff_ffff;
  if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0 || !endpoint.listening) return -(<i64>Errno.EINVAL);
  if (endpoint.pending.length == 0) {
    if ((linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0) return -(<i64>Errno.EAGAIN);
    return blockFor(thread, linux.threadOf(thread), endpoint.waiting, number, endpoint.options.receiveTimeout);
  }
  const process = thread.process, space = process.space, b = state.buffer;
  if (address != 0 && lengthAt != 0) {
    if (copyIn(space, b, 16, lengthAt, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
    if (load<i32>(b) < 0) return -(<i64>Errno.EINVAL);
  }
  const next = linux.lowestFree(0);
  if (next < 0) return -(<i64>Errno.EMFILE);
  const slot = process.table.reserve();
  if (slot < 0) return -(<i64>Errno.ENOMEM);
  const server = endpoint.pending.shift();
  linux.descriptors[next] = process.table.commit(slot, server);
  server.release();   // the table holds it now, not the queue
  linux.descriptorFlags[next] = ((flags & SOCK_CLOEXEC) != 0 ? FD_CLOEXEC : 0) | ((flags & SOCK_NONBLOCK) != 0 ? STATUS_NONBLOCK : 0);
  endpoint.waiting.wakeAll();   // a connect waiting for room
  if (address != 0 && lengthAt != 0) {
    const given = load<i32>(b);
    store<u16>(b, <u16>AF_UNIX, 8);
    if (given > 0 && copyOut(space, address, b + 8, 8, min(<u64>given, 2)) != KernelError.None) return -(<i64>Errno.EFAULT);
    store<i32>(b, 2);
    if (copyOut(space, lengthAt, b, 16, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
  }
  return next;
}

/** getsockname of an AF_UNIX socket not connected: its name (a path, or NUL and the abstract
 * name), or the family alone when unbound; getpeername: a connected datagram socket's peer's
 * name, else ENOTCONN. */
export function unixEndpointName(thread: Thread, endpoint: UnixEndpointObject, peer: bool, address: u64, lengthAt: u64): i64 {
  const named = peer ? endpoint.peer : endpoint;
  if (named === null) return -(<i64>Errno.ENOTCONN);
  const space = thread.process.space, b = state.buffer, out = state.address;
  if (copyIn(space, b, 16, lengthAt, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
  const given = load<i32>(b);
  if (given < 0) return -(<i64>Errno.EINVAL);
  const size = <u64>unixAddressOf(named, out);
  if (given > 0 && copyOut(space, address, out, SOCKADDR_UN + 2, min(<u64>given, size)) != KernelError.None) return -(<i64>Errno.EFAULT);
  store<i32>(b, <i32>size);
  return copyOut(space, lengthAt, b, 16, 4) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** What an AF_UNIX stream or seqpacket socket not connected is ready for, as Linux's unix_poll:
 * a listening one POLLIN with a connection queued; one neither listening nor connected POLLOUT
 * and POLLHUP (a connection-based socket in the closed state); POLLRDHUP and POLLIN once it
 * stopped receiving, POLLHUP once it stopped both. */
export function unixEndpointReadiness(endpoint: UnixEndpointObject): i32 {
  let mask = 0;
  if (!endpoint.reading) mask |= 0x2000 | 0x1 | 0x40;                        // POLLRDHUP, POLLIN, POLLRDNORM
  if (!endpoint.reading && !endpoint.writing) mask |= 0x10;                  // POLLHUP
  if (endpoint.listening) return mask | (endpoint.pending.length > 0 ? 0x1 | 0x40 : 0);
  return mask | 0x10 | 0x4 | 0x100 | 0x200;                                 // POLLHUP, POLLOUT, POLLWRNORM, POLLWRBAND
}
