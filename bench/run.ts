// `make bench`: prints the benchmark figures (never asserted). Each benchmark compares against a
// baseline measured in the same run, because this machine is shared and noisy:
//   boot   QEMU start to "capsid: ready" against a firmware-floor kernel, SeaBIOS and OVMF
//   size   what the kernel image weighs
//   bounds wasm2c's bounds strategies against plain C on one kernel-like loop

import { benchmarkBoot } from "./boot";
import { benchmarkBounds } from "./bounds/bounds";
import { measureSizes } from "./size";

function table(rows: Record<string, string | number>[]): void {
  const columns = Object.keys(rows[0]);
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(row[column]).length)));
  const format = (cells: string[]) => "  " + cells.map((cell, i) => cell.padEnd(widths[i])).join("  ");
  console.log(format(columns));
  for (const row of rows) console.log(format(columns.map((column) => String(row[column]))));
}

async function main(): Promise<void> {
  console.log("Boot time: QEMU start to the ready line, median of 5 interleaved runs (TCG)");
  const rows = await benchmarkBoot(5);
  table(rows.map((row) => ({
    firmware: row.firmware,
    "floor ms": row.floorMilliseconds.toFixed(1),
    "capsid ms": row.capsidMilliseconds.toFixed(1),
    "overhead %": row.overheadPercent.toFixed(1),
  })));
  console.log("\nKernel init: C entry to ready, as the kernel reports it (median of the same runs)");
  table(rows.map((row) => ({
    firmware: row.firmware,
    "entry to ready ms": row.kernelReportedMilliseconds.toFixed(3),
    "calibration ms": row.calibrationMilliseconds.toFixed(3),
    "init without calibration ms": row.initWithoutCalibrationMilliseconds.toFixed(3),
  })));

  console.log("\nKernel image size");
  table(measureSizes().map((row) => ({ item: row.item, bytes: row.bytes, KiB: (row.bytes / 1024).toFixed(1) })));

  console.log("\nBounds strategy: one kernel-like loop, wasm2c output vs plain C, median of interleaved rounds");
  table((await benchmarkBounds()).map((row) => ({
    variant: row.variant,
    "ns/iteration": row.nanosecondsPerIteration.toFixed(2),
    "vs plain C": `${((row.relativeToPlainC - 1) * 100).toFixed(1)} %`,
  })));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
