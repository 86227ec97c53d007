// Interrupts masked while a big process is torn down: the teardown run of tests/qemu/teardown.ts
// (a process with 100,000 pages and 4000 capabilities killed), with the bounded teardown and with
// reclaim=all (the whole teardown in one step) as the baseline, in guest instructions
// (-icount shift=0: 1 ns each). The test bounds the same figures; here they are printed.

import { ENTRY_BOUND_NS, type Masked, teardown, TEARDOWN_STEP_BOUND_NS } from "../tests/qemu/teardown";

export interface TeardownFigures { bounded: Masked; oneStep: Masked; stepBound: number; entryBound: number }

export async function benchmarkTeardown(): Promise<TeardownFigures> {
  const bounded = await teardown();
  const oneStep = await teardown("reclaim=all");
  return { bounded, oneStep, stepBound: TEARDOWN_STEP_BOUND_NS, entryBound: ENTRY_BOUND_NS };
}
