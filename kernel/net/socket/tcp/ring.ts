// A byte ring, the TCP core's send and receive buffers (net/socket/tcp/): the send buffer holds
// the bytes from SND.UNA on (sent and not yet acknowledged, then not yet sent); the receive
// buffer holds bytes received in order and not yet read, and out-of-order bytes are written past
// its end (writeAt) before they become part of it (commit). The capacity is set when the ring
// gets its storage (the object layer charges it to the socket's owner) and only grows after
// (grow: receive-buffer autotuning, autotune.ts); a ring of capacity 0 holds nothing (a
// half-open connection's, before it is established, and one whose storage went back: release).
// Storage comes from and goes back to ring-storage.ts. Spans let a caller copy straight between
// user memory and the ring.

import { ringStorageGive, ringStorageTake } from "./ring-storage";

export class ByteRing {
  private bytes: StaticArray<u8>;
  private size: u32;
  /** Storage bytes from offset 0 that may have been written since the ring got its storage (all
   * writes go through copy or commit): release clears these and no more. */
  private reach: u32 = 0;
  /** Offset of the first byte held. */
  private head: u32 = 0;
  /** Bytes held. */
  length: u32 = 0;

  constructor(capacity: u32) {
    this.size = capacity;
    this.bytes = ringStorageTake(capacity);
  }

  /** The most bytes the ring holds. */
  get capacity(): u32 {
    return this.size;
  }

  /** Gives a ring of capacity 0 storage of `capacity` bytes. */
  allocate(capacity: u32): void {
    if (this.size != 0) abort("ByteRing.allocate: the ring has storage");
    this.bytes = ringStorageTake(capacity);
    this.size = capacity;
  }

  /** Drops what the ring holds and gives its storage back, cleared (a later ring never holds a
   * byte of this one, should a bug let it show bytes it was not given): the ring has capacity 0
   * after. */
  release(): void {
    memory.fill(this.base(), 0, <usize>this.reach);
    ringStorageGive(this.bytes);
    this.reach = 0;
    this.bytes = ringStorageTake(0);
    this.size = 0;
    this.head = 0;
    this.length = 0;
  }

  /** Moves the ring to new storage of `capacity` bytes (more than now): the bytes held, and the
   * out-of-order bytes written past them, keep their offsets from the first byte held, which is
   * at storage offset 0 after. The old storage goes back cleared. */
  grow(capacity: u32): void {
    const size = this.size, head = this.head;
    if (capacity <= size || size == 0) abort("ByteRing.grow: not larger, or no storage");
    const bigger = ringStorageTake(capacity), old = this.bytes;
    const to = changetype<usize>(bigger), from = changetype<usize>(old);
    memory.copy(to, from + <usize>head, <usize>(size - head));
    memory.copy(to + <usize>(size - head), from, <usize>head);
    memory.fill(from, 0, <usize>this.reach);
    ringStorageGive(old);
    this.bytes = bigger;
    this.size = capacity;
    this.head = 0;
    this.reach = size;
  }

  /** Bytes that can still be added. */
  get free(): u32 {
    return this.capacity - this.length;
  }

  /** Appends up to `length` bytes from `source`; returns how many fitted. */
  write(source: usize, length: u32): u32 {
    const count = min(length, this.free);
    this.writeAt(0, source, count);
    this.length += count;
    return count;
  }

  /** Copies `length` bytes from `source` to `offset` bytes past the end of what is held, without
   * adding them (commit does). Requires offset + length <= free. */
  writeAt(offset: u32, source: usize, length: u32): void {
    if (<u64>offset + <u64>length > <u64>this.free) abort("ByteRing.writeAt: past the free space");
    this.copy(this.position(this.length + offset), source, length, true);
  }

  /** Adds the `count` bytes already written at the end (writeAt from offset 0). */
  commit(count: u32): void {
    if (count > this.free) abort("ByteRing.commit: more than the free space");
    this.written(this.position(this.length), count);   // a span write (writeSpanAddress)
    this.length += count;
  }

  /** Copies `length` held bytes starting `offset` bytes after the first to `destination`,
   * keeping them. Requires offset + length <= length held. */
  peekAt(offset: u32, destination: usize, length: u32): void {
    if (<u64>offset + <u64>length > <u64>this.length) abort("ByteRing.peekAt: past the bytes held");
    this.copy(this.position(offset), destination, length, false);
  }

  /** Moves up to `length` bytes to `destination`; returns how many. */
  read(destination: usize, length: u32): u32 {
    const count = min(length, this.length);
    this.peekAt(0, destination, count);
    this.consume(count);
    return count;
  }

  /** Drops the first `count` bytes held. */
  consume(count: u32): void {
    if (count > this.length) abort("ByteRing.consume: more than the bytes held");
    // The head moves even when the ring empties: out-of-order bytes may wait past the end.
    this.head = this.position(count);
    this.length -= count;
  }

  /** Where the contiguous free space after the end begins, and how long it is: a caller copies
   * into it, then commits all it wrote (release clears only what was committed or copied in). */
  get writeSpanAddress(): usize {
    return this.base() + <usize>this.position(this.length);
  }
  get writeSpanLength(): u32 {
    if (this.free == 0) return 0;
    const at = this.position(this.length);
    return min(this.free, this.capacity - at);
  }

  /** Where the contiguous run of held bytes begins, and how long it is: a caller copies out of
   * it, then consumes what it took. */
  get readSpanAddress(): usize {
    return this.base() + <usize>this.head;
  }
  get readSpanLength(): u32 {
    return min(this.length, this.capacity - this.head);
  }

  @inline private base(): usize {
    return changetype<usize>(this.bytes);
  }

  /** The ring offset `offset` bytes after the head (offset <= capacity). */
  @inline private position(offset: u32): u32 {
    const at = <u64>this.head + <u64>offset;
    return <u32>(at >= <u64>this.capacity ? at - <u64>this.capacity : at);
  }

  /** Extends `reach` over `length` bytes written from ring offset `at` (wrapping: all of it). */
  @inline private written(at: u32, length: u32): void {
    const end = <u64>at + <u64>length;
    const reach = end > <u64>this.capacity ? this.capacity : <u32>end;
    if (reach > this.reach) this.reach = reach;
  }

  /** Copies between the ring at ring offset `at` and `outside`, in up to two pieces. */
  private copy(at: u32, outside: usize, length: u32, into: bool): void {
    if (length == 0) return;
    const first = min(length, this.capacity - at);
    const ring = this.base();
    if (into) {
      this.written(at, length);
      memory.copy(ring + <usize>at, outside, <usize>first);
      memory.copy(ring, outside + <usize>first, <usize>(length - first));
    } else {
      memory.copy(outside, ring + <usize>at, <usize>first);
      memory.copy(outside + <usize>first, ring, <usize>(length - first));
    }
  }
}
