// The machine layout is written twice, once per language (arch/x86_64/layout.h for C, asm and
// the linker script; kernel/arch/layout.ts and abi/layout.ts for AssemblyScript), plus asc's --memoryBase in
// asconfig.json. This test keeps them equal.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEBUG_EXIT, REPOSITORY } from "../qemu-runner/runner";

function cDefines(): Map<string, bigint> {
  const defines = new Map<string, bigint>();
  const text = readFileSync(join(REPOSITORY, "arch/x86_64/layout.h"), "utf8");
  for (const match of text.matchAll(/^#define\s+(\w+)\s+(0x[0-9a-fA-F]+|\d+)\b/gm)) defines.set(match[1], BigInt(match[2]));
  return defines;
}

for (const file of ["kernel/arch/layout.ts", "abi/layout.ts"]) {
  test(`every constant in ${file} equals its layout.h twin`, () => {
    const defines = cDefines();
    const text = readFileSync(join(REPOSITORY, file), "utf8");
    const constants = [...text.matchAll(/^export const (\w+): \w+ = (0x[0-9a-fA-F_]+|[\d_]+);/gm)];
    assert.ok(constants.length >= 5, `${file} constants found`);
    for (const [, name, value] of constants) {
      assert.ok(defines.has(name), `${name} is defined in layout.h`);
      assert.is(BigInt(value.replace(/_/g, "")), defines.get(name), name);
    }
  });
}

test("asc --memoryBase is KERNEL_HEAP_START", () => {
  const config = JSON.parse(readFileSync(join(REPOSITORY, "asconfig.json"), "utf8"));
  assert.is(BigInt(config.targets.kernel.memoryBase), cDefines().get("KERNEL_HEAP_START"));
});

test("the test runner's debug-exit codes are the kernel's", () => {
  const defines = cDefines();
  assert.is(BigInt(DEBUG_EXIT.pass), defines.get("DEBUG_EXIT_PASS"));
  assert.is(BigInt(DEBUG_EXIT.fail), defines.get("DEBUG_EXIT_FAIL"));
  assert.is(BigInt(DEBUG_EXIT.panic), defines.get("DEBUG_EXIT_PANIC"));
});

test("every offset in kernel/arch/context.ts equals its arch/x86_64/user_context.h twin", () => {
  const header = readFileSync(join(REPOSITORY, "arch/x86_64/user_context.h"), "utf8");
  const defines = new Map([...header.matchAll(/^#define\s+(CONTEXT_\w+)\s+(0x[0-9a-fA-F]+)\b/gm)].map(([, name, value]) => [name, BigInt(value)]));
  const text = readFileSync(join(REPOSITORY, "kernel/arch/context.ts"), "utf8");
  const constants = [...text.matchAll(/^export const (CONTEXT_\w+): u32 = (0x[0-9a-fA-F]+);/gm)];
  assert.ok(constants.length >= 10, "context.ts offsets found");
  for (const [, name, value] of constants) {
    assert.ok(defines.has(name), `${name} is defined in user_context.h`);
    assert.is(BigInt(value), defines.get(name), name);
  }
});

test.run();
