// Validates the RSDP, the root pointer of the ACPI tables (ACPI 6.5 §5.2.5.3), from the copy
// the boot loader hands over (multiboot2 tags 14 and 15). Pure: called by the kernel's ACPI
// setup and by tests/host/acpi.test.ts; kernel/acpi/tables.ts walks the roots it names.

import { KernelError } from "../../abi/errors";
import { asciiText, byteSum } from "./memory";
import { AcpiResult } from "./result";

//  ACPI 6.5 §5.2.5.3: Root System Description Pointer (ACPI 1.0 part, 20 bytes)
//  ┌──────────────────┬──────────┬──────────┬──────────┬──────────────┐
//  │ "RSD PTR "       │ checksum │ OEM ID   │ revision │ RSDT address │
//  │ 0             8  │ 8     1  │ 9     6  │ 15    1  │ 16         4 │
//  └──────────────────┴──────────┴──────────┴──────────┴──────────────┘
//  revision >= 2 (ACPI 2.0 and later) adds, up to `length` (36 today):
//  ┌──────────┬──────────────┬───────────────────┬──────────┐
//  │ length   │ XSDT address │ extended checksum │ reserved │
//  │ 20    4  │ 24        8  │ 32             1  │ 33    3  │
//  └──────────┴──────────────┴───────────────────┴──────────┘
// The checksum covers bytes 0..19; the extended checksum covers all `length` bytes.
@inline const RSDP_SIGNATURE: usize = 0;
@inline const RSDP_OEM_ID: usize = 9;
@inline const RSDP_REVISION: usize = 15;
@inline const RSDP_RSDT_ADDRESS: usize = 16;
@inline const RSDP_LENGTH: usize = 20;
@inline const RSDP_XSDT_ADDRESS: usize = 24;
@inline const RSDP_VERSION_1_SIZE: u32 = 20;
@inline const RSDP_VERSION_2_SIZE: u32 = 36;
@inline const OEM_ID_SIZE: usize = 6;
/** "RSD PTR " read as a little-endian u64. */
@inline const RSDP_SIGNATURE_VALUE: u64 = 0x2052_5450_2044_5352;

export class Rsdp extends AcpiResult {
  /** 0 for ACPI 1.0 (1 is undefined and read as 1.0), 2 for ACPI 2.0 and later. */
  revision: u8 = 0;
  oemId: string = "";
  /** The bytes validated: 20 for ACPI 1.0 (or a 2.0 RSDP copied without its extension),
   * otherwise the length field. */
  length: u32 = 0;
  /** Physical address of the RSDT (u32 entries); may be 0 on ACPI 2.0+ machines. */
  rsdtAddress: u32 = 0;
  /** Physical address of the XSDT (u64 entries); 0 when the extension is absent. */
  xsdtAddress: u64 = 0;
}

/** Validates the RSDP at `address`. The caller guarantees that `available` bytes there are
 * readable (the multiboot2 tag's payload); nothing past min(available, RSDP length) is read.
 * Errors: InvalidArgument for a null address, Truncated when fewer bytes than the structure
 * (or its length field) are available, Malformed for a wrong signature or a length field below
 * 36, ChecksumMismatch for either checksum. */
export function parseRsdp(address: usize, available: usize): Rsdp {
  const rsdp = new Rsdp();
  if (address == 0) {
    rsdp.fail(KernelError.InvalidArgument, "RSDP: null address");
    return rsdp;
  }
  if (available < <usize>RSDP_VERSION_1_SIZE) {
    rsdp.fail(KernelError.Truncated, "RSDP: only " + available.toString() + " bytes, 20 needed");
    return rsdp;
  }
  if (load<u64>(address + RSDP_SIGNATURE) != RSDP_SIGNATURE_VALUE) {
    rsdp.fail(KernelError.Malformed, "RSDP: signature is not \"RSD PTR \"");
    return rsdp;
  }
  if (byteSum(address, RSDP_VERSION_1_SIZE) != 0) {
    rsdp.fail(KernelError.ChecksumMismatch, "RSDP: checksum over the first 20 bytes is not zero");
    return rsdp;
  }
  rsdp.revision = load<u8>(address + RSDP_REVISION);
  rsdp.oemId = asciiText(address + RSDP_OEM_ID, OEM_ID_SIZE);
  rsdp.rsdtAddress = load<u32>(address + RSDP_RSDT_ADDRESS);
  rsdp.length = RSDP_VERSION_1_SIZE;
  if (rsdp.revision < 2) {
    if (rsdp.revision == 1) rsdp.note("RSDP: revision 1 is undefined; read as ACPI 1.0");
    return rsdp;
  }
  if (available < <usize>RSDP_VERSION_2_SIZE) {
    // GRUB's tag 14 copies only the first 20 bytes, even of a revision 2 RSDP (OVMF publishes
    // the same RSDP under both the ACPI 1.0 and 2.0 GUIDs): the 1.0 part is valid on its own.
    rsdp.note("RSDP: revision " + rsdp.revision.toString() + " but only " + available.toString()
      + " bytes copied; using the RSDT");
    return rsdp;
  }
  const length = load<u32>(address + RSDP_LENGTH);
  if (length < RSDP_VERSION_2_SIZE) {
    rsdp.fail(KernelError.Malformed, "RSDP: length " + length.toString() + " is below 36");
    return rsdp;
  }
  if (<u64>length > <u64>available) {
    rsdp.fail(KernelError.Truncated, "RSDP: length " + length.toString() + " but only "
      + available.toString() + " bytes copied");
    return rsdp;
  }
  if (byteSum(address, <usize>length) != 0) {
    rsdp.fail(KernelError.ChecksumMismatch, "RSDP: extended checksum over " + length.toString()
      + " bytes is not zero");
    return rsdp;
  }
  rsdp.length = length;
  rsdp.xsdtAddress = load<u64>(address + RSDP_XSDT_ADDRESS);
  if (rsdp.xsdtAddress == 0) rsdp.note("RSDP: revision " + rsdp.revision.toString() + " without an XSDT address");
  return rsdp;
}
