// Host-test entry for TCP's wire layer (kernel/net/wire/tcp.ts, tcp-options.ts):
// tests/host/tcp-wire.test.ts parses segments it builds, sets fields for emit and reads them
// back, and runs a seeded mutation fuzz here in wasm: each round copies one of the seed segments,
// mutates it (bits, bytes, the option area, the length, the data offset), re-checksums it most of
// the time (so the fuzz reaches the options, not only the checksum), and parses it. Every
// accepted segment is emitted again from its parsed form and parsed back: the fields must agree.

import { TCP_SACK_BLOCKS_MAXIMUM, TCP_VERDICTS, tcpEmit, tcpHeaderLength, tcpParse, TcpSegment, TcpVerdict } from "../../../kernel/net/wire/tcp";
import { checksumAdd, checksumFinish } from "../../../kernel/net/wire/checksum";
import { pseudoHeader } from "../../../kernel/net/wire/frame";
import { SeededRandom } from "../../../kernel/net/phy/seeded-random";

const SEGMENT_MAXIMUM: u32 = 2048;
const SEEDS: i32 = 16;
const BUFFER = memory.data(<i32>SEGMENT_MAXIMUM, 8);
const COPY = memory.data(<i32>SEGMENT_MAXIMUM, 8);
const CORPUS = memory.data(SEEDS * <i32>SEGMENT_MAXIMUM, 8);

class World {
  segment: TcpSegment = new TcpSegment();
  again: TcpSegment = new TcpSegment();
  lengths: StaticArray<u32> = new StaticArray<u32>(SEEDS);
  counts: StaticArray<u64> = new StaticArray<u64>(TCP_VERDICTS);
  mismatches: u64 = 0;
  random: SeededRandom = new SeededRandom(1);
}
const world = new World();

export function bufferAddress(): usize { return BUFFER; }
export function corpusAddress(index: i32): usize { return CORPUS + <usize>index * SEGMENT_MAXIMUM; }
export function setCorpusLength(index: i32, length: u32): void { world.lengths[index] = length; }

export function parse(length: u32, source: u32, destination: u32): i32 {
  return <i32>tcpParse(BUFFER, length, source, destination, world.segment);
}
/** A parsed field by number: see FIELDS in the test. */
export function field(index: i32): u32 {
  const s = world.segment;
  switch (index) {
    case 0: return s.sourcePort;
    case 1: return s.destinationPort;
    case 2: return s.sequence;
    case 3: return s.acknowledgment;
    case 4: return s.flags;
    case 5: return s.window;
    case 6: return s.urgent;
    case 7: return s.headerLength;
    case 8: return s.payloadLength;
    case 9: return s.mss;
    case 10: return <u32>s.windowScale;
    case 11: return s.sackPermitted ? 1 : 0;
    case 12: return s.timestamps ? 1 : 0;
    case 13: return s.timestampValue;
    case 14: return s.timestampEcho;
    case 15: return <u32>s.sackCount;
  }
  return 0xdead;
}
export function sackStart(i: i32): u32 { return world.segment.sackStarts[i]; }
export function sackEnd(i: i32): u32 { return world.segment.sackEnds[i]; }

/** Sets a field of the segment to emit (same numbering as field()). */
export function setField(index: i32, value: u32): void {
  const s = world.segment;
  switch (index) {
    case 0: s.sourcePort = value; break;
    case 1: s.destinationPort = value; break;
    case 2: s.sequence = value; break;
    case 3: s.acknowledgment = value; break;
    case 4: s.flags = value; break;
    case 5: s.window = value; break;
    case 6: s.urgent = value; break;
    case 8: s.payloadLength = value; break;
    case 9: s.mss = value; break;
    case 10: s.windowScale = <i32>value; break;
    case 11: s.sackPermitted = value != 0; break;
    case 12: s.timestamps = value != 0; break;
    case 13: s.timestampValue = value; break;
    case 14: s.timestampEcho = value; break;
    case 15: s.sackCount = <i32>value; break;
  }
}
export function setSack(i: i32, start: u32, end: u32): void {
  world.segment.sackStarts[i] = start;
  world.segment.sackEnds[i] = end;
}
export function resetSegment(): void { world.segment.reset(); }
export function headerLength(): u32 { return tcpHeaderLength(world.segment); }
/** Emits the segment at BUFFER (its payload already at BUFFER + headerLength()). */
export function emit(source: u32, destination: u32): u32 { return tcpEmit(BUFFER, world.segment, source, destination); }

@inline function store16be(address: usize, value: u32): void {
  store<u8>(address, <u8>(value >> 8));
  store<u8>(address + 1, <u8>value);
}

/** Makes the checksum of the `length` bytes at BUFFER right again. */
function rechecksum(length: u32, source: u32, destination: u32): void {
  if (length < 18) return;
  store16be(BUFFER + 16, 0);
  const sum = checksumFinish(pseudoHeader(checksumAdd(0, BUFFER, length), source, destination, 6, length));
  store16be(BUFFER + 16, sum);
}

/** Whether two parsed segments carry the same fields and options. */
function same(a: TcpSegment, b: TcpSegment): bool {
  if (a.sourcePort != b.sourcePort || a.destinationPort != b.destinationPort || a.sequence != b.sequence || a.acknowledgment != b.acknowledgment) return false;
  if (a.flags != b.flags || a.window != b.window || a.urgent != b.urgent || a.payloadLength != b.payloadLength) return false;
  if (a.mss != b.mss || a.windowScale != b.windowScale || a.sackPermitted != b.sackPermitted || a.timestamps != b.timestamps) return false;
  if (a.timestamps && (a.timestampValue != b.timestampValue || a.timestampEcho != b.timestampEcho)) return false;
  if (a.sackCount != b.sackCount) return false;
  for (let i = 0; i < a.sackCount; i++) if (a.sackStarts[i] != b.sackStarts[i] || a.sackEnds[i] != b.sackEnds[i]) return false;
  return true;
}

/** Parses `rounds` mutations of the seed segments from `seed`; verdicts go to count(), and
 * accepted segments that do not survive emit-and-parse to mismatches(). */
export function fuzz(seed: u64, rounds: u32, seeds: i32, source: u32, destination: u32): void {
  const random = new SeededRandom(seed);
  world.random = random;
  for (let i = 0; i < TCP_VERDICTS; i++) world.counts[i] = 0;
  world.mismatches = 0;
  for (let round: u32 = 0; round < rounds; round++) {
    const base = <i32>random.below(<u32>seeds);
    let length = world.lengths[base];
    memory.copy(BUFFER, CORPUS + <usize>base * SEGMENT_MAXIMUM, <usize>SEGMENT_MAXIMUM);
    const mutations: u32 = 1 + random.below(4);
    for (let m: u32 = 0; m < mutations; m++) {
      const kind = random.below(7);
      const at = random.below(max(length, 1));
      if (kind == 0) store<u8>(BUFFER + <usize>at, load<u8>(BUFFER + <usize>at) ^ <u8>(<u32>1 << random.below(8)));
      else if (kind == 1) store<u8>(BUFFER + <usize>at, <u8>random.next());
      else if (kind == 2) length = random.below(length + 1);
      else if (kind == 3) length = min(SEGMENT_MAXIMUM, length + random.below(64));
      else if (kind == 4) store<u8>(BUFFER + 12, <u8>(random.below(16) << 4));                // the data offset
      else if (kind == 5) store<u8>(BUFFER + <usize>(20 + random.below(40)), <u8>random.below(12)); // option kinds and lengths
      else store<u8>(BUFFER + 13, <u8>random.next());                                           // the flags
    }
    if (random.below(8) != 0) rechecksum(length, source, destination);
    const verdict = tcpParse(BUFFER, length, source, destination, world.segment);
    world.counts[verdict]++;
    if (verdict != TcpVerdict.Accepted) continue;
    // Emit it again (payload after the new header), parse that, compare.
    const segment = world.segment;
    while (tcpHeaderLength(segment) > 60) segment.sackCount--;   // what fits beside the other options
    const payload = segment.payloadLength;
    memory.copy(COPY, BUFFER + <usize>segment.headerLength, <usize>payload);
    const copied = segment.sackCount;
    const header = tcpHeaderLength(segment);
    memory.copy(BUFFER + <usize>header, COPY, <usize>payload);
    const total = tcpEmit(BUFFER, segment, source, destination);
    if (tcpParse(BUFFER, total, source, destination, world.again) != TcpVerdict.Accepted || !same(segment, world.again) || copied != world.again.sackCount) world.mismatches++;
  }
  if (TCP_SACK_BLOCKS_MAXIMUM != 4) abort("fuzz: the SACK block limit changed");
}
export function count(verdict: i32): u64 { return world.counts[verdict]; }
export function mismatches(): u64 { return world.mismatches; }
