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
import { pciInit } from "./pci/pci";
import { virtioNetBacklog, virtioNetFlush, virtioNetInit } from "./drivers/virtio/net";
import { netInit } from "./net/iface/interface";
import { udpInit } from "./net/socket/udp";
import { icmpInit } from "./net/socket/icmp";
import { tcpFlush, tcpInit } from "./net/socket/tcp-host";
import { netAutoconfigure } from "./net/iface/autoconfig";
import { phyInit } from "./net/phy/phy";
import { consoleInputInit } from "./console/input";
import { consoleScreenInit } from "./console/screen";
import { interruptControllersInit } from "./interrupts/controllers";
import { interruptDispatch } from "./interrupts/registry";
import { logConfigure } from "./log/configure";
import { logEnd, LogLevel, logLine } from "./log/log";
import { framesInit } from "./memory/frames";
import { heapSafePoint } from "./memory/heap";
import { kernelSpaceInit } from "./memory/kernel-space";
import { reclaimStep, reclaimWaiting } from "./vm/reclaim";
import { Masked, maskedArmed, maskedBegin, maskedEnd } from "./time/masked";
import { userFault } from "./syscall/fault";
import { processesInit } from "./syscall/start";
import { schedulerInit, schedulerNext } from "./sched/scheduler";
import { syscallDispatch } from "./syscall/syscall";
import { selfTestFinish, selfTestInit } from "./selftest/selftest";
import { bootElapsedNanos } from "./time/clock";
import { calibrationNanos, timeInit } from "./time/time";
import { randomInit } from "./random/seed";
import { wallClockInit } from "./time/wall-clock";

export { kernelAbort } from "./log/panic";
export { kernelHeapBase } from "./memory/heap";

export function kernelMain(bootInformation: usize, memoryTop: u64, ramBelow4G: u64): void {
  const information = bootInformationInit(bootInformation);    // multiboot2, every tag checked
  const commandLine = CommandLine.parse(information.commandLine); // test=, tick=
  logConfigure(commandLine.get("log"));                         // log=LEVEL
  selfTestInit(commandLine);                                    // test=NAME arms the test exit
  memoryReport(memoryTop, ramBelow4G);                          // what the C direct map covers
  framesInit(information, bootInformation, heapEnd());          // physical frame allocator
  kernelSpaceInit(commandLine);                                 // own page tables, guard pages, NX, PAT; switch=, isolation=
  consoleScreenInit(information);                               // framebuffer or VGA text: the log's screen
  const madt = acpiInit(information);                           // RSDP -> XSDT/RSDT -> MADT
  interruptControllersInit(madt);                               // PIC masked, local APIC, I/O APIC
  timeInit(commandLine);                                        // TSC/APIC calibration, clock, tick
  consoleInputInit(madt);                                       // COM1 and the PS/2 keyboard (probed)
  pciInit(madt, commandLine);                                   // configuration space (ECAM or ports), every function; pci=nomsi
  virtioNetInit(commandLine);                                   // virtio-net devices: queues, MSI-X or INTx; virtio-net=
  phyInit(commandLine);                                         // the interface's device: virtio-net; pcap=, netfault=
  netInit(commandLine);                                         // the interface: ip=, gateway=, dns=; ARP, ICMP echo
  udpInit();                                                    // UDP ports for sockets
  icmpInit();                                                   // ICMP echo for ping sockets
  processorsReport(madt);                                       // other CPUs stay parked
  logLine(LogLevel.Essential).text("ready in ").fixed(bootElapsedNanos() / 1000, 3).text(" ms (calibration ")
    .fixed(calibrationNanos() / 1000, 3).text(" ms)");           // the boot-time contract line
  logEnd();
  // The machine is up; what follows serves user space.
  wallClockInit();                                              // CMOS RTC, for Timer.realtime
  randomInit();                                                 // ChaCha20 generator, seeded
  netAutoconfigure();                                           // DHCP when no ip= was given (its ids need the generator)
  tcpInit();                                                    // TCP: ISN secret from the generator, segments, timers on the tick
  schedulerInit();                                              // preemption on the tick
  processesInit(information, commandLine);                      // boot package, init (init=NAME)
  selfTestFinish();                                             // runs test=NAME
}

/** The end of the heap range, sized from RAM at boot (arch/x86_64/memory_plan.h): wasm's
 * memory.size() in 64 KiB pages. */
function heapEnd(): u64 {
  return <u64>memory.size() << 16;
}

/** Every device interrupt (vector 32-255), from arch/x86_64/interrupts.c or user.c, masked. */
export function kernelInterrupt(vector: u32): void {
  if (maskedArmed()) state.entryStart = maskedBegin();
  interruptDispatch(vector);
}

/** SYSCALL from ring 3 (arch/x86_64/user.c): the current thread's registers are in its context. */
export function kernelSyscall(): void {
  if (maskedArmed()) state.entryStart = maskedBegin();
  syscallDispatch();
}

/** An exception in ring 3: the current thread's process ends with a report. */
export function kernelUserFault(vector: u32, errorCode: u64, cr2: u64): void {
  if (maskedArmed()) state.entryStart = maskedBegin();
  userFault(vector, errorCode, cr2);
}

/** After every kernel entry: the context (physical address) of the thread to run, 0 to idle, or
 * KERNEL_SCHEDULE_AGAIN to let interrupts in and call again (teardown work remains). No
 * AssemblyScript frame is live here: the heap's one safe point for collection. */
export function kernelSchedule(): u64 {
  tcpFlush();                                                   // what the segments received in this entry call for (one ACK each)
  virtioNetFlush();                                             // frames sent in this entry reach the device
  let more = false;
  if (maskedArmed() || reclaimWaiting()) more = housekeeping();
  else heapSafePoint();
  const next = schedulerNext();
  return next == 0 && more ? KERNEL_SCHEDULE_AGAIN : next;
}

/** When kernelSchedule found nothing to run, before the CPU halts: work that waits for nothing
 * but the CPU (frames a receive budget left in a device's ring: virtioNetBacklog). True when some
 * was done: the caller lets interrupts in and schedules again, which sends what it called for.
 * Apart from kernelSchedule, whose code every system call runs. */
export function kernelIdle(): bool {
  return virtioNetBacklog();
}

/** A teardown step (ended processes, a step at a time), the safe point, and under measure=masked
 * how long the entry, the step and a collection took. Apart, so that the round trips' path is
 * two checks. Returns whether teardown work remains. */
function housekeeping(): bool {
  let start = maskedEnd(Masked.Entry, state.entryStart);
  state.entryStart = 0;
  const more = reclaimStep();
  start = maskedEnd(Masked.Teardown, start);
  heapSafePoint();
  maskedEnd(Masked.Collection, start);
  return more;
}

class KernelState {
  /** When the current kernel entry began (TSC; 0 when not measured: time/masked.ts). */
  entryStart: u64 = 0;
}
const state = new KernelState();

/** kernelSchedule's "nothing to run yet, but work remains": never a context's address (they are
 * page-aligned). */
const KERNEL_SCHEDULE_AGAIN: u64 = 1;
