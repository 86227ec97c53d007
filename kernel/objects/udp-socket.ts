// UdpSocket: one bound UDP port (docs/abi/interfaces/udp-socket.md), made by Network.udp and
// holding a copy of its grant's policy. send copies the caller's bytes into the stack's staging
// frame at decode and sends them to a peer the policy allows; receive takes the oldest queued
// datagram, or waits for one (a wait of its thread, with a deadline when it has a timeout): an
// arrival goes straight into the oldest waiting receive's buffer. Releasing the last handle
// unbinds the port and ends the receives still waiting with PeerEnded. Its queue and records are
// charged to its maker's account (UDP_SOCKET_BYTES).

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { UDP_PAYLOAD_MAXIMUM, UdpSocketMethod } from "../../abi/methods";
import { CAP_ENTER_NO_TIMEOUT } from "../../abi/ring";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { Chain } from "../collections/lists";
import { Pool } from "../collections/pool";
import { instanceBytes, staticArrayBytes } from "../memory/heap-cost";
import { linkRoutes } from "../net/iface/link";
import { NetworkPolicy } from "../net/socket/policy";
import { udpPayloadArea, udpSend, udpUnbind, UdpPort } from "../net/socket/udp";
import { UDP_RECEIVE_BUFFER } from "../../abi/methods";
import { callerThread } from "../sched/thread";
import { RingWait } from "./ring-wait";
import { monotonicNanos } from "../time/clock";
import { timerStart } from "../time/timers";
import { copyIn, copyOut, userRangeCheck } from "../vm/user-memory";

export class UdpSocketObject extends KernelObject {
  readonly udp: SocketPort;

  constructor(policy: NetworkPolicy) {
    super(Interface.UdpSocket);
    this.udp = new SocketPort(policy);
  }

  destroy(): void {
    udpUnbind(this.udp);
    const waiting = this.udp.waiting;
    for (let receive = waiting.shift(); receive !== null; receive = waiting.shift()) receive.finish(-(<i64>KernelError.PeerEnded), 0);
  }

  decodeCall(request: Request): Invocation | null {
    const method = request.method;
    if (method == UdpSocketMethod.Info) return state.info;
    const space = callerThread(request).process.space;
    if (method == UdpSocketMethod.Send) {
      const length = request.argument1, peer = request.argument2, peerPort = request.argument3;
      if (length > UDP_PAYLOAD_MAXIMUM || peer > 0xffff_ffff || peerPort == 0 || peerPort > 0xffff) return request.refuse(KernelError.InvalidArgument);
      if (!this.udp.policy.allowsPeer(<u32>peer, <u32>peerPort)) return request.refuse(KernelError.NotPermitted);
      if (!linkRoutes(<u32>peer)) return request.refuse(KernelError.Unreachable);
      // Copied now into the staging frame: nothing else uses it before invoke sends it.
      const error = copyIn(space, udpPayloadArea(), UDP_PAYLOAD_MAXIMUM, request.argument0, length);
      return error != KernelError.None ? request.refuse(error) : state.send;
    }
    if (method != UdpSocketMethod.Receive) return request.refuse(KernelError.UnknownMethod);
    const error = userRangeCheck(space, request.argument0, min(request.argument1, UDP_PAYLOAD_MAXIMUM), true);
    return error != KernelError.None ? request.refuse(error) : state.receive;
  }
}

/** The socket's port: its queue (UdpPort) and the receives waiting on it, oldest first. */
class SocketPort extends UdpPort {
  readonly waiting: Chain<Receiving> = new Chain<Receiving>();

  arrived(data: usize, length: u32, peer: u32, peerPort: u32): void {
    for (let receive = this.waiting.shift(); receive !== null; receive = this.waiting.shift()) {
      if (receive.deliver(data, length, peer, peerPort)) return;
    }
    this.enqueue(data, length, peer, peerPort);
  }
}

/** send(address, length, peer, port): the bytes are in the staging frame. */
class Send extends Invocation {
  invoke(request: Request): void {
    const socket = changetype<UdpSocketObject>(request.object);
    const length = request.argument1;
    const error = udpSend(socket.udp, <u32>length, <u32>request.argument2, <u32>request.argument3);
    // udpSend's only failures: no route (the configuration changed), or a full transmit ring.
    if (error != KernelError.None) request.fail(error == KernelError.QueueFull ? KernelError.QueueFull : KernelError.Unreachable);
    else request.complete(<i64>length, 0);
  }
}

/** receive(address, capacity, timeout): the oldest queued datagram now, or a wait. */
class Receive extends Invocation {
  invoke(request: Request): void {
    const socket = changetype<UdpSocketObject>(request.object);
    const port = socket.udp;
    const thread = callerThread(request);
    const address = request.argument0, capacity = min(request.argument1, UDP_PAYLOAD_MAXIMUM);
    const record = port.peek();
    if (record != 0) {
      const length = load<u32>(record), peer = load<u32>(record + 4), peerPort = load<u32>(record + 8);
      const copied = min(<u64>length, capacity);
      const error = copyOut(thread.process.space, address, record + 12, <u64>length, copied);   // decode checked the range
      port.dequeue();
      if (error != KernelError.None) request.fail(error);
      else request.complete(<i64>copied, receivedValue(peer, peerPort, length));
      return;
    }
    const timeout = request.argument2;
    if (timeout == 0) {
      request.fail(KernelError.TimedOut);
      return;
    }
    const receive = state.receiving.take();
    receive.socket = port;
    receive.userData = request.userData;
    receive.address = address;
    receive.capacity = capacity;
    port.waiting.push(receive);
    receive.begin(thread);
    if (timeout != CAP_ENTER_NO_TIMEOUT) {
      const now = monotonicNanos();
      timerStart(receive, timeout > u64.MAX_VALUE - now ? u64.MAX_VALUE : now + timeout);
    }
  }
}

class Info extends Invocation {
  invoke(request: Request): void {
    request.complete(<i64>changetype<UdpSocketObject>(request.object).udp.port, 0);
  }
}

/** The completion value of a receive: the peer, its port and the datagram's whole length. */
@inline function receivedValue(peer: u32, peerPort: u32, length: u32): u64 {
  return <u64>peer | (<u64>peerPort << 32) | (<u64>length << 48);
}

/** A receive waiting for a datagram: a wait of its thread, in its socket's chain. */
class Receiving extends RingWait {
  next: Receiving | null = null;
  socket: SocketPort | null = null;
  address: u64 = 0;
  capacity: u64 = 0;

  /** A datagram for it (already off the chain): copied into its buffer and completed; false
   * when its buffer is no longer writable (completed with BadAddress; the datagram goes on). */
  deliver(data: usize, length: u32, peer: u32, peerPort: u32): bool {
    const copied = min(<u64>length, this.capacity);
    const error = copyOut(this.waiter!.process.space, this.address, data, <u64>length, copied);
    if (error != KernelError.None) {
      this.finish(-(<i64>error), 0);
      return false;
    }
    this.finish(<i64>copied, receivedValue(peer, peerPort, length));
    return true;
  }

  protected unlink(): void {
    this.socket!.waiting.remove(this);
  }

  protected recycle(): void {
    this.socket = null;
    state.receiving.give(this);
  }
}

class UdpSocketsState {
  readonly send: Send = new Send();
  readonly receive: Receive = new Receive();
  readonly info: Info = new Info();
  receiving: Pool<Receiving> = new Pool<Receiving>(8);
}
const state = new UdpSocketsState();

/** What a socket costs its maker's account: the object, its port and queue, its policy, and its
 * entry in the port table. */
export const UDP_SOCKET_BYTES: u64 = instanceBytes<UdpSocketObject>() + instanceBytes<SocketPort>() + staticArrayBytes<u8>(UDP_RECEIVE_BUFFER)
  + instanceBytes<Chain<Receiving>>() + instanceBytes<NetworkPolicy>() + 4 * staticArrayBytes<u32>(4) + 64;

/** Heap bytes of the record one waiting receive holds (charged with its thread: objects/costs.ts). */
export const RECEIVING_BYTES: u64 = instanceBytes<Receiving>();
