// The network interface (kernel/net/iface/): the one Ethernet device's address, set from the
// command line (ip=A.B.C.D/N, gateway=A.B.C.D) until DHCP comes, an ARP cache, and what a host
// must answer itself: ARP requests for its address (RFC 826), ICMP echo requests (RFC 792,
// RFC 1122 3.2.2.6), and a UDP datagram to a port nobody listens on with a port unreachable
// (rate-limited; no UDP socket exists yet, so that is every port). Every received frame goes through the wire layer first (wire/frame.ts); the
// verdicts are counted (netCounters). Replies are built in a static buffer and sent at once.

import { CommandLine } from "../../boot/command-line";
import { logEnd, LogLevel, logLine } from "../../log/log";
import { phyAttach, phyMac, phySend } from "../phy/phy";
import { checksumStore } from "../wire/checksum";
import { WIRE_VERDICTS, WireFrame, wireParse, WireVerdict } from "../wire/frame";
import { DATAGRAM_MAXIMUM, fragmentReceive, fragmentsInit, FragmentOutcome, fragmentSend, reassembledFrame, reassembledLength } from "./fragments";
import { monotonicNanos } from "../../time/clock";

/** Entries the ARP cache keeps (a fixed pool: memory that belongs to no process); the oldest
 * goes first. */
const ARP_CACHE_ENTRIES: i32 = 64;
/** Bytes of IP a frame carries (the Ethernet MTU). */
const MTU: u32 = 1500;
const ICMP_ECHO_REQUEST: u32 = 8;
const UNREACHABLE_PER_SECOND: u32 = 100;

class NetState {
  up: bool = false;
  address: u32 = 0;
  prefix: u32 = 0;
  gateway: u32 = 0;
  readonly mac: usize = memory.data(8, 8);
  readonly frame: WireFrame = new WireFrame();
  readonly counters: StaticArray<u64> = new StaticArray<u64>(WIRE_VERDICTS);
  /** The ARP cache: IPv4 address and MAC (in the low 48 bits), oldest first. */
  readonly arpAddresses: u32[] = [];
  readonly arpMacs: u64[] = [];
  echoReplies: u64 = 0;
  /** Port unreachables sent in the second that began at unreachableWindow. */
  unreachableSent: u32 = 0;
  unreachableWindow: u64 = 0;
  /** The next IPv4 identification this host sends. */
  identification: u32 = 1;
  /** Where replies are built (a reassembled request's reply is as long), and one fragment of one;
   * made when the interface comes up. */
  out: StaticArray<u8> = new StaticArray<u8>(0);
  fragment: StaticArray<u8> = new StaticArray<u8>(0);
}
const state = new NetState();

/** Takes the address from the command line and attaches to the device (none: nothing to do). */
export function netInit(commandLine: CommandLine): void {
  if (!phyMac(state.mac)) return;
  const address = commandLine.get("ip");
  if (address === null) {
    log("no address: give one with ip=A.B.C.D/N (DHCP comes later)");
    return;
  }
  const slash = address.indexOf("/");
  const parsed = parseAddress(slash < 0 ? address : address.substring(0, slash));
  const prefix = slash < 0 ? 24 : parseDecimal(address.substring(slash + 1));
  if (parsed < 0 || prefix < 1 || prefix > 30) {
    log("ip=" + address + " is not an address with a prefix of 1 to 30; the interface stays down");
    return;
  }
  const gateway = commandLine.get("gateway");
  state.address = <u32>parsed;
  state.prefix = <u32>prefix;
  state.gateway = gateway !== null && parseAddress(gateway) >= 0 ? <u32>parseAddress(gateway) : 0;
  state.up = true;
  state.out = new StaticArray<u8>(<i32>(14 + 20 + DATAGRAM_MAXIMUM));
  state.fragment = new StaticArray<u8>(<i32>(14 + MTU));
  fragmentsInit();
  phyAttach(netReceive);
  logLine().text("net: ").text(addressText(state.address)).text("/").decimal(state.prefix)
    .text(state.gateway != 0 ? ", gateway " + addressText(state.gateway) : ", no gateway").text("; answering ARP and ICMP echo");
  logEnd();
}

function log(text: string): void {
  logLine(LogLevel.Warning).text("net: ").text(text);
  logEnd();
}

/** Frames of each wire verdict received since boot. */
export function netCounter(verdict: WireVerdict): u64 {
  return state.counters[<i32>verdict];
}

/** From the driver, with interrupts masked: one received frame. */
function netReceive(frame: usize, length: u32): void {
  const parsed = state.frame;
  const verdict = wireParse(frame, length, parsed);
  state.counters[<i32>verdict]++;
  if (verdict == WireVerdict.Fragment && parsed.destination == state.address) {
    const headerLength = (<u32>load<u8>(frame + 14) & 0xf) * 4;
    const outcome = fragmentReceive(frame, headerLength, parsed.source, parsed.destination, parsed.protocol, parsed.identification,
      parsed.fragmentOffset, parsed.payloadLength, parsed.moreFragments, monotonicNanos());
    if (outcome != FragmentOutcome.Complete) return;
    const whole = reassembledFrame(), length = reassembledLength();
    const again = wireParse(whole, length, parsed);
    state.counters[<i32>again]++;
    if (again == WireVerdict.Icmp) datagram(whole, parsed);
    return;
  }
  if (verdict == WireVerdict.Arp) arpReceive(frame, parsed);
  else if (verdict == WireVerdict.Icmp) datagram(frame, parsed);
  else if (verdict == WireVerdict.Udp && parsed.destination == state.address) portUnreachable(frame, parsed.source);   // no UDP socket exists yet
}

/** ICMP destination unreachable, port unreachable (RFC 792, RFC 1122 3.2.2.1): the datagram's IP
 * header and its first 8 bytes of data back to its sender; at most UNREACHABLE_PER_SECOND a second
 * (RFC 1812 4.3.2.8), so a flood of datagrams cannot make this host one of replies. */
function portUnreachable(frame: usize, source: u32): void {
  const now = monotonicNanos();
  if (now - state.unreachableWindow >= 1_000_000_000) {
    state.unreachableWindow = now;
    state.unreachableSent = 0;
  }
  if (state.unreachableSent >= UNREACHABLE_PER_SECOND) return;
  state.unreachableSent++;
  const headerLength = (<u32>load<u8>(frame + 14) & 0xf) * 4;
  const quoted = headerLength + 8;
  const out = changetype<usize>(state.out), total = 20 + 8 + quoted;
  const icmp = ipv4Reply(out, frame, source, 1, total);
  store<u8>(icmp, 3); store<u8>(icmp + 1, 3);   // destination unreachable, port unreachable
  store<u32>(icmp + 4, 0);
  memory.copy(icmp + 8, frame + 14, <usize>quoted);
  checksumStore(icmp + 2, icmp, 8 + quoted);
  phySend(out, 14 + total);
}

/** A whole ICMP datagram (received in one frame, or reassembled) for this host. */
function datagram(frame: usize, parsed: WireFrame): void {
  if (parsed.destination == state.address && parsed.icmpType == ICMP_ECHO_REQUEST && parsed.icmpCode == 0) echoReply(frame, parsed);
}

function arpReceive(frame: usize, parsed: WireFrame): void {
  const sender = parsed.arpSenderIp;
  const senderMac = frame + 14 + 8;
  // RFC 826: update an entry we have; add one when the request is for us.
  const forUs = parsed.arpTargetIp == state.address;
  const known = state.arpAddresses.indexOf(sender);
  if (known >= 0 || forUs) arpRemember(sender, readMac(senderMac), known);
  if (!forUs || parsed.arpOperation != 1) return;
  // The reply: to the sender, from us.
  const out = changetype<usize>(state.out);
  copyMac(out, senderMac);
  copyMac(out + 6, state.mac);
  store<u8>(out + 12, 0x08);
  store<u8>(out + 13, 0x06);
  const arp = out + 14;
  store<u8>(arp, 0); store<u8>(arp + 1, 1);        // Ethernet
  store<u8>(arp + 2, 0x08); store<u8>(arp + 3, 0); // IPv4
  store<u8>(arp + 4, 6); store<u8>(arp + 5, 4);
  store<u8>(arp + 6, 0); store<u8>(arp + 7, 2);    // reply
  copyMac(arp + 8, state.mac);
  storeAddress(arp + 14, state.address);
  copyMac(arp + 18, senderMac);
  storeAddress(arp + 24, sender);
  phySend(out, 14 + 28);
}

function arpRemember(address: u32, mac: u64, known: i32): void {
  if (known >= 0) {
    state.arpMacs[known] = mac;
    return;
  }
  if (state.arpAddresses.length == ARP_CACHE_ENTRIES) {
    state.arpAddresses.shift();
    state.arpMacs.shift();
  }
  state.arpAddresses.push(address);
  state.arpMacs.push(mac);
}

/** The echo reply (RFC 792): to the sender, from us, a 20-byte IPv4 header (the request's options
 * are not echoed), type 0, the request's identifier, sequence and data, the checksums redone;
 * fragmented when longer than the MTU. */
function echoReply(frame: usize, parsed: WireFrame): void {
  const ipLength = (<u32>load<u8>(frame + 16) << 8) | <u32>load<u8>(frame + 17);
  const headerLength = (<u32>load<u8>(frame + 14) & 0xf) * 4;
  const message = ipLength - headerLength;
  if (20 + message > 20 + DATAGRAM_MAXIMUM) return;
  const out = changetype<usize>(state.out), total = 20 + message;
  const icmp = ipv4Reply(out, frame, parsed.source, 1, total);
  memory.copy(icmp, frame + 14 + <usize>headerLength, <usize>message);
  store<u8>(icmp, 0);   // echo reply
  checksumStore(icmp + 2, icmp, message);
  if (fragmentSend(out, 14 + total, MTU, changetype<usize>(state.fragment), phySend)) state.echoReplies++;
}

/** Writes at `out` the Ethernet header of a reply to the sender of `frame` and a 20-byte IPv4
 * header from this host to `destination` (`protocol`, `total` bytes of IP, TTL 64, the next
 * identification, its checksum); returns where the payload goes. */
function ipv4Reply(out: usize, frame: usize, destination: u32, protocol: u32, total: u32): usize {
  copyMac(out, frame + 6);
  copyMac(out + 6, state.mac);
  store<u8>(out + 12, 0x08); store<u8>(out + 13, 0x00);
  const ip = out + 14;
  store<u8>(ip, 0x45); store<u8>(ip + 1, 0);
  store<u8>(ip + 2, <u8>(total >> 8)); store<u8>(ip + 3, <u8>total);
  store<u8>(ip + 4, <u8>(state.identification >> 8)); store<u8>(ip + 5, <u8>state.identification);
  state.identification++;
  store<u8>(ip + 6, 0); store<u8>(ip + 7, 0);
  store<u8>(ip + 8, 64);
  store<u8>(ip + 9, <u8>protocol);
  storeAddress(ip + 12, state.address);
  storeAddress(ip + 16, destination);
  checksumStore(ip + 10, ip, 20);
  return ip + 20;
}

function readMac(at: usize): u64 {
  let mac: u64 = 0;
  for (let i = 0; i < 6; i++) mac = (mac << 8) | <u64>load<u8>(at + <usize>i);
  return mac;
}
function copyMac(to: usize, from: usize): void {
  for (let i = 0; i < 6; i++) store<u8>(to + <usize>i, load<u8>(from + <usize>i));
}
function storeAddress(to: usize, address: u32): void {
  store<u8>(to, <u8>(address >>> 24)); store<u8>(to + 1, <u8>(address >>> 16));
  store<u8>(to + 2, <u8>(address >>> 8)); store<u8>(to + 3, <u8>address);
}

/** "A.B.C.D" as a u32, or -1. */
export function parseAddress(text: string): i64 {
  let value: u64 = 0, parts = 0, digits = 0, part: u32 = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c == 0x2e) {
      if (digits == 0 || part > 255 || ++parts > 4) return -1;
      value = (value << 8) | <u64>part;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39 && digits < 3) {
      part = part * 10 + <u32>(c - 0x30);
      digits++;
    } else return -1;
  }
  return parts == 4 ? <i64>value : -1;
}

function parseDecimal(text: string): i32 {
  if (text.length == 0 || text.length > 2) return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    value = value * 10 + (c - 0x30);
  }
  return value;
}

function addressText(address: u32): string {
  return (address >>> 24).toString() + "." + ((address >>> 16) & 0xff).toString() + "." + ((address >>> 8) & 0xff).toString() + "."
    + (address & 0xff).toString();
}

/** Echo replies sent since boot. */
export function netEchoReplies(): u64 {
  return state.echoReplies;
}
