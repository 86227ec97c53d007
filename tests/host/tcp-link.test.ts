// Host tests of the TCP core end to end (kernel/net/socket/tcp/), compiled to wasm from
// tests/host/entries/tcp-link.ts: two stacks through a seeded link on a virtual clock. A
// thousand runs, each with its own settings drawn from its seed (up to 5 % loss, 2 %
// duplication, 1 % corruption, jitter that reorders, a bottleneck with a bounded queue, MSS,
// buffer sizes, SACK, timestamps, window scaling, Nagle, NewReno or CUBIC), each moving
// 64-256 KiB both ways: both streams intact, both ends CLOSED without a failure; receive-buffer
// autotuning (growing, fixed, refused) on the same seeds. The base seed
// is printed (TCP_SEED replays it; TCP_RUNS sets the count).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { COUNTERS } from "./tcp-script";

const link = suite("tcp through a lossy link");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let e: Record<string, any>;
const SECOND = 1_000_000_000n;

link.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/tcp-link.ts"));
});
link.before.each(() => {
  wasm = instantiate(module, { env: { traceSegment: () => {} } });
  e = wasm.exports;
});

/** A small generator for the sizes, apart from the wasm's. */
function sizes(seed: bigint): [number, number] {
  let x = Number(seed % 2147483647n) || 1;
  const next = () => (x = (x * 48271) % 2147483647);
  return [65536 + (next() % 196609), 65536 + (next() % 196609)];
}

link("without faults: 1 MiB each way, intact, both ends closed", () => {
  const code = e.run(7n, 1 << 20, 1 << 20, 600n * SECOND, false);
  assert.is(code, 0, `error ${code}, detail ${e.detail()}`);
  assert.equal([Number(e.result(2)), Number(e.result(3))], [1 << 20, 1 << 20]);
});

link("receive-buffer autotuning: buffers that may grow do, paid by their host, up to what the window can announce; the streams stay intact, and bulk transfers end sooner than with the same buffers fixed; a refused growth leaves the buffer as it was", () => {
  const runs = 40, bytes = 4 << 20;
  const grown = () => Number(e.counter(0, COUNTERS.indexOf("ReceiveBufferGrown"))) + Number(e.counter(1, COUNTERS.indexOf("ReceiveBufferGrown")));
  const times: Record<number, bigint> = {};
  const capacities: Record<number, number[]> = {};
  for (const mode of [0, 1, 2]) {
    wasm = instantiate(module, { env: { traceSegment: () => {} } });
    e = wasm.exports;
    e.setAutotune(mode);
    times[mode] = 0n;
    capacities[mode] = [];
    let refused = 0;
    for (let i = 0; i < runs; i++) {
      const code = e.run(BigInt(1000 + i), bytes, 4096, 3600n * SECOND, false);
      assert.is(code, 0, `mode ${mode} seed ${1000 + i}: error ${code}, detail ${e.detail()}`);
      assert.equal([Number(e.result(2)), Number(e.result(3))], [4096, bytes]);
      times[mode] += BigInt(e.result(0));
      capacities[mode].push(Number(e.receiveCapacityOf(1)));
      refused += Number(e.growthsRefused());
    }
    if (mode === 1) {
      assert.ok(grown() >= runs / 2, `buffers grew (${grown()} times in ${runs} runs)`);
      assert.ok(capacities[1].every((capacity) => capacity <= 1 << 20), "no buffer past its limit");
    } else assert.is(grown(), 0, `mode ${mode}: no buffer grew`);
    if (mode === 2) assert.ok(refused > 0, "growth was asked for, and refused");
    assert.equal(wasm.aborts, []);
  }
  assert.equal(capacities[2], capacities[0], "refused growth: the same buffers as fixed ones");
  assert.ok(capacities[1].some((capacity, i) => capacity > capacities[0][i]), "some receiver's buffer ended larger");
  console.log(`    autotuning: ${runs} runs of ${bytes >> 20} MiB, virtual time ${Number(times[1] / 1_000_000n)} ms growing, ${Number(times[0] / 1_000_000n)} ms fixed`);
  assert.ok(times[1] < times[0], "growing buffers end the transfers sooner");
});

link("1,000 seeded runs through loss, duplication, corruption and reordering: every stream intact, every end closed cleanly", () => {
  const base = BigInt(process.env.TCP_SEED ?? Date.now());
  const runs = Number(process.env.TCP_RUNS ?? 1000);
  console.log(`    tcp link: base seed ${base} (replay with TCP_SEED=${base}), ${runs} runs`);
  const failures: string[] = [];
  let virtual = 0n, sent = 0n, bytes = 0;
  const started = Date.now();
  for (let i = 0; i < runs; i++) {
    const seed = base + BigInt(i);
    const [a, b] = sizes(seed);
    const code = e.run(seed, a, b, 3600n * SECOND, true);
    if (code !== 0) failures.push(`seed ${seed}: error ${code} detail ${e.detail()} states ${e.stateOf(0)}/${e.stateOf(1)}`);
    virtual += BigInt(e.result(0));
    sent += BigInt(e.result(1));
    bytes += a + b;
    if (failures.length >= 10) break;
  }
  const counter = (name: string) => Number(e.counter(0, COUNTERS.indexOf(name))) + Number(e.counter(1, COUNTERS.indexOf(name)));
  console.log(`    ${runs} runs, ${(bytes / 2 ** 20).toFixed(1)} MiB, ${sent} segments in ${Number(virtual / SECOND)} virtual s, ${((Date.now() - started) / 1000).toFixed(1)} s real; `
    + `retransmitted ${counter("Retransmitted")}, timeouts ${counter("Timeouts")}, fast retransmits ${counter("FastRetransmits")}, out of order ${counter("OutOfOrder")}, checksum drops ${Number(e.verdict(4))}`);
  assert.equal(failures, []);
  assert.equal(wasm.aborts, []);
});

link("fuzz: 3,000 runs with mutated segments (fields, flags, windows, timestamps, SACK blocks, MSS, window scale, raw bytes) injected into live connections: no abort, the control blocks' invariants hold after every step", () => {
  const base = BigInt(process.env.TCP_SEED ?? Date.now());
  const runs = Number(process.env.TCP_FUZZ_RUNS ?? 3000);
  console.log(`    tcp fuzz: base seed ${base} (replay with TCP_SEED=${base}), ${runs} runs`);
  const outcomes: Record<string, number> = {};
  const broken: string[] = [];
  let injected = 0;
  for (let i = 0; i < runs; i++) {
    const seed = base + BigInt(i);
    const code = e.fuzzRun(seed, 65536, 65536, 600n * SECOND, 5000);
    injected += Number(e.injected());
    outcomes[OUTCOMES[code] ?? `error ${code}`] = (outcomes[OUTCOMES[code] ?? `error ${code}`] ?? 0) + 1;
    if (code >= 70 && code < 80) broken.push(`seed ${seed}: invariant ${code - 70}`);
  }
  console.log(`    ${injected} segments injected; outcomes ${JSON.stringify(outcomes)}`);
  assert.equal(broken, []);
  assert.equal(wasm.aborts, []);
  assert.ok(injected > runs * 5, "the fuzz injected enough");
  assert.ok((outcomes["intact"] ?? 0) > runs / 2, "most connections survive the injections");
});

/** What a fuzz run came to (tests/host/entries/tcp-link.ts's codes). */
const OUTCOMES: Record<number, string> = {
  0: "intact", 12: "injected FIN", 13: "reset or timed out", 14: "injected data", 42: "A reset", 43: "A timed out", 44: "A aborted", 52: "B reset",
  53: "B timed out", 54: "B aborted", 60: "idle forever", 61: "wedged past 600 s",
};

link.run();
