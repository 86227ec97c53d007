// ACPI system description tables (ACPI 6.5 §5.2.6): validates a table's header, length and
// checksum against the memory the caller may read, and finds a table by signature through the
// XSDT (§5.2.8) or the RSDT (§5.2.7). Pure: called by the kernel's ACPI setup and by
// tests/host/acpi.test.ts; table parsers (kernel/acpi/madt.ts) take the AcpiTable it returns.

import { KernelError, kernelErrorName } from "../../abi/errors";
import { FOUR_GIB, ReadableMemory, asciiText, byteSum } from "./memory";
import { AcpiResult, hexText } from "./result";
import { Rsdp } from "./rsdp";

//  ACPI 6.5 §5.2.6: System Description Table header (36 bytes), then the table's own fields
//  ┌───────────┬────────┬──────────┬──────────┬────────┬──────────────┬──────────────┬────────────┬──────────────────┐
//  │ signature │ length │ revision │ checksum │ OEM ID │ OEM table ID │ OEM revision │ creator ID │ creator revision │
//  │ 0      4  │ 4   4  │ 8     1  │ 9     1  │ 10  6  │ 16        8  │ 24        4  │ 28      4  │ 32            4  │
//  └───────────┴────────┴──────────┴──────────┴────────┴──────────────┴──────────────┴────────────┴──────────────────┘
//  `length` counts the whole table, header included; all `length` bytes sum to 0 (mod 256).
//  RSDT (§5.2.7): the header, then (length - 36) / 4 u32 physical table addresses.
//  XSDT (§5.2.8): the header, then (length - 36) / 8 u64 physical table addresses (4-byte aligned).
@inline const SDT_SIGNATURE: usize = 0;
@inline const SDT_LENGTH: usize = 4;
@inline const SDT_REVISION: usize = 8;
@inline const SDT_OEM_ID: usize = 10;
@inline const SDT_OEM_TABLE_ID: usize = 16;
@inline const SDT_OEM_REVISION: usize = 24;
@inline const SDT_CREATOR_ID: usize = 28;
@inline const SDT_CREATOR_REVISION: usize = 32;
export const SDT_HEADER_SIZE: u32 = 36;
/** Real machines list tens of tables; a corrupt root is not walked further than this. */
@inline const MAXIMUM_ROOT_ENTRIES: u32 = 1024;

/** Table signatures as little-endian u32s of their four ASCII characters (§5.2.6). */
export const SIGNATURE_RSDT: u32 = 0x5444_5352; // "RSDT"
export const SIGNATURE_XSDT: u32 = 0x5444_5358; // "XSDT"
export const SIGNATURE_MADT: u32 = 0x4349_5041; // "APIC"
export const SIGNATURE_FADT: u32 = 0x5043_4146; // "FACP"

/** A table whose header, length and checksum were checked (when `error` is None): its bytes
 * [address, address + length) lie in the caller's ReadableMemory and below 4 GiB. */
export class AcpiTable extends AcpiResult {
  address: u64 = 0;
  signature: u32 = 0;
  length: u32 = 0;
  revision: u8 = 0;
  oemId: string = "";
  oemTableId: string = "";
  oemRevision: u32 = 0;
  creatorId: u32 = 0;
  creatorRevision: u32 = 0;
}

/** The signature code of a 4-character ASCII name ("APIC"), or 0 for any other string. */
export function signatureCode(name: string): u32 {
  if (name.length != 4) return 0;
  let code: u32 = 0;
  for (let i = 3; i >= 0; i--) {
    const unit = <u32>name.charCodeAt(i);
    if (unit > 0xff) return 0;
    code = (code << 8) | unit;
  }
  return code;
}

/** A signature code as printable text (other bytes become '?'), for problem lines. */
export function signatureText(code: u32): string {
  let text = "";
  for (let i = 0; i < 4; i++) {
    const byte = (code >> (<u32>i * 8)) & 0xff;
    text += String.fromCharCode(byte >= 0x20 && byte < 0x7f ? <i32>byte : 0x3f);
  }
  return text;
}

/** Reads and validates the table at physical `address`. Errors: OutOfRange when the address is
 * 0, at or above 4 GiB, or when the header or `length` bytes would reach past 4 GiB or outside
 * `memory` (nothing outside it is read); Malformed for a length below the 36-byte header;
 * ChecksumMismatch. Header fields are filled in whenever the header itself was readable. */
export function readTable(address: u64, memory: ReadableMemory): AcpiTable {
  const table = new AcpiTable();
  table.address = address;
  const where = "table at " + hexText(address);
  if (address == 0) {
    table.fail(KernelError.OutOfRange, "table at a null address");
    return table;
  }
  if (address >= FOUR_GIB || <u64>SDT_HEADER_SIZE > FOUR_GIB - address) {
    table.fail(KernelError.OutOfRange, where + ": header at or past 4 GiB");
    return table;
  }
  if (!memory.covers(address, SDT_HEADER_SIZE)) {
    table.fail(KernelError.OutOfRange, where + ": header outside readable memory");
    return table;
  }
  const base = <usize>address;
  table.signature = load<u32>(base + SDT_SIGNATURE);
  table.length = load<u32>(base + SDT_LENGTH);
  table.revision = load<u8>(base + SDT_REVISION);
  table.oemId = asciiText(base + SDT_OEM_ID, 6);
  table.oemTableId = asciiText(base + SDT_OEM_TABLE_ID, 8);
  table.oemRevision = load<u32>(base + SDT_OEM_REVISION);
  table.creatorId = load<u32>(base + SDT_CREATOR_ID);
  table.creatorRevision = load<u32>(base + SDT_CREATOR_REVISION);
  const named = signatureText(table.signature) + " " + where;
  const length = table.length;
  if (length < SDT_HEADER_SIZE) {
    table.fail(KernelError.Malformed, named + ": length " + length.toString() + " is below the 36-byte header");
    return table;
  }
  if (<u64>length > FOUR_GIB - address) {
    table.fail(KernelError.OutOfRange, named + ": length " + hexText(length) + " reaches past 4 GiB");
    return table;
  }
  if (!memory.covers(address, length)) {
    table.fail(KernelError.OutOfRange, named + ": length " + hexText(length) + " reaches outside readable memory");
    return table;
  }
  if (byteSum(base, <usize>length) != 0) {
    table.fail(KernelError.ChecksumMismatch, named + ": checksum over " + length.toString() + " bytes is not zero");
    return table;
  }
  return table;
}

/** Finds the first valid table with `signature` listed by the root the RSDP names: the XSDT
 * when the revision is 2 or more and its address is non-zero and below 4 GiB (falling back to
 * the RSDT if the XSDT is refused), otherwise the RSDT. Entries that are refused (see
 * readTable) are skipped with a problem each. Errors: the RSDP's own error, the root's error
 * when no root is usable (NotFound when none is named), NotFound when no entry matches. */
export function findTable(rsdp: Rsdp, signature: u32, memory: ReadableMemory): AcpiTable {
  const notes = new AcpiResult();
  if (rsdp.error != KernelError.None) return failedLookup(notes, rsdp.error, "RSDP was refused");
  const root = readRoot(rsdp, memory, notes);
  if (root.error != KernelError.None) return failedLookup(notes, root.error, "no usable RSDT or XSDT");
  const entrySize: u32 = root.signature == SIGNATURE_XSDT ? 8 : 4;
  const rootName = signatureText(root.signature);
  const entryBytes = root.length - SDT_HEADER_SIZE;
  if (entryBytes % entrySize != 0) {
    notes.note(rootName + ": " + (entryBytes % entrySize).toString() + " trailing bytes ignored");
  }
  let count = entryBytes / entrySize;
  if (count > MAXIMUM_ROOT_ENTRIES) {
    notes.note(rootName + ": " + count.toString() + " entries; only the first " + MAXIMUM_ROOT_ENTRIES.toString() + " read");
    count = MAXIMUM_ROOT_ENTRIES;
  }
  const entries = <usize>root.address + <usize>SDT_HEADER_SIZE;
  for (let i: u32 = 0; i < count; i++) {
    const entry = entries + <usize>(i * entrySize);
    const address: u64 = entrySize == 8 ? load<u64>(entry) : <u64>load<u32>(entry);
    const table = readTable(address, memory);
    if (table.error != KernelError.None) {
      const reason = table.problems.length > 0 ? table.problems[0] : kernelErrorName(table.error);
      notes.note(rootName + " entry " + i.toString() + " skipped: " + reason);
    } else if (table.signature == signature) {
      table.adoptProblems(notes);
      return table;
    }
  }
  return failedLookup(notes, KernelError.NotFound, "no valid " + signatureText(signature) + " table in the " + rootName);
}

/** The XSDT or RSDT to walk, with its error set when neither is usable; problems go to `notes`. */
function readRoot(rsdp: Rsdp, memory: ReadableMemory, notes: AcpiResult): AcpiTable {
  let refused = new AcpiTable();
  refused.error = KernelError.NotFound;
  if (rsdp.revision >= 2 && rsdp.xsdtAddress != 0) {
    if (rsdp.xsdtAddress >= FOUR_GIB) {
      notes.note("XSDT at " + hexText(rsdp.xsdtAddress) + " is above 4 GiB; using the RSDT");
    } else {
      const xsdt = readRootTable(rsdp.xsdtAddress, SIGNATURE_XSDT, memory);
      if (xsdt.error == KernelError.None) return xsdt;
      notes.adoptProblems(xsdt);
      notes.note("XSDT refused; trying the RSDT");
      refused = xsdt;
    }
  }
  if (rsdp.rsdtAddress != 0) {
    const rsdt = readRootTable(<u64>rsdp.rsdtAddress, SIGNATURE_RSDT, memory);
    if (rsdt.error == KernelError.None) return rsdt;
    notes.adoptProblems(rsdt);
    refused = rsdt;
  }
  return refused;
}

function readRootTable(address: u64, signature: u32, memory: ReadableMemory): AcpiTable {
  const table = readTable(address, memory);
  if (table.error == KernelError.None && table.signature != signature) {
    table.fail(KernelError.Malformed, signatureText(signature) + " at " + hexText(address) + ": signature is \""
      + signatureText(table.signature) + "\"");
  }
  return table;
}

function failedLookup(notes: AcpiResult, error: KernelError, problem: string): AcpiTable {
  const table = new AcpiTable();
  table.adoptProblems(notes);
  table.fail(error, problem);
  return table;
}
