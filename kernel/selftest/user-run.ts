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
import { heapAtSafePoint, heapLedgerExcess } from "../memory/heap";
import { heapBudget, heapReservedPeak } from "../memory/quota";
import { poolsDrain } from "../collections/pool";
import { processesBaselineFrames, processesBaselineHeapBytes, processesStarted } from "../syscall/start";
import { timersPending } from "../time/timers";
import { reclaimFreed, reclaimWaiting } from "../vm/reclaim";
import { tickCount, tickLatenessMaximum, tickLatenessTick } from "../time/tick";
import { Masked, maskedArmed, maskedLongestNanos } from "../time/masked";

const HEAP_SLACK: u32 = 4096;

/** The started process ended: the verdict waits for the next safe point, where the heap is
 * collected (memory/heap.ts). */
function startedEnded(process: Process): void {
  if (process !== processesStarted()) return;
  heapAtSafePoint(verdict);
}

class UserRunState {
  drained: bool = false;
}
const state = new UserRunState();

function verdict(): void {
  if (reclaimWaiting()) {   // ended tables and spaces are still being torn down, a step per entry
    heapAtSafePoint(verdict);
    return;
  }
  if (!state.drained) {
    // The pools let go of the records they keep for reuse (a bounded cache, not a leak, but it
    // would hide one); the next collection frees them.
    poolsDrain();
    state.drained = true;
    heapAtSafePoint(verdict);
    return;
  }
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
  // How long interrupts were masked at worst since user space started, seen from a tick
  // (time/tick.ts) and by kind (time/masked.ts); the resources test holds them to their bounds.
  const masked = logLine().text("selftest: user: tick lateness at most ").decimal(tickLatenessMaximum()).text(" ns (tick ")
    .decimal(tickLatenessTick()).text(" of ").decimal(tickCount()).text("); longest masked: ");
  if (maskedArmed()) {
    masked.text("entry ").decimal(maskedLongestNanos(Masked.Entry)).text(" ns, teardown step ")
      .decimal(maskedLongestNanos(Masked.Teardown)).text(" ns, collection ").decimal(maskedLongestNanos(Masked.Collection)).text(" ns");
  } else {
    masked.text("not measured (measure=masked)");
  }
  masked.text("; ").decimal(reclaimFreed()).text(" frames freed by teardown");
  logEnd();
  // Whether the charges covered what the heap held (memory/heap.ts): the worst excess of the live
  // heap over what users had reserved, at any collection, and the most they reserved.
  logLine().text("selftest: user: heap ledger: live heap at most ").signedDecimal(heapLedgerExcess())
    .text(" bytes over the reservations; at most ").decimal(heapReservedPeak()).text(" bytes reserved of a budget of ")
    .decimal(heapBudget());
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
