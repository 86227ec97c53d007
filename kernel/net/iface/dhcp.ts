// The DHCPv4 client (iface layer): the RFC 2131 §4.4 state machine that gets the interface its
// address, prefix, gateway and DNS server and keeps the lease. It touches no device: the
// interface (interface.ts) hands it every UDP payload for port 68 (dhcpReceive) and calls
// dhcpPoll from its periodic tick; it sends through the transmit hook (a UDP payload from port 68
// to port 67 of `destination`, from `source`: 0.0.0.0 until it has an address) and reports a
// lease through the configured/deconfigured hooks. Time is the monotonic clock in nanoseconds,
// transaction ids come from the random hook (the kernel's CSPRNG), both passed in, so
// tests/host/dhcp.test.ts drives it under Node.
//
//   INIT -> SELECTING (DISCOVER, broadcast) -> REQUESTING (REQUEST, broadcast) -> BOUND
//   BOUND at T1 -> RENEWING (REQUEST, unicast to the server) at T2 -> REBINDING (broadcast)
//   lease expiry, a NAK, or no answer to REQUESTING -> INIT
//
// Choices: the first acceptable offer is taken (RFC 2131 §4.4.1 allows collecting several);
// the offered address is not probed with ARP before use and DECLINE is never sent (FIXME: probe,
// RFC 2131 §2.2 says SHOULD); INIT-REBOOT is not done (no lease is remembered across boots);
// dhcpStart sends the first DISCOVER at once (§4.1's 1-10 s start delay buys nothing for one
// machine booting), while INIT after a NAK or a failed request waits 1-10 s, so a server that
// NAKs every request cannot make this client flood. Retransmission while SELECTING and
// REQUESTING follows §4.1 (4, 8, 16, 32, 64 s, each +-1 s at random; DISCOVER forever, REQUEST
// five times then INIT); while RENEWING and REBINDING it follows §4.4.5 (half the time left to
// T2 or to expiry, at least 60 s). A reply is taken only with the exchange's xid and this
// client's chaddr, and after selection only from the chosen server (REBINDING: any server).

import { logEnd, logLine } from "../../log/log";
import { LineBuffer } from "../../log/format";
import {
  DHCP_BUILD_BYTES, DHCP_CHADDR, DHCP_DNS_SERVERS, DHCP_VERDICTS, dhcpBuildDiscover, dhcpBuildRelease, dhcpBuildRequest, DhcpMessage,
  DhcpMessageType, dhcpParse, DhcpRequestKind, DhcpVerdict, PRESENT_LEASE_TIME, PRESENT_REBINDING_TIME, PRESENT_RENEWAL_TIME,
  PRESENT_ROUTER, PRESENT_SERVER_ID, PRESENT_SUBNET_MASK,
} from "../wire/dhcp";

const SECOND: u64 = 1_000_000_000;
export const DHCP_BROADCAST: u32 = 0xffff_ffff;
/** A lease time of all ones: the lease never ends (RFC 2132 §9.2). */
const INFINITE: u32 = 0xffff_ffff;
const NEVER: u64 = 0xffff_ffff_ffff_ffff;
/** Transmissions of a REQUEST while REQUESTING before going back to INIT. */
const REQUEST_TRANSMISSIONS: u32 = 5;
/** RFC 2131 §4.4.5: the shortest wait between REQUESTs while RENEWING or REBINDING. */
const RENEW_RETRY_MINIMUM: u64 = 60 * SECOND;

/** The client's state (RFC 2131 figure 5). */
export enum DhcpPhase {
  /** Not started, or stopped. */
  Stopped = 0,
  /** Waiting to start (after a NAK or a failed request). */
  Init = 1,
  Selecting = 2,
  Requesting = 3,
  Bound = 4,
  Renewing = 5,
  Rebinding = 6,
}

/** What a received message did, or why it was dropped. Add at the end. */
export enum DhcpOutcome {
  /** An offer taken: the REQUEST is sent. */
  Offered = 0,
  /** An ACK: the lease is bound (or extended); configured() was called. */
  Acknowledged = 1,
  /** A NAK: back to INIT (deconfigured() first if a lease was held). */
  Refused = 2,
  // Drop reasons:
  /** The wire layer refused it: dhcpMalformedCounter says why. */
  Malformed = 3,
  /** Nothing is outstanding (stopped, INIT, BOUND). */
  NotWaiting = 4,
  /** Not the xid of the exchange in progress. */
  WrongTransaction = 5,
  /** chaddr is not this client's MAC. */
  WrongHardwareAddress = 6,
  /** After selection: from another server than the chosen one. */
  WrongServer = 7,
  /** A message type this state does not take (an ACK while selecting, a server-bound type). */
  Unexpected = 8,
  /** No server identifier (RFC 2131 table 3: an OFFER, ACK and NAK MUST carry one). */
  NoServerIdentifier = 9,
  /** An OFFER or ACK without a lease time, or with a lease of 0 s. */
  BadLeaseTime = 10,
  /** yiaddr is 0, loopback, multicast or reserved, the subnet's network or broadcast address,
   * or not the address offered (REQUESTING) or held (RENEWING, REBINDING). */
  UnusableAddress = 11,
  /** The subnet mask gives a prefix outside /1../30 (the interface takes no other). */
  UnusablePrefix = 12,
}
export const DHCP_OUTCOMES: i32 = <i32>DhcpOutcome.UnusablePrefix + 1;

/** How the client reaches the rest of the kernel; top-level functions of the caller. */
export class DhcpHooks {
  constructor(
    /** A random 64-bit value (the kernel's generator: xids and jitter). */
    readonly random: () => u64,
    /** Sends `length` bytes at `payload` as a UDP datagram from `source`:68 to `destination`:67.
     * `destination` is DHCP_BROADCAST (to the Ethernet broadcast address) or the server's unicast
     * address (RENEWING, RELEASE); `source` is 0 until configured. The bytes are valid only for
     * the call. */
    readonly transmit: (payload: usize, length: u32, source: u32, destination: u32) => void,
    /** A lease is bound or renewed: the interface takes `address`/`prefix`, `gateway` (0: none
     * on the subnet) and `dnsServer` (0: none; dhcpDnsServer gives the others). Called again on
     * every renewal, with possibly changed values. */
    readonly configured: (address: u32, prefix: u32, gateway: u32, dnsServer: u32, leaseSeconds: u32) => void,
    /** The lease is gone (expired, NAKed, released): the interface drops the address. */
    readonly deconfigured: () => void,
  ) {}
}

class DhcpClientState {
  phase: DhcpPhase = DhcpPhase.Stopped;
  hooks: DhcpHooks | null = null;
  readonly mac: StaticArray<u8> = new StaticArray<u8>(6);
  /** The transaction in progress. */
  xid: u32 = 0;
  /** When address acquisition or renewal began (secs, RFC 2131 table 5). */
  exchangeStarted: u64 = 0;
  /** When the current REQUEST was first sent: the lease counts from there (§4.4.1). */
  requestSent: u64 = 0;
  /** Transmissions of the current message. */
  transmissions: u32 = 0;
  /** When dhcpPoll has something to do (a retransmission, T1, T2, expiry, leaving INIT). */
  deadline: u64 = NEVER;
  /** The address offered, then leased, and the server chosen. */
  address: u32 = 0;
  server: u32 = 0;
  configured: bool = false;
  prefix: u32 = 0;
  gateway: u32 = 0;
  readonly dnsServers: StaticArray<u32> = new StaticArray<u32>(DHCP_DNS_SERVERS);
  dnsCount: i32 = 0;
  leaseSeconds: u32 = 0;
  renewAt: u64 = NEVER;
  rebindAt: u64 = NEVER;
  expiresAt: u64 = NEVER;
  readonly message: DhcpMessage = new DhcpMessage();
  readonly out: StaticArray<u8> = new StaticArray<u8>(<i32>DHCP_BUILD_BYTES);
  readonly outcomes: StaticArray<u64> = new StaticArray<u64>(DHCP_OUTCOMES);
  readonly malformed: StaticArray<u64> = new StaticArray<u64>(DHCP_VERDICTS);
}
const state = new DhcpClientState();

/** Starts (or restarts) address acquisition for the interface whose MAC is the 6 bytes at
 * `mac`: the first DISCOVER is sent now. A lease held is dropped first (deconfigured()). */
export function dhcpStart(mac: usize, now: u64, hooks: DhcpHooks): void {
  if (state.configured) deconfigure();
  memory.copy(changetype<usize>(state.mac), mac, 6);
  state.hooks = hooks;
  beginSelecting(now);
}

/** Gives up the lease (a RELEASE to the server, RFC 2131 §4.4.6) and stops. */
export function dhcpStop(now: u64): void {
  if (state.configured) {
    state.xid = <u32>random();
    const length = dhcpBuildRelease(out(), state.xid, changetype<usize>(state.mac), state.address, state.server);
    transmit(length, state.address, state.server);
    deconfigure();
  }
  state.phase = DhcpPhase.Stopped;
  state.deadline = NEVER;
}

/** Takes one UDP payload the interface received for port 68 (`length` bytes at `payload`, any
 * source). Every call is counted under its outcome (dhcpCounter). */
export function dhcpReceive(payload: usize, length: u32, now: u64): DhcpOutcome {
  const outcome = receive(payload, length, now);
  state.outcomes[<i32>outcome]++;
  return outcome;
}

/** Runs the timers: retransmissions, T1, T2, lease expiry. Call it at least every second (or at
 * dhcpDeadline()); calling it more often does nothing. */
export function dhcpPoll(now: u64): void {
  const phase = state.phase;
  if (phase == DhcpPhase.Stopped) return;
  if ((phase == DhcpPhase.Bound || phase == DhcpPhase.Renewing || phase == DhcpPhase.Rebinding) && now >= state.expiresAt) {
    report("lease on ", state.address, " expired");
    deconfigure();
    beginSelecting(now);
    return;
  }
  if (now < state.deadline) return;
  if (phase == DhcpPhase.Init) beginSelecting(now);
  else if (phase == DhcpPhase.Selecting) sendDiscover(now);
  else if (phase == DhcpPhase.Requesting) {
    if (state.transmissions >= REQUEST_TRANSMISSIONS) {
      report("no answer to the request for ", state.address, "; starting again");
      waitInInit(now);
    } else sendRequest(DhcpRequestKind.Selecting, now);
  } else if (phase == DhcpPhase.Bound || phase == DhcpPhase.Renewing) {
    if (now >= state.rebindAt) beginExtension(DhcpPhase.Rebinding, now);
    else if (phase == DhcpPhase.Bound) beginExtension(DhcpPhase.Renewing, now);
    else sendExtension(now);
  } else sendExtension(now);   // Rebinding
}

function receive(payload: usize, length: u32, now: u64): DhcpOutcome {
  const message = state.message;
  const verdict = dhcpParse(payload, length, message);
  if (verdict != DhcpVerdict.Valid) {
    state.malformed[<i32>verdict]++;
    return DhcpOutcome.Malformed;
  }
  const phase = state.phase;
  if (phase != DhcpPhase.Selecting && phase != DhcpPhase.Requesting && phase != DhcpPhase.Renewing && phase != DhcpPhase.Rebinding) {
    return DhcpOutcome.NotWaiting;
  }
  if (message.xid != state.xid) return DhcpOutcome.WrongTransaction;
  for (let i = 0; i < 6; i++) {
    if (load<u8>(payload + DHCP_CHADDR + <usize>i) != unchecked(state.mac[i])) return DhcpOutcome.WrongHardwareAddress;
  }
  const type = message.messageType;
  if (type == DhcpMessageType.Offer) return phase == DhcpPhase.Selecting ? offer(message, now) : DhcpOutcome.Unexpected;
  if (type != DhcpMessageType.Ack && type != DhcpMessageType.Nak || phase == DhcpPhase.Selecting) return DhcpOutcome.Unexpected;
  if ((message.present & PRESENT_SERVER_ID) == 0) return DhcpOutcome.NoServerIdentifier;
  if (phase != DhcpPhase.Rebinding && message.serverId != state.server) return DhcpOutcome.WrongServer;
  if (type == DhcpMessageType.Nak) {
    report("refused (NAK) by ", message.serverId, "");
    if (state.configured) deconfigure();
    waitInInit(now);
    return DhcpOutcome.Refused;
  }
  const checked = checkLease(message);
  if (checked != DhcpOutcome.Acknowledged) return checked;
  if (message.yiaddr != state.address) return DhcpOutcome.UnusableAddress;
  bind(message, now);
  return DhcpOutcome.Acknowledged;
}

/** An OFFER while SELECTING: checked like a lease, then REQUESTed (same xid, §4.4.1). */
function offer(message: DhcpMessage, now: u64): DhcpOutcome {
  if ((message.present & PRESENT_SERVER_ID) == 0) return DhcpOutcome.NoServerIdentifier;
  const checked = checkLease(message);
  if (checked != DhcpOutcome.Acknowledged) return checked;
  state.address = message.yiaddr;
  state.server = message.serverId;
  state.phase = DhcpPhase.Requesting;
  state.transmissions = 0;
  const line = logLine().text("dhcp: offered ");
  address(line, message.yiaddr).text(" by ");
  address(line, message.serverId);
  logEnd();
  sendRequest(DhcpRequestKind.Selecting, now);
  return DhcpOutcome.Offered;
}

/** The checks an OFFER and an ACK share: a lease time, a usable address and prefix.
 * Acknowledged when they pass. */
function checkLease(message: DhcpMessage): DhcpOutcome {
  if ((message.present & PRESENT_LEASE_TIME) == 0 || message.leaseSeconds == 0) return DhcpOutcome.BadLeaseTime;
  const prefix = prefixOf(message);
  if (prefix < 1 || prefix > 30) return DhcpOutcome.UnusablePrefix;
  if (!usable(message.yiaddr, prefix)) return DhcpOutcome.UnusableAddress;
  return DhcpOutcome.Acknowledged;
}

/** The prefix length of the subnet mask, or the address's class's when there is none (RFC 1122
 * 3.3.1.1's old default: 8, 16 or 24). */
function prefixOf(message: DhcpMessage): u32 {
  if (message.present & PRESENT_SUBNET_MASK) return <u32>popcnt(message.subnetMask);
  const first = message.yiaddr >>> 24;
  return first < 128 ? 8 : first < 192 ? 16 : 24;
}

/** An address a host may take on a subnet of `prefix`: not in 0/8, 127/8 or 224/3, and neither
 * the subnet's network nor its broadcast address. */
function usable(address: u32, prefix: u32): bool {
  const first = address >>> 24;
  if (first == 0 || first == 127 || first >= 224) return false;
  const host = address & (0xffff_ffff >>> prefix);
  return host != 0 && host != (0xffff_ffff >>> prefix);
}

/** An ACK that passed: record the lease and its times (from when the REQUEST was first sent),
 * move to BOUND, tell the interface. T1 and T2 default to 1/2 and 7/8 of the lease (RFC 2131
 * §4.4.5); values that are not T1 <= T2 <= lease are replaced by the defaults. */
function bind(message: DhcpMessage, now: u64): void {
  const renewing = state.configured;
  const lease = message.leaseSeconds;
  state.leaseSeconds = lease;
  state.prefix = prefixOf(message);
  const mask = ~(0xffff_ffff >>> state.prefix);
  // A router outside the subnet cannot be reached directly: none rather than an unusable one.
  state.gateway = (message.present & PRESENT_ROUTER) != 0 && (message.router & mask) == (state.address & mask) ? message.router : 0;
  state.dnsCount = message.dnsCount;
  for (let i = 0; i < DHCP_DNS_SERVERS; i++) unchecked(state.dnsServers[i] = i < message.dnsCount ? message.dnsServers[i] : 0);
  if (state.phase == DhcpPhase.Rebinding) state.server = message.serverId;
  if (lease == INFINITE) {
    state.renewAt = NEVER; state.rebindAt = NEVER; state.expiresAt = NEVER;
  } else {
    let t1 = (message.present & PRESENT_RENEWAL_TIME) != 0 ? message.renewalSeconds : lease / 2;
    let t2 = (message.present & PRESENT_REBINDING_TIME) != 0 ? message.rebindingSeconds : <u32>(<u64>lease * 7 / 8);
    if (!(t1 <= t2 && t2 <= lease)) { t1 = lease / 2; t2 = <u32>(<u64>lease * 7 / 8); }
    const base = state.requestSent;
    state.renewAt = later(base, t1);
    state.rebindAt = later(base, t2);
    state.expiresAt = later(base, lease);
  }
  state.phase = DhcpPhase.Bound;
  state.deadline = state.renewAt;
  state.configured = true;
  const line = logLine().text("dhcp: ").text(renewing ? "renewed " : "bound to ");
  address(line, state.address).text("/").decimal(state.prefix).text(", gateway ");
  address(line, state.gateway).text(", dns ");
  address(line, state.dnsServers[0]).text(", lease ").decimal(lease).text(" s from ");
  address(line, state.server);
  logEnd();
  const configured = state.hooks!.configured;
  configured(state.address, state.prefix, state.gateway, state.dnsServers[0], lease);
}

function later(base: u64, seconds: u32): u64 {
  const delta = <u64>seconds * SECOND;
  return base > NEVER - delta ? NEVER : base + delta;
}

/** INIT -> SELECTING: a new xid, the first DISCOVER. */
function beginSelecting(now: u64): void {
  state.phase = DhcpPhase.Selecting;
  state.xid = <u32>random();
  state.exchangeStarted = now;
  state.transmissions = 0;
  state.address = 0;
  state.server = 0;
  sendDiscover(now);
}

/** To INIT, leaving it after 1-10 s (RFC 2131 §4.1). */
function waitInInit(now: u64): void {
  state.phase = DhcpPhase.Init;
  state.deadline = now + SECOND + random() % (9 * SECOND);
}

function sendDiscover(now: u64): void {
  const length = dhcpBuildDiscover(out(), state.xid, secondsSince(state.exchangeStarted, now), changetype<usize>(state.mac));
  transmit(length, 0, DHCP_BROADCAST);
  state.deadline = now + backoff(state.transmissions);
  state.transmissions++;
}

function sendRequest(kind: DhcpRequestKind, now: u64): void {
  if (state.transmissions == 0) state.requestSent = now;
  const length = dhcpBuildRequest(out(), kind, state.xid, secondsSince(state.exchangeStarted, now), changetype<usize>(state.mac),
    state.address, state.server);
  const renewing = kind == DhcpRequestKind.Renewing;
  transmit(length, kind == DhcpRequestKind.Selecting ? 0 : state.address, renewing ? state.server : DHCP_BROADCAST);
  state.deadline = now + backoff(state.transmissions);
  state.transmissions++;
}

/** BOUND -> RENEWING at T1, or -> REBINDING at T2: a new xid, the first REQUEST. */
function beginExtension(phase: DhcpPhase, now: u64): void {
  report(phase == DhcpPhase.Renewing ? "renewing the lease on " : "rebinding the lease on ", state.address, "");
  state.phase = phase;
  state.xid = <u32>random();
  state.exchangeStarted = now;
  state.transmissions = 0;
  sendExtension(now);
}

/** A REQUEST while RENEWING (unicast) or REBINDING (broadcast); the next one after half the time
 * left to T2 or to expiry, at least 60 s, never past that point (§4.4.5). */
function sendExtension(now: u64): void {
  const renewing = state.phase == DhcpPhase.Renewing;
  sendRequest(renewing ? DhcpRequestKind.Renewing : DhcpRequestKind.Rebinding, now);
  const until = renewing ? state.rebindAt : state.expiresAt;
  const wait = max((until - now) / 2, RENEW_RETRY_MINIMUM);
  state.deadline = until - now > wait ? now + wait : until;
}

/** §4.1: 4 s before the second transmission, doubling to 64 s, each +-1 s at random. */
function backoff(transmissions: u32): u64 {
  const seconds = <u64>min(<u32>4 << min(transmissions, 4), 64);
  return seconds * SECOND - SECOND + random() % (2 * SECOND + 1);
}

function deconfigure(): void {
  state.configured = false;
  state.renewAt = NEVER; state.rebindAt = NEVER; state.expiresAt = NEVER;
  const deconfigured = state.hooks!.deconfigured;
  deconfigured();
}

function secondsSince(start: u64, now: u64): u32 {
  return now > start ? <u32>min((now - start) / SECOND, 0xffff) : 0;
}

function out(): usize { return changetype<usize>(state.out); }

function transmit(length: u32, source: u32, destination: u32): void {
  const send = state.hooks!.transmit;
  send(out(), length, source, destination);
}

function random(): u64 {
  const next = state.hooks!.random;
  return next();
}

function report(before: string, value: u32, after: string): void {
  address(logLine().text("dhcp: ").text(before), value).text(after);
  logEnd();
}

function address(line: LineBuffer, value: u32): LineBuffer {
  return line.decimal(value >>> 24).text(".").decimal((value >>> 16) & 0xff).text(".").decimal((value >>> 8) & 0xff).text(".")
    .decimal(value & 0xff);
}

/** The state (for the log and the tests). */
export function dhcpPhase(): DhcpPhase { return state.phase; }
/** When dhcpPoll next has something to do (u64 max: nothing). */
export function dhcpDeadline(): u64 { return state.phase == DhcpPhase.Stopped ? NEVER : min(state.deadline, state.expiresAt); }
/** The transaction in progress. */
export function dhcpXid(): u32 { return state.xid; }
/** The address offered or leased, the server chosen. */
export function dhcpAddress(): u32 { return state.address; }
export function dhcpServer(): u32 { return state.server; }
/** The lease's DNS servers (up to 3); 0 past dhcpDnsCount(). */
export function dhcpDnsCount(): i32 { return state.dnsCount; }
export function dhcpDnsServer(index: i32): u32 { return index >= 0 && index < DHCP_DNS_SERVERS ? state.dnsServers[index] : 0; }
/** The lease's T1, T2 and end on the monotonic clock. */
export function dhcpRenewAt(): u64 { return state.renewAt; }
export function dhcpRebindAt(): u64 { return state.rebindAt; }
export function dhcpExpiresAt(): u64 { return state.expiresAt; }
/** Messages received with each outcome since boot. */
export function dhcpCounter(outcome: DhcpOutcome): u64 { return state.outcomes[<i32>outcome]; }
/** Malformed messages by wire verdict since boot. */
export function dhcpMalformedCounter(verdict: DhcpVerdict): u64 { return state.malformed[<i32>verdict]; }
