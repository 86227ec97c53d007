// TcpSocket: one TCP connection (docs/abi/interfaces/tcp-socket.md), made by Network.tcpConnect
// or TcpListener.accept. send copies from the caller's memory straight into the connection's
// send buffer, as much as it has room for, and waits while it has none; receive copies from the
// receive buffer straight into the caller's memory and waits while there is nothing; wait
// reports readiness (TCP_READY_*). A send, receive or wait that cannot finish now waits in the
// socket's chain, oldest first, and completes through the ring when the connection changes (an
// arrival, an acknowledgment, a timer: the host calls SocketLink.changed) or when its timeout
// passes.
//
// The connection outlives the object: releasing the last handle closes it (a FIN after the
// queued bytes; a RST when received bytes were left unread), and the stack finishes the close.
// Its memory (the object, the connection and both buffers, tcpSocketBytes) stays charged to
// its maker's account until then: until the connection is CLOSED, or in TIME-WAIT, which holds no
// buffers. TIME-WAIT connections nobody holds are bounded (TIME_WAIT_MAXIMUM): past it, the
// oldest ends early, as Linux's tcp_max_tw_buckets does.

import { ICMP_DESTINATION_UNREACHABLE } from "../net/wire/icmp-quote";
import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import {
  TCP_COPY_MAXIMUM, TCP_READY_CLOSED, TCP_READY_CONNECTED, TCP_READY_FAILED, TCP_READY_PEER_CLOSED, TCP_READY_READABLE, TCP_READY_WRITABLE,
  TcpOption, TcpSocketMethod,
} from "../../abi/methods";
import { CAP_ENTER_NO_TIMEOUT } from "../../abi/ring";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { Chain } from "../collections/lists";
import { Pool } from "../collections/pool";
import { instanceBytes, staticArrayBytes } from "../memory/heap-cost";
import { Quota } from "../memory/quota";
import { tcpBegin, tcpConnectPortGive, tcpEnd, TcpUser } from "../net/socket/tcp-host";
import { Assembler } from "../net/socket/tcp/assembler";
import { KeepAlive, Nagle, TcpConnection, TcpFailure, TcpState } from "../net/socket/tcp/connection";
import { ByteRing } from "../net/socket/tcp/ring";
import { RttEstimator } from "../net/socket/tcp/rtt";
import { Scoreboard } from "../net/socket/tcp/scoreboard";
import { Cubic } from "../net/socket/tcp/cubic";
import { callerThread, Thread } from "../sched/thread";
import { WaitList } from "../sched/wait";
import { monotonicNanos } from "../time/clock";
import { timerStart } from "../time/timers";
import { copyIn, copyOut, userRangeCheck } from "../vm/user-memory";
import { RingWait } from "./ring-wait";

/** What one socket with buffers of `buffer` bytes costs its maker's account while its connection
 * lives: the object, its link, the connection's records and both buffers. */
export function tcpSocketBytes(buffer: u64): u64 {
  return instanceBytes<TcpSocketObject>() + instanceBytes<SocketLink>() + instanceBytes<Chain<TcpWaiting>>() + instanceBytes<TcpConnection>()
    + instanceBytes<Assembler>() + instanceBytes<Scoreboard>() + instanceBytes<RttEstimator>() + instanceBytes<Cubic>() + 2 * instanceBytes<ByteRing>()
    + 2 * staticArrayBytes<u8>(<i32>buffer) + 256;
}

/** Orphaned connections in TIME-WAIT kept at most. */
const TIME_WAIT_MAXIMUM: i32 = 1024;

/** Why a send or receive on `c` cannot go on, as the ABI's error. */
function failureError(c: TcpConnection): KernelError {
  const failure = c.failure;
  if (failure == TcpFailure.Refused) return KernelError.ConnectionRefused;
  if (failure == TcpFailure.Reset) return KernelError.ConnectionReset;
  if (failure == TcpFailure.TimedOut) return KernelError.ConnectionLost;
  if (failure == TcpFailure.Unreachable) {   // an ICMP error answered the SYN: a port unreachable is a refusal
    return c.icmpType == ICMP_DESTINATION_UNREACHABLE && c.icmpCode == 3 ? KernelError.ConnectionRefused : KernelError.Unreachable;
  }
  return KernelError.ShutDown;   // aborted by its user
}

/** The TCP_READY_* bits of `c` now. */
export function tcpReadiness(c: TcpConnection): u64 {
  let ready: u64 = 0;
  const failed = c.failure != TcpFailure.None;
  const over = c.state == TcpState.Closed || c.state == TcpState.TimeWait;
  if (c.receive.length > 0 || c.finReceived || failed || (over && c.established)) ready |= TCP_READY_READABLE;
  if (c.writable > 0 || failed || c.finQueued) ready |= TCP_READY_WRITABLE;
  if (c.established) ready |= TCP_READY_CONNECTED;
  if (c.finReceived) ready |= TCP_READY_PEER_CLOSED;
  if (failed) ready |= TCP_READY_FAILED;
  if (over && (failed || c.established)) ready |= TCP_READY_CLOSED;
  return ready;
}

export class TcpSocketObject extends KernelObject {
  constructor(readonly link: SocketLink) {
    super(Interface.TcpSocket);
  }

  destroy(): void {
    this.link.userClosed();
  }

  decodeCall(request: Request): Invocation | null {
    const method = request.method;
    const space = callerThread(request).process.space;
    if (method == TcpSocketMethod.Send) {
      const length = request.argument1;
      if (length == 0) return request.refuse(KernelError.InvalidArgument);
      const error = userRangeCheck(space, request.argument0, min(length, TCP_COPY_MAXIMUM), false);
      return error != KernelError.None ? request.refuse(error) : state.send;
    }
    if (method == TcpSocketMethod.Receive) {
      const capacity = request.argument1;
      if (capacity == 0) return request.refuse(KernelError.InvalidArgument);
      const error = userRangeCheck(space, request.argument0, min(capacity, TCP_COPY_MAXIMUM), true);
      return error != KernelError.None ? request.refuse(error) : state.receive;
    }
    if (method == TcpSocketMethod.Wait) {
      const mask = request.argument0;
      const all = TCP_READY_READABLE | TCP_READY_WRITABLE | TCP_READY_CONNECTED | TCP_READY_PEER_CLOSED | TCP_READY_FAILED | TCP_READY_CLOSED;
      return mask == 0 || (mask & ~all) != 0 ? request.refuse(KernelError.InvalidArgument) : state.wait;
    }
    if (method == TcpSocketMethod.Shutdown) return state.shutdown;
    if (method == TcpSocketMethod.Info) return state.info;
    if (method == TcpSocketMethod.Abort) return state.abort;
    if (method == TcpSocketMethod.Configure) {
      const option = request.argument0, value = request.argument1;
      const valid = (option == <u64>TcpOption.NoDelay && value <= 1) || (option == <u64>TcpOption.KeepAlive && value <= 0xffff_ffff);
      return valid ? state.configure : request.refuse(KernelError.InvalidArgument);
    }
    return request.refuse(KernelError.UnknownMethod);
  }
}

/** What a waiting operation is. */
enum Kind {
  Send = 0,
  Receive = 1,
  Wait = 2,
}

/** Sentinel of attempt(): the operation cannot finish now. */
export const TCP_BLOCKED: i64 = i64.MIN_VALUE;
const BLOCKED: i64 = TCP_BLOCKED;

/** A send of up to `length` bytes of kernel memory at `data` on the link's connection, now (the
 * Linux personality's sendfile): the bytes taken into the send buffer, a negated KernelError, or
 * TCP_BLOCKED (no room). */
export function tcpSendKernel(link: SocketLink, data: usize, length: u64): i64 {
  const c = link.connection;
  const stack = tcpBegin();
  const room = stack.sendRoom(c);
  let result: i64 = BLOCKED;
  if (room < 0) result = -(<i64>(c.failure != TcpFailure.None ? failureError(c) : KernelError.ShutDown));
  else if (room > 0) {
    const want = min(<u64>room, length);
    let done: u64 = 0;
    while (done < want) {
      const span = min(<u64>c.send.writeSpanLength, want - done);
      memory.copy(c.send.writeSpanAddress, data + <usize>done, <usize>span);
      c.send.commit(<u32>span);
      done += span;
    }
    if (done > 0) stack.sendCommitted(c);
    result = <i64>done;
  }
  tcpEnd();
  return result;
}

/** A send (`send`) or receive of up to `length` bytes at `address` in `thread`'s memory on the
 * link's connection, now: the bytes moved, 0 at the end of the stream, a negated KernelError, or
 * TCP_BLOCKED (no room, nothing to read). For callers outside the ring (the Linux personality),
 * which wait through `watchers`. */
export function tcpTransfer(link: SocketLink, thread: Thread, send: bool, address: u64, length: u64): i64 {
  return attempt(link, thread, send ? Kind.Send : Kind.Receive, address, length);
}

/** The socket's side of its connection: the operations waiting on it, the charge for its memory,
 * and the local port its connect took. Hung on the connection (its owner) until it ends. */
export class SocketLink extends TcpUser {
  readonly waiting: Chain<TcpWaiting> = new Chain<TcpWaiting>();
  /** Waits told of every change (the Linux personality's blocked calls, poll and epoll). */
  readonly watchers: WaitList = new WaitList();
  /** The user let go (the object was destroyed); the stack finishes the close. */
  released: bool = false;
  /** SO_LINGER with a time of 0: letting go resets the connection instead of closing it. */
  abortOnClose: bool = false;
  /** In the orphans' TIME-WAIT chain. */
  next: SocketLink | null = null;
  inTimeWait: bool = false;
  private quota: Quota | null = null;
  /** What `quota` was charged (tcpSocketBytes of the connection's buffers, and what the
   * receive buffer's growth added: net/socket/tcp/autotune.ts). */
  private charged: u64;
  private serving: bool = false;
  private again: bool = false;

  /** `quota` pays tcpSocketBytes for it (the maker checked kernelFits); `connectPort`: the port
   * tcpConnect took, given back when the connection ends (0: none). */
  constructor(readonly connection: TcpConnection, quota: Quota, readonly connectPort: u32) {
    super();
    this.charged = tcpSocketBytes(<u64>connection.receiveCapacity);
    quota.chargeKernel(this.charged);
    quota.retain();
    this.quota = quota;
    connection.owner = this;
  }

  /** The receive buffer grows by `bytes`: charged to the quota when it fits (not once the user
   * let go). */
  grow(bytes: u64): bool {
    const quota = this.quota;
    if (quota === null || this.released || !quota.chargeKernelIfFits(bytes)) return false;
    this.charged += bytes;
    return true;
  }

  /** The connection may have changed: the waits that can finish, in order; an orphan's end. */
  changed(): void {
    if (this.waiting.length > 0) this.serveWaits();
    if (this.watchers.waits.length > 0) this.watchers.wakeAll();
    if (this.released) this.settle();
  }

  /** Whether an operation of `kind` waits already (a new one must not overtake it). */
  waits(kind: Kind): bool {
    let cursor = this.waiting.head;
    while (cursor !== null) {
      if (cursor.kind == kind) return true;
      cursor = cursor.next;
    }
    return false;
  }

  /** Completes every waiting operation that can finish now, oldest first; one that cannot keeps
   * its place (a later wait of another kind may still finish). A send it completes changes the
   * connection again: that nested call only asks for another pass. */
  private serveWaits(): void {
    if (this.serving) {
      this.again = true;
      return;
    }
    this.serving = true;
    do {
      this.again = false;
      let previous: TcpWaiting | null = null;
      let cursor = this.waiting.head;
      while (cursor !== null) {
        const next = cursor.next;
        const kind = cursor.kind;
        const result = kind == Kind.Wait || !this.blockedBefore(previous, kind) ? attempt(this, cursor.waiter!, kind, cursor.address, cursor.length) : BLOCKED;
        if (result == BLOCKED) {
          previous = cursor;
        } else {
          this.waiting.unlinkAfter(previous, cursor);
          cursor.finish(result, 0);
        }
        cursor = next;
      }
    } while (this.again && this.waiting.length > 0);
    this.serving = false;
  }

  /** Whether a wait of `kind` before `end` (exclusive; null: none) is still blocked. */
  private blockedBefore(end: TcpWaiting | null, kind: Kind): bool {
    if (end === null) return false;
    let cursor = this.waiting.head;
    while (cursor !== null) {
      if (cursor.kind == kind) return true;
      if (cursor === end) break;
      cursor = cursor.next;
    }
    return false;
  }

  /** The last handle went: waits end with PeerEnded, the connection closes (is reset, with
   * abortOnClose). */
  userClosed(): void {
    for (let wait = this.waiting.shift(); wait !== null; wait = this.waiting.shift()) wait.finish(-(<i64>KernelError.PeerEnded), 0);
    this.watchers.wakeAll();
    this.released = true;
    const stack = tcpBegin();
    if (this.abortOnClose) stack.abort(this.connection);
    else stack.close(this.connection);
    tcpEnd();
    this.settle();
  }

  /** An orphan whose connection reached TIME-WAIT gives its memory back (TIME-WAIT needs no
   * buffers) and joins the bounded TIME-WAIT chain; one that reached CLOSED lets go of it all. */
  private settle(): void {
    const c = this.connection;
    if (c.owner === null) return;   // settled already
    const now = c.state;
    if (now != TcpState.Closed && now != TcpState.TimeWait) return;
    const quota = this.quota;
    if (quota !== null) {
      this.quota = null;
      c.send.release();
      c.receive.release();
      quota.unchargeKernel(this.charged);
      quota.release();
    }
    if (now == TcpState.TimeWait) {
      if (!this.inTimeWait) timeWaitAdd(this);
      return;
    }
    if (this.inTimeWait) {
      state.timeWaits.remove(this);
      this.inTimeWait = false;
    }
    c.owner = null;
    if (this.connectPort != 0) tcpConnectPortGive(this.connectPort);
  }
}

function timeWaitAdd(link: SocketLink): void {
  link.inTimeWait = true;
  state.timeWaits.push(link);
  if (state.timeWaits.length <= TIME_WAIT_MAXIMUM) return;
  const oldest = state.timeWaits.shift()!;
  oldest.inTimeWait = false;
  const stack = tcpBegin();
  stack.abort(oldest.connection);   // silent in TIME-WAIT: CLOSED, and its link settles
  tcpEnd();
}

/** Tries `kind` on the link's connection for `thread`: the result, or BLOCKED. */
function attempt(link: SocketLink, thread: Thread, kind: Kind, address: u64, length: u64): i64 {
  const c = link.connection;
  if (kind == Kind.Wait) {
    const ready = tcpReadiness(c);
    return (ready & address) != 0 ? <i64>ready : BLOCKED;
  }
  const space = thread.process.space;
  const stack = tcpBegin();
  let result: i64 = BLOCKED;
  if (kind == Kind.Send) {
    const room = stack.sendRoom(c);
    if (room == 0) result = BLOCKED;
    else if (room < 0) result = -(<i64>(c.failure != TcpFailure.None ? failureError(c) : KernelError.ShutDown));
    else {
      const want = min(<u64>room, min(length, TCP_COPY_MAXIMUM));
      let done: u64 = 0;
      let error = KernelError.None;
      while (done < want) {
        const span = min(<u64>c.send.writeSpanLength, want - done);
        error = copyIn(space, c.send.writeSpanAddress, span, address + done, span);
        if (error != KernelError.None) break;
        c.send.commit(<u32>span);
        done += span;
      }
      if (done > 0) stack.sendCommitted(c);
      result = done > 0 ? <i64>done : -(<i64>error);
    }
  } else {
    const held = c.receive.length;
    if (held > 0) {
      const want = min(<u64>held, min(length, TCP_COPY_MAXIMUM));
      let done: u64 = 0;
      let error = KernelError.None;
      while (done < want) {
        const span = min(<u64>c.receive.readSpanLength, want - done);
        error = copyOut(space, address + done, c.receive.readSpanAddress, span, span);
        if (error != KernelError.None) break;
        c.receive.consume(<u32>span);
        done += span;
      }
      if (done > 0) stack.receiveConsumed(c, <u32>done);
      result = done > 0 ? <i64>done : -(<i64>error);
    } else if (c.finReceived) result = 0;
    else if (c.failure != TcpFailure.None) result = -(<i64>failureError(c));
    else if (c.state == TcpState.Closed) result = -(<i64>KernelError.ShutDown);
  }
  tcpEnd();
  return result;
}

/** send, receive and wait: at once when they can, else a wait (none with a timeout of 0). */
class Attempt extends Invocation {
  constructor(readonly kind: Kind) { super(); }

  invoke(request: Request): void {
    const link = changetype<TcpSocketObject>(request.object).link;
    const thread = callerThread(request);
    const kind = this.kind;
    const address = request.argument0;
    const length = kind == Kind.Wait ? 0 : request.argument1;
    const timeout = kind == Kind.Wait ? request.argument1 : request.argument2;
    // Waits already queued go first: a new receive never overtakes an older one.
    const result = kind != Kind.Wait && link.waits(kind) ? BLOCKED : attempt(link, thread, kind, address, length);
    if (result != BLOCKED) {
      if (result < 0) request.fail(<KernelError>(<i32>-result));
      else request.complete(result, 0);
      return;
    }
    if (timeout == 0) {
      request.fail(KernelError.TimedOut);
      return;
    }
    const wait = state.waits.take();
    wait.link = link;
    wait.kind = kind;
    wait.userData = request.userData;
    wait.address = address;
    wait.length = length;
    link.waiting.push(wait);
    wait.begin(thread);
    if (timeout != CAP_ENTER_NO_TIMEOUT) {
      const now = monotonicNanos();
      timerStart(wait, timeout > u64.MAX_VALUE - now ? u64.MAX_VALUE : now + timeout);
    }
  }
}

class Shutdown extends Invocation {
  invoke(request: Request): void {
    const c = changetype<TcpSocketObject>(request.object).link.connection;
    const stack = tcpBegin();
    const error = c.failure != TcpFailure.None ? failureError(c) : stack.shutdown(c);
    tcpEnd();
    if (error == KernelError.None) request.complete(0, 0);
    else request.fail(error == KernelError.InvalidArgument ? KernelError.ShutDown : error);
  }
}

class Abort extends Invocation {
  invoke(request: Request): void {
    const c = changetype<TcpSocketObject>(request.object).link.connection;
    const stack = tcpBegin();
    stack.abort(c);
    tcpEnd();
    request.complete(0, 0);
  }
}

class Configure extends Invocation {
  invoke(request: Request): void {
    const c = changetype<TcpSocketObject>(request.object).link.connection;
    const value = request.argument1;
    const stack = tcpBegin();
    if (request.argument0 == <u64>TcpOption.NoDelay) stack.setNagle(c, value != 0 ? Nagle.Off : Nagle.On);
    else stack.setKeepAlive(c, value != 0 ? KeepAlive.On : KeepAlive.Off, value * 1_000_000_000, 0, 0);
    tcpEnd();
    request.complete(0, 0);
  }
}

class Info extends Invocation {
  invoke(request: Request): void {
    const c = changetype<TcpSocketObject>(request.object).link.connection;
    request.complete(<i64>(<u64>c.localPort | (<u64>c.remotePort << 16) | (<u64>c.state << 32)), <u64>c.remoteAddress | (<u64>c.localAddress << 32));
  }
}

/** A send, receive or wait that could not finish at once: a wait of its thread, in its socket's
 * chain. */
class TcpWaiting extends RingWait {
  next: TcpWaiting | null = null;
  link: SocketLink | null = null;
  kind: Kind = Kind.Wait;
  /** The buffer (send, receive) or the mask (wait), and the length. */
  address: u64 = 0;
  length: u64 = 0;

  protected unlink(): void {
    this.link!.waiting.remove(this);
  }

  protected recycle(): void {
    this.link = null;
    state.waits.give(this);
  }
}

class TcpSocketsState {
  readonly send: Attempt = new Attempt(Kind.Send);
  readonly receive: Attempt = new Attempt(Kind.Receive);
  readonly wait: Attempt = new Attempt(Kind.Wait);
  readonly shutdown: Shutdown = new Shutdown();
  readonly abort: Abort = new Abort();
  readonly configure: Configure = new Configure();
  readonly info: Info = new Info();
  waits: Pool<TcpWaiting> = new Pool<TcpWaiting>(8);
  /** The orphans in TIME-WAIT, oldest first (TIME_WAIT_MAXIMUM). */
  readonly timeWaits: Chain<SocketLink> = new Chain<SocketLink>();
}
const state = new TcpSocketsState();

/** Heap bytes of the record one waiting operation holds (charged with its thread: costs.ts). */
export const TCP_WAITING_BYTES: u64 = instanceBytes<TcpWaiting>();
