// The "user" test scenario (test=user, usually with init=PROGRAM): the run ends when the
// program the kernel started ends. It passes when that program exited with code 0 and the
// kernel is back where it was before user space started: no process left, every frame returned,
// no kernel object of any interface alive, no deadline pending, and the kernel heap (after a full
// collection) no larger than just after the first process started, give or take HEAP_SLACK: the
// kernel's lists keep the capacity they grew to (the run queue, the live processes), and the
// first process's own record is still referenced; a leak per process would show as kilobytes.

import { debugExit, kernelHeapBytes } from "../arch/hw";
import { INTERFACE_COUNT, interfaceName } from "../../abi/interfaces";
import { liveObjects } from "../cap/kernel-object";
import { ExitKind } from "../../abi/methods";
import { DEBUG_EXIT_FAIL, DEBUG_EXIT_PASS } from "../arch/layout";
import { logEnd, LogLevel, logLine } from "../log/log";
import { framesFree } from "../memory/frames";
import { Process, processEndObserve, processesLive } from "../sched/process";
import { heapAtSafePoint } from "../memory/heap";
import { poolsDrain } from "../collections/pool";
import { processesBaselineFrames, processesBaselineHeapBytes, processesStarted } from "../syscall/start";
import { timersPending } from "../time/timers";

const HEAP_SLACK: u32 = 4096;

/** The started process ended: the pools let go of the records they keep for reuse (a bounded
 * cache, not a leak, but it would hide one), and the verdict waits for the next safe point, where
 * the heap is collected (memory/heap.ts). */
function startedEnded(process: Process): void {
  if (process !== processesStarted()) return;
  poolsDrain();
  heapAtSafePoint(verdict);
}

function verdict(): void {
  const process = processesStarted()!;
  let pass = process.exitKind == ExitKind.Exited && process.exitCode == 0;
  const heap = kernelHeapBytes(), heapBefore = processesBaselineHeapBytes();
  const line = logLine().text("selftest: user: ").text(process.program.name).text(" ended (")
    .text(process.exitKind == ExitKind.Exited ? "exit code " : process.exitKind == ExitKind.Killed ? "killed, code " : "fault, vector ")
    .signedDecimal(process.exitCode).text("); processes left ").decimal(processesLive()).text(", frames free ")
    .decimal(framesFree()).text(" (before user space ").decimal(processesBaselineFrames()).text("), heap bytes ").decimal(heap)
    .text(" (at start ").decimal(heapBefore).text("), deadlines ").decimal(timersPending())
    .text(", live objects");
  if (processesLive() != 0 || framesFree() != processesBaselineFrames() || timersPending() != 0) pass = false;
  if (<u64>heap > <u64>heapBefore + HEAP_SLACK) pass = false;
  let leaked = 0;
  for (let iface = 1; iface < INTERFACE_COUNT; iface++) {
    if (liveObjects(iface) == 0) continue;
    line.text(" ").text(interfaceName(iface)).text("=").decimal(liveObjects(iface));
    leaked++;
  }
  if (leaked == 0) line.text(" none");
  else pass = false;
  logEnd();
  logLine(pass ? LogLevel.Info : LogLevel.Error).text("selftest: user ").text(pass ? "passed" : "failed");
  logEnd();
  debugExit(pass ? DEBUG_EXIT_PASS : DEBUG_EXIT_FAIL);
}

/** Arms the end-of-run check; the scenario goes on in user space. */
export function userRunArm(): bool {
  processEndObserve(startedEnded);
  return processesStarted() !== null;
}
