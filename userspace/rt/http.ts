// HTTP/1.1 message pieces (RFC 9112) over bytes in linear memory, shared by http-server and
// http-get: finding the end of a header block, splitting it into lines, matching header names
// and tokens without regard to case, parsing a decimal length, and a writer that puts ASCII text
// and numbers into a buffer without allocating. Every read is bounded by the caller's range:
// bytes from a peer never reach a bounds-checked access.

/** Where the header block starting at `start` ends (the index just past its empty line: "\r\n\r\n"
 * or a bare "\n\n"), or -1 when [start, end) does not hold all of it yet. */
export function headerEnd(buffer: usize, start: usize, end: usize): isize {
  let lineStart = start;
  for (let i = start; i < end; i++) {
    if (load<u8>(buffer + i) != 0x0a) continue;
    const length = i - lineStart;
    if (length == 0 || (length == 1 && load<u8>(buffer + lineStart) == 0x0d)) return <isize>(i + 1);
    lineStart = i + 1;
  }
  return -1;
}

/** One line of a header block: its bytes [start, end) without the "\r\n" or "\n", and where
 * the following line starts. */
export class Line {
  start: usize = 0;
  end: usize = 0;
  next: usize = 0;

  /** Reads the line at `start`; false when no "\n" comes before `end`. */
  read(buffer: usize, start: usize, end: usize): bool {
    for (let i = start; i < end; i++) {
      if (load<u8>(buffer + i) != 0x0a) continue;
      this.start = start;
      this.end = i > start && load<u8>(buffer + i - 1) == 0x0d ? i - 1 : i;
      this.next = i + 1;
      return true;
    }
    return false;
  }
}

/** ASCII lower case of a byte. */
@inline function lower(byte: u32): u32 {
  return byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
}

/** Whether the `length` bytes at `address` are `text` (ASCII), ignoring case. */
export function equalsIgnoringCase(address: usize, length: usize, text: string): bool {
  if (length != <usize>text.length) return false;
  for (let i: usize = 0; i < length; i++) if (lower(load<u8>(address + i)) != lower(<u32>text.charCodeAt(<i32>i))) return false;
  return true;
}

/** Whether the `length` bytes at `address` are exactly `text` (ASCII). */
export function equalsExactly(address: usize, length: usize, text: string): bool {
  if (length != <usize>text.length) return false;
  for (let i: usize = 0; i < length; i++) if (<u32>load<u8>(address + i) != <u32>text.charCodeAt(<i32>i)) return false;
  return true;
}

@inline function isSpace(byte: u32): bool {
  return byte == 0x20 || byte == 0x09;
}

/** Whether the comma-separated list at [start, end) holds `token` (ignoring case and spaces). */
export function listHasToken(buffer: usize, start: usize, end: usize, token: string): bool {
  let i = start;
  while (i < end) {
    while (i < end && (isSpace(load<u8>(buffer + i)) || load<u8>(buffer + i) == 0x2c)) i++;
    const itemStart = i;
    while (i < end && load<u8>(buffer + i) != 0x2c) i++;
    let itemEnd = i;
    while (itemEnd > itemStart && isSpace(load<u8>(buffer + itemEnd - 1))) itemEnd--;
    if (equalsIgnoringCase(buffer + itemStart, itemEnd - itemStart, token)) return true;
  }
  return false;
}

/** A header line split at its colon: the name, and the value without surrounding spaces. */
export class Header {
  nameStart: usize = 0;
  nameEnd: usize = 0;
  valueStart: usize = 0;
  valueEnd: usize = 0;

  /** Splits the line [start, end); false when it is no "name: value" (no colon, an empty name,
   * a space before the colon or at the start: obsolete line folding). */
  split(buffer: usize, start: usize, end: usize): bool {
    let colon = start;
    while (colon < end && load<u8>(buffer + colon) != 0x3a) {
      const byte = load<u8>(buffer + colon);
      if (isSpace(byte) || byte < 0x20 || byte >= 0x7f) return false;
      colon++;
    }
    if (colon == end || colon == start) return false;
    let valueStart = colon + 1, valueEnd = end;
    while (valueStart < valueEnd && isSpace(load<u8>(buffer + valueStart))) valueStart++;
    while (valueEnd > valueStart && isSpace(load<u8>(buffer + valueEnd - 1))) valueEnd--;
    this.nameStart = start;
    this.nameEnd = colon;
    this.valueStart = valueStart;
    this.valueEnd = valueEnd;
    return true;
  }

  is(buffer: usize, name: string): bool {
    return equalsIgnoringCase(buffer + this.nameStart, this.nameEnd - this.nameStart, name);
  }
}

/** The decimal number at [start, end) (digits only, at most 15 of them), or -1. */
export function decimalParse(buffer: usize, start: usize, end: usize): i64 {
  if (end <= start || end - start > 15) return -1;
  let value: i64 = 0;
  for (let i = start; i < end; i++) {
    const digit = <i32>load<u8>(buffer + i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Writes ASCII text and numbers into [buffer, buffer + capacity); what does not fit is cut and
 * `overflowed` set. */
export class ByteWriter {
  length: usize = 0;
  overflowed: bool = false;

  constructor(public buffer: usize, public capacity: usize) {}

  reset(buffer: usize, capacity: usize): ByteWriter {
    this.buffer = buffer;
    this.capacity = capacity;
    this.length = 0;
    this.overflowed = false;
    return this;
  }

  byte(value: u32): ByteWriter {
    if (this.length < this.capacity) store<u8>(this.buffer + this.length++, <u8>value);
    else this.overflowed = true;
    return this;
  }

  text(value: string): ByteWriter {
    for (let i = 0; i < value.length; i++) this.byte(<u32>value.charCodeAt(i));
    return this;
  }

  /** The `length` bytes at `address`. */
  bytes(address: usize, length: usize): ByteWriter {
    for (let i: usize = 0; i < length; i++) this.byte(load<u8>(address + i));
    return this;
  }

  decimal(value: u64): ByteWriter {
    let divisor: u64 = 1;
    while (value / divisor >= 10) divisor *= 10;
    for (; divisor > 0; divisor /= 10) this.byte(0x30 + <u32>((value / divisor) % 10));
    return this;
  }
}
