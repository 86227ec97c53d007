// InetSocket: a Linux AF_INET socket (docs/abi/interfaces/inet-socket.md), the Linux
// personality's socket(AF_INET, ...) (linux/sys-inet.ts), made only from a Network grant the
// process holds and keeping a copy of that grant's policy: every port it binds and every peer
// it reaches is checked against it, as the Network capability's own sockets are. It is what a
// descriptor names before the socket is bound, connected or listening, and stays so after: a
// datagram socket owns its UDP port (InetPort, made and bound at bind, connect or the first send); a
// stream socket holds the TcpSocket its connect or accept made, or the TcpListener its listen
// made, retained here rather than in any table. The socket options Linux programs set live here
// too. Native programs reach only `info` through the ring.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { InetSocketMethod, UDP_RECEIVE_BUFFER } from "../../abi/methods";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { instanceBytes, staticArrayBytes } from "../memory/heap-cost";
import { NetworkPolicy } from "../net/socket/policy";
import { udpUnbind, UdpPort } from "../net/socket/udp";
import { icmpErrorHard } from "../net/wire/icmp-quote";
import { icmpClose } from "../net/socket/icmp";
import { WaitList } from "../sched/wait";
import { Quota } from "../memory/quota";
import { TcpListenerObject } from "./tcp-listener";
import { TcpSocketObject } from "./tcp-socket";

/** A connection's buffers unless SO_RCVBUF or SO_SNDBUF says otherwise: Linux's initial TCP
 * receive buffer (tcp_rmem's default, 128 KiB), which Linux and Capsid then grow as the reader
 * keeps up (net/socket/tcp/autotune.ts). */
export const INET_BUFFER_DEFAULT: u32 = 131072;
/** The most a stream connection's receive buffer grows to (net/socket/tcp/autotune.ts). */
export const INET_RECEIVE_GROWTH_MAXIMUM: u64 = 4 << 20;

/** Linux's socket types this object is (SOCK_RAW: ICMP alone). */
export const INET_STREAM: u32 = 1, INET_DATAGRAM: u32 = 2, INET_RAW: u32 = 3;
/** The protocol of an ICMP socket (a raw one, or a datagram one: a ping socket); 0 for the
 * type's own (TCP, UDP). */
export const INET_PROTOCOL_ICMP: u32 = 1;

/** A datagram socket's UDP port (or an ICMP socket's): its queue, its pending error, and the
 * waits told when a datagram or an error arrives. */
export class InetPort extends UdpPort {
  readonly waiting: WaitList = new WaitList();
  /** The socket it belongs to (attachPort), until the socket goes. */
  owner: InetSocketObject | null = null;
  /** An error waiting to be reported once (Linux's sk_err: the next receive, send or SO_ERROR
   * takes it): the ICMP error's type and code. */
  errorPending: bool = false;
  errorType: u32 = 0;
  errorCode: u32 = 0;

  arrived(data: usize, length: u32, peer: u32, peerPort: u32): void {
    this.enqueue(data, length, peer, peerPort);
    this.waiting.wakeAll();
  }

  /** As Linux's __udp4_lib_err: without IP_RECVERR only a hard error (port unreachable and the
   * like) counts, and only on a socket connected to that peer; with it, every error on a socket
   * connected to that peer or to none. A later error replaces one not yet reported. */
  icmpError(type: u32, code: u32, peer: u32, peerPort: u32): void {
    const socket = this.owner;
    if (socket === null) return;
    const there = socket.connected && socket.peer == peer && socket.peerPort == peerPort;
    if (socket.receiveErrors ? socket.connected && !there : !there || !icmpErrorHard(type, code)) return;
    this.errorPending = true;
    this.errorType = type;
    this.errorCode = code;
    this.waiting.wakeAll();
  }
}

export class InetSocketObject extends KernelObject {
  /** A datagram socket's port, once it is bound (bind, connect, its first send): its queue is
   * charged then, so an unbound socket costs its record alone. */
  udp: InetPort | null = null;
  private portQuota: Quota | null = null;
  /** A stream socket's connection (connect, accept) or listener (listen), once it has one. */
  stream: TcpSocketObject | null = null;
  listener: TcpListenerObject | null = null;
  /** The local port bind chose for a stream socket (0: none), held in the bound ports while the
   * socket lives (bindPort) so no other stream socket binds it; and the local address bound (0:
   * any). */
  boundPort: u32 = 0;
  boundAddress: u32 = 0;
  /** A datagram socket's connected peer (connect; an ICMP socket's has port 0). */
  connected: bool = false;
  peer: u32 = 0;
  peerPort: u32 = 0;
  /** shutdown's directions, for a datagram socket (a stream's are its connection's). */
  readShut: bool = false;
  writeShut: bool = false;
  /** A connect going on: one a caller blocks in (`connectWaiter`), or one left going on
   * (O_NONBLOCK: EINPROGRESS). */
  connecting: bool = false;
  connectWaiter: bool = false;
  /** A failed connection's error was reported (SO_ERROR, the connect, a read): not again. */
  errorTaken: bool = false;
  /** Options: SO_REUSEADDR, SO_BROADCAST, IP_RECVERR, SO_KEEPALIVE and the TCP_KEEP* times,
   * TCP_NODELAY, SO_LINGER, SO_RCVTIMEO and SO_SNDTIMEO (ns, 0: none), SO_RCVBUF and SO_SNDBUF
   * (one size for a connection's two buffers). */
  reuseAddress: bool = false;
  broadcast: bool = false;
  receiveErrors: bool = false;
  keepAlive: bool = false;
  /** TCP_KEEPIDLE and TCP_KEEPINTVL (s), TCP_KEEPCNT: Linux's defaults until set. */
  keepIdle: u32 = 7200;
  keepInterval: u32 = 75;
  keepCount: u32 = 9;
  /** SO_LINGER: on, and its time (s); on with 0 resets the connection when it is let go. */
  lingerOn: bool = false;
  lingerSeconds: u32 = 0;
  noDelay: bool = false;
  receiveTimeout: u64 = 0;
  sendTimeout: u64 = 0;
  bufferBytes: u32 = INET_BUFFER_DEFAULT;
  /** SO_RCVBUF or SO_SNDBUF set the size: a connection's receive buffer keeps it (as Linux's
   * SOCK_RCVBUF_LOCK), else it may grow (net/socket/tcp/autotune.ts). */
  bufferFixed: bool = false;
  /** Waits told when something that is not yet a connection or listener changes (a connect or
   * listen replacing nothing): poll on a fresh socket. */
  readonly waiting: WaitList = new WaitList();

  /** `grant`: the serial of the Network grant it was made from (objects/network.ts). */
  constructor(readonly kind: u32, readonly policy: NetworkPolicy, readonly grant: u64, readonly protocol: u32 = 0) {
    super(Interface.InetSocket);
    state.live.add(this);
  }

  /** Binds a stream socket to `port` (which the caller checked is free): held until it goes. */
  bindPort(port: u32): void {
    if (this.boundPort == port) return;
    if (this.boundPort != 0) state.bound.delete(this.boundPort);
    this.boundPort = port;
    state.bound.set(port, true);
  }

  /** Whether it is a datagram socket: UDP, or ICMP (raw or ping). */
  get datagram(): bool {
    return this.kind == INET_DATAGRAM || this.kind == INET_RAW;
  }

  /** Whether it is an ICMP socket (net/socket/icmp.ts): its port is not a UDP one. */
  get icmp(): bool {
    return this.protocol == INET_PROTOCOL_ICMP;
  }

  /** Gives a datagram socket its port (not bound yet), INET_PORT_BYTES charged to `quota` (which
   * the caller checked can pay) until the socket goes. */
  attachPort(port: InetPort, quota: Quota): void {
    quota.chargeKernel(INET_PORT_BYTES);
    quota.retain();
    this.portQuota = quota;
    port.owner = this;
    this.udp = port;
  }

  /** The local port it is bound to, 0 when none (a ping socket's identifier; a raw socket's
   * protocol, as Linux's inet_num). */
  get localPort(): u32 {
    if (this.kind == INET_RAW) return this.protocol;
    const udp = this.udp;
    if (udp !== null) return udp.port;
    if (this.listener !== null) return this.listener!.link.listener.localPort;
    if (this.stream !== null) return this.stream!.link.connection.localPort;
    return this.boundPort;
  }

  destroy(): void {
    const udp = this.udp, quota = this.portQuota;
    if (udp !== null) {
      if (this.icmp) icmpClose(udp);
      else udpUnbind(udp);
      udp.owner = null;
      udp.waiting.wakeAll();
    }
    if (quota !== null) {
      quota.unchargeKernel(INET_PORT_BYTES);
      quota.release();
      this.portQuota = null;
    }
    if (this.boundPort != 0) state.bound.delete(this.boundPort);
    state.live.delete(this);
    if (this.stream !== null) this.stream!.release();
    if (this.listener !== null) this.listener!.release();
    this.stream = null;
    this.listener = null;
    this.waiting.wakeAll();
  }

  decodeCall(request: Request): Invocation | null {
    if (request.method != InetSocketMethod.Info) return request.refuse(KernelError.UnknownMethod);
    return state.info;
  }
}

/** info() -> the local port | the kind << 16; value: the peer's address | its port << 32. */
class Info extends Invocation {
  invoke(request: Request): void {
    const socket = changetype<InetSocketObject>(request.object);
    let peer: u64 = <u64>socket.peer | (<u64>socket.peerPort << 32);
    if (socket.stream !== null) {
      const c = socket.stream!.link.connection;
      peer = <u64>c.remoteAddress | (<u64>c.remotePort << 32);
    }
    request.complete(<i64>(<u64>socket.localPort | (<u64>socket.kind << 16)), peer);
  }
}

class InetSocketsState {
  readonly info: Info = new Info();
  /** The local ports stream sockets bound (bindPort), while they live. */
  readonly bound: Map<u32, bool> = new Map<u32, bool>();
  /** Every socket until it is destroyed (/proc/net/tcp and udp: inetSocketsOf). */
  readonly live: Set<InetSocketObject> = new Set<InetSocketObject>();
}
const state = new InetSocketsState();

/** Heap bytes a socket's record costs its maker's account: the object and its policy (a port, a
 * connection or a listener is charged when it is made). */
export const INET_SOCKET_BYTES: u64 = instanceBytes<InetSocketObject>() + instanceBytes<WaitList>() + instanceBytes<NetworkPolicy>()
  + 4 * staticArrayBytes<u32>(4) + 48;   // and its entry in the live set

/** Heap bytes a datagram socket's port costs: its record, queue and entry in the port table. */
export const INET_PORT_BYTES: u64 = instanceBytes<InetPort>() + instanceBytes<WaitList>() + staticArrayBytes<u8>(UDP_RECEIVE_BUFFER) + 64;

/** The live sockets made from the Network grant of serial `grant`, oldest first. */
export function inetSocketsOf(grant: u64): InetSocketObject[] {
  const all = state.live.values(), found: InetSocketObject[] = [];
  for (let i = 0; i < all.length; i++) if (unchecked(all[i]).grant == grant) found.push(unchecked(all[i]));
  return found;
}

/** Whether a stream socket holds `port` by bind. */
export function inetPortBound(port: u32): bool {
  return state.bound.has(port);
}
