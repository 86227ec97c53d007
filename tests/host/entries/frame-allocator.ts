// Host-test entry for kernel/memory/frame-allocator.ts: tests/host/frame-allocator.test.ts builds
// a map and exclusions entry by entry, then drives one allocator through flat exports. Its
// storage is a static area; the frames it hands out are only numbers, never backed here.

import { MemoryMapEntry } from "../../../kernel/boot/multiboot2";
import { FrameAllocator } from "../../../kernel/memory/frame-allocator";
import { PhysicalRange } from "../../../kernel/memory/physical-range";

const STORAGE_CAPACITY: u32 = 256 * 1024 + 4096; // the most a 4 GiB map needs, plus room to misalign
const storageArea = memory.data(STORAGE_CAPACITY, 4096);

let map: MemoryMapEntry[] = [];
let exclusions: PhysicalRange[] = [];
let allocator: FrameAllocator | null = null;

export function storageAddress(): usize { return storageArea; }
export function storageCapacity(): u32 { return STORAGE_CAPACITY; }

/** Forgets the map, the exclusions and the allocator. */
export function reset(): void {
  map = [];
  exclusions = [];
  allocator = null;
}

export function addEntry(base: u64, length: u64, type: u32): void {
  const entry = new MemoryMapEntry();
  entry.base = base;
  entry.length = length;
  entry.type = type;
  map.push(entry);
}

export function addExclusion(start: u64, end: u64): void {
  exclusions.push(new PhysicalRange(start, end));
}

export function storageBytes(): u32 { return FrameAllocator.storageBytes(map); }
export function findStorage(lowest: u64): usize { return FrameAllocator.findStorage(map, exclusions, lowest); }
export function check(storage: usize): i32 { return FrameAllocator.check(map, exclusions, storage); }

/** create() at `storage`; returns what check() says, and aborts if create() disagrees with it
 * or would write past the static area. */
export function create(storage: usize): i32 {
  const error = FrameAllocator.check(map, exclusions, storage);
  if (error == 0 && <u64>storage + FrameAllocator.storageBytes(map) > <u64>storageArea + STORAGE_CAPACITY) {
    abort("test entry: storage runs past the static area");
  }
  allocator = FrameAllocator.create(map, exclusions, storage);
  if ((allocator == null) != (error != 0)) abort("test entry: create() and check() disagree");
  return error;
}

export function allocate(): u64 { return allocator!.allocate(); }
export function allocateContiguous(count: u32, alignmentFrames: u32): u64 {
  return allocator!.allocateContiguous(count, alignmentFrames);
}
export function free(address: u64): i32 { return allocator!.free(address); }
export function lastError(): i32 { return allocator!.lastError; }
export function totalFrames(): u32 { return allocator!.totalFrames; }
export function freeFrames(): u32 { return allocator!.freeFrames; }
export function usedFrames(): u32 { return allocator!.usedFrames; }
export function framesAbove4G(): u64 { return allocator!.framesAbove4G; }
