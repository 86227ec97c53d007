// Host tests of the console's pure parts, compiled with asc and run under Node: the UTF-8
// decoder against Node's own WHATWG decoder (the same algorithm) on hostile and random bytes;
// the ANSI parser's sequences and its limits; the terminal's text, cursor, wrapping, scrolling,
// erasing, colours and answers. Random input never reaches an abort (a bounds check).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

const FUZZ_SEED = Number(process.env.CONSOLE_FUZZ_SEED ?? Date.now() % 1_000_000);
const UTF8_NONE = 0xffffffff;
enum Action { None = 0, Print = 1, Control = 2, Csi = 3, Escape = 4 }

let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
const load = () => {
  module ??= compileAssemblyScript(join(REPOSITORY, "tests/host/entries/console.ts"));
  wasm = instantiate(module);
};

/** Decodes `bytes` with the kernel's decoder, as the terminal feeds it. */
function decode(bytes: Uint8Array): string {
  wasm.exports.decoderReset();
  const out: number[] = [];
  for (const byte of bytes) {
    let value = wasm.exports.decoderFeed(byte) >>> 0;
    if (value !== UTF8_NONE) out.push(value);
    if (wasm.exports.decoderAgain()) {
      value = wasm.exports.decoderFeed(byte) >>> 0;
      if (value !== UTF8_NONE) out.push(value);
    }
  }
  return String.fromCodePoint(...out);
}

const utf8 = suite("console: UTF-8");
utf8.before.each(load);

utf8("one to four bytes decode to their code points", () => {
  assert.is(decode(Buffer.from("A é € 😀 \u{10ffff}", "utf8")), "A é € 😀 \u{10ffff}");
});

utf8("overlong forms, surrogates, code points past U+10FFFF, stray and cut sequences give U+FFFD as WHATWG says", () => {
  const cases: number[][] = [
    [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xf0, 0x80, 0x80, 0x80], // overlong
    [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf],                                      // surrogates
    [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80], [0xff],                              // past U+10FFFF
    [0x80], [0xbf, 0x41],                                                        // stray continuation
    [0xe2, 0x82, 0x41], [0xf0, 0x9f, 0x98], [0xc3, 0xc3, 0xa9],                  // cut short
  ];
  const whatwg = new TextDecoder("utf-8");
  for (const bytes of cases) {
    const input = Uint8Array.from([...bytes, 0x5a]); // a 'Z' after, so a cut sequence ends
    assert.is(decode(input), whatwg.decode(input), Buffer.from(bytes).toString("hex"));
  }
  assert.is(decode(Uint8Array.from([0xe2, 0x82, 0x41])), "\ufffdA", "the byte that broke a sequence is decoded again");
});

utf8(`fuzz: random bytes decode as Node's WHATWG decoder does (seed ${FUZZ_SEED}; replay with CONSOLE_FUZZ_SEED=${FUZZ_SEED})`, () => {
  const random = generator(FUZZ_SEED);
  const whatwg = new TextDecoder("utf-8");
  for (let iteration = 0; iteration < 2000; iteration++) {
    const bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 12) }, () =>
      random() < 0.5 ? 0x80 + Math.floor(random() * 0x80) : Math.floor(random() * 256));
    const input = Uint8Array.from([...bytes, 0x5a]);
    assert.is(decode(input), whatwg.decode(input), `seed ${FUZZ_SEED}, iteration ${iteration}, ${Buffer.from(bytes).toString("hex")}`);
  }
});

utf8.run();

const ansi = suite("console: ANSI parser");
ansi.before.each(() => {
  load();
  wasm.exports.parserReset();
});

/** Feeds `text`; returns the non-None actions with what they carried. */
function parse(text: string): string[] {
  const actions: string[] = [];
  for (const character of text) {
    const action = wasm.exports.parserFeed(character.codePointAt(0)!) as Action;
    if (action === Action.Print) actions.push(`print ${String.fromCodePoint(wasm.exports.parserCodePoint())}`);
    if (action === Action.Control) actions.push(`control ${wasm.exports.parserCodePoint()}`);
    if (action === Action.Escape) actions.push(`escape ${String.fromCharCode(wasm.exports.parserFinal())}`);
    if (action === Action.Csi) {
      const marker = wasm.exports.parserMarker();
      const parameters = Array.from({ length: wasm.exports.parserCount() }, (_, i) => wasm.exports.parserRaw(i));
      actions.push(`csi ${marker ? String.fromCharCode(marker) : ""}${parameters.join(";")}${String.fromCharCode(wasm.exports.parserFinal())}`);
    }
  }
  return actions;
}

ansi("text, controls, CSI with parameters and a private marker, ESC sequences", () => {
  assert.equal(parse("a\r\n\x1b[1;31mb\x1b[?25l\x1b[H\x1b[K\x1b7"), [
    "print a", "control 13", "control 10", "csi 1;31m", "print b", "csi ?25l", "csi H", "csi K", "escape 7",
  ]);
  assert.equal(parse("\x1b[;5H"), ["csi 0;5H"], "an empty parameter is 0");
  assert.is(wasm.exports.parserParameter(0, 1), 1, "0 means the default");
});

ansi("limits: more than 8 parameters are dropped, huge numbers capped, OSC strings swallowed, CAN cancels", () => {
  assert.equal(parse(`\x1b[${Array.from({ length: 20 }, (_, i) => i + 1).join(";")}m`), ["csi 1;2;3;4;5;6;7;8m"]);
  assert.equal(parse("\x1b[99999999999999999999A"), ["csi 9999A"]);
  assert.equal(parse("\x1b]0;window title\x07x"), ["print x"]);
  assert.equal(parse("\x1b[12\x18y"), ["print y"]);
  assert.equal(parse("\x1b[1 q\x1b(Bz"), ["print z"], "intermediates: ignored sequences");
  assert.equal(parse("\x1b[1\n2A"), ["control 10", "csi 12A"], "a control inside a CSI is executed");
});

ansi(`fuzz: random code points never abort (seed ${FUZZ_SEED})`, () => {
  const random = generator(FUZZ_SEED);
  const alphabet = "\x1b[;?0123456789mHJKABCDhlnsu]\x07\x18 abc\x7f\x9b";
  for (let i = 0; i < 20000; i++)
    wasm.exports.parserFeed(random() < 0.9 ? alphabet.charCodeAt(Math.floor(random() * alphabet.length)) : Math.floor(random() * 0x110000));
  assert.equal(wasm.aborts, []);
});

ansi.run();

const terminal = suite("console: terminal");
terminal.before.each(() => {
  load();
  wasm.exports.terminalCreate(10, 4);
});

function write(text: string): void {
  const bytes = Buffer.from(text, "utf8");
  new Uint8Array(wasm.memory.buffer).set(bytes, wasm.exports.scratch());
  wasm.exports.terminalWrite(bytes.length);
}
function rowText(row: number): string {
  let text = "";
  for (let column = 0; column < wasm.exports.terminalColumns(); column++) text += String.fromCodePoint(wasm.exports.terminalCell(row, column) & 0xffff);
  return text;
}
function screen(): string[] {
  return Array.from({ length: wasm.exports.terminalRows() }, (_, row) => rowText(row));
}
const colours = (row: number, column: number) => {
  const cell = wasm.exports.terminalCell(row, column) >>> 0;
  return [(cell >> 16) & 15, (cell >> 20) & 15];
};
const cursor = () => [wasm.exports.cursorRow(), wasm.exports.cursorColumn()];

terminal("text, new lines (CR LF), a wrap after the last column, and a scroll at the bottom", () => {
  write("hello\nworld");
  assert.equal(screen(), ["hello     ", "world     ", "          ", "          "]);
  assert.equal(cursor(), [1, 5]);
  write("\r0123456789");
  assert.equal(cursor(), [1, 9], "the cursor stays on the last column until the next character");
  write("X\n\nlast");
  assert.equal(screen(), ["0123456789", "X         ", "          ", "last      "], "one scroll: hello went off the top");
  write("\nmore");
  assert.equal(screen(), ["X         ", "          ", "last      ", "more      "]);
  assert.is(wasm.exports.scrolls(), 2n);
});

terminal("backspace, tab, cursor movement clamped to the screen, save and restore", () => {
  write("ab\bc\tx");
  assert.equal(rowText(0), "ac      x ");
  write("\x1b[99;99H");
  assert.equal(cursor(), [3, 9]);
  write("\x1b[2A\x1b[3D");
  assert.equal(cursor(), [1, 6]);
  write("\x1b[s\x1b[H\x1b[u");
  assert.equal(cursor(), [1, 6]);
  write("\x1b[0;0H\x1b[5B\x1b[20C");
  assert.equal(cursor(), [3, 9]);
  write("\x1b[2;3H\x1b[G");
  assert.equal(cursor(), [1, 0]);
});

terminal("erase in line and display (0, 1, 2), erase, insert and delete characters, insert and delete lines", () => {
  write("0123456789abcdefghijABCDEFGHIJklmnopqrs");
  write("\x1b[1;5H\x1b[K\x1b[2;5H\x1b[1K\x1b[3;5H\x1b[2K");
  assert.equal(screen(), ["0123      ", "     fghij", "          ", "klmnopqrs "]);
  write("\x1b[4;2H\x1b[2@");
  assert.equal(rowText(3), "k  lmnopqr");
  write("\x1b[3P");
  assert.equal(rowText(3), "kmnopqr   ");
  write("\x1b[2X");
  assert.equal(rowText(3), "k  opqr   ");
  write("\x1b[1;1H\x1b[L");
  assert.equal(screen(), ["          ", "0123      ", "     fghij", "          "]);
  write("\x1b[M\x1b[M");
  assert.equal(screen(), ["     fghij", "          ", "          ", "          "]);
  write("\x1b[1;7H\x1b[J");
  assert.equal(rowText(0), "     f    ");
  write("\x1b[1;3H\x1b[1J");
  assert.equal(rowText(0), "     f    ");
  write("\x1b[2J");
  assert.equal(screen(), Array(4).fill("          "));
});

terminal("colours: SGR foreground, background, bold as bright, reverse, defaults; erasing takes the background", () => {
  write("\x1b[31ma\x1b[1mb\x1b[44mc\x1b[7md\x1b[0me\x1b[93;101mf\x1b[39;49mg");
  assert.equal([0, 1, 2, 3, 4, 5, 6].map((column) => colours(0, column)),
    [[1, 0], [9, 0], [9, 4], [4, 9], [7, 0], [11, 9], [7, 0]]);
  write("\x1b[42m\x1b[2;1H\x1b[K");
  assert.equal(colours(1, 5), [7, 2]);
  write("\x1b[38;5;200mh");
  assert.equal(colours(0, 7)[0], 7, "a 256-colour form is ignored, not misread");
});

terminal("the cursor position report and the cursor's visibility", () => {
  write("\x1b[3;7H\x1b[6n");
  const reply = Buffer.from(Array.from({ length: wasm.exports.replyLength() }, (_, i) => wasm.exports.replyByte(i))).toString("latin1");
  assert.is(reply, "\x1b[3;7R");
  write("\x1b[?25l");
  assert.not.ok(wasm.exports.cursorVisible());
  write("\x1b[?25h");
  assert.ok(wasm.exports.cursorVisible());
});

terminal("dirty rows: a write marks its row; moving the cursor marks the old and the new row", () => {
  for (let row = 0; row < 4; row++) wasm.exports.clean(row);
  write("x");
  assert.equal([0, 1, 2, 3].map((row) => Boolean(wasm.exports.isDirty(row))), [true, false, false, false]);
  wasm.exports.prepareDraw();
  wasm.exports.clean(0);
  write("\x1b[3;1H");
  wasm.exports.prepareDraw();
  assert.equal([0, 1, 2, 3].map((row) => Boolean(wasm.exports.isDirty(row))), [true, false, true, false]);
});

terminal(`fuzz: random output never aborts and keeps the cursor on the screen (seed ${FUZZ_SEED})`, () => {
  const random = generator(FUZZ_SEED + 1);
  const pieces = ["\x1b[", ";", "9999", "0", "1", "3", "A", "B", "C", "D", "H", "J", "K", "L", "M", "P", "@", "X", "S", "T", "m",
    "n", "s", "u", "?25l", "\n", "\r", "\b", "\t", "x", "é", "\xff", "\x1b7", "\x1b8", "\x1bM", "\x1bD", "\x1bc"];
  for (let i = 0; i < 3000; i++) {
    let text = "";
    for (let j = 0; j < 8; j++) text += pieces[Math.floor(random() * pieces.length)];
    write(text);
    const [row, column] = cursor();
    assert.ok(row >= 0 && row < 4 && column >= 0 && column < 10, `seed ${FUZZ_SEED}, ${JSON.stringify(text)}: cursor ${row},${column}`);
  }
  assert.equal(wasm.aborts, []);
});

terminal.run();
