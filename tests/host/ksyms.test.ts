// The panic reports' symbol table (tools/ksyms.ts) maps wasm2c's C names back to AssemblyScript
// names by re-deriving wasm2c's mangling. If a wasm2c release changed it, reports would silently
// show C names: this test checks the rule against the real generated kernel.c.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { wasm2cName, wasmFunctionNames } from "../../tools/ksyms";

const WASM = join(REPOSITORY, "build/kernel.wasm");
const GENERATED_C = join(REPOSITORY, "build/wasm/kernel.c");

test("mangling rule", () => {
  assert.is(wasm2cName("~lib/rt/tlsf/removeBlock"), "w2c__lib_rt_tlsf_removeBlock");
  assert.is(wasm2cName("kernel/log/format/LineBuffer#text"), "w2c_kernel_log_format_LineBuffer_text");
});

test("every AssemblyScript function of the kernel has the C name the rule predicts", () => {
  assert.ok(existsSync(WASM) && existsSync(GENERATED_C), "run `make iso` first (make test does)");
  const names = wasmFunctionNames(readFileSync(WASM));
  assert.ok(names.length > 20, "the name section lists the kernel's functions");
  const generated = readFileSync(GENERATED_C, "utf8");
  const missing = names.filter((name) => !generated.includes(` ${wasm2cName(name)}(`));
  assert.equal(missing, [], "functions whose predicted C name is absent");
});

test.run();
