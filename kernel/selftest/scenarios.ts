// In-kernel test scenarios, selected by "test=NAME" on the command line (README.md). A
// scenario returns Pass or Fail; one that is meant to crash the kernel never returns, and the
// test that boots it expects the panic report. Scenarios are called through a function table
// so the optimiser cannot inline them: panic reports then name the scenario itself.

import { debugExit, readTsc } from "../arch/hw";
import { consoleInputConsume } from "../console/input";
import { DEBUG_EXIT_FAIL, DEBUG_EXIT_PASS } from "../arch/layout";
import { log, logEnd, logLine } from "../log/log";
import { clockTscHz, tscToNanos } from "../time/clock";
import { tickHz, tickObserve } from "../time/tick";
import { consoleBenchScenario, screenScenario } from "./screen";
import { userAccessProbe } from "./user-access";
import { userRunArm } from "./user-run";

export enum SelfTestResult {
  Pass = 0,
  Fail = 1,
  /** The scenario goes on in interrupt handlers and ends the run itself. */
  Pending = 2,
}

/** Reached by a scenario that should not get here. */
function stillAlive(name: string): SelfTestResult {
  logLine().text("selftest: ").text(name).text(" returned; it should have ended the kernel");
  logEnd();
  return SelfTestResult.Fail;
}

function bootScenario(): SelfTestResult {
  return SelfTestResult.Pass;
}

function unreachableScenario(): SelfTestResult {
  log("selftest: executing a wasm unreachable");
  unreachable();
  return stillAlive("unreachable");
}

/** A kernel read outside RAM: above 4 GiB in the direct map, which is never mapped. */
function outOfBoundsScenario(): SelfTestResult {
  const outOfBoundsBase = state.outOfBoundsBase;
  const address: u64 = <u64>outOfBoundsBase + 0x100;
  logLine().text("selftest: reading kernel linear memory address ").hex(address);
  logEnd();
  const value = load<u32>(outOfBoundsBase, 0x100);
  logLine().text("selftest: read ").hex(value);
  logEnd();
  return stillAlive("out-of-bounds");
}

function divideByZeroScenario(): SelfTestResult {
  log("selftest: dividing by zero");
  const quotient = 1 / state.divisor;
  logLine().text("selftest: quotient ").signedDecimal(quotient);
  logEnd();
  return stillAlive("divide-by-zero");
}

function abortScenario(): SelfTestResult {
  log("selftest: calling abort()");
  abort("deliberate abort from the abort scenario");
  return stillAlive("abort");
}

/** An implicit AssemblyScript bounds check (array index past the end): an abort with a position. */
function arrayIndexScenario(): SelfTestResult {
  const values: i32[] = [1, 2, 3];
  log("selftest: indexing an array of 3 at 3");
  const value = values[state.arrayIndex];
  logLine().text("selftest: got ").signedDecimal(value);
  logEnd();
  return stillAlive("array-index");
}

/** A read of page 0: an AssemblyScript null dereference. */
function nullScenario(): SelfTestResult {
  log("selftest: reading kernel linear memory address 0x8");
  const value = load<u32>(state.nullAddress, 8);
  logLine().text("selftest: read ").hex(value);
  logEnd();
  return stillAlive("null");
}

/** Unbounded recursion: the kernel stack's guard page stops it. */
/** Unreachable in practice (the guard page stops the recursion long before), but unknown to
 * the optimisers: without a way out, gcc proves the recursion never returns and makes it a
 * jump to itself; and with `f(d + 1) + d` it makes a loop with an accumulator. */
function recurse(depth: u32): u32 {
  if (depth == state.recursionLimit) return depth;
  const result = recurse(depth + 1);
  return result ^ (result >> 3) ^ depth;
}
function stackOverflowScenario(): SelfTestResult {
  state.recursionLimit = <u32>(readTsc() | 0x8000_0000);
  log("selftest: recursing without bound");
  const result = recurse(0);
  logLine().text("selftest: recursion returned ").decimal(result);
  logEnd();
  return stillAlive("stack-overflow");
}

/** An indirect call through the function table with the wrong signature. The signature used
 * must exist in the table (echoConsumer's), or binaryen proves the call always traps and
 * compiles it to `unreachable`. */
function indirectCallScenario(): SelfTestResult {
  log("selftest: calling a () => SelfTestResult function as (u8) => void");
  // A Function object starts with its table index; the index is read through an array the
  // optimiser cannot see through, or binaryen turns the mismatched call into `unreachable`.
  const targets = [changetype<usize>(bootScenario)];
  const tableIndex = load<u32>(targets[<i32>(readTsc() >> 63)]);
  call_indirect<void>(tableIndex, <u8>65);
  log("selftest: the mismatched call returned");
  return stillAlive("indirect-call");
}

/** The tick rate, over at least one second of TSC time, within 2 % of the configured rate. */
const TICK_MEASURE_NANOS: u64 = 1_200_000_000;
function tickObserver(count: u64): void {
  if (state.firstTsc == 0) {
    state.firstTsc = readTsc();
    state.firstTick = count;
    return;
  }
  const nanos = tscToNanos(readTsc() - state.firstTsc);
  if (nanos < TICK_MEASURE_NANOS) return;
  tickObserve(null);
  const ticks = count - state.firstTick;
  const milliHz = ticks * 1_000_000_000_000 / nanos;   // measured rate in mHz
  const configured = <u64>tickHz() * 1000;
  const deviation = milliHz > configured ? milliHz - configured : configured - milliHz;
  const withinTwoPercent = deviation * 50 <= configured;
  logLine().text("selftest: tick: ").decimal(ticks).text(" ticks in ").fixed(nanos / 1000, 3).text(" ms of TSC time = ")
    .fixed(milliHz, 3).text(" Hz, configured ").decimal(tickHz()).text(" Hz, deviation ").fixed(deviation * 100_000 / configured, 3)
    .text(" %");
  logEnd();
  debugExit(withinTwoPercent ? DEBUG_EXIT_PASS : DEBUG_EXIT_FAIL);
}
function tickScenario(): SelfTestResult {
  logLine().text("selftest: measuring the tick over ").decimal(TICK_MEASURE_NANOS / 1_000_000).text(" ms of TSC time (TSC ")
    .decimal(clockTscHz()).text(" Hz)");
  logEnd();
  tickObserve(tickObserver);
  return SelfTestResult.Pending;
}

/** Echoes one line typed on the serial console (received through the COM1 interrupt). */
const ECHO_CAPACITY: i32 = 200;
function echoConsumer(byte: u8): void {
  if (byte == 0x0d || byte == 0x0a) {
    consoleInputConsume(null);
    const line = logLine().text("selftest: echo: ");
    for (let i = 0; i < state.echoLength; i++) line.byte(state.echoBytes[i] >= 0x20 && state.echoBytes[i] < 0x7f ? state.echoBytes[i] : 0x3f);
    logEnd();
    debugExit(DEBUG_EXIT_PASS);
    return;
  }
  if (state.echoLength < ECHO_CAPACITY) state.echoBytes[state.echoLength++] = byte;
}
function echoScenario(): SelfTestResult {
  log("selftest: echo: waiting for a line on the serial console");
  consoleInputConsume(echoConsumer);
  return SelfTestResult.Pending;
}

/** Runs user space (init=NAME picks the program) and checks the kernel after it (user-run.ts). */
function userScenario(): SelfTestResult {
  return userRunArm() ? SelfTestResult.Pending : SelfTestResult.Fail;
}

/** Draws known text and echoes a typed line (screen.ts); ends the run at the next key. */
function screenTestScenario(): SelfTestResult {
  return screenScenario() ? SelfTestResult.Pending : SelfTestResult.Fail;
}

function consoleBenchTestScenario(): SelfTestResult {
  return consoleBenchScenario() ? SelfTestResult.Pass : SelfTestResult.Fail;
}

function smapScenario(): SelfTestResult {
  return userAccessProbe(false) ? SelfTestResult.Pass : SelfTestResult.Fail;
}

function smepScenario(): SelfTestResult {
  return userAccessProbe(true) ? SelfTestResult.Pass : SelfTestResult.Fail;
}

class ScenariosState {
  /** Values the optimisers cannot see through, so each crash scenario really crashes. */
  outOfBoundsBase: usize = 0xffff_fff0;
  divisor: i32 = 0;
  arrayIndex: i32 = 3;
  nullAddress: usize = 0;
  recursionLimit: u32 = 0;
  /** The tick scenario's first tick and TSC. */
  firstTick: u64 = 0;
  firstTsc: u64 = 0;
  /** The echo scenario's line. */
  echoBytes: StaticArray<u8> = new StaticArray<u8>(ECHO_CAPACITY);
  echoLength: i32 = 0;
}
const state = new ScenariosState();

const NAMES: string[] = [
  "boot", "unreachable", "out-of-bounds", "divide-by-zero", "abort", "array-index",
  "null", "stack-overflow", "indirect-call", "tick", "echo", "user", "smap", "smep", "screen", "console-bench",
];
const SCENARIOS: Array<() => SelfTestResult> = [
  bootScenario,
  unreachableScenario,
  outOfBoundsScenario,
  divideByZeroScenario,
  abortScenario,
  arrayIndexScenario,
  nullScenario,
  stackOverflowScenario,
  indirectCallScenario,
  tickScenario,
  echoScenario,
  userScenario,
  smapScenario,
  smepScenario,
  screenTestScenario,
  consoleBenchTestScenario,
];

/** Index of the scenario called `name`, or -1. */
export function selfTestFind(name: string): i32 {
  for (let i = 0; i < NAMES.length; i++) if (NAMES[i] == name) return i;
  return -1;
}

export function selfTestRun(index: i32): SelfTestResult {
  return SCENARIOS[index]();
}

/** The scenario names, for the "unknown scenario" message. */
export function selfTestNames(): string {
  return NAMES.join(", ");
}
