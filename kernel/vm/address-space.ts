// A process's address space: its own PML4, whose lower half holds only what this module maps,
// every frame of it owned by the process; destroy() hands them all to reclaim.ts, which frees
// them, tables included, a bounded amount at a time. Its kernel half points at the kernel's
// PDPTs. Whether CR3 holds this PML4 or the CPU sees its lower half through another PML4 depends
// on the process-switch strategy (user-half.ts). Used by the loader, Memory, the user half and
// process teardown.
//
// What each range of the lower half is lives in its regions (regions.ts); the page tables hold
// what is present now. Mappings change (vm/mappings.ts, vm/fault.ts) and every change goes
// through forgetTranslations() and the shootdown (user-half.ts). leaf() keeps the last few user
// translations it walked: user-memory.ts checks and copies every IPC buffer through it, and a
// walk reads four table pages, each a TLB refill after an address-space switch.
//
// The space also lists the leaf entries it ever filled as runs, so that when the CPU stops
// showing it (user-half.ts, the accessed-bit strategy), forgetCachedPages() drops just the pages
// the CPU may have cached from the TLB; past SCAN_LIMIT entries filled it stops listing them and
// that strategy loads CR3 instead. Each space has an id never reused, which PCIDs are handed out
// to.

import { KernelError } from "../../abi/errors";
import { frameAllocateZeroed, frameRetain } from "../memory/frames";
import { arrayHeapBytes, instanceBytes, staticArrayBytes } from "../memory/heap-cost";
import { invalidatePage } from "../arch/hw";
import { kernelPml4, noExecuteFlag } from "../memory/kernel-space";
import {
  PAGE_ACCESSED, PAGE_ADDRESS_MASK, PAGE_HUGE, PAGE_PRESENT, PAGE_SIZE, PAGE_USER, PAGE_WRITABLE, readEntry, tableIndex,
  writeEntry,
} from "../memory/page-table";
import { USER_HALF_END } from "../../abi/layout";
import { userHalfTableAdded } from "./user-half";
import { reclaimSpace } from "./reclaim";
import { Backing, PAGE_SOURCE_BYTES, Region, RegionMap } from "./regions";
import { Quota } from "../memory/quota";

/** Page permissions a user mapping can have: read is implied. */
export enum UserAccess {
  Read = 0,
  ReadWrite = 1,
  ReadExecute = 2,
  /** No access (Linux's PROT_NONE): pages kept present but not user-accessible, every access a
   * fault. Only the kernel's own callers make it; the Memory capability's ABI has no such value. */
  None = 3,
}

const USER_TABLE_FLAGS: u64 = PAGE_PRESENT | PAGE_WRITABLE | PAGE_USER;

/** Translations leaf() keeps (a power of two), indexed by the low bits of the page number. */
const TRANSLATIONS: i32 = 8;
/** Above this many pages, scanning them for accessed bits would cost more than a CR3 load and
 * the refills after it (docs/PERFORMANCE.md, "The 512-page limit"). */
const SCAN_LIMIT: i32 = 512;

class AddressSpacesState {
  /** The id of the next space made (ids are never reused). */
  nextId: u64 = 1;
}
const state = new AddressSpacesState();

export class AddressSpace {
  /** Unique for the kernel's lifetime: what a PCID is handed out to (user-half.ts). */
  readonly id: u64 = state.nextId++;
  /** The PCID slot this space last got on some CPU (a hint; user-half.ts checks it). */
  pcidHint: u32 = 0xffff_ffff;
  /** Per cache line: the user page | 1 (0: empty), and its leaf entry. */
  private readonly cachedPages: StaticArray<u64> = new StaticArray<u64>(TRANSLATIONS);
  private readonly cachedLeaves: StaticArray<u64> = new StaticArray<u64>(TRANSLATIONS);
  /** The lower-half PML4 indices in use, in the order they were made. */
  topIndices: u64[] = [];
  /** Every mapped user page, as runs of neighbouring leaf entries in mapping order: per run the
   * physical address of its first leaf entry, one past its last, and its first user page
   * (emptied by destroy: a dead process may still be referenced). */
  private runs: u64[] = [];
  private pageCount: i32 = 0;
  /** Frames the space pays for through its process's account: the PML4, its tables and the
   * pages of Fixed regions (sched/process.ts), grown linear memory included; not Image pages (the
   * boot package pays) nor Anonymous ones (their quotas do, through `charges`). */
  ownedFrames: u64 = 1;
  /** Page tables of the lower half, whoever pays for them (a quota for an Anonymous page's): a
   * clone makes at most as many. */
  tables: u64 = 0;
  /** What each range of the lower half is. */
  readonly regions: RegionMap = new RegionMap();
  /** Anonymous pages present, per quota that pays for them (parallel lists; each quota retained). */
  chargeQuotas: Quota[] = [];
  chargePages: u64[] = [];

  private constructor(readonly pml4: u64) {}

  /** A new space sharing the kernel half; null when no frame is left. */
  static create(): AddressSpace | null {
    const pml4 = frameAllocateZeroed();
    if (pml4 == 0) return null;
    const kernel = kernelPml4();
    for (let index: u64 = 256; index < 512; index++) writeEntry(pml4, index, readEntry(kernel, index));
    return new AddressSpace(pml4);
  }

  /** Maps one zeroed new frame at user page `virtual`; returns its physical address, or 0 with
   * OutOfMemory / AlreadyMapped / OutOfRange in `error`. */
  mapNew(virtual: u64, access: UserAccess, error: KernelErrorCell): u64 {
    return this.map(virtual, 0, access, error);
  }

  /** Maps `frame`, which someone else owns and which must never be written through this mapping
   * (access Read or ReadExecute), at `virtual`. Returns the frame, or 0 with `error`. */
  mapShared(virtual: u64, frame: u64, access: UserAccess, error: KernelErrorCell): u64 {
    if (access == UserAccess.ReadWrite) { error.value = KernelError.InvalidArgument; return 0; }
    return this.map(virtual, frame, access, error);
  }

  /** Maps `frame`, which the kernel also reaches by its address (a thread's ring), read-write at
 * `virtual` in a Pinned region of one page, holding it once more (counted in ownedFrames: the
 * process pays for it while this space shows it). Returns the frame, or 0 with `error`. */
  mapPinned(virtual: u64, frame: u64, error: KernelErrorCell): u64 {
    if (this.regions.overlaps(virtual, virtual + PAGE_SIZE)) { error.value = KernelError.AlreadyMapped; return 0; }
    if (this.map(virtual, frame, UserAccess.ReadWrite, error) == 0) return 0;
    this.ownedFrames++;
    this.addRegion(virtual, virtual + PAGE_SIZE, UserAccess.ReadWrite, Backing.Pinned);
    return frame;
  }

  private map(virtual: u64, shared: u64, access: UserAccess, error: KernelErrorCell): u64 {
    if (virtual >= USER_HALF_END || (virtual & (PAGE_SIZE - 1)) != 0) { error.value = KernelError.OutOfRange; return 0; }
    const slot = this.leafSlot(virtual, true);
    if (slot == 0) { error.value = KernelError.OutOfMemory; return 0; }
    if (load<u64>(<usize>slot) & PAGE_PRESENT) { error.value = KernelError.AlreadyMapped; return 0; }
    let frame = shared;
    if (frame != 0) {
      frameRetain(frame);
    } else {
      frame = frameAllocateZeroed();
      if (frame == 0) { error.value = KernelError.OutOfMemory; return 0; }
      this.ownedFrames++;
    }
    store<u64>(<usize>slot, frame | leafFlags(access));
    this.noteFilled(slot, virtual);
    error.value = KernelError.None;
    return frame;
  }

  /** The physical address of the leaf entry for user page `virtual`; with `create`, making the
   * tables on the way (counted in ownedFrames), else 0 where a table is missing. 0 also when no
   * frame is left for a table. */
  leafSlot(virtual: u64, create: bool): u64 {
    let table = this.pml4;
    for (let level = 3; level > 0; level--) {
      const index = tableIndex(virtual, level);
      const entry = readEntry(table, index);
      if (entry & PAGE_PRESENT) {
        table = entry & PAGE_ADDRESS_MASK;
        continue;
      }
      if (!create) return 0;
      const next = frameAllocateZeroed();
      if (next == 0) return 0;
      this.ownedFrames++;
      this.tables++;
      writeEntry(table, index, next | USER_TABLE_FLAGS);
      if (level == 3) {
        this.topIndices.push(index);
        userHalfTableAdded(this, index);
      }
      table = next;
    }
    return table + (tableIndex(virtual, 0) << 3);
  }

  /** How many page tables leafSlot(virtual, true) would make (0 to 3). */
  tablesMissing(virtual: u64): u64 {
    let table = this.pml4;
    for (let level = 3; level > 0; level--) {
      const entry = readEntry(table, tableIndex(virtual, level));
      if (!(entry & PAGE_PRESENT)) return <u64>level;
      table = entry & PAGE_ADDRESS_MASK;
    }
    return 0;
  }

  /** Adds a region of `backing` for [start, end), extending the region that ends at `start`
   * instead when it has the same access and backing (Fixed and Pinned mappings are made page by
   * page, linear memory a grow at a time). The caller made sure nothing overlaps it; a full map is
   * a kernel bug here (the loader's and the threads' regions are few). */
  addRegion(start: u64, end: u64, access: UserAccess, backing: Backing, quota: Quota | null = null): void {
    if (quota === null && start != 0) {
      const previous = this.regions.find(start - 1);
      if (previous !== null && previous.end == start && previous.access == access && previous.backing == backing
          && !this.regions.overlaps(start, end)) {
        previous.end = end;
        return;
      }
    }
    if (this.regions.insert(new Region(start, end, access, backing, quota)) != KernelError.None) abort("AddressSpace.addRegion: overlap or full");
  }

  /** Charges `pages` Anonymous pages to `quota` (which the caller checked can pay). */
  chargeAnonymous(quota: Quota, pages: u64): void {
    quota.charge(pages);
    const quotas = this.chargeQuotas;
    for (let i = 0; i < quotas.length; i++) {
      if (quotas[i] === quota) { this.chargePages[i] += pages; return; }
    }
    quota.retain();
    quotas.push(quota);
    this.chargePages.push(pages);
  }

  /** Gives back `pages` Anonymous pages charged to `quota`. */
  unchargeAnonymous(quota: Quota, pages: u64): void {
    const quotas = this.chargeQuotas;
    for (let i = 0; i < quotas.length; i++) {
      if (quotas[i] !== quota) continue;
      if (this.chargePages[i] < pages) break;
      this.chargePages[i] -= pages;
      quota.uncharge(pages);
      return;
    }
    abort("AddressSpace.unchargeAnonymous: more than was charged");
  }

  /** Anonymous pages present in all (diagnostics, tests). */
  anonymousPages(): u64 {
    let pages: u64 = 0;
    for (let i = 0; i < this.chargePages.length; i++) pages += this.chargePages[i];
    return pages;
  }

  /** Forgets every translation leaf() keeps: after any change to a leaf entry. */
  forgetTranslations(): void {
    for (let i = 0; i < TRANSLATIONS; i++) unchecked(this.cachedPages[i] = 0);
  }

  /** The leaf entry for user address `virtual` (0 when unmapped or not a user address). */
  leaf(virtual: u64): u64 {
    if (virtual >= USER_HALF_END) return 0;
    const tag = (virtual & ~(PAGE_SIZE - 1)) | 1;
    const line = <i32>(virtual >> 12) & (TRANSLATIONS - 1);
    if (unchecked(this.cachedPages[line]) == tag) return unchecked(this.cachedLeaves[line]);
    let table = this.pml4;
    for (let level = 3; level > 0; level--) {
      const entry = readEntry(table, tableIndex(virtual, level));
      if (!(entry & PAGE_PRESENT) || (entry & PAGE_HUGE)) return 0;
      table = entry & PAGE_ADDRESS_MASK;
    }
    const leaf = readEntry(table, tableIndex(virtual, 0));
    if (leaf & PAGE_PRESENT) {   // only mappings are kept: an unmapped page may be mapped later
      unchecked(this.cachedPages[line] = tag);
      unchecked(this.cachedLeaves[line] = leaf);
    }
    return leaf;
  }

  /** Drops from the TLB every page of this space the CPU may hold, clearing its accessed bit:
   * the CPU caches no translation from an entry whose accessed flag is 0 (Intel SDM vol. 3A,
   * 4.10.2.3), so a page whose bit is clear is in no TLB. Only once the user half no longer
   * shows this space. The first INVLPG also empties the paging-structure caches (4.10.4.1);
   * until then a CPU could still cache a translation through them (speculatively) after its
   * bit was read, so the pages read before it are read again after it. An INVLPG ends a
   * translation block under TCG and clears jump-cache entries, so none is spent on a page whose
   * bit is clear, save one for the caches when no bit is set. Returns false, doing nothing,
   * when the space has more pages than are worth scanning: the caller then reloads CR3. */
  forgetCachedPages(): bool {
    if (this.pageCount > SCAN_LIMIT) return false;
    const runs = this.runs;
    if (runs.length == 0) return true;
    let firstRun = runs.length, first: usize = 0;
    for (let r = 0; r < runs.length; r += 3) {
      const found = dropAccessed(<usize>unchecked(runs[r]), <usize>unchecked(runs[r + 1]), unchecked(runs[r + 2]));
      if (found != 0 && first == 0) {
        firstRun = r;
        first = found;
      }
    }
    if (first == 0) invalidatePage(unchecked(runs[2]));   // invalidation [accessed]: the paging-structure caches when no page was accessed
    readAgain(runs, firstRun, first);   // invalidation [accessed]: pages cached through the paging-structure caches before the first INVLPG
    return true;
  }

  /** Lists a leaf entry just filled (present from not present): extends the last run when its
   * leaf entry and page follow that run's. Past SCAN_LIMIT entries filled the runs are dropped
   * for good (forgetCachedPages then always declines: entries filled again after an unmap would
   * otherwise be listed again, and the runs grow without bound). */
  noteFilled(leafEntry: u64, virtual: u64): void {
    const runs = this.runs, last = runs.length - 3;
    if (++this.pageCount > SCAN_LIMIT) {
      if (runs.length != 0) this.runs = [];
      return;
    }
    if (last >= 0 && unchecked(runs[last + 1]) == leafEntry &&
        unchecked(runs[last + 2]) + ((leafEntry - unchecked(runs[last])) << 9) == virtual) {
      unchecked(runs[last + 1] = leafEntry + 8);
      return;
    }
    runs.push(leafEntry);
    runs.push(leafEntry + 8);
    runs.push(virtual);
  }

  /** Hands every frame of the lower half and the PML4 to reclaim.ts, which frees them over the
   * next kernel entries. The user half must not show it; the space must not be used again. */
  destroy(): void {
    reclaimSpace(this.pml4);
    this.topIndices = [];
    this.runs = [];
    this.pageCount = 0;
    this.ownedFrames = 0;
    const quotas = this.chargeQuotas;
    for (let i = 0; i < quotas.length; i++) {
      quotas[i].uncharge(this.chargePages[i]);
      quotas[i].release();
    }
    this.chargeQuotas = [];
    this.chargePages = [];
    const regions = this.regions.regions;
    for (let i = 0; i < regions.length; i++) regions[i].release();
    regions.length = 0;
  }

  /** Heap bytes of the space's record and lists (what its account pays for besides frames). */
  heapBytes(): u64 {
    return instanceBytes<AddressSpace>() + 2 * staticArrayBytes<u64>(TRANSLATIONS)
      + arrayHeapBytes<u64>(this.topIndices) + arrayHeapBytes<u64>(this.runs)
      + instanceBytes<RegionMap>() + arrayHeapBytes<Region>(this.regions.regions) + <u64>this.regions.count * (instanceBytes<Region>() + PAGE_SOURCE_BYTES)
      + arrayHeapBytes<Quota>(this.chargeQuotas) + arrayHeapBytes<u64>(this.chargePages);
  }
}

/** The leaf entry flags of a user page with `access`, present. */
export function leafFlags(access: UserAccess): u64 {
  if (access == UserAccess.None) return PAGE_PRESENT | noExecuteFlag();   // kept, but not the user's
  let flags = PAGE_PRESENT | PAGE_USER;
  if (access == UserAccess.ReadWrite) flags |= PAGE_WRITABLE;
  if (access != UserAccess.ReadExecute) flags |= noExecuteFlag();
  return flags;
}

/** Drops from the TLB each page of a run whose accessed flag is set, clearing the flag: leaf
 * entries at [start, end), the first for user page `virtual`. Returns the leaf entry address of
 * the first page dropped, or 0. */
function dropAccessed(start: usize, end: usize, virtual: u64): usize {
  let first: usize = 0;
  for (let address = start; address < end; address += 8) {
    const entry = load<u64>(address);
    if (!(entry & PAGE_ACCESSED)) continue;
    store<u64>(address, entry & ~PAGE_ACCESSED);
    invalidatePage(virtual + (<u64>(address - start) << 9));   // invalidation [accessed]: an accessed page
    if (first == 0) first = address;
  }
  return first;
}

/** The second pass of forgetCachedPages: every run before `firstRun` (the run of the first page
 * dropped, whose leaf entry is at `first`), and that run up to `first`. */
function readAgain(runs: u64[], firstRun: i32, first: usize): void {
  for (let r = 0; r <= firstRun && r < runs.length; r += 3) {
    dropAccessed(<usize>unchecked(runs[r]), r == firstRun ? first : <usize>unchecked(runs[r + 1]), unchecked(runs[r + 2]));
  }
}

/** An out-parameter for an error next to a returned value. */
export class KernelErrorCell {
  value: KernelError = KernelError.None;
}
