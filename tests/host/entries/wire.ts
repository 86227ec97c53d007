// Host-test entry for the wire layer (kernel/net/wire/): tests/host/wire.test.ts parses frames it
// builds, and runs a seeded mutation fuzz here in wasm (a million frames in seconds): each round
// copies one of the seed frames, flips, overwrites, truncates or extends it, and parses it; the
// verdicts are counted.

import { TransportChecksum, WIRE_VERDICTS, WireFrame, WireVerdict, wireParse } from "../../../kernel/net/wire/frame";
import { IcmpQuote, icmpErrorHard, icmpErrorKnown, icmpQuoteParse } from "../../../kernel/net/wire/icmp-quote";

const FRAME_MAXIMUM: u32 = 2048;
const SEEDS: i32 = 9;
const BUFFER = memory.data(<i32>FRAME_MAXIMUM, 8);
const CORPUS = memory.data(SEEDS * <i32>FRAME_MAXIMUM, 8);

class World {
  frame: WireFrame = new WireFrame();
  quote: IcmpQuote = new IcmpQuote();
  quotes: u64 = 0;
  lengths: StaticArray<u32> = new StaticArray<u32>(SEEDS);
  counts: StaticArray<u64> = new StaticArray<u64>(WIRE_VERDICTS);
  random: u64 = 1;
}
const world = new World();

export function bufferAddress(): usize { return BUFFER; }
export function corpusAddress(index: i32): usize { return CORPUS + <usize>index * FRAME_MAXIMUM; }
export function setCorpusLength(index: i32, length: u32): void { world.lengths[index] = length; }

export function parse(length: u32): i32 { return <i32>wireParse(BUFFER, length, world.frame); }
/** As parse, for a frame whose device validated its transport checksum (FrameChecksum.Validated). */
export function parseTrusted(length: u32): i32 { return <i32>wireParse(BUFFER, length, world.frame, TransportChecksum.Trusted); }
export function source(): u32 { return world.frame.source; }
export function destination(): u32 { return world.frame.destination; }
export function sourcePort(): u32 { return world.frame.sourcePort; }
export function destinationPort(): u32 { return world.frame.destinationPort; }
export function payloadLength(): u32 { return world.frame.payloadLength; }
export function icmpType(): u32 { return world.frame.icmpType; }
export function arpOperation(): u32 { return world.frame.arpOperation; }
export function arpTargetIp(): u32 { return world.frame.arpTargetIp; }
export function fragmentOffset(): u32 { return world.frame.fragmentOffset; }

function next(): u64 {
  let x = world.random;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  world.random = x;
  return x;
}

/** Parses `rounds` mutations of the seed frames (`seeds` of them) from `seed`; the verdicts go to
 * count(). */
export function fuzz(seed: u64, rounds: u32, seeds: i32): void {
  world.random = seed | 1;
  world.quotes = 0;
  for (let i = 0; i < WIRE_VERDICTS; i++) world.counts[i] = 0;
  for (let round: u32 = 0; round < rounds; round++) {
    const base = <i32>(next() % <u64>seeds);
    let length = world.lengths[base];
    memory.copy(BUFFER, CORPUS + <usize>base * FRAME_MAXIMUM, <usize>FRAME_MAXIMUM);
    const mutations: u32 = 1 + <u32>(next() % 4);
    for (let m: u32 = 0; m < mutations; m++) {
      const kind = next() % 5;
      const at = <u32>(next() % <u64>max(length, 1));
      if (kind == 0) store<u8>(BUFFER + <usize>at, load<u8>(BUFFER + <usize>at) ^ <u8>(<u32>1 << <u32>(next() % 8)));
      else if (kind == 1) store<u8>(BUFFER + <usize>at, <u8>next());
      else if (kind == 2) length = <u32>(next() % <u64>(length + 1));
      else if (kind == 3) length = min(FRAME_MAXIMUM, length + <u32>(next() % 64));
      else store<u8>(BUFFER + <usize>(14 + <u32>(next() % 40)), <u8>next());   // the headers, where parsers hurt
    }
    const verdict = wireParse(BUFFER, length, world.frame);
    world.counts[verdict]++;
    if (verdict == WireVerdict.Icmp && quote() != 0) world.quotes++;
  }
}
export function count(verdict: i32): u64 { return world.counts[verdict]; }
/** ICMP messages of the last fuzz whose quote parsed (every accepted ICMP message is tried). */
export function quotesParsed(): u64 { return world.quotes; }

/** Parses the quote of the ICMP message of the frame parse() accepted last: 1 when it parsed. */
export function quote(): i32 {
  const frame = world.frame;
  return icmpQuoteParse(BUFFER + <usize>frame.payload, frame.payloadLength, world.quote) ? 1 : 0;
}
export function quoteField(index: i32): u32 {
  const q = world.quote;
  return index == 0 ? q.protocol : index == 1 ? q.source : index == 2 ? q.destination : index == 3 ? q.sourcePort : q.destinationPort;
}
export function errorKnown(type: u32, code: u32): bool { return icmpErrorKnown(type, code); }
export function errorHard(type: u32, code: u32): bool { return icmpErrorHard(type, code); }
