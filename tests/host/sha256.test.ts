// Host tests of the user runtime's SHA-256 (userspace/rt/sha256.ts) against node's crypto: every
// length around the padding's edges (0, 55, 56, 63, 64, 65, ...), 1 MiB, the same messages fed in
// pieces of many sizes, FIPS 180-4's examples, and reuse after reset.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";

let wasm: AssemblyScriptModule;
const e = () => wasm.exports;

test.before(() => {
  wasm = instantiate(compileAssemblyScript(join(REPOSITORY, "tests/host/entries/sha256.ts")));
});

const node = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A deterministic message of `length` bytes (xorshift32 from `seed`). */
function message(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** The runtime's digest of `bytes`, fed in pieces of `pieces` bytes in turn (all at once when
 * empty). */
function digest(bytes: Uint8Array, pieces: number[] = []): string {
  new Uint8Array(wasm.memory.buffer).set(bytes, e().inputAddress());
  e().reset();
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const length = pieces.length === 0 ? bytes.length : Math.min(pieces[i % pieces.length], bytes.length - offset);
    e().update(offset, length);
    offset += length;
  }
  return wasm.readString(e().finish());
}

test("FIPS 180-4's examples: \"abc\" and the two-block message", () => {
  assert.is(digest(Buffer.from("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.is(digest(Buffer.from("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  assert.is(digest(new Uint8Array(0)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

test("every length 0..300 equals node's crypto, whole and byte by byte", () => {
  for (let length = 0; length <= 300; length++) {
    const bytes = message(length, length + 1);
    assert.is(digest(bytes), node(bytes), `length ${length}`);
    assert.is(digest(bytes, [1]), node(bytes), `length ${length}, a byte at a time`);
  }
});

test("the padding's edges in pieces of many sizes", () => {
  for (const length of [55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096, 65537]) {
    const bytes = message(length, length * 7 + 3);
    for (const pieces of [[], [1], [3, 61], [63], [64], [65], [7, 64, 1, 128], [4096]]) {
      assert.is(digest(bytes, pieces), node(bytes), `length ${length}, pieces ${pieces.join(",") || "whole"}`);
    }
  }
});

test("1 MiB, whole and in pieces of a receive buffer's sizes", () => {
  const bytes = message(1 << 20, 12345);
  const expected = node(bytes);
  assert.is(digest(bytes), expected);
  assert.is(digest(bytes, [1460, 8192, 3]), expected);
  assert.is(digest(bytes.subarray(0, (1 << 20) - 1)), node(bytes.subarray(0, (1 << 20) - 1)));
});

test("reset starts a new message: the same digest on reuse", () => {
  const bytes = message(100, 9);
  assert.is(digest(bytes), node(bytes));
  assert.is(digest(bytes), node(bytes), "the same after reuse");
  assert.equal(wasm.aborts, []);
});

test.run();
