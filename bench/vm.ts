// Virtual memory (issue 14): boots the ISO with test=user init=vm initarg=3 (userspace/programs/
// vm), which times, with the TSC converted by the Timer's clock, a demand-zero fault (1023 pages
// written), a fork of itself and of itself with 4 MiB more mapped and touched (the clone's part
// is the difference), and a copy-on-write break (its child writes the 1024 shared pages); the
// median of several boots, next to Debian's Linux under the same QEMU in the same run
// (bench/linux/pingpong.c, bench/linux-baseline.ts), booted interleaved with them.

import { withQemu } from "../tests/qemu-runner/runner";
import { type LinuxVmFigures, linuxBaseline, linuxBaselineAvailable } from "./linux-baseline";

export interface VmFigures { demandZeroNanoseconds: number; forkNanoseconds: number; forkLargeNanoseconds: number; copyOnWriteNanoseconds: number }

const LINES: [RegExp, (match: RegExpExecArray, figures: VmFigures) => void][] = [
  [/^vm: demand-zero fault: (\d+) ns, \d+ TSC ticks a page/, (m, f) => { f.demandZeroNanoseconds = Number(m[1]); }],
  [/^vm: fork: (\d+) ns; with 4 MiB more mapped: (\d+) ns/, (m, f) => { f.forkNanoseconds = Number(m[1]); f.forkLargeNanoseconds = Number(m[2]); }],
  [/^vm: copy-on-write break: (\d+) ns, \d+ TSC ticks a page/, (m, f) => { f.copyOnWriteNanoseconds = Number(m[1]); }],
];

async function oneBoot(): Promise<VmFigures> {
  return withQemu({ commandLine: "test=user init=vm initarg=3" }, async (qemu) => {
    const figures = {} as VmFigures;
    for (const [pattern, take] of LINES) take(pattern.exec(await qemu.expectLine(pattern, 60_000))!, figures);
    await qemu.expectExit("pass");
    return figures;
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function medians<T extends object>(runs: T[]): T {
  const result = {} as Record<string, number>;
  for (const key of Object.keys(runs[0])) result[key] = median(runs.map((run) => (run as Record<string, number>)[key]));
  return result as T;
}

export async function benchmarkVm(boots = 3): Promise<{ capsid: VmFigures; linux: LinuxVmFigures | null }> {
  const capsid: VmFigures[] = [], linux: LinuxVmFigures[] = [];
  for (let i = 0; i < boots; i++) {
    capsid.push(await oneBoot());
    if (linuxBaselineAvailable()) {
      const figures = await linuxBaseline();
      if (figures.vm) linux.push(figures.vm);
    }
  }
  return { capsid: medians(capsid), linux: linux.length ? medians(linux) : null };
}
