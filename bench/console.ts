// The console on the screen: boots the ISO with QEMU's standard VGA at 1024x768 (SeaBIOS, VBE)
// and test=console-bench (kernel/selftest/screen.ts), which times with the TSC, in the guest:
// drawing a full screen of text (every row rendered and copied to the framebuffer), scrolling
// by one line (a line feed on the last row: the text moves in RAM, every row is redrawn), and
// 1,000 log lines with the screen and without it. The console's share of a boot that prints
// 1,000 lines is the screen's extra time over the boot (C entry to the first of them) plus the
// lines. Median of `boots` boots. Wall time under TCG, not a real PC's.

import { withQemu } from "../tests/qemu-runner/runner";

export interface ConsoleFigures {
  columns: number; rows: number;
  fullScreenNanoseconds: number; scrollNanoseconds: number;
  linesWithScreenNanoseconds: number; linesWithoutScreenNanoseconds: number; bootNanoseconds: number;
  /** (with - without) / (boot + with), in percent. */
  sharePercent: number;
}

const SCREEN_LINE = /^capsid: bench: console: (\d+)x(\d+) full screen (\d+) ns, scroll one line (\d+) ns$/;
const LINES_LINE = /^capsid: bench: console: 1000 lines (\d+) ns with the screen, (\d+) ns without; boot before them (\d+) ns$/;

async function oneBoot(): Promise<ConsoleFigures> {
  return withQemu({ vga: true, gfxpayload: "1024x768x32", commandLine: "test=console-bench init=probe" }, async (qemu) => {
    const screen = SCREEN_LINE.exec(await qemu.expectLine(SCREEN_LINE, 120_000))!.slice(1).map(Number);
    const lines = LINES_LINE.exec(await qemu.expectLine(LINES_LINE, 10_000))!.slice(1).map(Number);
    await qemu.expectExit("pass");
    const [withScreen, withoutScreen, boot] = lines;
    return {
      columns: screen[0], rows: screen[1], fullScreenNanoseconds: screen[2], scrollNanoseconds: screen[3],
      linesWithScreenNanoseconds: withScreen, linesWithoutScreenNanoseconds: withoutScreen, bootNanoseconds: boot,
      sharePercent: (withScreen - withoutScreen) * 100 / (boot + withScreen),
    };
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function benchmarkConsole(boots = 3): Promise<ConsoleFigures> {
  const runs: ConsoleFigures[] = [];
  for (let i = 0; i < boots; i++) runs.push(await oneBoot());
  const result = {} as ConsoleFigures;
  for (const key of Object.keys(runs[0]) as (keyof ConsoleFigures)[]) result[key] = median(runs.map((run) => run[key]));
  return result;
}
