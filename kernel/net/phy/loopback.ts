// The loopback device (kernel/net/phy/): every frame sent comes back as received, once, in order.
// Not at once: a receiver that answers each frame by sending one would recurse without bound,
// so `send` copies the frame into a bounded queue (`slots` frames of up to FRAME_MAXIMUM bytes,
// made once) and `poll` hands the queued frames to the sink. A poll delivers at most the frames
// queued when it began; what the sink sends meanwhile waits for the next poll. A send to a full
// queue is refused (false, counted), as a full transmit ring would be. Used by the host tests
// (tests/host/phy.test.ts) and under the fault device there.

import { FRAME_MAXIMUM, NetDevice } from "./device";

export class LoopbackDevice extends NetDevice {
  private readonly frames: StaticArray<u8>;
  private readonly lengths: StaticArray<u32>;
  /** The oldest queued frame's slot, and how many are queued. */
  private head: i32 = 0;
  private count: i32 = 0;

  /** A queue of `slots` frames (slots * 2 KiB); `macAddress` in the low 48 bits. */
  constructor(readonly slots: i32, readonly macAddress: u64 = 0x02_00_00_00_00_01) {
    super("loopback");
    this.frames = new StaticArray<u8>(slots * <i32>FRAME_MAXIMUM);
    this.lengths = new StaticArray<u32>(slots);
  }

  /** Frames waiting for the next poll. */
  get queued(): i32 {
    return this.count;
  }

  send(frame: usize, length: u32): bool {
    if (length > FRAME_MAXIMUM || this.count == this.slots) {
      this.counters.refused++;
      return false;
    }
    const slot = (this.head + this.count) % this.slots;
    memory.copy(this.slotAddress(slot), frame, <usize>length);
    this.lengths[slot] = length;
    this.count++;
    this.counters.sent++;
    return true;
  }

  mac(output: usize): bool {
    for (let i = 0; i < 6; i++) store<u8>(output + <usize>i, <u8>(this.macAddress >> (<u64>(40 - 8 * i))));
    return true;
  }

  /** Delivers the frames queued now, oldest first. A slot stays taken while its frame is being
   * delivered, so what the sink sends in return never overwrites it. */
  poll(now: u64): void {
    for (let pending = this.count; pending > 0; pending--) {
      const slot = this.head;
      this.deliver(this.slotAddress(slot), this.lengths[slot]);
      this.head = (this.head + 1) % this.slots;
      this.count--;
    }
  }

  needsPoll(): bool {
    return true;
  }

  private slotAddress(slot: i32): usize {
    return changetype<usize>(this.frames) + <usize>slot * <usize>FRAME_MAXIMUM;
  }
}
