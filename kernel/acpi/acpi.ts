// ACPI at boot: from the RSDP copy in the boot information to the parsed MADT, reading only
// what the direct map covers. Firmware may keep its tables in memory its map calls reserved
// (SeaBIOS does, at the top of low RAM); the firmware range holding the root table is then
// mapped read-only first, if it is small (a reserved range that large is more likely MMIO).

import { BootInformation } from "../boot/multiboot2";
import { KernelError, kernelErrorName } from "../../abi/errors";
import { DIRECT_MAP_LIMIT } from "../arch/layout";
import { log, logEnd, LogLevel, logLine } from "../log/log";
import { directMapAddReadOnly, directMapRuns, kernelPml4 } from "../memory/kernel-space";
import { AcpiResult } from "./result";
import { Madt, parseMadt } from "./madt";
import { EcamWindow, mcfgSignature, parseMcfg } from "./mcfg";
import { ReadableMemory } from "./memory";
import { parseRsdp } from "./rsdp";
import { findTable, SIGNATURE_MADT } from "./tables";

const MAXIMUM_REVEALED_RANGE: u64 = 1 << 20;
class AcpiState {
  /** What the direct map lets the parsers read: RAM, ACPI ranges, firmware ranges revealed. */
  readonly readable: ReadableMemory = new ReadableMemory();
  /** The MCFG's ECAM windows (none on machines without one, such as QEMU's pc). */
  ecam: EcamWindow[] = [];
}
const state = new AcpiState();

function addReadable(start: u64, end: u64): void {
  state.readable.add(start, end);
}

function logProblems(source: string, result: AcpiResult): void {
  for (let i = 0; i < result.problems.length; i++) {
    logLine(LogLevel.Warning).text("acpi: ").text(source).text(": ").text(result.problems[i]);
    logEnd();
  }
}

/** Maps the firmware-map range that holds `address` if the direct map lacks it. */
function revealTableRange(information: BootInformation, address: u64): void {
  if (address == 0 || state.readable.covers(address, 36)) return;
  for (let i = 0; i < information.memoryMap.length; i++) {
    const entry = information.memoryMap[i];
    const end = entry.base + entry.length;
    if (address < entry.base || address >= end || end < entry.base) continue;
    if (entry.length > MAXIMUM_REVEALED_RANGE || end > DIRECT_MAP_LIMIT) break;
    if (directMapAddReadOnly(entry.base, end) == KernelError.None) {
      state.readable.add(entry.base & ~<u64>0xfff, (end + 0xfff) & ~<u64>0xfff);
      logLine().text("acpi: mapped firmware range ").hex(entry.base).text("-").hex(end).text(" (type ")
        .decimal(entry.type).text(") read-only for its tables");
      logEnd();
    }
    return;
  }
}

/** The MCFG's ECAM windows found by acpiInit (empty without one). */
export function acpiEcamWindows(): EcamWindow[] {
  return state.ecam;
}

/** The MADT, or null (logged) when there is no usable ACPI. */
export function acpiInit(information: BootInformation): Madt | null {
  if (information.rsdpAddress == 0) {
    log("acpi: the boot loader passed no RSDP", LogLevel.Warning);
    return null;
  }
  directMapRuns(kernelPml4(), addReadable);
  const rsdp = parseRsdp(information.rsdpAddress, information.rsdpLength);
  logProblems("rsdp", rsdp);
  if (rsdp.error != KernelError.None) {
    logLine(LogLevel.Error).text("acpi: RSDP refused: ").text(kernelErrorName(rsdp.error));
    logEnd();
    return null;
  }
  revealTableRange(information, rsdp.revision >= 2 && rsdp.xsdtAddress != 0 ? rsdp.xsdtAddress : <u64>rsdp.rsdtAddress);
  const table = findTable(rsdp, SIGNATURE_MADT, state.readable);
  logProblems("tables", table);
  const madt = parseMadt(table);
  logProblems("madt", madt);
  if (madt.error != KernelError.None) {
    logLine(LogLevel.Error).text("acpi: no usable MADT: ").text(kernelErrorName(madt.error));
    logEnd();
    return null;
  }
  const mcfg = parseMcfg(findTable(rsdp, mcfgSignature(), state.readable));
  if (mcfg.error == KernelError.None) {
    logProblems("mcfg", mcfg);
    state.ecam = mcfg.windows;
  }
  logLine().text("acpi: MADT: ").decimal(madt.localApics.length).text(" processor(s), ").decimal(madt.ioApics.length)
    .text(" I/O APIC(s), local APIC at ").hex(madt.effectiveLocalApicAddress);
  logEnd();
  return madt;
}
