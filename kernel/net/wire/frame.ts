// The wire layer (kernel/net/wire/): views of a received Ethernet frame, validated once, in
// order: Ethernet II, then ARP (IPv4 over Ethernet) or IPv4 (header, options, checksum,
// fragments), then ICMP or UDP (lengths and checksums). Every byte is read through `load` at an
// offset checked against the frame's length first, never through an array index, so a hostile
// frame meets a counted drop reason, never an abort (tests/host/wire.test.ts feeds it a million
// mutated frames). RFC 826 (ARP), RFC 791 (IPv4), RFC 792 (ICMP), RFC 768 (UDP). A frame whose
// device validated its transport checksum (virtio-net's DATA_VALID, phy/device.ts) is parsed with
// TransportChecksum.Trusted: the ICMP and UDP sums are skipped, every length and the IPv4 header
// checksum still checked.

import { checksumAdd, checksumFinish } from "./checksum";

export const ETHERTYPE_IPV4: u32 = 0x0800;
export const ETHERTYPE_ARP: u32 = 0x0806;
export const PROTOCOL_ICMP: u32 = 1;
export const PROTOCOL_TCP: u32 = 6;
export const PROTOCOL_UDP: u32 = 17;
const ETHERNET_HEADER: u32 = 14;
const ARP_LENGTH: u32 = 28;
const IPV4_HEADER_MINIMUM: u32 = 20;
const UDP_HEADER: u32 = 8;
const ICMP_HEADER: u32 = 8;

/** What a frame is, or why it was dropped. Add at the end. */
export enum WireVerdict {
  Arp = 0,
  Icmp = 1,
  Udp = 2,
  /** An IPv4 fragment (not the whole datagram): reassembly's to take. */
  Fragment = 3,
  /** IPv4 of another protocol (TCP: the socket layer parses it, wire/tcp.ts): accepted at the IP layer. */
  OtherProtocol = 4,
  // Drop reasons:
  TooShort = 5,
  UnknownEtherType = 6,
  ArpMalformed = 7,
  ArpNotIpv4OverEthernet = 8,
  Ipv4NotVersion4 = 9,
  Ipv4HeaderLength = 10,
  Ipv4TotalLength = 11,
  Ipv4Checksum = 12,
  Ipv4Options = 13,
  Ipv4SourceInvalid = 14,
  IcmpTooShort = 15,
  IcmpChecksum = 16,
  UdpLength = 17,
  UdpChecksum = 18,
}
/** Verdicts below this accept the frame. */
export const WIRE_FIRST_DROP: i32 = <i32>WireVerdict.TooShort;
export const WIRE_VERDICTS: i32 = <i32>WireVerdict.UdpChecksum + 1;

/** Whether the ICMP or UDP checksum is summed. */
export enum TransportChecksum {
  Verify = 0,
  /** The device validated it: skipped. */
  Trusted = 1,
}

/** The fields a caller needs of a frame the layer accepted (valid only for its verdict). */
export class WireFrame {
  etherType: u32 = 0;
  /** ARP: operation, sender and target protocol addresses; the sender's MAC at `arpSenderMac`. */
  arpOperation: u32 = 0;
  arpSenderIp: u32 = 0;
  arpTargetIp: u32 = 0;
  arpSenderMac: u32 = 0;
  /** IPv4: addresses, protocol, TTL, identification, fragment offset (bytes) and more-fragments,
   * and where its payload lies in the frame. */
  source: u32 = 0;
  destination: u32 = 0;
  protocol: u32 = 0;
  ttl: u32 = 0;
  identification: u32 = 0;
  fragmentOffset: u32 = 0;
  moreFragments: bool = false;
  payload: u32 = 0;
  payloadLength: u32 = 0;
  /** ICMP type and code; UDP ports (the data then at `payload` + 8). */
  icmpType: u32 = 0;
  icmpCode: u32 = 0;
  sourcePort: u32 = 0;
  destinationPort: u32 = 0;
}

@inline export function u16be(address: usize): u32 {
  return (<u32>load<u8>(address) << 8) | <u32>load<u8>(address + 1);
}
@inline export function u32be(address: usize): u32 {
  return (u16be(address) << 16) | u16be(address + 2);
}

/** Classifies the `length` bytes at `frame` (an Ethernet frame without its FCS), filling `out`. */
export function wireParse(frame: usize, length: u32, out: WireFrame, transport: TransportChecksum = TransportChecksum.Verify): WireVerdict {
  if (length < ETHERNET_HEADER) return WireVerdict.TooShort;
  const etherType = u16be(frame + 12);
  out.etherType = etherType;
  if (etherType == ETHERTYPE_ARP) return parseArp(frame + ETHERNET_HEADER, length - ETHERNET_HEADER, out);
  if (etherType == ETHERTYPE_IPV4) return parseIpv4(frame + ETHERNET_HEADER, length - ETHERNET_HEADER, out, transport);
  return WireVerdict.UnknownEtherType;
}

function parseArp(packet: usize, length: u32, out: WireFrame): WireVerdict {
  if (length < 8) return WireVerdict.ArpMalformed;
  const hardware = u16be(packet), protocol = u16be(packet + 2);
  const hardwareLength = <u32>load<u8>(packet + 4), protocolLength = <u32>load<u8>(packet + 5);
  if (hardware != 1 || protocol != ETHERTYPE_IPV4 || hardwareLength != 6 || protocolLength != 4) return WireVerdict.ArpNotIpv4OverEthernet;
  if (length < ARP_LENGTH) return WireVerdict.ArpMalformed;
  const operation = u16be(packet + 6);
  if (operation != 1 && operation != 2) return WireVerdict.ArpMalformed;
  out.arpOperation = operation;
  out.arpSenderMac = 8;
  out.arpSenderIp = u32be(packet + 14);
  out.arpTargetIp = u32be(packet + 24);
  return WireVerdict.Arp;
}

function parseIpv4(packet: usize, length: u32, out: WireFrame, transport: TransportChecksum): WireVerdict {
  if (length < IPV4_HEADER_MINIMUM) return WireVerdict.TooShort;
  const first = <u32>load<u8>(packet);
  if ((first >> 4) != 4) return WireVerdict.Ipv4NotVersion4;
  const headerLength = (first & 0xf) * 4;
  if (headerLength < IPV4_HEADER_MINIMUM || headerLength > length) return WireVerdict.Ipv4HeaderLength;
  const total = u16be(packet + 2);
  // The frame may carry padding after the datagram (Ethernet's 60-byte minimum), never less.
  if (total < headerLength || total > length) return WireVerdict.Ipv4TotalLength;
  if (checksumFinish(checksumAdd(0, packet, headerLength)) != 0) return WireVerdict.Ipv4Checksum;
  if (headerLength > IPV4_HEADER_MINIMUM && !optionsValid(packet + IPV4_HEADER_MINIMUM, headerLength - IPV4_HEADER_MINIMUM)) return WireVerdict.Ipv4Options;
  const source = u32be(packet + 12);
  // Multicast, broadcast or the limited broadcast as a source is never valid (RFC 1122 3.2.1.3).
  if ((source >>> 28) == 0xe || source == 0xffff_ffff) return WireVerdict.Ipv4SourceInvalid;
  const flagsAndOffset = u16be(packet + 6);
  out.source = source;
  out.destination = u32be(packet + 16);
  out.protocol = <u32>load<u8>(packet + 9);
  out.ttl = <u32>load<u8>(packet + 8);
  out.identification = u16be(packet + 4);
  out.fragmentOffset = (flagsAndOffset & 0x1fff) * 8;
  out.moreFragments = (flagsAndOffset & 0x2000) != 0;
  out.payload = ETHERNET_HEADER + headerLength;
  out.payloadLength = total - headerLength;
  if (out.moreFragments || out.fragmentOffset != 0) return WireVerdict.Fragment;
  const payload = packet + <usize>headerLength;
  if (out.protocol == PROTOCOL_ICMP) return parseIcmp(payload, out.payloadLength, out, transport);
  if (out.protocol == PROTOCOL_UDP) return parseUdp(payload, out.payloadLength, out, transport);
  return WireVerdict.OtherProtocol;
}

/** IPv4 options (RFC 791 3.1): end and no-op are one byte; every other has a length byte of at
 * least 2 that stays inside the options. */
function optionsValid(options: usize, length: u32): bool {
  let at: u32 = 0;
  while (at < length) {
    const type = <u32>load<u8>(options + <usize>at);
    if (type == 0) return true;   // end of options
    if (type == 1) { at++; continue; }
    if (at + 1 >= length) return false;
    const optionLength = <u32>load<u8>(options + <usize>at + 1);
    if (optionLength < 2 || at + optionLength > length) return false;
    at += optionLength;
  }
  return true;
}

function parseIcmp(message: usize, length: u32, out: WireFrame, transport: TransportChecksum): WireVerdict {
  if (length < ICMP_HEADER) return WireVerdict.IcmpTooShort;
  if (transport == TransportChecksum.Verify && checksumFinish(checksumAdd(0, message, length)) != 0) return WireVerdict.IcmpChecksum;
  out.icmpType = <u32>load<u8>(message);
  out.icmpCode = <u32>load<u8>(message + 1);
  return WireVerdict.Icmp;
}

function parseUdp(datagram: usize, length: u32, out: WireFrame, transport: TransportChecksum): WireVerdict {
  if (length < UDP_HEADER) return WireVerdict.UdpLength;
  const udpLength = u16be(datagram + 4);
  if (udpLength < UDP_HEADER || udpLength > length) return WireVerdict.UdpLength;
  const checksum = u16be(datagram + 6);
  if (checksum != 0 && transport == TransportChecksum.Verify) {   // 0: the sender computed none (allowed over IPv4)
    let sum = checksumAdd(0, datagram, udpLength);
    sum = pseudoHeader(sum, out.source, out.destination, PROTOCOL_UDP, udpLength);
    if (checksumFinish(sum) != 0) return WireVerdict.UdpChecksum;
  }
  out.sourcePort = u16be(datagram);
  out.destinationPort = u16be(datagram + 2);
  out.payloadLength = udpLength;
  return WireVerdict.Udp;
}

/** Adds the IPv4 pseudo-header (RFC 768) to a running sum. */
export function pseudoHeader(sum: u32, source: u32, destination: u32, protocol: u32, length: u32): u32 {
  let total: u64 = <u64>sum + <u64>(source >>> 16) + <u64>(source & 0xffff) + <u64>(destination >>> 16) + <u64>(destination & 0xffff)
    + <u64>protocol + <u64>length;
  while (total > 0xffff) total = (total & 0xffff) + (total >> 16);
  return <u32>total;
}
