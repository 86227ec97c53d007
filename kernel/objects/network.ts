// Network: a grant of network authority (docs/abi/interfaces/network.md): the local ports its
// sockets may bind and the peers they may reach, a NetworkPolicy. udp makes a UdpSocket bound
// within it, charged to the caller's account; restrict makes a narrower grant (never a wider
// one); info reports the interface's configuration. A process holding none cannot make the
// machine send anything: every datagram a process originates leaves through a socket, and every
// socket is made from a grant.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { NETWORK_INFO_SIZE, NetworkMethod, TCP_BACKLOG_MAXIMUM, TCP_BUFFER_DEFAULT, TCP_BUFFER_MAXIMUM, TCP_BUFFER_MINIMUM } from "../../abi/methods";
import { MakesCapability } from "../cap/makes-capability";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { Pool } from "../collections/pool";
import { instanceBytes, staticArrayBytes } from "../memory/heap-cost";
import { linkRoutes, linkSourceFor, linkUp } from "../net/iface/link";
import { Quota } from "../memory/quota";
import { tcpBegin, tcpConnectPort, tcpConnectPortTake, tcpEnd, tcpListenerPort, tcpListenerPortTake, tcpReady } from "../net/socket/tcp-host";
import { TcpListener } from "../net/socket/tcp/listener";
import { halfOpenLimit, ListenerLink, listenerBytes, TcpListenerObject } from "./tcp-listener";
import { SocketLink, tcpSocketBytes, TcpSocketObject } from "./tcp-socket";
import { netInfo } from "../net/iface/interface";
import { NetworkPolicy } from "../net/socket/policy";
import { udpBind, udpFreePort, udpPortTaken } from "../net/socket/udp";
import { callerThread } from "../sched/thread";
import { copyOut } from "../vm/user-memory";
import { UDP_SOCKET_BYTES, UdpSocketObject } from "./udp-socket";

/** What a grant made by restrict costs its maker's account. */
export const NETWORK_BYTES: u64 = instanceBytes<NetworkObject>() + instanceBytes<NetworkPolicy>() + 4 * staticArrayBytes<u32>(4);

export class NetworkObject extends KernelObject {
  /** Which grant this is, for ever (never reused): the Linux sockets made from it carry it
   * (/proc/net/tcp lists those of the reader's grant). */
  readonly serial: u64 = ++state.lastSerial;

  constructor(readonly policy: NetworkPolicy) { super(Interface.Network); }

  decodeCall(request: Request): Invocation | null {
    const method = request.method;
    if (method == NetworkMethod.Info) return state.info;
    if (method > <u32>NetworkMethod.TcpConnect) return request.refuse(KernelError.UnknownMethod);
    const process = callerThread(request).process;
    const made = state.makes.take();
    made.policy = null;
    if (method == NetworkMethod.TcpListen || method == NetworkMethod.TcpConnect) {
      const error = method == NetworkMethod.TcpListen ? this.decodeListen(request, made) : this.decodeConnect(request, made);
      if (error != KernelError.None) return refuse(request, made, error);
    } else if (method == NetworkMethod.Udp) {
      const port = request.argument0;
      let error = KernelError.None;
      if (port > 0xffff) error = KernelError.InvalidArgument;
      else if (!linkUp()) error = KernelError.Unreachable;
      else if (port != 0 && !this.policy.allowsLocal(<u32>port)) error = KernelError.NotPermitted;
      else if (port != 0 && udpPortTaken(<u32>port)) error = KernelError.AddressInUse;
      else error = process.account.kernelFits(UDP_SOCKET_BYTES);
      // The port is chosen here, so invoke cannot fail: nothing binds one in between.
      made.port = port != 0 ? <u32>port : udpFreePort(this.policy);
      if (error == KernelError.None && made.port == 0) error = KernelError.AddressInUse;
      if (error != KernelError.None) return refuse(request, made, error);
    } else {
      const narrower = new NetworkPolicy();
      const ports = request.argument0, peerPorts = request.argument3;
      const valid = (ports >> 32) == 0 && (peerPorts >> 32) == 0 && request.argument1 <= 0xffff_ffff && request.argument2 <= 32
        && narrower.setPorts(<u32>(ports & 0xffff), <u32>(ports >> 16))
        && narrower.addRule(<u32>request.argument1, <u32>request.argument2, <u32>(peerPorts & 0xffff), <u32>(peerPorts >> 16));
      if (!valid) return refuse(request, made, KernelError.InvalidArgument);
      if (!narrower.within(this.policy)) return refuse(request, made, KernelError.NotPermitted);
      const error = process.account.kernelFits(NETWORK_BYTES);
      if (error != KernelError.None) return refuse(request, made, error);
      made.policy = narrower;
    }
    const error = made.reserveIn(process.table);
    if (error != KernelError.None) {
      made.policy = null;
      state.makes.give(made);
      return request.refuse(error);
    }
    return made;
  }

  /** tcpListen(port, backlog): the port chosen here (invoke cannot fail). */
  private decodeListen(request: Request, made: Make): KernelError {
    const port = request.argument0, backlog = request.argument1, buffer = bufferSize(request.argument2);
    if (port > 0xffff || backlog == 0 || backlog > TCP_BACKLOG_MAXIMUM || buffer == 0) return KernelError.InvalidArgument;
    if (!linkUp() || !tcpReady()) return KernelError.Unreachable;
    if (port != 0 && !this.policy.allowsLocal(<u32>port)) return KernelError.NotPermitted;
    if (port != 0 && tcpListenerPort(<u32>port)) return KernelError.AddressInUse;
    made.port = port != 0 ? <u32>port : tcpConnectPort(this.policy);
    if (made.port == 0) return KernelError.AddressInUse;
    made.backlog = <u32>backlog;
    made.buffer = <u32>buffer;
    return callerThread(request).process.account.kernelFits(listenerBytes(backlog, buffer));
  }

  /** tcpConnect(peer, peer port, local port): checked against the grant and the route. */
  private decodeConnect(request: Request, made: Make): KernelError {
    const peer = request.argument0, peerPort = request.argument1, port = request.argument2, buffer = bufferSize(request.argument3);
    if (peer > 0xffff_ffff || peerPort == 0 || peerPort > 0xffff || port > 0xffff || buffer == 0) return KernelError.InvalidArgument;
    if (!this.policy.allowsPeer(<u32>peer, <u32>peerPort)) return KernelError.NotPermitted;
    if (port != 0 && !this.policy.allowsLocal(<u32>port)) return KernelError.NotPermitted;
    if (!tcpReady() || !linkRoutes(<u32>peer)) return KernelError.Unreachable;
    if (port != 0 && tcpListenerPort(<u32>port)) return KernelError.AddressInUse;
    made.peer = <u32>peer;
    made.peerPort = <u32>peerPort;
    made.port = <u32>port;
    made.buffer = <u32>buffer;
    return callerThread(request).process.account.kernelFits(tcpSocketBytes(buffer));
  }
}

/** A listener on `port` (which the caller checked is allowed and free) with `backlog` and
 * `buffer`, charged to `account` (which the caller checked can pay listenerBytes). */
export function networkTcpListen(policy: NetworkPolicy, port: u32, backlog: u32, buffer: u32, account: Quota, receiveLimit: u32 = 0): TcpListenerObject {
  const listener = new TcpListener(<i32>backlog, halfOpenLimit(<u64>backlog), buffer, buffer, receiveLimit);
  const object = new TcpListenerObject(new ListenerLink(listener, policy.copy()));
  const stack = tcpBegin();
  stack.listen(listener, 0, port);
  tcpEnd();
  tcpListenerPortTake(port);
  object.chargeTo(account, listenerBytes(<u64>backlog, <u64>buffer));
  return object;
}

/** A connection to `peer`:`peerPort` (which the caller checked `policy` allows and the link
 * routes) from local port `port` (0: a free one of the policy's; another when the 4-tuple is
 * taken by a connection in TIME-WAIT), its SYN sent, as a TcpSocket charged to `account` (which
 * the caller checked can pay tcpSocketBytes); null when no port is free (state.connectError:
 * AddressInUse). */
export function networkTcpConnect(policy: NetworkPolicy, peer: u32, peerPort: u32, port: u32, buffer: u32, account: Quota,
  receiveLimit: u32 = 0): TcpSocketObject | null {
  const stack = tcpBegin();
  const c = stack.createConnection(buffer, buffer);
  c.receiveLimit = max(receiveLimit, buffer);   // before the SYN: its window scale is chosen for it
  const source = linkSourceFor(peer);
  let local = port, error = KernelError.AddressInUse;
  for (let attempt = 0; attempt < 8 && error == KernelError.AddressInUse; attempt++) {
    if (port == 0) local = tcpConnectPort(policy);
    if (local == 0) break;
    error = stack.connect(c, source, local, peer, peerPort);
    if (port != 0) break;
  }
  if (error != KernelError.None) {
    tcpEnd();
    state.connectError = error;
    return null;
  }
  if (port == 0) tcpConnectPortTake(local);
  const socket = new TcpSocketObject(new SocketLink(c, account, port == 0 ? local : 0));
  tcpEnd();
  return socket;
}

/** The error of the last networkTcpConnect that made nothing. */
export function networkConnectError(): KernelError {
  return state.connectError;
}

/** The buffer size a tcpListen or tcpConnect asked for (0: the default), or 0 when out of range. */
function bufferSize(asked: u64): u64 {
  if (asked == 0) return TCP_BUFFER_DEFAULT;
  return asked >= TCP_BUFFER_MINIMUM && asked <= TCP_BUFFER_MAXIMUM ? asked : 0;
}

function refuse(request: Request, made: Make, error: KernelError): Invocation | null {
  made.policy = null;
  state.makes.give(made);
  return request.refuse(error);
}

/** info(address): the configuration through static staging. */
class Info extends Invocation {
  invoke(request: Request): void {
    netInfo(state.buffer);
    const error = copyOut(callerThread(request).process.space, request.argument0, state.buffer, NETWORK_INFO_SIZE, NETWORK_INFO_SIZE);
    if (error != KernelError.None) request.fail(error);
    else request.complete(0, 0);
  }
}

/** udp(port) or restrict(...): the slot for the new capability; a restrict's policy. */
class Make extends MakesCapability {
  next: Make | null = null;
  policy: NetworkPolicy | null = null;
  port: u32 = 0;

  backlog: u32 = 0;
  buffer: u32 = 0;
  peer: u32 = 0;
  peerPort: u32 = 0;

  invoke(request: Request): void {
    const account = callerThread(request).process.account;
    const grant = changetype<NetworkObject>(request.object);
    if (request.method == NetworkMethod.TcpListen) {
      // decode checked the port is free
      this.deliver(request, networkTcpListen(grant.policy, this.port, this.backlog, this.buffer, account), <u64>this.port);
      return;
    }
    if (request.method == NetworkMethod.TcpConnect) {
      this.connect(request, grant, account);
      return;
    }
    if (request.method == NetworkMethod.Restrict) {
      const narrower = new NetworkObject(this.policy!);
      narrower.chargeTo(account, NETWORK_BYTES);
      this.deliver(request, narrower, 0);
      return;
    }
    const socket = new UdpSocketObject(grant.policy.copy());
    udpBind(socket.udp, this.port);
    socket.chargeTo(account, UDP_SOCKET_BYTES);
    this.deliver(request, socket, <u64>this.port);
  }

  /** tcpConnect: the connection, or the error (nothing made). */
  private connect(request: Request, grant: NetworkObject, account: Quota): void {
    const socket = networkTcpConnect(grant.policy, this.peer, this.peerPort, this.port, this.buffer, account);
    if (socket === null) {
      this.rollback();
      request.fail(state.connectError);
      return;
    }
    this.deliver(request, socket, <u64>socket.link.connection.localPort);
  }

  protected recycle(): void {
    this.policy = null;
    state.makes.give(this);
  }
}

class NetworksState {
  /** The last serial a NetworkObject was given. */
  lastSerial: u64 = 0;
  readonly info: Info = new Info();
  readonly buffer: usize = memory.data(<i32>NETWORK_INFO_SIZE, 8);
  makes: Pool<Make> = new Pool<Make>(2);
  connectError: KernelError = KernelError.None;
}
const state = new NetworksState();
