// Log line formatting: appends text and numbers to a fixed byte buffer, never past its end.
// Pure (no imports), so host tests run it under Node (tests/host/log-format.test.ts). Output
// is printable ASCII only: any other character becomes '?', so a logged string cannot forge
// a second line (a "capsid: ready" the kernel never printed, say).
//
// A LineBuffer is unmanaged and lives in static storage (memory.data): it works before the
// module's top-level code has run and while the heap is broken, which is when a panic needs it.
//
//   storage: +0 length u32 | +4 truncated u32 | +8 capacity u32 | +12 reserved | +16 bytes...

const REPLACEMENT: u8 = 0x3f; // '?'
const DIGITS = "0123456789abcdef";

export const LINE_BUFFER_HEADER: u32 = 16;

@unmanaged
export class LineBuffer {
  /** Bytes written so far. */
  length: u32;
  /** Non-zero when an append did not fit: the line ends in "..." when it is finished. */
  truncated: u32;
  /** Bytes available after the header. */
  capacity: u32;
  reserved: u32;

  /** An empty line buffer over `storageBytes` bytes of static storage at `storage`. */
  static over(storage: usize, storageBytes: u32): LineBuffer {
    if (storageBytes < LINE_BUFFER_HEADER + 4) abort("LineBuffer.over: storage below 20 bytes");
    const buffer = changetype<LineBuffer>(storage);
    buffer.capacity = storageBytes - LINE_BUFFER_HEADER;
    return buffer.reset();
  }

  /** Address of the first text byte. */
  get base(): usize {
    return changetype<usize>(this) + LINE_BUFFER_HEADER;
  }

  reset(): LineBuffer {
    this.length = 0;
    this.truncated = 0;
    return this;
  }

  /** Appends `text`, printable ASCII kept, everything else as '?'. */
  text(text: string): LineBuffer {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      this.byte(code >= 0x20 && code < 0x7f ? <u8>code : REPLACEMENT);
    }
    return this;
  }

  /** Appends an unsigned decimal of at least `minimumDigits` digits (leading zeros). */
  decimal(value: u64, minimumDigits: i32 = 1): LineBuffer {
    return this.padded(value, 10, minimumDigits, 0x30);
  }

  /** Appends a signed decimal. */
  signedDecimal(value: i64): LineBuffer {
    if (value < 0) {
      this.byte(0x2d);
      return this.decimal(<u64>(-(value + 1)) + 1); // -i64.MIN_VALUE does not fit in i64
    }
    return this.decimal(<u64>value);
  }

  /** Appends "0x" and at least `minimumDigits` lowercase hex digits. */
  hex(value: u64, minimumDigits: i32 = 1): LineBuffer {
    this.byte(0x30);
    this.byte(0x78);
    return this.padded(value, 16, minimumDigits, 0x30);
  }

  /** Appends value / 10^fractionDigits with exactly `fractionDigits` decimals: (12345, 3) is "12.345". */
  fixed(value: u64, fractionDigits: i32): LineBuffer {
    let divisor: u64 = 1;
    for (let i = 0; i < fractionDigits; i++) divisor *= 10;
    this.decimal(value / divisor);
    if (fractionDigits > 0) {
      this.byte(0x2e);
      this.padded(value % divisor, 10, fractionDigits, 0x30);
    }
    return this;
  }

  /** The finished line: the bytes written, "..." in the last three if something was cut. */
  finish(): u32 {
    if (this.truncated != 0) {
      for (let i: u32 = 1; i <= 3; i++) store<u8>(this.base + this.capacity - i, 0x2e);
      this.length = this.capacity;
    }
    return this.length;
  }

  byte(value: u8): void {
    if (this.length >= this.capacity) {
      this.truncated = 1;
      return;
    }
    store<u8>(this.base + this.length, value);
    this.length++;
  }

  private padded(value: u64, radix: u64, minimumDigits: i32, padding: u8): LineBuffer {
    let digits = 1;
    for (let rest = value / radix; rest != 0; rest /= radix) digits++;
    for (let i = digits; i < minimumDigits; i++) this.byte(padding);
    for (let position = digits - 1; position >= 0; position--) {
      let divisor: u64 = 1;
      for (let i = 0; i < position; i++) divisor *= radix;
      this.byte(<u8>DIGITS.charCodeAt(<i32>((value / divisor) % radix)));
    }
    return this;
  }
}
