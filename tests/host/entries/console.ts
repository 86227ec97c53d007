// Host-test entry for the console's pure parts (kernel/console/utf8.ts, ansi.ts, terminal.ts):
// flat functions over one decoder, one parser and one terminal, for tests/host/console.test.ts.
// The terminal's glyph mapper is the identity on the BMP, so a cell's glyph is its code point.

import { AnsiParser } from "../../../kernel/console/ansi";
import { Terminal } from "../../../kernel/console/terminal";
import { Utf8Decoder } from "../../../kernel/console/utf8";

const SCRATCH_BYTES: i32 = 65536;
const scratchArea = memory.data(SCRATCH_BYTES, 16);

function identity(codePoint: u32): u16 {
  return codePoint > 0xffff ? 0xfffd : <u16>codePoint;
}

let decoder = new Utf8Decoder();
let parser = new AnsiParser();
let terminal = new Terminal(10, 4, identity);

export function scratch(): usize { return scratchArea; }

export function decoderReset(): void { decoder = new Utf8Decoder(); }
export function decoderFeed(byte: u8): u32 { return decoder.feed(byte); }
export function decoderAgain(): bool { return decoder.again; }

export function parserReset(): void { parser = new AnsiParser(); }
export function parserFeed(codePoint: u32): i32 { return parser.feed(codePoint); }
export function parserCodePoint(): u32 { return parser.codePoint; }
export function parserFinal(): u32 { return parser.final; }
export function parserMarker(): u32 { return parser.marker; }
export function parserCount(): i32 { return parser.parameterCount; }
export function parserRaw(index: i32): i32 { return parser.raw(index); }
export function parserParameter(index: i32, fallback: i32): i32 { return parser.parameter(index, fallback); }

export function terminalCreate(columns: i32, rows: i32): void { terminal = new Terminal(columns, rows, identity); }
export function terminalWrite(length: i32): void { terminal.write(scratchArea, <usize>length); }
export function terminalCell(row: i32, column: i32): u32 { return terminal.cell(row, column); }
export function terminalColumns(): i32 { return terminal.columns; }
export function terminalRows(): i32 { return terminal.rows; }
export function cursorRow(): i32 { return terminal.cursorRow; }
export function cursorColumn(): i32 { return terminal.cursorColumn; }
export function cursorVisible(): bool { return terminal.cursorVisible; }
export function scrolls(): u64 { return terminal.scrolls; }
export function replyLength(): i32 { return terminal.replyLength; }
export function replyByte(index: i32): u8 { return terminal.reply[index]; }
export function isDirty(row: i32): bool { return terminal.isDirty(row); }
export function prepareDraw(): void { terminal.prepareDraw(); }
export function clean(row: i32): void { terminal.clean(row); }
