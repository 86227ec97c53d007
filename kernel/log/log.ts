// The kernel log: lines of the form "[    1.234] capsid: <message>" on the serial console, the
// timestamp in seconds since the C entry point with millisecond resolution (the boot stopwatch,
// then the calibrated TSC). One line is built at a time in a static buffer (the kernel is one
// logical thread, DESIGN.md #5) and written with hw.serialWrite when finished. Lines printed by
// C on the fault path carry no timestamp: that path has no clock of its own.
//
//   logLine().text("memory: ").decimal(megabytes).text(" MiB");  logEnd();

import { serialWrite } from "../arch/hw";
import { bootElapsedNanos } from "../time/clock";
import { LineBuffer } from "./format";

const LINE_STORAGE_BYTES: u32 = 272;

/** The one line being built: static storage, usable before top-level code has run. */
function currentLine(): LineBuffer {
  return changetype<LineBuffer>(memory.data(LINE_STORAGE_BYTES, 16));
}

/** Starts a line: the timestamp, then "capsid: ". */
export function logLine(): LineBuffer {
  // One byte past the capacity is kept for the newline.
  const line = LineBuffer.over(changetype<usize>(currentLine()), LINE_STORAGE_BYTES - 1);
  const milliseconds = bootElapsedNanos() / 1_000_000;
  line.byte(0x5b); // '['
  const seconds = milliseconds / 1000;
  for (let width: u64 = 10_000; width > 1 && seconds < width; width /= 10) line.byte(0x20);
  return line.fixed(milliseconds, 3).text("] capsid: ");
}

/** Ends the current line and writes it to the console. */
export function logEnd(): void {
  const line = currentLine();
  const length = line.finish();
  store<u8>(line.base + length, 0x0a);
  serialWrite(line.base, length + 1);
}

/** Writes "capsid: <message>" as one line. */
export function log(message: string): void {
  logLine().text(message);
  logEnd();
}
