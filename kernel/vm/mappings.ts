// Changing an address space's mappings while it lives: map (an Anonymous region, filled on
// first touch by vm/fault.ts), unmap, protect, and clone (a copy-on-write child space, what fork
// will use). Every change to a leaf entry is followed by forgetTranslations() and the shootdown
// (user-half.ts). Unmap and protect cover at most VM_PAGES_MAXIMUM pages a call, so a call's work
// stays bounded (interrupts are masked while it runs); map is O(1) whatever its length. Called by
// the Memory capability (objects/memory.ts) and host-tested against a model
// (tests/host/vm.test.ts).

import { KernelError } from "../../abi/errors";
import { USER_HALF_END } from "../../abi/layout";
import { CHANGE_PAGES_MAXIMUM } from "../../abi/methods";
import { frameReferences, frameRelease, frameRetain } from "../memory/frames";
import { HUGE_PAGE_SIZE, PAGE_ADDRESS_MASK, PAGE_PRESENT, PAGE_SIZE, PAGE_WRITABLE, tableIndex } from "../memory/page-table";
import { Quota } from "../memory/quota";
import { AddressSpace, KernelErrorCell, leafFlags, UserAccess } from "./address-space";
import { FAULT_WRITE, FaultOutcome, vmFault } from "./fault";
import { Backing, PageSource, Region, REGIONS_MAXIMUM } from "./regions";
import { SharedFrames } from "./shared-frames";
import { userHalfShootdown } from "./user-half";

/** The end of the page table's 2 MiB that holds `page`, or `end` when that comes first: the walks
 * below go a page table at a time. */
@inline function tableEnd(page: u64, end: u64): u64 {
  return min(end, (page | (HUGE_PAGE_SIZE - 1)) + 1);
}

/** The page table holding `page`'s leaf entry in `space` (its physical address), 0 when none. */
@inline function leafTable(space: AddressSpace, page: u64): u64 {
  const slot = space.leafSlot(page, false);
  return slot == 0 ? 0 : slot & ~(PAGE_SIZE - 1);
}

/** Pages one unmap or protect covers at most: one page table's worth. */
export const VM_PAGES_MAXIMUM: u64 = CHANGE_PAGES_MAXIMUM;

/** Checks a range of `pages` pages from `start`: None, Unaligned, InvalidArgument (no pages, an
 * access that is not one) or OutOfRange (past the user half or wrapping). */
function rangeError(start: u64, pages: u64, access: i32): KernelError {
  if ((start & (PAGE_SIZE - 1)) != 0) return KernelError.Unaligned;
  if (pages == 0 || access < 0 || access > <i32>UserAccess.None) return KernelError.InvalidArgument;
  // Written so that nothing wraps: a start in the kernel half plus a length must not come back low.
  if (start == 0 || start >= USER_HALF_END || pages > (USER_HALF_END - start) / PAGE_SIZE) return KernelError.OutOfRange;
  return KernelError.None;
}

/** Whether vmMap may make the region: None, Unaligned, InvalidArgument (no pages, an access
 * that is not one), OutOfRange (also a growth below page 1), AlreadyMapped (a region overlaps
 * it), TableFull (REGIONS_MAXIMUM). */
export function vmMapCheck(space: AddressSpace, start: u64, pages: u64, access: i32, growPages: u64 = 0): KernelError {
  const error = rangeError(start, pages, access);
  if (error != KernelError.None) return error;
  if (growPages >= start / PAGE_SIZE) return KernelError.OutOfRange;
  if (space.regions.overlaps(start, start + pages * PAGE_SIZE)) return KernelError.AlreadyMapped;
  return space.regions.count >= REGIONS_MAXIMUM ? KernelError.TableFull : KernelError.None;
}

/** A new Anonymous region of `pages` pages at `start` with `access`, its pages charged to `quota`
 * as they are touched, growing down by up to `growPages` more on faults below it (a stack);
 * vmMapCheck passed. The caller charges the region's heap bytes. */
export function vmMap(space: AddressSpace, start: u64, pages: u64, access: i32, quota: Quota, growPages: u64 = 0): void {
  vmMapFrom(space, start, pages, access, quota, null, 0);
  if (growPages != 0) space.regions.find(start)!.growLimit = start - growPages * PAGE_SIZE;
}

/** As vmMap (no growth), the pages filled on their first touch from `source` at `offset` onward
 * (page-aligned) instead of zeros; the region holds a reference to `source`. */
export function vmMapFrom(space: AddressSpace, start: u64, pages: u64, access: i32, quota: Quota, source: PageSource | null, offset: u64): void {
  const region = new Region(start, start + pages * PAGE_SIZE, access, Backing.Anonymous, quota);
  if (source !== null) {
    source.retain();
    region.source = source;
    region.sourceOffset = offset;
  }
  if (space.regions.insert(region) != KernelError.None) abort("vmMap: a region vmMapCheck passed was refused");
}

/** Moves the end of the Anonymous region that ends at `end` to `newEnd` (a program break's
 * growth), when [end, newEnd) is free: None, NotFound (no such region), AlreadyMapped. The region
 * charges its pages as they are touched, as vmMap's do. */
export function vmExtend(space: AddressSpace, end: u64, newEnd: u64): KernelError {
  if ((newEnd & (PAGE_SIZE - 1)) != 0 || newEnd <= end || newEnd > USER_HALF_END) return KernelError.InvalidArgument;
  const region = space.regions.find(end - 1);
  if (region === null || region.end != end || region.backing != Backing.Anonymous) return KernelError.NotFound;
  if (space.regions.overlaps(end, newEnd) || space.regions.growing(newEnd - 1) !== null) return KernelError.AlreadyMapped;
  region.end = newEnd;
  return KernelError.None;
}

/** Whether unmap or protect may change [start, end): None, NotPermitted (a region the loader or
 * the kernel made lies in it: Image, Fixed or Pinned; only Anonymous and Shared regions change),
 * TableFull (the splits would pass REGIONS_MAXIMUM). */
function changeError(space: AddressSpace, start: u64, end: u64): KernelError {
  const regions = space.regions;
  if (regions.touches(start, end, Backing.Image) || regions.touches(start, end, Backing.Fixed) || regions.touches(start, end, Backing.Pinned)) {
    return KernelError.NotPermitted;
  }
  if (regions.count + regions.splitsNeeded(start, end) > REGIONS_MAXIMUM) return KernelError.TableFull;
  return KernelError.None;
}

/** Whether vmMapShared may map `shared` whole at `start`: as vmMapCheck. */
export function vmMapSharedCheck(space: AddressSpace, start: u64, shared: SharedFrames, access: i32): KernelError {
  return vmMapCheck(space, start, shared.pages, access);
}

/** The page tables vmMapShared may make for `pages` pages from any start: at each level, one per
 * span it covers and two more for the ends (a PT spans 512 pages, a directory 2^18, a PDPT 2^27). */
export function vmMapSharedTables(pages: u64): u64 {
  return pages / 512 + 2 + pages / (1 << 18) + 2 + pages / (1 << 27) + 2;
}

/** Maps every frame of `shared` at `start` (vmMapSharedCheck passed, and the caller checked
 * vmMapSharedTables frames free and that the account can pay for them): a Shared region holding
 * `shared`, the pages present at once (each frame retained). The tables go to ownedFrames. */
export function vmMapShared(space: AddressSpace, start: u64, shared: SharedFrames, access: i32): void {
  const region = new Region(start, start + shared.pages * PAGE_SIZE, access, Backing.Shared, null);
  shared.retain();
  region.shared = shared;
  if (space.regions.insert(region) != KernelError.None) abort("vmMapShared: a region vmMapSharedCheck passed was refused");
  const flags = leafFlags(<UserAccess>access);
  for (let i: u64 = 0; i < shared.pages; i++) {
    const page = start + i * PAGE_SIZE;
    const slot = space.leafSlot(page, true);
    if (slot == 0) abort("vmMapShared: no frame for a page table decode counted");
    const frame = shared.frames[<i32>i];
    frameRetain(frame);
    store<u64>(<usize>slot, frame | flags);
    space.noteFilled(slot, page);
  }
  space.forgetTranslations();
}

/** Whether vmUnmap may take [start, start + pages) out: None, Unaligned, InvalidArgument (no
 * pages, more than VM_PAGES_MAXIMUM), OutOfRange, NotPermitted, TableFull. */
export function vmUnmapCheck(space: AddressSpace, start: u64, pages: u64): KernelError {
  let error = rangeError(start, pages, 0);
  if (error == KernelError.None && pages > VM_PAGES_MAXIMUM) error = KernelError.InvalidArgument;
  if (error == KernelError.None) error = changeError(space, start, start + pages * PAGE_SIZE);
  return error;
}

/** Takes the regions in [start, start + pages) out of `space` (vmUnmapCheck passed), freeing
 * their pages (a frame shared with another space lives on) and giving back their charges. Pages
 * with no region are fine (nothing happens there). The page tables stay (charged as they were)
 * until the space goes. */
export function vmUnmap(space: AddressSpace, start: u64, pages: u64): void {
  const end = start + pages * PAGE_SIZE;
  space.regions.isolate(start, end);
  const removed = space.regions.remove(start, end);
  for (let i = 0; i < removed.length; i++) {
    const region = removed[i];
    for (let page = region.start; page < region.end; page += PAGE_SIZE) {
      const slot = space.leafSlot(page, false);
      if (slot == 0) continue;
      const entry = load<u64>(<usize>slot);
      if (!(entry & PAGE_PRESENT)) continue;
      store<u64>(<usize>slot, 0);
      frameRelease(entry & PAGE_ADDRESS_MASK);
      if (region.backing == Backing.Anonymous) space.unchargeAnonymous(region.quota!, 1);
    }
    region.release();
  }
  space.forgetTranslations();
  userHalfShootdown(space, start, pages);
}

/** Whether vmProtect may change [start, start + pages): as vmUnmapCheck, and NotFound when part of
 * the range has no region (before NotPermitted and TableFull). */
export function vmProtectCheck(space: AddressSpace, start: u64, pages: u64, access: i32): KernelError {
  let error = rangeError(start, pages, access);
  if (error == KernelError.None && pages > VM_PAGES_MAXIMUM) error = KernelError.InvalidArgument;
  const end = start + pages * PAGE_SIZE;
  if (error == KernelError.None && !space.regions.covers(start, end)) error = KernelError.NotFound;
  if (error == KernelError.None) error = changeError(space, start, end);
  return error;
}

/** Gives the regions in [start, start + pages) `access` (vmProtectCheck passed), at once for the
 * pages present. A page made writable stays read-only while another space shares its frame
 * (copy-on-write: the first write copies it). */
export function vmProtect(space: AddressSpace, start: u64, pages: u64, access: i32): void {
  const end = start + pages * PAGE_SIZE;
  const inside = space.regions.isolate(start, end);
  const flags = leafFlags(<UserAccess>access);
  for (let i = 0; i < inside.length; i++) {
    const region = inside[i];
    region.access = access;
    for (let page = region.start; page < region.end; page += PAGE_SIZE) {
      const slot = space.leafSlot(page, false);
      if (slot == 0) continue;
      const entry = load<u64>(<usize>slot);
      if (!(entry & PAGE_PRESENT)) continue;
      const frame = entry & PAGE_ADDRESS_MASK;
      let next = frame | flags;
      // Another holder of a private page sees it copy-on-write; a shared object's page is shared.
      if ((flags & PAGE_WRITABLE) && region.backing != Backing.Shared && frameReferences(frame) != 1) next &= ~PAGE_WRITABLE;
      store<u64>(<usize>slot, next);
    }
  }
  space.forgetTranslations();
  userHalfShootdown(space, start, pages);
}

/** Drops the pages present in [start, start + pages) of the Anonymous regions there (Linux's
 * MADV_DONTNEED): each reads again as its region's first touch gives it (zeros, or its source's
 * bytes), and its charge comes back. Regions stay as they are; pages of other backings are left
 * alone. At most VM_PAGES_MAXIMUM pages. */
export function vmDiscard(space: AddressSpace, start: u64, pages: u64): void {
  const end = start + pages * PAGE_SIZE;
  let dropped = false;
  for (let page = start; page < end; page += PAGE_SIZE) {
    const region = space.regions.find(page);
    if (region === null || region.backing != Backing.Anonymous) continue;
    const slot = space.leafSlot(page, false);
    if (slot == 0) continue;
    const entry = load<u64>(<usize>slot);
    if (!(entry & PAGE_PRESENT)) continue;
    store<u64>(<usize>slot, 0);
    frameRelease(entry & PAGE_ADDRESS_MASK);
    space.unchargeAnonymous(region.quota!, 1);
    dropped = true;
  }
  if (!dropped) return;
  space.forgetTranslations();
  userHalfShootdown(space, start, pages);
}

/** Page tables vmMove may make for `pages` pages at any destination: as vmMapSharedTables. */
export function vmMoveTables(pages: u64): u64 {
  return vmMapSharedTables(pages);
}

/** Whether vmMove may move [from, from + pages) to `to` and size it `newPages`: None, or
 * NotFound (the range is not inside one region), NotPermitted (the region is not Anonymous or
 * Shared, or it is Shared and would grow), AlreadyMapped (the destination overlaps a region other
 * than the source range), TableFull (the splits), OutOfRange (past the user half). The caller
 * checks frames and the account for vmMoveTables(newPages). */
export function vmMoveCheck(space: AddressSpace, from: u64, pages: u64, to: u64, newPages: u64): KernelError {
  if (((from | to) & (PAGE_SIZE - 1)) != 0) return KernelError.Unaligned;
  if (pages == 0 || newPages == 0) return KernelError.InvalidArgument;
  if (to == 0 || to >= USER_HALF_END || newPages > (USER_HALF_END - to) / PAGE_SIZE) return KernelError.OutOfRange;
  if (from == 0 || from >= USER_HALF_END || pages > (USER_HALF_END - from) / PAGE_SIZE) return KernelError.OutOfRange;
  const end = from + pages * PAGE_SIZE;
  const region = space.regions.find(from);
  if (region === null || region.end < end) return KernelError.NotFound;
  if (region.backing != Backing.Anonymous && region.backing != Backing.Shared) return KernelError.NotPermitted;
  if (region.backing == Backing.Shared && newPages > pages) return KernelError.NotPermitted;
  const newEnd = to + newPages * PAGE_SIZE;
  // In place, what it grows into is free; elsewhere, all of the destination (the old range too).
  if (to == from ? newEnd > end && space.regions.overlaps(end, newEnd) : space.regions.overlaps(to, newEnd)) return KernelError.AlreadyMapped;
  // Two splits around the range, one more for a shrink's tail.
  if (space.regions.count + space.regions.splitsNeeded(from, end) + 1 > REGIONS_MAXIMUM) return KernelError.TableFull;
  return KernelError.None;
}

/** Moves [from, from + pages) to `to` (vmMoveCheck passed, and the caller made sure the frames
 * and the account can pay for vmMoveTables(newPages) page tables, which go to ownedFrames): the
 * one region there leaves its neighbours and its present pages' entries move with it, frames,
 * charges and copy-on-write state unchanged; it is then `newPages` long (an Anonymous region's
 * new pages are demand-zero, or its source's; a shrink drops the pages past its new end).
 * Work is proportional to the pages moved. */
export function vmMove(space: AddressSpace, from: u64, pages: u64, to: u64, newPages: u64): void {
  const end = from + pages * PAGE_SIZE;
  if (newPages < pages) {
    vmUnmapAll(space, from + newPages * PAGE_SIZE, pages - newPages);
    pages = newPages;
  }
  const regionEnd = from + pages * PAGE_SIZE;
  space.regions.isolate(from, regionEnd);
  const region = space.regions.remove(from, regionEnd)[0];
  if (to != from) {
    for (let i: u64 = 0; i < pages; i++) {
      const page = from + i * PAGE_SIZE;
      const slot = space.leafSlot(page, false);
      if (slot == 0) {   // no page table: the rest of its 2 MiB is empty too
        i = (tableEnd(page, u64.MAX_VALUE) - from) / PAGE_SIZE - 1;
        continue;
      }
      const entry = load<u64>(<usize>slot);
      if (!(entry & PAGE_PRESENT)) continue;
      store<u64>(<usize>slot, 0);
      const target = to + i * PAGE_SIZE;
      const targetSlot = space.leafSlot(target, true);
      if (targetSlot == 0) abort("vmMove: no frame for a page table the caller counted");
      store<u64>(<usize>targetSlot, entry);
      space.noteFilled(targetSlot, target);
    }
  }
  region.start = to;
  region.end = to + newPages * PAGE_SIZE;
  region.growLimit = 0;
  if (space.regions.insert(region) != KernelError.None) abort("vmMove: a destination vmMoveCheck passed was refused");
  space.forgetTranslations();
  if (to != from) userHalfShootdown(space, from, (end - from) / PAGE_SIZE);
}

/** vmUnmap over any number of pages, VM_PAGES_MAXIMUM at a time (the range changes: checked). */
function vmUnmapAll(space: AddressSpace, start: u64, pages: u64): void {
  for (let done: u64 = 0; done < pages; done += VM_PAGES_MAXIMUM) vmUnmap(space, start + done * PAGE_SIZE, min(VM_PAGES_MAXIMUM, pages - done));
}

/** Copies into `to` what `from`, a copy-on-write clone of it, wrote since the clone: every page
 * of a writable Anonymous or Fixed region of `to` that is writable in `from` with a frame not
 * `to`'s (a page `from` copied on a write, or filled on a first touch and not all zero). `to`'s page is made
 * private and writable first, as a write of its own would (vmFault: charged to its region's
 * quota). A page that cannot be (no quota, no frame) is left as it was. Used when a vfork child
 * execs or ends, its parent suspended since the clone, so the parent sees its memory as if the
 * two had shared it. Returns the pages copied; work is proportional to `to`'s writable pages. */
export function vmWriteBack(from: AddressSpace, to: AddressSpace): u64 {
  let copied: u64 = 0;
  const regions = to.regions.regions;
  for (let r = 0; r < regions.length; r++) {
    const region = regions[r];
    if (region.access != <i32>UserAccess.ReadWrite || (region.backing != Backing.Anonymous && region.backing != Backing.Fixed)) continue;
    let page = region.start;
    while (page < region.end) {
      const chunkEnd = tableEnd(page, region.end);
      const table = leafTable(from, page);
      if (table == 0) {
        page = chunkEnd;
        continue;
      }
      for (; page < chunkEnd; page += PAGE_SIZE) {
        const entry = load<u64>(<usize>(table + (tableIndex(page, 0) << 3)));
        // Only what `from` wrote: after the clone every shared page is read-only in both, and a
        // write (its own, or the kernel's copy-out) made it private and writable. A page `from`
        // never wrote is left, even where `to`'s frame changed since (the kernel wrote to it).
        if ((entry & (PAGE_PRESENT | PAGE_WRITABLE)) != (PAGE_PRESENT | PAGE_WRITABLE)) continue;
        const frame = entry & PAGE_ADDRESS_MASK;
        const own = to.leaf(page);
        if ((own & PAGE_PRESENT) && (own & PAGE_ADDRESS_MASK) == frame) continue;
        if (!(own & PAGE_PRESENT) && pageZero(frame)) continue;
        if (vmFault(to, page, FAULT_WRITE | (own & PAGE_PRESENT)) != FaultOutcome.Resolved) continue;
        memory.copy(<usize>(to.leaf(page) & PAGE_ADDRESS_MASK), <usize>frame, <usize>PAGE_SIZE);
        copied++;
      }
    }
  }
  return copied;
}

/** Whether the frame at `frame` holds only zeros. */
function pageZero(frame: u64): bool {
  for (let at: u64 = 0; at < PAGE_SIZE; at += 8) if (load<u64>(<usize>(frame + at)) != 0) return false;
  return true;
}

/** Whether the quotas that pay for `parent`'s Anonymous pages can pay for a clone's: None or
 * QuotaExceeded (each is charged as much again, page tables included: an upper bound). */
export function vmCloneCheck(parent: AddressSpace): KernelError {
  const quotas = parent.chargeQuotas;
  for (let i = 0; i < quotas.length; i++) {
    if (quotas[i].available < parent.chargePages[i]) return KernelError.QuotaExceeded;
  }
  return KernelError.None;
}

/** A copy-on-write copy of `parent`: the same regions (Pinned ones left out), every page present
 * shared (each frame retained once more) and read-only in both until one writes it (vm/fault.ts
 * copies it then); a shared object's pages stay shared and writable. The child's Anonymous pages are charged to the same quotas as the parent's.
 * Null with `error` OutOfMemory (no frame for a table) or QuotaExceeded (a quota cannot pay for
 * the child's pages). The child's Fixed pages and tables are in its ownedFrames for its process's
 * account; the caller checks that account. Work is proportional to the parent's pages. */
export function vmClone(parent: AddressSpace, error: KernelErrorCell): AddressSpace | null {
  error.value = vmCloneCheck(parent);
  if (error.value != KernelError.None) return null;
  const child = AddressSpace.create();
  if (child === null) { error.value = KernelError.OutOfMemory; return null; }
  const regions = parent.regions.regions;
  let shared: u64 = 0;
  for (let r = 0; r < regions.length; r++) {
    const region = regions[r], backing = region.backing;
    if (backing == Backing.Pinned) continue;
    if (child.regions.insert(region.part(region.start, region.end)) != KernelError.None) abort("vmClone: region refused");
    const sharedBefore = shared;
    let anonymous: u64 = 0;
    // A page table at a time: one walk for each side per 2 MiB, then a tight loop over its entries.
    let page = region.start;
    while (page < region.end) {
      const chunkEnd = tableEnd(page, region.end);
      const parentTable = leafTable(parent, page);
      if (parentTable == 0) {
        page = chunkEnd;
        continue;
      }
      let childTable: u64 = 0;
      for (; page < chunkEnd; page += PAGE_SIZE) {
        const slot = parentTable + (tableIndex(page, 0) << 3);
        const entry = load<u64>(<usize>slot);
        if (!(entry & PAGE_PRESENT)) continue;
        if (childTable == 0) {
          const childFirst = child.leafSlot(page, true);
          if (childFirst == 0) {
            child.destroy();
            error.value = KernelError.OutOfMemory;
            return null;
          }
          childTable = childFirst & ~(PAGE_SIZE - 1);
        }
        const childSlot = childTable + (tableIndex(page, 0) << 3);
        // A shared object's page stays shared and writable in both; any other becomes copy-on-write.
        const copied = backing == Backing.Shared ? entry : entry & ~PAGE_WRITABLE;
        store<u64>(<usize>slot, copied);
        frameRetain(entry & PAGE_ADDRESS_MASK);
        store<u64>(<usize>childSlot, copied);
        child.noteFilled(childSlot, page);
        shared++;
        if (backing == Backing.Anonymous) anonymous++;
      }
    }
    if (anonymous != 0) child.chargeAnonymous(region.quota!, anonymous);
    else if (backing == Backing.Fixed) child.ownedFrames += shared - sharedBefore;
  }
  parent.forgetTranslations();
  if (shared != 0) userHalfShootdown(parent, 0, USER_HALF_END / PAGE_SIZE);
  error.value = KernelError.None;
  return child;
}
