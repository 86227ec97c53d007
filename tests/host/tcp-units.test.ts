// Host tests of the TCP core's pieces (kernel/net/socket/tcp/), compiled to wasm from
// tests/host/entries/tcp-units.ts: SipHash-2-4 against its published vectors and a reference
// written here, ISNs (RFC 6528: one tick per 4 µs, keyed per 4-tuple), SYN cookies, sequence
// comparisons across the wrap, the RTO estimator's RFC 6298 arithmetic, NewReno's and CUBIC's
// window curves (RFC 5681, RFC 9438: back at W_max after K seconds), the byte ring, the
// out-of-order assembler and the RFC 6675 scoreboard (IsLost, pipe, NextSeg's holes).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";

const units = suite("tcp core pieces");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let e: Record<string, any>;
const MS = 1_000_000n;
const M64 = (1n << 64n) - 1n;

units.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/tcp-units.ts"));
});
units.before.each(() => {
  wasm = instantiate(module, {});
  e = wasm.exports;
});

/** SipHash-2-4, written from the paper apart from the kernel's. */
function sipHash(k0: bigint, k1: bigint, message: Uint8Array): bigint {
  const rotl = (x: bigint, b: bigint) => ((x << b) | (x >> (64n - b))) & M64;
  let v0 = k0 ^ 0x736f6d6570736575n, v1 = k1 ^ 0x646f72616e646f6dn, v2 = k0 ^ 0x6c7967656e657261n, v3 = k1 ^ 0x7465646279746573n;
  const round = () => {
    v0 = (v0 + v1) & M64; v1 = rotl(v1, 13n); v1 ^= v0; v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & M64; v3 = rotl(v3, 16n); v3 ^= v2;
    v0 = (v0 + v3) & M64; v3 = rotl(v3, 21n); v3 ^= v0;
    v2 = (v2 + v1) & M64; v1 = rotl(v1, 17n); v1 ^= v2; v2 = rotl(v2, 32n);
  };
  const padded = new Uint8Array((Math.floor(message.length / 8) + 1) * 8);
  padded.set(message);
  padded[padded.length - 1] = message.length & 0xff;
  const view = new DataView(padded.buffer);
  for (let i = 0; i < padded.length; i += 8) {
    const m = view.getBigUint64(i, true);
    v3 ^= m; round(); round(); v0 ^= m;
  }
  v2 ^= 0xffn;
  round(); round(); round(); round();
  return v0 ^ v1 ^ v2 ^ v3;
}

units("SipHash-2-4: the published vectors (key 00..0f, messages 00..n-1) and a reference for 200 lengths", () => {
  const k0 = 0x0706050403020100n, k1 = 0x0f0e0d0c0b0a0908n;
  const hash = (length: number) => {
    new Uint8Array(wasm.memory.buffer, e.bufferAddress(), length).set(Uint8Array.from({ length }, (_, i) => i & 0xff));
    return BigInt.asUintN(64, e.sipHash(k0, k1, length));
  };
  assert.is(hash(0), 0x726fdb47dd0e0e31n, "vectors.h, empty message");
  assert.is(hash(1), 0x74f839c593dc67fdn, "vectors.h, one byte");
  assert.is(hash(15), 0xa129ca6149be45e5n, "the paper's appendix A");
  assert.is(hash(63), 0x958a324ceb064572n, "vectors.h, 63 bytes");
  for (let length = 0; length < 200; length++) {
    assert.is(hash(length), sipHash(k0, k1, Uint8Array.from({ length }, (_, i) => i & 0xff)), `length ${length}`);
  }
});

units("ISNs (RFC 6528): one tick per 4 µs, a different offset for each 4-tuple; SYN cookies check and expire", () => {
  const t = 5_000_000_000n;
  assert.is((e.isn(1, 80, 2, 40000, t + 4000n) - e.isn(1, 80, 2, 40000, t)) >>> 0, 1);
  assert.is((e.isn(1, 80, 2, 40000, t + 4_000_000n) - e.isn(1, 80, 2, 40000, t)) >>> 0, 1000);
  const values = new Set([e.isn(1, 80, 2, 40000, t), e.isn(1, 80, 2, 40001, t), e.isn(1, 81, 2, 40000, t), e.isn(1, 80, 3, 40000, t), e.isn(4, 80, 2, 40000, t)]);
  assert.is(values.size, 5, "each 4-tuple its own offset");
  const now = 1_000_000_000n;
  for (const [offered, kept] of [[1460, 1460], [9000, 1460], [1400, 1300], [1440, 1440], [1000, 536], [100, 536]]) {
    const value = e.cookie(12345, offered, now) >>> 0;
    assert.is(e.checkCookie(40000, 12345, value, now + 10_000_000_000n), kept, `MSS ${offered}`);
  }
  const value = e.cookie(777, 1460, now) >>> 0;
  assert.is(e.checkCookie(40000, 777, value, now + 100_000_000_000n), 1460, "the next 64 s period");
  assert.is(e.checkCookie(40000, 777, value, now + 130_000_000_000n), 0, "two periods later");
  assert.is(e.checkCookie(40001, 777, value, now), 0, "another port");
  assert.is(e.checkCookie(40000, 778, value, now), 0, "another peer ISN");
  assert.is(e.checkCookie(40000, 777, (value ^ 1) >>> 0, now), 0, "a changed bit");
});

units("sequence comparisons across the wrap", () => {
  const bits = (a: number, b: number, c = 0) => e.compare(a >>> 0, b >>> 0, c >>> 0);
  assert.is(bits(0xfffffff0, 0x10) & 15, 1 | 2, "0xfffffff0 < 0x10");
  assert.is(bits(0x10, 0xfffffff0) & 15, 4 | 8);
  assert.is(bits(5, 5) & 15, 2 | 8);
  assert.is(bits(0x2, 0xfffffff0, 0x10) & 16, 16, "inside a range that wraps");
  assert.is(bits(0x10, 0xfffffff0, 0x10) & 16, 0, "the end is outside");
});

units("RTO (RFC 6298): the first and later samples, the 200 ms floor, backoff and the 60 s ceiling", () => {
  assert.is(e.rto(), 1_000_000_000n, "1 s before a sample");
  e.rttSample(100n * MS);
  assert.equal([e.srtt(), e.rttvar(), e.rto()], [100n * MS, 50n * MS, 300n * MS]);
  e.rttSample(200n * MS);
  assert.equal([e.srtt(), e.rttvar(), e.rto()], [112_500_000n, 62_500_000n, 362_500_000n]);
  e.rttBackOff();
  e.rttBackOff();
  assert.is(e.rto(), 4n * 362_500_000n);
  for (let i = 0; i < 20; i++) e.rttBackOff();
  assert.is(e.rto(), 60_000_000_000n);
  e.reset();
  for (let i = 0; i < 50; i++) e.rttSample(MS);
  assert.is(e.rto(), 200n * MS);
});

units("NewReno: slow start doubles per round trip, congestion avoidance adds one segment per window, a timeout leaves one", () => {
  e.congestionNew(false, 1000);
  assert.is(e.cwnd(), 10000, "RFC 6928's initial window for MSS 1000");
  for (let i = 0; i < 10; i++) e.congestionAck(1000, 0n, 0n);
  assert.is(e.cwnd(), 20000);
  e.congestionLoss(20000, 0n);
  assert.equal([e.ssthresh(), e.cwnd()], [10000, 10000]);
  for (let i = 0; i < 10; i++) e.congestionAck(1000, 0n, 0n);
  assert.is(e.cwnd(), 11000);
  e.congestionTimeout(11000, 0n);
  assert.equal([e.ssthresh(), e.cwnd()], [5500, 1000]);
});

units("CUBIC (RFC 9438): beta 0.7, concave up to W_max at K = cbrt(W_max * 0.3 / 0.4) s, convex past it; cube roots exact", () => {
  for (const [value, root] of [[0n, 0n], [1n, 1n], [7n, 1n], [8n, 2n], [26n, 2n], [27n, 3n], [75_000_000_000n, 4217n], [(1n << 63n) - 1n, 2097151n]]) assert.is(e.cubeRootOf(value), root);
  e.congestionNew(true, 1000);
  e.setCwnd(100_000);
  e.congestionLoss(100_000, 1_000_000_000n);
  assert.equal([e.ssthresh(), e.cwnd()], [70000, 70000]);
  // A round trip of 100 ms, a full window acknowledged in each, one ACK a segment.
  const samples = new Map<number, number>();
  let now = 1_000_000_000n;
  for (let round = 0; round < 100; round++) {
    const acks = Math.floor(e.cwnd() / 1000);
    for (let i = 0; i < acks; i++) e.congestionAck(1000, now + BigInt(i) * 100_000_000n / BigInt(acks), 100n * MS);
    now += 100n * MS;
    samples.set(round + 1, e.cwnd());
  }
  const at = (seconds: number) => samples.get(Math.round(seconds * 10))!;
  assert.ok(at(1) > 70000 && at(1) < 100000, `after 1 s: ${at(1)}`);
  assert.ok(at(1) - 70000 > at(4) - at(3), `concave: ${at(1) - 70000} in the first second, ${at(4) - at(3)} in the fourth`);
  assert.ok(Math.abs(at(4.1) - 100000) < 5000, `back at W_max near K (4.2 s less a round trip): ${at(4.1)}`);
  assert.ok(at(8) > 110000 && at(8) - at(7) > at(6) - at(5), `convex past it: ${at(6)}, ${at(7)}, ${at(8)}`);
});

units("the byte ring: wraps, spans, writeAt past the end and commit; out-of-order bytes survive the ring emptying (the bug the link test found)", () => {
  const put = (bytes: number[]) => new Uint8Array(wasm.memory.buffer, e.bufferAddress(), bytes.length).set(bytes);
  const got = (length: number) => Array.from(new Uint8Array(wasm.memory.buffer, e.bufferAddress(), length));
  e.ringNew(16);
  put([...Array(10).keys()]);
  assert.is(e.ringWrite(10), 10);
  assert.is(e.ringRead(6), 6);
  assert.equal(got(6), [0, 1, 2, 3, 4, 5]);
  put([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]);
  assert.is(e.ringWrite(13), 12, "only the free space");
  assert.equal([e.ringLength(), e.ringFree(), e.ringReadSpan()], [16, 0, 10]);
  e.ringPeekAt(3, 8);
  assert.equal(got(8), [9, 10, 11, 12, 13, 14, 15, 16]);
  assert.is(e.ringRead(16), 16);
  // Out of order: bytes 4..7 past the end, then 0..3, then commit all 8.
  e.ringNew(8);
  put([1, 1, 1]);
  e.ringWrite(3);
  e.ringRead(3);
  put([50, 51, 52, 53]);
  e.ringWriteAt(4, 4);
  e.ringRead(0);
  put([40, 41, 42, 43]);
  e.ringWriteAt(0, 4);
  e.ringCommit(8);
  assert.is(e.ringRead(8), 8);
  assert.equal(got(8), [40, 41, 42, 43, 50, 51, 52, 53]);
  e.ringNew(8);
  put([9, 9, 9, 9, 9]);
  e.ringWrite(5);
  put([70, 71]);
  e.ringWriteAt(1, 2);           // out of order, past the 5 bytes held
  e.ringRead(5);                 // the ring empties: the out-of-order bytes must stay where they are
  put([60]);
  e.ringWriteAt(0, 1);
  e.ringCommit(3);
  assert.is(e.ringRead(3), 3);
  assert.equal(got(3), [60, 70, 71]);
  assert.equal(wasm.aborts, []);
});

units("the byte ring's storage: release empties it to capacity 0, and a later ring of that size reuses it cleared (no bytes of the connection before)", () => {
  const put = (bytes: number[]) => new Uint8Array(wasm.memory.buffer, e.bufferAddress(), bytes.length).set(bytes);
  const got = (length: number) => Array.from(new Uint8Array(wasm.memory.buffer, e.bufferAddress(), length));
  e.ringNew(8);
  put([1, 2, 3, 4, 5, 6, 7, 8]);
  assert.is(e.ringWrite(8), 8);
  e.ringRelease();
  assert.equal([e.ringCapacity(), e.ringLength(), e.ringFree()], [0, 0, 0]);
  e.ringAllocate(8);             // the storage just given back: commit shows what it holds
  assert.is(e.ringCapacity(), 8);
  e.ringCommit(8);
  assert.is(e.ringRead(8), 8);
  assert.equal(got(8), [0, 0, 0, 0, 0, 0, 0, 0]);
  put([9, 9, 9, 9]);
  assert.is(e.ringWrite(4), 4);
  assert.is(e.ringRead(4), 4);
  assert.equal(got(4), [9, 9, 9, 9]);
  // What release clears is what was written: a write that wrapped, a span write, bytes written
  // out of order past the end.
  const cleared = (write: () => void) => {
    e.ringNew(8);
    write();
    e.ringRelease();
    e.ringAllocate(8);
    e.ringCommit(8);
    assert.is(e.ringRead(8), 8);
    assert.equal(got(8), [0, 0, 0, 0, 0, 0, 0, 0]);
  };
  cleared(() => { put([1, 2, 3, 4, 5, 6, 7]); e.ringWrite(3); e.ringRead(3); e.ringWrite(7); });
  cleared(() => { e.ringWrite(2); new Uint8Array(wasm.memory.buffer, e.ringWriteSpanAddress(), 3).set([7, 7, 7]); e.ringCommit(3); });
  cleared(() => { put([5, 5]); e.ringWriteAt(5, 2); });
  assert.equal(wasm.aborts, []);
});

units("the assembler: merges ranges, hands over what reaches offset 0, refuses a ninth hole", () => {
  assert.ok(e.assemblerAdd(10, 20));
  assert.ok(e.assemblerAdd(30, 40));
  assert.is(e.assemblerRecent(), 1);
  assert.ok(e.assemblerAdd(20, 30));
  assert.equal([e.assemblerCount(), e.assemblerRange(0, false), e.assemblerRange(0, true)], [1, 10, 40]);
  assert.is(e.assemblerTake(), 0, "nothing at 0 yet");
  assert.ok(e.assemblerAdd(0, 10));
  assert.is(e.assemblerTake(), 40);
  assert.is(e.assemblerCount(), 0);
  for (let i = 0; i < 8; i++) assert.ok(e.assemblerAdd(100 + 10 * i, 105 + 10 * i));
  assert.not.ok(e.assemblerAdd(200, 205), "a ninth range");
  assert.ok(e.assemblerAdd(105, 110), "a merge needs no new range");
  assert.ok(e.assemblerAdd(0, 5), "in-order bytes are always taken");
  assert.is(e.assemblerTake(), 5);
  assert.equal([e.assemblerCount(), e.assemblerRange(0, false)], [7, 95]);
});

units("the SACK scoreboard (RFC 6675): IsLost, pipe, the holes NextSeg retransmits, stale blocks ignored", () => {
  const una = 0xfffff000, max = (una + 10000) >>> 0, mss = 1000;
  const at = (offset: number) => (una + offset) >>> 0;
  assert.ok(e.boardAdd(at(1000), at(2000), una, max));
  assert.ok(e.boardAdd(at(3000), at(5000), una, max));
  assert.not.ok(e.boardAdd(at(3000), at(4000), una, max), "nothing new");
  assert.not.ok(e.boardAdd(at(-500), at(0), una, max), "below SND.UNA (a D-SACK)");
  assert.not.ok(e.boardAdd(at(9000), at(11000), una, max), "past SND.MAX");
  assert.ok(e.boardIsLost(at(0), mss), "three segments SACKed above");
  assert.not.ok(e.boardIsLost(at(2000), mss), "two segments, 2000 bytes: not more than 2 SMSS");
  assert.is(e.boardPipe(una, max, una, mss), 6000, "the second hole and the tail");
  assert.is(e.boardPipe(una, max, at(1000), mss), 7000, "and the retransmitted first hole");
  assert.is(e.boardNextHole(una, una, mss, true) >>> 0, at(0));
  assert.is(e.boardHoleEnd() >>> 0, at(1000));
  assert.is(e.boardNextHole(una, at(1000), mss, true) >>> 0, at(1000), "no other lost hole");
  assert.is(e.boardHoleEnd() >>> 0, at(1000));
  assert.is(e.boardNextHole(una, at(1000), mss, false) >>> 0, at(2000), "rule 3: any hole below the highest SACK");
  assert.is(e.boardSackedEnd(at(3500)) >>> 0, at(5000));
  e.boardAdvance(at(1500));
  assert.equal([e.boardCount(), e.boardRange(0, false) >>> 0], [2, at(1500)]);
  for (let i = 0; i < 20; i++) e.boardAdd(at(5100 + 100 * i), at(5150 + 100 * i), una, at(20000));
  assert.is(e.boardCount(), 16, "bounded");
});

units.run();
