// A split virtqueue (virtio 1.2, 2.7) in frames of its own: the descriptor table, the driver
// ring ("available") and the device ring ("used"), each in one zeroed frame (a queue of at most
// 256 entries fits). Buffers are single descriptors (the net driver gives one buffer a packet).
// The device's side is input: a used entry naming a descriptor that is not in flight, or a used
// index that runs ahead of what was made available, marks the queue broken, and the driver resets
// the device (net.ts) instead of trusting it.

import { memoryBarrier, mmioWrite16 } from "../../arch/hw";
import { frameAllocateZeroed, frameFree } from "../../memory/frames";

/** Entries a queue has at most (its rings then fit a frame each). */
export const QUEUE_SIZE_MAXIMUM: u32 = 256;
const DESCRIPTOR_SIZE: usize = 16;
const FLAG_WRITE: u16 = 2;
/** Driver ring: flags, index, then the ring of u16 heads. Device ring: flags, index, then the
 * ring of {u32 id, u32 length}. */
const RING_INDEX: usize = 2;
const RING_ENTRIES: usize = 4;

export class Virtqueue {
  /** Physical addresses of the three parts (0 when allocation failed: then `usable` is false). */
  readonly descriptors: u64;
  readonly driverRing: u64;
  readonly deviceRing: u64;
  /** Each descriptor: in flight (the caller's cookie + 1), or 0 when free. */
  private readonly inFlight: StaticArray<u64>;
  private freeList: u32[] = [];
  private availableIndex: u16 = 0;
  private usedSeen: u16 = 0;
  /** The device broke the ring's rules (see above). */
  broken: bool = false;
  /** Where to write this queue's notification (the transport's notify address). */
  notifyAt: u64 = 0;

  constructor(readonly index: u32, readonly size: u32) {
    this.descriptors = frameAllocateZeroed();
    this.driverRing = frameAllocateZeroed();
    this.deviceRing = frameAllocateZeroed();
    this.inFlight = new StaticArray<u64>(<i32>size);
    for (let i: u32 = 0; i < size; i++) this.freeList.push(size - 1 - i);
  }

  get usable(): bool { return this.descriptors != 0 && this.driverRing != 0 && this.deviceRing != 0; }
  get free(): i32 { return this.freeList.length; }

  /** Gives the device one buffer at physical `address` of `length` bytes, to write into
   * (`writable`) or to read; `cookie` comes back with it. False when no descriptor is free. */
  add(address: u64, length: u32, writable: bool, cookie: u64): bool {
    if (this.freeList.length == 0) return false;
    const head = this.freeList.pop();
    const descriptor = <usize>this.descriptors + <usize>head * DESCRIPTOR_SIZE;
    store<u64>(descriptor, address);
    store<u32>(descriptor + 8, length);
    store<u16>(descriptor + 12, writable ? FLAG_WRITE : 0);
    store<u16>(descriptor + 14, 0);
    unchecked(this.inFlight[<i32>head] = cookie + 1);
    const slot = <usize>this.driverRing + RING_ENTRIES + (<usize>(this.availableIndex % <u16>this.size) << 1);
    store<u16>(slot, <u16>head);
    this.availableIndex++;
    return true;
  }

  /** Publishes what add() queued (the descriptors before the index, 2.7.13) and notifies. */
  kick(): void {
    memoryBarrier();
    store<u16>(<usize>this.driverRing + RING_INDEX, this.availableIndex);
    memoryBarrier();
    if (this.notifyAt != 0) mmioWrite16(this.notifyAt, this.index);
  }

  /** The next buffer the device has used: its cookie, with its length in `usedLength`; -1 when
   * none is waiting (or the queue is broken). */
  usedLength: u32 = 0;
  next(): i64 {
    if (this.broken) return -1;
    const deviceIndex = load<u16>(<usize>this.deviceRing + RING_INDEX);
    if (deviceIndex == this.usedSeen) return -1;
    if (<u16>(deviceIndex - this.usedSeen) > <u16>this.size || <u16>(this.availableIndex - this.usedSeen) == 0) {
      this.broken = true;   // the device claims more than was ever made available
      return -1;
    }
    memoryBarrier();   // the entry after the index (2.7.14)
    const entry = <usize>this.deviceRing + RING_ENTRIES + (<usize>(this.usedSeen % <u16>this.size) << 3);
    const id = load<u32>(entry), length = load<u32>(entry + 4);
    if (id >= this.size || unchecked(this.inFlight[<i32>id]) == 0) {
      this.broken = true;
      return -1;
    }
    const cookie = unchecked(this.inFlight[<i32>id]) - 1;
    unchecked(this.inFlight[<i32>id] = 0);
    this.freeList.push(id);
    this.usedSeen++;
    this.usedLength = length;
    return <i64>cookie;
  }

  /** Frees the rings (the device was reset first: it no longer reads them). */
  release(): void {
    if (this.descriptors != 0) frameFree(this.descriptors);
    if (this.driverRing != 0) frameFree(this.driverRing);
    if (this.deviceRing != 0) frameFree(this.deviceRing);
  }
}
