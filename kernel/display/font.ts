// The console font: the glyph of a code point, and a glyph's rows. The glyphs are Debian's
// console-setup-linux PSF font, turned into build/generated/font.ts by tools/font.ts at build
// time (the Makefile's FONT names the file). Also the code page 437 byte of a code point, for
// the VGA text mode, whose character ROM is CP437. Pure (reads only constant data): host-tested.

import {
  CP437_BYTES, CP437_CODE_POINTS, CP437_MAP_LENGTH, FONT_ASCII_GLYPHS, FONT_GLYPH_COUNT, FONT_GLYPHS, FONT_HEIGHT,
  FONT_MAP_CODE_POINTS, FONT_MAP_GLYPHS, FONT_MAP_LENGTH, FONT_NAME, FONT_REPLACEMENT_GLYPH, FONT_WIDTH,
} from "../../build/generated/font";

export { FONT_HEIGHT, FONT_NAME, FONT_WIDTH };

/** CP437's byte for a character it lacks: 0x04, the diamond (as U+FFFD looks in the font). */
export const CP437_REPLACEMENT: u8 = 0x04;

/** The glyph the font draws for `codePoint`; its replacement glyph when it has none. */
export function fontGlyph(codePoint: u32): u16 {
  if (codePoint < 0x80) return load<u16>(FONT_ASCII_GLYPHS + (<usize>codePoint << 1));
  const index = search(FONT_MAP_CODE_POINTS, FONT_MAP_LENGTH, codePoint);
  return index < 0 ? FONT_REPLACEMENT_GLYPH : load<u16>(FONT_MAP_GLYPHS + (<usize>index << 1));
}

/** Address of glyph `glyph`'s FONT_HEIGHT row bytes (a glyph past the font gives the
 * replacement's). */
export function fontGlyphRows(glyph: u16): usize {
  const safe = <i32>glyph < FONT_GLYPH_COUNT ? glyph : FONT_REPLACEMENT_GLYPH;
  return FONT_GLYPHS + <usize>safe * <usize>FONT_HEIGHT;
}

/** The code page 437 byte of `codePoint` (printable ASCII as itself), CP437_REPLACEMENT when
 * CP437 lacks it. */
export function cp437Byte(codePoint: u32): u16 {
  if (codePoint >= 0x20 && codePoint < 0x7f) return <u16>codePoint;
  const index = search(CP437_CODE_POINTS, CP437_MAP_LENGTH, codePoint);
  return index < 0 ? CP437_REPLACEMENT : load<u8>(CP437_BYTES + <usize>index);
}

/** Index of `key` in the ascending u32 array of `length` at `keys`, or -1. */
function search(keys: usize, length: i32, key: u32): i32 {
  let low = 0, high = length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const value = load<u32>(keys + (<usize>middle << 2));
    if (value == key) return middle;
    if (value < key) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
