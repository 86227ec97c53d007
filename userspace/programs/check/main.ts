// check: the process-isolation test driver (started with test=user init=check; the QEMU test is
// tests/qemu/processes.test.ts). Runs every probe once and checks how it ended, kills a process
// and checks that its released handle is stale, checks the atomics, runs probe pairs at once, then
// SPAWN_CYCLES spawn/exit cycles mixing plain exits with capabilities held, kills and faults. Each
// step prints "check: PASS step" or "check: FAIL step: what was seen"; exits 0 when every step
// passed. The kernel then checks that every frame and object came back.

import {
  atomicAdd32, atomicCompareExchange32, atomicLoad32, atomicStore32, Console, ExitKind, ExitStatus, Memory, ProcessSpawner, Timer,
  Steps,
} from "../../rt/index";
import { KernelError } from "../../../abi/errors";
import { RING_TEST_RING_PHYSICAL } from "../../../abi/ring";
import { USER_RING_LINEAR } from "../../../abi/layout";

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

function describe(status: ExitStatus | null): string {
  if (status === null) return "wait failed";
  const how = status.kind == ExitKind.Exited ? "exited " : status.kind == ExitKind.Killed ? "killed " : "faulted ";
  return how + status.code.toString();
}


/** Runs two probes at once (arguments `first` and `second`) to their end: "" when both exited
 * with code 0, else what each did. */
function pairExitsZero(spawner: ProcessSpawner, grants: u64[], first: u32, second: u32): string {
  const one = spawner.spawn("probe", grants, first), two = spawner.spawn("probe", grants, second);
  if (one === null || two === null) return "spawn failed with " + spawner.lastError.toString();
  const oneStatus = one.wait(), twoStatus = two.wait();
  one.release();
  two.release();
  const exitedZero = (status: ExitStatus | null): bool => status !== null && status.kind == ExitKind.Exited && status.code == 0;
  if (exitedZero(oneStatus) && exitedZero(twoStatus)) return "";
  return "one " + describe(oneStatus) + ", the other " + describe(twoStatus);
}

/** Runs probe `argument` alone to its end: "" when it ended as `kind` with `code`. */
function probeEnds(spawner: ProcessSpawner, grants: u64[], argument: u32, kind: ExitKind, code: i32): string {
  const child = spawner.spawn("probe", grants, argument);
  if (child === null) return "spawn failed with " + spawner.lastError.toString();
  const status = child.wait();
  child.release();
  if (status !== null && status.kind == kind && status.code == code) return "";
  return describe(status) + ", expected " + describe(new ExitStatus(code, kind));
}

function memory_data_word(): usize {
  return memory.data(8, 8);
}

export function main(): i32 {
  const console = Console.granted();
  const spawner = ProcessSpawner.granted();
  const memory = Memory.granted();
  const timer = Timer.granted();
  if (console === null || spawner === null || memory === null || timer === null) return 1;
  const grants: u64[] = [console.handle, memory.handle, timer.handle];
  const steps = new Steps(console, "check");

  for (let i = 0; i < EXPECTATIONS.length; i++) {
    const expected = EXPECTATIONS[i];
    console.line("check: probe " + expected.probe.toString() + ": " + expected.name);
    steps.step("probe " + expected.probe.toString() + " (" + expected.name + ")", probeEnds(spawner, grants, expected.probe, expected.kind, expected.code));
  }

  // A killed process, and a handle used after its release.
  const sleeper = spawner.spawn("probe", grants, 13);
  if (sleeper === null) {
    steps.step("kill", "spawn failed with " + spawner.lastError.toString());
    steps.step("released handle is stale", "no process to release");
  } else {
    timer.sleep(20_000_000);
    const killResult = sleeper.kill();
    const killed = sleeper.wait();
    steps.step("kill", killResult == 0 && killed !== null && killed.kind == ExitKind.Killed && killed.code == KILLED_EXIT_CODE
      ? "" : "kill gave " + killResult.toString() + ", then the process " + describe(killed));
    sleeper.release();
    const stale = sleeper.wait();
    steps.step("released handle is stale", stale === null && sleeper.lastError == -KernelError.InvalidHandle
      ? "" : "wait on the released handle gave " + (stale !== null ? describe(stale) : sleeper.lastError.toString()));
  }

  // The atomics imports: add, compare-exchange (both outcomes), load and store.
  const word = memory_data_word();
  atomicStore32(word, 5);
  for (let i = 0; i < 1000; i++) atomicAdd32(word, 3);
  const swapped = atomicCompareExchange32(word, 3005, 7), missed = atomicCompareExchange32(word, 3005, 9);
  const loaded = atomicLoad32(word);
  steps.step("atomics", loaded == 7 && swapped == 3005 && missed == 7
    ? "" : "load " + loaded.toString() + ", swapped " + swapped.toString() + ", missed " + missed.toString() + " (expected 7, 3005, 7)");

  // Another process's ring: this one's, whose physical address test runs put in the startup block.
  const ringPhysical = load<u32>(<usize>USER_RING_LINEAR + RING_TEST_RING_PHYSICAL);
  console.line("check: probe 19: read another process's ring at physical 0x" + ringPhysical.toString(16));
  steps.step("probe 19 (read another process's ring)", ringPhysical == 0
    ? "the startup block gave no ring address" : probeEnds(spawner, grants, ringPhysical | 19, ExitKind.Faulted, PAGE_FAULT));

  // Two processes summing in SSE registers at once, preempted by the tick: each result exact.
  steps.step("SSE sums in two preempted processes", pairExitsZero(spawner, grants, 16, 17));

  // Two copies of one program, same addresses, own values, preempted by the tick: every page a
  // switch leaves behind must be gone from the TLB (kernel/proc/user-half.ts).
  steps.step("two processes at the same addresses read only their own pages", pairExitsZero(spawner, grants, 20 | (1 << 12), 20 | (2 << 12)));

  // Spawn/exit cycles: plain exits holding capabilities, kills, and a fault every tenth.
  let wrong = 0, first = "";
  for (let i = 0; i < SPAWN_CYCLES; i++) {
    const probe: u32 = i % 10 == 9 ? 9 : i % 3 == 1 ? 13 : 0;
    const child = spawner.spawn("probe", grants, probe);
    if (child === null) { wrong++; if (first.length == 0) first = "cycle " + i.toString() + ": spawn failed with " + spawner.lastError.toString(); continue; }
    if (probe == 13) child.kill();
    const status = child.wait();
    const expectedKind = probe == 9 ? ExitKind.Faulted : probe == 13 ? ExitKind.Killed : ExitKind.Exited;
    if (status === null || status.kind != expectedKind) {
      wrong++;
      if (first.length == 0) first = "cycle " + i.toString() + ": probe " + probe.toString() + " " + describe(status);
    }
    child.release();
  }
  steps.step(SPAWN_CYCLES.toString() + " spawn/exit cycles", wrong == 0 ? "" : wrong.toString() + " ended wrongly, first " + first);
  console.line("check: " + steps.total.toString() + " steps, " + steps.failures.toString() + " failed");
  return steps.failures == 0 ? 0 : 5;
}
