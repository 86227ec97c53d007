// Host tests of the PS/2 scan code decoder (kernel/keyboard/scan-code.ts), compiled with asc and
// run under Node: the US layout with shift, caps lock, ctrl and alt; the cursor and editing keys
// as the escape sequences a tty expects; typematic repeat (more make codes without a break,
// which QEMU never sends, so only here); the pause sequence; random bytes never abort.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

const FUZZ_SEED = Number(process.env.KEYBOARD_FUZZ_SEED ?? Date.now() % 1_000_000);

// Scan code set 1 make codes (IBM PC AT Technical Reference); a break is make | 0x80.
const KEY = {
  a: 0x1e, c: 0x2e, x: 0x2d, one: 0x02, minus: 0x0c, slash: 0x35, enter: 0x1c, backspace: 0x0e, tab: 0x0f, space: 0x39,
  escape: 0x01, leftShift: 0x2a, rightShift: 0x36, control: 0x1d, alt: 0x38, capsLock: 0x3a, numLock: 0x45, f1: 0x3b, f5: 0x3f,
  f12: 0x58, keypad7: 0x47, keypad8: 0x48, keypadMinus: 0x4a,
};
const EXTENDED = 0xe0;
const up = (code: number) => code | 0x80;

let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
const keyboard = suite("keyboard: scan code set 1 decoder");
keyboard.before.each(() => {
  module ??= compileAssemblyScript(join(REPOSITORY, "tests/host/entries/keyboard.ts"));
  wasm = instantiate(module);
});

/** What `codes` make, as a string of bytes. */
function type(...codes: number[]): string {
  let text = "";
  for (const code of codes) {
    const count = wasm.exports.feed(code);
    for (let i = 0; i < count; i++) text += String.fromCharCode(wasm.exports.output(i));
  }
  return text;
}
/** A key pressed and released. */
const press = (code: number) => [code, up(code)];
const pressExtended = (code: number) => [EXTENDED, code, EXTENDED, up(code)];

keyboard("letters, digits and punctuation, with and without shift (either one)", () => {
  assert.is(type(...press(KEY.a), ...press(KEY.one), ...press(KEY.minus), ...press(KEY.slash), ...press(KEY.space)), "a1-/ ");
  assert.is(type(KEY.leftShift, ...press(KEY.a), ...press(KEY.one), ...press(KEY.slash), up(KEY.leftShift), ...press(KEY.a)), "A!?a");
  assert.is(type(KEY.rightShift, ...press(KEY.minus), up(KEY.rightShift)), "_");
});

keyboard("Enter is CR, Backspace DEL, Tab and Escape themselves", () => {
  assert.is(type(...press(KEY.enter), ...press(KEY.backspace), ...press(KEY.tab), ...press(KEY.escape)), "\r\x7f\t\x1b");
});

keyboard("caps lock toggles on its make: letters only, and shift inverts it", () => {
  assert.is(type(...press(KEY.capsLock), ...press(KEY.a), ...press(KEY.one)), "A1");
  assert.ok(wasm.exports.capsLock());
  assert.is(type(KEY.leftShift, ...press(KEY.a), up(KEY.leftShift)), "a");
  assert.is(type(...press(KEY.capsLock), ...press(KEY.a)), "a");
});

keyboard("ctrl makes C0 controls, alt sends ESC first", () => {
  assert.is(type(KEY.control, ...press(KEY.c), ...press(KEY.a), up(KEY.control)), "\x03\x01");
  assert.is(type(EXTENDED, KEY.control, ...press(KEY.c), EXTENDED, up(KEY.control), ...press(KEY.c)), "\x03c", "right ctrl too");
  assert.is(type(KEY.alt, ...press(KEY.x), up(KEY.alt), ...press(KEY.x)), "\x1bxx");
  assert.is(type(KEY.alt, ...pressExtended(0x4b), up(KEY.alt)), "\x1b\x1b[D");
});

keyboard("arrows, home, end, insert, delete, page up and down: the sequences a tty expects", () => {
  const sequences: [number, string][] = [
    [0x48, "\x1b[A"], [0x50, "\x1b[B"], [0x4d, "\x1b[C"], [0x4b, "\x1b[D"], [0x47, "\x1b[1~"], [0x4f, "\x1b[4~"],
    [0x52, "\x1b[2~"], [0x53, "\x1b[3~"], [0x49, "\x1b[5~"], [0x51, "\x1b[6~"],
  ];
  for (const [code, sequence] of sequences) assert.is(type(...pressExtended(code)), sequence, `E0 ${code.toString(16)}`);
  assert.is(type(...press(KEY.f1), ...press(KEY.f5), ...press(KEY.f12)), "\x1bOP\x1b[15~\x1b[24~");
  assert.is(type(...pressExtended(KEY.enter), ...pressExtended(KEY.slash)), "\r/", "keypad Enter and /");
});

keyboard("the keypad: cursor keys without num lock, digits with it", () => {
  assert.is(type(...press(KEY.keypad8), ...press(KEY.keypad7), ...press(KEY.keypadMinus)), "\x1b[A\x1b[1~-");
  type(...press(KEY.numLock));
  assert.ok(wasm.exports.numLock());
  assert.is(type(...press(KEY.keypad8), ...press(KEY.keypad7)), "87");
});

keyboard("typematic repeat: repeated make codes repeat the character; a held lock key toggles once; a held shift stays down", () => {
  assert.is(type(KEY.a, KEY.a, KEY.a, up(KEY.a)), "aaa");
  assert.is(type(EXTENDED, 0x4b, EXTENDED, 0x4b, EXTENDED, up(0x4b)), "\x1b[D\x1b[D");
  type(KEY.capsLock, KEY.capsLock, KEY.capsLock, KEY.capsLock);
  assert.ok(wasm.exports.capsLock(), "held caps lock: one toggle, not four");
  type(up(KEY.capsLock));
  assert.is(type(KEY.leftShift, KEY.leftShift, KEY.leftShift, KEY.x, KEY.x, up(KEY.x), up(KEY.leftShift), ...press(KEY.x)), "xxX",
    "caps lock on and shift held (repeated makes): lower case; shift released once: upper case");
});

keyboard("the pause key's six bytes and the fake shifts around Print Screen make nothing", () => {
  assert.is(type(0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, ...press(KEY.a)), "a");
  assert.is(type(EXTENDED, 0x2a, EXTENDED, 0x37, EXTENDED, 0xb7, EXTENDED, 0xaa, ...press(KEY.a)), "a");
});

keyboard(`fuzz: random bytes never abort and never make more than 8 bytes (seed ${FUZZ_SEED}; replay with KEYBOARD_FUZZ_SEED=${FUZZ_SEED})`, () => {
  const random = generator(FUZZ_SEED);
  for (let i = 0; i < 50000; i++) {
    const count = wasm.exports.feed(Math.floor(random() * 256));
    assert.ok(count >= 0 && count <= 8, `seed ${FUZZ_SEED}, byte ${i}: ${count}`);
  }
  assert.equal(wasm.aborts, []);
});

keyboard.run();
