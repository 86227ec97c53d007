// A pool of reusable records: take() hands out a kept record or a new one, give() keeps at most
// `keep` of them (and one spare), so a path that runs again and again allocates nothing once
// warm. Records are chained through their own `next` field (lists.ts, Chain) while kept. Used by
// the objects layer for decode records, calls, receives and parks. Every pool is listed, so the
// leak checks of test runs can empty them all (poolsDrain) and compare the heap exactly; other
// caches join that list by extending Drainable.

import { Chain } from "./lists";

class PoolsState {
  all: Drainable[] = [];
}
const state = new PoolsState();

/** What the list of pools needs of each; other bounded caches of reusable memory extend it too
 * (net/socket/tcp/ring-storage.ts), so that poolsDrain empties them with the pools. */
export abstract class Drainable {
  constructor() {
    state.all.push(this);
  }

  /** Lets go of every kept record. */
  abstract drain(): void;
}

export class Pool<T> extends Drainable {
  /** The record given back last: most paths take one and give it back before taking another. */
  private spare: T | null = null;
  private readonly kept: Chain<T> = new Chain<T>();

  constructor(
    /** The most records kept for reuse, besides the spare; more are left to the collector. */
    readonly keep: i32,
  ) {
    super();
  }

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

  drain(): void {
    this.spare = null;
    while (this.kept.shift() !== null) {}
  }
}

/** Empties every pool: their records go to the collector. For leak checks, at a safe point. */
export function poolsDrain(): void {
  const all = state.all;
  for (let i = 0; i < all.length; i++) unchecked(all[i]).drain();
}
