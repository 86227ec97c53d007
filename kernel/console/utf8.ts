// UTF-8 decoding of the console's output bytes, one byte at a time (the bytes of a character may
// arrive in separate writes). Pure (no imports): host-tested (tests/host/console.test.ts) with
// every kind of bad input. Follows the WHATWG Encoding "UTF-8 decoder" (Unicode 15 §3.9, table
// 3-7 "Well-Formed UTF-8 Byte Sequences"): an overlong form, a surrogate, a code point past
// U+10FFFF, a stray continuation byte or a sequence cut short each give one U+FFFD, and the byte
// that broke a sequence is decoded again as the start of the next one (`again`).

export const UTF8_NONE: u32 = 0xffff_ffff;
export const UTF8_REPLACEMENT: u32 = 0xfffd;

export class Utf8Decoder {
  /** Set by feed: the byte just fed must be fed again (it broke a sequence and starts another). */
  again: bool = false;
  private codePoint: u32 = 0;
  private needed: u32 = 0;
  private lower: u32 = 0x80;
  private upper: u32 = 0xbf;

  /** The code point `byte` completes, or UTF8_NONE while a sequence is under way. */
  feed(byte: u8): u32 {
    this.again = false;
    const value = <u32>byte;
    if (this.needed == 0) {
      if (value < 0x80) return value;
      if (value >= 0xc2 && value <= 0xdf) {
        this.start(1, value & 0x1f, 0x80, 0xbf);
      } else if (value >= 0xe0 && value <= 0xef) {
        this.start(2, value & 0x0f, value == 0xe0 ? 0xa0 : 0x80, value == 0xed ? 0x9f : 0xbf);
      } else if (value >= 0xf0 && value <= 0xf4) {
        this.start(3, value & 0x07, value == 0xf0 ? 0x90 : 0x80, value == 0xf4 ? 0x8f : 0xbf);
      } else {
        return UTF8_REPLACEMENT; // 0x80-0xc1 (stray continuation, overlong lead), 0xf5-0xff
      }
      return UTF8_NONE;
    }
    if (value < this.lower || value > this.upper) {
      this.needed = 0;
      this.again = true;
      return UTF8_REPLACEMENT;
    }
    this.lower = 0x80;
    this.upper = 0xbf;
    this.codePoint = (this.codePoint << 6) | (value & 0x3f);
    if (--this.needed != 0) return UTF8_NONE;
    return this.codePoint;
  }

  /** Forgets a sequence under way. */
  reset(): void {
    this.needed = 0;
    this.again = false;
  }

  private start(needed: u32, bits: u32, lower: u32, upper: u32): void {
    this.needed = needed;
    this.codePoint = bits;
    this.lower = lower;
    this.upper = upper;
  }
}
