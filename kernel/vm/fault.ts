// Resolving a user page fault from the regions (regions.ts): a first touch of an Anonymous page
// maps a zeroed frame charged to the region's quota (demand zero; filled from the region's
// PageSource when it has one: a file mapped private), and a touch just below a
// region that grows down (a stack) extends it down to that page (within its limit, a page
// clear of the region below); a write to a read-only page of
// a writable region copies the frame when another space still shares it, or just makes it
// writable when no one does (the copy-on-write break); a fault on an entry that already allows
// the access was a stale translation and is dropped. Anything else is the process's own fault
// (syscall/fault.ts ends it). Called by syscall/fault.ts, and by user-memory.ts so that a
// copy-out breaks copy-on-write and a copy-in fills a demand-zero page, as a user access would.

import { frameAllocateZeroed, frameReferences, frameRelease, framesFree } from "../memory/frames";
import { PAGE_ADDRESS_MASK, PAGE_NO_EXECUTE, PAGE_PRESENT, PAGE_SIZE, PAGE_WRITABLE } from "../memory/page-table";
import { AddressSpace, leafFlags, UserAccess } from "./address-space";
import { Backing } from "./regions";
import { userHalfShootdown } from "./user-half";

export enum FaultOutcome {
  /** The access can be retried: it will succeed. */
  Resolved = 0,
  /** No region holds the address. */
  NoRegion = 1,
  /** The region does not allow the access (a write to read-only memory, a fetch from data). */
  Denied = 2,
  /** The page would need memory past its region's quota. */
  QuotaExceeded = 3,
  /** No frame is left for the page or a page table. */
  OutOfMemory = 4,
}

/** Page-fault error code bits (Intel SDM vol. 3A, 4.7). */
export const FAULT_PRESENT: u64 = 1 << 0;
export const FAULT_WRITE: u64 = 1 << 1;
export const FAULT_RESERVED: u64 = 1 << 3;
export const FAULT_FETCH: u64 = 1 << 4;

/** Resolves a fault at user `address` with the CPU's `errorCode` (only its write and fetch bits
 * matter: the entry is read again). */
export function vmFault(space: AddressSpace, address: u64, errorCode: u64): FaultOutcome {
  let region = space.regions.find(address);
  let grows = false;
  if (region === null) {
    // Stack growth: the region above grows down to this page once it is mapped (below).
    region = space.regions.growing(address);
    if (region === null) return FaultOutcome.NoRegion;
    grows = true;
  }
  if ((errorCode & FAULT_RESERVED) != 0) return FaultOutcome.Denied;   // a kernel bug in an entry: retrying would loop
  if (region.access == UserAccess.None) return FaultOutcome.Denied;
  const write = (errorCode & FAULT_WRITE) != 0;
  if (write && region.access != UserAccess.ReadWrite) return FaultOutcome.Denied;
  if ((errorCode & FAULT_FETCH) != 0 && region.access != UserAccess.ReadExecute) return FaultOutcome.Denied;
  const page = address & ~(PAGE_SIZE - 1);
  let slot = space.leafSlot(page, false);
  const entry = slot != 0 ? load<u64>(<usize>slot) : 0;
  if (!(entry & PAGE_PRESENT)) {
    // Only Anonymous regions have pages not present.
    if (region.backing != Backing.Anonymous) return FaultOutcome.Denied;
    // The page, and the page tables it needs, are charged to the region's quota.
    const quota = region.quota!;
    const tables = slot == 0 ? space.tablesMissing(page) : 0;
    if (quota.available < 1 + tables) return FaultOutcome.QuotaExceeded;
    if (framesFree() < 1 + tables) return FaultOutcome.OutOfMemory;
    if (slot == 0) {
      const owned = space.ownedFrames;
      slot = space.leafSlot(page, true);
      space.ownedFrames = owned;
    }
    const frame = frameAllocateZeroed();
    const source = region.source;
    if (source !== null) source.fill(region.sourceOffset + (page - region.start), <usize>frame);
    store<u64>(<usize>slot, frame | leafFlags(<UserAccess>region.access));
    space.noteFilled(slot, page);
    space.chargeAnonymous(quota, 1 + tables);
    if (grows) region.start = page;
    space.forgetTranslations();
    return FaultOutcome.Resolved;   // a not-present entry is in no TLB
  }
  if (write && !(entry & PAGE_WRITABLE)) {
    if (region.backing == Backing.Pinned) return FaultOutcome.Denied;
    const frame = entry & PAGE_ADDRESS_MASK;
    let next = frame;
    // A shared object's page is written in place, whoever else maps it.
    if (region.backing != Backing.Shared && frameReferences(frame) != 1) {
      // Image regions are never writable (vmProtect changes only Anonymous ones), so the copy
      // replaces a page the space already pays for.
      next = frameAllocateZeroed();
      if (next == 0) return FaultOutcome.OutOfMemory;
      memory.copy(<usize>next, <usize>frame, <usize>PAGE_SIZE);
      frameRelease(frame);
    }
    store<u64>(<usize>slot, next | (entry & (PAGE_NO_EXECUTE | 0xfff)) | PAGE_WRITABLE);
    space.forgetTranslations();
    userHalfShootdown(space, page, 1);
    return FaultOutcome.Resolved;
  }
  // The entry allows the access: a translation cached before it changed (dropped now).
  userHalfShootdown(space, page, 1);
  return FaultOutcome.Resolved;
}
