// UDP (RFC 768) for sockets: the table of bound ports, each with a bounded receive queue, the
// delivery of received datagrams to them, and the sending of datagrams from them. A port is a
// UdpPort: the socket object (objects/udp-socket.ts) extends it and decides what an arrival does
// (hand it to a waiting receive, or queue it). A datagram from a peer the port's grant does not
// allow is dropped and counted, as is one that finds the queue full: UDP's backpressure on the
// receiving side is loss, bounded by UDP_RECEIVE_BUFFER bytes a port. The queue is a ring of
// records [u32 length][u32 peer address][u32 peer port][data, padded to 4 bytes]; a record never
// wraps (a marker, or less than a record's header of room, sends the reader back to 0).

import { KernelError } from "../../../abi/errors";
import { UDP_PAYLOAD_MAXIMUM, UDP_RECEIVE_BUFFER, UDP_RECORD_OVERHEAD } from "../../../abi/methods";
import { generatorU64 } from "../../random/generator";
import { PROTOCOL_UDP, WireFrame } from "../wire/frame";
import { IcmpQuote } from "../wire/icmp-quote";
import { udpHeaderEmit } from "../wire/udp";
import { ipv4Output, netUdpHandler } from "../iface/interface";
import { ETHERNET_HEADER, linkSourceFor } from "../iface/link";
import { NetworkPolicy } from "./policy";

const WRAP: u32 = 0xffff_ffff;
/** Where a datagram's payload starts in the staging frame: Ethernet, IPv4 and UDP headers. */
export const UDP_PAYLOAD_OFFSET: u32 = ETHERNET_HEADER + 20 + 8;

/** Why a received datagram was not queued. */
export enum UdpDrop {
  /** No socket holds the destination port (answered with port unreachable when unicast). */
  NoPort = 0,
  /** The port's grant does not allow the sender. */
  PeerRefused = 1,
  /** The port's queue had no room. */
  QueueFull = 2,
}
export const UDP_DROPS: i32 = 3;

export abstract class UdpPort {
  port: u32 = 0;
  readonly queue: StaticArray<u8> = new StaticArray<u8>(<i32>UDP_RECEIVE_BUFFER);
  private head: u32 = 0;
  private tail: u32 = 0;
  /** Datagrams queued, and the queue's bytes they take (records and padding). */
  count: u32 = 0;
  bytes: u32 = 0;
  /** Arrivals dropped because the queue was full. */
  dropped: u64 = 0;

  constructor(readonly policy: NetworkPolicy) {}

  /** A datagram the policy allows arrived: `length` bytes at `data` from `peer`:`peerPort`.
   * The socket hands it to a waiting receive or calls enqueue. Interrupts are masked. */
  abstract arrived(data: usize, length: u32, peer: u32, peerPort: u32): void;

  /** An ICMP error of `type` and `code` (wire/icmp-quote.ts: one a socket is told of) came back
   * about a datagram this port sent to `peer`:`peerPort`, a peer its policy allows. What it
   * means is the socket's to say; by default nothing (the native UdpSocket has no error to
   * report: its datagrams are sent or not). Interrupts are masked. */
  icmpError(type: u32, code: u32, peer: u32, peerPort: u32): void {}

  /** Queues a copy; false (counted) when there is no room. */
  enqueue(data: usize, length: u32, peer: u32, peerPort: u32): bool {
    const capacity = <u32>UDP_RECEIVE_BUFFER;
    const need = <u32>UDP_RECORD_OVERHEAD + ((length + 3) & ~3);
    if (this.count == 0) { this.head = 0; this.tail = 0; }
    let at: u32 = this.tail;
    if (this.count == 0 || this.tail > this.head) {          // free: [tail, capacity) and [0, head)
      if (capacity - this.tail < need) {
        if ((this.count == 0 ? capacity : this.head) < need) return this.drop();
        if (capacity - this.tail >= 4) store<u32>(this.at(this.tail), WRAP);
        at = 0;
      }
    } else if (this.head - this.tail < need) {                // free: [tail, head)
      return this.drop();
    }
    const record = this.at(at);
    store<u32>(record, length);
    store<u32>(record + 4, peer);
    store<u32>(record + 8, peerPort);
    memory.copy(record + <usize>UDP_RECORD_OVERHEAD, data, <usize>length);
    this.tail = at + need;
    this.count++;
    this.bytes += need;
    return true;
  }

  /** The oldest queued datagram's record (its length at +0, peer at +4, port at +8, data at +12),
   * or 0 when the queue is empty. dequeue() drops it. */
  peek(): usize {
    if (this.count == 0) return 0;
    const capacity = <u32>UDP_RECEIVE_BUFFER;
    if (capacity - this.head < <u32>UDP_RECORD_OVERHEAD || load<u32>(this.at(this.head)) == WRAP) this.head = 0;
    return this.at(this.head);
  }

  dequeue(): void {
    const record = this.peek();
    if (record == 0) return;
    const length = load<u32>(record);
    const need = <u32>UDP_RECORD_OVERHEAD + ((length + 3) & ~3);
    this.head += need;
    this.count--;
    this.bytes -= need;
  }

  @inline private at(offset: u32): usize {
    return changetype<usize>(this.queue) + <usize>offset;
  }

  private drop(): bool {
    this.dropped++;
    return false;
  }
}

class UdpState {
  ports: Map<u32, UdpPort> = new Map<u32, UdpPort>();
  /** Where a datagram is built: its payload is copied to UDP_PAYLOAD_OFFSET, then sent. */
  readonly staging: usize = memory.data(<i32>(UDP_PAYLOAD_OFFSET + <u32>UDP_PAYLOAD_MAXIMUM), 16);
  readonly drops: StaticArray<u64> = new StaticArray<u64>(UDP_DROPS);
  delivered: u64 = 0;
  /** Someone else (the DHCP client) takes this port before the sockets: 0 for none. */
  reserved: u32 = 0;
}
const state = new UdpState();

/** Attaches the socket layer to the interface (once, at boot). */
export function udpInit(): void {
  netUdpHandler(udpReceive);
}

/** A free port in the policy's local range, from a random start (RFC 6056's "random search"),
 * or 0 when every one is taken. */
export function udpFreePort(policy: NetworkPolicy): u32 {
  const span = policy.portHigh - policy.portLow + 1;
  const start = <u32>(generatorU64() % <u64>span);
  for (let i: u32 = 0; i < span; i++) {
    const candidate = policy.portLow + (start + i) % span;
    if (!udpPortTaken(candidate)) return candidate;
  }
  return 0;
}

/** Binds `port`, which the caller checked is allowed and free, to `socket`. */
export function udpBind(socket: UdpPort, port: u32): void {
  if (port == 0 || udpPortTaken(port)) abort("udpBind: the port was not checked");
  socket.port = port;
  state.ports.set(port, socket);
}

/** Whether a datagram to `port` would find a taker. */
export function udpPortTaken(port: u32): bool {
  return port == state.reserved || state.ports.has(port);
}

/** Keeps `port` for a kernel client (DHCP's 68), before any socket binds it. */
export function udpReserve(port: u32): void {
  state.reserved = port;
}

/** Unbinds the socket (it is being destroyed). */
export function udpUnbind(socket: UdpPort): void {
  if (socket.port != 0 && state.ports.has(socket.port) && state.ports.get(socket.port) === socket) state.ports.delete(socket.port);
  socket.port = 0;
}

/** The staging area a send copies its payload into (UDP_PAYLOAD_MAXIMUM bytes). */
export function udpPayloadArea(): usize {
  return state.staging + <usize>UDP_PAYLOAD_OFFSET;
}

/** Sends the `length` bytes in the payload area from `socket` to `peer`:`peerPort`, which the
 * caller checked against the policy: None, Unreachable, or QueueFull. */
export function udpSend(socket: UdpPort, length: u32, peer: u32, peerPort: u32): KernelError {
  const source = linkSourceFor(peer);
  const total = udpHeaderEmit(state.staging + ETHERNET_HEADER + 20, socket.port, peerPort, length, source, peer);
  return ipv4Output(state.staging, PROTOCOL_UDP, source, peer, total);
}

/** The interface's handler: true when a socket holds the port (the datagram was delivered or
 * dropped by its rules), false when nobody does. */
function udpReceive(frame: usize, parsed: WireFrame): bool {
  const port = parsed.destinationPort;
  if (!state.ports.has(port)) {
    unchecked(state.drops[UdpDrop.NoPort]++);
    return false;
  }
  const socket = state.ports.get(port);
  if (!socket.policy.allowsPeer(parsed.source, parsed.sourcePort)) {
    unchecked(state.drops[UdpDrop.PeerRefused]++);
    return true;
  }
  const dropped = socket.dropped;
  socket.arrived(frame + <usize>parsed.payload + 8, parsed.payloadLength - 8, parsed.source, parsed.sourcePort);
  if (socket.dropped != dropped) unchecked(state.drops[UdpDrop.QueueFull]++);
  else state.delivered++;
  return true;
}

/** An ICMP error (icmp.ts) quoting a UDP datagram `quote` describes, which this host sent: told
 * to the port that sent it when it still holds that port and its policy allows the peer. */
export function udpIcmpError(quote: IcmpQuote, type: u32, code: u32): void {
  const port = quote.sourcePort;
  if (!state.ports.has(port)) return;
  const socket = state.ports.get(port);
  if (!socket.policy.allowsPeer(quote.destination, quote.destinationPort)) return;
  socket.icmpError(type, code, quote.destination, quote.destinationPort);
}

/** Datagrams handed to sockets, and dropped for each reason, since boot. */
export function udpDelivered(): u64 { return state.delivered; }
export function udpDropped(reason: UdpDrop): u64 { return state.drops[<i32>reason]; }
