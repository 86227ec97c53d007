// Capsid kernel: the table of contents. C (arch/x86_64/entry.c) has set up the direct map and
// instantiated this module; it calls kernelMain once. Each line below is one subsystem, in boot
// order. No logic lives here.

import { bootClockNanos } from "./arch/hw";
import { CommandLine } from "./boot/command-line";
import { bootCommandLine } from "./boot/multiboot2";
import { memoryReport } from "./boot/memory-report";
import { logEnd, logLine } from "./log/log";
import { selfTestFinish, selfTestInit } from "./selftest/selftest";

export { kernelAbort } from "./panic";

export function kernelMain(bootInformation: usize, memoryTop: u64, ramBelow4G: u64, ramAbove4G: u64): void {
  const commandLine = CommandLine.parse(bootCommandLine(bootInformation)); // multiboot2 command line
  memoryReport(memoryTop, ramBelow4G, ramAbove4G);                           // what the direct map covers
  selfTestInit(commandLine);                                                 // test=NAME arms the test exit
  logLine().text("ready in ").fixed(bootClockNanos() / 1000, 3).text(" ms"); // the boot-time contract line
  logEnd();
  selfTestFinish();                                                          // runs test=NAME, ends QEMU
}
