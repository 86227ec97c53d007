// TCP options in the wire layer (kernel/net/wire/), parsed once and emitted for tcp.ts: maximum
// segment size (RFC 9293 §3.2), window scale and timestamps (RFC 7323 §2.2, §3.2),
// SACK-permitted and SACK blocks (RFC 2018 §2, §3). Unknown options are skipped by their
// length; a length byte that is missing, under 2 or past the end gives OptionLength, a known
// option of the wrong length OptionMalformed: never an abort. Emitted in the order Linux uses,
// each padded with no-ops to 4 bytes:
//
//   SYN:      [2 4 mss mss] [4 2 8 10 tsval tsecr] [1 3 3 shift]   (SACK-permitted joins TS)
//   other:    [1 1 8 10 tsval tsecr] [1 1 5 2+8n start end ...]

import { TCP_SACK_BLOCKS_MAXIMUM, TcpSegment, TcpVerdict } from "./tcp";

// Option kinds and their lengths (RFC 9293 §3.2, RFC 7323 §2.2 and §3.2, RFC 2018 §2 and §3).
const KIND_END: u32 = 0;
const KIND_NOP: u32 = 1;
const KIND_MSS: u32 = 2;
const KIND_WINDOW_SCALE: u32 = 3;
const KIND_SACK_PERMITTED: u32 = 4;
const KIND_SACK: u32 = 5;
const KIND_TIMESTAMPS: u32 = 8;
const LENGTH_MSS: u32 = 4;
const LENGTH_WINDOW_SCALE: u32 = 3;
const LENGTH_SACK_PERMITTED: u32 = 2;
const LENGTH_TIMESTAMPS: u32 = 10;
const SACK_BLOCK: u32 = 8;

@inline function u16be(address: usize): u32 {
  return (<u32>load<u8>(address) << 8) | <u32>load<u8>(address + 1);
}
@inline function u32be(address: usize): u32 {
  return (u16be(address) << 16) | u16be(address + 2);
}

/** Reads the `length` bytes of options at `options` into `out` (whose options are clear). */
export function tcpOptionsParse(options: usize, length: u32, out: TcpSegment): TcpVerdict {
  let at: u32 = 0;
  while (at < length) {
    const kind = <u32>load<u8>(options + <usize>at);
    if (kind == KIND_END) break;
    if (kind == KIND_NOP) {
      at++;
      continue;
    }
    if (at + 1 >= length) return TcpVerdict.OptionLength;
    const size = <u32>load<u8>(options + <usize>at + 1);
    if (size < 2 || at + size > length) return TcpVerdict.OptionLength;
    const body = options + <usize>at + 2;
    if (kind == KIND_MSS) {
      if (size != LENGTH_MSS) return TcpVerdict.OptionMalformed;
      out.mss = u16be(body);
    } else if (kind == KIND_WINDOW_SCALE) {
      if (size != LENGTH_WINDOW_SCALE) return TcpVerdict.OptionMalformed;
      out.windowScale = <i32>load<u8>(body);
    } else if (kind == KIND_SACK_PERMITTED) {
      if (size != LENGTH_SACK_PERMITTED) return TcpVerdict.OptionMalformed;
      out.sackPermitted = true;
    } else if (kind == KIND_TIMESTAMPS) {
      if (size != LENGTH_TIMESTAMPS) return TcpVerdict.OptionMalformed;
      out.timestamps = true;
      out.timestampValue = u32be(body);
      out.timestampEcho = u32be(body + 4);
    } else if (kind == KIND_SACK) {
      const blocks = (size - 2) / SACK_BLOCK;
      if (size < 2 + SACK_BLOCK || (size - 2) % SACK_BLOCK != 0 || blocks > <u32>TCP_SACK_BLOCKS_MAXIMUM) return TcpVerdict.OptionMalformed;
      for (let i: u32 = 0; i < blocks; i++) {
        unchecked(out.sackStarts[i] = u32be(body + <usize>(i * SACK_BLOCK)));
        unchecked(out.sackEnds[i] = u32be(body + <usize>(i * SACK_BLOCK + 4)));
      }
      out.sackCount = <i32>blocks;
    }
    at += size;
  }
  return TcpVerdict.Accepted;
}

/** Bytes the options of `segment` take when emitted (a multiple of 4). */
export function tcpOptionsLength(segment: TcpSegment): u32 {
  let length: u32 = 0;
  if (segment.mss != 0) length += 4;
  if (segment.timestamps) length += 12;
  else if (segment.sackPermitted) length += 4;
  if (segment.windowScale >= 0) length += 4;
  if (segment.sackCount > 0) length += 4 + <u32>segment.sackCount * SACK_BLOCK;
  return length;
}

/** Writes the options of `segment` at `at` (tcpOptionsLength bytes). */
export function tcpOptionsEmit(at: usize, segment: TcpSegment): void {
  if (segment.mss != 0) {
    at = bytes4(at, KIND_MSS, LENGTH_MSS, segment.mss >> 8, segment.mss);
  }
  if (segment.timestamps) {
    at = segment.sackPermitted ? bytes4(at, KIND_SACK_PERMITTED, LENGTH_SACK_PERMITTED, KIND_TIMESTAMPS, LENGTH_TIMESTAMPS)
      : bytes4(at, KIND_NOP, KIND_NOP, KIND_TIMESTAMPS, LENGTH_TIMESTAMPS);
    at = word(at, segment.timestampValue);
    at = word(at, segment.timestampEcho);
  } else if (segment.sackPermitted) {
    at = bytes4(at, KIND_NOP, KIND_NOP, KIND_SACK_PERMITTED, LENGTH_SACK_PERMITTED);
  }
  if (segment.windowScale >= 0) {
    at = bytes4(at, KIND_NOP, KIND_WINDOW_SCALE, LENGTH_WINDOW_SCALE, <u32>segment.windowScale);
  }
  if (segment.sackCount > 0) {
    at = bytes4(at, KIND_NOP, KIND_NOP, KIND_SACK, 2 + <u32>segment.sackCount * SACK_BLOCK);
    for (let i = 0; i < segment.sackCount; i++) {
      at = word(at, unchecked(segment.sackStarts[i]));
      at = word(at, unchecked(segment.sackEnds[i]));
    }
  }
}

@inline function bytes4(at: usize, a: u32, b: u32, c: u32, d: u32): usize {
  store<u8>(at, <u8>a);
  store<u8>(at + 1, <u8>b);
  store<u8>(at + 2, <u8>c);
  store<u8>(at + 3, <u8>d);
  return at + 4;
}

@inline function word(at: usize, value: u32): usize {
  return bytes4(at, value >> 24, value >> 16, value >> 8, value);
}
