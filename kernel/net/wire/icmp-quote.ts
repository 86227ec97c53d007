// The datagram an ICMP error message is about (RFC 792; RFC 1122 3.2.2: destination
// unreachable, time exceeded and parameter problem carry the offending datagram's IP header and
// at least its first 8 bytes). Read from a message the wire layer already accepted (its checksum
// verified, frame.ts), so only the quote itself is checked here: an IPv4 header of 20 to 60
// bytes followed by the 8 bytes that hold a UDP or TCP header's ports, and the first fragment of
// its datagram (a later one has no transport header to quote).

import { u16be, u32be } from "./frame";

/** ICMP error types (RFC 792). */
export const ICMP_DESTINATION_UNREACHABLE: u32 = 3, ICMP_TIME_EXCEEDED: u32 = 11, ICMP_PARAMETER_PROBLEM: u32 = 12;
/** The error message's own header before the quote: type, code, checksum, 4 bytes unused. */
const ERROR_HEADER: u32 = 8;

/** What the quote says of the datagram (valid when icmpQuoteParse said true). */
export class IcmpQuote {
  protocol: u32 = 0;
  source: u32 = 0;
  destination: u32 = 0;
  sourcePort: u32 = 0;
  destinationPort: u32 = 0;
  /** A TCP segment's sequence number (the quote's bytes 4-7 past the IP header). */
  sequence: u32 = 0;
}

/** Whether an ICMP message of `type` is an error about a datagram (and so quotes one). */
export function icmpIsError(type: u32): bool {
  return type == ICMP_DESTINATION_UNREACHABLE || type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETER_PROBLEM;
}

/** Reads the quote of the error message of `length` bytes at `message` into `out`: false when it
 * is too short for an IPv4 header and 8 bytes past it, is not IPv4, or quotes a fragment other
 * than the first. */
export function icmpQuoteParse(message: usize, length: u32, out: IcmpQuote): bool {
  if (length < ERROR_HEADER + 20 + 8) return false;
  const quoted = message + <usize>ERROR_HEADER;
  const first = <u32>load<u8>(quoted);
  const headerLength = (first & 0xf) << 2;
  if ((first >> 4) != 4 || headerLength < 20 || ERROR_HEADER + headerLength + 8 > length) return false;
  if ((u16be(quoted + 6) & 0x1fff) != 0) return false;   // a fragment offset: no ports quoted
  out.protocol = <u32>load<u8>(quoted + 9);
  out.source = u32be(quoted + 12);
  out.destination = u32be(quoted + 16);
  out.sourcePort = u16be(quoted + <usize>headerLength);
  out.destinationPort = u16be(quoted + <usize>headerLength + 2);
  out.sequence = u32be(quoted + <usize>headerLength + 4);
  return true;
}

/** Destination unreachable's codes RFC 792 and RFC 1812 name (0-15); later ones are ignored. */
const UNREACHABLE_CODES: u32 = 16;
/** The codes that say the destination will not take the datagram however often it is sent (a
 * hard error, RFC 1122 4.2.3.9; bit N for code N): protocol and port unreachable, network and
 * host unknown, host isolated, and the administrative prohibitions (9, 10, 13-15). Network and
 * host unreachable, fragmentation needed, source route failed and the TOS ones (0, 1, 4, 5, 11,
 * 12) are soft: routes change. Linux's icmp_err_convert draws the same line. */
const UNREACHABLE_HARD: u32 = (1 << 2) | (1 << 3) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 13) | (1 << 14) | (1 << 15);

/** Whether an error message of `type` and `code` is one a socket is told of at all. */
export function icmpErrorKnown(type: u32, code: u32): bool {
  return type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETER_PROBLEM || (type == ICMP_DESTINATION_UNREACHABLE && code < UNREACHABLE_CODES);
}

/** Whether it is a hard error (above): a parameter problem is too (the datagram itself is at
 * fault), an exceeded time is not. */
export function icmpErrorHard(type: u32, code: u32): bool {
  if (type == ICMP_PARAMETER_PROBLEM) return true;
  return type == ICMP_DESTINATION_UNREACHABLE && code < UNREACHABLE_CODES && ((UNREACHABLE_HARD >> code) & 1) != 0;
}

/** Whether an error of `type` and `code` ends a TCP connect (its SYN answered with it): every
 * destination unreachable but fragmentation needed (path MTU discovery's, not the peer's
 * refusal), and an exceeded time, as Linux's tcp_v4_err. */
export function icmpErrorEndsConnect(type: u32, code: u32): bool {
  return (type == ICMP_DESTINATION_UNREACHABLE && code < UNREACHABLE_CODES && code != 4) || type == ICMP_TIME_EXCEEDED;
}
