// AF_INET sockets (docs/linux.md, "Sockets"): socket(AF_INET, SOCK_STREAM or SOCK_DGRAM) makes an
// InetSocket (objects/inet-socket.ts) from the Network grant the process holds, with a copy of
// its policy; without one, EACCES, and nothing is ever sent. A datagram socket owns a UDP port
// (bound by bind, connect or its first send, within the grant); a stream socket's connect makes a
// TCP connection, its listen a listener, its accept a new socket for the oldest connection, each
// as the Network capability's own methods make them (objects/network.ts). Ports and peers the
// grant does not allow are EACCES. Calls that must wait block (block.ts) on the connection's,
// listener's or port's waits and run again; O_NONBLOCK and MSG_DONTWAIT say EAGAIN instead, and
// SO_RCVTIMEO and SO_SNDTIMEO bound the wait (EAGAIN). sys-socket.ts hands this file the calls
// that name an InetSocket; read, write, readv and writev come through sys-files.ts.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { TCP_BACKLOG_MAXIMUM, TCP_BUFFER_MAXIMUM, TCP_BUFFER_MINIMUM, TCP_READY_CLOSED, TCP_READY_FAILED, TCP_READY_PEER_CLOSED, TCP_READY_READABLE, TCP_READY_WRITABLE, UDP_PAYLOAD_MAXIMUM } from "../../abi/methods";
import { linkAddress, linkIsBroadcast, linkIsLoopback, linkRoutes, linkSourceFor, linkUp } from "../net/iface/link";
import { tcpBegin, tcpConnectPort, tcpEnd, tcpListenerPort, tcpReady } from "../net/socket/tcp-host";
import { KeepAlive, Nagle, TcpConnection, TcpFailure, TcpState } from "../net/socket/tcp/connection";
import { udpBind, udpFreePort, udpPayloadArea, udpPortTaken, udpSend } from "../net/socket/udp";
import { INET_DATAGRAM, INET_PORT_BYTES, INET_PROTOCOL_ICMP, INET_RAW, INET_RECEIVE_GROWTH_MAXIMUM, INET_SOCKET_BYTES, INET_STREAM, InetPort, inetPortBound,
  InetSocketObject } from "../objects/inet-socket";
import { ICMP_PARAMETER_PROBLEM, ICMP_TIME_EXCEEDED } from "../net/wire/icmp-quote";
import { NetworkPolicy } from "../net/socket/policy";
import { NetworkObject, networkTcpConnect, networkTcpListen } from "../objects/network";
import { listenerBytes, listenerTake } from "../objects/tcp-listener";
import { TCP_BLOCKED, tcpReadiness, tcpSendKernel, tcpSocketBytes, tcpTransfer } from "../objects/tcp-socket";
import { FileObject } from "../objects/file";
import { Thread } from "../sched/thread";
import { Wait, WaitList } from "../sched/wait";
import { heapUserBudget } from "../memory/heap";
import { copyIn, copyOut, userRangeCheck } from "../vm/user-memory";
import { blockFor, timeoutDrop, timeoutOfTimeval, timevalStore } from "./socket-timeout";
import { BLOCKED, Errno } from "./errno";
import { FD_CLOEXEC, LinuxProcess } from "./linux-process";
import { LinuxThread } from "./linux-thread";
import { Scope, SI_USER, SIGPIPE, signalSend } from "./signal";
import { icmpBind, icmpConnect, icmpDatagramSend, icmpRawOpen } from "./sys-icmp";
import { callAddress, gatherIn, segmentAt, segmentBase, segmentLength, segmentSkip, STATUS_NONBLOCK, vectorTotal } from "./sys-pipe";

const AF_UNSPEC: u32 = 0, AF_INET: u32 = 2;
const IPPROTO_IP: u64 = 0, IPPROTO_TCP: u64 = 6, IPPROTO_UDP: u64 = 17;
const SOCK_NONBLOCK: u64 = 0o4000, SOCK_CLOEXEC: u64 = 0o2000000;
const MSG_OOB: u64 = 1, MSG_PEEK: u64 = 2, MSG_TRUNC: u64 = 0x20, MSG_DONTWAIT: u64 = 0x40, MSG_WAITALL: u64 = 0x100, MSG_ERRQUEUE: u64 = 0x2000,
  MSG_NOSIGNAL: u64 = 0x4000;
const SHUT_RD: u64 = 0, SHUT_WR: u64 = 1, SHUT_RDWR: u64 = 2;
const SOL_SOCKET: u64 = 1;
const SO_REUSEADDR: u64 = 2, SO_TYPE: u64 = 3, SO_ERROR: u64 = 4, SO_BROADCAST: u64 = 6, SO_SNDBUF: u64 = 7, SO_RCVBUF: u64 = 8,
  SO_KEEPALIVE: u64 = 9, SO_RCVTIMEO: u64 = 20, SO_SNDTIMEO: u64 = 21, SO_ACCEPTCONN: u64 = 30, SO_PROTOCOL: u64 = 38, SO_DOMAIN: u64 = 39;
const TCP_NODELAY: u64 = 1, TCP_MAXSEG: u64 = 2, TCP_KEEPIDLE: u64 = 4, TCP_KEEPINTVL: u64 = 5, TCP_KEEPCNT: u64 = 6;
const SO_LINGER: u64 = 13;
const IP_RECVERR: u64 = 11;
/** A listener's up-front charge is at most this fraction of the heap's user budget (listen). */
const LISTENER_SHARE: u64 = 8;
/** struct sockaddr_in: family (2 bytes), port (2, network order), address (4, network order), 8 zeros. */
const SOCKADDR_IN: u64 = 16;
/** struct msghdr: name, namelen, iov, iovlen, control, controllen, flags. */
const MSGHDR_SIZE: u64 = 56;
const IOV_MAXIMUM: u64 = 1024;
/** The MSS a connection over Ethernet has (TCP_MAXSEG's answer). */
const ETHERNET_MSS: i32 = 1460;

/** Bytes sendfile (and a TCP MSG_PEEK) moves through its staging at a time. */
const SENDFILE_CHUNK: u64 = 4096;

class InetCallsState {
  readonly buffer: usize = memory.data(64, 16);
  /** sendfile's staging (a file's bytes on their way to a connection), and a TCP MSG_PEEK's. */
  readonly staging: usize = memory.data(<i32>SENDFILE_CHUNK, 16);
  /** What the last inetReceive read: the sender, and whether the datagram was cut (MSG_TRUNC). */
  receivedAddress: u32 = 0;
  receivedPort: u32 = 0;
  receivedCut: bool = false;
  /** The last address addressIn read. */
  family: u32 = 0;
  address: u32 = 0;
  port: u32 = 0;
}
const state = new InetCallsState();

/** The InetSocket descriptor `fd` names, or null. */
export function inetSocketOf(thread: Thread, linux: LinuxProcess, fd: i32): InetSocketObject | null {
  const object = thread.process.table.lookup(linux.handleOf(<i64>fd));
  return object !== null && object.iface == Interface.InetSocket ? changetype<InetSocketObject>(object) : null;
}

/** socket(AF_INET, type, protocol): SOCK_STREAM (protocol 0 or IPPROTO_TCP), SOCK_DGRAM (0 or
 * IPPROTO_UDP; IPPROTO_ICMP: a ping socket) or SOCK_RAW with IPPROTO_ICMP (sys-icmp.ts), with
 * SOCK_NONBLOCK and SOCK_CLOEXEC. EACCES without a Network grant; EPROTONOSUPPORT for another
 * protocol (SOCK_RAW's 0 too); ESOCKTNOSUPPORT for SOCK_SEQPACKET; EPERM for SOCK_RAW of another
 * protocol (no grant makes raw frames); EMFILE, ENOMEM. The caller (sys-socket.ts) checked the flags and the family. */
export function inetSocket(thread: Thread, linux: LinuxProcess, kind: u64, protocol: u64, flags: u64): i64 {
  const icmp = protocol == <u64>INET_PROTOCOL_ICMP && (kind == <u64>INET_RAW || kind == <u64>INET_DATAGRAM);
  if (kind == <u64>INET_RAW && !icmp) return -(<i64>(protocol == 0 ? Errno.EPROTONOSUPPORT : Errno.EPERM));
  if (kind != <u64>INET_STREAM && kind != <u64>INET_DATAGRAM && !icmp) return -(<i64>Errno.ESOCKTNOSUPPORT);
  if (protocol != 0 && protocol != (kind == <u64>INET_STREAM ? IPPROTO_TCP : IPPROTO_UDP) && !icmp) return -(<i64>Errno.EPROTONOSUPPORT);
  const process = thread.process;
  const grant = process.table.lookup(linux.networkHandle);
  if (grant === null || grant.iface != Interface.Network) return -(<i64>Errno.EACCES);
  const fd = linux.lowestFree(0);
  if (fd < 0) return -(<i64>Errno.EMFILE);
  const bytes = INET_SOCKET_BYTES, raw = kind == <u64>INET_RAW;
  if (process.account.kernelFits(bytes + (raw ? INET_PORT_BYTES : 0), 0) != KernelError.None) return -(<i64>Errno.ENOMEM);
  const slot = process.table.reserve();
  if (slot < 0) return -(<i64>Errno.ENOMEM);
  const network = changetype<NetworkObject>(grant);
  const socket = new InetSocketObject(<u32>kind, network.policy.copy(), network.serial, icmp ? INET_PROTOCOL_ICMP : 0);
  socket.chargeTo(process.account, bytes);
  if (raw) icmpRawOpen(socket, process.account);
  linux.descriptors[fd] = process.table.commit(slot, socket);
  linux.descriptorFlags[fd] = ((flags & SOCK_CLOEXEC) != 0 ? FD_CLOEXEC : 0) | ((flags & SOCK_NONBLOCK) != 0 ? STATUS_NONBLOCK : 0);
  return fd;
}

/** Reads a struct sockaddr_in at `address` (`length` bytes) into state: 0, EINVAL when shorter
 * than one, EFAULT, or EAFNOSUPPORT for a family other than AF_INET (AF_UNSPEC when `unspec`). */
function addressIn(thread: Thread, address: u64, length: u64, unspec: bool = false): i64 {
  length &= 0xffff_ffff;
  if (length < 2 || <i32>length < 0) return -(<i64>Errno.EINVAL);
  const b = state.buffer;
  memory.fill(b, 0, 16);
  if (copyIn(thread.process.space, b, 64, address, min(length, SOCKADDR_IN)) != KernelError.None) return -(<i64>Errno.EFAULT);
  const family = <u32>load<u16>(b);
  state.family = family;
  if (family == AF_UNSPEC && unspec) return 0;
  if (family != AF_INET) return -(<i64>Errno.EAFNOSUPPORT);
  if (length < SOCKADDR_IN) return -(<i64>Errno.EINVAL);
  state.port = <u32>bswap<u16>(load<u16>(b, 2));
  state.address = bswap<u32>(load<u32>(b, 4));
  return 0;
}

/** Writes a struct sockaddr_in for `address`:`port` at `out`, cut to *lengthAt, and its whole
 * length to *lengthAt (nothing when `out` is 0): 0, EINVAL for a negative length, EFAULT. */
function addressOut(thread: Thread, out: u64, lengthAt: u64, address: u32, port: u32): i64 {
  if (out == 0 || lengthAt == 0) return 0;
  const space = thread.process.space, b = state.buffer;
  if (copyIn(space, b, 64, lengthAt, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
  const given = load<i32>(b);
  if (given < 0) return -(<i64>Errno.EINVAL);
  memory.fill(b + 16, 0, 16);
  store<u16>(b + 16, <u16>AF_INET);
  store<u16>(b + 16, bswap<u16>(<u16>port), 2);
  store<u32>(b + 16, bswap<u32>(address), 4);
  if (given > 0 && copyOut(space, out, b + 16, 48, min(<u64>given, SOCKADDR_IN)) != KernelError.None) return -(<i64>Errno.EFAULT);
  store<i32>(b, <i32>SOCKADDR_IN);
  return copyOut(space, lengthAt, b, 64, 4) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** Whether `address` is one of this host's: any (0), the interface's, or loopback. */
function localAddress(address: u32): bool {
  return address == 0 || (linkUp() && address == linkAddress()) || linkIsLoopback(address);
}

/** bind(fd, address, length): a port within the grant (0: a free one of its range) on any
 * address, the interface's or loopback. EINVAL when bound already; EADDRNOTAVAIL for another
 * address; EACCES for a port outside the grant; EADDRINUSE for a port taken (or none free). */
export function inetBind(thread: Thread, socket: InetSocketObject, address: u64, length: u64): i64 {
  const parsed = addressIn(thread, address, length);
  if (parsed < 0) return parsed;
  if (socket.icmp) return icmpBind(thread, socket, state.address, state.port, localAddress(state.address));
  if (socket.localPort != 0 || socket.listener !== null || socket.stream !== null) return -(<i64>Errno.EINVAL);
  if (!localAddress(state.address)) return -(<i64>Errno.EADDRNOTAVAIL);
  const policy = socket.policy, datagram = socket.datagram;
  let port = state.port;
  if (port != 0 && !policy.allowsLocal(port)) return -(<i64>Errno.EACCES);
  if (port != 0 && (datagram ? udpPortTaken(port) : tcpListenerPort(port) || inetPortBound(port))) return -(<i64>Errno.EADDRINUSE);
  if (port == 0) port = datagram ? udpFreePort(policy) : freeStreamPort(policy);
  if (port == 0) return -(<i64>Errno.EADDRINUSE);
  if (datagram) {
    const made = portMade(thread, socket);
    if (made < 0) return made;
    udpBind(socket.udp!, port);
  } else socket.bindPort(port);
  socket.boundAddress = state.address;
  return 0;
}

/** A local port of the grant's range for a stream socket's bind: free of listeners, of
 * connections' ports and of other sockets' binds; 0 when none is (a few random tries, then a
 * walk, as tcpConnectPort). */
function freeStreamPort(policy: NetworkPolicy): u32 {
  for (let attempt = 0; attempt < 16; attempt++) {
    const port = tcpConnectPort(policy);
    if (port == 0) return 0;
    if (!inetPortBound(port)) return port;
  }
  for (let port = policy.portLow; port <= policy.portHigh; port++) {
    if (!tcpListenerPort(port) && !inetPortBound(port)) return port;
  }
  return 0;
}

/** A datagram socket's port, made unless it has one (not bound yet): 0, or ENOMEM when the
 * caller's account cannot pay for its queue. */
function portMade(thread: Thread, socket: InetSocketObject): i64 {
  if (socket.udp !== null) return 0;
  const account = thread.process.account;
  if (account.kernelFits(INET_PORT_BYTES, 0) != KernelError.None) return -(<i64>Errno.ENOMEM);
  socket.attachPort(new InetPort(socket.policy), account);
  return 0;
}

/** A datagram socket without a port takes a free one of its grant's (Linux's autobind): 0,
 * EAGAIN when none is free, ENOMEM. */
function autobind(thread: Thread, socket: InetSocketObject): i64 {
  if (socket.udp !== null && socket.udp!.port != 0) return 0;
  const port = udpFreePort(socket.policy);
  if (port == 0) return -(<i64>Errno.EAGAIN);
  const made = portMade(thread, socket);
  if (made < 0) return made;
  udpBind(socket.udp!, port);
  return 0;
}

/** The errno for a connection that failed. */
function failureErrno(c: TcpConnection): Errno {
  const failure = c.failure;
  if (failure == TcpFailure.Refused) return Errno.ECONNREFUSED;
  if (failure == TcpFailure.Reset) return Errno.ECONNRESET;
  if (failure == TcpFailure.TimedOut) return Errno.ETIMEDOUT;
  if (failure == TcpFailure.Unreachable) return icmpErrno(c.icmpType, c.icmpCode);
  return Errno.EPIPE;
}

/** The most a stream socket's receive buffers may grow to (net/socket/tcp/autotune.ts): 0 (they
 * do not) once SO_RCVBUF or SO_SNDBUF set their size, else INET_RECEIVE_GROWTH_MAXIMUM, or less:
 * the largest power of two of the starting size within a sixteenth of the kernel heap user
 * requests may take. Linux grows to tcp_rmem[2], 6 MiB. */
function receiveLimitOf(socket: InetSocketObject): u32 {
  if (socket.bufferFixed) return 0;
  const start = <u64>bufferOf(socket), share = heapUserBudget() / 16;
  let limit = start;
  while (limit * 2 <= INET_RECEIVE_GROWTH_MAXIMUM && limit * 2 <= share) limit *= 2;
  return <u32>limit;
}

/** The buffer size of a stream socket's connection: its SO_RCVBUF/SO_SNDBUF, within the range. */
function bufferOf(socket: InetSocketObject): u32 {
  return <u32>min(max(<u64>socket.bufferBytes, TCP_BUFFER_MINIMUM), TCP_BUFFER_MAXIMUM);
}

/** connect(fd, address, length). A datagram socket: the peer its sends go to and its receives
 * come from (AF_UNSPEC: none again). A stream socket: a TCP connection within the grant; blocking
 * until it is established (ECONNREFUSED, ETIMEDOUT when it is not), or EINPROGRESS with O_NONBLOCK,
 * then EALREADY while it goes on and EISCONN once it is. EACCES for a peer or port the grant does
 * not allow, ENETUNREACH without a route, EADDRNOTAVAIL when no local port is free. */
export function inetConnect(thread: Thread, linux: LinuxProcess, socket: InetSocketObject, fd: i32, number: u64, address: u64, length: u64): i64 {
  const own = linux.threadOf(thread);
  if (socket.datagram) {
    const parsed = addressIn(thread, address, length, true);
    if (parsed < 0) return parsed;
    if (state.family == AF_UNSPEC) {
      socket.connected = false;
      socket.peer = 0;
      socket.peerPort = 0;
      return 0;
    }
    if (socket.icmp) return icmpConnect(thread, socket, state.address);
    if (state.port == 0) return -(<i64>Errno.ECONNREFUSED);
    if (!socket.policy.allowsPeer(state.address, state.port)) return -(<i64>Errno.EACCES);
    if (!linkRoutes(state.address)) return -(<i64>Errno.ENETUNREACH);
    const bound = autobind(thread, socket);
    if (bound < 0) return bound;
    socket.connected = true;
    socket.peer = state.address;
    socket.peerPort = state.port;
    return 0;
  }
  if (socket.listener !== null) return -(<i64>Errno.EISCONN);
  const existing = socket.stream;
  if (existing !== null) {
    // As Linux's inet_stream_connect: the first connect after the handshake finished says 0 (a
    // non-blocking one's completion), later ones EISCONN; one after it failed says why, once.
    const c = existing.link.connection;
    const waited = socket.connecting && socket.connectWaiter && own.sleepAt == callAddress(thread);
    if (c.established) {
      const was = socket.connecting;
      socket.connecting = false;
      socket.connectWaiter = false;
      timeoutDrop(thread, own);
      return was ? 0 : -(<i64>Errno.EISCONN);
    }
    if (c.failure != TcpFailure.None || c.state == TcpState.Closed) {
      if (!socket.connecting) return -(<i64>Errno.EISCONN);
      socket.connecting = false;
      socket.connectWaiter = false;
      timeoutDrop(thread, own);
      const reported = socket.errorTaken;
      socket.errorTaken = true;
      return -(<i64>(reported ? Errno.ECONNABORTED : failureErrno(c)));
    }
    if (!waited) return -(<i64>Errno.EALREADY);
    return blockFor(thread, own, existing.link.watchers, number, socket.sendTimeout);
  }
  const parsed = addressIn(thread, address, length);
  if (parsed < 0) return parsed;
  const peer = state.address, peerPort = state.port;
  if (peerPort == 0) return -(<i64>Errno.ECONNREFUSED);
  if (!socket.policy.allowsPeer(peer, peerPort)) return -(<i64>Errno.EACCES);
  if (!tcpReady() || !linkRoutes(peer)) return -(<i64>Errno.ENETUNREACH);
  const port = socket.boundPort;
  if (port != 0 && tcpListenerPort(port)) return -(<i64>Errno.EADDRINUSE);
  const process = thread.process, buffer = bufferOf(socket);
  if (process.account.kernelFits(tcpSocketBytes(<u64>buffer), 0) != KernelError.None) return -(<i64>Errno.ENOMEM);
  const made = networkTcpConnect(socket.policy, peer, peerPort, port, buffer, process.account, receiveLimitOf(socket));
  if (made === null) return -(<i64>(port != 0 ? Errno.EADDRINUSE : Errno.EADDRNOTAVAIL));
  made.retain();   // the socket holds it, not a table
  socket.stream = made;
  socket.connecting = true;
  socket.errorTaken = false;
  applyOptions(socket);
  socket.waiting.wakeAll();
  if ((linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0) return -(<i64>Errno.EINPROGRESS);
  // Over loopback the handshake may be over already (the stack took the segments on the way out).
  const c = made.link.connection;
  if (c.established) {
    socket.connecting = false;
    return 0;
  }
  if (c.failure != TcpFailure.None || c.state == TcpState.Closed) {
    socket.connecting = false;
    socket.errorTaken = true;
    return -(<i64>failureErrno(c));
  }
  socket.connectWaiter = true;
  own.sleepAt = 0;
  return blockFor(thread, own, made.link.watchers, number, socket.sendTimeout);
}

/** Puts the socket's options on its connection: TCP_NODELAY, SO_KEEPALIVE with its times, SO_LINGER's reset. */
function applyOptions(socket: InetSocketObject): void {
  const stream = socket.stream;
  if (stream === null) return;
  const c = stream.link.connection;
  const stack = tcpBegin();
  stack.setNagle(c, socket.noDelay ? Nagle.Off : Nagle.On);
  const second: u64 = 1_000_000_000;
  stack.setKeepAlive(c, socket.keepAlive ? KeepAlive.On : KeepAlive.Off, <u64>socket.keepIdle * second, <u64>socket.keepInterval * second, socket.keepCount);
  tcpEnd();
  stream.link.abortOnClose = socket.lingerOn && socket.lingerSeconds == 0;
}

/** listen(fd, backlog): a stream socket listens on its bound port (none: a free one of the
 * grant's), backlog 1..64 (a larger one is cut, as Linux cuts to somaxconn; and halved until
 * the connections it may hold cost at most an eighth of the kernel heap's user budget and the
 * caller's account can pay for them). EOPNOTSUPP for a
 * datagram socket, EINVAL for a connected one, EADDRINUSE, ENOMEM. Without an interface address
 * it listens on loopback alone. Listening again is 0. */
export function inetListen(thread: Thread, socket: InetSocketObject, backlog: u64): i64 {
  if (socket.datagram) return -(<i64>Errno.EOPNOTSUPP);
  if (socket.stream !== null) return -(<i64>Errno.EINVAL);
  if (socket.listener !== null) return 0;
  if (!tcpReady()) return -(<i64>Errno.ENETDOWN);
  const wanted = <i32>(backlog & 0xffff_ffff);
  let queue = <u32>min(max(<i64>wanted, 1), <i64>TCP_BACKLOG_MAXIMUM);
  let port = socket.boundPort;
  if (port == 0) port = freeStreamPort(socket.policy);
  if (port == 0 || tcpListenerPort(port)) return -(<i64>Errno.EADDRINUSE);
  const process = thread.process, buffer = bufferOf(socket);
  // The backlog is a hint (Linux cuts it to somaxconn): a listener is charged up front for every
  // connection it may hold, so it gets the largest that costs at most an eighth of the kernel
  // heap user requests may take and that the account can pay, halving down to 1.
  const share = heapUserBudget() / LISTENER_SHARE;
  while (queue > 1 && (listenerBytes(<u64>queue, <u64>buffer) > share
    || process.account.kernelFits(listenerBytes(<u64>queue, <u64>buffer), 0) != KernelError.None)) queue >>= 1;
  if (process.account.kernelFits(listenerBytes(<u64>queue, <u64>buffer), 0) != KernelError.None) return -(<i64>Errno.ENOMEM);
  socket.bindPort(port);
  const listener = networkTcpListen(socket.policy, port, queue, buffer, process.account, receiveLimitOf(socket));
  listener.retain();   // the socket holds it, not a table
  socket.listener = listener;
  socket.waiting.wakeAll();
  return 0;
}

/** accept and accept4(fd, address, length, flags): the oldest established connection as a new
 * socket behind the lowest free descriptor (SOCK_NONBLOCK, SOCK_CLOEXEC), its peer's address
 * written out; blocks while none is (EAGAIN with O_NONBLOCK). EINVAL when not listening or for
 * another flag, EOPNOTSUPP for a datagram socket, EMFILE, ENOMEM. */
export function inetAccept(thread: Thread, linux: LinuxProcess, socket: InetSocketObject, fd: i32, number: u64, address: u64, lengthAt: u64, flags: u64): i64 {
  flags &= 0xffff_ffff;
  if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -(<i64>Errno.EINVAL);
  if (socket.datagram) return -(<i64>Errno.EOPNOTSUPP);
  const listening = socket.listener;
  if (listening === null) return -(<i64>Errno.EINVAL);
  const own = linux.threadOf(thread), link = listening.link;
  if (link.listener.ready.length == 0) {
    if ((linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0) return -(<i64>Errno.EAGAIN);
    return blockFor(thread, own, link.watchers, number, socket.receiveTimeout);
  }
  timeoutDrop(thread, own);
  const process = thread.process;
  const slotFd = linux.lowestFree(0);
  if (slotFd < 0) return -(<i64>Errno.EMFILE);
  const bytes = INET_SOCKET_BYTES;
  if (process.account.kernelFits(bytes + tcpSocketBytes(<u64>link.listener.receiveCapacity), 0) != KernelError.None) return -(<i64>Errno.ENOMEM);
  if (address != 0 && lengthAt != 0 && userRangeCheck(process.space, lengthAt, 4, true) != KernelError.None) return -(<i64>Errno.EFAULT);
  const slot = process.table.reserve();
  if (slot < 0) return -(<i64>Errno.ENOMEM);
  const taken = listenerTake(link, process.account);
  if (taken === null) {   // (cannot happen: one was ready, and nothing ran since) wait for the next
    process.table.cancel(slot);
    if ((linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0) return -(<i64>Errno.EAGAIN);
    return blockFor(thread, own, link.watchers, number, socket.receiveTimeout);
  }
  const accepted = new InetSocketObject(INET_STREAM, socket.policy.copy(), socket.grant);
  accepted.chargeTo(process.account, bytes);
  taken.retain();
  accepted.stream = taken;
  accepted.noDelay = socket.noDelay;
  accepted.keepAlive = socket.keepAlive;
  accepted.receiveTimeout = socket.receiveTimeout;
  accepted.sendTimeout = socket.sendTimeout;
  accepted.bufferBytes = socket.bufferBytes;
  accepted.bufferFixed = socket.bufferFixed;
  accepted.keepIdle = socket.keepIdle;
  accepted.keepInterval = socket.keepInterval;
  accepted.keepCount = socket.keepCount;
  accepted.lingerOn = socket.lingerOn;
  accepted.lingerSeconds = socket.lingerSeconds;
  applyOptions(accepted);
  linux.descriptors[slotFd] = process.table.commit(slot, accepted);
  linux.descriptorFlags[slotFd] = ((flags & SOCK_CLOEXEC) != 0 ? FD_CLOEXEC : 0) | ((flags & SOCK_NONBLOCK) != 0 ? STATUS_NONBLOCK : 0);
  const c = taken.link.connection;
  // The peer's address goes out after the descriptor is made: a fault there loses nothing but it.
  const written = addressOut(thread, address, lengthAt, c.remoteAddress, c.remotePort);
  return written < 0 ? written : <i64>slotFd;
}

/** getsockname (`peer` false) and getpeername: ENOTCONN for a peer it does not have. */
export function inetName(thread: Thread, socket: InetSocketObject, peer: bool, address: u64, lengthAt: u64): i64 {
  const stream = socket.stream;
  if (peer) {
    if (stream !== null) {
      const c = stream.link.connection;
      if (!c.established && socket.connecting) return -(<i64>Errno.ENOTCONN);
      return addressOut(thread, address, lengthAt, c.remoteAddress, c.remotePort);
    }
    if (!socket.connected) return -(<i64>Errno.ENOTCONN);
    return addressOut(thread, address, lengthAt, socket.peer, socket.peerPort);
  }
  if (stream !== null) {
    const c = stream.link.connection;
    return addressOut(thread, address, lengthAt, c.localAddress, c.localPort);
  }
  const local = socket.connected ? linkSourceFor(socket.peer) : socket.boundAddress;
  return addressOut(thread, address, lengthAt, local, socket.localPort);
}

/** The bytes of a send: `buffer`/`count`, or the iovecs; `skip` bytes already gone. Moves up to
 * what the connection takes now; the bytes moved, 0 when none could, or -errno (a KernelError
 * from the connection, negated, in state.failed). */
function streamSend(thread: Thread, socket: InetSocketObject, buffer: u64, count: u64, vectors: u64, vectorCount: u64, skip: u64): i64 {
  const link = socket.stream!.link, space = thread.process.space;
  let done: u64 = 0;
  const segments = vectors != 0 ? vectorCount : 1;
  for (let i: u64 = 0; i < segments; i++) {
    if (!segmentAt(thread, buffer, count, vectors, i)) return done > 0 ? <i64>done : -(<i64>Errno.EFAULT);
    const base = segmentBase(), length = segmentLength();
    if (skip >= length) { skip -= length; continue; }
    const want = length - skip;
    let moved: u64 = 0;
    while (moved < want) {
      const result = tcpTransfer(link, thread, true, base + skip + moved, want - moved);
      if (result == TCP_BLOCKED) return <i64>(done + moved);
      if (result <= 0) return done + moved > 0 ? <i64>(done + moved) : streamError(result);
      moved += <u64>result;
    }
    done += moved;
    skip = 0;
  }
  return <i64>done;
}

/** A negated KernelError from a connection's send or receive as -errno. */
function streamError(result: i64): i64 {
  const error = <KernelError>(<i32>-result);
  if (error == KernelError.BadAddress) return -(<i64>Errno.EFAULT);
  if (error == KernelError.ConnectionRefused) return -(<i64>Errno.ECONNREFUSED);
  if (error == KernelError.ConnectionReset) return -(<i64>Errno.ECONNRESET);
  if (error == KernelError.ConnectionLost) return -(<i64>Errno.ETIMEDOUT);
  return -(<i64>Errno.EPIPE);
}

/** write, writev, send, sendto and sendmsg's bytes. A stream: into the connection's send buffer,
 * blocking until every byte is in (O_NONBLOCK: what fit, or EAGAIN), EPIPE and SIGPIPE (unless
 * MSG_NOSIGNAL) once it cannot send, ENOTCONN before a connect. A datagram: one datagram of at
 * most 8,192 bytes to `peer` (with `named`) or the connected peer (else EDESTADDRREQ); EMSGSIZE
 * for a longer one, EACCES for a peer the grant does not allow. */
export function inetSend(thread: Thread, linux: LinuxProcess, socket: InetSocketObject, fd: i32, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, flags: u64, named: bool, peer: u32, peerPort: u32): i64 {
  if ((flags & MSG_OOB) != 0) return -(<i64>Errno.EOPNOTSUPP);
  if (vectors != 0 && vectorCount > IOV_MAXIMUM) return -(<i64>Errno.EINVAL);
  const total = vectors != 0 ? vectorTotal(thread, vectors, vectorCount) : <i64>count;
  if (total < 0) return total;
  const nonblocking = (flags & MSG_DONTWAIT) != 0 || (linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0;
  if (socket.datagram) return datagramSend(thread, linux, socket, buffer, count, vectors, vectorCount, <u64>total, flags, named, peer, peerPort);
  const stream = socket.stream;
  if (stream === null) {
    if (socket.listener !== null) return -(<i64>Errno.ENOTCONN);
    return -(<i64>Errno.EPIPE);
  }
  const own = linux.threadOf(thread), at = callAddress(thread);
  let done: u64 = own.writeAt == at ? own.writeDone : 0;   // a restarted send goes on from here
  own.writeAt = 0;
  own.writeDone = 0;
  const c = stream.link.connection;
  if (!c.established && c.failure == TcpFailure.None && c.state != TcpState.Closed) {   // still connecting
    if (nonblocking) return -(<i64>Errno.EAGAIN);
    own.writeAt = at;
    own.writeDone = done;
    return blockFor(thread, own, stream.link.watchers, number, socket.sendTimeout);
  }
  if (<u64>total == done) return <i64>done;
  const moved = streamSend(thread, socket, buffer, count, vectors, vectorCount, done);
  if (moved < 0) {
    if (done > 0) return <i64>done;
    if (moved == -(<i64>Errno.EPIPE) && (flags & MSG_NOSIGNAL) == 0) signalSend(linux, SIGPIPE, Scope.Process, SI_USER, thread.process.id, 0);
    return moved;
  }
  done += <u64>moved;
  if (done == <u64>total) {
    timeoutDrop(thread, own);
    return <i64>done;
  }
  if (nonblocking) return done > 0 ? <i64>done : -(<i64>Errno.EAGAIN);
  const blocked = blockFor(thread, own, stream.link.watchers, number, socket.sendTimeout);
  if (blocked != BLOCKED) return done > 0 ? <i64>done : blocked;   // the timeout passed
  own.writeAt = at;
  own.writeDone = done;
  return BLOCKED;
}

function datagramSend(thread: Thread, linux: LinuxProcess, socket: InetSocketObject, buffer: u64, count: u64, vectors: u64, vectorCount: u64,
  total: u64, flags: u64, named: bool, peer: u32, peerPort: u32): i64 {
  if (socket.writeShut) {
    if ((flags & MSG_NOSIGNAL) == 0) signalSend(linux, SIGPIPE, Scope.Process, SI_USER, thread.process.id, 0);
    return -(<i64>Errno.EPIPE);
  }
  if (!named) {
    if (!socket.connected) return -(<i64>Errno.EDESTADDRREQ);
    peer = socket.peer;
    peerPort = socket.peerPort;
  }
  if (socket.icmp) return icmpDatagramSend(thread, socket, buffer, count, vectors, vectorCount, total, peer);
  if (total > UDP_PAYLOAD_MAXIMUM) return -(<i64>Errno.EMSGSIZE);
  if (peerPort == 0) return -(<i64>Errno.EINVAL);
  if (!socket.policy.allowsPeer(peer, peerPort)) return -(<i64>Errno.EACCES);
  if ((peer == 0xffff_ffff || linkIsBroadcast(peer)) && !socket.broadcast) return -(<i64>Errno.EACCES);   // without SO_BROADCAST, as Linux
  if (!linkRoutes(peer)) return -(<i64>Errno.ENETUNREACH);
  const bound = autobind(thread, socket);
  if (bound < 0) return bound;
  const pending = portError(socket.udp!);   // nothing is sent then, as Linux's sock_alloc_send_pskb
  if (pending != 0) return pending;
  const done = gatherIn(thread, buffer, count, vectors, vectorCount, udpPayloadArea(), UDP_PAYLOAD_MAXIMUM);
  if (done < 0) return done;
  const error = udpSend(socket.udp!, <u32>done, peer, peerPort);
  if (error == KernelError.QueueFull) return -(<i64>Errno.ENOBUFS);
  if (error != KernelError.None) return -(<i64>Errno.EHOSTUNREACH);
  return done;
}


/** read, readv, recv, recvfrom and recvmsg's bytes. A stream: what the connection received, up
 * to the buffers; 0 at its end (or after SHUT_RD); blocks while there is nothing (EAGAIN with
 * O_NONBLOCK, MSG_DONTWAIT or once SO_RCVTIMEO passes); ENOTCONN before a connect; when it
 * failed, the bytes that came before, then ECONNRESET, ECONNREFUSED or ETIMEDOUT once, then 0. A
 * datagram: the oldest one from the connected peer
 * (any, when not connected), cut to the buffers (MSG_TRUNC: its whole length is the answer),
 * left queued with MSG_PEEK (a connection's bytes too). The sender is in state.received*. */
export function inetReceive(thread: Thread, linux: LinuxProcess, socket: InetSocketObject, fd: i32, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, flags: u64): i64 {
  state.receivedCut = false;
  if ((flags & MSG_OOB) != 0) return -(<i64>Errno.EOPNOTSUPP);
  if ((flags & MSG_ERRQUEUE) != 0) return -(<i64>Errno.EAGAIN);   // no error is ever queued (IP_RECVERR)
  if (vectors != 0 && vectorCount > IOV_MAXIMUM) return -(<i64>Errno.EINVAL);
  const total = vectors != 0 ? vectorTotal(thread, vectors, vectorCount) : <i64>count;
  if (total < 0) return total;
  const nonblocking = (flags & MSG_DONTWAIT) != 0 || (linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0;
  const own = linux.threadOf(thread);
  if (socket.datagram) return datagramReceive(thread, linux, own, socket, number, buffer, count, vectors, vectorCount, flags, nonblocking);
  const stream = socket.stream;
  if (stream === null) return -(<i64>Errno.ENOTCONN);
  const c = stream.link.connection;
  state.receivedAddress = c.remoteAddress;
  state.receivedPort = c.remotePort;
  if (socket.readShut) return 0;
  if (socket.connecting && c.failure != TcpFailure.None && !c.established) {
    socket.connecting = false;
    socket.errorTaken = true;
    return -(<i64>failureErrno(c));
  }
  if (total == 0) return 0;
  const link = stream.link, space = thread.process.space;
  const peek = (flags & MSG_PEEK) != 0;
  // MSG_WAITALL: the call blocks until the buffers are full (or the stream ends, fails, or a
  // signal or SO_RCVTIMEO ends the wait: then what came), its progress kept across restarts.
  const waitAll = (flags & MSG_WAITALL) != 0 && !peek && !nonblocking, at = callAddress(thread);
  let done: u64 = waitAll && own.readAt == at ? own.readDone : 0;
  own.readAt = 0;
  own.readDone = 0;
  let skip = done;
  const segments = vectors != 0 ? vectorCount : 1;
  if (peek && c.receive.length > 0) return streamPeek(thread, c, buffer, count, vectors, vectorCount, own);
  for (let i: u64 = 0; i < segments && !peek; i++) {
    if (!segmentAt(thread, buffer, count, vectors, i)) return done > 0 ? <i64>done : -(<i64>Errno.EFAULT);
    skip = segmentSkip(skip);   // what a run before this restart filled
    const base = segmentBase(), length = segmentLength();
    if (length == 0) continue;
    let moved: u64 = 0;
    while (moved < length) {
      const result = tcpTransfer(link, thread, false, base + moved, length - moved);
      if (result == TCP_BLOCKED || result == 0) break;
      if (result < 0) {
        if (done + moved > 0) break;
        if (result == -(<i64>KernelError.ShutDown)) return 0;
        if (result == -(<i64>KernelError.BadAddress)) return -(<i64>Errno.EFAULT);
        // A failed connection's error is reported once (SO_ERROR, a read: Linux's sock_error),
        // then reads find the end of the stream.
        if (socket.errorTaken) return 0;
        socket.errorTaken = true;
        return streamError(result);
      }
      moved += <u64>result;
    }
    done += moved;
    if (moved < length) break;
  }
  const ready = tcpReadiness(c);
  const ended = (ready & TCP_READY_READABLE) != 0 && c.receive.length == 0;   // the end, or a failure: no more will come
  if (done > 0 && (!waitAll || done >= <u64>total || ended || socket.readShut)) {
    timeoutDrop(thread, own);
    return <i64>done;
  }
  // Nothing (or not all MSG_WAITALL asked for): the end of the stream, or a wait.
  if (done == 0 && (ready & TCP_READY_READABLE) != 0) {
    timeoutDrop(thread, own);
    return 0;
  }
  if (nonblocking) return -(<i64>Errno.EAGAIN);
  const blocked = blockFor(thread, own, link.watchers, number, socket.receiveTimeout);
  if (blocked != BLOCKED) return done > 0 ? <i64>done : blocked;   // SO_RCVTIMEO passed
  own.readAt = at;
  own.readDone = done;
  return BLOCKED;
}

function datagramReceive(thread: Thread, linux: LinuxProcess, own: LinuxThread, socket: InetSocketObject, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, flags: u64, nonblocking: bool): i64 {
  const udp = socket.udp;
  if (udp === null) {   // never bound: nothing can arrive until it is
    if (socket.readShut) return 0;
    if (nonblocking) return -(<i64>Errno.EAGAIN);
    return blockFor(thread, own, socket.waiting, number, socket.receiveTimeout);
  }
  const error = portError(udp);   // before any datagram, as Linux's __skb_try_recv_datagram
  if (error != 0) return error;
  let record = udp.peek();
  // A connected socket takes only its peer's datagrams (those queued before the connect go).
  while (record != 0 && socket.connected && (load<u32>(record + 4) != socket.peer || load<u32>(record + 8) != socket.peerPort)) {
    udp.dequeue();
    record = udp.peek();
  }
  if (record == 0) {
    if (socket.readShut) return 0;
    if (nonblocking) return -(<i64>Errno.EAGAIN);
    return blockFor(thread, own, udp.waiting, number, socket.receiveTimeout);
  }
  timeoutDrop(thread, own);
  const length = <u64>load<u32>(record), space = thread.process.space;
  state.receivedAddress = load<u32>(record + 4);
  state.receivedPort = load<u32>(record + 8);
  let copied: u64 = 0;
  const segments = vectors != 0 ? vectorCount : 1;
  for (let i: u64 = 0; i < segments && copied < length; i++) {
    if (!segmentAt(thread, buffer, count, vectors, i)) return -(<i64>Errno.EFAULT);
    const base = segmentBase(), size = segmentLength();
    const part = min(size, length - copied);
    if (part == 0) continue;
    if (copyOut(space, base, record + 12 + <usize>copied, length - copied, part) != KernelError.None) return -(<i64>Errno.EFAULT);
    copied += part;
  }
  state.receivedCut = copied < length;
  if ((flags & MSG_PEEK) == 0) udp.dequeue();
  return (flags & MSG_TRUNC) != 0 ? <i64>length : <i64>copied;
}

/** sendto for an InetSocket: the address names the peer of a datagram (a stream ignores it). */
export function inetSendto(thread: Thread, linux: LinuxProcess, socket: InetSocketObject, fd: i32, buffer: u64, length: u64, flags: u64,
  address: u64, addressLength: u64): i64 {
  let named = false;
  if (address != 0 && socket.datagram) {
    const parsed = addressIn(thread, address, addressLength);
    if (parsed < 0) return parsed;
    named = true;
  }
  return inetSend(thread, linux, socket, fd, 44, buffer, length, 0, 0, flags, named, state.address, state.port);
}

/** recvfrom for an InetSocket: the sender's address written out. */
export function inetRecvfrom(thread: Thread, linux: LinuxProcess, socket: InetSocketObject, fd: i32, buffer: u64, length: u64, flags: u64,
  address: u64, addressLength: u64): i64 {
  const result = inetReceive(thread, linux, socket, fd, 45, buffer, length, 0, 0, flags);
  if (result < 0 || address == 0) return result;
  const written = addressOut(thread, address, addressLength, state.receivedAddress, state.receivedPort);
  return written < 0 ? written : result;
}

/** sendmsg and recvmsg for an InetSocket: msg_name is the peer (sendmsg: a datagram's destination;
 * recvmsg: the sender), msg_iov the bytes; control messages are not taken (a sendmsg's are
 * ignored, a recvmsg's control length becomes 0). recvmsg's msg_flags says MSG_TRUNC. */
export function inetMessage(thread: Thread, linux: LinuxProcess, socket: InetSocketObject, number: u64, fd: i32, message: u64, flags: u64): i64 {
  const space = thread.process.space, b = state.buffer;
  if (copyIn(space, b, 64, message, MSGHDR_SIZE) != KernelError.None) return -(<i64>Errno.EFAULT);
  const name = load<u64>(b), nameLength = <u64>load<u32>(b, 8), vectors = load<u64>(b, 16), vectorCount = load<u64>(b, 24);
  if (number == 46) {   // sendmsg
    let named = false;
    if (name != 0 && nameLength != 0 && socket.datagram) {
      const parsed = addressIn(thread, name, nameLength);
      if (parsed < 0) return parsed;
      named = true;
    }
    return inetSend(thread, linux, socket, fd, number, 0, 0, vectors, vectorCount, flags, named, state.address, state.port);
  }
  const result = inetReceive(thread, linux, socket, fd, number, 0, 0, vectors, vectorCount, flags);
  if (result < 0) return result;
  copyIn(space, b, 64, message, MSGHDR_SIZE);   // read before: it is there
  if (name != 0 && nameLength != 0) {
    const out = b + 56;
    memory.fill(out, 0, 8);
    store<u16>(out, <u16>AF_INET);
    store<u16>(out, bswap<u16>(<u16>state.receivedPort), 2);
    store<u32>(out, bswap<u32>(state.receivedAddress), 4);
    if (copyOut(space, name, out, 8, min(nameLength, 8)) != KernelError.None) return -(<i64>Errno.EFAULT);
    if (nameLength > 8) {
      memory.fill(out, 0, 8);
      if (copyOut(space, name + 8, out, 8, min(nameLength - 8, 8)) != KernelError.None) return -(<i64>Errno.EFAULT);
    }
    store<u32>(b, <u32>SOCKADDR_IN, 8);
  }
  store<u64>(b, 0, 40);   // msg_controllen: no control messages
  store<i32>(b, state.receivedCut ? <i32>MSG_TRUNC : 0, 48);
  if (copyOut(space, message, b, 64, MSGHDR_SIZE) != KernelError.None) return -(<i64>Errno.EFAULT);
  return result;
}

/** shutdown(fd, how) for an InetSocket: a stream's SHUT_WR sends its FIN after the queued bytes,
 * SHUT_RD makes reads say 0; ENOTCONN when it has no connection. A datagram socket's directions
 * end (ENOTCONN when it is not connected, as Linux, though they end). */
export function inetShutdown(socket: InetSocketObject, how: u64): i64 {
  if (how > SHUT_RDWR) return -(<i64>Errno.EINVAL);
  const reading = how == SHUT_RD || how == SHUT_RDWR, writing = how == SHUT_WR || how == SHUT_RDWR;
  if (socket.datagram) {
    if (reading) socket.readShut = true;
    if (writing) socket.writeShut = true;
    if (socket.udp !== null) socket.udp!.waiting.wakeAll();
    socket.waiting.wakeAll();
    return socket.connected ? 0 : -(<i64>Errno.ENOTCONN);
  }
  const stream = socket.stream;
  if (stream === null) return -(<i64>Errno.ENOTCONN);
  if (reading) socket.readShut = true;
  if (writing) {
    const c = stream.link.connection;
    const stack = tcpBegin();
    if (c.failure == TcpFailure.None && !c.finQueued) stack.shutdown(c);
    tcpEnd();
  }
  stream.link.watchers.wakeAll();
  return 0;
}

/** setsockopt(fd, level, name, value, length) for an InetSocket: SOL_SOCKET's SO_REUSEADDR,
 * SO_KEEPALIVE, SO_BROADCAST, SO_RCVBUF, SO_SNDBUF (one size for a connection's two buffers,
 * 4 KiB..1 MiB, taken by the next connect or listen), SO_LINGER (a time of 0: the connection is
 * reset when let go; another time does not make close wait), SO_RCVTIMEO and SO_SNDTIMEO;
 * IPPROTO_TCP's TCP_NODELAY, TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT (EINVAL out of Linux's
 * bounds); IPPROTO_IP's IP_RECVERR (kept and read back: no ICMP error is queued to a socket, so
 * there is never an error for MSG_ERRQUEUE to read). Others ENOPROTOOPT; EINVAL for a value
 * shorter than the option's; EFAULT. The options go onto the connection as they change and
 * pass to accepted connections (applyOptions). */
export function inetSetsockopt(thread: Thread, socket: InetSocketObject, level: u64, name: u64, value: u64, length: u64): i64 {
  level &= 0xffff_ffff;
  name &= 0xffff_ffff;
  length &= 0xffff_ffff;
  const b = state.buffer, timeval = name == SO_RCVTIMEO || name == SO_SNDTIMEO;
  const isSocket = level == SOL_SOCKET, isTcp = level == IPPROTO_TCP && !socket.datagram;
  const keepTime = isTcp && (name == TCP_KEEPIDLE || name == TCP_KEEPINTVL || name == TCP_KEEPCNT);
  const known = (isSocket && (name == SO_REUSEADDR || name == SO_KEEPALIVE || name == SO_BROADCAST || name == SO_RCVBUF || name == SO_SNDBUF
    || name == SO_LINGER || timeval)) || (isTcp && name == TCP_NODELAY) || keepTime || (level == IPPROTO_IP && name == IP_RECVERR);
  if (!known) return -(<i64>Errno.ENOPROTOOPT);
  const need: u64 = timeval ? 16 : isSocket && name == SO_LINGER ? 8 : 4;
  if (<i32>length < 0 || length < need) return -(<i64>Errno.EINVAL);
  if (copyIn(thread.process.space, b, 64, value, need) != KernelError.None) return -(<i64>Errno.EFAULT);
  if (timeval) {
    const nanos = timeoutOfTimeval(load<i64>(b), load<i64>(b, 8));
    if (nanos < 0) return nanos;
    if (name == SO_RCVTIMEO) socket.receiveTimeout = <u64>nanos;
    else socket.sendTimeout = <u64>nanos;
    return 0;
  }
  const number = load<i32>(b);
  if (level == IPPROTO_IP) socket.receiveErrors = number != 0;
  else if (keepTime) {
    // Linux's bounds: 1..32767 s (MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL), 1..127 probes.
    if (number < 1 || number > (name == TCP_KEEPCNT ? 127 : 32767)) return -(<i64>Errno.EINVAL);
    if (name == TCP_KEEPIDLE) socket.keepIdle = <u32>number;
    else if (name == TCP_KEEPINTVL) socket.keepInterval = <u32>number;
    else socket.keepCount = <u32>number;
    applyOptions(socket);
  } else if (isSocket && name == SO_LINGER) {
    // struct linger: l_onoff, l_linger (s; a negative one is taken as the longest, as Linux).
    // Turned off, it keeps its time (getsockopt shows it), as Linux's.
    socket.lingerOn = number != 0;
    const seconds = load<i32>(b, 4);
    if (socket.lingerOn) socket.lingerSeconds = seconds < 0 ? <u32>i32.MAX_VALUE : <u32>seconds;
    applyOptions(socket);
  } else if (isTcp) {
    socket.noDelay = number != 0;
    applyOptions(socket);
  } else if (name == SO_REUSEADDR) socket.reuseAddress = number != 0;
  else if (name == SO_BROADCAST) socket.broadcast = number != 0;
  else if (name == SO_KEEPALIVE) {
    socket.keepAlive = number != 0;
    applyOptions(socket);
  } else {
    socket.bufferBytes = <u32>min(max(<i64>number, <i64>TCP_BUFFER_MINIMUM), <i64>TCP_BUFFER_MAXIMUM);
    socket.bufferFixed = true;
  }
  return 0;
}

/** getsockopt for an InetSocket: SO_TYPE, SO_ERROR (a failed connection's error, once), SO_DOMAIN,
 * SO_PROTOCOL, SO_ACCEPTCONN, the options setsockopt takes, and TCP_MAXSEG; others ENOPROTOOPT.
 * The value is cut to *length (an int, a struct linger, or a struct timeval for the timeouts). */
export function inetGetsockopt(thread: Thread, socket: InetSocketObject, level: u64, name: u64, value: u64, lengthAt: u64): i64 {
  level &= 0xffff_ffff;
  name &= 0xffff_ffff;
  const space = thread.process.space, b = state.buffer;
  if (copyIn(space, b, 64, lengthAt, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
  const given = load<i32>(b);
  if (given < 0) return -(<i64>Errno.EINVAL);
  let answer: i64 = 0, size: u64 = 4;
  if (level == SOL_SOCKET) {
    if (name == SO_TYPE) answer = <i64>socket.kind;
    else if (name == SO_ERROR) answer = takeError(socket);
    else if (name == SO_DOMAIN) answer = <i64>AF_INET;
    else if (name == SO_PROTOCOL) answer = socket.icmp ? <i64>INET_PROTOCOL_ICMP : socket.datagram ? <i64>IPPROTO_UDP : <i64>IPPROTO_TCP;
    else if (name == SO_ACCEPTCONN) answer = socket.listener !== null ? 1 : 0;
    else if (name == SO_REUSEADDR) answer = socket.reuseAddress ? 1 : 0;
    else if (name == SO_KEEPALIVE) answer = socket.keepAlive ? 1 : 0;
    else if (name == SO_LINGER) {
      store<i32>(b, socket.lingerOn ? 1 : 0, 8);
      store<i32>(b, <i32>socket.lingerSeconds, 12);
      size = 8;
    }
    else if (name == SO_BROADCAST) answer = socket.broadcast ? 1 : 0;
    else if (name == SO_RCVBUF || name == SO_SNDBUF) answer = <i64>bufferOf(socket);
    else if (name == SO_RCVTIMEO || name == SO_SNDTIMEO) {
      timevalStore(b + 8, name == SO_RCVTIMEO ? socket.receiveTimeout : socket.sendTimeout);
      size = 16;
    } else return -(<i64>Errno.ENOPROTOOPT);
  } else if (level == IPPROTO_IP && name == IP_RECVERR) {
    answer = socket.receiveErrors ? 1 : 0;
  } else if (level == IPPROTO_TCP && !socket.datagram) {
    if (name == TCP_NODELAY) answer = socket.noDelay ? 1 : 0;
    else if (name == TCP_MAXSEG) answer = ETHERNET_MSS;
    else if (name == TCP_KEEPIDLE) answer = <i64>socket.keepIdle;
    else if (name == TCP_KEEPINTVL) answer = <i64>socket.keepInterval;
    else if (name == TCP_KEEPCNT) answer = <i64>socket.keepCount;
    else return -(<i64>Errno.ENOPROTOOPT);
  } else return -(<i64>Errno.ENOPROTOOPT);
  if (size == 4) store<i32>(b, <i32>answer, 8);
  const cut = min(<u64>given, size);
  if (copyOut(space, value, b + 8, 56, cut) != KernelError.None) return -(<i64>Errno.EFAULT);
  store<i32>(b, <i32>cut);
  return copyOut(space, lengthAt, b, 64, 4) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** SO_ERROR: a failed connection's errno the first time it is asked (0 after, and while fine);
 * a datagram socket's pending error (then none). */
function takeError(socket: InetSocketObject): i64 {
  if (socket.datagram) return socket.udp !== null ? -portError(socket.udp!) : 0;
  const stream = socket.stream;
  if (stream === null || socket.errorTaken) return 0;
  const c = stream.link.connection;
  if (c.failure == TcpFailure.None) return 0;
  socket.errorTaken = true;
  socket.connecting = false;
  return <i64>failureErrno(c);
}

/** What an InetSocket is ready for (readiness.ts, POLL* bits), as Linux's tcp_poll and
 * udp_poll; with `wait`, registers it where a change is told. */
export function inetReadiness(socket: InetSocketObject, wait: Wait | null): i32 {
  if (socket.datagram) {
    const udp = socket.udp;
    if (wait !== null) (udp !== null ? udp.waiting : socket.waiting).add(wait);
    let mask = socket.writeShut ? 0 : 0x4 | 0x100;                       // POLLOUT, POLLWRNORM
    if ((udp !== null && udp.count > 0) || socket.readShut) mask |= 0x1 | 0x40;   // POLLIN, POLLRDNORM
    if (udp !== null && udp.errorPending) mask |= 0x8;                    // POLLERR
    if (socket.readShut && socket.writeShut) mask |= 0x10;                // POLLHUP
    return mask;
  }
  const listening = socket.listener;
  if (listening !== null) {
    if (wait !== null) listening.link.watchers.add(wait);
    return listening.link.listener.ready.length > 0 ? 0x1 | 0x40 : 0;
  }
  const stream = socket.stream;
  if (stream === null) {
    if (wait !== null) socket.waiting.add(wait);
    return 0x4 | 0x10;   // an unconnected stream: POLLOUT | POLLHUP, as tcp_poll says for CLOSE
  }
  if (wait !== null) stream.link.watchers.add(wait);
  const c = stream.link.connection;
  const ready = tcpReadiness(c);
  let mask = 0;
  if (!c.established && c.failure == TcpFailure.None && c.state != TcpState.Closed) return 0;   // connecting
  if ((ready & TCP_READY_READABLE) != 0 || socket.readShut) mask |= 0x1 | 0x40;
  if ((ready & TCP_READY_PEER_CLOSED) != 0) mask |= 0x2000 | 0x1 | 0x40;       // POLLRDHUP
  if ((ready & TCP_READY_WRITABLE) != 0 && c.established && c.failure == TcpFailure.None) mask |= 0x4 | 0x100;
  if ((ready & TCP_READY_FAILED) != 0 && !socket.errorTaken) mask |= 0x8;      // POLLERR
  if ((ready & TCP_READY_CLOSED) != 0 || c.failure != TcpFailure.None) mask |= 0x10;   // POLLHUP
  return mask;
}

/** MSG_PEEK on a connection holding bytes: up to the buffers' size of them copied (through the
 * staging, a chunk at a time), all left for the next read. */
function streamPeek(thread: Thread, c: TcpConnection, buffer: u64, count: u64, vectors: u64, vectorCount: u64, own: LinuxThread): i64 {
  const space = thread.process.space, held = <u64>c.receive.length;
  let done: u64 = 0;
  const segments = vectors != 0 ? vectorCount : 1;
  for (let i: u64 = 0; i < segments && done < held; i++) {
    if (!segmentAt(thread, buffer, count, vectors, i)) return done > 0 ? <i64>done : -(<i64>Errno.EFAULT);
    const base = segmentBase(), length = segmentLength();
    let moved: u64 = 0;
    while (moved < length && done + moved < held) {
      const part = min(min(length - moved, held - done - moved), SENDFILE_CHUNK);
      c.receive.peekAt(<u32>(done + moved), state.staging, <u32>part);
      if (copyOut(space, base + moved, state.staging, SENDFILE_CHUNK, part) != KernelError.None) {
        return done + moved > 0 ? <i64>(done + moved) : -(<i64>Errno.EFAULT);
      }
      moved += part;
    }
    done += moved;
  }
  timeoutDrop(thread, own);
  return <i64>done;
}

/** sendfile(out, in, offset, count) from a regular file to a connected TCP socket: the file's
 * bytes from *offset (updated; without one, from the file's offset, which advances) go into the
 * connection's send buffer, as many as it has room for now (up to count); with none, the call
 * blocks until there is (EAGAIN with O_NONBLOCK, or once SO_SNDTIMEO passes); 0 at the file's
 * end. EPIPE (and SIGPIPE) once the connection cannot send; ENOTCONN before a connect. The
 * caller (sys-files.ts) checked that `file` is a readable regular file and `offsetAt` readable. */
export function inetSendfile(thread: Thread, linux: LinuxProcess, socket: InetSocketObject, fd: i32, number: u64, file: FileObject,
  position: u64, count: u64): i64 {
  const stream = socket.stream;
  if (socket.datagram || stream === null) return -(<i64>(socket.datagram ? Errno.EINVAL : Errno.ENOTCONN));
  const own = linux.threadOf(thread), link = stream.link, c = link.connection;
  if (!c.established && c.failure == TcpFailure.None && c.state != TcpState.Closed) {
    if ((linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0) return -(<i64>Errno.EAGAIN);
    return blockFor(thread, own, link.watchers, number, socket.sendTimeout);
  }
  let done: u64 = 0;
  while (done < count) {
    const read = file.fileSystem.read(file.node, position + done, state.staging, min(SENDFILE_CHUNK, count - done));
    if (read < 0) return done > 0 ? <i64>done : -(<i64>Errno.EIO);
    if (read == 0) break;
    const sent = tcpSendKernel(link, state.staging, <u64>read);
    if (sent == TCP_BLOCKED) break;
    if (sent < 0) {
      if (done > 0) break;
      const errno = streamError(sent);
      if (errno == -(<i64>Errno.EPIPE)) signalSend(linux, SIGPIPE, Scope.Process, SI_USER, thread.process.id, 0);
      return errno;
    }
    done += <u64>sent;
    if (<u64>sent < <u64>read) break;   // the send buffer is full
  }
  if (done > 0 || count == 0) {
    timeoutDrop(thread, own);
    return <i64>done;
  }
  const end = file.fileSystem.read(file.node, position, state.staging, 1);
  if (end == 0) return 0;   // at the file's end
  if ((linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0) return -(<i64>Errno.EAGAIN);
  return blockFor(thread, own, link.watchers, number, socket.sendTimeout);
}

/** FIONREAD of an InetSocket: a connection's bytes waiting, the length of the next datagram
 * queued (0 when none), EINVAL for a listener (as Linux). */
export function inetReadable(socket: InetSocketObject): i64 {
  if (socket.listener !== null) return -(<i64>Errno.EINVAL);
  const stream = socket.stream;
  if (stream !== null) return <i64>stream.link.connection.receive.length;
  const udp = socket.udp;
  if (udp === null) return 0;
  const record = udp.peek();
  return record == 0 ? 0 : <i64>load<u32>(record);
}

/** A datagram socket's pending error (an ICMP error, objects/inet-socket.ts), taken: its -errno
 * once, then 0 (Linux's sock_error). */
function portError(udp: InetPort): i64 {
  if (!udp.errorPending) return 0;
  udp.errorPending = false;
  return -(<i64>icmpErrno(udp.errorType, udp.errorCode));
}

/** The errno of an ICMP error (the type and code icmpErrorKnown takes), as Linux's
 * icmp_err_convert and __udp4_lib_err give it. */
function icmpErrno(type: u32, code: u32): Errno {
  if (type == ICMP_TIME_EXCEEDED) return Errno.EHOSTUNREACH;
  if (type == ICMP_PARAMETER_PROBLEM) return Errno.EPROTO;
  switch (code) {
    case 0: case 6: case 9: case 11: return Errno.ENETUNREACH;
    case 2: return Errno.ENOPROTOOPT;
    case 3: return Errno.ECONNREFUSED;
    case 4: return Errno.EMSGSIZE;
    case 5: return Errno.EOPNOTSUPP;
    case 7: return Errno.EHOSTDOWN;
    case 8: return Errno.ENONET;
    default: return Errno.EHOSTUNREACH;   // 1, 10, 12-15
  }
}
