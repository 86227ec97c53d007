// TCP in the kernel (net/socket/): the one TcpStack of the interface and the TcpHost it runs
// on. Segments for this host come from the interface (netTcpHandler); segments the core builds
// leave through ipv4Output from where the core built them (the stack's staging has room for the
// Ethernet and IPv4 headers in front, TcpConfig.headroom); its timers run on the tick. The ISN
// secret (RFC 6528) comes from the kernel's generator, so tcpInit runs after randomInit.
//
// The core is not reentrant, and local delivery (iface/local.ts) hands a segment to this host's
// own address back before the send returns: a segment arriving while the stack is busy is
// copied into a small queue and taken when the outermost call leaves (tcpEnd). Every entry into
// the stack from the object layer goes through tcpBegin/tcpEnd.
//
// The object layer (objects/tcp-socket.ts, tcp-listener.ts) hangs a TcpOwner on each connection
// and listener; the host passes changes on to it. Local ports: a listener's port is its own; a
// connection's local port is chosen from its grant's range, away from every listener.

import { KernelError } from "../../../abi/errors";
import { generatorU64 } from "../../random/generator";
import { monotonicNanos } from "../../time/clock";
import { tickListen } from "../../time/tick";
import { ETHERNET_HEADER } from "../iface/link";
import { ipv4Output, netTcpHandler, netTransmitRoom } from "../iface/interface";
import { PROTOCOL_TCP, TransportChecksum, WireFrame } from "../wire/frame";
import { IcmpQuote } from "../wire/icmp-quote";
import { TCP_HEADER_MAXIMUM } from "../wire/tcp";
import { NetworkPolicy } from "./policy";
import { TcpConfig } from "./tcp/config";
import { TcpConnection } from "./tcp/connection";
import { TcpHost, TcpOwner } from "./tcp/host";
import { TcpListener } from "./tcp/listener";
import { TcpStack } from "./tcp/stack";

/** Bytes in front of each segment: the Ethernet and IPv4 headers ipv4Output writes. */
const HEADROOM: u32 = ETHERNET_HEADER + 20;
/** Segments that may wait while the stack is busy (a burst of local segments). */
const DEFERRED_SLOTS: u32 = 64;
const DEFERRED_SLOT_BYTES: u32 = TCP_HEADER_MAXIMUM + 1460;

/** The object layer's side of a connection or listener: told when it may have changed. */
export abstract class TcpUser extends TcpOwner {
  /** What the connection or listener can do may have changed. Interrupts are masked. */
  abstract changed(): void;
  /** Whether a listener takes a peer (its grant's rules); connections are never asked. */
  admits(address: u32, port: u32): bool { return false; }
  /** Whether the owner pays `bytes` more for its connection's larger receive buffer. */
  grow(bytes: u64): bool { return false; }
}

class KernelTcpHost extends TcpHost {
  now(): u64 {
    return monotonicNanos();
  }

  transmit(segment: usize, length: u32, source: u32, destination: u32): bool {
    return ipv4Output(segment - <usize>HEADROOM, PROTOCOL_TCP, source, destination, length) == KernelError.None;
  }

  transmitRoom(destination: u32): u32 {
    return netTransmitRoom(destination);
  }

  connectionChanged(connection: TcpConnection): void {
    const owner = connection.owner;
    if (owner !== null) changetype<TcpUser>(owner).changed();
  }

  receiveGrow(connection: TcpConnection, bytes: u64): bool {
    const owner = connection.owner;
    return owner !== null && changetype<TcpUser>(owner).grow(bytes);
  }

  listenerChanged(listener: TcpListener): void {
    const owner = listener.owner;
    if (owner !== null) changetype<TcpUser>(owner).changed();
  }

  admits(listener: TcpListener, address: u32, port: u32): bool {
    const owner = listener.owner;
    return owner !== null && changetype<TcpUser>(owner).admits(address, port);
  }
}

class TcpHostState {
  stack: TcpStack | null = null;
  /** Calls into the stack in progress (tcpBegin without its tcpEnd, or an input). */
  depth: u32 = 0;
  readonly deferred: usize = memory.data(<i32>(DEFERRED_SLOTS * DEFERRED_SLOT_BYTES), 16);
  readonly deferredLengths: StaticArray<u32> = new StaticArray<u32>(<i32>DEFERRED_SLOTS);
  readonly deferredSources: StaticArray<u32> = new StaticArray<u32>(<i32>DEFERRED_SLOTS);
  readonly deferredDestinations: StaticArray<u32> = new StaticArray<u32>(<i32>DEFERRED_SLOTS);
  deferredHead: u32 = 0;
  deferredCount: u32 = 0;
  /** Segments dropped because the deferred queue was full. */
  deferredDropped: u64 = 0;
  /** Local ports held by listeners, and by connections made by connect (counts). */
  readonly listenerPorts: Map<u32, bool> = new Map<u32, bool>();
  readonly connectPorts: Map<u32, u32> = new Map<u32, u32>();
}
const state = new TcpHostState();

/** Makes the stack (its ISN secret from the generator) and takes segments and ticks (once). */
export function tcpInit(): void {
  const config = new TcpConfig();
  config.headroom = HEADROOM;
  state.stack = new TcpStack(new KernelTcpHost(), config, generatorU64(), generatorU64());
  // What arriving segments call for goes at the end of the kernel entry (tcpFlush): one ACK per
  // connection for all the segments an interrupt brought.
  state.stack!.deferOutput(true);
  netTcpHandler(tcpReceive);
  tickListen(tcpTick);
}

/** Rounds of output and local delivery one tcpFlush takes at most (what is left waits for the
 * next kernel entry). */
const FLUSH_ROUNDS_MAXIMUM: i32 = 8;

/** The end of a kernel entry (kernel/main.ts, before the device is notified): the output that
 * the segments received in it called for. */
export function tcpFlush(): void {
  const stack = state.stack;
  if (stack === null || state.depth > 0 || (!stack.outputWaiting() && state.deferredCount == 0)) return;
  state.depth++;
  // What the output delivers locally (loopback) queues behind the depth: taken, and answered, in
  // turn until both are empty (bounded: a pure ACK calls for nothing more).
  for (let round = 0; round < FLUSH_ROUNDS_MAXIMUM && (stack.outputWaiting() || state.deferredCount != 0); round++) {
    stack.flushOutput();
    drain();
  }
  state.depth--;
}

/** The stack, for a call from the object layer; tcpEnd must follow. Null before tcpInit. */
export function tcpBegin(): TcpStack {
  state.depth++;
  return state.stack!;
}

/** Leaves the stack: takes the segments that arrived meanwhile (the outermost call only). */
export function tcpEnd(): void {
  if (state.depth == 0) abort("tcpEnd: no tcpBegin");
  if (state.depth == 1) drain();
  state.depth--;
}

/** Whether the stack exists (tcpInit ran: the generator was seeded). */
export function tcpReady(): bool {
  return state.stack !== null;
}

/** The interface's handler: one segment for this host's unicast address. */
function tcpReceive(frame: usize, parsed: WireFrame, transport: TransportChecksum): void {
  const stack = state.stack;
  if (stack === null) return;
  const segment = frame + <usize>parsed.payload, length = parsed.payloadLength;
  if (state.depth > 0) {
    defer(segment, length, parsed.source, parsed.destination);
    return;
  }
  state.depth++;
  stack.input(segment, length, parsed.source, parsed.destination, transport);
  drain();
  state.depth--;
}

/** An ICMP error (icmp.ts) quoting a TCP segment this host sent: a connect it answers ends
 * (TcpStack.icmpError). Dropped while the stack is busy (a nested local delivery): an error is
 * advice, and the connect's own timer still decides. */
export function tcpIcmpError(quote: IcmpQuote, type: u32, code: u32): void {
  const stack = state.stack;
  if (stack === null || state.depth > 0) return;
  state.depth++;
  stack.icmpError(quote.source, quote.sourcePort, quote.destination, quote.destinationPort, quote.sequence, type, code);
  drain();
  state.depth--;
}

/** Copies a segment that arrived while the stack was busy (its checksum is verified later). */
function defer(segment: usize, length: u32, source: u32, destination: u32): void {
  if (state.deferredCount == DEFERRED_SLOTS || length > DEFERRED_SLOT_BYTES) {
    state.deferredDropped++;
    return;
  }
  const slot = (state.deferredHead + state.deferredCount) % DEFERRED_SLOTS;
  memory.copy(state.deferred + <usize>(slot * DEFERRED_SLOT_BYTES), segment, <usize>length);
  unchecked(state.deferredLengths[slot] = length);
  unchecked(state.deferredSources[slot] = source);
  unchecked(state.deferredDestinations[slot] = destination);
  state.deferredCount++;
}

/** Takes the deferred segments, oldest first (those they cause join the queue behind them). */
function drain(): void {
  const stack = state.stack!;
  while (state.deferredCount > 0) {
    const slot = state.deferredHead;
    // The slot stays taken until its input returns: segments it causes queue behind it.
    stack.input(state.deferred + <usize>(slot * DEFERRED_SLOT_BYTES), unchecked(state.deferredLengths[slot]),
      unchecked(state.deferredSources[slot]), unchecked(state.deferredDestinations[slot]));
    state.deferredHead = (slot + 1) % DEFERRED_SLOTS;
    state.deferredCount--;
  }
}

/** The tick: the stack's timers, when one is due. */
function tcpTick(): void {
  const stack = state.stack;
  if (stack === null || state.depth > 0) return;
  const deadline = stack.nextDeadline();
  if (deadline == 0 || deadline > monotonicNanos()) return;
  state.depth++;
  stack.poll();
  drain();
  state.depth--;
}

/** Whether a listener holds `port`. */
export function tcpListenerPort(port: u32): bool {
  return state.listenerPorts.has(port);
}

export function tcpListenerPortTake(port: u32): void {
  state.listenerPorts.set(port, true);
}

export function tcpListenerPortGive(port: u32): void {
  state.listenerPorts.delete(port);
}

/** A local port for a connection in the policy's range, from a random start (RFC 6056), away
 * from listeners and from the ports other connections took; 0 when none is left. */
export function tcpConnectPort(policy: NetworkPolicy): u32 {
  const span = policy.portHigh - policy.portLow + 1;
  const start = <u32>(generatorU64() % <u64>span);
  for (let i: u32 = 0; i < span; i++) {
    const candidate = policy.portLow + (start + i) % span;
    if (!state.listenerPorts.has(candidate) && !state.connectPorts.has(candidate)) return candidate;
  }
  return 0;
}

export function tcpConnectPortTake(port: u32): void {
  state.connectPorts.set(port, state.connectPorts.has(port) ? state.connectPorts.get(port) + 1 : 1);
}

export function tcpConnectPortGive(port: u32): void {
  if (!state.connectPorts.has(port)) return;
  const count = state.connectPorts.get(port);
  if (count <= 1) state.connectPorts.delete(port);
  else state.connectPorts.set(port, count - 1);
}

/** Segments dropped because they arrived while the stack was busy and its queue was full. */
export function tcpDeferredDropped(): u64 {
  return state.deferredDropped;
}
