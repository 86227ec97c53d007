// The MCFG table (PCI Firmware 3.2, 4.1.2): where each PCI segment's ECAM window is, for which
// buses. Header (36 bytes), 8 reserved bytes, then 16-byte entries: base address (u64), segment
// (u16), first bus (u8), last bus (u8), 4 reserved. Pure: kernel/pci/pci.ts uses the result.

import { KernelError } from "../../abi/errors";
import { AcpiResult } from "./result";
import { AcpiTable, signatureCode } from "./tables";

const ENTRIES: u32 = 44;
const ENTRY_SIZE: u32 = 16;

export class EcamWindow {
  constructor(readonly base: u64, readonly segment: u32, readonly startBus: u32, readonly endBus: u32) {}
}

export class Mcfg extends AcpiResult {
  readonly windows: EcamWindow[] = [];
}

export function mcfgSignature(): u32 {
  return signatureCode("MCFG");
}

export function parseMcfg(table: AcpiTable): Mcfg {
  const mcfg = new Mcfg();
  if (table.error != KernelError.None) {
    mcfg.fail(table.error, "MCFG: the table was refused");
    return mcfg;
  }
  if (table.length < ENTRIES) {
    mcfg.fail(KernelError.Truncated, "MCFG: length " + table.length.toString() + " is below 44");
    return mcfg;
  }
  if ((table.length - ENTRIES) % ENTRY_SIZE != 0) mcfg.note("MCFG: " + ((table.length - ENTRIES) % ENTRY_SIZE).toString() + " trailing bytes ignored");
  for (let offset = ENTRIES; offset + ENTRY_SIZE <= table.length; offset += ENTRY_SIZE) {
    const entry = <usize>table.address + <usize>offset;
    const base = load<u64>(entry), segment = <u32>load<u16>(entry + 8);
    const startBus = <u32>load<u8>(entry + 10), endBus = <u32>load<u8>(entry + 11);
    if (endBus < startBus || (base & 0xfffff) != 0 || base == 0) {
      mcfg.note("MCFG: entry at " + offset.toString() + " refused (base 0x" + base.toString(16) + ", buses " + startBus.toString() + "-" + endBus.toString() + ")");
      continue;
    }
    mcfg.windows.push(new EcamWindow(base, segment, startBus, endBus));
  }
  return mcfg;
}
