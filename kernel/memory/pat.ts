// The page attribute table: makes PAT entry 1 write-combining, for the framebuffer (mmio.ts,
// Caching.WriteCombining). Intel SDM vol. 3A §13.12 "Page Attribute Table (PAT)": IA32_PAT (MSR
// 0x277) holds eight entries, one byte each; a 4 KiB page's PAT (bit 7), PCD (bit 4) and PWT
// (bit 3) pick entry PAT*4 + PCD*2 + PWT. At power-on the entries are WB WT UC- UC WB WT UC- UC;
// only entry 1 (PWT alone) changes, to WC (type 0x01, Table 13-10). Nothing maps with PWT alone
// before this runs: the boot and direct maps set neither PCD nor PWT (entry 0, WB) and the MMIO
// window sets both (entry 3, UC). Called by kernelSpaceInit before it loads CR3, which flushes
// the TLB as §13.12.4 asks after a change.

import { cpuid, readMsr, writeMsr } from "../arch/hw";
import { PAGE_WRITE_THROUGH } from "./page-table";

const IA32_PAT: u32 = 0x277;
const CPUID_FEATURES: u32 = 1;
const CPUID_EDX_PAT: u32 = 1 << 16;
const ENTRY_WRITE_COMBINING: u64 = 0x01;
const ENTRY_BITS: u64 = 8;
/** The entry made write-combining. */
export const PAT_WRITE_COMBINING_ENTRY: u32 = 1;

class PatState {
  /** True once entry 1 is write-combining (the CPU has a PAT). */
  writeCombining: bool = false;
}
const state = new PatState();

/** Makes PAT entry 1 write-combining when the CPU has a PAT. */
export function patInit(): void {
  const registers = memory.data(16, 4);
  cpuid(CPUID_FEATURES, 0, registers);
  if ((load<u32>(registers, 12) & CPUID_EDX_PAT) == 0) return;
  const shift = <u64>PAT_WRITE_COMBINING_ENTRY * ENTRY_BITS;
  const value = (readMsr(IA32_PAT) & ~(<u64>0xff << shift)) | (ENTRY_WRITE_COMBINING << shift);
  writeMsr(IA32_PAT, value);
  state.writeCombining = true;
}

/** The page flags that select the write-combining entry (PWT alone). A function, not a constant:
 * a constant made from page-table.ts's would depend on module initialisation order. */
export function patWriteCombiningFlags(): u64 {
  return PAGE_WRITE_THROUGH;
}

/** True when pages mapped with patWriteCombiningFlags() are write-combining. */
export function patWriteCombining(): bool {
  return state.writeCombining;
}

/** The IA32_PAT register as the CPU holds it (for the log). */
export function patRegister(): u64 {
  return readMsr(IA32_PAT);
}
