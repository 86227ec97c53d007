// The teardown run that tests/qemu/resources.test.ts bounds and `make bench` prints: the
// program teardown (userspace/programs/teardown) has hog map 100,000 pages and make 4000
// capabilities, kills it and checks its quota came back; the kernel's verdict line gives the
// tick's worst lateness and the longest stretches with interrupts masked (kernel/time/masked.ts).
// Under -icount shift=0,sleep=off (1 guest instruction = 1 ns, so the figures are instruction
// counts and do not move with the host) and a 10 kHz tick, 1 GiB of RAM for the pages.

import { withQemu } from "../qemu-runner/runner";
import { ProgramSteps } from "./steps";

/** docs/PERFORMANCE.md, "Interrupts masked": a teardown step, and a kernel entry, at most. */
export const TEARDOWN_STEP_BOUND_NS = 100_000;
export const ENTRY_BOUND_NS = 300_000;

export interface Masked { lateness: number; entry: number; step: number; collection: number; freed: number }

const MASKED = /^capsid: selftest: user: tick lateness at most (\d+) ns \(tick \d+ of \d+\); longest masked: entry (\d+) ns, teardown step (\d+) ns, collection (\d+) ns; (\d+) frames freed by teardown$/;

/** `extra`: more command-line words, e.g. "reclaim=all" (the whole teardown in one step). */
export async function teardown(extra = ""): Promise<Masked> {
  return withQemu({
    commandLine: `test=user init=teardown tick=10000 measure=masked ${extra}`.trim(), memory: "1024M",
    extraArguments: ["-icount", "shift=0,sleep=off"],
  }, async (qemu) => {
    const steps = new ProgramSteps(qemu, "teardown");
    await steps.expectPasses(["hog mapped 100000 pages and made 4000 capabilities", "hog killed", "the quota came back"], 120_000);
    await qemu.expectLine(/^capsid: selftest: user: teardown ended \(exit code 0\); processes left 0, .*live objects none$/, 60_000);
    const match = MASKED.exec(await qemu.expectLine(MASKED))!;
    await qemu.expectExit("pass");
    steps.expectNoMore();
    const [lateness, entry, step, collection, freed] = match.slice(1).map(Number);
    return { lateness, entry, step, collection, freed };
  });
}
