// Host tests of the kernel's random generator: the ChaCha20 block function against RFC 8439's
// vectors and against OpenSSL's ChaCha20 (Node's crypto) for seeded random keys, nonces and
// counters; the generator's fast key erasure (its output is the documented ChaCha20 stream, the
// key changes with every request, equal seeds give equal streams and a different seed a
// different one); and the RTC's calendar arithmetic against JavaScript's Date.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createCipheriv } from "node:crypto";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

const random = suite("random: ChaCha20 and the generator");
const calendar = suite("rtc: calendar arithmetic");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let e: Record<string, any>;

const setUp = () => {
  module ??= compileAssemblyScript(join(REPOSITORY, "tests/host/entries/random.ts"));
  wasm = instantiate(module, { hw: {} });
  e = wasm.exports;
};
random.before.each(setUp);
calendar.before.each(setUp);

const bytes = (hex: string) => Buffer.from(hex.replace(/[\s:]/g, ""), "hex");
const put = (address: number, value: Buffer) => new Uint8Array(wasm.memory.buffer).set(value, address);
const get = (address: number, length: number) => Buffer.from(wasm.bytes(address, length));

/** OpenSSL's ChaCha20 key stream: its IV is the 32-bit counter (little-endian) then the nonce. */
function openssl(key: Buffer, counter: number, nonce: Buffer, length: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeUInt32LE(counter, 0);
  nonce.copy(iv, 4);
  return createCipheriv("chacha20", key, iv).update(Buffer.alloc(length));
}

function block(key: Buffer, counter: number, nonce: Buffer): Buffer {
  put(e.keyAddress(), key);
  put(e.nonceAddress(), nonce);
  e.block(counter);
  return get(e.blockAddress(), 64);
}

random("RFC 8439 2.3.2: the block function's test vector", () => {
  const key = bytes("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const nonce = bytes("000000090000004a00000000");
  assert.is(block(key, 1, nonce).toString("hex"), bytes(`
    10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e
    d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e`).toString("hex"));
});

random("RFC 8439 A.1: key stream test vector 1 (all zero)", () => {
  assert.is(block(Buffer.alloc(32), 0, Buffer.alloc(12)).toString("hex"), bytes(`
    76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7
    da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586`).toString("hex"));
});

random("the block function equals OpenSSL's ChaCha20 for seeded random inputs", () => {
  const seed = Date.now() % 100_000;
  const next = generator(seed);
  const randomBytes = (length: number) => Buffer.from(Array.from({ length }, () => Math.floor(next() * 256)));
  for (let i = 0; i < 200; i++) {
    const key = randomBytes(32), nonce = randomBytes(12), counter = Math.floor(next() * 2 ** 32);
    assert.is(block(key, counter, nonce).toString("hex"), openssl(key, counter, nonce, 64).toString("hex"), `seed ${seed}, case ${i}`);
  }
});

/** The generator's documented construction, in JavaScript: the seeded key is the first half of
 * block 0 under (zero key XOR seed); a request takes block 0's first half as the next key and
 * hands out the rest of block 0, then blocks 1, 2, ... under the same key. */
class Model {
  key = Buffer.alloc(32);
  seed(seed: Buffer) {
    const mixed = Buffer.from(this.key.map((byte, i) => byte ^ seed[i]));
    this.key = openssl(mixed, 0, Buffer.alloc(12), 64).subarray(0, 32);
  }
  fill(length: number): Buffer {
    const stream = openssl(this.key, 0, Buffer.alloc(12), 64 * (1 + Math.ceil(length / 64)));
    this.key = Buffer.from(stream.subarray(0, 32));
    return Buffer.from(stream.subarray(32, 32 + length));
  }
}

random("the generator hands out the documented stream and changes its key with every request", () => {
  const seed = bytes("5eed5eed00112233445566778899aabbccddeeff0123456789abcdef01234567");
  put(e.keyAddress(), seed);
  assert.not.ok(e.seeded());
  e.seed();
  assert.ok(e.seeded());
  const model = new Model();
  model.seed(seed);
  const seen = new Set<string>();
  for (const length of [0, 1, 31, 32, 33, 64, 100, 4096, 7, 4096]) {
    e.fill(length);
    const out = get(e.outputAddress(), length);
    assert.is(out.toString("hex"), model.fill(length).toString("hex"), `a request of ${length} bytes`);
    if (length >= 16) {
      assert.not.ok(seen.has(out.subarray(0, 16).toString("hex")), "no request repeats an earlier one");
      seen.add(out.subarray(0, 16).toString("hex"));
    }
  }
});

random("equal seeds give equal streams; a seed that differs in one bit gives another", () => {
  const run = (seed: Buffer) => {
    setUp();
    put(e.keyAddress(), seed);
    e.seed();
    e.fill(256);
    return get(e.outputAddress(), 256).toString("hex");
  };
  const seed = Buffer.alloc(32, 7);
  const flipped = Buffer.from(seed);
  flipped[31] ^= 1;
  assert.is(run(seed), run(Buffer.from(seed)));
  assert.is.not(run(seed), run(flipped));
});

random("an unseeded generator is a kernel bug, and so is a request over 4096 bytes (aborts)", () => {
  assert.throws(() => e.fill(16), /never seeded/);
  setUp();
  e.seed();
  assert.throws(() => e.fill(4097), /GENERATOR_REQUEST_MAXIMUM/);
});

calendar("civil dates to Unix seconds and back agree with Date.UTC, leap days included", () => {
  const seed = Date.now() % 100_000;
  const next = generator(seed);
  const cases: number[][] = [[1970, 1, 1, 0, 0, 0], [2000, 2, 29, 12, 0, 0], [2024, 2, 29, 23, 59, 59], [2100, 3, 1, 0, 0, 0],
    [9999, 12, 31, 23, 59, 59], [2026, 12, 4, 16, 30, 0]];
  for (let i = 0; i < 500; i++) {
    const seconds = Math.floor(next() * 253402300800);
    const date = new Date(seconds * 1000);
    cases.push([date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]);
  }
  for (const [year, month, day, hour, minute, second] of cases) {
    const expected = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
    const where = `${year}-${month}-${day} ${hour}:${minute}:${second} (seed ${seed})`;
    assert.is(Number(e.toUnix(year, month, day, hour, minute, second)), expected, where);
    const civil = BigInt(year) * 10_000_000_000n + BigInt(month) * 100_000_000n + BigInt(day) * 1_000_000n
      + BigInt(hour * 10_000 + minute * 100 + second);
    assert.is(e.toCivil(BigInt(expected)), civil, `back: ${where}`);
  }
});

calendar("an impossible date is -1: month 13, February 29 of 2100, day 0, hour 24, before 1970", () => {
  for (const fields of [[2026, 13, 1, 0, 0, 0], [2100, 2, 29, 0, 0, 0], [2026, 4, 31, 0, 0, 0], [2026, 1, 0, 0, 0, 0],
    [2026, 1, 1, 24, 0, 0], [2026, 1, 1, 0, 60, 0], [2026, 1, 1, 0, 0, 60], [1969, 12, 31, 23, 59, 59]]) {
    assert.is(e.toUnix(...fields), -1n, fields.join(" "));
  }
});

random.run();
calendar.run();
