// The kernel heap's collector. The kernel runs AssemblyScript's minimal runtime: TLSF allocation
// and a two-colour mark-and-sweep collector that runs only when called and marks from globals
// alone (no shadow stack, no write barrier: the incremental runtime spent a third of an IPC
// round trip on them). So it is called at one safe point only: kernelSchedule, between two
// kernel entries, when no AssemblyScript frame is live (docs/DESIGN.md #5: every entry runs to
// completion) and every object the kernel still needs is reachable from a global. Never call
// __collect() anywhere else: an object held only by a local of a live frame would be freed.

import { kernelHeapBytes } from "../arch/hw";
import { heapReserved } from "./quota";

/** Collect once the heap has grown by an eighth of what the last collection left, and by at least
 * GROWTH_MINIMUM and at most GROWTH_MAXIMUM. A collection marks every live object, so its cost
 * follows the live heap; with a fixed 32 KiB, a kernel holding much paid it ever more often for
 * the same allocations (1,024 orphaned TIME-WAIT connections make a live heap of 1.7 MB and a
 * 2.4 ms collection under TCG: 70 us of every TCP connection made). An eighth bounds marking
 * at about eight live bytes for every byte allocated, however much is live (up to 2 MiB, where
 * GROWTH_MAXIMUM takes over: it bounds the garbage that waits for a collection, which
 * KERNEL_RESERVE holds). */
const GROWTH_MINIMUM: u32 = 32 * 1024;
const GROWTH_MAXIMUM: u32 = 256 * 1024;
const GROWTH_SHIFT: u32 = 3;

class HeapState {
  afterLastCollection: u32 = 0;
  /** The growth that triggers the next collection. */
  growth: u32 = GROWTH_MINIMUM;
  /** Test runs: the ledger's base (live heap bytes when the budget was set), and the most the
   * live heap has exceeded base + reserved charges at a collection (heapLedgerArm). */
  ledgerArmed: bool = false;
  ledgerBase: u64 = 0;
  ledgerExcess: i64 = i64.MIN_VALUE;
  /** Work that needs a collected heap (leak checks), run at the next safe point. */
  tasks: (() => void)[] = [];
}
const state = new HeapState();

/** Called by kernelSchedule only: collects when the heap has grown by state.growth, or when a
 * task waits; then runs the waiting tasks, oldest first. */
@inline export function heapSafePoint(): void {
  if (state.tasks.length != 0 || <i64>kernelHeapBytes() - <i64>state.afterLastCollection >= <i64>state.growth) heapCollect();
}

function heapCollect(): void {
  const waiting = state.tasks.length;
  __collect();
  state.afterLastCollection = kernelHeapBytes();
  state.growth = min(GROWTH_MAXIMUM, max(GROWTH_MINIMUM, state.afterLastCollection >> GROWTH_SHIFT));
  if (state.ledgerArmed) {
    const excess = <i64>state.afterLastCollection - <i64>state.ledgerBase - <i64>heapReserved();
    if (excess > state.ledgerExcess) state.ledgerExcess = excess;
  }
  for (let i = 0; i < waiting; i++) state.tasks[i]();
  if (state.tasks.length == waiting) state.tasks.length = 0;
  else state.tasks = state.tasks.slice(waiting);   // a task queued another: it runs next time
}

/** Test runs: from now on, each collection compares the live heap with what users have reserved
 * (memory/quota.ts): the live bytes over `base` should stay below the reservations plus what the
 * kernel keeps for itself. heapLedgerExcess reports the worst. */
export function heapLedgerArm(base: u64): void {
  state.ledgerArmed = true;
  state.ledgerBase = base;
}

/** The most live heap bytes over base + reserved seen at a collection (negative: always below;
 * i64.MIN_VALUE before the first). */
export function heapLedgerExcess(): i64 {
  return state.ledgerExcess;
}

/** Runs `task` at the next safe point, right after a full collection: kernelHeapBytes() is then
 * the bytes of reachable objects. */
export function heapAtSafePoint(task: () => void): void {
  state.tasks.push(task);
}

/** Heap bytes kept for the kernel's own use when the user budget is set: garbage between two
 * collections (GROWTH_MAXIMUM, and what one kernel entry can leave: a table that doubled), the
 * pools' kept records and TCP buffer storage (256 KiB at most: net/socket/tcp/ring-storage.ts),
 * the kernel's own lists. */
const KERNEL_RESERVE: u64 = 1 << 20;

/** The heap range's size from the end of static data: memory.size() is its end (wasm pages). */
export function heapCapacityBytes(): u64 {
  return (<u64>memory.size() << 16) - <u64>__heap_base;
}

/** What user requests may reserve in all (memory/quota.ts, heapBudgetSet): three quarters of
 * the heap left free after KERNEL_RESERVE, the last quarter against fragmentation (a budget the
 * heap could hold only if every block fitted exactly would not be a guarantee). */
export function heapUserBudget(): u64 {
  const free = heapCapacityBytes() - <u64>kernelHeapBytes();
  return free <= KERNEL_RESERVE ? 0 : (free - KERNEL_RESERVE) / 4 * 3;
}

/** The end of AssemblyScript's static data, where the heap begins: C checks at boot that it lies
 * within the part of the heap range the loader zeroed (KERNEL_STATIC_RESERVE, layout.h). */
export function kernelHeapBase(): usize {
  return __heap_base;
}
