// A quota of 4 KiB pages: what a Memory capability lends (objects/memory.ts). Pages are charged
// to it by the processes that map them and by the objects made from it (endpoints, split-off
// quotas), and given back when those go. A quota outlives the capability that made it while any
// charge remains: each charge holds a reference, and the last release returns a split-off
// quota's limit to its parent. Kept apart from the Memory object so that process teardown
// (sched/process.ts) returns charges without naming an object type.

class QuotasState {
  /** Quotas alive (for leak checks). */
  live: i32 = 0;
}
const state = new QuotasState();

export class Quota {
  /** Pages charged: mapped by processes, held by objects made from it, or lent to split-offs. */
  used: u64 = 0;
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

  retain(): void {
    if (this.references == 0) abort("Quota.retain: quota already gone");
    this.references++;
  }

  /** The last release gives the quota's limit back to its parent. */
  release(): void {
    if (this.references == 0) abort("Quota.release: no reference left");
    if (--this.references != 0) return;
    state.live--;
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
