// UnixSocket: one end of a connected pair of local sockets (docs/abi/interfaces/unix-socket.md),
// the Linux personality's socketpair(AF_UNIX, ...) (linux/sys-socket.ts): a stream, or messages.
// Each direction is a pipe's ring (pipe-ring.ts): an end reads from one and writes to the other,
// so a pair is two pipes under one capability per end. Shutting a direction down, or the end
// going, is the ring losing its reader or writer: the peer then reads the end of the stream, or
// its writes fail. Native programs reach only `info` through the ring so far.

import { UNIX_OPTIONS_BYTES, UnixOptions } from "./unix-options";
import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { UnixSocketMethod } from "../../abi/methods";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { instanceBytes } from "../memory/heap-cost";
import { PipeRing, pipeRingRelease } from "./pipe-ring";

export class UnixSocketObject extends KernelObject {
  /** Whether this end still reads from `receive` and writes to `send` (shutdown takes them). */
  reading: bool = true;
  writing: bool = true;
  /** The pid of the process at the other end when the pair was made (SO_PEERCRED): socketpair's
   * caller for both ends; a connection's client for its server end, and the listener's for its
   * client end. */
  peerPid: u32 = 0;
  /** Its SOL_SOCKET options (setsockopt; the timeouts bound its blocking calls). */
  options: UnixOptions = new UnixOptions();

  /** `kind`: Linux's SOCK_STREAM (1), SOCK_DGRAM (2) or SOCK_SEQPACKET (5). The last two keep
   * message boundaries: each message is its length (4 bytes) and its bytes in the ring. */
  constructor(readonly receive: PipeRing, readonly send: PipeRing, readonly kind: u32) { super(Interface.UnixSocket); }

  /** Stops reading (SHUT_RD): the peer's writes fail from now on. */
  shutRead(): void {
    if (!this.reading) return;
    this.reading = false;
    pipeRingRelease(this.receive, true);
  }

  /** Stops writing (SHUT_WR): the peer reads the end of the stream once the ring is empty. */
  shutWrite(): void {
    if (!this.writing) return;
    this.writing = false;
    pipeRingRelease(this.send, false);
  }

  destroy(): void {
    this.shutRead();
    this.shutWrite();
  }

  decodeCall(request: Request): Invocation | null {
    if (request.method != UnixSocketMethod.Info) return request.refuse(KernelError.UnknownMethod);
    return state.info;
  }
}

/** info() -> result: the bytes waiting to be read at this end. */
class Info extends Invocation {
  invoke(request: Request): void {
    request.complete(<i64>changetype<UnixSocketObject>(request.object).receive.buffered, 0);
  }
}

class UnixSocketsState {
  readonly info: Info = new Info();
}
const state = new UnixSocketsState();

/** Heap bytes one end's record takes, its options included (its rings are charged as pipes' are). */
export const UNIX_SOCKET_BYTES: u64 = instanceBytes<UnixSocketObject>() + UNIX_OPTIONS_BYTES;
