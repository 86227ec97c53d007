// In-kernel test scenarios, selected by "test=NAME" on the command line (README.md). A
// scenario returns Pass or Fail; one that is meant to crash the kernel never returns, and the
// test that boots it expects the panic report. Scenarios are called through a function table
// so the optimiser cannot inline them: panic reports then name the scenario itself.

import { log, logEnd, logLine } from "../log/log";

export enum SelfTestResult {
  Pass = 0,
  Fail = 1,
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
let outOfBoundsBase: usize = 0xffff_fff0;
function outOfBoundsScenario(): SelfTestResult {
  const address: u64 = <u64>outOfBoundsBase + 0x100;
  logLine().text("selftest: reading kernel linear memory address ").hex(address);
  logEnd();
  const value = load<u32>(outOfBoundsBase, 0x100);
  logLine().text("selftest: read ").hex(value);
  logEnd();
  return stillAlive("out-of-bounds");
}

let divisor: i32 = 0;
function divideByZeroScenario(): SelfTestResult {
  log("selftest: dividing by zero");
  const quotient = 1 / divisor;
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
let arrayIndex: i32 = 3;
function arrayIndexScenario(): SelfTestResult {
  const values: i32[] = [1, 2, 3];
  log("selftest: indexing an array of 3 at 3");
  const value = values[arrayIndex];
  logLine().text("selftest: got ").signedDecimal(value);
  logEnd();
  return stillAlive("array-index");
}

const NAMES: string[] = ["boot", "unreachable", "out-of-bounds", "divide-by-zero", "abort", "array-index"];
const SCENARIOS: Array<() => SelfTestResult> = [
  bootScenario,
  unreachableScenario,
  outOfBoundsScenario,
  divideByZeroScenario,
  abortScenario,
  arrayIndexScenario,
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
