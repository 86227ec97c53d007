// The physical frame allocator: hands out 4 KiB frames of available RAM below 4 GiB (page
// tables, process memory, DMA buffers). Built once at boot from the firmware memory map minus
// the ranges the kernel keeps; the kernel's frame module (kernel/memory/frames.ts) owns the one
// instance. Pure (no log, no hardware imports): tests/host/frame-allocator.test.ts runs it.
//
// Available: a byte is available when every map entry covering it says available (reserved,
// bad, ACPI and unknown types win, as in arch/x86_64/memory_plan.c); maximal runs of available
// bytes are shrunk to whole frames, then page 0 (0 means "no frame"), every frame an exclusion
// touches and the allocator's own storage are taken out. Available frames at or above 4 GiB are
// only counted (framesAbove4G): the kernel maps memory below 4 GiB only.
//
// The allocator never reads or writes a frame, only its storage, which the caller carves out of
// available memory below 4 GiB (storageBytes, findStorage); it is not on the GC heap. With
// W = ceil(frame limit / 64), the frame limit being the end of the highest available frame below
// 4 GiB, the storage is 16 W bytes (256 KiB for 4 GiB), 8-byte aligned:
//
//   +0    free bitmap     W x u64   bit f set: frame f can be allocated
//   +8 W  managed bitmap  W x u64   bit f set: frame f is the allocator's (fixed by create)
//
// Two bits a frame so that free() tells OutOfRange from NotAllocated in constant time. Frames
// are handed out lowest first; `cursor` is a word below which the free bitmap is all zero.
//
// Setup never looks at frames one by one: the map becomes a sorted list of frame-aligned runs
// (a sweep over the sorted entry boundaries), the exclusions a sorted merged list, their
// difference the usable intervals, and each interval is written into the bitmaps a word at a
// time. O(n log n) in entries + exclusions, plus O(W) to clear and fill the bitmaps; the
// temporary lists are raw heap blocks (16 bytes an entry boundary, a run or an exclusion: 32 KiB
// for the events of MAXIMUM_MAP_ENTRIES), freed before returning.

import { KernelError } from "../../abi/errors";
import { MemoryMapEntry } from "../boot/multiboot2";
import { PhysicalRange } from "./physical-range";
import { DIRECT_MAP_LIMIT } from "../arch/layout";

export const FRAME_SIZE: u64 = 4096;
@inline const FRAME_SHIFT: u64 = 12;
@inline const FOUR_GIB: u64 = DIRECT_MAP_LIMIT;
/** multiboot2 specification 2.0, section 3.6.8: the one entry type frames may come from. */
export const MEMORY_AVAILABLE: u32 = 1;
/** Map entries create() accepts (the multiboot2 parser keeps as many); bounds the temporary
 * lists (16 bytes for each entry boundary). */
export const MAXIMUM_MAP_ENTRIES: i32 = 1024;

@inline function frameFloor(address: u64): u64 {
  return address & ~(FRAME_SIZE - 1);
}

/** Rounds up to a frame boundary, saturating at the last frame instead of wrapping to 0. */
@inline function frameCeiling(address: u64): u64 {
  const last = ~(FRAME_SIZE - 1);
  return address > last ? last : (address + FRAME_SIZE - 1) & last;
}

@inline function minimum(a: u64, b: u64): u64 { return a < b ? a : b; }
@inline function maximum(a: u64, b: u64): u64 { return a > b ? a : b; }

/** End of a map entry; saturates at 2^64 - 1 when base + length wraps. */
@inline function entryEnd(entry: MemoryMapEntry): u64 {
  const end = entry.base + entry.length;
  return end < entry.base ? U64.MAX_VALUE : end;
}

/** Bytes before the first pair of a Pairs block. */
@inline const PAIRS_HEADER: usize = 8;

/** A list of (key, value) u64 pairs in a raw heap block (heap.alloc: no GC object, so no
 * garbage; the owner calls release()). The temporaries of create() and its helpers, sized by the
 * number of map entries and exclusions, never by the number of frames. Interval lists keep
 * [start, end) as (key, value), in address order, disjoint.
 *
 *   +0 count i32 | +4 capacity i32 | +8 key 0 | +16 value 0 | +24 key 1 | ... */
@unmanaged
class Pairs {
  count: i32;
  capacity: i32;

  static allocate(capacity: i32): Pairs {
    const pairs = changetype<Pairs>(heap.alloc(PAIRS_HEADER + (<usize>capacity << 4)));
    pairs.count = 0;
    pairs.capacity = capacity;
    return pairs;
  }

  release(): void {
    heap.free(changetype<usize>(this));
  }

  @inline private address(i: i32): usize {
    return changetype<usize>(this) + PAIRS_HEADER + (<usize>i << 4);
  }
  @inline key(i: i32): u64 { return load<u64>(this.address(i)); }
  @inline value(i: i32): u64 { return load<u64>(this.address(i), 8); }
  @inline set(i: i32, key: u64, value: u64): void {
    store<u64>(this.address(i), key);
    store<u64>(this.address(i), value, 8);
  }

  push(key: u64, value: u64): void {
    if (this.count >= this.capacity) abort("FrameAllocator: a scratch list overflowed its bound");
    this.set(this.count++, key, value);
  }

  /** Adds the interval [start, end) (start < end), which must not start below the last one's
   * start; the last interval is extended instead when the two overlap or meet. */
  pushMerged(start: u64, end: u64): void {
    const last = this.count - 1;
    if (last < 0 || start > this.value(last)) this.push(start, end);
    else if (end > this.value(last)) this.set(last, this.key(last), end);
  }

  /** Sorts the pairs by key (equal keys in no particular order): heapsort, O(n log n) in place. */
  sortByKey(): void {
    const count = this.count;
    for (let root = (count >> 1) - 1; root >= 0; root--) this.siftDown(root, count);
    for (let last = count - 1; last > 0; last--) {
      const key = this.key(0), value = this.value(0);
      this.set(0, this.key(last), this.value(last));
      this.set(last, key, value);
      this.siftDown(0, last);
    }
  }

  private siftDown(root: i32, count: i32): void {
    const key = this.key(root), value = this.value(root);
    let at = root;
    for (let child = 2 * at + 1; child < count; child = 2 * at + 1) {
      if (child + 1 < count && this.key(child + 1) > this.key(child)) child++;
      if (this.key(child) <= key) break;
      this.set(at, this.key(child), this.value(child));
      at = child;
    }
    this.set(at, key, value);
  }

  /** Whether [start, end) lies inside one interval of the list. */
  containsInterval(start: u64, end: u64): bool {
    for (let i = 0; i < this.count; i++) {
      if (this.key(i) <= start && end <= this.value(i)) return true;
    }
    return false;
  }
}

/** Event kinds of availableRuns' sweep: bit 0 set for an entry's end, bit 1 for a type other
 * than available. */
@inline const EVENT_END: u64 = 1;
@inline const EVENT_FORBIDDEN: u64 = 2;

/** The maximal runs of available bytes, each shrunk to whole frames (runs left with no whole
 * frame dropped), in address order; the caller releases the list. The map is cut at every entry
 * boundary (zero-length entries have none); the interval from one boundary to the next is
 * available when some entry covers it and every covering entry is available. One sweep over
 * the entries' starts and ends, sorted: O(n log n) in the entries. Two runs never touch, even
 * shrunk: a byte that is not available lies between them. Unchecked map reads: i < count, and
 * an array of a non-nullable type built by push (the multiboot2 parser) has no holes. */
function availableRuns(map: MemoryMapEntry[]): Pairs {
  const count = map.length;
  const events = Pairs.allocate(count << 1); // (address, kind)
  for (let i = 0; i < count; i++) {
    const entry = unchecked(map[i]);
    const start = entry.base, end = entryEnd(entry);
    if (start >= end) continue;
    const kind = entry.type == MEMORY_AVAILABLE ? 0 : EVENT_FORBIDDEN;
    events.push(start, kind);
    events.push(end, kind | EVENT_END);
  }
  events.sortByKey();
  // Each run ends where a forbidden entry starts or an available entry ends, a different
  // boundary for each run: at most one run per entry.
  const runs = Pairs.allocate(count);
  let available = 0, forbidden = 0, inRun = false;
  let runStart: u64 = 0;
  for (let i = 0; i < events.count; ) {
    const address = events.key(i);
    do {
      const kind = events.value(i);
      const delta = (kind & EVENT_END) != 0 ? -1 : 1;
      if ((kind & EVENT_FORBIDDEN) != 0) forbidden += delta;
      else available += delta;
      i++;
    } while (i < events.count && events.key(i) == address);
    const isAvailable = available > 0 && forbidden == 0;
    if (isAvailable != inRun) {
      inRun = isAvailable;
      if (isAvailable) {
        runStart = address;
      } else {
        const start = frameCeiling(runStart), end = frameFloor(address);
        if (start < end) runs.push(start, end);
      }
    }
  }
  events.release();
  return runs; // every entry has ended by the last boundary, so no run is left open
}

/** Malformed (more than MAXIMUM_MAP_ENTRIES entries), InvalidArgument (an exclusion whose end
 * is below its start), or None. */
function inputError(map: MemoryMapEntry[], exclusions: PhysicalRange[]): KernelError {
  if (map.length > MAXIMUM_MAP_ENTRIES) return KernelError.Malformed;
  for (let i = 0; i < exclusions.length; i++) {
    if (exclusions[i].end < exclusions[i].start) return KernelError.InvalidArgument;
  }
  return KernelError.None;
}

/** The frames below 4 GiB that the non-empty exclusions touch, plus the frame-aligned
 * [extraStart, extraEnd) (the allocator's storage; none when empty), merged, in address order;
 * the caller releases the list. */
function excludedFrames(exclusions: PhysicalRange[], extraStart: u64, extraEnd: u64): Pairs {
  const ranges = Pairs.allocate(exclusions.length + 1);
  for (let i = 0; i < exclusions.length; i++) {
    const range = exclusions[i];
    if (range.start < range.end && range.start < FOUR_GIB) {
      ranges.push(frameFloor(range.start), frameCeiling(minimum(range.end, FOUR_GIB)));
    }
  }
  if (extraStart < extraEnd) ranges.push(extraStart, extraEnd);
  ranges.sortByKey();
  const merged = Pairs.allocate(ranges.count);
  for (let i = 0; i < ranges.count; i++) merged.pushMerged(ranges.key(i), ranges.value(i));
  ranges.release();
  return merged;
}

/** The frames of `runs` between page 0 and 4 GiB, minus those of `exclusions` and of the
 * frame-aligned [extraStart, extraEnd): the frames the allocator may manage, or hold its storage
 * in. In address order and maximal: two intervals never touch. The caller releases the list.
 * One pass over both lists; every interval but a run's last ends where an exclusion starts, a
 * different one each time, so there are at most runs + exclusions of them. */
function usableFrames(runs: Pairs, exclusions: PhysicalRange[], extraStart: u64, extraEnd: u64): Pairs {
  const excluded = excludedFrames(exclusions, extraStart, extraEnd);
  const usable = Pairs.allocate(runs.count + excluded.count);
  let next = 0;
  for (let i = 0; i < runs.count; i++) {
    let start = maximum(runs.key(i), FRAME_SIZE);
    const end = minimum(runs.value(i), FOUR_GIB);
    while (start < end) {
      while (next < excluded.count && excluded.value(next) <= start) next++;
      if (next == excluded.count || excluded.key(next) >= end) {
        usable.push(start, end);
        break;
      }
      if (excluded.key(next) > start) usable.push(start, excluded.key(next));
      start = excluded.value(next);
    }
  }
  excluded.release();
  return usable;
}

/** End, in frames, of the highest available frame below 4 GiB but page 0; 0 when there is none. */
function frameLimit(runs: Pairs): u32 {
  for (let i = runs.count - 1; i >= 0; i--) {
    const end = minimum(runs.value(i), FOUR_GIB);
    if (maximum(runs.key(i), FRAME_SIZE) < end) return <u32>(end >> FRAME_SHIFT);
  }
  return 0;
}

/** Words of each bitmap for `limit` frames; the storage is twice as many. */
@inline function bitmapWords(limit: u32): u32 {
  return (limit + 63) >> 6;
}

/** check() once the inputs are known good and the runs and frame limit computed. */
function checkStorage(runs: Pairs, exclusions: PhysicalRange[], storage: usize, limit: u32): KernelError {
  if ((storage & 7) != 0) return KernelError.Unaligned;
  if (limit == 0) return KernelError.OutOfMemory;
  const start = frameFloor(storage), end = frameCeiling(<u64>storage + (<u64>bitmapWords(limit) << 4));
  const usable = usableFrames(runs, exclusions, 0, 0);
  const inside = usable.containsInterval(start, end);
  usable.release();
  return inside ? KernelError.None : KernelError.OutOfRange;
}

/** What fillBits writes. */
enum Fill { Set, Clear }

/** Sets (Fill.Set) or clears (Fill.Clear) bits [from, to) of the bitmap at `bitmap`: the two
 * edge words masked, the words between them written whole. */
function fillBits(bitmap: usize, from: u32, to: u32, fill: Fill): void {
  if (from >= to) return;
  const first = from >> 6, last = (to - 1) >> 6;
  let mask = U64.MAX_VALUE << (from & 63);
  if (first != last) {
    fillWord(bitmap + (<usize>first << 3), mask, fill);
    if (last > first + 1) memory.fill(bitmap + (<usize>(first + 1) << 3), fill == Fill.Set ? 0xff : 0, <usize>(last - first - 1) << 3);
    mask = U64.MAX_VALUE;
  }
  fillWord(bitmap + (<usize>last << 3), mask & (U64.MAX_VALUE >> ((64 - (to & 63)) & 63)), fill);
}

@inline function fillWord(address: usize, mask: u64, fill: Fill): void {
  store<u64>(address, fill == Fill.Set ? load<u64>(address) | mask : load<u64>(address) & ~mask);
}

export class FrameAllocator {
  /** Why the last allocate() or allocateContiguous() returned 0 (None after a success):
   * OutOfMemory, or InvalidArgument for a bad count or alignment. */
  lastError: KernelError = KernelError.None;
  private cursor: u32 = 0;
  private managedCount: u32 = 0;
  private freeCount: u32 = 0;
  private aboveCount: u64 = 0;

  private constructor(private storage: usize, private words: u32) {}

  /** Bytes of storage create() needs for `map` (a multiple of 16); 0 when the map has no
   * available frame below 4 GiB or is refused (see check). */
  static storageBytes(map: MemoryMapEntry[]): u32 {
    if (map.length > MAXIMUM_MAP_ENTRIES) return 0;
    const runs = availableRuns(map);
    const limit = frameLimit(runs);
    runs.release();
    return bitmapWords(limit) << 4;
  }

  /** The lowest frame-aligned address at or above `lowest` (and above page 0) where the storage
   * for `map` fits inside available memory below 4 GiB, clear of every exclusion; 0 when there
   * is none. `lowest` keeps memory below it for other uses (KERNEL_HEAP_END: all of it below
   * the heap range). */
  static findStorage(map: MemoryMapEntry[], exclusions: PhysicalRange[], lowest: u64): usize {
    if (inputError(map, exclusions) != KernelError.None) return 0;
    const runs = availableRuns(map);
    const bytes = frameCeiling(<u64>bitmapWords(frameLimit(runs)) << 4);
    const usable = usableFrames(runs, exclusions, 0, 0);
    runs.release();
    const floor = frameCeiling(lowest);
    let found: u64 = 0;
    for (let i = 0; bytes != 0 && i < usable.count; i++) {
      const candidate = maximum(usable.key(i), floor), end = usable.value(i);
      if (candidate < end && bytes <= end - candidate) {
        found = candidate;
        break;
      }
    }
    usable.release();
    return <usize>found;
  }

  /** Checks create()'s inputs without side effects: None, or why create() returns null.
   * Malformed or InvalidArgument: see inputError. OutOfMemory: no available frame below 4 GiB.
   * Unaligned: `storage` is not 8-byte aligned. OutOfRange: the frames the storage touches are
   * not all available memory below 4 GiB, clear of page 0 and of every exclusion. */
  static check(map: MemoryMapEntry[], exclusions: PhysicalRange[], storage: usize): KernelError {
    const error = inputError(map, exclusions);
    if (error != KernelError.None) return error;
    const runs = availableRuns(map);
    const result = checkStorage(runs, exclusions, storage, frameLimit(runs));
    runs.release();
    return result;
  }

  /** An allocator of the available frames of `map` minus `exclusions`, keeping its bitmaps in
   * storageBytes(map) bytes at `storage` (overwritten; the caller gives them up for good).
   * Null exactly when check() reports an error; nothing is written then. */
  static create(map: MemoryMapEntry[], exclusions: PhysicalRange[], storage: usize): FrameAllocator | null {
    if (inputError(map, exclusions) != KernelError.None) return null;
    const runs = availableRuns(map);
    const limit = frameLimit(runs);
    let allocator: FrameAllocator | null = null;
    if (checkStorage(runs, exclusions, storage, limit) == KernelError.None) {
      allocator = new FrameAllocator(storage, bitmapWords(limit));
      allocator.build(runs, exclusions);
    }
    runs.release();
    return allocator;
  }

  /** Frames the allocator manages (all below 4 GiB). */
  get totalFrames(): u32 { return this.managedCount; }
  /** Managed frames not allocated. */
  get freeFrames(): u32 { return this.freeCount; }
  /** One past the highest frame number this allocator can hand out (a multiple of 64). */
  get frameLimit(): u64 { return <u64>this.words << 6; }
  /** Managed frames allocated. */
  get usedFrames(): u32 { return this.managedCount - this.freeCount; }
  /** Available frames at or above 4 GiB: counted, never handed out (exclusions not applied). */
  get framesAbove4G(): u64 { return this.aboveCount; }

  /** The lowest free frame's physical address, now allocated; 0 with lastError OutOfMemory
   * when none is left. */
  allocate(): u64 {
    if (this.freeCount == 0) {
      this.lastError = KernelError.OutOfMemory;
      return 0;
    }
    for (let word = this.cursor; word < this.words; word++) {
      const address = this.storage + (<usize>word << 3);
      const bits = load<u64>(address);
      if (bits == 0) continue;
      store<u64>(address, bits & (bits - 1));
      this.cursor = word;
      this.freeCount--;
      this.lastError = KernelError.None;
      return ((<u64>word << 6) + ctz(bits)) << FRAME_SHIFT;
    }
    abort("FrameAllocator.allocate: the free count disagrees with the bitmap");
    return 0;
  }

  /** The lowest run of `count` free frames whose first frame number is a multiple of
   * `alignmentFrames` (a power of two), now allocated; returns its physical address. Frames
   * are freed one by one. 0 with lastError InvalidArgument (count 0, alignment 0 or not a
   * power of two) or OutOfMemory (no such run). */
  allocateContiguous(count: u32, alignmentFrames: u32): u64 {
    if (count == 0 || alignmentFrames == 0 || (alignmentFrames & (alignmentFrames - 1)) != 0) {
      this.lastError = KernelError.InvalidArgument;
      return 0;
    }
    const mask = <u64>alignmentFrames - 1;
    const limit = <u64>this.words << 6;
    let frame = (this.firstFree(<u64>this.cursor << 6) + mask) & ~mask;
    while (count <= this.freeCount && frame + count <= limit) {
      const used = this.firstUsed(frame, frame + count);
      if (used == frame + count) {
        fillBits(this.storage, <u32>frame, <u32>(frame + count), Fill.Clear);
        this.freeCount -= count;
        this.lastError = KernelError.None;
        return frame << FRAME_SHIFT;
      }
      frame = (this.firstFree(used + 1) + mask) & ~mask;
    }
    this.lastError = KernelError.OutOfMemory;
    return 0;
  }

  /** Returns the frame at `address` to the allocator. Unaligned: not 4 KiB aligned.
   * OutOfRange: not a frame this allocator manages. NotAllocated: already free. */
  free(address: u64): KernelError {
    if ((address & (FRAME_SIZE - 1)) != 0) return KernelError.Unaligned;
    const frame = address >> FRAME_SHIFT;
    if (frame >= (<u64>this.words << 6)) return KernelError.OutOfRange;
    const word = <u32>(frame >> 6), bit = <u64>1 << (frame & 63);
    const freeAddress = this.storage + (<usize>word << 3);
    if ((load<u64>(freeAddress + (<usize>this.words << 3)) & bit) == 0) return KernelError.OutOfRange;
    const bits = load<u64>(freeAddress);
    if ((bits & bit) != 0) return KernelError.NotAllocated;
    store<u64>(freeAddress, bits | bit);
    this.freeCount++;
    if (word < this.cursor) this.cursor = word;
    return KernelError.None;
  }

  /** Fills both bitmaps run by run: the usable frames (the runs below 4 GiB but page 0, minus
   * the exclusions and the storage) set, every other bit clear; counts the frames above 4 GiB. */
  private build(runs: Pairs, exclusions: PhysicalRange[]): void {
    const free = this.storage, managed = this.storage + (<usize>this.words << 3);
    memory.fill(free, 0, <usize>this.words << 4);
    const storageEnd = frameCeiling(<u64>this.storage + (<u64>this.words << 4));
    const usable = usableFrames(runs, exclusions, frameFloor(<u64>this.storage), storageEnd);
    for (let i = 0; i < usable.count; i++) {
      const from = <u32>(usable.key(i) >> FRAME_SHIFT), to = <u32>(usable.value(i) >> FRAME_SHIFT);
      fillBits(managed, from, to, Fill.Set);
      fillBits(free, from, to, Fill.Set);
      this.managedCount += to - from;
    }
    usable.release();
    this.freeCount = this.managedCount;
    for (let i = 0; i < runs.count; i++) {
      const end = runs.value(i);
      if (end > FOUR_GIB) this.aboveCount += (end - maximum(runs.key(i), FOUR_GIB)) >> FRAME_SHIFT;
    }
  }

  /** The first free frame at or after `from`, or the frame limit. */
  private firstFree(from: u64): u64 {
    const limit = <u64>this.words << 6;
    if (from >= limit) return limit;
    let word = <u32>(from >> 6);
    let bits = load<u64>(this.storage + (<usize>word << 3)) & (U64.MAX_VALUE << (from & 63));
    while (bits == 0) {
      if (++word >= this.words) return limit;
      bits = load<u64>(this.storage + (<usize>word << 3));
    }
    return (<u64>word << 6) + ctz(bits);
  }

  /** The first frame in [from, to) that is not free, or `to`; requires to <= the frame limit. */
  private firstUsed(from: u64, to: u64): u64 {
    let word = <u32>(from >> 6);
    let bits = ~load<u64>(this.storage + (<usize>word << 3)) & (U64.MAX_VALUE << (from & 63));
    while (bits == 0) {
      if ((<u64>++word << 6) >= to) return to;
      bits = ~load<u64>(this.storage + (<usize>word << 3));
    }
    return minimum((<u64>word << 6) + ctz(bits), to);
  }
}
