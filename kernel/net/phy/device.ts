// The device interface of the network stack's lowest layer (kernel/net/phy/, after smoltcp's
// phy): what the interface (net/iface/) sends through and receives from. Implemented by the
// virtio-net adapter (virtio.ts), the loopback device (loopback.ts), and the two wrappers that
// stack on another device: faults (fault.ts) and packet capture (capture.ts). phy.ts builds the
// chain at boot from the command line.

/** Bytes of the longest frame the wrappers copy (Ethernet without FCS is at most 1518 with a
 * VLAN tag; virtio's buffers take 2036): their buffers are this long. Longer frames (virtio-net
 * merges jumbo frames of up to 9 KiB, MRG_RXBUF) pass the fault device untouched, and the
 * capture records them whole. */
export const FRAME_MAXIMUM: u32 = 2048;

/** What the device says of a received frame's transport (UDP, ICMP) checksum. */
export enum FrameChecksum {
  /** Nothing: the wire layer verifies it. */
  Unverified = 0,
  /** The device validated it (virtio-net's DATA_VALID, or NEEDS_CSUM completed by the driver):
   * the wire layer may skip summing the payload; it checks the IPv4 header's checksum anyway. A
   * wrapper that changes a frame's bytes hands it on Unverified. */
  Validated = 1,
}

/** Where a device hands the frames it receives: the interface (through phy.ts), or a wrapper
 * stacked on the device. A frame is lent for the call only: the sink copies what it keeps and
 * never writes into it. */
export abstract class FrameSink {
  abstract receive(frame: usize, length: u32, checksum: FrameChecksum): void;
}

/** Frames a device handed on and sent, and sends it refused (no buffer, too long). */
export class DeviceCounters {
  sent: u64 = 0;
  received: u64 = 0;
  refused: u64 = 0;
}

/** One Ethernet device. Every call comes with interrupts masked (the kernel is one logical
 * thread, DESIGN.md #5); a device may call its sink from inside `send` or `poll` (a wrapper
 * releasing a held frame), and the sink may send in return. */
export abstract class NetDevice {
  sink: FrameSink | null = null;
  readonly counters: DeviceCounters = new DeviceCounters();

  /** `name` is for the log ("virtio-net", "fault(virtio-net)"). */
  constructor(readonly name: string) {}

  /** Sends the `length`-byte Ethernet frame (no FCS) at `frame`; the bytes are copied or sent
   * before the call returns, so the caller may reuse its buffer at once. False when the frame
   * was refused (too long, no transmit buffer, no device); a frame a wrapper drops on purpose
   * (simulated loss) counts as sent, as a lossy wire tells no one. */
  abstract send(frame: usize, length: u32): bool;

  /** Frames `send` would take now without refusing one (a transmit ring's free buffers); a
   * device without such a limit says u32.MAX_VALUE. The stack keeps the last ones for its
   * connections (net/socket/tcp/output.ts, transmitBare). */
  sendRoom(): u32 {
    return u32.MAX_VALUE;
  }

  /** Writes the device's MAC (6 bytes) at `output`; false when there is none to give. */
  abstract mac(output: usize): bool;

  /** Received frames go to `sink` from now on. */
  attach(sink: FrameSink): void {
    this.sink = sink;
  }

  /** Deferred work (a loopback queue, a held frame), done at `now` (monotonic ns): called on the
   * tick when phy.ts finds `needsPoll`. Bounded: a call does at most the work pending when it
   * began. */
  poll(now: u64): void {}

  /** Whether this device (or one it wraps) has deferred work for `poll`. */
  needsPoll(): bool {
    return false;
  }

  /** Hands a received frame to the sink (counted; dropped when nothing is attached). */
  protected deliver(frame: usize, length: u32, checksum: FrameChecksum = FrameChecksum.Unverified): void {
    this.counters.received++;
    const sink = this.sink;
    if (sink !== null) sink.receive(frame, length, checksum);
  }
}
