// The kernel log: lines of the form "capsid: <message>" on the serial console. One line is
// built at a time in a static buffer (the kernel is one logical thread, DESIGN.md #5) and
// written with hw.serialWrite when finished.
//
//   logLine().text("memory: ").decimal(megabytes).text(" MiB");  logEnd();

import { serialWrite } from "../arch/hw";
import { LineBuffer } from "./format";

const LINE_STORAGE_BYTES: u32 = 272;

/** The one line being built: static storage, usable before top-level code has run. */
function currentLine(): LineBuffer {
  return changetype<LineBuffer>(memory.data(LINE_STORAGE_BYTES, 16));
}

/** Starts a line; every line begins with "capsid: ". */
export function logLine(): LineBuffer {
  // One byte past the capacity is kept for the newline.
  return LineBuffer.over(changetype<usize>(currentLine()), LINE_STORAGE_BYTES - 1).text("capsid: ");
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
