// Host tests of the kernel's log line formatter (kernel/log/format.ts), compiled to wasm with
// asc and run under Node: number formats at their limits, the ASCII-only rule that keeps a
// logged string from forging a line, and truncation that never writes past the buffer.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";

const format = suite("log formatter");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;

format.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/log-format.ts"));
});
format.before.each(() => {
  wasm = instantiate(module);
});

function line(storageBytes: number, build: (buffer: number) => void): string {
  const buffer = wasm.exports.over(storageBytes);
  build(buffer);
  const length = wasm.exports.finish(buffer);
  return Buffer.from(wasm.bytes(wasm.exports.base(buffer), length)).toString("latin1");
}

format("unsigned decimals, zero to u64 max", () => {
  assert.is(line(64, (b) => wasm.exports.decimal(b, 0n)), "0");
  assert.is(line(64, (b) => wasm.exports.decimal(b, 42n)), "42");
  assert.is(line(64, (b) => wasm.exports.decimal(b, 18446744073709551615n)), "18446744073709551615");
});

format("signed decimals include i64 min", () => {
  assert.is(line(64, (b) => wasm.exports.signedDecimal(b, -1n)), "-1");
  assert.is(line(64, (b) => wasm.exports.signedDecimal(b, -9223372036854775808n)), "-9223372036854775808");
  assert.is(line(64, (b) => wasm.exports.signedDecimal(b, 9223372036854775807n)), "9223372036854775807");
});

format("hex with a minimum width", () => {
  assert.is(line(64, (b) => wasm.exports.hex(b, 0n, 1)), "0x0");
  assert.is(line(64, (b) => wasm.exports.hex(b, 0xdeadbeefn, 16)), "0x00000000deadbeef");
  assert.is(line(64, (b) => wasm.exports.hex(b, 0xffffffffffffffffn, 1)), "0xffffffffffffffff");
});

format("fixed point keeps leading zeros in the fraction", () => {
  assert.is(line(64, (b) => wasm.exports.fixed(b, 12345n, 3)), "12.345");
  assert.is(line(64, (b) => wasm.exports.fixed(b, 5n, 3)), "0.005");
  assert.is(line(64, (b) => wasm.exports.fixed(b, 7n, 0)), "7");
});

format("only printable ASCII: control characters and non-ASCII become '?'", () => {
  const forged = "ok\ncapsid: ready in 1.000 ms\r\x1b[2J é";
  const text = line(128, (b) => wasm.exports.text(b, wasm.string(forged)));
  assert.is(text, "ok?capsid: ready in 1.000 ms??[2J ?");
  assert.not.match(text, /[\n\r]/);
});

format("a line that does not fit ends in '...' and nothing is written past the buffer", () => {
  const storage = wasm.exports.storageAddress();
  const view = new Uint8Array(wasm.memory.buffer);
  const storageBytes = 16 + 10; // header + 10 text bytes
  view.fill(0xa5, storage + storageBytes, storage + storageBytes + 32);
  const text = line(storageBytes, (b) => {
    wasm.exports.text(b, wasm.string("0123456789abcdef"));
    wasm.exports.decimal(b, 123456789n);
  });
  assert.is(text, "0123456...");
  const after = new Uint8Array(wasm.memory.buffer, storage + storageBytes, 32);
  assert.ok(after.every((byte) => byte === 0xa5), "bytes past the buffer untouched");
});

format("an exactly full line is not marked truncated", () => {
  assert.is(line(16 + 4, (b) => wasm.exports.text(b, wasm.string("abcd"))), "abcd");
});

format("storage too small for a buffer is a broken invariant (abort)", () => {
  assert.throws(() => wasm.exports.over(19), /LineBuffer\.over: storage below 20 bytes/);
});

format.run();
