// A pool of reusable records: take() hands out a kept record or a new one, give() keeps at most
// `keep` of them (and one spare), so a path that runs again and again allocates nothing once warm. Records are
// chained through their own `next` field (lists.ts, Chain) while kept. Used by the objects
// layer for decode records, calls, receives and parks.

import { Chain } from "./lists";

export class Pool<T> {
  /** The record given back last: most paths take one and give it back before taking another. */
  private spare: T | null = null;
  private readonly kept: Chain<T> = new Chain<T>();

  constructor(
    /** The most records kept for reuse; more are left to the collector. */
    readonly keep: i32,
  ) {}

  /** A record: a kept one (its fields as the last user left them) or a new one. */
  take(): T {
    const spare = this.spare;
    if (spare !== null) {
      this.spare = null;
      return spare;
    }
    const kept = this.kept.shift();
    return kept !== null ? kept : instantiate<T>();
  }

  /** Keeps `record` for a later take(); it must be in no chain. */
  give(record: T): void {
    if (this.spare === null) this.spare = record;
    else if (this.kept.length < this.keep) this.kept.push(record);
  }
}
