// Host-test entry for kernel/acpi/*.ts: exposes the RSDP, table and MADT parsers to
// tests/host/acpi.test.ts. The test writes tables into `scratch` (their "physical addresses"
// are scratch addresses) and sets the readable ranges; each parse returns its whole result as
// JSON text, u64 values as hexadecimal strings.

import { kernelErrorName } from "../../../abi/errors";
import { parseMcfg } from "../../../kernel/acpi/mcfg";
import { Madt, parseMadt } from "../../../kernel/acpi/madt";
import { ReadableMemory } from "../../../kernel/acpi/memory";
import { AcpiResult } from "../../../kernel/acpi/result";
import { Rsdp, parseRsdp } from "../../../kernel/acpi/rsdp";
import {
  AcpiTable, SDT_HEADER_SIZE, SIGNATURE_FADT, SIGNATURE_MADT, SIGNATURE_RSDT, SIGNATURE_XSDT,
  findTable, readTable, signatureCode, signatureText,
} from "../../../kernel/acpi/tables";

const SCRATCH_BYTES: u32 = 0x10000;
const scratch = memory.data(SCRATCH_BYTES, 16);

let readable = new ReadableMemory();
let lastMadt = new Madt();

export function scratchAddress(): usize { return scratch; }
export function scratchBytes(): u32 { return SCRATCH_BYTES; }
export function resetReadable(): void { readable = new ReadableMemory(); }
export function addReadable(start: u64, end: u64): i32 { return readable.add(start, end); }
export function covers(address: u64, length: u64): bool { return readable.covers(address, length); }
export function signatureCodeOf(name: string): u32 { return signatureCode(name); }
export function signatureTextOf(code: u32): string { return signatureText(code); }

export function constantsJson(): string {
  return "{\"RSDT\":" + SIGNATURE_RSDT.toString() + ",\"XSDT\":" + SIGNATURE_XSDT.toString()
    + ",\"APIC\":" + SIGNATURE_MADT.toString() + ",\"FACP\":" + SIGNATURE_FADT.toString()
    + ",\"header\":" + SDT_HEADER_SIZE.toString() + "}";
}

/** One fresh page past the end of linear memory, for reads that must never happen: the
 * allocator (set up by this module's top-level code) never hands out pages it did not grow. */
export function growOnePage(): usize {
  const previous = memory.grow(1);
  if (previous < 0) abort("growOnePage: memory.grow failed");
  return <usize>previous << 16;
}

/** A plain load, to show that a read past the end of linear memory traps. */
export function peekByte(address: usize): u8 { return load<u8>(address); }

export function parseRsdpJson(address: usize, available: usize): string {
  return rsdpJson(parseRsdp(address, available));
}

export function readTableJson(address: u64): string {
  return tableJson(readTable(address, readable));
}

export function findTableJson(rsdpAddress: usize, rsdpAvailable: usize, signature: string): string {
  return tableJson(findTable(parseRsdp(rsdpAddress, rsdpAvailable), signatureCode(signature), readable));
}

/** RSDP -> root -> "APIC" -> parseMadt; the MADT is kept for isaIrqToGsiJson and pciLineToGsiJson. */
export function findMadtJson(rsdpAddress: usize, rsdpAvailable: usize): string {
  const table = findTable(parseRsdp(rsdpAddress, rsdpAvailable), SIGNATURE_MADT, readable);
  lastMadt = parseMadt(table);
  return "{\"table\":" + tableJson(table) + ",\"madt\":" + madtJson(lastMadt) + "}";
}

/** readTable(address) -> parseMadt; the MADT is kept for isaIrqToGsiJson and pciLineToGsiJson. */
export function parseMadtAtJson(address: u64): string {
  lastMadt = parseMadt(readTable(address, readable));
  return madtJson(lastMadt);
}

/** The MCFG at `address`: error, problems and windows as JSON. */
export function parseMcfgAtJson(address: u64): string {
  const mcfg = parseMcfg(readTable(address, readable));
  let windows = "";
  for (let i = 0; i < mcfg.windows.length; i++) {
    const w = mcfg.windows[i];
    windows += (i ? "," : "") + "{\"base\":" + hex(w.base) + ",\"segment\":" + w.segment.toString() + ",\"startBus\":" + w.startBus.toString()
      + ",\"endBus\":" + w.endBus.toString() + "}";
  }
  return "{" + resultFields(mcfg) + ",\"windows\":[" + windows + "]}";
}

export function isaIrqToGsiJson(irq: u32): string {
  const route = lastMadt.isaIrqToGsi(irq);
  return "{\"error\":" + quote(kernelErrorName(route.error)) + ",\"gsi\":" + route.gsi.toString()
    + ",\"activeLow\":" + flag(route.polarity == 1) + ",\"level\":" + flag(route.trigger == 1) + "}";
}

export function pciLineToGsiJson(line: u32): string {
  const route = lastMadt.pciLineToGsi(line);
  return "{\"error\":" + quote(kernelErrorName(route.error)) + ",\"gsi\":" + route.gsi.toString()
    + ",\"activeLow\":" + flag(route.polarity == 1) + ",\"level\":" + flag(route.trigger == 1) + "}";
}

function rsdpJson(rsdp: Rsdp): string {
  return "{" + resultFields(rsdp) + ",\"revision\":" + rsdp.revision.toString() + ",\"oemId\":" + quote(rsdp.oemId)
    + ",\"length\":" + rsdp.length.toString() + ",\"rsdt\":" + rsdp.rsdtAddress.toString()
    + ",\"xsdt\":" + hex(rsdp.xsdtAddress) + "}";
}

function tableJson(table: AcpiTable): string {
  return "{" + resultFields(table) + ",\"address\":" + hex(table.address) + ",\"signature\":" + quote(signatureText(table.signature))
    + ",\"length\":" + table.length.toString() + ",\"revision\":" + table.revision.toString()
    + ",\"oemId\":" + quote(table.oemId) + ",\"oemTableId\":" + quote(table.oemTableId)
    + ",\"oemRevision\":" + table.oemRevision.toString() + ",\"creatorId\":" + table.creatorId.toString()
    + ",\"creatorRevision\":" + table.creatorRevision.toString() + "}";
}

function madtJson(madt: Madt): string {
  let text = "{" + resultFields(madt) + ",\"localApicAddress\":" + madt.localApicAddress.toString()
    + ",\"flags\":" + madt.flags.toString() + ",\"pcatCompatible\":" + flag(madt.pcatCompatible)
    + ",\"effectiveLocalApicAddress\":" + hex(madt.effectiveLocalApicAddress) + ",\"localApics\":[";
  for (let i = 0; i < madt.localApics.length; i++) {
    const entry = madt.localApics[i];
    text += (i > 0 ? "," : "") + "{\"uid\":" + entry.processorUid.toString() + ",\"apicId\":" + entry.apicId.toString()
      + ",\"flags\":" + entry.flags.toString() + ",\"enabled\":" + flag(entry.enabled)
      + ",\"onlineCapable\":" + flag(entry.onlineCapable) + "}";
  }
  text += "],\"ioApics\":[";
  for (let i = 0; i < madt.ioApics.length; i++) {
    const entry = madt.ioApics[i];
    text += (i > 0 ? "," : "") + "{\"id\":" + entry.id.toString() + ",\"address\":" + entry.address.toString()
      + ",\"gsiBase\":" + entry.gsiBase.toString() + "}";
  }
  text += "],\"overrides\":[";
  for (let i = 0; i < madt.overrides.length; i++) {
    const entry = madt.overrides[i];
    text += (i > 0 ? "," : "") + "{\"bus\":" + entry.bus.toString() + ",\"irq\":" + entry.sourceIrq.toString()
      + ",\"gsi\":" + entry.gsi.toString() + ",\"flags\":" + entry.flags.toString() + "}";
  }
  text += "],\"localApicNmis\":[";
  for (let i = 0; i < madt.localApicNmis.length; i++) {
    const entry = madt.localApicNmis[i];
    text += (i > 0 ? "," : "") + "{\"uid\":" + entry.processorUid.toString() + ",\"flags\":" + entry.flags.toString()
      + ",\"lint\":" + entry.lint.toString() + "}";
  }
  return text + "]}";
}

function resultFields(result: AcpiResult): string {
  let problems = "[";
  for (let i = 0; i < result.problems.length; i++) problems += (i > 0 ? "," : "") + quote(result.problems[i]);
  return "\"error\":" + quote(kernelErrorName(result.error)) + ",\"problems\":" + problems + "]";
}

function quote(text: string): string {
  let quoted = "\"";
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit == 0x22 || unit == 0x5c) quoted += "\\" + String.fromCharCode(unit);
    else if (unit < 0x20 || unit > 0x7e) quoted += "?";
    else quoted += String.fromCharCode(unit);
  }
  return quoted + "\"";
}

function hex(value: u64): string { return "\"0x" + value.toString(16) + "\""; }
function flag(value: bool): string { return value ? "true" : "false"; }
