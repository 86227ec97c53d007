// The longest stretches the kernel ran with interrupts masked, by kind (docs/PERFORMANCE.md,
// "Interrupts masked"): a kernel entry (system call, interrupt, user fault), a teardown step
// (vm/reclaim.ts), a heap collection (memory/heap.ts). kernel/main.ts brackets each; the test
// runs report them with the tick lateness (time/tick.ts), which shows the same from the outside.
// Measured only when armed ("measure=masked" on the command line): the TSC reads and comparisons
// cost about a hundred instructions per kernel entry, 4 % of a process round trip (PERFORMANCE.md).

import { readTsc } from "../arch/hw";
import { tscToNanos } from "./clock";

export const enum Masked { Entry = 0, Teardown = 1, Collection = 2 }
const KINDS: i32 = 3;

class MaskedState {
  armed: bool = false;
  /** The longest of each kind, in TSC cycles. */
  longest: StaticArray<u64> = new StaticArray<u64>(KINDS);
}
const state = new MaskedState();

/** Starts measuring ("measure=masked") and forgets what was measured. */
export function maskedArm(): void {
  state.armed = true;
  for (let i = 0; i < KINDS; i++) unchecked(state.longest[i] = 0);
}

/** Whether measure=masked is on. */
@inline export function maskedArmed(): bool {
  return state.armed;
}

/** The TSC now: the start of a stretch (kernel/main.ts calls it only when maskedArmed()). */
@inline export function maskedBegin(): u64 {
  return readTsc();
}

/** Ends a stretch of `kind` begun at `start` (maskedBegin); returns the TSC now (0 when not armed),
 * the start of the next stretch that follows at once. Inlined: unarmed, it is one load and a branch. */
@inline export function maskedEnd(kind: Masked, start: u64): u64 {
  return state.armed ? maskedRecord(kind, start) : 0;
}

function maskedRecord(kind: Masked, start: u64): u64 {
  if (start == 0) return 0;
  const now = readTsc();
  if (now - start > unchecked(state.longest[kind])) unchecked(state.longest[kind] = now - start);
  return now;
}

/** The longest stretch of `kind` measured, in nanoseconds. */
export function maskedLongestNanos(kind: Masked): u64 {
  return tscToNanos(unchecked(state.longest[kind]));
}
