// A split virtqueue (virtio 1.2 §2.7) in frames of its own: the descriptor table, the driver
// ring ("available") and the device ring ("used"), each in one zeroed frame (a queue of at most
// 256 entries fits). Buffers are single descriptors. With EVENT_IDX (§2.7.7, §2.7.10) the
// driver asks for an interrupt through used_event and notifies only when the device's
// avail_event says so; without it, through the rings' flags. The device's side is input: a used
// index that runs ahead of what was made available, a used entry naming a descriptor not in
// flight, or one claiming more bytes than its buffer holds marks the queue broken (`problem`
// says which), and the net driver (net.ts) resets the device instead of trusting it. Host-tested
// over plain memory (tests/host/virtqueue.test.ts).

import { memoryBarrier, mmioWrite16 } from "../../arch/hw";
import { frameAllocateZeroed, frameFree } from "../../memory/frames";

/** Entries a queue has at most (its rings then fit a frame each). */
export const QUEUE_SIZE_MAXIMUM: u32 = 256;

// The descriptor table (§2.7.5): 16 bytes a descriptor.
//   0 addr (u64) | 8 len (u32) | 12 flags (u16) | 14 next (u16)
const DESCRIPTOR_SIZE: usize = 16;
/** VIRTQ_DESC_F_WRITE (§2.7.5): the device writes into the buffer. */
export const VIRTQ_DESC_F_WRITE: u16 = 2;

// The driver ring (§2.7.6), written by the driver:
//   0 flags (u16) | 2 idx (u16) | 4 ring[size] (u16 heads) | 4 + 2 size: used_event (u16, EVENT_IDX)
// The device ring (§2.7.8), written by the device:
//   0 flags (u16) | 2 idx (u16) | 4 ring[size] ({u32 id, u32 len}) | 4 + 8 size: avail_event (u16, EVENT_IDX)
const RING_FLAGS: usize = 0;
const RING_INDEX: usize = 2;
const RING_ENTRIES: usize = 4;
/** VIRTQ_AVAIL_F_NO_INTERRUPT (§2.7.7): without EVENT_IDX, the driver wants no used-buffer interrupt. */
export const VIRTQ_AVAIL_F_NO_INTERRUPT: u16 = 1;
/** VIRTQ_USED_F_NO_NOTIFY (§2.7.8, §2.7.10): without EVENT_IDX, the device wants no notification. */
export const VIRTQ_USED_F_NO_NOTIFY: u16 = 1;

/** Whether the driver wants an interrupt when the device uses a buffer of this queue. */
export enum Interrupts {
  /** Yes (the receive queue): asked for again by `arm` once the used ring is drained. */
  Wanted = 0,
  /** Never (the transmit queue: its buffers come back on the next send, virtio 1.2 §5.1.6.2.3). */
  Suppressed = 1,
}

/** Why a queue is broken; None while it is not. Add at the end. */
export enum Malformed {
  None = 0,
  /** The used index moved further than the buffers made available. */
  UsedIndex = 1,
  /** A used entry named a descriptor out of range or not in flight. */
  UsedId = 2,
  /** A used entry claimed more bytes written than its buffer holds. */
  UsedLength = 3,
  /** The net driver's packet header asked for more buffers than the used ring holds, or none. */
  Header = 4,
}

/** vring_need_event (§2.7.7, §2.7.10): whether moving an index from `old` to `now` passes
 * `event`, that is `event` lies in [old, now), with 16-bit wrap. */
@inline export function needEvent(event: u16, now: u16, old: u16): bool {
  return <u16>(now - event - 1) < <u16>(now - old);
}

export class Virtqueue {
  /** Each descriptor: in flight (the caller's cookie + 1), or 0 when free. */
  private readonly inFlight: StaticArray<u64>;
  /** Each descriptor in flight: its length when the device writes it, 0 when the device reads it. */
  private readonly writable: StaticArray<u32>;
  private freeList: u32[] = [];
  /** The next driver ring slot add() fills, and the index the device was last shown (kick). */
  private availableIndex: u16 = 0;
  private publishedIndex: u16 = 0;
  private usedSeen: u16 = 0;
  /** VIRTIO_F_EVENT_IDX was negotiated: used_event and avail_event replace the flags. */
  private eventIndex: bool = false;
  private interrupts: Interrupts = Interrupts.Wanted;
  /** Why the device broke the ring's rules (see above); None while it has not. */
  problem: Malformed = Malformed.None;
  /** Where to write this queue's notification (the transport's notify address). */
  notifyAt: u64 = 0;
  /** Notifications sent, and kicks that the device's suppression made unnecessary (measured). */
  notifications: u64 = 0;
  notificationsSuppressed: u64 = 0;
  /** Notifications notifyAgain sent. */
  notificationsRepeated: u64 = 0;
  /** The length of the last buffer next() returned, as the device reported it. */
  usedLength: u32 = 0;

  /** A queue over three zeroed frames of its own; null when memory ran out (nothing kept). */
  static create(index: u32, size: u32): Virtqueue | null {
    const descriptors = frameAllocateZeroed(), driverRing = frameAllocateZeroed(), deviceRing = frameAllocateZeroed();
    if (descriptors == 0 || driverRing == 0 || deviceRing == 0) {
      if (descriptors != 0) frameFree(descriptors);
      if (driverRing != 0) frameFree(driverRing);
      if (deviceRing != 0) frameFree(deviceRing);
      return null;
    }
    return new Virtqueue(index, size, descriptors, driverRing, deviceRing);
  }

  /** A queue over the given zeroed memory (physical addresses; the host tests give plain memory):
   * a descriptor table of 16 `size` bytes, a driver ring of 6 + 2 `size`, a device ring of 6 + 8
   * `size`. `size` is a power of two of at most QUEUE_SIZE_MAXIMUM (§2.7). */
  constructor(readonly index: u32, readonly size: u32, readonly descriptors: u64, readonly driverRing: u64, readonly deviceRing: u64) {
    if (size == 0 || size > QUEUE_SIZE_MAXIMUM || (size & (size - 1)) != 0) abort("Virtqueue: a size that is not a power of two up to 256");
    this.inFlight = new StaticArray<u64>(<i32>size);
    this.writable = new StaticArray<u32>(<i32>size);
    for (let i: u32 = 0; i < size; i++) this.freeList.push(size - 1 - i);
  }

  get free(): i32 { return this.freeList.length; }
  get broken(): bool { return this.problem != Malformed.None; }

  /** Sets how this queue suppresses interrupts and notifications (before the device sees it, and
   * again after each reset): `eventIndex` when VIRTIO_F_EVENT_IDX was negotiated. */
  configure(eventIndex: bool, interrupts: Interrupts): void {
    this.eventIndex = eventIndex;
    this.interrupts = interrupts;
    // Without EVENT_IDX the flag asks for no interrupt (§2.7.7); with it, flags stay 0 and
    // used_event does the work (written on each kick for a suppressed queue, by arm otherwise).
    const flags: u16 = !eventIndex && interrupts == Interrupts.Suppressed ? VIRTQ_AVAIL_F_NO_INTERRUPT : 0;
    store<u16>(<usize>this.driverRing + RING_FLAGS, flags);
    if (eventIndex) store<u16>(this.usedEventAt(), interrupts == Interrupts.Suppressed ? <u16>0x8000 : 0);
  }

  /** Gives the device one buffer at physical `address` of `length` bytes, to write into
   * (`writable`) or to read; `cookie` comes back with it. False when no descriptor is free. */
  add(address: u64, length: u32, writable: bool, cookie: u64): bool {
    if (this.freeList.length == 0) return false;
    const head = this.freeList.pop();
    const descriptor = <usize>this.descriptors + <usize>head * DESCRIPTOR_SIZE;
    store<u64>(descriptor, address);
    store<u32>(descriptor + 8, length);
    store<u16>(descriptor + 12, writable ? VIRTQ_DESC_F_WRITE : 0);
    store<u16>(descriptor + 14, 0);
    unchecked(this.inFlight[<i32>head] = cookie + 1);
    unchecked(this.writable[<i32>head] = writable ? length : 0);
    const slot = <usize>this.driverRing + RING_ENTRIES + (<usize>(this.availableIndex & <u16>(this.size - 1)) << 1);
    store<u16>(slot, <u16>head);
    this.availableIndex++;
    return true;
  }

  /** Publishes what add() queued (the descriptors before the index, §2.7.13) and notifies the
   * device unless it said it needs no notification (§2.7.10). Nothing queued: nothing done. */
  kick(): void {
    const old = this.publishedIndex, now = this.availableIndex;
    if (now == old) return;
    // A suppressed queue keeps used_event half the index space ahead of what was taken back:
    // the device's used index, at most `size` past it until the next kick, never reaches it.
    if (this.eventIndex && this.interrupts == Interrupts.Suppressed) store<u16>(this.usedEventAt(), this.usedSeen + 0x8000);
    memoryBarrier();
    store<u16>(<usize>this.driverRing + RING_INDEX, now);
    this.publishedIndex = now;
    memoryBarrier();   // the index before the suppression is read (§2.7.13.4)
    const notify = this.eventIndex ? needEvent(load<u16>(this.availEventAt()), now, old)
      : (load<u16>(<usize>this.deviceRing + RING_FLAGS) & VIRTQ_USED_F_NO_NOTIFY) == 0;
    if (!notify) {
      this.notificationsSuppressed++;
      return;
    }
    this.notifications++;
    if (this.notifyAt != 0) mmioWrite16(this.notifyAt, this.index);
  }

  /** Notifies the device whatever its suppression says (a spurious notification is harmless,
   * virtio 1.2 §2.7.10): the tick's nudge of a queue that made no progress (net.ts), so that a
   * notification lost between the two sides cannot stall it for good. */
  notifyAgain(): void {
    if (this.broken) return;
    this.notificationsRepeated++;
    if (this.notifyAt != 0) mmioWrite16(this.notifyAt, this.index);
  }

  /** Buffers published and not yet used by the device. */
  get outstanding(): u32 {
    return <u32><u16>(this.publishedIndex - this.usedSeen);
  }

  /** How many used entries next() has taken since the queue was made (wraps at 2^16). */
  get usedCount(): u16 {
    return this.usedSeen;
  }

  /** Used entries the device has published and next() has not taken yet; 0 when the queue is
   * broken, and it becomes broken (UsedIndex) when the device claims more than it was given. */
  waiting(): u32 {
    if (this.broken) return 0;
    const count = <u32><u16>(load<u16>(<usize>this.deviceRing + RING_INDEX) - this.usedSeen);
    if (count > <u32><u16>(this.publishedIndex - this.usedSeen)) {
      this.problem = Malformed.UsedIndex;
      return 0;
    }
    return count;
  }

  /** The next buffer the device has used: its cookie, with the length the device reported in
   * `usedLength`; -1 when none is waiting or the queue is (or just became) broken. */
  next(): i64 {
    if (this.waiting() == 0) return -1;
    memoryBarrier();   // the entry after the index (§2.7.14)
    const entry = <usize>this.deviceRing + RING_ENTRIES + (<usize>(this.usedSeen & <u16>(this.size - 1)) << 3);
    const id = load<u32>(entry), length = load<u32>(entry + 4);
    if (id >= this.size || unchecked(this.inFlight[<i32>id]) == 0) {
      this.problem = Malformed.UsedId;
      return -1;
    }
    const writable = unchecked(this.writable[<i32>id]);
    if (writable != 0 && length > writable) {
      this.problem = Malformed.UsedLength;
      return -1;
    }
    const cookie = unchecked(this.inFlight[<i32>id]) - 1;
    unchecked(this.inFlight[<i32>id] = 0);
    this.freeList.push(id);
    this.usedSeen++;
    this.usedLength = length;
    return <i64>cookie;
  }

  /** After taking used entries from a queue whose interrupts are Wanted: asks for an interrupt
   * at the next entry the device writes (EVENT_IDX: used_event at the device's index, §2.7.7;
   * without it the flags already ask), then looks again, so an entry the device wrote meanwhile
   * is not left without an interrupt (§2.7.14's note). True when entries are waiting: the caller
   * takes them, or leaves them to the tick when its budget is spent. */
  arm(): bool {
    if (this.eventIndex && this.interrupts == Interrupts.Wanted) {
      store<u16>(this.usedEventAt(), this.usedSeen + <u16>this.waiting());
      memoryBarrier();
    }
    return this.waiting() != 0;
  }

  /** The driver's own fault injection (virtio-net=breakafter:N, net-options.ts): forgets the
   * descriptor the device will use next (the oldest published and not used, as virtio-net uses
   * them in order), so the device's next used entry names a descriptor not in flight and next()
   * finds the queue broken (UsedId) by the same check a malformed ring meets. False when no
   * buffer is published. */
  forgetNextInFlight(): bool {
    if (this.publishedIndex == this.usedSeen) return false;
    const head = load<u16>(<usize>this.driverRing + RING_ENTRIES + (<usize>(this.usedSeen & <u16>(this.size - 1)) << 1));
    if (<u32>head >= this.size) return false;
    unchecked(this.inFlight[<i32>head] = 0);   // not pushed on the free list: reset() restores it
    return true;
  }

  /** Marks the queue broken by a rule the caller checks (the net header's num_buffers). */
  markBroken(problem: Malformed): void {
    if (!this.broken) this.problem = problem;
  }

  /** Back to the state of a new queue, its rings zeroed and every descriptor free: after the
   * device was reset (it no longer reads or writes the rings; §2.1, §4.1.4.3.2). The caller
   * posts its buffers again. */
  reset(): void {
    memory.fill(<usize>this.descriptors, 0, <usize>this.size * DESCRIPTOR_SIZE);
    memory.fill(<usize>this.driverRing, 0, RING_ENTRIES + (<usize>this.size << 1) + 2);
    memory.fill(<usize>this.deviceRing, 0, RING_ENTRIES + (<usize>this.size << 3) + 2);
    this.freeList.length = 0;
    for (let i: u32 = 0; i < this.size; i++) {
      unchecked(this.inFlight[<i32>i] = 0);
      unchecked(this.writable[<i32>i] = 0);
      this.freeList.push(this.size - 1 - i);
    }
    this.availableIndex = 0;
    this.publishedIndex = 0;
    this.usedSeen = 0;
    this.problem = Malformed.None;
    this.usedLength = 0;
  }

  /** Frees the rings (the device was reset first: it no longer reads them). */
  release(): void {
    frameFree(this.descriptors);
    frameFree(this.driverRing);
    frameFree(this.deviceRing);
  }

  private usedEventAt(): usize { return <usize>this.driverRing + RING_ENTRIES + (<usize>this.size << 1); }
  private availEventAt(): usize { return <usize>this.deviceRing + RING_ENTRIES + (<usize>this.size << 3); }
}
