// UnixEndpoint: a Linux AF_UNIX socket(docs/abi/interfaces/unix-endpoint.md), the Linux
// personality's socket(AF_UNIX, ...) (linux/sys-unix.ts, linux/sys-unix-dgram.ts). It may be bound
// to a name, a socket file in the namespace or a name in the abstract namespace. A stream or
// seqpacket endpoint may listen there: a connect to that name makes a connected pair of
// UnixSocket ends (the socketpair's objects), queues the server's end here for accept, and the
// connecting descriptor names the client's end from then on. A datagram endpoint stays itself:
// bound, it owns a queue (a pipe's ring) that datagrams sent to its name go into, each with its
// sender's name; connected, it names the endpoint its datagrams go to by default. The names
// endpoints are bound to are this module's registry; a name is free again once its endpoint goes
// (a socket file stays until unlinked, as on Linux). Native programs reach only `info` through
// the ring.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { UnixEndpointMethod } from "../../abi/methods";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { Node } from "../fs/node";
import { instanceBytes } from "../memory/heap-cost";
import { WaitList } from "../sched/wait";
import { PIPE_BYTES, PipeRing, pipeRingRelease } from "./pipe-ring";
import { UNIX_OPTIONS_BYTES, UnixOptions } from "./unix-options";
import { UnixSocketObject } from "./unix-socket";

/** Connections a listening endpoint holds before accept, at most. */
export const UNIX_BACKLOG_MAXIMUM: i32 = 128;

export class UnixEndpointObject extends KernelObject {
  /** The registry key of the name it is bound to (null: unbound), and what getsockname says: the
   * path, or the abstract name's bytes after its NUL. */
  key: string | null = null;
  name: StaticArray<u8> = new StaticArray<u8>(0);
  inAbstract: bool = false;
  /** The socket file a path names (held while bound). */
  node: Node | null = null;
  /** listen's state: the connected server ends waiting for accept (each retained), oldest first. */
  listening: bool = false;
  backlog: i32 = 0;
  /** The pid of the process that called listen (the clients' SO_PEERCRED). */
  listenerPid: u32 = 0;
  readonly pending: UnixSocketObject[] = [];
  /** Waits told when a connection arrives or is accepted (accept, connect on a full backlog,
   * poll and epoll). */
  readonly waiting: WaitList = new WaitList();
  /** A datagram endpoint's queue of the datagrams sent to its name (made when it is bound), and
   * how many it holds. */
  receive: PipeRing | null = null;
  queued: i32 = 0;
  /** The datagram endpoint connect named: datagrams without an address go there, and only it may
   * send here. Not retained: its `closed` says when it went. */
  peer: UnixEndpointObject | null = null;
  closed: bool = false;
  /** Whether it still receives and sends (shutdown takes them). */
  reading: bool = true;
  writing: bool = true;
  /** Its SOL_SOCKET options (setsockopt; a connect hands them to the client's end). */
  options: UnixOptions = new UnixOptions();

  /** `kind`: Linux's SOCK_STREAM (1), SOCK_DGRAM (2) or SOCK_SEQPACKET (5). */
  constructor(readonly kind: u32) { super(Interface.UnixEndpoint); }

  /** Binds it to `key` (free: the caller checked), saying `name` (its bytes). */
  bind(key: string, name: StaticArray<u8>, isAbstract: bool, node: Node | null): void {
    this.key = key;
    this.name = name;
    this.inAbstract = isAbstract;
    this.node = node;
    state.names.set(key, this);
  }

  destroy(): void {
    const key = this.key;
    if (key !== null && state.names.has(key) && state.names.get(key) === this) state.names.delete(key);
    this.key = null;
    this.node = null;
    this.listening = false;
    this.closed = true;
    this.peer = null;
    const ring = this.receive;
    if (ring !== null) {   // its datagrams and the capabilities they carry go
      this.receive = null;
      pipeRingRelease(ring, true);
      pipeRingRelease(ring, false);
    }
    const pending = this.pending;
    while (pending.length > 0) pending.shift().release();   // their clients read the end of the stream
    this.waiting.wakeAll();
  }

  decodeCall(request: Request): Invocation | null {
    if (request.method != UnixEndpointMethod.Info) return request.refuse(KernelError.UnknownMethod);
    return state.info;
  }
}

/** The endpoint bound to `key`, or null. */
export function unixEndpointNamed(key: string): UnixEndpointObject | null {
  return state.names.has(key) ? state.names.get(key) : null;
}

/** Every endpoint bound to a name, in the order they were bound (/proc/net/unix). */
export function unixEndpointsBound(): UnixEndpointObject[] {
  return state.names.values();
}

/** A fresh abstract name's number (Linux's autobind), for an endpoint that listens unbound. */
export function unixAutobindNumber(): u32 {
  return ++state.autobind;
}

/** info() -> connections waiting to be accepted (a datagram endpoint: datagrams queued); value: 1
 * when listening. */
class Info extends Invocation {
  invoke(request: Request): void {
    const endpoint = changetype<UnixEndpointObject>(request.object);
    request.complete(endpoint.kind == 2 ? <i64>endpoint.queued : <i64>endpoint.pending.length, endpoint.listening ? 1 : 0);
  }
}

class UnixEndpointsState {
  readonly info: Info = new Info();
  /** Bound names: "p" and the socket file's node, or "a" and the abstract name's bytes. */
  readonly names: Map<string, UnixEndpointObject> = new Map<string, UnixEndpointObject>();
  autobind: u32 = 0;
}
const state = new UnixEndpointsState();

/** Heap bytes an endpoint's record costs its maker (a name and a queue of at most
 * UNIX_BACKLOG_MAXIMUM ends' pointers included); a datagram endpoint's adds its queue's record
 * (a pipe's; its frames are charged when it is bound). */
export const UNIX_ENDPOINT_BYTES: u64 = instanceBytes<UnixEndpointObject>() + instanceBytes<WaitList>() + UNIX_OPTIONS_BYTES
  + 8 * <u64>UNIX_BACKLOG_MAXIMUM + 256;
export const UNIX_DATAGRAM_BYTES: u64 = UNIX_ENDPOINT_BYTES + PIPE_BYTES;
