// The processors the MADT lists: the bootstrap processor runs the kernel; the others are not
// started (no SMP yet) and stay parked in the firmware's wait-for-SIPI state. Logged.

import { Madt } from "../acpi/madt";
import { localApicId } from "./local-apic";
import { logEnd, logLine } from "../log/log";

export function processorsReport(madt: Madt | null): void {
  let enabled = 0;
  if (madt !== null) for (let i = 0; i < madt.localApics.length; i++) if (madt.localApics[i].enabled) enabled++;
  if (enabled == 0) enabled = 1;
  logLine().text("cpu: ").decimal(enabled).text(" processor(s); the bootstrap processor (APIC id ").decimal(localApicId())
    .text(") runs the kernel, ").decimal(enabled - 1).text(" parked");
  logEnd();
}
