// The fault-injecting device (kernel/net/phy/): wraps another device and, in each direction
// apart, drops frames over a rate limit, loses, corrupts (one byte changed), holds back
// (reordering) and duplicates frames, each decision drawn from a seeded generator of its own
// (seeded-random.ts), so a run with the same seed and the same frames repeats. Settings from
// `netfault=` (fault-config.ts); phy.ts puts it between the interface and the capture, so a
// capture shows what the faults let onto the wire (and what arrived before they acted).
//
// A frame, in order: over the rate (token-bucket.ts)? dropped. Then four draws, always all
// four (so one setting never shifts another's sequence): lost? dropped. Corrupted? a copy with
// one byte at a drawn offset XORed with a drawn non-zero value. Held back (only when no frame is
// held)? copied aside, and handed on right after the next frame of its direction, or by `poll`
// once held HOLD_NANOS. Duplicated? handed on twice. Dropped frames count as sent (a lossy wire
// tells no one). Frames longer than FRAME_MAXIMUM pass untouched (counted). A received frame keeps
// the device's word on its checksum (FrameChecksum) unless it is corrupted.

import { BASIS_POINTS, FaultConfig } from "./fault-config";
import { FRAME_MAXIMUM, FrameChecksum, FrameSink, NetDevice } from "./device";
import { SeededRandom } from "./seeded-random";
import { TokenBucket } from "./token-bucket";

/** How long a held frame waits for a next frame before `poll` lets it go. */
export const HOLD_NANOS: u64 = 50_000_000;

export enum Way {
  /** Frames the stack sends. */
  Out = 0,
  /** Frames the device received. */
  In = 1,
}

/** What the fault device did to the frames of one direction. */
export class FaultCounters {
  /** Frames that came to it. */
  frames: u64 = 0;
  /** Frames it handed on (duplicates and released frames included). */
  passed: u64 = 0;
  lost: u64 = 0;
  /** Dropped over the rate limit. */
  limited: u64 = 0;
  corrupted: u64 = 0;
  /** Held back (each later released). */
  reordered: u64 = 0;
  duplicated: u64 = 0;
  /** Longer than FRAME_MAXIMUM: passed untouched. */
  oversize: u64 = 0;
}

/** One direction's generator, rate limit, counters and buffers (the held frame, the corrupted copy). */
class Direction {
  readonly random: SeededRandom;
  readonly bucket: TokenBucket;
  readonly counters: FaultCounters = new FaultCounters();
  readonly held: StaticArray<u8> = new StaticArray<u8>(<i32>FRAME_MAXIMUM);
  heldLength: u32 = 0;
  heldChecksum: FrameChecksum = FrameChecksum.Unverified;
  holding: bool = false;
  heldSince: u64 = 0;
  readonly scratch: StaticArray<u8> = new StaticArray<u8>(<i32>FRAME_MAXIMUM);

  constructor(seed: u64, rate: u32) {
    this.random = new SeededRandom(seed);
    this.bucket = new TokenBucket(rate, max(rate / 10, 1));   // bursts of a tenth of a second
  }
}

/** The inner device's received frames, into the fault device's In direction. */
class FaultInbound extends FrameSink {
  constructor(readonly device: FaultDevice) {
    super();
  }

  receive(frame: usize, length: u32, checksum: FrameChecksum): void {
    this.device.received(frame, length, checksum);
  }
}

export class FaultDevice extends NetDevice {
  private readonly sending: Direction;
  private readonly receiving: Direction;

  /** Faults per `config` on `inner`, the rate limit on `clock` (monotonic ns). The In direction
   * is seeded with the first output of a generator seeded with the seed, Out with the seed. */
  constructor(readonly inner: NetDevice, readonly config: FaultConfig, readonly clock: () => u64) {
    super("fault(" + inner.name + ")");
    this.sending = new Direction(config.seed, config.rate);
    this.receiving = new Direction(new SeededRandom(config.seed).next(), config.rate);
  }

  faultCounters(way: Way): FaultCounters {
    return way == Way.Out ? this.sending.counters : this.receiving.counters;
  }

  sendRoom(): u32 {
    return this.inner.sendRoom();
  }

  send(frame: usize, length: u32): bool {
    return this.pass(Way.Out, frame, length, FrameChecksum.Unverified);
  }

  mac(output: usize): bool {
    return this.inner.mac(output);
  }

  /** Attaches to the inner device only now, so that until the stack attaches the inner device
   * keeps its own behaviour (the virtio driver logs its first frames). */
  attach(sink: FrameSink): void {
    this.sink = sink;
    this.inner.attach(new FaultInbound(this));
  }

  /** A frame from the inner device. */
  received(frame: usize, length: u32, checksum: FrameChecksum): void {
    this.pass(Way.In, frame, length, checksum);
  }

  /** The inner device's deferred work, then held frames that waited HOLD_NANOS. */
  poll(now: u64): void {
    this.inner.poll(now);
    if (this.sending.holding && now - this.sending.heldSince >= HOLD_NANOS) this.release(Way.Out, this.sending);
    if (this.receiving.holding && now - this.receiving.heldSince >= HOLD_NANOS) this.release(Way.In, this.receiving);
  }

  needsPoll(): bool {
    return this.config.reorder != 0 || this.inner.needsPoll();
  }

  private pass(way: Way, frame: usize, length: u32, checksum: FrameChecksum): bool {
    const direction = way == Way.Out ? this.sending : this.receiving;
    const counters = direction.counters;
    counters.frames++;
    if (length > FRAME_MAXIMUM) {
      counters.oversize++;
      return this.emit(way, frame, length, checksum);
    }
    const clock = this.clock;
    const now = clock();
    if (!direction.bucket.take(now)) {
      counters.limited++;
      return true;
    }
    const random = direction.random, config = this.config;
    const lossDraw = random.below(BASIS_POINTS), corruptDraw = random.below(BASIS_POINTS);
    const reorderDraw = random.below(BASIS_POINTS), duplicateDraw = random.below(BASIS_POINTS);
    if (lossDraw < config.loss) {
      counters.lost++;
      return true;
    }
    let address = frame;
    if (corruptDraw < config.corrupt && length != 0) {
      address = changetype<usize>(direction.scratch);
      memory.copy(address, frame, <usize>length);
      const at = address + <usize>random.below(length);
      store<u8>(at, load<u8>(at) ^ <u8>(1 + random.below(255)));
      counters.corrupted++;
      checksum = FrameChecksum.Unverified;   // the device vouched for other bytes
    }
    if (!direction.holding && reorderDraw < config.reorder) {
      memory.copy(changetype<usize>(direction.held), address, <usize>length);
      direction.heldLength = length;
      direction.heldChecksum = checksum;
      direction.heldSince = now;
      direction.holding = true;
      counters.reordered++;
      return true;
    }
    const sent = this.emit(way, address, length, checksum);
    if (duplicateDraw < config.duplicate) {
      counters.duplicated++;
      this.emit(way, address, length, checksum);
    }
    if (direction.holding) this.release(way, direction);
    return sent;
  }

  /** Hands the held frame on. Nothing re-enters its direction meanwhile: an In frame's sink may
   * send (Out), and the inner device's send never receives. */
  private release(way: Way, direction: Direction): void {
    direction.holding = false;
    this.emit(way, changetype<usize>(direction.held), direction.heldLength, direction.heldChecksum);
  }

  private emit(way: Way, frame: usize, length: u32, checksum: FrameChecksum): bool {
    if (way == Way.In) {
      this.receiving.counters.passed++;
      this.deliver(frame, length, checksum);
      return true;
    }
    this.sending.counters.passed++;
    if (!this.inner.send(frame, length)) {
      this.counters.refused++;
      return false;
    }
    this.counters.sent++;
    return true;
  }
}
