// Capsid kernel: the table of contents. C (arch/x86_64/entry.c) has set up the GDT, the IDT and
// the direct map and instantiated this module; it calls kernelMain once, then, after every
// entry (interrupt, system call, user fault), asks kernelSchedule which thread runs next and
// resumes it or idles (arch/x86_64/user.c). Each line below is one subsystem, in boot order.
// No logic lives here.

import { acpiInit } from "./acpi/acpi";
import { bootInformationInit } from "./boot/boot-information";
import { CommandLine } from "./boot/command-line";
import { memoryReport } from "./memory/memory-report";
import { processorsReport } from "./interrupts/processors";
import { serialInputInit } from "./console/serial-input";
import { interruptControllersInit } from "./interrupts/controllers";
import { interruptDispatch } from "./interrupts/registry";
import { logConfigure } from "./log/configure";
import { logEnd, LogLevel, logLine } from "./log/log";
import { framesInit } from "./memory/frames";
import { heapSafePoint } from "./memory/heap";
import { kernelSpaceInit } from "./memory/kernel-space";
import { userFault } from "./syscall/fault";
import { processesInit } from "./syscall/start";
import { schedulerInit, schedulerNext } from "./sched/scheduler";
import { syscallDispatch } from "./syscall/syscall";
import { selfTestFinish, selfTestInit } from "./selftest/selftest";
import { bootElapsedNanos } from "./time/clock";
import { calibrationNanos, timeInit } from "./time/time";
import { randomInit } from "./random/seed";

export { kernelAbort } from "./log/panic";
export { kernelHeapBase } from "./memory/heap";

export function kernelMain(bootInformation: usize, memoryTop: u64, ramBelow4G: u64): void {
  const information = bootInformationInit(bootInformation);    // multiboot2, every tag checked
  const commandLine = CommandLine.parse(information.commandLine); // test=, tick=
  logConfigure(commandLine.get("log"));                         // log=LEVEL
  selfTestInit(commandLine);                                    // test=NAME arms the test exit
  memoryReport(memoryTop, ramBelow4G);                          // what the C direct map covers
  framesInit(information, bootInformation);                     // physical frame allocator
  kernelSpaceInit(commandLine);                                 // own page tables, guard pages, NX; switch=, isolation=
  const madt = acpiInit(information);                           // RSDP -> XSDT/RSDT -> MADT
  interruptControllersInit(madt);                               // PIC masked, local APIC, I/O APIC
  timeInit(commandLine);                                        // TSC/APIC calibration, clocks, tick
  randomInit();                                                 // ChaCha20 generator, seeded
  serialInputInit(madt);                                        // COM1 receive interrupt
  processorsReport(madt);                                       // other CPUs stay parked
  logLine(LogLevel.Essential).text("ready in ").fixed(bootElapsedNanos() / 1000, 3).text(" ms (calibration ")
    .fixed(calibrationNanos() / 1000, 3).text(" ms)");           // the boot-time contract line
  logEnd();
  schedulerInit();                                              // preemption on the tick
  processesInit(information, commandLine);                      // boot package, init (init=NAME)
  selfTestFinish();                                             // runs test=NAME
}

/** Every device interrupt (vector 32-255), from arch/x86_64/interrupts.c or user.c, masked. */
export function kernelInterrupt(vector: u32): void {
  interruptDispatch(vector);
}

/** SYSCALL from ring 3 (arch/x86_64/user.c): the current thread's registers are in its context. */
export function kernelSyscall(): void {
  syscallDispatch();
}

/** An exception in ring 3: the current thread's process ends with a report. */
export function kernelUserFault(vector: u32, errorCode: u64, cr2: u64): void {
  userFault(vector, errorCode, cr2);
}

/** After every kernel entry: the context (physical address) of the thread to run, or 0 to idle.
 * No AssemblyScript frame is live here: the heap's one safe point for collection. */
export function kernelSchedule(): u64 {
  heapSafePoint();
  return schedulerNext();
}
