// Host tests of the console's line discipline (kernel/console/line-discipline.ts), compiled with
// asc and run under Node: canonical lines and their editing (erase, kill, word erase, literal
// next, EOF), raw mode and VMIN, input mapping (ICRNL, IGNCR), echo (ECHOCTL's ^X, ECHOE's
// erasure), signals from ^C, ^\ and ^Z with the input dropped, a full buffer, and random bytes
// under random termios never reaching an abort.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

const FUZZ_SEED = Number(process.env.TTY_FUZZ_SEED ?? Date.now() % 1_000_000);
const ICANON = 0x2, ECHO = 0x8, ISIG = 0x1, ICRNL = 0x100, IGNCR = 0x80;
const VMIN = 6, VTIME = 5;

let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
const memory = () => new Uint8Array((wasm.exports.memory as WebAssembly.Memory).buffer);

const readable = (): boolean => wasm.exports.readable() !== 0;

function type(text: string): void {
  for (const byte of Buffer.from(text, "latin1")) wasm.exports.input(byte);
}

function read(count = 4096): string {
  const taken = wasm.exports.read(count);
  return Buffer.from(memory().slice(wasm.exports.scratch(), wasm.exports.scratch() + taken)).toString("latin1");
}

function echoed(): string {
  const start = wasm.exports.echoes();
  return Buffer.from(memory().slice(start, start + wasm.exports.echoLength())).toString("latin1");
}

/** Changes the termios: `update` gets its bytes (flags as u32 at 0, 4, 8, 12; c_cc at 17). */
function termios(update: (view: DataView, bytes: Uint8Array) => void, flush = false): void {
  const length = wasm.exports.termiosGet();
  const bytes = memory().slice(wasm.exports.scratch(), wasm.exports.scratch() + length);
  update(new DataView(bytes.buffer), bytes);
  memory().set(bytes, wasm.exports.scratch());
  wasm.exports.termiosSet(flush);
}

const tty = suite("tty: the line discipline");
tty.before.each(() => {
  module ??= compileAssemblyScript(join(REPOSITORY, "tests/host/entries/tty.ts"));
  wasm = instantiate(module);
  wasm.exports.reset();
});

tty("canonical mode: nothing is readable before the newline, then one line per read", () => {
  type("hello");
  assert.is(readable(), false);
  assert.is(read(), "");
  type("\rsecond line\n");
  assert.is(readable(), true);
  assert.is(read(), "hello\n", "CR became NL (ICRNL)");
  assert.is(read(3), "sec", "a short read takes part of a line");
  assert.is(read(), "ond line\n");
  assert.is(readable(), false);
  assert.is(echoed(), "hello\nsecond line\n", "typed bytes are echoed");
});

tty("erase, kill, word erase and literal next edit the line being typed", () => {
  type("abc\x7f\x7fx\n");
  assert.is(read(), "ax\n");
  type("gone\x15kept\n");
  assert.is(read(), "kept\n");
  type("one two three\x17\x17four\n");
  assert.is(read(), "one four\n");
  type("a\x16\x7fb\n");
  assert.is(read(), "a\x7fb\n", "^V takes the next byte literally");
  assert.ok(echoed().includes("\b \b"), "ECHOE erases on the screen");
});

tty("^D makes the line readable without itself; on an empty line a read returns 0 once", () => {
  type("partial\x04");
  assert.is(read(), "partial");
  type("\x04");
  assert.is(readable(), true);
  assert.is(wasm.exports.read(100), 0);
  assert.is(readable(), false);
});

tty("^C, ^\\ and ^Z send SIGINT, SIGQUIT and SIGTSTP and drop the input; echoed as ^C", () => {
  type("typed\x03");
  assert.is(wasm.exports.signalLast(), 2);
  assert.is(wasm.exports.available(), 0);
  type("\x1c");
  assert.is(wasm.exports.signalLast(), 3);
  type("\x1a");
  assert.is(wasm.exports.signalLast(), 20);
  assert.is(wasm.exports.signalCount(), 3);
  assert.ok(echoed().endsWith("^C^\\^Z"), echoed());
  termios((view) => view.setUint32(12, view.getUint32(12, true) & ~ISIG, true));
  type("\x03\n");
  assert.is(wasm.exports.signalCount(), 3, "without ISIG ^C is a byte");
  assert.is(read(), "\x03\n");
});

tty("raw mode: bytes are readable as they come, echo off, VMIN 0 is always readable", () => {
  termios((view) => view.setUint32(12, view.getUint32(12, true) & ~(ICANON | ECHO), true));
  assert.is(readable(), false);
  type("ab");
  assert.is(readable(), true);
  assert.is(read(1), "a");
  assert.is(read(), "b");
  assert.is(echoed(), "");
  termios((view, bytes) => { bytes[17 + VMIN] = 0; bytes[17 + VTIME] = 0; });
  assert.is(readable(), true, "VMIN 0: a read returns at once");
});

tty("leaving canonical mode makes the line being typed readable; IGNCR drops CR", () => {
  type("half");
  termios((view) => view.setUint32(12, view.getUint32(12, true) & ~ICANON, true));
  assert.is(read(), "half");
  termios((view) => { view.setUint32(12, view.getUint32(12, true) | ICANON, true); view.setUint32(0, (view.getUint32(0, true) & ~ICRNL) | IGNCR, true); });
  type("x\ry\n");
  assert.is(read(), "xy\n");
  termios(() => {}, true);
  assert.is(wasm.exports.available(), 0);
});

tty("a full buffer keeps its place for the newline and refuses the rest", () => {
  type("z".repeat(5000));
  assert.is(readable(), false);
  type("\n");
  const line = read();
  assert.is(line.length, 4096);
  assert.ok(line.endsWith("z\n"));
});

tty(`random bytes under random termios never abort (seed ${FUZZ_SEED})`, () => {
  const random = generator(FUZZ_SEED);
  for (let round = 0; round < 200; round++) {
    termios((view, bytes) => {
      for (let i = 0; i < 16; i++) bytes[i] = random() & 0xff;
      for (let i = 17; i < 36; i++) bytes[i] = random() & 0xff;
    }, (random() & 1) === 1);
    for (let i = 0; i < 200; i++) {
      wasm.exports.input(random() & 0xff);
      if ((random() & 7) === 0) wasm.exports.read(random() % 300);
    }
    assert.ok(wasm.exports.available() >= 0 && wasm.exports.available() <= 4096);
  }
});

tty.run();
