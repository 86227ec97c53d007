// vm: regions made, changed and taken out through Memory.map, unmap and protect
// (docs/abi/interfaces/memory.md), checked from user mode with native loads and stores, and
// copies of the process made by ThreadSpawner.fork (copy-on-write) (tests/qemu/vm.test.ts).
// Argument 0: the run; it spawns itself with 1 (a write right after a protect to read-only,
// which must end it with the kernel's fault report) and 2 (touches past its split quota, which
// must end it with the quota's report). Argument 3: the figures for make bench (bench/vm.ts):
// demand-zero faults, a fork of a process with 4 MiB more, copy-on-write breaks. A fork's child
// runs one function under the thread rules (userspace/rt/thread.ts: it does not allocate) and
// says what it saw through its exit code.

import {
  Console, ExitKind, forkProcess, grant, Memory, MemoryAccess, ProcessHandle, ProcessSpawner, readTsc, startArgument, Steps, threadExit, Timer,
} from "../../rt/index";
import { lastValue } from "../../rt/ring";
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

export { threadEnter } from "../../rt/thread";

/** A word of the program's own linear memory (its data, a Fixed region: copy-on-write in a fork). */
const WORD = memory.data(8, 8);
/** The fork tests' pages, in a region of their own. */
const FORKED: u64 = 32;
const CYCLES: i32 = 1000;

/** In a fork: sees the parent's words as they were, writes its own, and sees them. */
function childWrites(argument: u32): void {
  if (probeRead64(at(FORKED)) != 0xa1) threadExit(11);
  if (load<u64>(WORD) != 0x5151) threadExit(12);
  probeWrite64(at(FORKED), 0xb2);
  store<u64>(WORD, 0x6262);
  if (probeRead64(at(FORKED)) != 0xb2 || load<u64>(WORD) != 0x6262) threadExit(13);
  threadExit(0);
}

/** In a fork made just before the parent wrote 0xd4 over 0xc3: must see 0xc3 throughout. */
function childKeepsItsCopy(argument: u32): void {
  for (let i = 0; i < 20000; i++) if (probeRead64(at(FORKED + 1)) != 0xc3) threadExit(21);
  threadExit(0);
}

/** In a fork: writes the shared page (SHARED_PAGE), which its parent must then see. */
function childWritesShared(argument: u32): void {
  if (probeRead64(at(SHARED_PAGE)) != 0x11) threadExit(31);
  probeWrite64(at(SHARED_PAGE) + 8, 0x22);
  threadExit(0);
}

/** In a fork: writes one page and ends (the cycles). */
function childTouches(argument: u32): void {
  probeWrite64(at(FORKED + <u64>(argument & 3)), argument);
  threadExit(0);
}

/** In a fork: ends at once (the figures' fork). */
function childEnds(argument: u32): void {
  threadExit(0);
}

/** In a fork: writes `argument` pages shared with the parent from FIGURE_BASE on, each a
 * copy-on-write break, and ends with the TSC ticks they took a page. */
function childBreaks(argument: u32): void {
  const start = readTsc();
  for (let page: u64 = 0; page < <u64>argument; page++) probeWrite64(at(FIGURE_BASE + page), page);
  threadExit(<u64>((readTsc() - start) / <u64>argument));
}
const FIGURE_BASE: u64 = 4096;
const STACK_PAGE: u64 = 300;
const SHARED_PAGE: u64 = 400;

/** Forks `run(argument)` and waits for it: its exit code, or a negative error. */
function forkAndWait(run: (argument: u32) => void, argument: u32, grants: u64[]): i64 {
  const result = forkProcess(run, argument, grants);
  if (result < 0) return result;
  const child = new ProcessHandle(<u64>result, <u32>lastValue());
  const status = child.wait();
  child.release();
  if (status === null) return -1000;
  return status.kind == ExitKind.Exited ? <i64>status.code : -2000 - <i64>status.kind;
}

function forks(console: Console, memory: Memory): i32 {
  const steps = new Steps(console, "vm");
  memory.map(at(FORKED), 4, MemoryAccess.ReadWrite);
  probeWrite64(at(FORKED), 0xa1);
  store<u64>(WORD, 0x5151);
  const written = forkAndWait(childWrites, 0, []);
  steps.step("a fork sees the parent's memory; its writes are its own", expect("the child", written, 0)
    + (probeRead64(at(FORKED)) == 0xa1 && load<u64>(WORD) == 0x5151 ? "" : "the parent saw the child's writes"));
  probeWrite64(at(FORKED + 1), 0xc3);
  const result = forkProcess(childKeepsItsCopy, 0, []);
  probeWrite64(at(FORKED + 1), 0xd4);   // before the child has run
  let kept: i64 = result;
  if (result >= 0) {
    const child = new ProcessHandle(<u64>result, <u32>lastValue());
    const status = child.wait();
    child.release();
    kept = status === null ? -1000 : status.kind == ExitKind.Exited ? <i64>status.code : -2000;
  }
  steps.step("the parent's write after a fork is invisible to the child", expect("the child", kept, 0)
    + (probeRead64(at(FORKED + 1)) == 0xd4 ? "" : "the parent lost its own write"));
  const used = memory.usedPages();
  let cycles = "";
  for (let i = 0; i < CYCLES && cycles.length == 0; i++) {
    const code = forkAndWait(childTouches, <u32>i, []);
    if (code != 0) cycles = "cycle " + i.toString() + ": " + code.toString();
  }
  steps.step("1000 fork/touch/exit cycles leak nothing", cycles + expect("pages charged after", memory.usedPages() - used, 0));
  memory.unmap(at(FORKED), 4);
  // A shared memory object stays shared across a fork: the child's write reaches the parent.
  const used2 = memory.usedPages();
  const shared = memory.share(2);
  const mapped = shared === null ? -1 : shared.map(at(SHARED_PAGE), MemoryAccess.ReadWrite);
  probeWrite64(at(SHARED_PAGE), 0x11);
  const sharedCode = forkAndWait(childWritesShared, 0, []);
  steps.step("a shared memory object: a fork's write reaches the parent", (shared === null ? "share gave " + memory.lastError.toString() : "")
    + expect("map", mapped, 0) + expect("the child", sharedCode, 0)
    + (probeRead64(at(SHARED_PAGE) + 8) == 0x22 ? "" : "the parent did not see the child's write"));
  if (shared !== null) shared.release();
  // The object's record is gone with its capability; its two pages stay charged while mapped.
  const whileMapped = memory.usedPages();
  const unmapped = memory.unmap(at(SHARED_PAGE), 2);
  const after = memory.usedPages();
  steps.step("a shared memory object's charge stays while mapped, and comes back with the mapping",
    expect("pages charged while mapped, its capability released", whileMapped - used2, 2) + expect("unmap", unmapped, 0)
    + (whileMapped - after >= 2 && after <= used2 ? "" : "after the unmap " + after.toString() + " pages charged, " + whileMapped.toString() + " before it"));
  return steps.failures;
}

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
  // A stack: one page at STACK_PAGE that may grow down 8 pages more.
  const grown = memory.usedPages();
  const mapped = memory.map(at(STACK_PAGE), 1, MemoryAccess.ReadWrite, 8);
  probeWrite64(at(STACK_PAGE - 3) + 16, 77);
  steps.step("a stack region grows down on a touch below it", expect("map", mapped, 0)
    + (probeRead64(at(STACK_PAGE - 3) + 16) == 77 && probeRead64(at(STACK_PAGE - 1)) == 0 ? "" : "the grown pages did not read back")
    + expect("pages charged (the two touched)", memory.usedPages() - grown, 2)
    + expect("unmap of the grown region", memory.unmap(at(STACK_PAGE - 3), 4), 0)
    + expect("pages charged after", memory.usedPages() - grown, 0));
  return steps.failures;
}

/** The TSC ticks a fork of this process takes (the call, until the parent has its handle): the
 * median of FORK_ROUNDS, after one fork not timed (the first runs code TCG has not translated). */
function forkTicks(run: (argument: u32) => void): i64 {
  const rounds = new StaticArray<i64>(FORK_ROUNDS + 1);
  for (let round = 0; round <= FORK_ROUNDS; round++) {
    const start = readTsc();
    const result = forkProcess(run, 0, []);
    const ticks = <i64>(readTsc() - start);
    if (result < 0) return result;
    const child = new ProcessHandle(<u64>result, <u32>lastValue());
    child.wait();
    child.release();
    rounds[round] = ticks;
  }
  const timed = rounds.slice<StaticArray<i64>>(1);
  timed.sort();
  return timed[FORK_ROUNDS / 2];
}
const FORK_ROUNDS: i32 = 5;

function nanosOf(ticks: i64, nanosPerTick: f64): i64 {
  return <i64>(<f64>ticks * nanosPerTick);
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
    const nanosPerTick = <f64>nanos / <f64>ticks;
    memory.unmap(at(0), 512);
    memory.unmap(at(512), 512);
    // A fork with and without 4 MiB more mapped: the clone's part is the difference.
    const small = forkTicks(childEnds);
    memory.map(at(FIGURE_BASE), FIGURE_PAGES, MemoryAccess.ReadWrite);
    for (let page: u64 = 0; page < FIGURE_PAGES; page++) probeWrite64(at(FIGURE_BASE + page), page);
    const large = forkTicks(childEnds);
    console.line("vm: fork: " + nanosOf(small, nanosPerTick).toString() + " ns; with 4 MiB more mapped: " + nanosOf(large, nanosPerTick).toString()
      + " ns (" + small.toString() + " and " + large.toString() + " TSC ticks)");
    const breaks = forkAndWait(childBreaks, <u32>FIGURE_PAGES, []);
    console.line("vm: copy-on-write break: " + nanosOf(breaks, nanosPerTick).toString() + " ns, " + breaks.toString() + " TSC ticks a page ("
      + FIGURE_PAGES.toString() + " pages written by the child)");
    return 0;
  }
  let failures = run(console, memory) + forks(console, memory);
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
