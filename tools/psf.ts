// PC Screen Font reader (PSF1 and PSF2, gzip or plain): the console font of Debian's
// console-setup-linux (/usr/share/consolefonts). Used at build time by tools/font.ts, which
// writes the kernel's font module, and by the tests, which render expected screens from the same
// file. Formats as the Linux kbd package documents them (psffontop.h):
//
//   PSF1: +0 u16 magic 0x0436 | +2 u8 mode (bit 0: 512 glyphs, bit 1: Unicode table) | +3 u8 height
//         glyphs (8 pixels wide, one byte a row), then the table: per glyph, u16 code points,
//         0xfffe starts a sequence (skipped here), 0xffff ends the glyph's entry
//   PSF2: +0 u32 magic 0x864ab572 | +4 version | +8 header size | +12 flags (bit 0: table)
//         | +16 glyph count | +20 bytes per glyph | +24 height | +28 width, glyphs, then the
//         table: per glyph, UTF-8 code points, 0xfe starts a sequence, 0xff ends the entry

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

export interface PsfFont {
  width: number;
  height: number;
  glyphCount: number;
  bytesPerRow: number;
  /** glyphCount * height * bytesPerRow bytes, most significant bit leftmost. */
  glyphs: Uint8Array;
  /** Code point to glyph index (single code points only; sequences are skipped). */
  unicode: Map<number, number>;
}

export function parsePsf(input: Uint8Array): PsfFont {
  const data = input[0] === 0x1f && input[1] === 0x8b ? new Uint8Array(gunzipSync(input)) : input;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const unicode = new Map<number, number>();
  if (view.getUint16(0, true) === 0x0436) {
    const mode = data[2], height = data[3];
    const glyphCount = mode & 1 ? 512 : 256;
    const glyphBytes = glyphCount * height;
    const glyphs = data.slice(4, 4 + glyphBytes);
    if (glyphs.length !== glyphBytes) throw new Error("PSF1: glyphs truncated");
    if (mode & 2) {
      let offset = 4 + glyphBytes;
      for (let glyph = 0; glyph < glyphCount && offset + 1 < data.length; glyph++) {
        let inSequence = false;
        for (;;) {
          const value = view.getUint16(offset, true);
          offset += 2;
          if (value === 0xffff) break;
          if (value === 0xfffe) inSequence = true;
          else if (!inSequence && !unicode.has(value)) unicode.set(value, glyph);
        }
      }
    }
    return { width: 8, height, glyphCount, bytesPerRow: 1, glyphs, unicode };
  }
  if (view.getUint32(0, true) === 0x864ab572) {
    const headerSize = view.getUint32(8, true), flags = view.getUint32(12, true);
    const glyphCount = view.getUint32(16, true), bytesPerGlyph = view.getUint32(20, true);
    const height = view.getUint32(24, true), width = view.getUint32(28, true);
    const bytesPerRow = Math.ceil(width / 8);
    if (bytesPerGlyph !== bytesPerRow * height) throw new Error("PSF2: bytes per glyph disagree with the size");
    const glyphs = data.slice(headerSize, headerSize + glyphCount * bytesPerGlyph);
    if (flags & 1) {
      let offset = headerSize + glyphCount * bytesPerGlyph;
      const text = new TextDecoder("utf-8");
      for (let glyph = 0; glyph < glyphCount && offset < data.length; glyph++) {
        const end = data.indexOf(0xff, offset);
        const entry = data.subarray(offset, end < 0 ? data.length : end);
        offset = end < 0 ? data.length : end + 1;
        const sequenceStart = entry.indexOf(0xfe);
        for (const character of text.decode(sequenceStart < 0 ? entry : entry.subarray(0, sequenceStart))) {
          const codePoint = character.codePointAt(0)!;
          if (!unicode.has(codePoint)) unicode.set(codePoint, glyph);
        }
      }
    }
    return { width, height, glyphCount, bytesPerRow, glyphs, unicode };
  }
  throw new Error("not a PSF1 or PSF2 font");
}

export function readPsf(path: string): PsfFont {
  return parsePsf(readFileSync(path));
}

/** The glyph the kernel draws for `codePoint`: the font's, else the font's replacement
 * character (U+FFFD), else its '?'. */
export function glyphFor(font: PsfFont, codePoint: number): number {
  return font.unicode.get(codePoint) ?? replacementGlyph(font);
}

export function replacementGlyph(font: PsfFont): number {
  return font.unicode.get(0xfffd) ?? font.unicode.get(0x3f) ?? 0;
}
