// check: the process-isolation test driver (started with test=user init=check; the QEMU test is
// tests/qemu/processes.test.ts). Runs every probe once and checks how it ended, checks that a
// released handle is stale, then runs SPAWN_CYCLES spawn/exit cycles mixing plain exits with
// capabilities held, kills and faults. Exits 0 when everything matched; the kernel then checks
// that every frame and object came back.

import {
  atomicAdd32, atomicCompareExchange32, atomicLoad32, atomicStore32, Console, ExitKind, ExitStatus, Memory, ProcessSpawner, Timer,
} from "../../rt/index";

import { RING_TEST_RING_PHYSICAL } from "../../../abi/ring";
import { USER_RING_LINEAR } from "../../../abi/layout";

function memory_data_word(): usize {
  return memory.data(8, 8);
}

const SPAWN_CYCLES = 1000;
const KILLED_EXIT_CODE = -9;
const PAGE_FAULT = 14, GENERAL_PROTECTION = 13;

class Expectation {
  constructor(readonly probe: u32, readonly name: string, readonly kind: ExitKind, readonly code: i32) {}
}

const EXPECTATIONS: Expectation[] = [
  new Expectation(0, "exit holding capabilities", ExitKind.Exited, 7),
  new Expectation(1, "read the direct map", ExitKind.Faulted, PAGE_FAULT),
  new Expectation(2, "read kernel text", ExitKind.Faulted, PAGE_FAULT),
  new Expectation(3, "cli", ExitKind.Faulted, GENERAL_PROTECTION),
  new Expectation(4, "in", ExitKind.Faulted, GENERAL_PROTECTION),
  new Expectation(5, "int 0x30", ExitKind.Faulted, GENERAL_PROTECTION),
  new Expectation(6, "hlt", ExitKind.Faulted, GENERAL_PROTECTION),
  new Expectation(7, "wasm divide by zero", ExitKind.Faulted, PAGE_FAULT),
  new Expectation(8, "wasm unreachable", ExitKind.Faulted, PAGE_FAULT),
  new Expectation(9, "load from wasm null", ExitKind.Faulted, PAGE_FAULT),
  new Expectation(10, "write own text", ExitKind.Faulted, PAGE_FAULT),
  new Expectation(11, "stack overflow", ExitKind.Faulted, PAGE_FAULT),
  new Expectation(12, "call a handle not held", ExitKind.Exited, 0),
  new Expectation(14, "abort", ExitKind.Exited, -1),
  new Expectation(15, "write the kernel half", ExitKind.Faulted, PAGE_FAULT),
  new Expectation(18, "unaligned atomic", ExitKind.Faulted, PAGE_FAULT),
];

/** Runs two probes at once (arguments `first` and `second`) to their end: 1 when both exited
 * with code 0, 0 when either did not, -1 when one could not be spawned. */
function pairExitsZero(spawner: ProcessSpawner, grants: u32[], first: u32, second: u32): i32 {
  const one = spawner.spawn("probe", grants, first), two = spawner.spawn("probe", grants, second);
  if (one === null || two === null) return -1;
  const oneStatus = one.wait(), twoStatus = two.wait();
  one.release();
  two.release();
  const exitedZero = (status: ExitStatus | null): bool => status !== null && status.kind == ExitKind.Exited && status.code == 0;
  return exitedZero(oneStatus) && exitedZero(twoStatus) ? 1 : 0;
}

function describe(status: ExitStatus): string {
  const how = status.kind == ExitKind.Exited ? "exited " : status.kind == ExitKind.Killed ? "killed " : "faulted ";
  return how + status.code.toString();
}

export function main(): i32 {
  const console = Console.granted();
  const spawner = ProcessSpawner.granted();
  const memory = Memory.granted();
  const timer = Timer.granted();
  if (console === null || spawner === null || memory === null || timer === null) return 1;
  const grants: u32[] = [console.handle, memory.handle, timer.handle];
  let failures = 0;

  for (let i = 0; i < EXPECTATIONS.length; i++) {
    const expected = EXPECTATIONS[i];
    console.line("check: probe " + expected.probe.toString() + ": " + expected.name);
    const child = spawner.spawn("probe", grants, expected.probe);
    if (child === null) { console.line("check: spawn failed " + spawner.lastError.toString()); return 2; }
    const status = child.wait();
    child.release();
    if (status === null || status.kind != expected.kind || status.code != expected.code) {
      console.line("check: FAIL probe " + expected.probe.toString() + ": " + (status !== null ? describe(status) : "wait failed"));
      failures++;
    }
  }

  // A killed process, and a handle used after its release.
  const sleeper = spawner.spawn("probe", grants, 13);
  if (sleeper === null) return 3;
  timer.sleep(20_000_000);
  if (sleeper.kill() != 0) { console.line("check: FAIL kill"); failures++; }
  const killed = sleeper.wait();
  if (killed === null || killed.kind != ExitKind.Killed || killed.code != KILLED_EXIT_CODE) { console.line("check: FAIL killed status"); failures++; }
  sleeper.release();
  if (sleeper.wait() !== null || sleeper.lastError != -11) { console.line("check: FAIL released handle still works"); failures++; }
  console.line("check: kill and stale handle checked");

  // The atomics imports: add, compare-exchange (both outcomes), load and store.
  const word = memory_data_word();
  atomicStore32(word, 5);
  for (let i = 0; i < 1000; i++) atomicAdd32(word, 3);
  const swapped = atomicCompareExchange32(word, 3005, 7), missed = atomicCompareExchange32(word, 3005, 9);
  if (atomicLoad32(word) != 7 || swapped != 3005 || missed != 7) { console.line("check: FAIL atomics"); failures++; }
  console.line("check: atomics checked");

  // Another process's ring: this one's, whose physical address test runs put in the startup block.
  const ringPhysical = load<u32>(<usize>USER_RING_LINEAR + RING_TEST_RING_PHYSICAL);
  console.line("check: probe 19: read another process's ring at physical 0x" + ringPhysical.toString(16));
  const reader = spawner.spawn("probe", grants, ringPhysical | 19);
  if (reader === null) return 7;
  const readerStatus = reader.wait();
  reader.release();
  if (ringPhysical == 0 || readerStatus === null || readerStatus.kind != ExitKind.Faulted || readerStatus.code != PAGE_FAULT) {
    console.line("check: FAIL another process's ring was readable");
    failures++;
  }

  // Two processes summing in SSE registers at once, preempted by the tick: each result exact.
  const sums = pairExitsZero(spawner, grants, 16, 17);
  if (sums < 0) return 6;
  if (sums == 0) {
    console.line("check: FAIL SSE state across preemption");
    failures++;
  }
  console.line("check: SSE sums in two preempted processes exact");

  // Two copies of one program, same addresses, own values, preempted by the tick: every page a
  // switch leaves behind must be gone from the TLB (kernel/proc/user-half.ts).
  const own = pairExitsZero(spawner, grants, 20 | (1 << 12), 20 | (2 << 12));
  if (own < 0) return 6;
  if (own == 0) {
    console.line("check: FAIL a process saw another's pages");
    failures++;
  }
  console.line("check: two processes at the same addresses each read only their own pages");

  // Spawn/exit cycles: plain exits holding capabilities, kills, and a fault every tenth.
  for (let i = 0; i < SPAWN_CYCLES; i++) {
    const probe: u32 = i % 10 == 9 ? 9 : i % 3 == 1 ? 13 : 0;
    const child = spawner.spawn("probe", grants, probe);
    if (child === null) { console.line("check: FAIL cycle " + i.toString() + " spawn " + spawner.lastError.toString()); return 4; }
    if (probe == 13) child.kill();
    const status = child.wait();
    const expectedKind = probe == 9 ? ExitKind.Faulted : probe == 13 ? ExitKind.Killed : ExitKind.Exited;
    if (status === null || status.kind != expectedKind) { console.line("check: FAIL cycle " + i.toString()); failures++; }
    child.release();
  }
  console.line("check: " + SPAWN_CYCLES.toString() + " spawn/exit cycles done");
  console.line("check: " + (failures == 0 ? "all passed" : failures.toString() + " failures"));
  return failures == 0 ? 0 : 5;
}
