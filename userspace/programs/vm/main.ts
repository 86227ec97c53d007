// vm: regions made, changed and taken out through Memory.map, unmap and protect
// (docs/abi/interfaces/memory.md), checked from user mode with native loads and stores
// (tests/qemu/vm.test.ts). Argument 0: the run; it spawns itself with 1 (a write right after a
// protect to read-only, which must end it with the kernel's fault report) and 2 (touches past
// its split quota, which must end it with the quota's report). Argument 3: the figure, the
// demand-zero faults of FIGURE_PAGES pages timed (make bench).

import { Console, ExitKind, grant, Memory, MemoryAccess, ProcessSpawner, readTsc, startArgument, Steps, Timer } from "../../rt/index";
import { Interface } from "../../../abi/interfaces";
import { probeRead64, probeWrite64 } from "../../rt/probes";

const PAGE: u64 = 4096;
/** Outside every range the native layout keeps (kernel/loader/layout.ts). */
const REGION: u64 = 0x10_0000_0000;
const PAGES: u64 = 16;
const FIGURE_PAGES: u64 = 1024;
const NOT_FOUND: i64 = -4, UNALIGNED: i64 = -6, OUT_OF_RANGE: i64 = -7, ALREADY_MAPPED: i64 = -9, INVALID_ARGUMENT: i64 = -10;
const NOT_PERMITTED: i64 = -18;
/** ExitKind.Faulted's code for a page fault: the vector. */
const PAGE_FAULT: i32 = 14;

function at(page: u64): u64 { return REGION + page * PAGE; }

function expect(what: string, got: i64, wanted: i64): string {
  return got == wanted ? "" : what + " gave " + got.toString() + ", expected " + wanted.toString();
}

function run(console: Console, memory: Memory): i32 {
  const steps = new Steps(console, "vm");
  const used = memory.usedPages();
  steps.step("map 16 read-write pages", expect("map", memory.map(at(0), PAGES, MemoryAccess.ReadWrite), 0)
    + expect("pages charged by the map", memory.usedPages() - used, 0));
  let zeros = "";
  for (let page: u64 = 0; page < PAGES; page++) if (probeRead64(at(page) + page * 8) != 0) zeros = "page " + page.toString() + " not zero";
  const touched = memory.usedPages() - used;
  // 16 pages and their page tables: a directory and a table (the PDPT of the first 512 GiB is
  // the image's).
  steps.step("demand-zero pages read as zero, each charged when touched", zeros + expect("pages charged", touched, 16 + 2));
  for (let page: u64 = 0; page < PAGES; page++) probeWrite64(at(page) + 8, page * 0x1_0001);
  let pattern = "";
  for (let page: u64 = 0; page < PAGES; page++) if (probeRead64(at(page) + 8) != page * 0x1_0001) pattern = "page " + page.toString() + " lost its word";
  steps.step("written words read back", pattern);
  steps.step("protect 4 pages read-only; they still read", expect("protect", memory.protect(at(4), 4, MemoryAccess.Read), 0)
    + (probeRead64(at(5) + 8) == 5 * 0x1_0001 ? "" : "page 5 changed"));
  steps.step("unmap 4 pages gives their charge back", expect("unmap", memory.unmap(at(8), 4), 0)
    + expect("pages charged", memory.usedPages() - used, touched - 4));
  steps.step("map again where unmapped: zero again", expect("map", memory.map(at(8), 4, MemoryAccess.ReadWrite), 0)
    + (probeRead64(at(9) + 8) == 0 ? "" : "page 9 kept its old word"));
  steps.step("refusals in the documented order",
    expect("unaligned map", memory.map(at(0) + 1, 1, MemoryAccess.Read), UNALIGNED)
    + expect("map of 0 pages", memory.map(at(100), 0, MemoryAccess.Read), INVALID_ARGUMENT)
    + expect("map of access 3", memory.map(at(100), 1, <MemoryAccess>3), INVALID_ARGUMENT)
    + expect("map past the user half", memory.map(0x7fff_ffff_f000, 2, MemoryAccess.Read), OUT_OF_RANGE)
    + expect("map over a region", memory.map(at(15), 2, MemoryAccess.Read), ALREADY_MAPPED)
    + expect("map in linear memory's reservation", memory.map(0x1_8000_0000, 1, MemoryAccess.Read), NOT_PERMITTED)
    + expect("unmap of the program's text", memory.unmap(0x40_0000, 1), NOT_PERMITTED)
    + expect("protect of the program's text", memory.protect(0x40_0000, 1, MemoryAccess.ReadWrite), NOT_PERMITTED)
    + expect("protect where nothing is mapped", memory.protect(at(100), 1, MemoryAccess.Read), NOT_FOUND)
    + expect("unmap of 513 pages", memory.unmap(at(0), 513), INVALID_ARGUMENT));
  steps.step("unmap everything: every charge back", expect("unmap", memory.unmap(at(0), PAGES), 0)
    + expect("pages charged", memory.usedPages() - used, 2));
  return steps.failures;
}

/** Spawns this program with `argument` and checks that it ended by a page fault. */
function faultChild(steps: Steps, spawner: ProcessSpawner, grants: u64[], argument: u32, name: string): void {
  const child = spawner.spawn("vm", grants, argument);
  if (child === null) {
    steps.step(name, "spawn gave " + spawner.lastError.toString());
    return;
  }
  const status = child.wait();
  child.release();
  steps.step(name, status === null ? "wait failed"
    : status.kind != ExitKind.Faulted || status.code != PAGE_FAULT ? "it ended as kind " + (<u32>status.kind).toString() + " code " + status.code.toString() : "");
}

export function main(): i32 {
  const console = Console.granted();
  const memory = Memory.granted();
  if (console === null || memory === null) return 1;
  const argument = startArgument();
  if (argument == 1) {
    memory.map(at(0), 1, MemoryAccess.ReadWrite);
    probeWrite64(at(0), 1);
    memory.protect(at(0), 1, MemoryAccess.Read);
    probeWrite64(at(0), 2);   // the kernel ends the process here
    return 100;
  }
  if (argument == 2) {
    // The second Memory granted: a small split (the first, the account, pays for the process).
    const small = new Memory(grant(Interface.Memory, 1));
    small.map(at(0), 64, MemoryAccess.ReadWrite);
    for (let page: u64 = 0; page < 64; page++) probeWrite64(at(page), page);   // the quota runs out first
    return 100;
  }
  if (argument == 3) {
    const timer = Timer.granted();
    if (timer === null) return 1;
    memory.map(at(0), FIGURE_PAGES, MemoryAccess.ReadWrite);
    probeWrite64(at(0), 1);   // the tables, so that every fault timed is one page's
    const start = timer.now(), tsc = readTsc();
    for (let page: u64 = 1; page < FIGURE_PAGES; page++) probeWrite64(at(page), page);
    const ticks = readTsc() - tsc, nanos = timer.now() - start;
    console.line("vm: demand-zero fault: " + (nanos / (FIGURE_PAGES - 1)).toString() + " ns, " + (ticks / (FIGURE_PAGES - 1)).toString()
      + " TSC ticks a page (" + (FIGURE_PAGES - 1).toString() + " pages written)");
    return 0;
  }
  let failures = run(console, memory);
  const spawner = ProcessSpawner.granted();
  if (spawner === null) return 1;
  const steps = new Steps(console, "vm");
  faultChild(steps, spawner, [console.handle, memory.handle], 1, "a write right after protect to read-only ends the process");
  const small = memory.split(20);
  if (small === null) return 2;
  faultChild(steps, spawner, [console.handle, memory.handle, small.handle], 2, "a touch past the quota ends the process");
  small.release();
  failures += steps.failures;
  return failures == 0 ? 0 : 3;
}
