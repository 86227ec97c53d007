// Logs what the C memory plan decided (arch/x86_64/memory_plan.c): RAM below 4 GiB, mapped
// as kernel linear memory. RAM above 4 GiB and its policy are logged by the frame allocator.

import { logEnd, logLine } from "../log/log";

const MEBIBYTE: u64 = 1 << 20;

export function memoryReport(memoryTop: u64, ramBelow4G: u64): void {
  logLine().text("memory: ").decimal(ramBelow4G / MEBIBYTE).text(" MiB RAM below 4 GiB, linear memory top ")
    .hex(memoryTop);
  logEnd();
}
