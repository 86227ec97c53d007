// Host tests of the display's pure parts, compiled with asc and run under Node: the font module
// generated at build time (build/generated/font.ts) against the PSF file it came from (every
// mapped code point, and the replacement glyph for the rest), the code page 437 map, the palette
// and pixel packing, and the glyph renderer against a rendering made here from the same PSF file
// (32, 24 and 16 bits a pixel, colours and the cursor).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { replacementGlyph } from "../../tools/psf";
import { consoleFont, PALETTE, renderGrid, type Grid } from "../qemu/screen";

let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
const display = suite("display: font, palette, glyph renderer");
display.before.each(() => {
  module ??= compileAssemblyScript(join(REPOSITORY, "tests/host/entries/display.ts"));
  wasm = instantiate(module);
});

display("every code point the font maps gives its glyph, bit for bit; others the replacement glyph", () => {
  const font = consoleFont();
  assert.is(wasm.exports.fontHeight(), font.height);
  for (const [codePoint, glyph] of font.unicode) {
    assert.is(wasm.exports.glyphOf(codePoint), glyph, `U+${codePoint.toString(16)}`);
  }
  for (const missing of [0x2713, 0x1f600, 0x10ffff, 0x110000, 0xffffffff]) {
    assert.not.ok(font.unicode.has(missing));
    assert.is(wasm.exports.glyphOf(missing), replacementGlyph(font), `U+${missing.toString(16)}`);
  }
  for (let glyph = 0; glyph < font.glyphCount; glyph += 37)
    for (let y = 0; y < font.height; y++) assert.is(wasm.exports.glyphRow(glyph, y), font.glyphs[glyph * font.height + y]);
  assert.is(wasm.exports.glyphRow(0xffff, 0), font.glyphs[replacementGlyph(font) * font.height], "a glyph past the font");
});

display("code page 437 for VGA text: ASCII as itself, known letters and symbols, 0x04 for the rest", () => {
  const expected: [number, number][] = [[0x41, 0x41], [0xe9, 0x82], [0x3a9, 0xea], [0x2588, 0xdb], [0x2550, 0xcd], [0xb0, 0xf8], [0x2713, 0x04], [0x0a, 0x04]];
  for (const [codePoint, byte] of expected) assert.is(wasm.exports.cp437(codePoint), byte, `U+${codePoint.toString(16)}`);
});

display("the palette is the tests' palette; pixels pack into any RGB layout", () => {
  assert.equal(Array.from({ length: 16 }, (_, i) => wasm.exports.paletteRgb(i) >>> 0), PALETTE);
  assert.is(wasm.exports.pixel(0xaa5500, 16, 8, 8, 8, 0, 8) >>> 0, 0xaa5500, "x8r8g8b8");
  assert.is(wasm.exports.pixel(0xffffff, 11, 5, 5, 6, 0, 5) >>> 0, 0xffff, "r5g6b5 white");
  assert.is(wasm.exports.pixel(0xaa5500, 11, 5, 5, 6, 0, 5) >>> 0, (0xaa >> 3) << 11 | (0x55 >> 2) << 5, "r5g6b5");
  assert.is(wasm.exports.pixel(0x123456, 0, 8, 8, 8, 16, 8) >>> 0, 0x563412, "b8g8r8 order");
});

/** Renders `grid`'s one row with the kernel's renderer at `bytesPerPixel`; returns RGB. */
function kernelRender(grid: Grid, bytesPerPixel: number, layout: number[], cursorColumn: number): Uint8Array {
  const font = consoleFont();
  const base = wasm.exports.scratch();
  const columns = grid.columns, width = columns * 8, pitch = width * bytesPerPixel + 12; // padding after each line
  const cells = base, pixels = base + 4096, destination = base + 8192;
  const view = new DataView(wasm.memory.buffer);
  grid.cells[0].forEach((cell, column) =>
    view.setUint32(cells + column * 4, font.unicode.get(cell.codePoint)! | cell.foreground << 16 | cell.background << 20, true));
  for (let i = 0; i < 16; i++) view.setUint32(pixels + i * 4, wasm.exports.pixel(PALETTE[i], ...layout), true);
  new Uint8Array(wasm.memory.buffer).fill(0xee, destination, destination + pitch * font.height);
  if (bytesPerPixel === 4) wasm.exports.render32(destination, pitch, cells, columns, cursorColumn, pixels);
  else wasm.exports.renderBytes(destination, pitch, cells, columns, cursorColumn, pixels, bytesPerPixel);
  const rgb = new Uint8Array(width * font.height * 3);
  const [redPosition, redSize, greenPosition, greenSize, bluePosition, blueSize] = layout;
  const channel = (value: number, position: number, size: number) => ((value >>> position) & ((1 << size) - 1)) << (8 - size);
  for (let y = 0; y < font.height; y++) {
    for (let x = 0; x < width; x++) {
      let value = 0;
      for (let b = 0; b < bytesPerPixel; b++) value |= view.getUint8(destination + y * pitch + x * bytesPerPixel + b) << (8 * b);
      const o = (y * width + x) * 3;
      rgb[o] = channel(value >>> 0, redPosition, redSize);
      rgb[o + 1] = channel(value >>> 0, greenPosition, greenSize);
      rgb[o + 2] = channel(value >>> 0, bluePosition, blueSize);
    }
    for (let b = width * bytesPerPixel; b < pitch; b++) assert.is(view.getUint8(destination + y * pitch + b), 0xee, "nothing written past a line's pixels");
  }
  return rgb;
}

function oneRow(): Grid {
  const text = "Hello, é Ω █ {|}~";
  const cells = [...text].map((character, i) => ({ codePoint: character.codePointAt(0)!, foreground: i % 16, background: (i * 5 + 3) % 16 }));
  return { rows: 1, columns: cells.length, cells: [cells], cursor: { row: 0, column: 4 } };
}

for (const [bytesPerPixel, layout, name] of [
  [4, [16, 8, 8, 8, 0, 8], "32 bits (x8r8g8b8)"], [3, [16, 8, 8, 8, 0, 8], "24 bits"], [2, [11, 5, 5, 6, 0, 5], "16 bits (r5g6b5)"],
] as [number, number[], string][]) {
  display(`the renderer at ${name} draws what the font file says, in the cell's colours, the cursor inverted`, () => {
    const font = consoleFont();
    const grid = oneRow();
    const expected = renderGrid(grid, font, grid.columns * 8, font.height);
    const reduce = (rgb: Uint8Array) => rgb.map((value, i) => value & (0xff << (8 - [layout[1], layout[3], layout[5]][i % 3])));
    assert.equal(Array.from(kernelRender(grid, bytesPerPixel, layout, 4)), Array.from(reduce(expected.rgb)));
  });
}

display.run();
