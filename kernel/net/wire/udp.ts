// The UDP header on the way out (RFC 768): the wire layer's emit for the header frame.ts parses.
// Its checksum covers the IPv4 pseudo-header, the header and the payload; a sum of 0 goes out as
// 0xffff, since 0 means "no checksum". Used by UDP sockets (socket/udp.ts) and the DHCP client's
// datagrams (iface/autoconfig.ts).
//
//   0      2      4      6      8
//   +------+------+------+------+---------
//   | src  | dst  | len  | sum  | payload
//   +------+------+------+------+---------

import { checksumAdd, checksumFinish } from "./checksum";
import { PROTOCOL_UDP, pseudoHeader } from "./frame";

/** Bytes of the header. */
export const UDP_HEADER: u32 = 8;

/** Writes the header at `udp` for the `payloadLength` bytes already after it, from
 * `source`:`sourcePort` to `destination`:`destinationPort`, checksum included. Returns the
 * datagram's length (header and payload). */
export function udpHeaderEmit(udp: usize, sourcePort: u32, destinationPort: u32, payloadLength: u32, source: u32, destination: u32): u32 {
  const total = UDP_HEADER + payloadLength;
  storeBe16(udp, sourcePort);
  storeBe16(udp + 2, destinationPort);
  storeBe16(udp + 4, total);
  storeBe16(udp + 6, 0);
  let sum = checksumFinish(pseudoHeader(checksumAdd(0, udp, total), source, destination, PROTOCOL_UDP, total));
  if (sum == 0) sum = 0xffff;
  storeBe16(udp + 6, sum);
  return total;
}

@inline function storeBe16(at: usize, value: u32): void {
  store<u8>(at, <u8>(value >> 8));
  store<u8>(at + 1, <u8>value);
}
