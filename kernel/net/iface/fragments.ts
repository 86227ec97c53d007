// IPv4 fragment reassembly (RFC 791 3.2, RFC 815) in a fixed pool, and fragmentation on send.
// Reassembly keeps at most REASSEMBLY_SLOTS datagrams at once, each of at most DATAGRAM_MAXIMUM
// bytes, for at most REASSEMBLY_NANOS after its first fragment (RFC 1122 3.3.2: 60 s is the
// longest; a short wait keeps the pool free under a flood); a full pool drops the oldest. Blocks
// of 8 bytes are tracked in a bitmap; a fragment that overlaps bytes already received drops the
// whole datagram (overlaps are how fragment attacks work; RFC 5722 says the same for IPv6). Each
// outcome is counted. Memory that belongs to no process: the pool is made once at init.

import { checksumStore } from "../wire/checksum";

export const REASSEMBLY_SLOTS: i32 = 4;
export const DATAGRAM_MAXIMUM: u32 = 16384;
const REASSEMBLY_NANOS: u64 = 10_000_000_000;
const ETHERNET_HEADER: u32 = 14;
const IPV4_HEADER: u32 = 20;
const BLOCKS: u32 = DATAGRAM_MAXIMUM / 8;

export enum FragmentOutcome {
  /** Kept; the datagram is not complete yet. */
  Kept = 0,
  /** The datagram is complete: reassembled() holds it as a frame. */
  Complete = 1,
  /** Dropped: it overlaps bytes received, or passes DATAGRAM_MAXIMUM, or disagrees on the end. */
  Dropped = 2,
}

class Slot {
  used: bool = false;
  source: u32 = 0;
  destination: u32 = 0;
  protocol: u32 = 0;
  identification: u32 = 0;
  started: u64 = 0;
  /** The datagram's payload length once its last fragment came (0 until then). */
  total: u32 = 0;
  /** The first fragment's Ethernet and IPv4 header (options dropped), for the rebuilt frame. */
  readonly header: StaticArray<u8> = new StaticArray<u8>(<i32>(ETHERNET_HEADER + IPV4_HEADER));
  readonly payload: StaticArray<u8> = new StaticArray<u8>(<i32>DATAGRAM_MAXIMUM);
  readonly blocks: StaticArray<u8> = new StaticArray<u8>(<i32>(BLOCKS / 8));
}

class FragmentsState {
  /** The pool, made by fragmentsInit when an interface comes up (about 90 KiB). */
  slots: StaticArray<Slot> = new StaticArray<Slot>(0);
  /** The last complete datagram, as an Ethernet frame. */
  frame: StaticArray<u8> = new StaticArray<u8>(0);
  frameLength: u32 = 0;
  completed: u64 = 0;
  dropped: u64 = 0;
  expired: u64 = 0;
}
const state = new FragmentsState();

/** Makes the pool (once). */
export function fragmentsInit(): void {
  if (state.slots.length != 0) return;
  const slots = new StaticArray<Slot>(REASSEMBLY_SLOTS);
  for (let i = 0; i < REASSEMBLY_SLOTS; i++) slots[i] = new Slot();
  state.slots = slots;
  state.frame = new StaticArray<u8>(<i32>(ETHERNET_HEADER + IPV4_HEADER + DATAGRAM_MAXIMUM));
}

/** Takes one fragment: the frame at `frame` whose IPv4 header is `headerLength` bytes, carrying
 * `length` payload bytes at `offset` of the datagram (more to follow when `more`). `now` is the
 * monotonic clock. */
export function fragmentReceive(frame: usize, headerLength: u32, source: u32, destination: u32, protocol: u32, identification: u32,
  offset: u32, length: u32, more: bool, now: u64): FragmentOutcome {
  expire(now);
  let slot: Slot | null = null, oldest: Slot | null = null;
  for (let i = 0; i < REASSEMBLY_SLOTS; i++) {
    const candidate = state.slots[i];
    if (candidate.used && candidate.source == source && candidate.destination == destination && candidate.protocol == protocol
      && candidate.identification == identification) { slot = candidate; break; }
  }
  if (slot === null) {
    for (let i = 0; i < REASSEMBLY_SLOTS && slot === null; i++) if (!state.slots[i].used) slot = state.slots[i];
    if (slot === null) {
      for (let i = 0; i < REASSEMBLY_SLOTS; i++) if (oldest === null || state.slots[i].started < oldest.started) oldest = state.slots[i];
      slot = oldest;
      state.dropped++;
    }
    start(slot!, source, destination, protocol, identification, now);
  }
  const s = slot!;
  const end = offset + length;
  // Every fragment but the last carries a multiple of 8 bytes (RFC 791).
  if (end > DATAGRAM_MAXIMUM || (more && (length & 7) != 0) || (s.total != 0 && (end > s.total || !more && end != s.total))) return drop(s);
  for (let block = offset >> 3; block < (end + 7) >> 3; block++) {
    if ((s.blocks[<i32>(block >> 3)] & <u8>(<u32>1 << (block & 7))) != 0) return drop(s);
  }
  for (let block = offset >> 3; block < (end + 7) >> 3; block++) s.blocks[<i32>(block >> 3)] |= <u8>(<u32>1 << (block & 7));
  memory.copy(changetype<usize>(s.payload) + <usize>offset, frame + <usize>(ETHERNET_HEADER + headerLength), <usize>length);
  if (offset == 0) memory.copy(changetype<usize>(s.header), frame, <usize>(ETHERNET_HEADER + IPV4_HEADER));
  if (!more) s.total = end;
  if (s.total == 0 || !complete(s)) return FragmentOutcome.Kept;
  build(s);
  s.used = false;
  state.completed++;
  return FragmentOutcome.Complete;
}

function start(slot: Slot, source: u32, destination: u32, protocol: u32, identification: u32, now: u64): void {
  slot.used = true;
  slot.source = source;
  slot.destination = destination;
  slot.protocol = protocol;
  slot.identification = identification;
  slot.started = now;
  slot.total = 0;
  memory.fill(changetype<usize>(slot.blocks), 0, <usize>(BLOCKS / 8));
  memory.fill(changetype<usize>(slot.header), 0, <usize>(ETHERNET_HEADER + IPV4_HEADER));
}

function drop(slot: Slot): FragmentOutcome {
  slot.used = false;
  state.dropped++;
  return FragmentOutcome.Dropped;
}

function complete(slot: Slot): bool {
  const blocks = (slot.total + 7) >> 3;
  for (let block: u32 = 0; block < blocks; block++) if ((slot.blocks[<i32>(block >> 3)] & <u8>(<u32>1 << (block & 7))) == 0) return false;
  // The first fragment's header came (offset 0 is block 0, which is present).
  return true;
}

function expire(now: u64): void {
  for (let i = 0; i < REASSEMBLY_SLOTS; i++) {
    const slot = state.slots[i];
    if (slot.used && now - slot.started > REASSEMBLY_NANOS) {
      slot.used = false;
      state.expired++;
    }
  }
}

/** The datagram as one frame: the first fragment's Ethernet and IPv4 header (options dropped),
 * the total length set, no fragment fields, the checksum redone, then the payload. */
function build(slot: Slot): void {
  const frame = changetype<usize>(state.frame);
  memory.copy(frame, changetype<usize>(slot.header), <usize>(ETHERNET_HEADER + IPV4_HEADER));
  const ip = frame + ETHERNET_HEADER;
  const total = IPV4_HEADER + slot.total;
  store<u8>(ip, 0x45);
  store<u8>(ip + 2, <u8>(total >> 8)); store<u8>(ip + 3, <u8>total);
  store<u8>(ip + 6, 0); store<u8>(ip + 7, 0);
  checksumStore(ip + 10, ip, IPV4_HEADER);
  memory.copy(ip + IPV4_HEADER, changetype<usize>(slot.payload), <usize>slot.total);
  state.frameLength = ETHERNET_HEADER + total;
}

/** The last complete datagram as a frame (valid until the next Complete). */
export function reassembledFrame(): usize { return changetype<usize>(state.frame); }
export function reassembledLength(): u32 { return state.frameLength; }

/** Datagrams completed, dropped (overlaps, limits, a full pool) and expired since boot. */
export function fragmentsCompleted(): u64 { return state.completed; }
export function fragmentsDropped(): u64 { return state.dropped; }
export function fragmentsExpired(): u64 { return state.expired; }

/** Sends the IPv4 datagram in the frame at `frame` (Ethernet header, a 20-byte IPv4 header, then
 * the payload; `length` bytes in all) through `send`, in fragments of at most `mtu` bytes of IP
 * when it is longer (RFC 791 3.2: each but the last a multiple of 8 bytes of payload, all with
 * the same identification). `scratch` holds one fragment's frame. False when a send failed. */
export function fragmentSend(frame: usize, length: u32, mtu: u32, scratch: usize, send: (frame: usize, length: u32) => bool): bool {
  if (length - ETHERNET_HEADER <= mtu) return send(frame, length);
  const payload = length - ETHERNET_HEADER - IPV4_HEADER;
  const chunk = (mtu - IPV4_HEADER) & ~<u32>7;
  for (let offset: u32 = 0; offset < payload; offset += chunk) {
    const size = min(chunk, payload - offset);
    memory.copy(scratch, frame, <usize>(ETHERNET_HEADER + IPV4_HEADER));
    const ip = scratch + ETHERNET_HEADER;
    const total = IPV4_HEADER + size;
    const more = offset + size < payload;
    const field = (offset >> 3) | (more ? 0x2000 : 0);
    store<u8>(ip + 2, <u8>(total >> 8)); store<u8>(ip + 3, <u8>total);
    store<u8>(ip + 6, <u8>(field >> 8)); store<u8>(ip + 7, <u8>field);
    checksumStore(ip + 10, ip, IPV4_HEADER);
    memory.copy(ip + IPV4_HEADER, frame + ETHERNET_HEADER + IPV4_HEADER + <usize>offset, <usize>size);
    if (!send(scratch, ETHERNET_HEADER + total)) return false;
  }
  return true;
}
