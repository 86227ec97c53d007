// Host tests of the kernel image's mapping decisions (kernel/memory/kernel-image.ts): text
// read-only and executable, rodata and symbols read-only and no-execute, data writable and
// no-execute, every stack guard page and every gap unmapped.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate } from "./assemblyscript";

const OFFSET = 0xffff_ffff_8000_0000n;
const page = (physical: number) => OFFSET + BigInt(physical);
const UNMAPPED = 0, TEXT = 1, READ_ONLY = 2, WRITABLE = 3;
const WRITABLE_FLAG = 2n, NO_EXECUTE = 1n << 63n;

// A layout shaped like the real one (boot segment below 1 MiB + 36 KiB is not part of it).
const LAYOUT = {
  virtualOffset: OFFSET, textStart: page(0x109000), textEnd: page(0x111000), rodataStart: page(0x111000),
  rodataEnd: page(0x113000), dataStart: page(0x113000), symbolsStart: page(0x157000), imageEnd: page(0x159000),
  kernelStackGuard: page(0x120000), doubleFaultStackGuard: page(0x131000), nmiStackGuard: page(0x136000),
  pageFaultStackGuard: page(0x13b000), entryTextStart: page(0x109000), entryTextEnd: page(0x10b000),
  entryDataStart: page(0x12c000), entryDataEnd: page(0x140000), entryStackGuard: page(0x12e000),
};

function decide() {
  const wasm = instantiate(compileAssemblyScript(join(REPOSITORY, "tests/host/entries/kernel-image.ts")));
  const view = new BigUint64Array(wasm.memory.buffer, wasm.exports.layoutAddress(), Object.keys(LAYOUT).length);
  Object.values(LAYOUT).forEach((value, i) => (view[i] = value));
  return {
    kind: (v: bigint) => wasm.exports.kind(v) as number, flags: (v: bigint) => BigInt.asUintN(64, wasm.exports.flags(v)),
    inEntryArea: (v: bigint) => !!wasm.exports.inEntryArea(v),
  };
}

test("each section gets its kind and flags", () => {
  const { kind, flags } = decide();
  assert.is(kind(page(0x109000)), TEXT);
  assert.is(flags(page(0x109000)), 0n, "text: not writable, executable");
  assert.is(kind(page(0x110000)), TEXT);
  assert.is(kind(page(0x111000)), READ_ONLY);
  assert.is(flags(page(0x111000)), NO_EXECUTE);
  assert.is(kind(page(0x113000)), WRITABLE);
  assert.is(flags(page(0x113000)), WRITABLE_FLAG | NO_EXECUTE);
  assert.is(kind(page(0x157000)), READ_ONLY, "the symbol table");
  assert.is(kind(page(0x158000)), READ_ONLY);
});

test("stack guard pages and everything outside the image are unmapped", () => {
  const { kind } = decide();
  for (const guard of [LAYOUT.kernelStackGuard, LAYOUT.doubleFaultStackGuard, LAYOUT.nmiStackGuard, LAYOUT.pageFaultStackGuard, LAYOUT.entryStackGuard]) {
    assert.is(kind(guard), UNMAPPED, `guard ${guard.toString(16)}`);
    assert.is(kind(guard + 0x1000n), WRITABLE, "the stack above its guard");
  }
  assert.is(kind(page(0x108000)), UNMAPPED, "below the text (the boot segment)");
  assert.is(kind(page(0x159000)), UNMAPPED, "past the image end");
  assert.is(kind(page(0x100000)), UNMAPPED);
});

test("the entry area: the entry text and the entry data, nothing around them", () => {
  const { inEntryArea, kind } = decide();
  assert.ok(inEntryArea(page(0x109000)) && inEntryArea(page(0x10a000)), "the entry text");
  assert.ok(!inEntryArea(page(0x10b000)), "the rest of the text");
  assert.ok(inEntryArea(page(0x12c000)) && inEntryArea(page(0x13f000)), "the entry data");
  assert.ok(inEntryArea(LAYOUT.entryStackGuard) && kind(LAYOUT.entryStackGuard) === UNMAPPED, "a guard in it stays unmapped");
  assert.ok(!inEntryArea(page(0x12b000)) && !inEntryArea(page(0x140000)), "the data around it");
});

test.run();
