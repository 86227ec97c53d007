// Host tests of the phy layer (kernel/net/phy/), compiled to wasm from tests/host/entries/phy.ts:
// the fault device's figures over 100,000 frames match its settings, in each direction apart;
// the same seed repeats every decision and another seed does not; reordering loses no frame and
// moves none by more than one place; the rate limit lets through what its bucket allows; the
// settings parser refuses what is not the syntax. The loopback device returns each frame once,
// in order, and its queue never holds more than its bound, also when the receiver answers every
// frame. The capture writes a pcap file tcpdump reads. The seeded generator gives SplitMix64's
// published values.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

const phy = suite("phy: fault, loopback and capture devices");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let e: Record<string, any>;
let logged = "";

phy.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/phy.ts"));
});
phy.before.each(() => {
  logged = "";
  wasm = instantiate(module, {
    hw: {
      serialWrite: (address: number, length: number) => { logged += Buffer.from(wasm.bytes(address >>> 0, length >>> 0)).toString("latin1"); },
      bootClockNanos: () => 0n,
    },
  });
  e = wasm.exports;
});

const OUT = 0, IN = 1;
const WIRE = 0, STACK = 1;
const COUNTER = { frames: 0, passed: 1, lost: 2, limited: 3, corrupted: 4, reordered: 5, duplicated: 6, oversize: 7 } as const;
const FRAMES = 100_000;
const STEP = 10_000n;   // 10 µs between frames: 100,000 frames in a second

function create(text: string): void {
  const problem = wasm.readString(e.faultCreate(wasm.string(text)));
  assert.is(problem, "", `netfault=${text}`);
}
const counter = (way: number, name: keyof typeof COUNTER) => Number(e.faultCounter(way, COUNTER[name]));
const seen = (side: number): number[] => Array.from({ length: e.seenCount(side) }, (_, i) => Number(e.seenId(side, i)));
/** Releases a frame still held back. */
function flush(): void {
  e.advance(e.holdNanos());
  e.faultPoll();
}
function assertShare(actual: number, expected: number, what: string, tolerance = 0.002): void {
  assert.ok(Math.abs(actual / FRAMES - expected) <= tolerance, `${what}: ${actual} of ${FRAMES} (${(actual / FRAMES * 100).toFixed(3)} %), expected ${expected * 100} % ± ${tolerance * 100}`);
}

phy("the settings parser: the syntax, its text, and a refusal for everything else", () => {
  create("loss:5,dup:1,reorder:2,corrupt:1,rate:1000,seed:42");
  assert.is(wasm.readString(e.configText()), "loss 5%, dup 1%, reorder 2%, corrupt 1%, rate 1000/s, seed 42");
  create("loss:0.5,corrupt:12.25");
  assert.is(wasm.readString(e.configText()), "loss 0.5%, dup 0%, reorder 0%, corrupt 12.25%, no rate limit, seed 0");
  create("loss:100");
  for (const bad of ["loss:101", "loss:5x", "loss:", "loss", "loss:1.234", "loss:-1", "jitter:3", "rate:0", "rate:1000001", "seed:", "seed:0x10", "", "loss:5,,dup:1"]) {
    const problem = wasm.readString(e.faultCreate(wasm.string(bad)));
    assert.ok(problem.length > 0, `netfault=${bad} must be refused`);
  }
});

phy("the seeded generator gives SplitMix64's values (seed 0: e220a8397b1dcdaf, 6e789e6aa1b965f4, 06c45d188009454f)", () => {
  e.randomSeed(0n);
  assert.equal([0, 1, 2].map(() => BigInt.asUintN(64, e.randomNext()).toString(16).padStart(16, "0")), ["e220a8397b1dcdaf", "6e789e6aa1b965f4", "06c45d188009454f"]);
  // Against a reference written here, for another seed.
  let state = 42n;
  const reference = () => {
    state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  };
  e.randomSeed(42n);
  for (let i = 0; i < 1000; i++) assert.is(BigInt.asUintN(64, e.randomNext()), reference(), `value ${i}`);
  for (let i = 0; i < 1000; i++) assert.ok(e.randomBelow(7) < 7);
});

phy("over 100,000 frames each fault alone comes out at its percentage, and the wire sees exactly that", () => {
  create("loss:5,seed:1");
  e.faultSend(0, FRAMES, 64, STEP);
  assertShare(counter(OUT, "lost"), 0.05, "lost");
  assert.is(seen(WIRE).length, FRAMES - counter(OUT, "lost"));

  create("dup:1,seed:2");
  e.faultSend(0, FRAMES, 64, STEP);
  assertShare(counter(OUT, "duplicated"), 0.01, "duplicated");
  const wire = seen(WIRE);
  assert.is(wire.length, FRAMES + counter(OUT, "duplicated"));
  assert.is(wire.filter((id, i) => i > 0 && wire[i - 1] === id).length, counter(OUT, "duplicated"), "each duplicate right after its frame");

  create("corrupt:1,seed:3");
  e.faultSend(0, FRAMES, 64, STEP);
  assertShare(counter(OUT, "corrupted"), 0.01, "corrupted");
  assert.is(seen(WIRE).filter((id) => id === -1).length, counter(OUT, "corrupted"), "every corrupted frame differs from what was sent");

  // A frame may be held only when none is: p / (1 + p) of the frames.
  create("reorder:2,seed:4");
  e.faultSend(0, FRAMES, 64, STEP);
  flush();
  assertShare(counter(OUT, "reordered"), 0.02 / 1.02, "reordered");
});

phy("every fault at once, in both directions: the counters account for every frame, and the directions draw apart", () => {
  create("loss:5,dup:1,reorder:2,corrupt:1,seed:42");
  e.faultSend(0, FRAMES, 64, STEP);
  e.faultReceive(0, FRAMES, 64, STEP, 0);
  flush();
  for (const [way, side] of [[OUT, WIRE], [IN, STACK]]) {
    assert.is(counter(way, "frames"), FRAMES);
    assertShare(counter(way, "lost"), 0.05, `lost ${way}`);
    assertShare(counter(way, "duplicated"), 0.01 * 0.95, `duplicated ${way}`);
    assertShare(counter(way, "corrupted"), 0.01 * 0.95, `corrupted ${way}`);
    assertShare(counter(way, "reordered"), 0.95 * 0.02 / (1 + 0.02), `reordered ${way}`, 0.003);
    const arrived = seen(side);
    assert.is(arrived.length, FRAMES - counter(way, "lost") + counter(way, "duplicated"), `frames through, way ${way}`);
    assert.is(counter(way, "passed"), arrived.length);
  }
  // The two directions' generators differ: the frames lost going out are not those lost coming in.
  const out = new Set(seen(WIRE)), into = new Set(seen(STACK));
  const lostOut = Array.from({ length: FRAMES }, (_, i) => i).filter((i) => !out.has(i));
  assert.ok(lostOut.filter((i) => !into.has(i)).length < lostOut.length / 2, "the directions lose different frames");
});

phy("a frame the device validated stays Validated through the faults (held, duplicated), unless they corrupt it", () => {
  create("dup:5,reorder:5,corrupt:5,seed:11");
  e.faultReceive(0, FRAMES, 64, STEP, 1);
  flush();
  const arrived = seen(STACK);
  const corrupted = arrived.filter((id) => id === -1).length;   // a corrupted frame may also be duplicated
  assert.ok(corrupted >= counter(IN, "corrupted") && counter(IN, "corrupted") > 4000, `${corrupted} frames arrived corrupted`);
  assert.is(Number(e.validatedChanged()), 0, "a corrupted frame was handed on as Validated");
  assert.is(Number(e.validatedIntact()), arrived.length - corrupted, "an intact frame lost its Validated");
});

phy("the same seed makes the same decisions; another seed other ones", () => {
  const run = (seed: number) => {
    create(`loss:5,dup:1,reorder:2,corrupt:1,seed:${seed}`);
    e.faultSend(0, 20_000, 64, STEP);
    e.faultReceive(0, 20_000, 64, STEP, 0);
    flush();
    return [seen(WIRE), seen(STACK)];
  };
  const first = run(7), again = run(7), other = run(8);
  assert.equal(again, first);
  assert.not.equal(other[0], first[0]);
  assert.not.equal(other[1], first[1]);
});

phy("reordering never loses a frame: each arrives once, at most one place late or early", () => {
  create("reorder:30,seed:5");
  e.faultSend(0, 10_000, 64, STEP);
  flush();
  const wire = seen(WIRE);
  assert.equal([...wire].sort((a, b) => a - b), Array.from({ length: 10_000 }, (_, i) => i));
  assert.ok(wire.every((id, i) => Math.abs(id - i) <= 1), "displaced by one at most");
  assert.ok(counter(OUT, "reordered") > 2000, `${counter(OUT, "reordered")} held back`);
});

phy("a held frame goes on with the next frame, or on a poll once held 50 ms, and not before", () => {
  create("reorder:100,seed:6");
  assert.ok(e.faultNeedsPoll());
  e.faultSend(0, 1, 64, STEP);
  assert.equal(seen(WIRE), []);
  e.faultPoll();
  assert.equal(seen(WIRE), [], "held for 10 µs: still held");
  e.faultSend(1, 1, 64, STEP);
  assert.equal(seen(WIRE), [1, 0], "released right after the next frame");
  e.faultSend(2, 1, 64, STEP);
  e.advance(e.holdNanos() - 1n);
  e.faultPoll();
  assert.equal(seen(WIRE), [1, 0]);
  e.advance(1n);
  e.faultPoll();
  assert.equal(seen(WIRE), [1, 0, 2], "released by the poll");
  create("loss:5");
  assert.not.ok(e.faultNeedsPoll(), "without reordering there is nothing to poll");
});

phy("the rate limit: 1000 frames a second, offered 10,000 a second for 10 s, lets 10,000 and a burst of 100 through", () => {
  create("rate:1000,seed:9");
  e.faultSend(0, FRAMES, 64, 100_000n);
  const passed = counter(OUT, "passed");
  assert.ok(passed >= 10_090 && passed <= 10_110, `${passed} through`);
  assert.is(counter(OUT, "limited"), FRAMES - passed);
  // Idle for a second refills the bucket to its burst, not beyond.
  e.advance(5_000_000_000n);
  e.faultSend(FRAMES, 1000, 64, 1n);
  assert.is(counter(OUT, "passed") - passed, 100);
});

phy("frames longer than 2048 bytes pass untouched, counted", () => {
  create("loss:100,seed:1");
  e.faultSend(0, 3, 2049, STEP);
  assert.is(counter(OUT, "oversize"), 3);
  assert.equal(seen(WIRE), [0, 1, 2]);
});

phy("loopback: each frame comes back once, in order, on the poll; a full queue refuses", () => {
  e.loopbackCreate(4, false);
  assert.is(BigInt.asUintN(48, e.loopbackMac()), 0x02_00_00_00_00_01n);
  for (let i = 0; i < 4; i++) assert.ok(e.loopbackSend(i, 60));
  assert.not.ok(e.loopbackSend(4, 60), "a fifth frame into four slots");
  assert.is(e.loopbackRefused(), 1n);
  assert.equal(seen(STACK), [], "nothing before the poll");
  e.loopbackPoll();
  assert.equal(seen(STACK), [0, 1, 2, 3]);
  e.loopbackPoll();
  assert.equal(seen(STACK), [0, 1, 2, 3], "each once");
  assert.ok(e.loopbackSend(5, 1514));
  e.loopbackPoll();
  assert.equal(seen(STACK), [0, 1, 2, 3, 5]);
});

phy("loopback: a receiver answering every frame gets one round a poll, and the queue never passes its bound", () => {
  e.loopbackCreate(4, true);
  for (let i = 0; i < 3; i++) e.loopbackSend(i, 60);
  e.loopbackPoll();
  assert.equal(seen(STACK), [0, 1, 2], "a poll delivers what was queued when it began");
  assert.is(e.loopbackQueued(), 3, "the answers wait for the next poll");
  e.loopbackPoll();
  assert.equal(seen(STACK), [0, 1, 2, 0, 1, 2]);
  // Random sends and polls against a model of a bounded first-in first-out queue.
  const random = generator(77);
  e.loopbackCreate(8, false);
  const model: number[] = [], delivered: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    if (random() < 0.6) {
      const accepted = Boolean(e.loopbackSend(i, 60 + Math.floor(random() * 1400)));
      assert.is(accepted, model.length < 8, `send ${i}`);
      if (accepted) model.push(i);
    } else {
      e.loopbackPoll();
      delivered.push(...model.splice(0));
    }
    assert.ok(e.loopbackQueued() <= 8);
    assert.is(e.loopbackQueued(), model.length);
  }
  assert.equal(seen(STACK), delivered);
});

phy("capture: a pcap file of both directions that tcpdump reads", () => {
  e.captureCreate();
  e.advance(500_000_123n);
  assert.ok(e.captureSend(1, 60));
  assert.ok(e.captureSend(2, 1514));
  e.capturePoll();
  assert.equal(seen(STACK), [1, 2]);
  assert.is(e.captureFrames(), 4n);
  const bytes = Buffer.from(Array.from({ length: e.captureLength() }, (_, i) => e.captureByte(i)));
  assert.is(bytes.length, 24 + 2 * (16 + 60) + 2 * (16 + 1514));
  assert.is(bytes.readUInt32LE(0), 0xa1b23c4d, "nanosecond magic");
  assert.equal([bytes.readUInt16LE(4), bytes.readUInt16LE(6), bytes.readUInt32LE(16), bytes.readUInt32LE(20)], [2, 4, 65535, 1]);
  let at = 24;
  const lengths: number[] = [];
  while (at < bytes.length) {
    assert.equal([bytes.readUInt32LE(at), bytes.readUInt32LE(at + 4)], [1, 500_000_123], "the clock's time");
    assert.is(bytes.readUInt32LE(at + 8), bytes.readUInt32LE(at + 12));
    lengths.push(bytes.readUInt32LE(at + 8));
    at += 16 + bytes.readUInt32LE(at + 8);
  }
  assert.equal(lengths, [60, 1514, 60, 1514], "sent, then received");
  assert.match(logged, /net: pcap: a frame of 1514 bytes took 0\.000 ms to write to memory/);
  const directory = mkdtempSync(join(tmpdir(), "capsid-pcap-"));
  try {
    writeFileSync(join(directory, "capture.pcap"), bytes);
    let output: string;
    try {
      output = execFileSync("tcpdump", ["-r", join(directory, "capture.pcap"), "-nn", "-e", "--time-stamp-precision=nano"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error: any) {
      if (error.code === "ENOENT") { console.log("  (tcpdump not installed: the file's bytes were checked above)"); return; }
      throw error;
    }
    // One line a packet (tcpdump dumps unknown EtherTypes' bytes on indented lines after it).
    const packets = output.split("\n").filter((line) => /^\d\d:\d\d:\d\d\.\d{9} /.test(line));
    assert.is(packets.length, 4, output);
    assert.match(packets[1], /length 1514/);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

phy.run();
