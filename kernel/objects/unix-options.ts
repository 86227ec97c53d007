// The SOL_SOCKET options of an AF_UNIX socket (linux/sys-unix-options.ts sets and reads them),
// kept by its endpoint and, once connected, by its end of the pair (a connect hands the
// endpoint's on; an accepted end starts with the defaults, as Linux's new socket does). Of them
// only the timeouts change what the socket does: Linux's AF_UNIX ignores the others too, apart
// from SO_SNDBUF (Capsid's rings keep their one size; docs/linux.md, "Sockets").

import { instanceBytes } from "../memory/heap-cost";

/** Linux's net.core.wmem_default and rmem_default: what SO_SNDBUF and SO_RCVBUF say unset. */
export const UNIX_BUFFER_DEFAULT: u32 = 212_992;

export class UnixOptions {
  /** SO_RCVTIMEO and SO_SNDTIMEO (ns; 0: none): a blocked receive or accept, a blocked send or
   * connect, gives up after them with EAGAIN (or the bytes a send moved). */
  receiveTimeout: u64 = 0;
  sendTimeout: u64 = 0;
  /** SO_SNDBUF and SO_RCVBUF as Linux keeps them (twice what was asked, within its bounds). */
  sendBuffer: u32 = UNIX_BUFFER_DEFAULT;
  receiveBuffer: u32 = UNIX_BUFFER_DEFAULT;
  /** SO_REUSEADDR, SO_KEEPALIVE, SO_BROADCAST, SO_OOBINLINE, SO_DONTROUTE: one bit each, at the
   * option's number. */
  flags: u64 = 0;
  priority: i32 = 0;
  /** SO_LINGER: l_onoff, l_linger (s). */
  lingerOn: bool = false;
  lingerSeconds: i32 = 0;

  /** A copy (a connect: the connected end goes on with the endpoint's options). */
  copy(): UnixOptions {
    const other = new UnixOptions();
    other.receiveTimeout = this.receiveTimeout;
    other.sendTimeout = this.sendTimeout;
    other.sendBuffer = this.sendBuffer;
    other.receiveBuffer = this.receiveBuffer;
    other.flags = this.flags;
    other.priority = this.priority;
    other.lingerOn = this.lingerOn;
    other.lingerSeconds = this.lingerSeconds;
    return other;
  }
}

/** Heap bytes one UnixOptions takes (each UnixSocket and UnixEndpoint has one). */
export const UNIX_OPTIONS_BYTES: u64 = instanceBytes<UnixOptions>();
