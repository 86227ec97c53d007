// Host-test entry for the display's pure parts: the font lookups (kernel/display/font.ts, over
// the generated build/generated/font.ts), the palette and the glyph renderer.

import { cp437Byte, FONT_HEIGHT, fontGlyph, fontGlyphRows } from "../../../kernel/display/font";
import { renderRow32, renderRowBytes } from "../../../kernel/display/glyph-renderer";
import { PALETTE_RGB, pixelOf } from "../../../kernel/display/palette";

const SCRATCH_BYTES: i32 = 1 << 20;
const scratchArea = memory.data(SCRATCH_BYTES, 16);

export function scratch(): usize { return scratchArea; }
export function fontHeight(): i32 { return FONT_HEIGHT; }
export function glyphOf(codePoint: u32): u16 { return fontGlyph(codePoint); }
export function glyphRow(glyph: u16, y: i32): u8 { return load<u8>(fontGlyphRows(glyph) + <usize>y); }
export function cp437(codePoint: u32): u16 { return cp437Byte(codePoint); }
export function paletteRgb(index: i32): u32 { return PALETTE_RGB[index]; }
export function pixel(rgb: u32, redPosition: u32, redSize: u32, greenPosition: u32, greenSize: u32, bluePosition: u32, blueSize: u32): u32 {
  return pixelOf(rgb, redPosition, redSize, greenPosition, greenSize, bluePosition, blueSize);
}
/** Renders `columns` cells at `cells` into `destination` (scratch offsets), with `pixels` (16 u32). */
export function render32(destination: usize, pitch: usize, cells: usize, columns: i32, cursorColumn: i32, pixels: usize): void {
  renderRow32(destination, pitch, cells, columns, cursorColumn, pixels);
}
export function renderBytes(destination: usize, pitch: usize, cells: usize, columns: i32, cursorColumn: i32, pixels: usize, bytesPerPixel: u32): void {
  renderRowBytes(destination, pitch, cells, columns, cursorColumn, pixels, bytesPerPixel);
}
