// The regions of an address space: what each range of user pages is, whether or not its pages
// are present yet. A region is a page-aligned [start, end) with an access (read, read-write,
// read-execute) and a backing (docs/ARCHITECTURE.md, "Virtual memory"):
// - Anonymous: zero-filled on the first touch (vm/fault.ts), or filled from the region's
//   PageSource (a file mapped private: the Linux personality's), charged page by page to the
//   quota the region was made with (the space keeps the totals per quota); private,
//   copy-on-write after a clone.
// - Image: a boot program's read-only pages, shared with the boot package and every process
//   running it; unmap and protect refuse it (NotPermitted).
// - Fixed: what the loader and the kernel map eagerly (writable image segments, stacks, rings,
//   linear memory grown through Memory.grow): present for the region's life, paid for by the
//   process's account or a Memory charge; map, unmap and protect refuse it (NotPermitted). A
//   clone shares its pages copy-on-write.
// - Pinned: pages the kernel also reaches by their frames (a thread's ring): like Fixed, but a
//   clone leaves them out (it makes its own) and they are never copy-on-write.
// - Shared: a shared memory object's frames (shared-frames.ts), mapped whole when mapped; a
//   write reaches every space that maps it (never copy-on-write, also across a clone); unmap and
//   protect may change it.
// The map is a sorted array, searched by halves; neighbours are never merged (a region's
// charges stay with it). At most REGIONS_MAXIMUM regions per space, so a process's splits and
// maps cannot grow the kernel heap without bound. Host-tested against a model
// (tests/host/vm.test.ts).

import { KernelError } from "../../abi/errors";
import { listInsertAt } from "../collections/lists";
import { arrayBytes, instanceBytes } from "../memory/heap-cost";
import { Quota } from "../memory/quota";
import { SharedFrames } from "./shared-frames";

/** Regions one address space may have: every map, and every split an unmap or protect makes,
 * counts. */
export const REGIONS_MAXIMUM: i32 = 1024;

export enum Backing {
  Anonymous = 0,
  Image = 1,
  Fixed = 2,
  Pinned = 3,
  Shared = 4,
}

/** Where an Anonymous region's pages come from on their first touch instead of zeros (a file
 * mapped private): the layer above subclasses it (vm/ imports no file system). Held by every
 * region that names it (part() retains it once more); the last release lets go of what it reads. */
export class PageSource {
  private references: u32 = 1;

  /** Fills the zeroed page frame at `destination` (a kernel address) with the source's bytes from
   * `offset` (page-aligned); what lies past the source's end stays zero. Must not fail. */
  fill(offset: u64, destination: usize): void { abort("PageSource.fill: not overridden"); }

  /** What the last release lets go of. */
  dispose(): void {}

  retain(): void {
    if (this.references == 0) abort("PageSource.retain: already released");
    this.references++;
  }

  release(): void {
    if (this.references == 0) abort("PageSource.release: no reference left");
    if (--this.references == 0) this.dispose();
  }
}

/** Heap bytes a region's PageSource costs at most (a subclass holds one reference). */
export const PAGE_SOURCE_BYTES: u64 = 64;

export class Region {
  /** Anonymous: where its pages come from on their first touch (null: zeros), held by the
   * region, and the offset in it of the region's first page. */
  source: PageSource | null = null;
  sourceOffset: u64 = 0;

  /** Backing.Shared: the frames, held by the region, and the index of its first page's frame. */
  shared: SharedFrames | null = null;
  sharedOffset: u64 = 0;

  /** A stack's region grows down on a fault below it, page by page, to this address at the
   * lowest (0: it does not grow); always kept a page clear of the region below (vm/fault.ts). */
  growLimit: u64 = 0;

  /** `quota` (Anonymous only) pays for the pages touched; the region holds a reference to it
   * until dropped (release). */
  constructor(public start: u64, public end: u64, public access: i32, readonly backing: Backing, readonly quota: Quota | null) {
    if (quota !== null) quota.retain();
  }

  /** A copy of [start, end) of this region's attributes, holding the same quota; it grows down as
   * this one does when it starts where this one does. */
  part(start: u64, end: u64): Region {
    const part = new Region(start, end, this.access, this.backing, this.quota);
    if (start == this.start) part.growLimit = this.growLimit;
    const shared = this.shared;
    if (shared !== null) {
      shared.retain();
      part.shared = shared;
      part.sharedOffset = this.sharedOffset + ((start - this.start) >> 12);
    }
    const source = this.source;
    if (source !== null) {
      source.retain();
      part.source = source;
      part.sourceOffset = this.sourceOffset + (start - this.start);
    }
    return part;
  }

  /** The shared frame of page `page` (Backing.Shared). */
  sharedFrame(page: u64): u64 {
    return this.shared!.frames[<i32>(this.sharedOffset + ((page - this.start) >> 12))];
  }

  /** Drops the region's references to its quota, its shared frames and its source (the region
   * is out of every map). */
  release(): void {
    const quota = this.quota;
    if (quota !== null) quota.release();
    const shared = this.shared;
    if (shared !== null) shared.release();
    const source = this.source;
    if (source !== null) source.release();
  }
}

export class RegionMap {
  /** Sorted by start, disjoint. */
  readonly regions: Region[] = [];

  get count(): i32 { return this.regions.length; }

  /** The index of the first region whose end lies above `address` (count when none does). */
  private firstEndingAbove(address: u64): i32 {
    const regions = this.regions;
    let low = 0, high = regions.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (unchecked(regions[middle]).end <= address) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The region holding `address`, or null. */
  find(address: u64): Region | null {
    const index = this.firstEndingAbove(address);
    if (index == this.regions.length) return null;
    const region = unchecked(this.regions[index]);
    return region.start <= address ? region : null;
  }

  /** The region that would grow down to cover `address` (in none): the first region above it,
   * when it grows down at least that far and no region lies in the page below `address`'s page
   * (the guard gap). Null otherwise. */
  growing(address: u64): Region | null {
    const index = this.firstEndingAbove(address);
    if (index == this.regions.length) return null;
    const above = unchecked(this.regions[index]);
    const page = address & ~(<u64>4095);
    if (above.start <= address || above.growLimit == 0 || page < above.growLimit) return null;
    if (page >= 4096 && this.overlaps(page - 4096, page)) return null;
    return above;
  }

  /** Whether any region overlaps [start, end). */
  overlaps(start: u64, end: u64): bool {
    const index = this.firstEndingAbove(start);
    return index < this.regions.length && unchecked(this.regions[index]).start < end;
  }

  /** Whether regions cover [start, end) without a gap. */
  covers(start: u64, end: u64): bool {
    let index = this.firstEndingAbove(start), at = start;
    while (at < end) {
      if (index == this.regions.length) return false;
      const region = unchecked(this.regions[index]);
      if (region.start > at) return false;
      at = region.end;
      index++;
    }
    return true;
  }

  /** Whether any region overlapping [start, end) has `backing`. */
  touches(start: u64, end: u64, backing: Backing): bool {
    for (let index = this.firstEndingAbove(start); index < this.regions.length; index++) {
      const region = unchecked(this.regions[index]);
      if (region.start >= end) break;
      if (region.backing == backing) return true;
    }
    return false;
  }

  /** How many regions splitting at `start` and `end` would add (0 to 2). */
  splitsNeeded(start: u64, end: u64): i32 {
    let splits = 0;
    const first = this.find(start);
    if (first !== null && first.start < start) splits++;
    const last = this.find(end);
    if (last !== null && last.start < end) splits++;
    return splits;
  }

  /** Adds `region`, which overlaps none; TableFull past REGIONS_MAXIMUM, AlreadyMapped on overlap. */
  insert(region: Region): KernelError {
    if (this.regions.length >= REGIONS_MAXIMUM) return KernelError.TableFull;
    if (this.overlaps(region.start, region.end)) return KernelError.AlreadyMapped;
    listInsertAt<Region>(this.regions, this.firstEndingAbove(region.start), region);
    return KernelError.None;
  }

  /** Makes `address` a boundary between regions (splits the region across it, if any). The
   * caller checked splitsNeeded against REGIONS_MAXIMUM. */
  private splitAt(address: u64): void {
    const index = this.firstEndingAbove(address);
    if (index == this.regions.length) return;
    const region = unchecked(this.regions[index]);
    if (region.start >= address) return;
    const lower = region.part(region.start, address);
    region.sharedOffset += (address - region.start) >> 12;
    region.sourceOffset += address - region.start;
    region.start = address;
    region.growLimit = 0;   // the lower part grows now
    listInsertAt<Region>(this.regions, index, lower);
  }

  /** Splits at `start` and `end` and returns the regions inside [start, end), in order (still in
   * the map). The caller checked splitsNeeded against REGIONS_MAXIMUM. */
  isolate(start: u64, end: u64): Region[] {
    this.splitAt(start);
    this.splitAt(end);
    const inside: Region[] = [];
    for (let index = this.firstEndingAbove(start); index < this.regions.length; index++) {
      const region = unchecked(this.regions[index]);
      if (region.start >= end) break;
      inside.push(region);
    }
    return inside;
  }

  /** Takes out the regions inside [start, end) (isolate first); returns them, still holding
   * their quotas (the caller releases each, or inserts it again: a move). */
  remove(start: u64, end: u64): Region[] {
    const first = this.firstEndingAbove(start);
    let last = first;
    while (last < this.regions.length && unchecked(this.regions[last]).start < end) last++;
    return this.regions.splice(first, last - first);
  }
}

/** Heap bytes of a map of `count` regions, at most (its array's capacity may be twice its length). */
export function regionsBytes(count: i32): u64 {
  return instanceBytes<RegionMap>() + arrayBytes<Region>(<u64>max(8, 2 * count)) + <u64>count * (instanceBytes<Region>() + PAGE_SOURCE_BYTES);
}
