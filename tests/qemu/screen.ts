// What the console should show, and how to compare it with what QEMU shows: the expected screen
// of the kernel's `test=screen` scenario (kernel/selftest/screen.ts) as a grid of cells, rendered
// to pixels with the same PSF font file the build read (tools/psf.ts), or to VGA text cells
// (character and attribute); a PPM reader for QMP screendumps; a PNG writer for failure reports.

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { glyphFor, readPsf, type PsfFont } from "../../tools/psf";
import { cp437Pairs } from "../../tools/font";
import { REPOSITORY } from "../qemu-runner/runner";

export const FONT_PATH = "/usr/share/consolefonts/Uni2-VGA16.psf.gz"; // the Makefile's FONT

/** The 16 console colours, 0xRRGGBB (kernel/display/palette.ts: the VGA text palette). */
export const PALETTE = [
  0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
  0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
];
const ANSI_TO_VGA = [0, 4, 2, 6, 1, 5, 3, 7, 8, 12, 10, 14, 9, 13, 11, 15];

export interface Cell { codePoint: number; foreground: number; background: number }
export interface Grid { rows: number; columns: number; cells: Cell[][]; cursor: { row: number; column: number } | null }

const blank = (): Cell => ({ codePoint: 0x20, foreground: 7, background: 0 });

function put(grid: Grid, row: number, column: number, text: string, foreground = 7, background = 0): number {
  for (const character of text) {
    if (column < grid.columns) grid.cells[row][column] = { codePoint: character.codePointAt(0)!, foreground, background };
    column++;
  }
  return column;
}

/** The screen `test=screen` leaves after a line was typed: `drawn` and `typed` are the two log
 * lines as the serial port got them (timestamp included), `echo` what the typed keys drew. */
export function expectedScreen(rows: number, columns: number, drawn: string, echo: string, typed: string): Grid {
  const grid: Grid = { rows, columns, cells: [], cursor: { row: rows - 3, column: 0 } };
  for (let row = 0; row < rows; row++) grid.cells.push(Array.from({ length: columns }, blank));
  for (let row = 0; row < rows - 1; row++) put(grid, row, 0, `scroll ${String(row + 3).padStart(2, "0")}`);
  grid.cells[1] = Array.from({ length: columns }, blank);
  let column = put(grid, 1, 0, "red ", 1);
  column = put(grid, 1, column, "green ", 2);
  column = put(grid, 1, column, "blue", 12);
  column = put(grid, 1, column, " ");
  put(grid, 1, column, "reverse", 0, 7);
  grid.cells[2] = Array.from({ length: columns }, blank);
  put(grid, 2, 8, "U");
  put(grid, 3, 4, "X");
  put(grid, 3, 7, "Y");
  put(grid, 4, 6, "D");
  grid.cells[5] = Array.from({ length: columns }, blank);
  put(grid, 5, 0, "\u00e9 \u2713 \u03a9");
  grid.cells[6] = Array.from({ length: columns }, blank);
  put(grid, 6, 0, "yellow on blue", 3, 4);
  for (let row = rows - 6; row < rows; row++) grid.cells[row] = Array.from({ length: columns }, blank);
  put(grid, rows - 6, 0, drawn);
  put(grid, rows - 5, 0, echo);
  put(grid, rows - 4, 0, typed);
  return grid;
}

export interface Image { width: number; height: number; rgb: Uint8Array }

/** Draws `grid` as the framebuffer console does: 8xH glyphs from `font`, the cursor cell with
 * its colours swapped, everything outside the text black. */
export function renderGrid(grid: Grid, font: PsfFont, width: number, height: number): Image {
  const rgb = new Uint8Array(width * height * 3);
  for (let row = 0; row < grid.rows; row++) {
    for (let column = 0; column < grid.columns; column++) {
      const cell = grid.cells[row][column];
      let foreground = PALETTE[cell.foreground], background = PALETTE[cell.background];
      if (grid.cursor && grid.cursor.row === row && grid.cursor.column === column) [foreground, background] = [background, foreground];
      const glyph = glyphFor(font, cell.codePoint);
      for (let y = 0; y < font.height; y++) {
        const bits = font.glyphs[glyph * font.height + y];
        for (let x = 0; x < 8; x++) {
          const colour = bits & (0x80 >> x) ? foreground : background;
          const offset = (((row * font.height + y) * width) + column * 8 + x) * 3;
          rgb[offset] = colour >> 16;
          rgb[offset + 1] = (colour >> 8) & 0xff;
          rgb[offset + 2] = colour & 0xff;
        }
      }
    }
  }
  return { width, height, rgb };
}

/** A binary PPM (P6, maxval 255), as QMP's screendump writes it. */
export function readPpm(path: string): Image {
  const data = readFileSync(path);
  const fields: string[] = [];
  let offset = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(data[offset]))) offset++;
    if (data[offset] === 0x23) { // a comment
      while (data[offset] !== 0x0a) offset++;
      continue;
    }
    let field = "";
    while (!/\s/.test(String.fromCharCode(data[offset]))) field += String.fromCharCode(data[offset++]);
    fields.push(field);
  }
  offset++; // the one whitespace byte before the pixels
  if (fields[0] !== "P6" || fields[3] !== "255") throw new Error(`${path}: not a P6 PPM with maxval 255`);
  const width = Number(fields[1]), height = Number(fields[2]);
  return { width, height, rgb: new Uint8Array(data.subarray(offset, offset + width * height * 3)) };
}

/** Where two images differ: the number of pixels, and the first one as a text cell. */
export function difference(actual: Image, expected: Image, glyphHeight: number): { pixels: number; first: string | null } {
  if (actual.width !== expected.width || actual.height !== expected.height)
    return { pixels: -1, first: `size ${actual.width}x${actual.height}, expected ${expected.width}x${expected.height}` };
  let pixels = 0, first: string | null = null;
  for (let i = 0; i < actual.width * actual.height; i++) {
    const o = i * 3;
    if (actual.rgb[o] === expected.rgb[o] && actual.rgb[o + 1] === expected.rgb[o + 1] && actual.rgb[o + 2] === expected.rgb[o + 2]) continue;
    if (first === null) {
      const x = i % actual.width, y = Math.floor(i / actual.width);
      first = `pixel (${x}, ${y}), text row ${Math.floor(y / glyphHeight)} column ${Math.floor(x / 8)}: ` +
        `#${Buffer.from(actual.rgb.subarray(o, o + 3)).toString("hex")}, expected #${Buffer.from(expected.rgb.subarray(o, o + 3)).toString("hex")}`;
    }
    pixels++;
  }
  return { pixels, first };
}

/** Saves `image` as build/test-screens/NAME.png (for a failure report); returns the path. */
export function savePng(image: Image, name: string): string {
  const directory = join(REPOSITORY, "build/test-screens");
  mkdirSync(directory, { recursive: true });
  const path = join(directory, `${name}.png`);
  const raw = Buffer.alloc((image.width * 3 + 1) * image.height);
  for (let y = 0; y < image.height; y++)
    Buffer.from(image.rgb.buffer, image.rgb.byteOffset + y * image.width * 3, image.width * 3).copy(raw, y * (image.width * 3 + 1) + 1);
  const chunk = (type: string, body: Buffer) => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length);
    const typed = Buffer.concat([Buffer.from(type, "latin1"), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([header, typed, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(image.width, 0);
  ihdr.writeUInt32BE(image.height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  writeFileSync(path, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]));
  return path;
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** `grid` as VGA text memory holds it: per cell the CP437 byte, then the attribute. */
export function vgaCells(grid: Grid): number[] {
  const cp437 = new Map(cp437Pairs());
  const cells: number[] = [];
  for (const row of grid.cells) {
    for (const cell of row) {
      const byte = cell.codePoint >= 0x20 && cell.codePoint < 0x7f ? cell.codePoint : cp437.get(cell.codePoint) ?? 0x04;
      cells.push(byte | ((ANSI_TO_VGA[cell.background] << 4 | ANSI_TO_VGA[cell.foreground]) << 8));
    }
  }
  return cells;
}

export function consoleFont(): PsfFont {
  return readPsf(FONT_PATH);
}
