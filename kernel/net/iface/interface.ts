// The network interface (kernel/net/iface/): the one Ethernet device with its IPv4 address, set
// from the command line (ip=A.B.C.D/N, gateway=A.B.C.D, dns=A.B.C.D) or by DHCP (autoconfig.ts). Every
// received frame goes through the wire layer first (wire/frame.ts; the verdicts are counted:
// netCounter), then: ARP to the cache (arp.ts); fragments to reassembly (fragments.ts); ICMP echo
// requests answered (RFC 792, RFC 1122 3.2.2.6); UDP to the socket layer's handler, and a
// datagram for a port nobody holds answered with a port unreachable (rate-limited). Datagrams
// this host originates go out through ipv4Output: routed (link.ts), resolved (arp.ts),
// fragmented when longer than the MTU; those to this host itself (its address, 127.0.0.0/8) go
// through local delivery (local.ts) and come back in here, never to the device. Replies are
// built in a static buffer and sent at once, to the MAC the request came from. A frame from the
// wire to or from 127.0.0.0/8 is a martian (RFC 1122 3.2.1.3): dropped and counted.

import { KernelError } from "../../../abi/errors";
import { CommandLine } from "../../boot/command-line";
import { logEnd, LogLevel, logLine } from "../../log/log";
import { phyAttach, phyMac, phySendRoom } from "../phy/phy";
import { checksumStore } from "../wire/checksum";
import { PROTOCOL_TCP, TransportChecksum, WIRE_VERDICTS, WireFrame, wireParse, WireVerdict } from "../wire/frame";
import { FrameChecksum } from "../phy/device";
import { arpInit, arpOutput, arpReceive, copyMac, storeAddress } from "./arp";
import { DATAGRAM_MAXIMUM, fragmentReceive, fragmentsInit, FragmentOutcome, fragmentSend, reassembledFrame, reassembledLength } from "./fragments";
import {
  ETHERNET_HEADER, linkAddress, linkConfigure, linkDns, linkGateway, linkIdentification, linkIsBroadcast, linkIsLocal, linkIsLoopback, linkMac,
  linkNextHop, linkPrefix, linkTransmit, MTU,
} from "./link";
import { localAttach, localReady, localSend } from "./local";
import { monotonicNanos } from "../../time/clock";
import { dhcpReceive } from "./dhcp";

const ICMP_ECHO_REQUEST: u32 = 8;
const DHCP_CLIENT_PORT: u32 = 68;
const DHCP_SERVER_PORT: u32 = 67;
const UNREACHABLE_PER_SECOND: u32 = 100;

/** What takes a UDP datagram for this host (the socket layer): true when a socket held its port.
 * `frame` is the whole frame, `parsed` its wire view (the payload at parsed.payload + 8). */
export type UdpHandler = (frame: usize, parsed: WireFrame) => bool;

function noSocket(frame: usize, parsed: WireFrame): bool { return false; }

/** What takes a TCP segment for this host's unicast address (the socket layer): the segment is
 * the IPv4 payload (parsed.payload, parsed.payloadLength); `transport` says whether the device
 * validated its checksum. */
export type TcpHandler = (frame: usize, parsed: WireFrame, transport: TransportChecksum) => void;

function noTcp(frame: usize, parsed: WireFrame, transport: TransportChecksum): void {}

/** What sees an ICMP message for this host (the socket layer's ICMP sockets), after the
 * interface answered it if it was an echo request: the message at parsed.payload,
 * parsed.payloadLength bytes, its type and code in parsed. */
export type IcmpHandler = (frame: usize, parsed: WireFrame) => void;

function noIcmp(frame: usize, parsed: WireFrame): void {}

/** Where a received frame came from. */
enum Origin {
  Wire,
  /** This host, through local delivery (local.ts). */
  Local,
}

class NetState {
  attached: bool = false;
  /** A network device was found (the interface, eth0 to Linux programs, exists). */
  device: bool = false;
  /** No ip= was given: DHCP configures the interface (autoconfig.ts). */
  dhcp: bool = false;
  readonly frame: WireFrame = new WireFrame();
  readonly counters: StaticArray<u64> = new StaticArray<u64>(WIRE_VERDICTS);
  udp: UdpHandler = noSocket;
  tcp: TcpHandler = noTcp;
  icmp: IcmpHandler = noIcmp;
  echoReplies: u64 = 0;
  /** Frames from the wire to or from 127.0.0.0/8, dropped. */
  martians: u64 = 0;
  /** Frames received and their bytes: from the wire, and from local delivery (loopback's). */
  readonly received: StaticArray<u64> = new StaticArray<u64>(4);
  /** Port unreachables sent in the second that began at unreachableWindow. */
  unreachableSent: u32 = 0;
  unreachableWindow: u64 = 0;
  /** Where replies are built (a reassembled request's reply is as long), and one fragment of one;
   * made when the interface comes up. */
  out: StaticArray<u8> = new StaticArray<u8>(0);
  fragment: StaticArray<u8> = new StaticArray<u8>(0);
}
const state = new NetState();

/** Takes the address from the command line and attaches to the device. Without a device the
 * interface stays down, but loopback (127.0.0.0/8, local.ts) still works, as Linux's lo. */
export function netInit(commandLine: CommandLine): void {
  if (!phyMac(linkMac())) {
    attach();
    return;
  }
  state.device = true;
  const address = commandLine.get("ip");
  if (address === null) {   // DHCP, once the generator is seeded (autoconfig.ts)
    state.dhcp = true;
    attach();
    return;
  }
  const slash = address.indexOf("/");
  const parsed = parseAddress(slash < 0 ? address : address.substring(0, slash));
  const prefix = slash < 0 ? 24 : parseDecimal(address.substring(slash + 1));
  if (parsed <= 0 || prefix < 1 || prefix > 30) {
    log("ip=" + address + " is not an address with a prefix of 1 to 30; the interface stays down");
    return;
  }
  const gateway = optionalAddress(commandLine, "gateway"), dns = optionalAddress(commandLine, "dns");
  netConfigure(<u32>parsed, <u32>prefix, gateway, dns);
}

/** Brings the interface up with this configuration (or changes it). */
export function netConfigure(address: u32, prefix: u32, gateway: u32, dns: u32): void {
  linkConfigure(address, prefix, gateway, dns);
  attach();
  logLine().text("net: ").text(addressText(address)).text("/").decimal(prefix)
    .text(gateway != 0 ? ", gateway " + addressText(gateway) : ", no gateway")
    .text(dns != 0 ? ", DNS " + addressText(dns) : "").text("; answering ARP and ICMP echo");
  logEnd();
}

/** Makes the buffers and pools and takes the device's frames (once). */
function attach(): void {
  if (state.attached) return;
  state.attached = true;
  state.out = new StaticArray<u8>(<i32>(ETHERNET_HEADER + 20 + DATAGRAM_MAXIMUM));
  state.fragment = new StaticArray<u8>(<i32>(ETHERNET_HEADER + MTU));
  fragmentsInit();
  arpInit();
  phyAttach(netReceive);   // polled on the tick: what an interrupt's receive budget left
  localAttach(localReceive);
}

/** Whether the interface waits for DHCP (no ip= was given). */
export function netDhcpWanted(): bool {
  return state.dhcp;
}

/** Sets what takes received TCP segments (the socket layer, once, at boot). */
export function netTcpHandler(handler: TcpHandler): void {
  state.tcp = handler;
}

/** Sets what sees received ICMP messages (the socket layer, once, at boot). */
export function netIcmpHandler(handler: IcmpHandler): void {
  state.icmp = handler;
}

/** Sets what takes received UDP datagrams (the socket layer, once, at boot). */
export function netUdpHandler(handler: UdpHandler): void {
  state.udp = handler;
}

function optionalAddress(commandLine: CommandLine, key: string): u32 {
  const text = commandLine.get(key);
  if (text === null) return 0;
  const value = parseAddress(text!);
  if (value <= 0) {
    log(key + "=" + text! + " is not an address; ignored");
    return 0;
  }
  return <u32>value;
}

function log(text: string): void {
  logLine(LogLevel.Warning).text("net: ").text(text);
  logEnd();
}

/** Frames of each wire verdict received since boot. */
export function netCounter(verdict: WireVerdict): u64 {
  return state.counters[<i32>verdict];
}

/** From the driver, with interrupts masked: one received frame, and whether the device validated
 * its transport checksum (then the wire layer does not sum it again). */
function netReceive(frame: usize, length: u32, checksum: FrameChecksum): void {
  receive(frame, length, Origin.Wire, checksum);
}

/** From local delivery: a frame this host sent itself, its sums computed here (so trusted, as
 * Linux's loopback does). */
function localReceive(frame: usize, length: u32): void {
  receive(frame, length, Origin.Local, FrameChecksum.Validated);
}

function receive(frame: usize, length: u32, origin: Origin, checksum: FrameChecksum): void {
  const counted = origin == Origin.Local ? 2 : 0;
  unchecked(state.received[counted]++);
  unchecked(state.received[counted + 1] += <u64>length);
  const parsed = state.frame;
  const verdict = wireParse(frame, length, parsed, checksum == FrameChecksum.Validated ? TransportChecksum.Trusted : TransportChecksum.Verify);
  state.counters[<i32>verdict]++;
  if (verdict == WireVerdict.Arp) {
    arpReceive(frame, parsed);
    return;
  }
  const tcp = verdict == WireVerdict.OtherProtocol && parsed.protocol == PROTOCOL_TCP;
  if (verdict != WireVerdict.Fragment && verdict != WireVerdict.Icmp && verdict != WireVerdict.Udp && !tcp) return;
  if (origin == Origin.Wire && (linkIsLoopback(parsed.source) || linkIsLoopback(parsed.destination))) {
    state.martians++;
    return;
  }
  if (!forUs(parsed.destination)) return;
  if (verdict == WireVerdict.Fragment) {
    const headerLength = (<u32>load<u8>(frame + 14) & 0xf) * 4;
    const outcome = fragmentReceive(frame, headerLength, parsed.source, parsed.destination, parsed.protocol, parsed.identification,
      parsed.fragmentOffset, parsed.payloadLength, parsed.moreFragments, monotonicNanos());
    if (outcome != FragmentOutcome.Complete) return;
    const whole = reassembledFrame(), wholeLength = reassembledLength();
    const again = wireParse(whole, wholeLength, parsed);   // the device vouched for no fragment's datagram: summed
    state.counters[<i32>again]++;
    datagram(whole, again, parsed, TransportChecksum.Verify);
    return;
  }
  datagram(frame, verdict, parsed, checksum == FrameChecksum.Validated ? TransportChecksum.Trusted : TransportChecksum.Verify);
}

/** Whether a datagram to `destination` is this host's: its address, a loopback address (only
 * local frames get this far with one), or a broadcast. */
function forUs(destination: u32): bool {
  return linkIsLocal(destination) || linkIsBroadcast(destination);
}

/** A whole ICMP, UDP or TCP datagram (received in one frame, or reassembled) for this host. */
function datagram(frame: usize, verdict: WireVerdict, parsed: WireFrame, transport: TransportChecksum): void {
  const unicast = linkIsLocal(parsed.destination);
  if (verdict == WireVerdict.OtherProtocol) {
    if (parsed.protocol == PROTOCOL_TCP && unicast) state.tcp(frame, parsed, transport);   // never to a broadcast (RFC 1122 4.2.3.10)
  } else if (verdict == WireVerdict.Icmp) {
    if (unicast && parsed.icmpType == ICMP_ECHO_REQUEST && parsed.icmpCode == 0) echoReply(frame, parsed);
    state.icmp(frame, parsed);
  } else if (verdict == WireVerdict.Udp) {
    if (state.dhcp && parsed.destinationPort == DHCP_CLIENT_PORT && parsed.sourcePort == DHCP_SERVER_PORT) {
      dhcpReceive(frame + <usize>parsed.payload + 8, parsed.payloadLength - 8, monotonicNanos());
      return;
    }
    const taken = state.udp(frame, parsed);
    if (!taken && unicast) portUnreachable(frame, parsed);   // never for a broadcast (RFC 1122 3.2.2)
  }
}

/** Sends a datagram this host originates. At `frame`: room for the Ethernet and a 20-byte IPv4
 * header, then `payloadLength` bytes of `protocol` payload, written. Fills both headers, routes
 * and resolves it, or delivers it here when it is for this host. None; Unreachable when there is
 * no route; QueueFull when the device's ring (or the local queue) was full (the datagram is lost;
 * the caller may try again). */
export function ipv4Output(frame: usize, protocol: u32, source: u32, destination: u32, payloadLength: u32): KernelError {
  const local = linkIsLocal(destination);
  const nextHop = local ? destination : linkNextHop(destination);
  if (nextHop == 0 || (local && !localReady())) return KernelError.Unreachable;
  store<u8>(frame + 12, 0x08); store<u8>(frame + 13, 0x00);
  ipv4Header(frame + ETHERNET_HEADER, protocol, source, destination, 20 + payloadLength);
  if (!local) return arpOutput(frame, ETHERNET_HEADER + 20 + payloadLength, nextHop);
  copyMac(frame, linkMac());
  copyMac(frame + 6, linkMac());
  return localSend(frame, ETHERNET_HEADER + 20 + payloadLength) ? KernelError.None : KernelError.QueueFull;
}

/** Datagrams to `destination` the device would take now (its free transmit buffers): no limit
 * for this host's own addresses (local delivery has its own queue), 0 without a device. */
export function netTransmitRoom(destination: u32): u32 {
  return linkIsLocal(destination) ? u32.MAX_VALUE : phySendRoom();
}

/** ICMP destination unreachable, port unreachable (RFC 792, RFC 1122 3.2.2.1): the datagram's IP
 * header and its first 8 bytes of data back to its sender; at most UNREACHABLE_PER_SECOND a second
 * (RFC 1812 4.3.2.8), so a flood of datagrams cannot make this host one of replies. */
function portUnreachable(frame: usize, parsed: WireFrame): void {
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
  const icmp = ipv4Reply(out, frame, parsed, 1, total);
  store<u8>(icmp, 3); store<u8>(icmp + 1, 3);   // destination unreachable, port unreachable
  store<u32>(icmp + 4, 0);
  memory.copy(icmp + 8, frame + 14, <usize>quoted);
  checksumStore(icmp + 2, icmp, 8 + quoted);
  linkTransmit(out, ETHERNET_HEADER + total);
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
  const icmp = ipv4Reply(out, frame, parsed, 1, total);
  memory.copy(icmp, frame + 14 + <usize>headerLength, <usize>message);
  store<u8>(icmp, 0);   // echo reply
  checksumStore(icmp + 2, icmp, message);
  if (fragmentSend(out, ETHERNET_HEADER + total, MTU, changetype<usize>(state.fragment), linkTransmit)) state.echoReplies++;
}

/** Writes at `out` the Ethernet header of a reply to the sender of `frame` (this host's own MAC
 * for a local frame, so the reply stays local too) and a 20-byte IPv4 header to its source,
 * from the unicast address it was sent to; returns where the payload goes. */
function ipv4Reply(out: usize, frame: usize, parsed: WireFrame, protocol: u32, total: u32): usize {
  copyMac(out, frame + 6);
  copyMac(out + 6, linkMac());
  store<u8>(out + 12, 0x08); store<u8>(out + 13, 0x00);
  ipv4Header(out + ETHERNET_HEADER, protocol, parsed.destination, parsed.source, total);
  return out + ETHERNET_HEADER + 20;
}

/** A 20-byte IPv4 header at `ip`: `total` bytes of IP, TTL 64, don't-fragment clear, the next
 * identification, its checksum. */
function ipv4Header(ip: usize, protocol: u32, source: u32, destination: u32, total: u32): void {
  store<u8>(ip, 0x45); store<u8>(ip + 1, 0);
  store<u8>(ip + 2, <u8>(total >> 8)); store<u8>(ip + 3, <u8>total);
  const identification = linkIdentification();
  store<u8>(ip + 4, <u8>(identification >> 8)); store<u8>(ip + 5, <u8>identification);
  store<u8>(ip + 6, 0); store<u8>(ip + 7, 0);
  store<u8>(ip + 8, 64);
  store<u8>(ip + 9, <u8>protocol);
  storeAddress(ip + 12, source);
  storeAddress(ip + 16, destination);
  checksumStore(ip + 10, ip, 20);
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

export function addressText(address: u32): string {
  return (address >>> 24).toString() + "." + ((address >>> 16) & 0xff).toString() + "." + ((address >>> 8) & 0xff).toString() + "."
    + (address & 0xff).toString();
}

/** Echo replies sent since boot. */
export function netEchoReplies(): u64 {
  return state.echoReplies;
}

/** Whether there is a network device (else only loopback works). */
export function netHasDevice(): bool {
  return state.device;
}

/** Frames received since boot (`bytes`: their bytes), from the wire or (`local`) from this host
 * itself: what /proc/net/dev says of eth0 and lo. */
export function netReceived(local: bool, bytes: bool): u64 {
  return unchecked(state.received[(local ? 2 : 0) + (bytes ? 1 : 0)]);
}

/** Frames from the wire to or from 127.0.0.0/8 dropped since boot. */
export function netMartians(): u64 {
  return state.martians;
}

/** The configuration Network.info reports. */
export function netInfo(out: usize): void {
  store<u32>(out, linkAddress());
  store<u32>(out + 4, linkPrefix());
  store<u32>(out + 8, linkGateway());
  store<u32>(out + 12, linkDns());
}
