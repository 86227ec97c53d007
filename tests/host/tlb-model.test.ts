// Host tests of the process-switch strategies and page-table isolation (kernel/arch/
// address-switch.ts, kernel/vm/user-half.ts, kernel/vm/address-space.ts, kernel/memory/
// entry-area.ts), compiled to wasm from tests/host/entries/address-switch.ts:
// - the choice for every kind of CPU and command line;
// - exact switches of the accessed-bit strategy (which pages it drops, in which order);
// - the user-mode page tables walked (kernel/memory/entry-area.ts, userModeAudit);
// - a randomised model of several CPUs' TLBs (tests/host/tlb-model.ts) run against every strategy
//   with isolation off and on, on one CPU and on two; the accessed-bit strategy must fail it on
//   two CPUs (they share accessed bits, which is why it runs on one only);
// - every invalidation the strategies make is on a line marked `invalidation [strategies]`, and
//   with each one removed in turn (the entry compiled again with that line gone) the model fails.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript } from "./assemblyscript";
import { ModelFailure, PAGE, TlbModel, type Scenario, type Strategy } from "./tlb-model";

const tlb = suite("process switch");
const ENTRY = join(REPOSITORY, "tests/host/entries/address-switch.ts");
let module: WebAssembly.Module;
tlb.before(() => {
  module = compileAssemblyScript(ENTRY);
});

const hex = (value: bigint) => "0x" + value.toString(16);
const INTEL = 0, AMD = 1, OTHER = 2;
const ACCESSED_BITS = 0, CR3 = 1, PCID = 2;
const STRATEGIES: Strategy[] = ["accessed", "cr3", "pcid"];
/** Seeds and steps per run of the model: every configuration passes them all. */
const SEEDS = 12, STEPS = 250;

function runModel(scenario: Scenario, compiled = module): ModelFailure | null {
  try {
    new TlbModel(compiled, scenario).run();
    return null;
  } catch (error) {
    if (error instanceof ModelFailure) return error;
    throw error;
  }
}

/** The first model failure over `seeds` seeds of `base`, or null. */
function firstFailure(base: Omit<Scenario, "seed">, seeds: number, compiled = module): ModelFailure | null {
  for (let seed = 1; seed <= seeds; seed++) {
    const failure = runModel({ ...base, seed }, compiled);
    if (failure) return failure;
  }
  return null;
}

// --- the choice ----------------------------------------------------------------------------------

tlb("the choice: CR3 per address space on hardware; the accessed-bit shortcut under TCG with one CPU running user code; isolation where Meltdown may apply", () => {
  const wasm = new TlbModel(module, { strategy: "cr3", isolation: false, cpus: 1, seed: 1, steps: 0, large: false }).wasm;
  const e = wasm.exports;
  const choose = (vendor: number, tcg: boolean, pcid: boolean, rdclNo: boolean, switchWord = "", isolationWord = "", userCpus = 1) => {
    e.choose(vendor, tcg, true, pcid, rdclNo, wasm.string(switchWord), wasm.string(isolationWord), userCpus);
    return {
      strategy: e.choiceStrategy() as number, name: wasm.readString(e.choiceStrategyName()), why: wasm.readString(e.choiceStrategyReason()),
      isolation: !!e.choiceIsolation(), isolationWhy: wasm.readString(e.choiceIsolationReason()),
    };
  };
  const tcg = choose(INTEL, true, false, false);
  assert.equal([tcg.strategy, tcg.isolation], [ACCESSED_BITS, false], "QEMU's TCG");
  assert.is(tcg.why, "QEMU's TCG, where a CR3 load empties the whole TLB; one CPU runs user code");
  assert.is(tcg.isolationWhy, "QEMU's TCG: nothing speculates");
  assert.is(tcg.name, "INVLPG of the previous space's accessed pages in one PML4's user half");
  const tcgTwo = choose(INTEL, true, false, false, "", "", 2);
  assert.is(tcgTwo.strategy, CR3, "TCG with two CPUs running user code");
  assert.is(tcgTwo.why, "QEMU's TCG, but 2 CPUs run user code and share accessed bits");

  const intel = choose(INTEL, false, true, false);
  assert.equal([intel.strategy, intel.isolation], [CR3, true], "an Intel CPU without RDCL_NO: PCID stays off though it has one");
  assert.is(intel.why, "the hardware default; PCID stays off until it has run on real hardware");
  assert.is(intel.isolationWhy, "an Intel CPU without RDCL_NO: Meltdown may apply");
  assert.is(intel.name, "CR3 per address space", "isolation on: kernel pages are not global");
  const fixed = choose(INTEL, false, true, true);
  assert.equal([fixed.strategy, fixed.isolation, fixed.name], [CR3, false, "CR3 per address space, global kernel pages"], "RDCL_NO");
  assert.is(fixed.isolationWhy, "the CPU says RDCL_NO: Meltdown does not apply");
  const amd = choose(AMD, false, true, false);
  assert.equal([amd.strategy, amd.isolation], [CR3, false], "AMD");
  assert.is(amd.isolationWhy, "an AMD CPU: Meltdown does not apply");
  assert.is(choose(OTHER, false, false, false).isolation, true, "neither Intel nor AMD: assumed affected");

  // The words force each path; a strategy the CPU cannot run safely falls back to CR3, saying why.
  assert.equal(choose(INTEL, true, false, false, "cr3", "on").strategy, CR3);
  assert.is(choose(INTEL, true, false, false, "cr3", "on").isolation, true);
  assert.is(choose(INTEL, false, true, false, "", "off").isolationWhy, "isolation=off");
  assert.is(choose(INTEL, false, true, false, "pcid").strategy, PCID);
  const noPcid = choose(INTEL, true, false, false, "pcid");
  assert.equal([noPcid.strategy, noPcid.why], [CR3, "switch=pcid, but this CPU has no PCID"]);
  assert.is(choose(INTEL, false, false, false, "accessed").strategy, ACCESSED_BITS, "forced on Intel: sound, if no faster");
  const amdAccessed = choose(AMD, false, false, false, "accessed");
  assert.equal([amdAccessed.strategy, amdAccessed.why], [CR3, "switch=accessed refused: neither QEMU's TCG nor an Intel CPU"]);
  const twoAccessed = choose(INTEL, true, false, false, "accessed", "", 2);
  assert.equal([twoAccessed.strategy, twoAccessed.why], [CR3, "switch=accessed refused: 2 CPUs run user code and share accessed bits"]);
  const unknown = choose(INTEL, true, false, false, "fast", "maybe");
  assert.equal([unknown.strategy, unknown.isolation], [ACCESSED_BITS, false]);
  assert.is(unknown.why, "switch=fast ignored; QEMU's TCG, where a CR3 load empties the whole TLB; one CPU runs user code");
  assert.is(unknown.isolationWhy, "isolation=maybe ignored; QEMU's TCG: nothing speculates");
  assert.equal(wasm.aborts, []);
});

// --- exact switches of the accessed-bit strategy -------------------------------------------------

/** A model that only records: no scenario runs, no speculation. */
function recorder(strategy: Strategy, isolation = false) {
  const model = new TlbModel(module, { strategy, isolation, cpus: 1, seed: 1, steps: 0, large: false });
  const invalidated: bigint[] = [];
  let cr3Loads = 0;
  const cpu = model.cpus[0];
  const invalidatePage = model.invalidatePage.bind(model), loadCr3 = model.loadCr3.bind(model);
  model.invalidatePage = (on, virtual) => {
    invalidated.push(virtual);
    onInvalidate?.(virtual);
    invalidatePage(on, virtual);
  };
  model.loadCr3 = (on, value) => {
    cr3Loads++;
    loadCr3(on, value);
  };
  let onInvalidate: ((virtual: bigint) => void) | null = null;
  return {
    model, e: model.e, cpu, invalidated, loads: () => cr3Loads,
    setOnInvalidate: (hook: ((virtual: bigint) => void) | null) => (onInvalidate = hook),
    /** A space with pages at `pages` (in this order). */
    space: (pages: bigint[]) => {
      const index = model.e.spaceCreate() as number;
      for (const page of pages) assert.ok(model.e.spaceMap(index, page, 1) !== 0n, `${hex(page)} mapped`);
      return index;
    },
    /** Sets the accessed flag of a page's leaf entry, as a CPU caching its translation does. */
    touch: (space: number, virtual: bigint) => {
      const saved = cpu.cr3;
      cpu.cr3 = BigInt.asUintN(64, model.e.spacePml4(space));
      model.fill(cpu, virtual, false);
      cpu.cr3 = saved;
    },
  };
}

const A = 0x40_0000n, B = 0x40_1000n, C = 0x40_3000n, STACK = 0x7ffe_ffff_f000n, RING = 0x1_0000_1000n;

tlb("accessed bits: leaving a space drops exactly its accessed pages in mapping order, clears their flags, loads no CR3; hiding loads CR3", () => {
  const r = recorder("accessed");
  const first = r.space([RING, A, B, C, STACK]), second = r.space([RING, A]);
  const loads = r.loads();
  r.e.cpuShow(0, first);
  assert.equal(r.invalidated, [], "nothing shown before: nothing to drop");
  r.touch(first, STACK);
  r.touch(first, A);
  r.e.cpuShow(0, second);
  assert.equal(r.invalidated, [A, STACK], "the accessed pages in mapping order");
  r.invalidated.length = 0;
  r.e.cpuShow(0, first);
  assert.equal(r.invalidated, [RING], "the second touched nothing: one INVLPG for the paging-structure caches");
  r.invalidated.length = 0;
  r.e.cpuShow(0, second);
  assert.equal(r.invalidated, [RING], "the flags were cleared: nothing accessed since");
  assert.is(r.loads(), loads, "no CR3 load");
  r.e.cpuHide(0, second);
  assert.is(r.loads(), loads + 1, "hiding a space about to be freed loads CR3");
  assert.equal(r.model.wasm.aborts, []);
});

tlb("accessed bits: a page cached through the paging-structure caches before the first INVLPG is read again and dropped", () => {
  const r = recorder("accessed");
  const first = r.space([RING, A, B, C, STACK]), second = r.space([RING]);
  r.e.cpuShow(0, first);
  r.touch(first, STACK);
  // As a CPU might while the scan runs: two pages cached (their flags set) before the first
  // INVLPG empties the paging-structure caches, one read before it and one after.
  r.setOnInvalidate(() => {
    r.setOnInvalidate(null);
    r.touch(first, A);
    r.touch(first, C);
  });
  r.e.cpuShow(0, second);
  assert.equal(r.invalidated, [STACK, A, C]);
  assert.equal(r.model.wasm.aborts, []);
});

tlb("accessed bits: a space of more than 512 pages is left by a CR3 load instead of a scan", () => {
  const r = recorder("accessed");
  const small = r.space([RING]);
  const pages = (count: bigint) => Array.from({ length: Number(count) }, (_, i) => 0x2_0000_0000n + BigInt(i) * PAGE);
  const fits = r.space(pages(512n)), large = r.space(pages(513n));
  for (const [space, loadsExpected] of [[fits, 0], [large, 1]] as const) {
    r.e.cpuShow(0, space);
    const loads = r.loads();
    r.invalidated.length = 0;
    r.e.cpuShow(0, small);
    assert.is(r.loads() - loads, loadsExpected, `${loadsExpected ? "513" : "512"} pages`);
    assert.is(r.invalidated.length, loadsExpected ? 0 : 1);
  }
  assert.equal(r.model.wasm.aborts, []);
});

tlb("CR3 per address space: a switch is one CR3 load of the space's PML4; PCID: keeps the TLB, but flushes a PCID handed out again", () => {
  const r = recorder("cr3");
  const spaces = [r.space([RING, A]), r.space([RING, B])];
  const loads = r.loads();
  r.e.cpuShow(0, spaces[0]);
  r.e.cpuShow(0, spaces[1]);
  assert.equal([r.loads() - loads, r.invalidated], [2, []]);
  assert.is(r.cpu.cr3, BigInt.asUintN(64, r.e.spacePml4(spaces[1])));

  const p = recorder("pcid");
  const cr3s: bigint[] = [];
  const load = p.model.loadCr3.bind(p.model);
  p.model.loadCr3 = (on, value) => { cr3s.push(value); load(on, value); };
  const many = Array.from({ length: 10 }, () => p.space([RING]));
  for (const space of [0, 1, 0, ...Array.from({ length: 9 }, (_, i) => i + 1), 0].map((i) => many[i])) p.e.cpuShow(0, space);
  const flushes = cr3s.map((value) => ((value >> 63n) === 0n ? Number(value & 0xfffn) : -Number(value & 0xfffn)));
  // PCIDs 1-8 in turn: a new one flushes (positive), a space back on its own keeps (negative);
  // the ninth space takes PCID 1 again, flushing it; space 0 has lost its PCID and takes the next.
  assert.equal(flushes, [1, 2, -1, -2, 3, 4, 5, 6, 7, 8, 1, 2, 3]);
  assert.equal(p.model.wasm.aborts, []);
});

// --- the user-mode page tables -------------------------------------------------------------------

tlb("isolation: the user-mode page tables map the shown space's user half and, of the kernel, only the entry area; the walk names anything else", () => {
  const r = recorder("cr3", true);
  const space = r.space([RING, A, STACK]);
  r.e.cpuShow(0, space);
  assert.is(r.model.wasm.readString(r.e.audit(0, space)), "");
  // FAKE_IMAGE: 2 pages of entry text; descriptors 0x13_6000-0x13_8000; then the entry stack and
  // the IST stacks, each above an unmapped guard, up to 0x17_0000.
  assert.is(r.model.wasm.readString(r.e.auditCounts()), "2 2 2 52");
  const user = Number(BigInt.asUintN(64, r.e.cpuUserPml4(0)));
  const view = r.model.view();
  // Broken on purpose: the direct map's PML4 entry copied in, then a user half not the space's.
  const kernel = Number(BigInt.asUintN(64, r.e.kernelPml4Address()));
  view.setBigUint64(user + 256 * 8, view.getBigUint64(kernel + 256 * 8, true), true);
  // (Its first 2 MiB are 4 KiB pages: the kernel image's alias there is read-only.)
  assert.is(r.model.wasm.readString(r.e.audit(0, space)), "0xffff800000000000 is outside the entry area");
  view.setBigUint64(user + 256 * 8, 0n, true);
  view.setBigUint64(user + 3 * 8, view.getBigUint64(kernel + 511 * 8, true), true);
  assert.is(r.model.wasm.readString(r.e.audit(0, space)), "user-half entry 3 is not the space's");
  assert.equal(r.model.wasm.aborts, []);
});

// --- the randomised model ------------------------------------------------------------------------

for (const strategy of STRATEGIES) {
  for (const isolation of [false, true]) {
    const cpuCounts = strategy === "accessed" ? [1] : [1, 2];
    for (const cpus of cpuCounts) {
      tlb(`model: ${strategy}, isolation ${isolation ? "on" : "off"}, ${cpus} CPU${cpus > 1 ? "s" : ""}: no stale translation over ${SEEDS} random runs`, () => {
        const failure = firstFailure({ strategy, isolation, cpus, steps: STEPS, large: strategy === "accessed" }, SEEDS);
        assert.is(failure?.message ?? null, null);
      });
    }
  }
}

tlb("model: the accessed-bit strategy on two CPUs fails (a CPU clears accessed flags the other's TLB depends on)", () => {
  const failure = firstFailure({ strategy: "accessed", isolation: false, cpus: 2, steps: STEPS, large: false }, SEEDS);
  assert.ok(failure !== null, "the model found no stale translation");
  assert.match(failure!.message, /stale/);
});

// --- each invalidation removed --------------------------------------------------------------------

const STRATEGY_FILES = ["kernel/vm/user-half.ts", "kernel/vm/address-space.ts"];
const MARK = /\/\/ invalidation \[([\w ]+)\]: (.*)$/;

interface Marked { file: string; line: number; strategies: Strategy[]; isolation: boolean; what: string }

function markedLines(): Marked[] {
  const marked: Marked[] = [];
  for (const file of STRATEGY_FILES) {
    readFileSync(join(REPOSITORY, file), "utf8").split("\n").forEach((text, index) => {
      const match = MARK.exec(text);
      if (!match) return;
      const words = match[1].split(" ");
      marked.push({ file, line: index + 1, strategies: words.filter((word): word is Strategy => STRATEGIES.includes(word as Strategy)), isolation: words.includes("isolation"), what: match[2] });
    });
  }
  return marked;
}

tlb("every TLB invalidation of the strategies is on a marked line", () => {
  const unmarked: string[] = [];
  for (const file of STRATEGY_FILES) {
    readFileSync(join(REPOSITORY, file), "utf8").split("\n").forEach((text, index) => {
      if (/\binvalidatePage\(|\bcr3Load\(|writeControlRegister\(3/.test(text.replace(/\/\/.*$/, "")) && !/^\s*(function|export function)/.test(text) && !MARK.test(text)) {
        unmarked.push(`${file}:${index + 1}: ${text.trim()}`);
      }
    });
  }
  // Not invalidations of their own: cr3Load's body (its callers are marked), and the load that
  // puts a new CPU on its own view (cpuSwitchCreate).
  assert.equal(unmarked.filter((line) => !/writeControlRegister\(3, (kernelView|kernel)\);/.test(line)), []);
  assert.ok(markedLines().length >= 9, `marked lines found: ${markedLines().length}`);
});

/** The entry compiled with line `line` of `file` removed (its code, the mark kept as a comment). */
async function compileWithout(marked: Marked): Promise<WebAssembly.Module> {
  const asc: any = await import("assemblyscript/asc");
  const target = join(REPOSITORY, marked.file);
  let output: Uint8Array | null = null, mutated = false;
  const stderr: string[] = [];
  const result = await asc.main([ENTRY, "--config", join(REPOSITORY, "asconfig.json"), "--target", "host-test", "-o", "mutant.wasm"], {
    readFile: async (name: string, baseDir: string) => {
      const path = resolve(baseDir, name);
      let text: string;
      try { text = readFileSync(path, "utf8"); } catch { return null; }
      if (path !== target) return text;
      const lines = text.split("\n");
      lines[marked.line - 1] = lines[marked.line - 1].replace(/^(\s*).*?(\/\/ invalidation)/, "$1$2");
      mutated = true;
      return lines.join("\n");
    },
    writeFile: async (name: string, contents: Uint8Array) => { if (name.endsWith(".wasm")) output = contents; },
    listFiles: async () => [],
    stdout: { write: () => true }, stderr: { write: (text: string) => (stderr.push(String(text)), true) },
  });
  if (result.error || !output || !mutated) throw new Error(`compiling without ${marked.file}:${marked.line} failed: ${result.error ?? (mutated ? "no output" : "the file was not read")}\n${stderr.join("")}`);
  return new WebAssembly.Module(output);
}

tlb("each invalidation removed, the model fails", async () => {
  const survivors: string[] = [];
  for (const marked of markedLines()) {
    const mutant = await compileWithout(marked);
    let failure: ModelFailure | null = null;
    for (const strategy of marked.strategies) {
      for (const isolation of marked.isolation ? [true] : [false, true]) {
        failure = firstFailure({ strategy, isolation, cpus: 1, steps: STEPS, large: strategy === "accessed" }, 3 * SEEDS, mutant);
        if (failure === null) survivors.push(`${marked.file}:${marked.line} (${marked.what}) removed: ${strategy}, isolation ${isolation ? "on" : "off"} passes`);
      }
    }
  }
  assert.equal(survivors, []);
});

tlb.run();
