// A quota of 4 KiB pages: what a Memory capability lends (objects/memory.ts). Pages are charged
// to it by the processes that map them, by the frames and kernel records made for the processes
// it pays for (their account: sched/process.ts), by the objects made from it (endpoints,
// split-off quotas), and given back when those go. A quota outlives the capability that made it
// while any charge remains: each charge holds a reference, and the last release returns a
// split-off quota's limit to its parent. Kept apart from the Memory object so that process
// teardown (sched/process.ts) returns charges without naming an object type.
//
// Kernel heap bytes are charged twice (docs/ARCHITECTURE.md, "Kernel memory"): to a quota, in
// pages (its kernel bytes rounded up), and to the one heap budget every quota draws on, which
// boot sets below what the heap can hold (heapBudgetSet). A charge reserves: the bytes are
// counted when the request is accepted, so the allocations it makes later (a call record, a
// table that grows) always find room, whatever other processes did since. Pure: no log, no
// hardware (tests/host/quota.test.ts).

import { KernelError } from "../../abi/errors";

/** Bytes per quota page. */
const PAGE_BYTES: u64 = 4096;

class QuotasState {
  /** Quotas alive (for leak checks). */
  live: i32 = 0;
  /** Kernel heap bytes users may have reserved in all (0 until boot sets it: nothing fits). */
  heapBudget: u64 = 0;
  /** Kernel heap bytes reserved now, over every quota. */
  heapReserved: u64 = 0;
  /** The most heapReserved has been. */
  heapPeak: u64 = 0;
}
const state = new QuotasState();

/** Sets the heap budget (boot, once the heap's size is known; host tests). */
export function heapBudgetSet(bytes: u64): void {
  state.heapBudget = bytes;
}

/** The heap budget in bytes. */
export function heapBudget(): u64 {
  return state.heapBudget;
}

/** Kernel heap bytes reserved for users now. */
export function heapReserved(): u64 {
  return state.heapReserved;
}

/** The most kernel heap bytes reserved at once since boot. */
export function heapReservedPeak(): u64 {
  return state.heapPeak;
}

/** Whether `bytes` more fit the heap budget. */
@inline export function heapFits(bytes: u64): bool {
  return bytes <= state.heapBudget - state.heapReserved;
}

/** Reserves `bytes` of the heap budget; the caller checked heapFits. */
export function heapReserve(bytes: u64): void {
  if (!heapFits(bytes)) abort("heapReserve: more than the budget has left");
  state.heapReserved += bytes;
  if (state.heapReserved > state.heapPeak) state.heapPeak = state.heapReserved;
}

/** Gives back `bytes` reserved earlier. */
export function heapRelease(bytes: u64): void {
  if (bytes > state.heapReserved) abort("heapRelease: more than was reserved");
  state.heapReserved -= bytes;
}

@inline function pagesOfBytes(bytes: u64): u64 {
  return (bytes + PAGE_BYTES - 1) / PAGE_BYTES;
}

export class Quota {
  /** Pages charged: mapped by processes, frames and kernel bytes (rounded up) of the processes it
   * pays for, held by objects made from it, or lent to split-offs. */
  used: u64 = 0;
  /** Kernel heap bytes charged (their pages are part of `used`). */
  kernelBytes: u64 = 0;
  private references: u32 = 1;

  /** A quota of `limit` pages held once by its maker; `parent` (retained) lent it those pages. */
  constructor(readonly limit: u64, readonly parent: Quota | null = null) {
    if (parent !== null) parent.retain();
    state.live++;
  }

  /** Pages still available. */
  @inline get available(): u64 { return this.limit - this.used; }

  /** Charges `pages`; the caller checked `available`. */
  @inline charge(pages: u64): void {
    if (pages > this.limit - this.used) abort("Quota.charge: more than is available");
    this.used += pages;
  }

  /** Gives back `pages` charged earlier. */
  @inline uncharge(pages: u64): void {
    if (pages > this.used) abort("Quota.uncharge: more than was charged");
    this.used -= pages;
  }

  /** Whether `bytes` of kernel heap and `pages` more pages may be charged: None, QuotaExceeded
   * (this quota's pages) or OutOfMemory (the heap budget every quota shares). */
  kernelFits(bytes: u64, pages: u64 = 0): KernelError {
    const more = pagesOfBytes(this.kernelBytes + bytes) - pagesOfBytes(this.kernelBytes);
    if (pages > this.available || more > this.available - pages) return KernelError.QuotaExceeded;
    return heapFits(bytes) ? KernelError.None : KernelError.OutOfMemory;
  }

  /** Charges `bytes` of kernel heap (reserving them in the budget); the caller checked kernelFits. */
  chargeKernel(bytes: u64): void {
    const more = pagesOfBytes(this.kernelBytes + bytes) - pagesOfBytes(this.kernelBytes);
    this.charge(more);
    heapReserve(bytes);
    this.kernelBytes += bytes;
  }

  /** Charges `bytes` of kernel heap when they fit (kernelFits): whether it did. For growth the
   * caller may do without (a TCP receive buffer's autotuning), which reports no error. */
  chargeKernelIfFits(bytes: u64): bool {
    if (this.kernelFits(bytes) != KernelError.None) return false;
    this.chargeKernel(bytes);
    return true;
  }

  /** Gives back `bytes` of kernel heap charged earlier. */
  unchargeKernel(bytes: u64): void {
    if (bytes > this.kernelBytes) abort("Quota.unchargeKernel: more than was charged");
    const fewer = pagesOfBytes(this.kernelBytes) - pagesOfBytes(this.kernelBytes - bytes);
    this.kernelBytes -= bytes;
    this.uncharge(fewer);
    heapRelease(bytes);
  }

  retain(): void {
    if (this.references == 0) abort("Quota.retain: quota already gone");
    this.references++;
  }

  /** The last release gives the quota's limit back to its parent. */
  release(): void {
    if (this.references == 0) abort("Quota.release: no reference left");
    if (--this.references != 0) return;
    state.live--;
    if (this.used != 0) abort("Quota.release: charges remain");
    const parent = this.parent;
    if (parent === null) return;
    parent.uncharge(this.limit);
    parent.release();
  }
}

/** Quotas alive. */
export function quotasLive(): i32 {
  return state.live;
}
