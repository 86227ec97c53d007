// Packet capture (kernel/net/phy/): wraps a device and writes every frame it sends and receives
// as a pcap file (the classic format of libpcap's savefile, nanosecond variant, Ethernet link
// type: tcpdump -r and Wireshark read it) to an output, COM2 in the kernel (phy.ts). phy.ts puts
// it directly on the driver, under the fault device: the capture is what went on the wire.
// Sent frames are recorded once the device took them, received ones before they go up. The
// timestamps are the monotonic clock (seconds since calibration, not the date). The writes are
// synchronous, with interrupts masked: for debugging only (docs/ARCHITECTURE.md, "phy").
//
//   the global header, once (24 bytes)          each record: 16 bytes, then the frame
//    0 magic a1b23c4d                             0 seconds
//    4 version major 2 (u16), 6 minor 4 (u16)      4 nanoseconds
//    8 time zone 0, 12 significant figures 0       8 bytes captured
//   16 snapshot length 65535                      12 bytes the frame had
//   20 link type 1 (Ethernet)                     16 the captured bytes
// Every field in the writer's byte order (little-endian); readers tell it from the magic.

import { logEnd, logLine } from "../../log/log";
import { FrameChecksum, FrameSink, NetDevice } from "./device";

/** The nanosecond-resolution pcap magic (libpcap's NSEC_TCPDUMP_MAGIC). */
export const PCAP_MAGIC_NANOSECONDS: u32 = 0xa1b2_3c4d;
export const PCAP_HEADER: u32 = 24;
export const PCAP_RECORD_HEADER: u32 = 16;
/** LINKTYPE_ETHERNET: frames start with the Ethernet header, no FCS. */
export const LINKTYPE_ETHERNET: u32 = 1;
const SNAPSHOT_LENGTH: u32 = 65_535;
/** The first frame at least this long that is written is timed and logged (what a capture costs). */
const TIMED_FRAME: u32 = 1000;

/** Where the capture's bytes go (a UART, or memory in tests); `name` is for the log. */
export abstract class CaptureOutput {
  constructor(readonly name: string) {}
  abstract write(address: usize, length: u32): void;
}

/** The inner device's received frames, into the capture. */
class CaptureInbound extends FrameSink {
  constructor(readonly device: CaptureDevice) {
    super();
  }

  receive(frame: usize, length: u32, checksum: FrameChecksum): void {
    this.device.received(frame, length, checksum);
  }
}

export class CaptureDevice extends NetDevice {
  /** Frames and bytes (headers included) written, and the time spent writing them. */
  frames: u64 = 0;
  bytes: u64 = 0;
  writeNanos: u64 = 0;
  private timed: bool = false;
  private readonly header: StaticArray<u8> = new StaticArray<u8>(<i32>PCAP_HEADER);

  /** Writes the global header to `output` at once; `clock` gives the records' timestamps. */
  constructor(readonly inner: NetDevice, readonly output: CaptureOutput, readonly clock: () => u64) {
    super("capture(" + inner.name + ")");
    const header = changetype<usize>(this.header);
    store<u32>(header, PCAP_MAGIC_NANOSECONDS);
    store<u16>(header + 4, 2);
    store<u16>(header + 6, 4);
    store<u32>(header + 8, 0);    // this zone: UTC
    store<u32>(header + 12, 0);   // significant figures
    store<u32>(header + 16, SNAPSHOT_LENGTH);
    store<u32>(header + 20, LINKTYPE_ETHERNET);
    output.write(header, PCAP_HEADER);
    this.bytes += <u64>PCAP_HEADER;
  }

  sendRoom(): u32 {
    return this.inner.sendRoom();
  }

  send(frame: usize, length: u32): bool {
    if (!this.inner.send(frame, length)) {
      this.counters.refused++;
      return false;
    }
    this.counters.sent++;
    this.record(frame, length);
    return true;
  }

  mac(output: usize): bool {
    return this.inner.mac(output);
  }

  /** Attaches to the inner device only now (see FaultDevice.attach). */
  attach(sink: FrameSink): void {
    this.sink = sink;
    this.inner.attach(new CaptureInbound(this));
  }

  poll(now: u64): void {
    this.inner.poll(now);
  }

  needsPoll(): bool {
    return this.inner.needsPoll();
  }

  /** A frame from the inner device: recorded, then handed up. */
  received(frame: usize, length: u32, checksum: FrameChecksum): void {
    this.record(frame, length);
    this.deliver(frame, length, checksum);
  }

  private record(frame: usize, length: u32): void {
    const clock = this.clock;
    const start = clock();
    const header = changetype<usize>(this.header);
    const captured = min(length, SNAPSHOT_LENGTH);
    store<u32>(header, <u32>(start / 1_000_000_000));
    store<u32>(header + 4, <u32>(start % 1_000_000_000));
    store<u32>(header + 8, captured);
    store<u32>(header + 12, length);
    this.output.write(header, PCAP_RECORD_HEADER);
    this.output.write(frame, captured);
    const spent = clock() - start;
    this.frames++;
    this.bytes += <u64>(PCAP_RECORD_HEADER + captured);
    this.writeNanos += spent;
    if (!this.timed && length >= TIMED_FRAME) {
      this.timed = true;
      logLine().text("net: pcap: a frame of ").decimal(length).text(" bytes took ").fixed(spent / 1000, 3).text(" ms to write to ")
        .text(this.output.name);
      logEnd();
    }
  }
}
