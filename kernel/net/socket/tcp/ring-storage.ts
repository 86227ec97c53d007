// The storage of the TCP core's byte rings (net/socket/tcp/ring.ts), kept for reuse. A
// connection's two buffers are by far its largest allocations (64 KiB each by default). Made new
// for every connection and dropped when it ended, they were garbage for the kernel heap's
// collector, which ran a full collection every 32 KiB of growth (memory/heap.ts): a collection
// per connection, the most of a connection's cost on a loaded kernel (docs/PERFORMANCE.md, TCP).
// A ring that lets go of its storage (ByteRing.release) clears the part it wrote and gives it
// here, and the next ring of the same capacity takes it back (clearing all of it would cost
// 128 KiB of stores a connection, for the few bytes a short connection uses). Kept storage is
// kernel memory nobody is charged for, so it is bounded (STORAGE_KEPT_BYTES, within the heap's
// KERNEL_RESERVE) and listed with the pools, which the leak checks of test runs empty
// (collections/pool.ts).

import { Drainable } from "../../../collections/pool";

/** The most bytes of storage kept: two connections' default buffers. */
const STORAGE_KEPT_BYTES: u32 = 256 * 1024;

class RingStorageState extends Drainable {
  readonly kept: StaticArray<u8>[] = [];
  keptBytes: u32 = 0;
  /** The storage of every ring of capacity 0 (it holds nothing, so all may share it). */
  readonly empty: StaticArray<u8> = new StaticArray<u8>(0);

  drain(): void {
    this.kept.length = 0;
    this.keptBytes = 0;
  }
}
const state = new RingStorageState();

/** Storage of `capacity` bytes, all zero: kept storage of that size (cleared by the ring that gave
 * it back), or new. */
export function ringStorageTake(capacity: u32): StaticArray<u8> {
  if (capacity == 0) return state.empty;
  const kept = state.kept;
  for (let i = kept.length - 1; i >= 0; i--) {
    const storage = unchecked(kept[i]);
    if (<u32>storage.length != capacity) continue;
    unchecked(kept[i] = kept[kept.length - 1]);
    kept.length--;
    state.keptBytes -= capacity;
    return storage;
  }
  return new StaticArray<u8>(<i32>capacity);
}

/** Gives back `storage` no ring uses any more, all zero: kept when there is room, else left to
 * the collector. */
export function ringStorageGive(storage: StaticArray<u8>): void {
  const length = <u32>storage.length;
  if (length == 0 || state.keptBytes + length > STORAGE_KEPT_BYTES) return;
  state.kept.push(storage);
  state.keptBytes += length;
}
