// ICMP for sockets (RFC 792): the echo requests a program sends and the echo replies it gets
// back, for the Linux personality's raw ICMP sockets (SOCK_RAW, IPPROTO_ICMP: busybox ping) and
// ping sockets (SOCK_DGRAM, IPPROTO_ICMP: iputils ping). Both are UdpPorts for their queue and
// their socket's arrival rule (objects/inet-socket.ts); neither is in UDP's port table. A raw
// socket sends the message it is given (its checksum the caller's) and sees every echo reply for
// this host, IP header first, as Linux's raw sockets do; a ping socket holds an identifier (its
// "port"), its requests carry it with the checksum done here, and it sees the replies that
// carry it, without the IP header. Only echo requests go out (the caller checks) and only echo
// replies come in: a confined program can ping the peers its grant covers and do no more with
// ICMP (Linux's root sees every ICMP message on a raw socket). A reply from a peer the socket's
// grant does not cover is not delivered. ICMP errors about datagrams this host sent go to the UDP
// port that sent them, or to TCP, where they can end a connect (errorReceive).

import { KernelError } from "../../../abi/errors";
import { UDP_PAYLOAD_MAXIMUM } from "../../../abi/methods";
import { generatorU64 } from "../../random/generator";
import { PROTOCOL_ICMP, PROTOCOL_TCP, PROTOCOL_UDP, WireFrame } from "../wire/frame";
import { IcmpQuote, icmpErrorKnown, icmpIsError, icmpQuoteParse } from "../wire/icmp-quote";
import { checksumStore } from "../wire/checksum";
import { ipv4Output, netIcmpHandler } from "../iface/interface";
import { ETHERNET_HEADER, linkIsLocal, linkSourceFor } from "../iface/link";
import { udpIcmpError, UdpPort } from "./udp";
import { tcpIcmpError } from "./tcp-host";

export const ICMP_ECHO_REPLY: u32 = 0, ICMP_ECHO_REQUEST: u32 = 8;
/** An ICMP header: type, code, checksum, identifier, sequence. */
export const ICMP_HEADER: u32 = 8;
/** Where a message starts in the staging frame: after the Ethernet and IPv4 headers. */
const MESSAGE_OFFSET: u32 = ETHERNET_HEADER + 20;

class IcmpState {
  readonly raw: UdpPort[] = [];
  readonly ping: Map<u32, UdpPort> = new Map<u32, UdpPort>();
  /** Where a request is built: its message is copied to MESSAGE_OFFSET, then sent. */
  readonly staging: usize = memory.data(<i32>(MESSAGE_OFFSET + <u32>UDP_PAYLOAD_MAXIMUM), 16);
  /** The datagram an error message quotes (errorReceive). */
  readonly quote: IcmpQuote = new IcmpQuote();
}
const state = new IcmpState();

/** Attaches ICMP sockets to the interface (once, at boot). */
export function icmpInit(): void {
  netIcmpHandler(icmpReceive);
}

/** A raw socket's port sees echo replies from now until icmpClose. */
export function icmpOpenRaw(socket: UdpPort): void {
  if (state.raw.indexOf(socket) < 0) state.raw.push(socket);
}

/** Whether a ping socket holds `identifier`. */
export function icmpIdentifierTaken(identifier: u32): bool {
  return state.ping.has(identifier);
}

/** A free identifier (1..65535) from a random start, or 0 when every one is taken. */
export function icmpFreeIdentifier(): u32 {
  const start = <u32>(generatorU64() % 65535);
  for (let i: u32 = 0; i < 65535; i++) {
    const candidate = 1 + (start + i) % 65535;
    if (!state.ping.has(candidate)) return candidate;
  }
  return 0;
}

/** Binds a ping socket's port to `identifier`, which the caller checked is free. */
export function icmpBindPing(socket: UdpPort, identifier: u32): void {
  if (identifier == 0 || identifier > 0xffff || state.ping.has(identifier)) abort("icmpBindPing: the identifier was not checked");
  socket.port = identifier;
  state.ping.set(identifier, socket);
}

/** The socket is being destroyed: it sees nothing more. */
export function icmpClose(socket: UdpPort): void {
  const at = state.raw.indexOf(socket);
  if (at >= 0) {
    state.raw[at] = state.raw[state.raw.length - 1];
    state.raw.length--;
  }
  if (socket.port != 0 && state.ping.has(socket.port) && state.ping.get(socket.port) === socket) state.ping.delete(socket.port);
  socket.port = 0;
}

/** Where a send copies its message (UDP_PAYLOAD_MAXIMUM bytes at most). */
export function icmpMessageArea(): usize {
  return state.staging + <usize>MESSAGE_OFFSET;
}

/** Sends the `length`-byte echo request in the message area to `peer` (which the caller checked:
 * the grant covers it, the message is a request of at least ICMP_HEADER bytes). From a ping
 * socket (`identifier` not 0) it carries the identifier and its checksum is done here; a raw
 * socket's goes as it is. None, Unreachable or QueueFull (ipv4Output's). */
export function icmpSend(length: u32, peer: u32, identifier: u32): KernelError {
  const message = icmpMessageArea();
  if (identifier != 0) {
    store<u8>(message + 4, <u8>(identifier >> 8));
    store<u8>(message + 5, <u8>identifier);
    store<u16>(message + 2, 0);
    checksumStore(message + 2, message, length);
  }
  return ipv4Output(state.staging, PROTOCOL_ICMP, linkSourceFor(peer), peer, length);
}

/** The interface's handler: an error about a datagram this host sent to the socket that sent
 * it (errorReceive); an echo reply to the raw sockets (IP header first) and to the ping socket
 * holding its identifier (the message alone), each when its grant covers the sender. */
function icmpReceive(frame: usize, parsed: WireFrame): void {
  if (icmpIsError(parsed.icmpType)) {
    errorReceive(frame + <usize>parsed.payload, parsed.payloadLength, parsed.icmpType, parsed.icmpCode);
    return;
  }
  if (parsed.icmpType != ICMP_ECHO_REPLY || parsed.icmpCode != 0) return;
  const source = parsed.source, message = frame + <usize>parsed.payload, length = parsed.payloadLength;
  const raw = state.raw;
  for (let i = 0; i < raw.length; i++) {
    const socket = unchecked(raw[i]);
    if (socket.policy.allowsAddress(source)) socket.arrived(frame + <usize>ETHERNET_HEADER, parsed.payload - ETHERNET_HEADER + length, source, 0);
  }
  const identifier = (<u32>load<u8>(message + 4) << 8) | <u32>load<u8>(message + 5);
  if (!state.ping.has(identifier)) return;
  const socket = state.ping.get(identifier);
  if (socket.policy.allowsAddress(source)) socket.arrived(message, length, source, 0);
}

/** An ICMP error message of `length` bytes at `message`, when it quotes a datagram this host sent
 * (its source one of our addresses): a UDP one goes to the port that sent it (udp.ts), a TCP one
 * to the stack, where it can end a connect (tcp-host.ts; an established connection learns of a
 * dead peer from its timers, as RFC 1122 4.2.3.9 allows). ICMP sockets take none (Linux's raw
 * sockets see every message; a confined one sees echo replies alone). */
function errorReceive(message: usize, length: u32, type: u32, code: u32): void {
  const quote = state.quote;
  if (!icmpErrorKnown(type, code) || !icmpQuoteParse(message, length, quote) || !linkIsLocal(quote.source)) return;
  if (quote.protocol == PROTOCOL_UDP) udpIcmpError(quote, type, code);
  else if (quote.protocol == PROTOCOL_TCP) tcpIcmpError(quote, type, code);
}
