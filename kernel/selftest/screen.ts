// Console self-tests (test=screen, test=console-bench). "screen" draws known text through the
// console with the sequences the terminal implements, then echoes what is typed (on the serial
// port or a PS/2 keyboard) until Enter, logs the line, and ends the run at the next key:
// tests/qemu/screen.test.ts compares the screen with the expected rendering in between. What it
// draws, on a screen of R rows (cursor positions 1-based, as the sequences write them):
//
//   rows 1..R   "scroll 00" .. "scroll R+1", one a line from a cleared screen: 3 scrolls, so
//               row r shows "scroll r+3" (0-based r)
//   row 2       red, green, bold blue and reverse words, the rest of the line erased (EL 0)
//   row 3       erased whole (EL 2), then a 'U' at column 9 (cursor up)
//   row 4, 5    'X' at column 5, 'Y' two to the right; 'D' on row 5 (cursor down, then left)
//   row 6       "é ✓ Ω" in UTF-8: ✓ is not in the font and gets the replacement glyph
//   row 7       yellow on blue
//   rows R-5..R erased (ED 0), then the log line "drawn", the echoed line, the typed line
//
// "console-bench" times drawing a full screen, scrolling by one line, and 1,000 log lines with
// and without the screen (bench/console.ts reads its lines).

import { debugExit, readTsc } from "../arch/hw";
import { DEBUG_EXIT_PASS } from "../arch/layout";
import { consoleInputConsume } from "../console/input";
import { consoleScreenEnable, consoleTerminal, consoleWrite, screenDraw } from "../console/screen";
import { log, logEnd, logLine } from "../log/log";
import { bootElapsedNanos, tscToNanos } from "../time/clock";

const LINE_CAPACITY: i32 = 120;
const BENCH_ROUNDS: i32 = 5;
const BENCH_LINES: i32 = 1000;

class ScreenTestState {
  line: StaticArray<u8> = new StaticArray<u8>(LINE_CAPACITY);
  length: i32 = 0;
  echo: StaticArray<u8> = new StaticArray<u8>(1);
}
const state = new ScreenTestState();

function write(text: string): void {
  const bytes = String.UTF8.encode(text);
  consoleWrite(changetype<usize>(bytes), <usize>bytes.byteLength);
}

function twoDigits(value: i32): string {
  return (value < 10 ? "0" : "") + value.toString();
}

export function screenScenario(): bool {
  const terminal = consoleTerminal();
  if (terminal === null) {
    log("selftest: screen: no screen to draw on");
    return false;
  }
  const rows = terminal.rows;
  write("\x1b[0m\x1b[2J\x1b[H");
  for (let i = 0; i < rows + 2; i++) write("scroll " + twoDigits(i) + "\n");
  write("\x1b[2;1H\x1b[31mred \x1b[32mgreen \x1b[1;34mblue\x1b[0m \x1b[7mreverse\x1b[0m\x1b[K");
  write("\x1b[3;1H\x1b[2K");
  write("\x1b[4;5HX\x1b[2CY\x1b[1AU\x1b[2B\x1b[3DD");
  write("\x1b[6;1H\u00e9 \u2713 \u03a9\x1b[K");
  write("\x1b[7;1H\x1b[44;33myellow on blue\x1b[0m\x1b[K");
  write("\x1b[" + (rows - 5).toString() + ";1H\x1b[J");
  log("selftest: screen: drawn; type a line");
  consoleInputConsume(lineConsumer);
  return true;
}

/** Echoes each byte (Enter as a new line) and keeps the line until Enter. */
function lineConsumer(byte: u8): void {
  if (byte == 0x0d || byte == 0x0a) {
    write("\n");
    const line = logLine().text("selftest: screen: line typed: ");
    for (let i = 0; i < state.length; i++) {
      const value = unchecked(state.line[i]);
      line.byte(value >= 0x20 && value < 0x7f ? value : 0x3f);
    }
    logEnd();
    consoleInputConsume(finishConsumer);
    return;
  }
  unchecked(state.echo[0] = byte);
  consoleWrite(changetype<usize>(state.echo), 1);
  if (state.length < LINE_CAPACITY) unchecked(state.line[state.length++] = byte);
}

function finishConsumer(byte: u8): void {
  consoleInputConsume(null);
  log("selftest: screen: passed");
  debugExit(DEBUG_EXIT_PASS);
}

function median(values: StaticArray<u64>): u64 {
  for (let i = 1; i < values.length; i++) {
    const value = values[i];
    let j = i - 1;
    for (; j >= 0 && values[j] > value; j--) values[j + 1] = values[j];
    values[j + 1] = value;
  }
  return values[values.length >> 1];
}

export function consoleBenchScenario(): bool {
  const terminal = consoleTerminal();
  if (terminal === null) {
    log("selftest: console-bench: no screen");
    return false;
  }
  // A full screen of text, then draw it all (the text in RAM, every row rendered and copied).
  write("\x1b[2J\x1b[H");
  let text = "";
  for (let column = 0; column < terminal.columns; column++) text += String.fromCharCode(0x21 + column % 94);
  for (let row = 0; row < terminal.rows - 1; row++) write(text + "\n");
  const full = new StaticArray<u64>(BENCH_ROUNDS), scroll = new StaticArray<u64>(BENCH_ROUNDS);
  for (let round = 0; round < BENCH_ROUNDS; round++) {
    terminal.markAllDirty();
    const start = readTsc();
    screenDraw();
    full[round] = tscToNanos(readTsc() - start);
  }
  // Scrolling by one line: a line feed on the last row (text moves up in RAM, every row redrawn).
  for (let round = 0; round < BENCH_ROUNDS; round++) {
    const start = readTsc();
    write("\n");
    scroll[round] = tscToNanos(readTsc() - start);
  }
  // A boot's 1,000 log lines, with the screen and without.
  const boot = bootElapsedNanos();
  const withScreen = timeLines();
  consoleScreenEnable(false);
  const withoutScreen = timeLines();
  consoleScreenEnable(true);
  logLine().text("bench: console: ").decimal(<u64>terminal.columns).text("x").decimal(<u64>terminal.rows)
    .text(" full screen ").decimal(median(full)).text(" ns, scroll one line ").decimal(median(scroll)).text(" ns");
  logEnd();
  logLine().text("bench: console: 1000 lines ").decimal(withScreen).text(" ns with the screen, ").decimal(withoutScreen)
    .text(" ns without; boot before them ").decimal(boot).text(" ns");
  logEnd();
  return true;
}

function timeLines(): u64 {
  const start = readTsc();
  for (let i = 0; i < BENCH_LINES; i++) {
    logLine().text("bench: console: line ").decimal(<u64>i).text(" of a boot that prints 1000");
    logEnd();
  }
  return tscToNanos(readTsc() - start);
}
