// The TCP core's one way to the world (net/socket/tcp/): the clock, the IP layer beneath and
// the object layer above, as an abstract class the integration implements (the kernel's
// interface and socket objects) and the host tests implement with a virtual clock and a link.
// The core imports no device, interface, scheduler or hardware module: everything it needs
// from them comes through here.

import { TcpConnection } from "./connection";
import { TcpListener } from "./listener";

export abstract class TcpHost {
  /** Monotonic time in nanoseconds. */
  abstract now(): u64;

  /** Sends the `length`-byte TCP segment at `segment` (header, checksum and data ready) in an
   * IPv4 datagram from `source` to `destination`. The bytes are lent for the call. False when
   * it could not be queued (no route, a full transmit ring): the core sends it again later
   * (TcpConfig.deviceRetry), as a segment that never left. */
  abstract transmit(segment: usize, length: u32, source: u32, destination: u32): bool;

  /** Segments to `destination` that `transmit` would take now (the device's free transmit
   * buffers). */
  transmitRoom(destination: u32): u32 { return u32.MAX_VALUE; }

  /** What `connection` can do may have changed (bytes to read, room to write, established,
   * the peer's FIN, an error, closed): the object layer completes the waits it can. */
  connectionChanged(connection: TcpConnection): void {}

  /** Whether the owner of `connection` pays `bytes` more for a larger receive buffer
   * (autotune.ts); false leaves the buffer as it is. */
  receiveGrow(connection: TcpConnection, bytes: u64): bool { return false; }

  /** `listener` has a connection to accept. */
  listenerChanged(listener: TcpListener): void {}

  /** Whether `listener` takes a connection from `address`:`port` (its grant's peer rules): a SYN
   * or cookie ACK from a peer it refuses is answered with a RST. */
  admits(listener: TcpListener, address: u32, port: u32): bool { return true; }
}

/** What the object layer hangs on a connection or listener to hear of it (host.ts's
 * connectionChanged and listenerChanged find it there); the core never calls it. */
export abstract class TcpOwner {}
