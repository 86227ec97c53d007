// Draws one text row of console cells (console/terminal.ts's format) into a buffer of pixels in
// RAM: the framebuffer display then copies the whole row to the screen in one import call. Pure
// (no imports but the font): host-tested against the font file itself (tests/host/display.test.ts).
// The 32-bit path writes two pixels a store, from the four pairs a cell's two colours make; the
// 15/16/24-bit path writes each pixel's bytes. The cell under the cursor is drawn with its
// colours swapped (a block cursor).

import { FONT_HEIGHT, FONT_WIDTH, fontGlyphRows } from "./font";

const GLYPH_MASK: u32 = 0xffff;
const FOREGROUND_SHIFT: u32 = 16;
const BACKGROUND_SHIFT: u32 = 20;

/** Draws `columns` cells at `cells` into `destination`: FONT_HEIGHT lines `pitch` bytes apart,
 * 4 bytes a pixel. `pixels` holds the 16 colours' pixel values (u32 each); the cell at
 * `cursorColumn` (-1: none) is drawn inverted. The caller makes sure `columns` * 32 bytes fit
 * in a line and FONT_HEIGHT lines in the buffer. */
export function renderRow32(destination: usize, pitch: usize, cells: usize, columns: i32, cursorColumn: i32, pixels: usize): void {
  for (let column = 0; column < columns; column++) {
    const cell = load<u32>(cells + (<usize>column << 2));
    let foreground = load<u32>(pixels + (<usize>((cell >> FOREGROUND_SHIFT) & 15) << 2));
    let background = load<u32>(pixels + (<usize>((cell >> BACKGROUND_SHIFT) & 15) << 2));
    if (column == cursorColumn) {
      const swap = foreground;
      foreground = background;
      background = swap;
    }
    // Two pixels per u64, the left one in the low half (little-endian): index bit 1 is the left.
    const both0 = <u64>background | (<u64>background << 32);
    const both1 = <u64>background | (<u64>foreground << 32);
    const both2 = <u64>foreground | (<u64>background << 32);
    const both3 = <u64>foreground | (<u64>foreground << 32);
    const rows = fontGlyphRows(<u16>(cell & GLYPH_MASK));
    let line = destination + (<usize>column << 5);
    for (let y = 0; y < FONT_HEIGHT; y++) {
      const bits = <u32>load<u8>(rows + <usize>y);
      store<u64>(line, pair(bits >> 6, both0, both1, both2, both3));
      store<u64>(line, pair(bits >> 4, both0, both1, both2, both3), 8);
      store<u64>(line, pair(bits >> 2, both0, both1, both2, both3), 16);
      store<u64>(line, pair(bits, both0, both1, both2, both3), 24);
      line += pitch;
    }
  }
}

@inline function pair(bits: u32, both0: u64, both1: u64, both2: u64, both3: u64): u64 {
  const index = bits & 3;
  return index == 0 ? both0 : index == 1 ? both1 : index == 2 ? both2 : both3;
}

/** As renderRow32 for `bytesPerPixel` of 2 or 3: each pixel's low bytes, little-endian. */
export function renderRowBytes(destination: usize, pitch: usize, cells: usize, columns: i32, cursorColumn: i32, pixels: usize,
                               bytesPerPixel: u32): void {
  const cellBytes = <usize>bytesPerPixel * <usize>FONT_WIDTH;
  for (let column = 0; column < columns; column++) {
    const cell = load<u32>(cells + (<usize>column << 2));
    let foreground = load<u32>(pixels + (<usize>((cell >> FOREGROUND_SHIFT) & 15) << 2));
    let background = load<u32>(pixels + (<usize>((cell >> BACKGROUND_SHIFT) & 15) << 2));
    if (column == cursorColumn) {
      const swap = foreground;
      foreground = background;
      background = swap;
    }
    const rows = fontGlyphRows(<u16>(cell & GLYPH_MASK));
    let line = destination + <usize>column * cellBytes;
    for (let y = 0; y < FONT_HEIGHT; y++) {
      const bits = <u32>load<u8>(rows + <usize>y);
      let pixel = line;
      for (let x = 7; x >= 0; x--) {
        const value = (bits >> <u32>x) & 1 ? foreground : background;
        store<u16>(pixel, <u16>value);
        if (bytesPerPixel == 3) store<u8>(pixel, <u8>(value >> 16), 2);
        pixel += bytesPerPixel;
      }
      line += pitch;
    }
  }
}
