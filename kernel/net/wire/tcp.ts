// The TCP header (RFC 9293 §3.1) in the wire layer (kernel/net/wire/): a received segment
// validated once (length, data offset, checksum over the IPv4 pseudo-header, ports, flags,
// options through tcp-options.ts) into a TcpSegment, and the header written on the way out. Every
// byte is read at an offset checked against the segment's length first, so a hostile segment
// meets a counted drop reason (TcpVerdict), never an abort. Called by the TCP core
// (net/socket/tcp/stack.ts, which takes a segment from the IP layer) and its output
// (net/socket/tcp/output.ts); tests/host/tcp-wire.test.ts fuzzes it.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-------------------------------+-------------------------------+
//   |          Source Port          |       Destination Port        |  0
//   +-------------------------------+-------------------------------+
//   |                        Sequence Number                        |  4
//   +---------------------------------------------------------------+
//   |                    Acknowledgment Number                      |  8
//   +-------+-------+-+-+-+-+-+-+-+-+-------------------------------+
//   |  Data |       |C|E|U|A|P|R|S|F|                               |
//   | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             | 12
//   |       |       |R|E|G|K|H|T|N|N|                               |
//   +-------+-------+-+-+-+-+-+-+-+-+-------------------------------+
//   |           Checksum            |         Urgent Pointer        | 16
//   +-------------------------------+-------------------------------+
//   |                    Options (data offset * 4 - 20 bytes)       | 20
//   +---------------------------------------------------------------+

import { checksumAdd, checksumFinish } from "./checksum";
import { PROTOCOL_TCP, pseudoHeader, TransportChecksum } from "./frame";
import { tcpOptionsEmit, tcpOptionsLength, tcpOptionsParse } from "./tcp-options";

/** IANA's protocol number for TCP (RFC 9293 §3.1), the IPv4 header's protocol field. */
export { PROTOCOL_TCP };
/** Bytes of the header without options (RFC 9293 §3.1: data offset 5). */
export const TCP_HEADER_MINIMUM: u32 = 20;
/** Bytes of the longest header (data offset 15). */
export const TCP_HEADER_MAXIMUM: u32 = 60;

// Control bits (RFC 9293 §3.1; CWR and ECE from RFC 3168).
export const TCP_FIN: u32 = 0x01;
export const TCP_SYN: u32 = 0x02;
export const TCP_RST: u32 = 0x04;
export const TCP_PSH: u32 = 0x08;
export const TCP_ACK: u32 = 0x10;
export const TCP_URG: u32 = 0x20;
export const TCP_ECE: u32 = 0x40;
export const TCP_CWR: u32 = 0x80;

/** The most SACK blocks an option can hold (RFC 2018 §3: 40 bytes of options). */
export const TCP_SACK_BLOCKS_MAXIMUM: i32 = 4;

/** What a segment is, or why it was dropped. Add at the end. */
export enum TcpVerdict {
  Accepted = 0,
  // Drop reasons:
  /** Shorter than the 20-byte header. */
  TooShort = 1,
  /** Longer than an IPv4 datagram can carry (65,535 bytes less the IPv4 header). */
  TooLong = 2,
  /** Data offset under 5, or a header longer than the segment. */
  DataOffset = 3,
  /** The checksum over pseudo-header, header and data is not 0xffff. */
  Checksum = 4,
  /** Source or destination port 0 (reserved, RFC 9293 §3.1). */
  PortZero = 5,
  /** SYN with RST or with FIN: no valid segment carries both. */
  FlagsInvalid = 6,
  /** An option's length byte is missing, under 2, or reaches past the options. */
  OptionLength = 7,
  /** A known option (MSS, window scale, SACK-permitted, SACK, timestamps) of the wrong length. */
  OptionMalformed = 8,
}
export const TCP_VERDICTS: i32 = <i32>TcpVerdict.OptionMalformed + 1;

/** A segment's header in parsed form (smoltcp's TcpRepr): what parse fills and emit writes.
 * Options absent are 0/false/-1 as documented per field. */
export class TcpSegment {
  sourcePort: u32 = 0;
  destinationPort: u32 = 0;
  sequence: u32 = 0;
  acknowledgment: u32 = 0;
  /** The control bits, TCP_FIN..TCP_CWR. */
  flags: u32 = 0;
  /** The window field as sent (not scaled). */
  window: u32 = 0;
  urgent: u32 = 0;
  /** Header bytes (20-60): the payload starts there. */
  headerLength: u32 = TCP_HEADER_MINIMUM;
  payloadLength: u32 = 0;
  // Options (RFC 9293 §3.2, RFC 7323, RFC 2018):
  /** Maximum segment size; 0 when absent. */
  mss: u32 = 0;
  /** Window scale shift as sent (a value over 14 is the receiver's to clamp); -1 when absent. */
  windowScale: i32 = -1;
  sackPermitted: bool = false;
  timestamps: bool = false;
  timestampValue: u32 = 0;
  timestampEcho: u32 = 0;
  /** SACK blocks: [sackStarts[i], sackEnds[i]) for i < sackCount. */
  sackCount: i32 = 0;
  readonly sackStarts: StaticArray<u32> = new StaticArray<u32>(TCP_SACK_BLOCKS_MAXIMUM);
  readonly sackEnds: StaticArray<u32> = new StaticArray<u32>(TCP_SACK_BLOCKS_MAXIMUM);

  /** Clears every field to "absent" (before filling one for emit). */
  reset(): void {
    this.sourcePort = 0;
    this.destinationPort = 0;
    this.sequence = 0;
    this.acknowledgment = 0;
    this.flags = 0;
    this.window = 0;
    this.urgent = 0;
    this.headerLength = TCP_HEADER_MINIMUM;
    this.payloadLength = 0;
    this.clearOptions();
  }

  clearOptions(): void {
    this.mss = 0;
    this.windowScale = -1;
    this.sackPermitted = false;
    this.timestamps = false;
    this.timestampValue = 0;
    this.timestampEcho = 0;
    this.sackCount = 0;
  }

  has(flag: u32): bool {
    return (this.flags & flag) != 0;
  }

  /** Sequence space the segment takes (RFC 9293 §3.4: data, plus one each for SYN and FIN). */
  get sequenceLength(): u32 {
    return this.payloadLength + (this.has(TCP_SYN) ? 1 : 0) + (this.has(TCP_FIN) ? 1 : 0);
  }
}

@inline function u16be(address: usize): u32 {
  return (<u32>load<u8>(address) << 8) | <u32>load<u8>(address + 1);
}
@inline function u32be(address: usize): u32 {
  return (u16be(address) << 16) | u16be(address + 2);
}
@inline function store16be(address: usize, value: u32): void {
  store<u8>(address, <u8>(value >> 8));
  store<u8>(address + 1, <u8>value);
}
@inline function store32be(address: usize, value: u32): void {
  store16be(address, value >> 16);
  store16be(address + 2, value);
}

/** The IPv4 datagram's payload limit: 65,535 less a 20-byte header. */
const TCP_LENGTH_MAXIMUM: u32 = 65535 - 20;

/** Validates the `length`-byte segment at `segment` that came from `source` to `destination`
 * (IPv4, host order) and fills `out`; out is only meaningful for TcpVerdict.Accepted. */
export function tcpParse(segment: usize, length: u32, source: u32, destination: u32, out: TcpSegment, transport: TransportChecksum = TransportChecksum.Verify): TcpVerdict {
  if (length < TCP_HEADER_MINIMUM) return TcpVerdict.TooShort;
  if (length > TCP_LENGTH_MAXIMUM) return TcpVerdict.TooLong;
  const headerLength = (<u32>load<u8>(segment + 12) >> 4) * 4;
  if (headerLength < TCP_HEADER_MINIMUM || headerLength > length) return TcpVerdict.DataOffset;
  if (transport == TransportChecksum.Verify) {   // Trusted: the device validated it
    const sum = pseudoHeader(checksumAdd(0, segment, length), source, destination, PROTOCOL_TCP, length);
    if (checksumFinish(sum) != 0) return TcpVerdict.Checksum;
  }
  out.sourcePort = u16be(segment);
  out.destinationPort = u16be(segment + 2);
  if (out.sourcePort == 0 || out.destinationPort == 0) return TcpVerdict.PortZero;
  out.sequence = u32be(segment + 4);
  out.acknowledgment = u32be(segment + 8);
  out.flags = <u32>load<u8>(segment + 13);
  if (out.has(TCP_SYN) && (out.flags & (TCP_RST | TCP_FIN)) != 0) return TcpVerdict.FlagsInvalid;
  out.window = u16be(segment + 14);
  out.urgent = u16be(segment + 18);
  out.headerLength = headerLength;
  out.payloadLength = length - headerLength;
  out.clearOptions();
  return tcpOptionsParse(segment + <usize>TCP_HEADER_MINIMUM, headerLength - TCP_HEADER_MINIMUM, out);
}

/** Bytes of the header `segment` describes (20 plus its options, padded to 4). */
export function tcpHeaderLength(segment: TcpSegment): u32 {
  return TCP_HEADER_MINIMUM + tcpOptionsLength(segment);
}

/** Writes the header `segment` describes at `at`, for the segment.payloadLength bytes the caller
 * already put at `at + tcpHeaderLength(segment)`, from `source` to `destination`, checksum
 * included. Returns the segment's length (header and payload). The options must fit in 40
 * bytes: more is a caller's broken invariant (abort). */
export function tcpEmit(at: usize, segment: TcpSegment, source: u32, destination: u32): u32 {
  const headerLength = tcpHeaderLength(segment);
  if (headerLength > TCP_HEADER_MAXIMUM) abort("tcpEmit: options longer than 40 bytes");
  store16be(at, segment.sourcePort);
  store16be(at + 2, segment.destinationPort);
  store32be(at + 4, segment.sequence);
  store32be(at + 8, segment.acknowledgment);
  store<u8>(at + 12, <u8>((headerLength / 4) << 4));
  store<u8>(at + 13, <u8>segment.flags);
  store16be(at + 14, segment.window);
  store16be(at + 16, 0);
  store16be(at + 18, segment.urgent);
  tcpOptionsEmit(at + <usize>TCP_HEADER_MINIMUM, segment);
  const total = headerLength + segment.payloadLength;
  const sum = checksumFinish(pseudoHeader(checksumAdd(0, at, total), source, destination, PROTOCOL_TCP, total));
  store16be(at + 16, sum);
  segment.headerLength = headerLength;
  return total;
}
