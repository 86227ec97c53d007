// A page fault the regions allow is resolved (vm/fault.ts: demand zero, copy-on-write) and the
// thread retries the access. Any other fault or trap in user mode ends the process that took
// it (unless its personality takes the fault: a Linux process's signal handler), with a line on
// the console saying what and where, and for a page fault why it was not
// resolved; the others run on. The user runtime reports a wasm trap by touching
// USER_TRAP_REPORT_BASE + code in the never-mapped page 0 (userspace/rt/c/runtime.c), so a page
// fault there is named as that trap.

import { ExitKind } from "../../abi/methods";
import { logEnd, LogLevel, logLine } from "../log/log";
import { USER_TRAP_REPORT_BASE } from "../../abi/layout";
import { CONTEXT_RIP, contextRead } from "../arch/context";
import { processEnd } from "../sched/process";
import { currentThread } from "../sched/scheduler";
import { FaultOutcome, vmFault } from "../vm/fault";

const VECTOR_PAGE_FAULT: u32 = 14;
const REPORT_CODES: u64 = 32;

function vectorName(vector: u32): string {
  switch (vector) {
    case 0: return "divide error (#DE)";
    case 1: return "debug (#DB)";
    case 3: return "breakpoint (#BP)";
    case 4: return "overflow (#OF)";
    case 5: return "bound range exceeded (#BR)";
    case 6: return "invalid opcode (#UD)";
    case 7: return "device not available (#NM)";
    case 12: return "stack-segment fault (#SS)";
    case 13: return "general protection fault (#GP)";
    case 14: return "page fault (#PF)";
    case 16: return "x87 floating-point error (#MF)";
    case 17: return "alignment check (#AC)";
    case 19: return "SIMD floating-point error (#XM)";
  }
  return "exception";
}

function reportName(code: u32): string {
  switch (code) {
    case 1: return "wasm trap: out-of-bounds memory or table access";
    case 2: return "wasm trap: integer overflow";
    case 3: return "wasm trap: integer divide by zero";
    case 4: return "wasm trap: invalid conversion to integer";
    case 5: return "wasm trap: unreachable";
    case 6: return "wasm trap: indirect call type mismatch or null";
    case 8: return "wasm trap: call stack exhausted";
    case 16: return "runtime: the initial linear memory was refused";
    case 17: return "runtime: a fixed runtime table is full";
    case 18: return "runtime: a completion that was not awaited";
  }
  return "runtime: unknown report";
}

function outcomeName(outcome: FaultOutcome): string {
  switch (outcome) {
    case FaultOutcome.NoRegion: return "no region";
    case FaultOutcome.Denied: return "the region does not allow it";
    case FaultOutcome.QuotaExceeded: return "the page would pass its region's memory quota";
    case FaultOutcome.OutOfMemory: return "no frame left";
  }
  return "resolved";
}

export function userFault(vector: u32, errorCode: u64, cr2: u64): void {
  const thread = currentThread();
  if (thread === null) abort("userFault: no current thread");
  const process = thread!.process;
  let outcome = FaultOutcome.NoRegion;
  if (vector == VECTOR_PAGE_FAULT && (cr2 < USER_TRAP_REPORT_BASE || cr2 >= USER_TRAP_REPORT_BASE + REPORT_CODES)) {
    outcome = vmFault(process.space, cr2, errorCode);
    if (outcome == FaultOutcome.Resolved) return;   // the thread retries the access
  }
  const personality = process.personality;
  if (personality !== null && personality.fault(thread!, vector, errorCode, cr2)) return;   // a Linux signal handler takes it
  const rip = contextRead(<usize>thread!.context, CONTEXT_RIP);
  const line = logLine(LogLevel.Error).text("process ").decimal(process.id).text(" (").text(process.program.name).text("): ");
  if (vector == VECTOR_PAGE_FAULT && cr2 >= USER_TRAP_REPORT_BASE && cr2 < USER_TRAP_REPORT_BASE + REPORT_CODES) {
    line.text(reportName(<u32>(cr2 - USER_TRAP_REPORT_BASE)));
  } else {
    line.text(vectorName(vector)).text(", error code ").hex(errorCode).text(", rip ").hex(rip);
    if (vector == VECTOR_PAGE_FAULT) {
      line.text(", cr2 ").hex(cr2).text((errorCode & 1) != 0 ? " (protection violation, " : " (not present, ")
        .text((errorCode & 2) != 0 ? "write)" : (errorCode & 16) != 0 ? "instruction fetch)" : "read)")
        .text(", ").text(outcomeName(outcome));
    }
  }
  line.text("; process ended");
  logEnd();
  processEnd(process, ExitKind.Faulted, <i32>vector);
}
