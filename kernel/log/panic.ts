// Kernel aborts: AssemblyScript's abort() (a failed assertion, an out-of-memory heap, an
// explicit abort() for a broken invariant) becomes a panic report naming the message and the
// source position. Wired in with asc --use abort=kernel/panic/kernelAbort. Never for input
// errors: those return a value of the kernel's error enum.

import { panic } from "../arch/hw";
import { LineBuffer } from "./format";

const REPORT_STORAGE_BYTES: u32 = 256;

export function kernelAbort(message: string | null, fileName: string | null = null, line: u32 = 0, column: u32 = 0): void {
  // Static storage, not the heap: the heap may be what failed.
  const report = LineBuffer.over(memory.data(REPORT_STORAGE_BYTES, 16), REPORT_STORAGE_BYTES);
  report.text("abort: ").text(message !== null ? message : "(no message)");
  if (fileName !== null) report.text(" at ").text(fileName).text(":").decimal(line).text(":").decimal(column);
  panic(report.base, report.finish());
}
