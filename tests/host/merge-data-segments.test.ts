// tools/merge-data-segments.ts must leave linear memory exactly as the original segments would:
// gaps zero, overlapping segments applied in order. Modules it cannot merge safely (passive
// segments) come back unchanged. Modules are written in the text format and built by wat2wasm.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mergeDataSegments } from "../../tools/merge-data-segments";

function wat(text: string): Uint8Array {
  const directory = mkdtempSync(join(tmpdir(), "capsid-wat-"));
  writeFileSync(join(directory, "module.wat"), text);
  execFileSync("wat2wasm", [join(directory, "module.wat"), "-o", join(directory, "module.wasm")]);
  return readFileSync(join(directory, "module.wasm"));
}

function memoryOf(module: Uint8Array): Uint8Array {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(module));
  return new Uint8Array((instance.exports.memory as WebAssembly.Memory).buffer.slice(0, 0x3000));
}

test("merged segments initialise memory identically, later segments winning", () => {
  const original = wat(`(module (memory (export "memory") 1)
    (data (i32.const 0x1000) "abcdef")
    (data (i32.const 0x2000) "\\01\\02\\03")
    (data (i32.const 0x1002) "XY")
    (func (export "f") (result i32) (i32.load8_u (i32.const 0x2001))))`);
  const merged = mergeDataSegments(original);
  assert.is(merged.before, 3);
  assert.is(merged.after, 2, "cut again at the 4 KiB zero gap, not stored");
  assert.equal(memoryOf(merged.module), memoryOf(original));
  assert.is(Buffer.from(memoryOf(merged.module).subarray(0x1000, 0x1006)).toString(), "abXYef");
});

test("segments close together become one", () => {
  const original = wat(`(module (memory (export "memory") 1)
    (data (i32.const 0x1000) "one") (data (i32.const 0x1010) "two") (data (i32.const 0x1020) "three"))`);
  const merged = mergeDataSegments(original);
  assert.is(merged.after, 1);
  assert.equal(memoryOf(merged.module), memoryOf(original));
});

test("a module with a passive segment is left unchanged", () => {
  const original = wat(`(module (memory (export "memory") 1)
    (data (i32.const 0x1000) "abc")
    (data "passive")
    (func (export "f") (memory.init 1 (i32.const 0) (i32.const 0) (i32.const 3))))`);
  const result = mergeDataSegments(original);
  assert.is(result.after, result.before);
  assert.equal(result.module, original);
});

test.run();
