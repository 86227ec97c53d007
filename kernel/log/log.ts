// The kernel log: lines of the form "[    1.234] capsid: <message>" on the serial console, the
// timestamp in seconds since the C entry point with millisecond resolution: the boot stopwatch
// (hw.bootClockNanos) until the time layer, which sits above this one, hands over its calibrated
// clock through logClockSet. One line is built at a time in a static buffer (the kernel is one
// logical thread, docs/DESIGN.md #5) and written with hw.serialWrite when finished, and to a
// second output when the console (above this layer) has installed one with logOutputSet: the
// screen. Lines written before that are kept (up to HISTORY_BYTES) and replayed to it. Lines
// printed by C on the fault path carry no timestamp and reach the serial port only: that path
// has no clock of its own and does not enter AssemblyScript.
//
//   logLine().text("memory: ").decimal(megabytes).text(" MiB");  logEnd();

import { bootClockNanos, serialWrite } from "../arch/hw";
import { LineBuffer } from "./format";

const LINE_STORAGE_BYTES: u32 = 272;
/** The lines written before a second output exists, kept for it. */
const HISTORY_BYTES: u32 = 4096;

/** How much the log says (command line "log=error|warning|info|debug"; info by default).
 * Essential lines (the ready line) are always written. */
export enum LogLevel {
  Essential = 0,
  Error = 1,
  Warning = 2,
  Info = 3,
  Debug = 4,
}

class LogState {
  threshold: LogLevel = LogLevel.Info;
  current: LogLevel = LogLevel.Info;   // the level of the line being built
  /** Nanoseconds since the C entry point; null: the boot stopwatch. */
  clock: (() => u64) | null = null;
  /** Where finished lines go besides the serial port (the screen), or null. */
  output: ((address: usize, length: usize) => void) | null = null;
  /** Bytes of history kept; HISTORY_BYTES + 1 once replayed (nothing more is kept). */
  historyLength: u32 = 0;
}
const state = new LogState();

/** Sets the level from its name; returns false (level unchanged) for an unknown name. */
export function logSetLevel(name: string): bool {
  if (name == "error") state.threshold = LogLevel.Error;
  else if (name == "warning") state.threshold = LogLevel.Warning;
  else if (name == "info") state.threshold = LogLevel.Info;
  else if (name == "debug") state.threshold = LogLevel.Debug;
  else return false;
  return true;
}

/** Whether lines at `level` are written (a caller skips building a line nobody will see). */
export function logEnabled(level: LogLevel): bool {
  return level <= state.threshold;
}

/** Timestamps come from `clock` from now on (time/clock.ts, once calibrated). */
export function logClockSet(clock: () => u64): void {
  state.clock = clock;
}

/** Lines also go to `output` from now on (null: the serial port only). The first time, the lines
 * written so far are replayed to it. */
export function logOutputSet(output: ((address: usize, length: usize) => void) | null): void {
  state.output = output;
  if (output === null || state.historyLength > HISTORY_BYTES) return;
  const history = historyStorage();
  const length = state.historyLength;
  state.historyLength = HISTORY_BYTES + 1;
  if (length > 0) output(history, length);
}

function historyStorage(): usize {
  return memory.data(HISTORY_BYTES, 16);
}

/** The one line being built: static storage, usable before top-level code has run. */
function currentLine(): LineBuffer {
  return changetype<LineBuffer>(memory.data(LINE_STORAGE_BYTES, 16));
}

/** Starts a line at `level`: the timestamp, then "capsid: ". Lines above the configured level
 * are built (the caller's code stays the same) and dropped at logEnd. */
export function logLine(level: LogLevel = LogLevel.Info): LineBuffer {
  state.current = level;
  // One byte past the capacity is kept for the newline.
  const line = LineBuffer.over(changetype<usize>(currentLine()), LINE_STORAGE_BYTES - 1);
  const clock = state.clock;
  const milliseconds = (clock !== null ? clock() : bootClockNanos()) / 1_000_000;
  line.byte(0x5b); // '['
  const seconds = milliseconds / 1000;
  for (let width: u64 = 10_000; width > 1 && seconds < width; width /= 10) line.byte(0x20);
  return line.fixed(milliseconds, 3).text("] capsid: ");
}

/** Ends the current line and writes it to the console. */
export function logEnd(): void {
  if (state.current > state.threshold) {
    return;
  }
  const line = currentLine();
  const length = line.finish();
  store<u8>(line.base + length, 0x0a);
  serialWrite(line.base, length + 1);
  const output = state.output;
  if (output !== null) {
    output(line.base, length + 1);
  } else if (state.historyLength + length + 1 <= HISTORY_BYTES) {
    memory.copy(historyStorage() + state.historyLength, line.base, length + 1);
    state.historyLength += length + 1;
  }
}

/** Writes "capsid: <message>" as one line at `level`. */
export function log(message: string, level: LogLevel = LogLevel.Info): void {
  logLine(level).text(message);
  logEnd();
}
