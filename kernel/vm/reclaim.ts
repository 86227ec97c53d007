// Tearing down what ended processes held, a bounded amount at a time: the capabilities in their
// tables, then the frames of their address spaces. A process with a hundred thousand pages or
// thousands of capabilities would otherwise keep interrupts masked for as long as its teardown
// took (every kernel entry runs to completion with them masked: docs/DESIGN.md #5). processEnd
// hands the table and the space's PML4 here at once (the CPU no longer shows the space);
// kernelSchedule calls reclaimStep between kernel entries, and lets interrupts in between two
// steps when nothing else runs. Each step does at most RECLAIM_STEP_WORK units of work (an entry
// looked at, or a frame freed: about a page table's worth), or releases TABLE_STEP capabilities.
// "reclaim=all" on the command line does a whole teardown in one step instead (the tick-lateness
// test shows the difference).

import { CapabilityTable } from "../cap/capability-table";
import { frameRelease } from "../memory/frames";
import { PAGE_ADDRESS_MASK, PAGE_PRESENT, readEntry, writeEntry } from "../memory/page-table";

/** Work units per step (docs/PERFORMANCE.md, "Kernel memory and teardown"): about 10 µs of a real CPU. */
export const RECLAIM_STEP_WORK: i32 = 1024;
/** Capabilities released per step (each may end an object: an endpoint fails its queued calls). */
export const TABLE_STEP: i32 = 32;
/** The lower half of a PML4: the entries a space owns. */
const LOWER_HALF_ENTRIES: i32 = 256;
const ENTRIES: i32 = 512;

/** A space being torn down, and where its walk stands: PML4, PDPT and PD indices. */
class Teardown {
  next: Teardown | null = null;
  top: i32 = 0;
  middle: i32 = 0;
  low: i32 = 0;
  done: bool = false;
  constructor(readonly pml4: u64) {}
}

class ReclaimState {
  /** Tables of ended processes, oldest first: released before any space is freed. */
  tables: CapabilityTable[] = [];
  head: Teardown | null = null;
  tail: Teardown | null = null;
  /** Tables and spaces waiting (one load for kernelSchedule's check on every entry). */
  waiting: i32 = 0;
  /** Frames freed since boot (diagnostics). */
  freed: u64 = 0;
  /** Work per step; i32.MAX_VALUE: all at once ("reclaim=all"). */
  stepWork: i32 = RECLAIM_STEP_WORK;
}
const state = new ReclaimState();

/** "reclaim=all": tear each space down in one step (the unbounded behaviour, for comparison). */
export function reclaimAllAtOnce(all: bool): void {
  state.stepWork = all ? i32.MAX_VALUE : RECLAIM_STEP_WORK;
}

/** Queues the lower half of `pml4` and the PML4 itself to be freed. */
export function reclaimSpace(pml4: u64): void {
  const teardown = new Teardown(pml4);
  const tail = state.tail;
  if (tail === null) state.head = teardown;
  else tail.next = teardown;
  state.tail = teardown;
  state.waiting++;
}

/** Queues the capabilities of an ended process's table to be released, then its storage. */
export function reclaimTable(table: CapabilityTable): void {
  state.tables.push(table);
  state.waiting++;
}

/** Frames freed by teardown since boot. */
export function reclaimFreed(): u64 {
  return state.freed;
}

/** Whether some table or space still waits (kernelSchedule's check on every entry). */
@inline export function reclaimWaiting(): bool {
  return state.waiting != 0;
}

/** Does one step of teardown; whether work remains. */
export function reclaimStep(): bool {
  const tables = state.tables;
  if (tables.length > 0) {
    const table = unchecked(tables[0]);
    if (table.releaseSome(state.stepWork == RECLAIM_STEP_WORK ? TABLE_STEP : i32.MAX_VALUE)) {
      table.discardStorage();
      tables.shift();
      state.waiting--;
    }
    return true;
  }
  let work = state.stepWork;
  while (work > 0) {
    const teardown = state.head;
    if (teardown === null) return false;
    work = advance(teardown, work);
    if (teardown.done) {
      state.head = teardown.next;
      if (state.head === null) state.tail = null;
      state.waiting--;
    }
  }
  return state.head !== null;
}

/** Frees everything queued (host tests, and a machine with nothing else to do). */
export function reclaimAll(): void {
  while (reclaimStep()) {}
}

/** Walks `teardown` on for about `work` units (a page table is done whole); returns the units
 * left (at most 0 when it stopped for want of them). Sets `done` once the space is gone. */
function advance(teardown: Teardown, work: i32): i32 {
  const pml4 = teardown.pml4;
  while (work > 0) {
    // The next PML4 entry in use (most of the lower half is empty: a tight scan).
    let top = teardown.top;
    let entry: u64 = 0;
    while (top < LOWER_HALF_ENTRIES && work > 0) {
      entry = readEntry(pml4, <u64>top);
      if (entry & PAGE_PRESENT) break;
      top++;
      work--;
    }
    teardown.top = top;
    if (top == LOWER_HALF_ENTRIES) {
      release(pml4);
      teardown.done = true;
      return work;
    }
    if (work <= 0) break;
    const pdpt = entry & PAGE_ADDRESS_MASK;
    // The next PDPT entry in use.
    let middle = teardown.middle;
    while (middle < ENTRIES && work > 0) {
      entry = readEntry(pdpt, <u64>middle);
      if (entry & PAGE_PRESENT) break;
      middle++;
      work--;
    }
    teardown.middle = middle;
    if (middle == ENTRIES) {
      release(pdpt);
      writeEntry(pml4, <u64>top, 0);
      teardown.top = top + 1;
      teardown.middle = 0;
      continue;
    }
    if (work <= 0) break;
    const directory = entry & PAGE_ADDRESS_MASK;
    work = freeTables(directory, teardown, work);
    if (teardown.low == ENTRIES) {
      release(directory);
      writeEntry(pdpt, <u64>middle, 0);
      teardown.middle = middle + 1;
      teardown.low = 0;
    }
  }
  return work;
}

/** Frees the page tables of `directory` (each with its frames) from teardown.low on, in a tight
 * loop over the directory's entries (most are empty), until the directory is done or `work` is. */
function freeTables(directory: u64, teardown: Teardown, work: i32): i32 {
  let low = teardown.low;
  while (low < ENTRIES && work > 0) {
    const entry = readEntry(directory, <u64>low);
    low++;
    work--;
    if (!(entry & PAGE_PRESENT)) continue;
    // A page table: its own frames, then the table.
    const table = entry & PAGE_ADDRESS_MASK;
    for (let i: u64 = 0; i < <u64>ENTRIES; i++) {
      const page = readEntry(table, i);
      if (!(page & PAGE_PRESENT)) continue;
      // A frame other holders share (a boot program's read-only page, a copy-on-write page) lives on.
      if (frameRelease(page & PAGE_ADDRESS_MASK)) state.freed++;
      work--;
    }
    release(table);
    writeEntry(directory, <u64>low - 1, 0);
    work -= ENTRIES / 8;   // the entries read
  }
  teardown.low = low;
  return work;
}

/** Frees a page table of an ended space (held by it alone). */
@inline function release(table: u64): void {
  if (!frameRelease(table)) abort("reclaim: a page table of an ended space had other holders");
  state.freed++;
}
