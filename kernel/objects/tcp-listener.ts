// TcpListener: a TCP port listening on every address of the interface
// (docs/abi/interfaces/tcp-listener.md), made by Network.tcpListen and holding a copy of its
// grant's policy: a SYN from a peer the grant does not allow is answered with a RST before any
// state is kept. Connections that completed their handshake wait in the accept queue (at most
// the backlog); accept hands out the oldest as a new TcpSocket in the caller's table, or waits
// for one. The listener is charged, up front, for the connections it may hold before they are
// accepted (LISTENER_BYTES); an accepted socket is charged to the account of the process that
// accepts it. Releasing the last handle stops listening: connections not yet accepted are reset,
// accepts still waiting end with PeerEnded.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { TcpListenerMethod } from "../../abi/methods";
import { CAP_ENTER_NO_TIMEOUT } from "../../abi/ring";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { Chain } from "../collections/lists";
import { Pool } from "../collections/pool";
import { instanceBytes, staticArrayBytes } from "../memory/heap-cost";
import { NetworkPolicy } from "../net/socket/policy";
import { tcpBegin, tcpEnd, tcpListenerPortGive, TcpUser } from "../net/socket/tcp-host";
import { TcpListener } from "../net/socket/tcp/listener";
import { callerThread, Thread } from "../sched/thread";
import { WaitList } from "../sched/wait";
import { Quota } from "../memory/quota";
import { monotonicNanos } from "../time/clock";
import { timerStart } from "../time/timers";
import { RingWait } from "./ring-wait";
import { SocketLink, tcpSocketBytes, TcpSocketObject } from "./tcp-socket";

/** Half-open connections a listener keeps at most (and never more than its backlog); past it,
 * SYN cookies answer (RFC 4987 §3.6). */
const HALF_OPEN_MAXIMUM: u64 = 16;

/** The half-open connections a listener with `backlog` keeps. */
export function halfOpenLimit(backlog: u64): i32 {
  return <i32>min(backlog, HALF_OPEN_MAXIMUM);
}

/** What a listener with `backlog` costs its maker: itself, and every connection it may hold
 * before accept: the accept queue's, and the half-open ones, which may complete their handshake
 * at once (each with its buffers once established). */
export function listenerBytes(backlog: u64, buffer: u64): u64 {
  const held = backlog + <u64>halfOpenLimit(backlog);
  return instanceBytes<TcpListenerObject>() + instanceBytes<ListenerLink>() + instanceBytes<TcpListener>() + instanceBytes<NetworkPolicy>()
    + 4 * staticArrayBytes<u32>(4) + 8 * held + held * tcpSocketBytes(buffer);
}

export class TcpListenerObject extends KernelObject {
  constructor(readonly link: ListenerLink) {
    super(Interface.TcpListener);
  }

  destroy(): void {
    const link = this.link;
    for (let accept = link.waiting.shift(); accept !== null; accept = link.waiting.shift()) accept.finish(-(<i64>KernelError.PeerEnded), 0);
    const stack = tcpBegin();
    stack.closeListener(link.listener);
    tcpEnd();
    link.listener.owner = null;
    tcpListenerPortGive(link.listener.localPort);
    link.watchers.wakeAll();
  }

  decodeCall(request: Request): Invocation | null {
    const method = request.method;
    if (method == TcpListenerMethod.Accept) return state.accept;
    if (method == TcpListenerMethod.Info) return state.info;
    return request.refuse(KernelError.UnknownMethod);
  }
}

/** The listener's side in the stack: its grant's policy and the accepts waiting. */
export class ListenerLink extends TcpUser {
  readonly waiting: Chain<Accepting> = new Chain<Accepting>();
  /** Waits told of every change (the Linux personality's blocked accepts, poll and epoll). */
  readonly watchers: WaitList = new WaitList();

  constructor(readonly listener: TcpListener, readonly policy: NetworkPolicy) {
    super();
    listener.owner = this;
  }

  /** A connection may be ready: hands them to the accepts waiting, oldest first. */
  changed(): void {
    while (this.waiting.length > 0 && this.listener.ready.length > 0) {
      const accept = this.waiting.head!;
      const thread = accept.waiter!;
      const result = acceptOne(this, thread);
      this.waiting.shift();
      accept.finish(result, result >= 0 ? state.value : 0);
    }
    if (this.watchers.waits.length > 0) this.watchers.wakeAll();
  }

  admits(address: u32, port: u32): bool {
    return this.policy.allowsPeer(address, port);
  }
}

/** Takes the oldest ready connection into `thread`'s table as a TcpSocket: its handle (the peer
 * in state.value), or a negated error (the connection then stays queued). */
function acceptOne(link: ListenerLink, thread: Thread): i64 {
  const process = thread.process;
  let error = process.account.kernelFits(tcpSocketBytes(<u64>link.listener.receiveCapacity));
  if (error != KernelError.None) return -(<i64>error);
  const slot = process.table.reserve();
  if (slot < 0) return -(<i64>process.table.lastError);
  const socket = listenerTake(link, process.account);
  if (socket === null) {
    process.table.cancel(slot);
    return -(<i64>KernelError.TimedOut);
  }
  const c = socket.link.connection;
  const handle = process.table.commit(slot, socket);
  state.value = <u64>c.remoteAddress | (<u64>c.remotePort << 32);
  // The connection may have changed while it waited (data, a FIN): nothing waits on it yet.
  return <i64>handle;
}

/** The oldest ready connection as a new TcpSocket charged to `account` (which the caller
 * checked can pay tcpSocketBytes), or null when none is ready. */
export function listenerTake(link: ListenerLink, account: Quota): TcpSocketObject | null {
  const stack = tcpBegin();
  const c = stack.accept(link.listener);
  tcpEnd();
  return c === null ? null : new TcpSocketObject(new SocketLink(c, account, 0));
}

/** accept(timeout): the oldest ready connection now, or a wait. */
class Accept extends Invocation {
  invoke(request: Request): void {
    const link = changetype<TcpListenerObject>(request.object).link;
    const thread = callerThread(request);
    if (link.waiting.length == 0 && link.listener.ready.length > 0) {
      const result = acceptOne(link, thread);
      if (result < 0) request.fail(<KernelError>(<i32>-result));
      else request.complete(result, state.value);
      return;
    }
    const timeout = request.argument0;
    if (timeout == 0) {
      request.fail(KernelError.TimedOut);
      return;
    }
    const accept = state.accepting.take();
    accept.link = link;
    accept.userData = request.userData;
    link.waiting.push(accept);
    accept.begin(thread);
    if (timeout != CAP_ENTER_NO_TIMEOUT) {
      const now = monotonicNanos();
      timerStart(accept, timeout > u64.MAX_VALUE - now ? u64.MAX_VALUE : now + timeout);
    }
  }
}

class Info extends Invocation {
  invoke(request: Request): void {
    const listener = changetype<TcpListenerObject>(request.object).link.listener;
    request.complete(<i64>listener.localPort, <u64>listener.ready.length);
  }
}

/** An accept waiting for a connection: a wait of its thread, in its listener's chain. */
class Accepting extends RingWait {
  next: Accepting | null = null;
  link: ListenerLink | null = null;

  protected unlink(): void {
    this.link!.waiting.remove(this);
  }

  protected recycle(): void {
    this.link = null;
    state.accepting.give(this);
  }
}

class TcpListenersState {
  readonly accept: Accept = new Accept();
  readonly info: Info = new Info();
  accepting: Pool<Accepting> = new Pool<Accepting>(4);
  /** The peer of the last accepted connection (acceptOne's second result). */
  value: u64 = 0;
}
const state = new TcpListenersState();

/** Heap bytes of the record one waiting accept holds (charged with its thread: costs.ts). */
export const ACCEPTING_BYTES: u64 = instanceBytes<Accepting>();
