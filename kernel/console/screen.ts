// The console's second output: the screen. Every byte the console writes goes to the serial port
// and, through the terminal (terminal.ts: text in RAM, ANSI sequences), to the display
// (display/: the framebuffer or VGA text). Kernel log lines reach it through the log's output
// hook (log.ts, logOutputSet), which also replays the lines written before the screen existed.
// Dirty rows are drawn at the end of each write, so what is on the screen is never behind the
// serial port. A panic report is written by C on the serial port only.

import { serialWrite } from "../arch/hw";
import { BootInformation } from "../boot/multiboot2";
import { Display, DisplayKind } from "../display/display";
import { displayInit } from "../display/display-init";
import { cp437Byte, fontGlyph } from "../display/font";
import { logOutputSet } from "../log/log";
import { consoleInput } from "./input";
import { Terminal } from "./terminal";

class ScreenState {
  display: Display | null = null;
  terminal: Terminal | null = null;
}
const state = new ScreenState();

/** Finds the display, clears it, and makes it the log's second output. */
export function consoleScreenInit(information: BootInformation): void {
  const display = displayInit(information);
  if (display === null) return;
  const terminal = new Terminal(display.columns, display.rows, display.kind == DisplayKind.VgaText ? cp437Byte : fontGlyph);
  state.display = display;
  state.terminal = terminal;
  screenDraw();
  logOutputSet(screenWrite);
}

/** Writes `length` bytes at `address` (UTF-8 text with ANSI sequences) to the serial port and
 * the screen. */
export function consoleWrite(address: usize, length: usize): void {
  serialWrite(address, length);
  screenWrite(address, length);
}

/** The terminal behind the screen, or null without one (self-tests and benchmarks read it). */
export function consoleTerminal(): Terminal | null {
  return state.terminal;
}

/** Switches the screen output on or off (the console benchmark measures a boot without it). */
export function consoleScreenEnable(enabled: bool): void {
  logOutputSet(enabled && state.terminal !== null ? screenWrite : null);
}

/** Feeds the bytes to the terminal and draws what changed; its answers become input. */
function screenWrite(address: usize, length: usize): void {
  const terminal = state.terminal;
  if (terminal === null) return;
  terminal.write(address, length);
  screenDraw();
  const replies = terminal.replyLength;
  terminal.replyLength = 0;
  for (let i = 0; i < replies; i++) consoleInput(unchecked(terminal.reply[i]));
}

/** Draws every dirty row (the cursor's cell inverted on a framebuffer). */
export function screenDraw(): void {
  const terminal = state.terminal, display = state.display;
  if (terminal === null || display === null) return;
  terminal.prepareDraw();
  const cursorRow = terminal.cursorVisible && display.kind == DisplayKind.Framebuffer ? terminal.cursorRow : -1;
  for (let row = 0; row < terminal.rows; row++) {
    if (!terminal.isDirty(row)) continue;
    display.drawRow(row, terminal.rowAddress(row), row == cursorRow ? terminal.cursorColumn : -1);
    terminal.clean(row);
  }
  display.cursorAt(terminal.cursorRow, terminal.cursorColumn, terminal.cursorVisible);
}
