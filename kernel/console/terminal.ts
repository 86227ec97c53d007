// The console's screen as text: a grid of cells kept in RAM (the screen is never read back), a
// cursor, the current colours, and what each ANSI/VT100 sequence does to them (the subset busybox
// sh and its line editing use: colours, cursor movement, clearing, erasing, inserting and
// deleting). Pure (no imports but the parsers): host-tested (tests/host/console.test.ts); the
// console (screen.ts) feeds it bytes and draws the rows it marks dirty through a display.
//
// A cell is a u32:  bits 0-15 glyph (what the display draws: a font glyph, or a code page 437
// byte in VGA text mode; the display's glyph mapper decides) | 16-19 foreground | 20-23
// background. Colours are the 16 ANSI colours (0-7 normal, 8-15 bright). '\n' moves to the start
// of the next line (the console does ONLCR, as a tty would).

import { AnsiAction, AnsiParser } from "./ansi";
import { UTF8_NONE, Utf8Decoder } from "./utf8";

export const CELL_GLYPH_MASK: u32 = 0xffff;
export const CELL_FOREGROUND_SHIFT: u32 = 16;
export const CELL_BACKGROUND_SHIFT: u32 = 20;
export const DEFAULT_FOREGROUND: u32 = 7;
export const DEFAULT_BACKGROUND: u32 = 0;
const TAB_WIDTH: i32 = 8;
const REPLY_CAPACITY: i32 = 32;

/** Maps a code point to the glyph a display draws for it. */
export type GlyphMapper = (codePoint: u32) => u16;

export class Terminal {
  readonly columns: i32;
  readonly rows: i32;
  cursorRow: i32 = 0;
  cursorColumn: i32 = 0;
  cursorVisible: bool = true;
  /** Rows scrolled off the top since the start (for the benchmarks). */
  scrolls: u64 = 0;
  /** Bytes the terminal answers with (a cursor position report): the console's input. */
  readonly reply: StaticArray<u8> = new StaticArray<u8>(REPLY_CAPACITY);
  replyLength: i32 = 0;
  private readonly cells: StaticArray<u32>;
  private readonly dirtyRows: StaticArray<u8>;
  private readonly glyphOf: GlyphMapper;
  private readonly decoder: Utf8Decoder = new Utf8Decoder();
  private readonly parser: AnsiParser = new AnsiParser();
  private foreground: u32 = DEFAULT_FOREGROUND;
  private background: u32 = DEFAULT_BACKGROUND;
  private bold: bool = false;
  private reverse: bool = false;
  /** The VT100 "last column flag": a character was drawn in the last column; the next one wraps. */
  private pendingWrap: bool = false;
  private savedRow: i32 = 0;
  private savedColumn: i32 = 0;
  private drawnCursorRow: i32 = 0;
  private drawnCursorVisible: bool = true;

  /** `columns` and `rows` are at least 1 (the display's text size). */
  constructor(columns: i32, rows: i32, glyphOf: GlyphMapper) {
    const width = columns < 1 ? 1 : columns, height = rows < 1 ? 1 : rows;
    this.cells = new StaticArray<u32>(width * height);
    this.dirtyRows = new StaticArray<u8>(height);
    this.columns = width;
    this.rows = height;
    this.glyphOf = glyphOf;
    this.eraseCells(0, this.columns * this.rows);
    for (let row = 0; row < this.rows; row++) unchecked(this.dirtyRows[row] = 1);
  }

  /** Feeds `length` bytes of output (UTF-8 with ANSI sequences) at `address`. */
  write(address: usize, length: usize): void {
    for (let i: usize = 0; i < length; i++) this.writeByte(load<u8>(address + i));
  }

  writeByte(byte: u8): void {
    let codePoint = this.decoder.feed(byte);
    if (codePoint != UTF8_NONE) this.codePoint(codePoint);
    if (this.decoder.again) {
      codePoint = this.decoder.feed(byte);
      if (codePoint != UTF8_NONE) this.codePoint(codePoint);
    }
  }

  /** The cell at (row, column); 0 outside the grid. */
  cell(row: i32, column: i32): u32 {
    if (row < 0 || row >= this.rows || column < 0 || column >= this.columns) return 0;
    return unchecked(this.cells[row * this.columns + column]);
  }

  /** Linear address of row `row`'s cells (`columns` u32); `row` must be in the grid. */
  rowAddress(row: i32): usize {
    return changetype<usize>(this.cells) + (<usize>row * <usize>this.columns << 2);
  }

  isDirty(row: i32): bool {
    return row >= 0 && row < this.rows && unchecked(this.dirtyRows[row]) != 0;
  }

  /** Marks the rows whose cursor cell changed since the last call, and forgets the rest of the
   * dirt once the caller has drawn what isDirty says. Call before drawing. */
  prepareDraw(): void {
    if (this.drawnCursorRow != this.cursorRow || this.drawnCursorVisible != this.cursorVisible) {
      this.markDirty(this.drawnCursorRow);
      this.markDirty(this.cursorRow);
      this.drawnCursorRow = this.cursorRow;
      this.drawnCursorVisible = this.cursorVisible;
    }
  }

  clean(row: i32): void {
    if (row >= 0 && row < this.rows) unchecked(this.dirtyRows[row] = 0);
  }

  /** Marks every row dirty (the display was cleared or changed). */
  markAllDirty(): void {
    for (let row = 0; row < this.rows; row++) unchecked(this.dirtyRows[row] = 1);
  }

  private codePoint(codePoint: u32): void {
    const parser = this.parser;
    switch (parser.feed(codePoint)) {
      case AnsiAction.Print: this.print(parser.codePoint); break;
      case AnsiAction.Control: this.control(parser.codePoint); break;
      case AnsiAction.Csi: this.csi(parser); break;
      case AnsiAction.Escape: this.escape(parser.final); break;
    }
  }

  private print(codePoint: u32): void {
    if (this.pendingWrap) {
      this.pendingWrap = false;
      this.cursorColumn = 0;
      this.lineFeed();
    }
    const row = this.cursorRow, column = this.cursorColumn;
    unchecked(this.cells[row * this.columns + column] = this.makeCell(this.glyphOf(codePoint)));
    this.markDirty(row);
    if (column + 1 >= this.columns) this.pendingWrap = true;
    else this.cursorColumn = column + 1;
  }

  private control(codePoint: u32): void {
    switch (codePoint) {
      case 0x08: // BS
        if (this.pendingWrap) this.pendingWrap = false;
        else if (this.cursorColumn > 0) this.cursorColumn--;
        break;
      case 0x09: { // HT
        const next = (this.cursorColumn / TAB_WIDTH + 1) * TAB_WIDTH;
        this.moveTo(this.cursorRow, next < this.columns ? next : this.columns - 1);
        break;
      }
      case 0x0a: case 0x0b: case 0x0c: // LF, VT, FF: a new line (ONLCR)
        this.cursorColumn = 0;
        this.pendingWrap = false;
        this.lineFeed();
        break;
      case 0x0d: // CR
        this.cursorColumn = 0;
        this.pendingWrap = false;
        break;
    }
  }

  private escape(final: u32): void {
    switch (final) {
      case 0x37: this.saveCursor(); break;                     // ESC 7
      case 0x38: this.restoreCursor(); break;                  // ESC 8
      case 0x44: this.lineFeed(); break;                       // ESC D: index
      case 0x45: this.cursorColumn = 0; this.pendingWrap = false; this.lineFeed(); break; // ESC E
      case 0x4d: this.reverseLineFeed(); break;                // ESC M: reverse index
      case 0x63: this.resetState(); this.eraseDisplay(2); this.moveTo(0, 0); break; // ESC c
    }
  }

  private csi(parser: AnsiParser): void {
    const row = this.cursorRow, column = this.cursorColumn;
    const count = parser.parameter(0, 1);
    if (parser.marker != 0) {
      // DEC private modes: only the cursor's visibility (?25h, ?25l).
      if (parser.marker == 0x3f && parser.raw(0) == 25) {
        if (parser.final == 0x68) this.cursorVisible = true;
        else if (parser.final == 0x6c) this.cursorVisible = false;
      }
      return;
    }
    switch (parser.final) {
      case 0x41: this.moveTo(row - count, column); break;                            // A: up
      case 0x42: case 0x65: this.moveTo(row + count, column); break;                // B, e: down
      case 0x43: case 0x61: this.moveTo(row, column + count); break;                // C, a: right
      case 0x44: this.moveTo(row, column - count); break;                           // D: left
      case 0x45: this.moveTo(row + count, 0); break;                                // E: next line
      case 0x46: this.moveTo(row - count, 0); break;                                // F: previous line
      case 0x47: case 0x60: this.moveTo(row, count - 1); break;                     // G, `: column
      case 0x48: case 0x66: this.moveTo(count - 1, parser.parameter(1, 1) - 1); break; // H, f: position
      case 0x64: this.moveTo(count - 1, column); break;                             // d: row
      case 0x4a: this.eraseDisplay(parser.raw(0)); break;                           // J
      case 0x4b: this.eraseLine(parser.raw(0)); break;                              // K
      case 0x58: this.eraseCharacters(count); break;                                // X
      case 0x40: this.insertCharacters(count); break;                               // @
      case 0x50: this.deleteCharacters(count); break;                               // P
      case 0x4c: this.insertLines(count); break;                                    // L
      case 0x4d: this.deleteLines(count); break;                                    // M
      case 0x53: this.scrollUp(count); break;                                       // S
      case 0x54: this.scrollDown(count); break;                                     // T
      case 0x6d: this.selectGraphicRendition(parser); break;                        // m
      case 0x6e: this.deviceStatusReport(parser.raw(0)); break;                     // n
      case 0x73: this.saveCursor(); break;                                          // s
      case 0x75: this.restoreCursor(); break;                                       // u
    }
  }

  private selectGraphicRendition(parser: AnsiParser): void {
    const count = parser.parameterCount == 0 ? 1 : parser.parameterCount;
    for (let i = 0; i < count; i++) {
      const value = parser.raw(i);
      if (value == 0) this.resetState();
      else if (value == 1) this.bold = true;
      else if (value == 2 || value == 22) this.bold = false;
      else if (value == 7) this.reverse = true;
      else if (value == 27) this.reverse = false;
      else if (value >= 30 && value <= 37) this.foreground = <u32>(value - 30);
      else if (value == 39) this.foreground = DEFAULT_FOREGROUND;
      else if (value >= 40 && value <= 47) this.background = <u32>(value - 40);
      else if (value == 49) this.background = DEFAULT_BACKGROUND;
      else if (value >= 90 && value <= 97) this.foreground = <u32>(value - 90 + 8);
      else if (value >= 100 && value <= 107) this.background = <u32>(value - 100 + 8);
      else if (value == 38 || value == 48) return; // 256-colour and RGB forms: not supported, the rest ignored
    }
  }

  private deviceStatusReport(kind: i32): void {
    this.replyLength = 0;
    if (kind == 5) {
      this.replyText("\x1b[0n");
    } else if (kind == 6) {
      this.replyText("\x1b[");
      this.replyNumber(this.cursorRow + 1);
      this.replyByte(0x3b);
      this.replyNumber(this.cursorColumn + 1);
      this.replyByte(0x52);
    }
  }

  private replyText(text: string): void {
    for (let i = 0; i < text.length; i++) this.replyByte(<u8>text.charCodeAt(i));
  }

  private replyNumber(value: i32): void {
    if (value >= 10) this.replyNumber(value / 10);
    this.replyByte(<u8>(0x30 + value % 10));
  }

  private replyByte(byte: u8): void {
    if (this.replyLength < REPLY_CAPACITY) unchecked(this.reply[this.replyLength++] = byte);
  }

  private resetState(): void {
    this.foreground = DEFAULT_FOREGROUND;
    this.background = DEFAULT_BACKGROUND;
    this.bold = false;
    this.reverse = false;
  }

  private saveCursor(): void {
    this.savedRow = this.cursorRow;
    this.savedColumn = this.cursorColumn;
  }

  private restoreCursor(): void {
    this.moveTo(this.savedRow, this.savedColumn);
  }

  /** Moves the cursor, clamped to the grid. */
  private moveTo(row: i32, column: i32): void {
    this.cursorRow = row < 0 ? 0 : row >= this.rows ? this.rows - 1 : row;
    this.cursorColumn = column < 0 ? 0 : column >= this.columns ? this.columns - 1 : column;
    this.pendingWrap = false;
  }

  private lineFeed(): void {
    if (this.cursorRow + 1 < this.rows) this.cursorRow++;
    else this.scrollUp(1);
  }

  private reverseLineFeed(): void {
    if (this.cursorRow > 0) this.cursorRow--;
    else this.scrollDown(1);
  }

  /** The cell the current colours give `glyph`. */
  private makeCell(glyph: u16): u32 {
    let foreground = this.foreground, background = this.background;
    if (this.bold && foreground < 8) foreground += 8;
    if (this.reverse) {
      const swap = foreground;
      foreground = background;
      background = swap;
    }
    return <u32>glyph | (foreground << CELL_FOREGROUND_SHIFT) | (background << CELL_BACKGROUND_SHIFT);
  }

  /** Erased cells are blanks in the current background (as on a VT220 and xterm). */
  private eraseCells(first: i32, count: i32): void {
    const blank = <u32>this.glyphOf(0x20) | (DEFAULT_FOREGROUND << CELL_FOREGROUND_SHIFT) | (this.background << CELL_BACKGROUND_SHIFT);
    const end = first + count;
    for (let i = first; i < end; i++) unchecked(this.cells[i] = blank);
    const lastRow = (end - 1) / this.columns;
    for (let row = first / this.columns; row <= lastRow; row++) this.markDirty(row);
  }

  private eraseDisplay(kind: i32): void {
    const here = this.cursorRow * this.columns + this.cursorColumn;
    const all = this.rows * this.columns;
    if (kind == 0) this.eraseCells(here, all - here);
    else if (kind == 1) this.eraseCells(0, here + 1);
    else if (kind == 2 || kind == 3) this.eraseCells(0, all);
  }

  private eraseLine(kind: i32): void {
    const start = this.cursorRow * this.columns;
    if (kind == 0) this.eraseCells(start + this.cursorColumn, this.columns - this.cursorColumn);
    else if (kind == 1) this.eraseCells(start, this.cursorColumn + 1);
    else if (kind == 2) this.eraseCells(start, this.columns);
  }

  private eraseCharacters(count: i32): void {
    const room = this.columns - this.cursorColumn;
    this.eraseCells(this.cursorRow * this.columns + this.cursorColumn, count < room ? count : room);
  }

  private insertCharacters(count: i32): void {
    const room = this.columns - this.cursorColumn;
    const shift = count < room ? count : room;
    const here = this.rowAddress(this.cursorRow) + (<usize>this.cursorColumn << 2);
    memory.copy(here + (<usize>shift << 2), here, <usize>(room - shift) << 2);
    this.eraseCells(this.cursorRow * this.columns + this.cursorColumn, shift);
  }

  private deleteCharacters(count: i32): void {
    const room = this.columns - this.cursorColumn;
    const shift = count < room ? count : room;
    const here = this.rowAddress(this.cursorRow) + (<usize>this.cursorColumn << 2);
    memory.copy(here, here + (<usize>shift << 2), <usize>(room - shift) << 2);
    this.eraseCells(this.cursorRow * this.columns + this.columns - shift, shift);
  }

  /** Moves rows [top, rows - count) down by `count` (insert) or rows [top + count, rows) up
   * (delete); the rows uncovered are erased. */
  private shiftRows(top: i32, count: i32, down: bool): void {
    const room = this.rows - top;
    const shift = count < room ? count : room;
    const rowBytes = <usize>this.columns << 2;
    const moved = <usize>(room - shift) * rowBytes;
    if (down) memory.copy(this.rowAddress(top) + <usize>shift * rowBytes, this.rowAddress(top), moved);
    else memory.copy(this.rowAddress(top), this.rowAddress(top) + <usize>shift * rowBytes, moved);
    this.eraseCells((down ? top : this.rows - shift) * this.columns, shift * this.columns);
    for (let row = top; row < this.rows; row++) this.markDirty(row);
  }

  private insertLines(count: i32): void {
    this.shiftRows(this.cursorRow, count, true);
    this.cursorColumn = 0;
  }

  private deleteLines(count: i32): void {
    this.shiftRows(this.cursorRow, count, false);
    this.cursorColumn = 0;
  }

  private scrollUp(count: i32): void {
    this.shiftRows(0, count, false);
    this.scrolls += <u64>(count < this.rows ? count : this.rows);
  }

  private scrollDown(count: i32): void {
    this.shiftRows(0, count, true);
  }

  private markDirty(row: i32): void {
    if (row >= 0 && row < this.rows) unchecked(this.dirtyRows[row] = 1);
  }
}
