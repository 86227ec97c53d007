// Interrupt controllers at boot: the legacy PIC remapped and masked, the bootstrap processor's
// local APIC enabled, every I/O APIC entry masked. Addresses come from the MADT; without one,
// the local APIC's MSR and the PC-standard I/O APIC address (0xfec00000, GSI base 0) are used
// and that is logged.

import { Madt } from "../acpi/madt";
import { KernelError, kernelErrorName } from "../../abi/errors";
import { logEnd, LogLevel, logLine } from "../log/log";
import { ioApicEntries, ioApicInit } from "./io-apic";
import { localApicId, localApicInit } from "./local-apic";
import { picInit } from "./pic";

const STANDARD_IO_APIC: u64 = 0xfec0_0000;

export function interruptControllersInit(madt: Madt | null): void {
  picInit();
  const localError = localApicInit(madt !== null ? madt.effectiveLocalApicAddress : 0);
  if (localError != KernelError.None) {
    logLine(LogLevel.Error).text("interrupts: local APIC not mapped: ").text(kernelErrorName(localError));
    logEnd();
    abort("interruptControllersInit: no local APIC");
    return;
  }
  let ioApicAddress = STANDARD_IO_APIC;
  let gsiBase: u32 = 0;
  if (madt !== null && madt.ioApics.length > 0) {
    ioApicAddress = <u64>madt.ioApics[0].address;
    gsiBase = madt.ioApics[0].gsiBase;
  } else {
    logLine(LogLevel.Warning).text("interrupts: no I/O APIC in the MADT; assuming ").hex(STANDARD_IO_APIC);
    logEnd();
  }
  const ioError = ioApicInit(ioApicAddress, gsiBase);
  if (ioError != KernelError.None) {
    logLine(LogLevel.Error).text("interrupts: I/O APIC not mapped: ").text(kernelErrorName(ioError));
    logEnd();
    abort("interruptControllersInit: no I/O APIC");
    return;
  }
  logLine().text("interrupts: PIC masked, local APIC id ").decimal(localApicId()).text(", I/O APIC at ").hex(ioApicAddress)
    .text(" with ").decimal(ioApicEntries()).text(" entries from GSI ").decimal(gsiBase);
  logEnd();
}
