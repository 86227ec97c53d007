// Host tests of TCP's wire layer (kernel/net/wire/tcp.ts, tcp-options.ts), compiled to wasm from
// tests/host/entries/tcp-wire.ts: exact fields and options for segments built here (by
// tcp-packet.ts, written apart from the kernel), emitted headers byte for byte, each broken
// field dropped with its own reason, and a seeded mutation fuzz of a million segments in wasm:
// no abort, every segment accepted or dropped with a counted reason, and every accepted one
// survives emit-and-parse unchanged (the seed is printed; TCP_SEED replays one).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { ACK, decode, encode, FIN, PSH, RST, SYN, type TcpOption, type TcpPacket } from "./tcp-packet";

const wire = suite("tcp wire layer");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let e: Record<string, any>;
const V = { Accepted: 0, TooShort: 1, TooLong: 2, DataOffset: 3, Checksum: 4, PortZero: 5, FlagsInvalid: 6, OptionLength: 7, OptionMalformed: 8 };
const F = {
  sourcePort: 0, destinationPort: 1, sequence: 2, acknowledgment: 3, flags: 4, window: 5, urgent: 6, headerLength: 7, payloadLength: 8, mss: 9,
  windowScale: 10, sackPermitted: 11, timestamps: 12, timestampValue: 13, timestampEcho: 14, sackCount: 15,
};
const SOURCE = 0x0a000202, DESTINATION = 0x0a00020f;

wire.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/tcp-wire.ts"));
});
wire.before.each(() => {
  wasm = instantiate(module, {});
  e = wasm.exports;
});

function packet(fields: Partial<TcpPacket> = {}): TcpPacket {
  return { sourcePort: 40000, destinationPort: 80, seq: 0x12345678, ack: 0x9abcdef0, flags: ACK, window: 29200, options: [], payload: new Uint8Array(0), ...fields };
}
function parse(bytes: Uint8Array, length = bytes.length): number {
  new Uint8Array(wasm.memory.buffer, e.bufferAddress(), bytes.length).set(bytes);
  return e.parse(length, SOURCE, DESTINATION);
}
const field = (name: keyof typeof F) => e.field(F[name]) >>> 0;
const LINUX_SYN: TcpOption[] = [{ kind: "mss", value: 1460 }, { kind: "sackOK" }, { kind: "TS", val: 3127812, ecr: 0 }, { kind: "nop" }, { kind: "wscale", value: 7 }];

wire("a SYN with Linux's options and a data segment with SACK blocks: every field and option", () => {
  assert.is(parse(encode(packet({ flags: SYN, ack: 0, window: 64240, options: LINUX_SYN }), SOURCE, DESTINATION)), V.Accepted);
  assert.equal([field("sourcePort"), field("destinationPort"), field("sequence"), field("acknowledgment"), field("flags"), field("window")], [40000, 80, 0x12345678, 0, SYN, 64240]);
  assert.equal([field("headerLength"), field("payloadLength"), field("mss"), field("windowScale"), field("sackPermitted")], [40, 0, 1460, 7, 1]);
  assert.equal([field("timestamps"), field("timestampValue"), field("timestampEcho"), field("sackCount")], [1, 3127812, 0, 0]);

  const data = Uint8Array.from({ length: 100 }, (_, i) => i);
  const blocks: [number, number][] = [[1000, 2000], [0xfffffff0, 0x10], [5, 6]];
  assert.is(parse(encode(packet({ flags: ACK | PSH, options: [{ kind: "nop" }, { kind: "nop" }, { kind: "TS", val: 7, ecr: 0xffffffff }, { kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks }], payload: data, urgent: 9 }), SOURCE, DESTINATION)), V.Accepted);
  assert.equal([field("flags"), field("headerLength"), field("payloadLength"), field("urgent"), field("mss"), field("windowScale"), field("sackPermitted")], [ACK | PSH, 60, 100, 9, 0, 0xffffffff, 0]);
  assert.equal([field("timestampValue"), field("timestampEcho"), field("sackCount")], [7, 0xffffffff, 3]);
  assert.equal([0, 1, 2].map((i) => [e.sackStart(i) >>> 0, e.sackEnd(i) >>> 0]), blocks);

  // Unknown options are skipped by their length; an end-of-list stops the walk (what follows is padding).
  assert.is(parse(encode(packet({ options: [{ kind: "raw", bytes: [30, 6, 1, 2, 3, 4] }, { kind: "mss", value: 536 }, { kind: "eol" }, { kind: "raw", bytes: [0xff, 0xff, 0xff] }] }), SOURCE, DESTINATION)), V.Accepted);
  assert.equal([field("mss"), field("headerLength")], [536, 36]);
  assert.is(parse(encode(packet({ flags: FIN | ACK }), SOURCE, DESTINATION)), V.Accepted);
  assert.is(parse(encode(packet({ flags: RST }), SOURCE, DESTINATION)), V.Accepted);
  assert.equal(wasm.aborts, []);
});

wire("emit: header, options in Linux's order and checksum, byte for byte", () => {
  const emit = (set: Partial<Record<keyof typeof F, number>>, sack: [number, number][] = [], payload = new Uint8Array(0)) => {
    e.resetSegment();
    for (const [name, value] of Object.entries(set)) e.setField(F[name as keyof typeof F], value);
    sack.forEach(([start, end], i) => e.setSack(i, start, end));
    e.setField(F.sackCount, sack.length);
    e.setField(F.payloadLength, payload.length);
    new Uint8Array(wasm.memory.buffer, e.bufferAddress() + e.headerLength(), payload.length).set(payload);
    const length = e.emit(SOURCE, DESTINATION);
    return new Uint8Array(wasm.memory.buffer.slice(e.bufferAddress(), e.bufferAddress() + length));
  };
  const syn = emit({ sourcePort: 8080, destinationPort: 40000, sequence: 1, acknowledgment: 2, flags: SYN | ACK, window: 65535, mss: 1460, sackPermitted: 1, timestamps: 1, timestampValue: 100, timestampEcho: 200, windowScale: 7 });
  const expected = encode(packet({ sourcePort: 8080, destinationPort: 40000, seq: 1, ack: 2, flags: SYN | ACK, window: 65535,
    options: [{ kind: "mss", value: 1460 }, { kind: "sackOK" }, { kind: "TS", val: 100, ecr: 200 }, { kind: "nop" }, { kind: "wscale", value: 7 }] }), SOURCE, DESTINATION);
  assert.equal(Array.from(syn), Array.from(expected));
  const payload = Uint8Array.from([1, 2, 3]);
  const data = emit({ sourcePort: 1, destinationPort: 2, sequence: 0xffffffff, acknowledgment: 5, flags: ACK, window: 3, timestamps: 1, timestampValue: 1, timestampEcho: 2 }, [[10, 20], [30, 40], [50, 60]], payload);
  const decoded = decode(data, SOURCE, DESTINATION);
  assert.equal(decoded.options, [{ kind: "nop" }, { kind: "nop" }, { kind: "TS", val: 1, ecr: 2 }, { kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks: [[10, 20], [30, 40], [50, 60]] }]);
  assert.equal([decoded.headerLength, decoded.seq, Array.from(decoded.payload)], [60, 0xffffffff, [1, 2, 3]]);
  const plain = emit({ sourcePort: 1, destinationPort: 2, sackPermitted: 1, flags: SYN });
  assert.equal(decode(plain, SOURCE, DESTINATION).options, [{ kind: "nop" }, { kind: "nop" }, { kind: "sackOK" }]);
  assert.equal(wasm.aborts, []);
});

wire("each broken field is dropped with its own reason", () => {
  const good = encode(packet({ options: [{ kind: "mss", value: 1460 }] }), SOURCE, DESTINATION);
  assert.is(parse(good, 19), V.TooShort);
  assert.is(parse(new Uint8Array(65516)), V.TooLong);
  assert.is(parse(encode(packet(), SOURCE, DESTINATION, 4)), V.DataOffset, "data offset 4");
  assert.is(parse(encode(packet(), SOURCE, DESTINATION, 6)), V.DataOffset, "header past the segment");
  const flipped = good.slice();
  flipped[22] ^= 0x40;
  assert.is(parse(flipped), V.Checksum);
  assert.is(parse(encode(packet({ sourcePort: 0 }), SOURCE, DESTINATION)), V.PortZero);
  assert.is(parse(encode(packet({ destinationPort: 0 }), SOURCE, DESTINATION)), V.PortZero);
  assert.is(parse(encode(packet({ flags: SYN | RST }), SOURCE, DESTINATION)), V.FlagsInvalid);
  assert.is(parse(encode(packet({ flags: SYN | FIN }), SOURCE, DESTINATION)), V.FlagsInvalid);
  const options = (bytes: number[]) => parse(encode(packet({ options: [{ kind: "raw", bytes }] }), SOURCE, DESTINATION));
  assert.is(options([30, 0, 0, 0]), V.OptionLength, "length 0");
  assert.is(options([30, 1, 0, 0]), V.OptionLength, "length 1");
  assert.is(options([1, 1, 1, 30]), V.OptionLength, "no length byte");
  assert.is(options([30, 5, 0, 0]), V.OptionLength, "past the end");
  assert.is(options([2, 3, 5, 0]), V.OptionMalformed, "MSS of length 3");
  assert.is(options([3, 4, 7, 0]), V.OptionMalformed, "window scale of length 4");
  assert.is(options([4, 3, 0, 0]), V.OptionMalformed, "SACK-permitted of length 3");
  assert.is(options([8, 6, 0, 0, 0, 0, 0, 0]), V.OptionMalformed, "timestamps of length 6");
  assert.is(options([5, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), V.OptionMalformed, "SACK of length 9");
  assert.is(options([5, 2, 0, 0]), V.OptionMalformed, "SACK with no block");
  assert.equal(wasm.aborts, []);
});

wire("fuzz: a million mutated segments, each accepted or dropped with a counted reason, none aborts, each accepted one round-trips", () => {
  const seeds = [
    encode(packet({ flags: SYN, options: LINUX_SYN }), SOURCE, DESTINATION),
    encode(packet({ flags: SYN | ACK, options: [{ kind: "mss", value: 1460 }, { kind: "nop" }, { kind: "nop" }, { kind: "sackOK" }, { kind: "nop" }, { kind: "wscale", value: 14 }] }), SOURCE, DESTINATION),
    encode(packet({ options: [{ kind: "nop" }, { kind: "nop" }, { kind: "TS", val: 1, ecr: 2 }, { kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks: [[1, 2], [3, 4], [5, 6]] }] }), SOURCE, DESTINATION),
    encode(packet({ options: [{ kind: "nop" }, { kind: "nop" }, { kind: "sack", blocks: [[1, 2], [3, 4], [5, 6], [7, 8]] }] }), SOURCE, DESTINATION),
    encode(packet({ flags: ACK | PSH, payload: Uint8Array.from({ length: 1460 }, (_, i) => i) }), SOURCE, DESTINATION),
    encode(packet({ flags: FIN | ACK, payload: Uint8Array.from([1, 2, 3]) }), SOURCE, DESTINATION),
    encode(packet({ flags: RST }), SOURCE, DESTINATION),
    encode(packet({ options: [{ kind: "raw", bytes: [30, 6, 1, 2, 3, 4] }, { kind: "mss", value: 536 }] }), SOURCE, DESTINATION),
  ];
  seeds.forEach((bytes, i) => {
    new Uint8Array(wasm.memory.buffer, e.corpusAddress(i), bytes.length).set(bytes);
    e.setCorpusLength(i, bytes.length);
  });
  const seed = BigInt(process.env.TCP_SEED ?? Date.now());
  const rounds = 1_000_000;
  console.log(`    tcp wire fuzz: seed ${seed} (replay with TCP_SEED=${seed}), ${rounds} segments`);
  e.fuzz(seed, rounds, seeds.length, SOURCE, DESTINATION);
  assert.equal(wasm.aborts, []);
  const counts: Record<string, number> = {};
  let total = 0;
  for (const [name, value] of Object.entries(V)) {
    counts[name] = Number(e.count(value));
    total += counts[name];
  }
  console.log(`    verdicts: ${JSON.stringify(counts)}`);
  assert.is(total, rounds, "every segment has a verdict");
  for (const name of Object.keys(V)) if (name !== "TooLong") assert.ok(counts[name] > 0, `some ${name}: ${JSON.stringify(counts)}`);
  assert.is(Number(e.mismatches()), 0, "accepted segments survive emit and parse");
});

wire.run();
