// Processes and the ring: boots the ISO with test=user init=bench (userspace/programs/bench),
// which times, with the TSC, an empty cap_enter, a cap_enter carrying 16 NOPs and a spawn+exit+
// wait, each the median of its rounds, and converts with the Timer's clock. Several boots; the
// median of their figures is reported next to the targets of issue 4 (a Linux guest under the
// same QEMU: getpid about 450 ns, fork+exec+wait about 2.5 ms).

import { withQemu } from "../tests/qemu-runner/runner";

export interface ProcessFigures {
  emptyCycles: number; emptyNanoseconds: number;
  batchCycles: number; batchNanoseconds: number;
  perNopCycles: number; perNopNanoseconds: number;
  spawnCycles: number; spawnNanoseconds: number;
}

/** The lines userspace/programs/bench prints (regression.ts reads them too). */
export const LINES: [keyof ProcessFigures, keyof ProcessFigures, RegExp][] = [
  ["emptyCycles", "emptyNanoseconds", /^bench: empty cap_enter (\d+) cycles (\d+) ns$/],
  ["batchCycles", "batchNanoseconds", /^bench: cap_enter with 16 NOPs (\d+) cycles (\d+) ns$/],
  ["perNopCycles", "perNopNanoseconds", /^bench: per NOP entry (\d+) cycles (\d+) ns$/],
  ["spawnCycles", "spawnNanoseconds", /^bench: spawn\+exit\+wait (\d+) cycles (\d+) ns$/],
];

async function oneBoot(): Promise<ProcessFigures> {
  return withQemu({ commandLine: "test=user init=bench" }, async (qemu) => {
    const figures = {} as ProcessFigures;
    for (const [cycles, nanoseconds, pattern] of LINES) {
      const match = pattern.exec(await qemu.expectLine(pattern, 60_000))!;
      figures[cycles] = Number(match[1]);
      figures[nanoseconds] = Number(match[2]);
    }
    await qemu.expectExit("pass");
    return figures;
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function benchmarkProcesses(boots = 3): Promise<ProcessFigures> {
  const runs: ProcessFigures[] = [];
  for (let i = 0; i < boots; i++) runs.push(await oneBoot());
  const result = {} as ProcessFigures;
  for (const key of Object.keys(runs[0]) as (keyof ProcessFigures)[]) result[key] = median(runs.map((run) => run[key]));
  return result;
}
