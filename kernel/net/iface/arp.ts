// The ARP cache (RFC 826, with the timeouts of RFC 1122 2.3.2.1): a fixed pool of ARP_NEIGHBOURS
// entries (memory that belongs to no process), each Incomplete while its address is being
// resolved or Reachable with a MAC. A Reachable entry is trusted for ARP_REACHABLE_NANOS after
// the neighbour last spoke ARP to us; used after that, it still carries the frame and is probed
// (a request a second, ARP_REQUESTS of them) and forgotten if the neighbour stays silent. An
// Incomplete entry asks ARP_REQUESTS times a second apart, then fails, dropping what waited.
// While a neighbour resolves, up to ARP_PENDING_PER_NEIGHBOUR frames wait for it, in a shared
// pool of ARP_PENDING_FRAMES (the oldest of that neighbour goes when it is full; Linux's
// unres_qlen does the same). When the pool of entries is full, the least recently used goes.
// Frames longer than the MTU are fragmented on their way out (fragments.ts).

import { KernelError } from "../../../abi/errors";
import { Timer, timerStart, timerStop } from "../../time/timers";
import { monotonicNanos } from "../../time/clock";
import { WireFrame } from "../wire/frame";
import { fragmentSend } from "./fragments";
import { BROADCAST, ETHERNET_HEADER, linkAddress, linkMac, linkTransmit, MTU } from "./link";

export const ARP_NEIGHBOURS: i32 = 64;
export const ARP_PENDING_FRAMES: i32 = 8;
export const ARP_PENDING_PER_NEIGHBOUR: i32 = 3;
/** The largest frame that may wait: Ethernet, IPv4 and UDP headers and the largest payload. */
export const ARP_PENDING_FRAME_BYTES: u32 = 14 + 20 + 8 + 8192;
const ARP_REACHABLE_NANOS: u64 = 60_000_000_000;
const ARP_RETRY_NANOS: u64 = 1_000_000_000;
const ARP_REQUESTS: u32 = 3;

enum NeighbourState { Free = 0, Incomplete = 1, Reachable = 2 }

class Neighbour extends Timer {
  status: NeighbourState = NeighbourState.Free;
  address: u32 = 0;
  /** The MAC in the low 48 bits, first byte highest. */
  mac: u64 = 0;
  /** When the neighbour last spoke ARP to us (Reachable), or when resolving began. */
  confirmed: u64 = 0;
  /** When the entry was last used to send (for choosing the one to reuse). */
  used: u64 = 0;
  /** Requests sent in the current round (resolving or probing); 0: not asking. */
  requests: u32 = 0;

  /** A second passed with no reply: ask again, or give up. */
  expire(): void {
    if (this.requests >= ARP_REQUESTS) {
      if (this.status == NeighbourState.Incomplete) state.unresolved++;
      forget(this);
      return;
    }
    request(this.address);
    this.requests++;
    timerStart(this, monotonicNanos() + ARP_RETRY_NANOS);
  }
}

class ArpState {
  ready: bool = false;
  neighbours: Neighbour[] = [];
  /** Waiting frames: bytes, length (0: free), owner (its address), and order of arrival. */
  pending: StaticArray<u8>[] = [];
  pendingLength: StaticArray<u32> = new StaticArray<u32>(ARP_PENDING_FRAMES);
  pendingOwner: StaticArray<u32> = new StaticArray<u32>(ARP_PENDING_FRAMES);
  pendingOrder: StaticArray<u64> = new StaticArray<u64>(ARP_PENDING_FRAMES);
  order: u64 = 0;
  /** Where fragments are cut and requests and replies built. */
  readonly scratch: usize = memory.data(<i32>(ETHERNET_HEADER + MTU), 16);
  readonly message: usize = memory.data(64, 16);
  unresolved: u64 = 0;
  pendingDropped: u64 = 0;
}
const state = new ArpState();

/** Makes the fixed pools (once, when the interface first comes up). */
export function arpInit(): void {
  if (state.ready) return;
  state.ready = true;
  for (let i = 0; i < ARP_NEIGHBOURS; i++) state.neighbours.push(new Neighbour());
  for (let i = 0; i < ARP_PENDING_FRAMES; i++) state.pending.push(new StaticArray<u8>(<i32>ARP_PENDING_FRAME_BYTES));
}

/** A received ARP packet the wire layer accepted: an entry we have is updated (and what waited
 * for it sent); one is made when the packet is for us; a request for us is answered. */
export function arpReceive(frame: usize, parsed: WireFrame): void {
  if (!state.ready) return;
  const sender = parsed.arpSenderIp;
  const senderMac = frame + ETHERNET_HEADER + 8;
  const forUs = parsed.arpTargetIp == linkAddress() && linkAddress() != 0;
  if (sender != 0) {
    let neighbour = find(sender);
    if (neighbour === null && forUs) neighbour = claim(sender);
    if (neighbour !== null) confirm(neighbour, readMac(senderMac));
  }
  if (!forUs || parsed.arpOperation != 1) return;
  const out = state.message;
  copyMac(out, senderMac);
  copyMac(out + 6, linkMac());
  packet(out, 2, senderMac, sender);
  linkTransmit(out, ETHERNET_HEADER + 28);
}

/** Sends the Ethernet frame at `frame` (`length` bytes; its EtherType and payload written, its
 * addresses not yet) to the neighbour `nextHop` (BROADCAST for a broadcast): at once when its MAC
 * is known, else held while ARP asks. None, or QueueFull when the device's ring was full. */
export function arpOutput(frame: usize, length: u32, nextHop: u32): KernelError {
  copyMac(frame + 6, linkMac());
  if (nextHop == BROADCAST) {
    for (let i = 0; i < 6; i++) store<u8>(frame + <usize>i, 0xff);
    return send(frame, length);
  }
  const now = monotonicNanos();
  let neighbour = find(nextHop);
  if (neighbour === null) {
    neighbour = claim(nextHop);
    neighbour.status = NeighbourState.Incomplete;
    neighbour.confirmed = now;
    neighbour.requests = 1;
    request(nextHop);
    timerStart(neighbour, now + ARP_RETRY_NANOS);
  }
  neighbour.used = now;
  if (neighbour.status == NeighbourState.Incomplete) {
    hold(frame, length, nextHop);
    return KernelError.None;
  }
  if (now - neighbour.confirmed > ARP_REACHABLE_NANOS && neighbour.requests == 0) {   // stale: probe, keep sending
    neighbour.requests = 1;
    request(nextHop);
    timerStart(neighbour, now + ARP_RETRY_NANOS);
  }
  storeMac(frame, neighbour.mac);
  return send(frame, length);
}

function send(frame: usize, length: u32): KernelError {
  if (length <= ETHERNET_HEADER + MTU) return linkTransmit(frame, length) ? KernelError.None : KernelError.QueueFull;
  return fragmentSend(frame, length, MTU, state.scratch, linkTransmit) ? KernelError.None : KernelError.QueueFull;
}

/** The neighbour spoke ARP: its MAC, Reachable from now; what waited for it goes out, oldest
 * first. */
function confirm(neighbour: Neighbour, mac: u64): void {
  neighbour.mac = mac;
  neighbour.status = NeighbourState.Reachable;
  neighbour.confirmed = monotonicNanos();
  neighbour.requests = 0;
  if (neighbour.pending) timerStop(neighbour);
  for (;;) {
    const slot = oldestOf(neighbour.address);
    if (slot < 0) break;
    const bytes = changetype<usize>(state.pending[slot]);
    storeMac(bytes, mac);
    send(bytes, unchecked(state.pendingLength[slot]));
    unchecked(state.pendingLength[slot] = 0);
  }
}

/** Keeps a copy of the frame for `owner`; the owner's oldest goes when it has its share, any
 * neighbour's oldest when the pool is full. */
function hold(frame: usize, length: u32, owner: u32): void {
  if (length > ARP_PENDING_FRAME_BYTES) return;
  let mine = 0, free = -1;
  for (let i = 0; i < ARP_PENDING_FRAMES; i++) {
    if (unchecked(state.pendingLength[i]) == 0) { if (free < 0) free = i; }
    else if (unchecked(state.pendingOwner[i]) == owner) mine++;
  }
  if (mine >= ARP_PENDING_PER_NEIGHBOUR) free = dropOldest(owner);
  else if (free < 0) free = dropOldest(0);
  memory.copy(changetype<usize>(state.pending[free]), frame, <usize>length);
  unchecked(state.pendingLength[free] = length);
  unchecked(state.pendingOwner[free] = owner);
  unchecked(state.pendingOrder[free] = state.order++);
}

/** The slot of `owner`'s oldest waiting frame (any owner's for 0), or -1. */
function oldestOf(owner: u32): i32 {
  let best = -1;
  for (let i = 0; i < ARP_PENDING_FRAMES; i++) {
    if (unchecked(state.pendingLength[i]) == 0) continue;
    if (owner != 0 && unchecked(state.pendingOwner[i]) != owner) continue;
    if (best < 0 || unchecked(state.pendingOrder[i]) < unchecked(state.pendingOrder[best])) best = i;
  }
  return best;
}

function dropOldest(owner: u32): i32 {
  const slot = oldestOf(owner);
  unchecked(state.pendingLength[slot] = 0);
  state.pendingDropped++;
  return slot;
}

function find(address: u32): Neighbour | null {
  const neighbours = state.neighbours;
  for (let i = 0; i < neighbours.length; i++) {
    const neighbour = unchecked(neighbours[i]);
    if (neighbour.status != NeighbourState.Free && neighbour.address == address) return neighbour;
  }
  return null;
}

/** A free entry for `address`, or the least recently used one, emptied. */
function claim(address: u32): Neighbour {
  const neighbours = state.neighbours;
  let chosen = unchecked(neighbours[0]);
  for (let i = 0; i < neighbours.length; i++) {
    const neighbour = unchecked(neighbours[i]);
    if (neighbour.status == NeighbourState.Free) { chosen = neighbour; break; }
    if (neighbour.used < chosen.used) chosen = neighbour;
  }
  if (chosen.status != NeighbourState.Free) forget(chosen);
  chosen.status = NeighbourState.Reachable;   // the caller sets Incomplete when it is resolving
  chosen.address = address;
  chosen.mac = 0;
  chosen.requests = 0;
  chosen.used = monotonicNanos();
  return chosen;
}

/** Frees the entry and drops the frames waiting for it. */
function forget(neighbour: Neighbour): void {
  if (neighbour.pending) timerStop(neighbour);
  for (let i = 0; i < ARP_PENDING_FRAMES; i++) {
    if (unchecked(state.pendingLength[i]) != 0 && unchecked(state.pendingOwner[i]) == neighbour.address) {
      unchecked(state.pendingLength[i] = 0);
      state.pendingDropped++;
    }
  }
  neighbour.status = NeighbourState.Free;
  neighbour.requests = 0;
}

/** Broadcasts "who has `target`?". */
function request(target: u32): void {
  if (linkAddress() == 0) return;
  const out = state.message;
  for (let i = 0; i < 6; i++) store<u8>(out + <usize>i, 0xff);
  copyMac(out + 6, linkMac());
  memory.fill(out + 14 + 18, 0, 6);
  packet(out, 1, out + 14 + 18, target);
}

/** Writes the ARP packet after the frame's addresses and sends it (operation 1 or 2). */
function packet(out: usize, operation: u32, targetMac: usize, target: u32): void {
  store<u8>(out + 12, 0x08); store<u8>(out + 13, 0x06);
  const arp = out + ETHERNET_HEADER;
  store<u8>(arp, 0); store<u8>(arp + 1, 1);        // Ethernet
  store<u8>(arp + 2, 0x08); store<u8>(arp + 3, 0); // IPv4
  store<u8>(arp + 4, 6); store<u8>(arp + 5, 4);
  store<u8>(arp + 6, 0); store<u8>(arp + 7, <u8>operation);
  copyMac(arp + 8, linkMac());
  storeAddress(arp + 14, linkAddress());
  if (targetMac != arp + 18) copyMac(arp + 18, targetMac);
  storeAddress(arp + 24, target);
  if (operation == 1) linkTransmit(out, ETHERNET_HEADER + 28);
}

function readMac(at: usize): u64 {
  let mac: u64 = 0;
  for (let i = 0; i < 6; i++) mac = (mac << 8) | <u64>load<u8>(at + <usize>i);
  return mac;
}
function storeMac(to: usize, mac: u64): void {
  for (let i = 0; i < 6; i++) store<u8>(to + <usize>i, <u8>(mac >> (40 - 8 * <u64>i)));
}
export function copyMac(to: usize, from: usize): void {
  for (let i = 0; i < 6; i++) store<u8>(to + <usize>i, load<u8>(from + <usize>i));
}
export function storeAddress(to: usize, address: u32): void {
  store<u8>(to, <u8>(address >>> 24)); store<u8>(to + 1, <u8>(address >>> 16));
  store<u8>(to + 2, <u8>(address >>> 8)); store<u8>(to + 3, <u8>address);
}

/** Neighbours that never answered, and frames dropped while waiting for one. */
export function arpUnresolved(): u64 { return state.unresolved; }
export function arpPendingDropped(): u64 { return state.pendingDropped; }
