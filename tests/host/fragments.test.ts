// Host tests of IPv4 reassembly (kernel/net/iface/fragments.ts), compiled to wasm from
// tests/host/entries/fragments.ts: fragments in any order make the datagram, byte for byte; an
// overlap or a fragment past the limit drops the datagram; a datagram not complete in 10 s
// expires; a full pool drops the oldest; interleaved datagrams stay apart.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

const fragments = suite("ipv4 reassembly");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let e: Record<string, any>;
const KEPT = 0, COMPLETE = 1, DROPPED = 2;
const SECOND = 1_000_000_000n;

fragments.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/fragments.ts"));
});
fragments.before.each(() => {
  wasm = instantiate(module, {});
  e = wasm.exports;
  e.setup();
});

/** Hands over bytes [offset, offset + length) of `data` as one fragment (its header: 14 + 20 bytes). */
function give(data: Uint8Array, offset: number, length: number, more: boolean, id = 7, source = 0x0a000201, now = 0n): number {
  const frame = new Uint8Array(wasm.memory.buffer, e.bufferAddress(), 34 + length);
  frame.fill(0);
  frame[14] = 0x45;
  frame.set(data.subarray(offset, offset + length), 34);
  return e.receive(source, id, offset, length, more, now);
}
function reassembled(): Uint8Array {
  return new Uint8Array(wasm.memory.buffer, e.frameAddress(), e.frameLength()).slice(34);
}
const data = (length: number, seed = 1) => { const random = generator(seed); return Uint8Array.from({ length }, () => Math.floor(random() * 256)); };

fragments("fragments in any order make the datagram byte for byte", () => {
  const datagram = data(3008);
  const pieces: [number, number, boolean][] = [[1480, 1480, true], [2960, 48, false], [0, 1480, true]];
  assert.is(give(datagram, ...pieces[0]), KEPT);
  assert.is(give(datagram, ...pieces[1]), KEPT);
  assert.is(give(datagram, ...pieces[2]), COMPLETE);
  assert.equal(reassembled(), datagram);
  assert.is(e.completed(), 1n);
});

fragments("an overlap, a fragment past 16 KiB, a middle fragment not a multiple of 8, or a second end drop the datagram", () => {
  const datagram = data(4000);
  give(datagram, 0, 1480, true);
  assert.is(give(datagram, 1472, 1480, true), DROPPED, "overlap");
  assert.is(give(datagram, 16384, 8, false, 8), DROPPED, "past the limit");
  assert.is(give(datagram, 0, 1001, true, 9), DROPPED, "a middle fragment of 1001 bytes");
  give(datagram, 0, 1480, true, 10);
  assert.is(give(datagram, 2000, 480, false, 10), KEPT, "the end, with a hole before it");
  assert.is(give(datagram, 2480, 8, false, 10), DROPPED, "a second end past the first");
  assert.is(e.dropped(), 4n);
  assert.is(e.completed(), 0n);
});

fragments("a datagram not complete in 10 s expires; a full pool drops the oldest; datagrams stay apart", () => {
  const a = data(2000, 2), b = data(2000, 3);
  give(a, 0, 1480, true, 1, 0x0a000201, 0n);
  assert.is(give(a, 1480, 520, false, 1, 0x0a000201, 11n * SECOND), KEPT, "the first fragment expired: this starts anew");
  assert.is(e.expired(), 1n);
  for (let id = 20; id < 24; id++) give(b, 0, 1480, true, id, 0x0a000201, 12n * SECOND);
  assert.is(e.dropped(), 1n, "five datagrams in four slots: the oldest went");
  assert.is(give(b, 1480, 520, false, 23, 0x0a000201, 12n * SECOND), COMPLETE, "the newest is whole");
  assert.equal(reassembled(), b);
  assert.is(give(b, 1480, 520, false, 22, 0x0a000202, 12n * SECOND), KEPT, "another source's datagram 22 is another datagram");
  assert.equal(wasm.aborts, []);
});

fragments.run();
