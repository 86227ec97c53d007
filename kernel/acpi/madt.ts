// The MADT, Multiple APIC Description Table (ACPI 6.5 §5.2.12): the local APIC address, each
// processor's local APIC, the I/O APICs, the ISA interrupt source overrides and the local APIC
// NMI inputs, plus isaIrqToGsi(), which routes a legacy IRQ through the overrides, and
// pciLineToGsi(), which does the same for a PCI function's Interrupt Line with PCI's signalling
// (kernel/pci/intx.ts). Pure: called by the kernel's interrupt bring-up and
// tests/host/acpi.test.ts with a table from findTable().

import { KernelError } from "../../abi/errors";
import { AcpiResult, hexText } from "./result";
import { AcpiTable, SIGNATURE_MADT } from "./tables";

//  ACPI 6.5 §5.2.12: MADT
//  ┌──────────────┬────────────────────┬────────┬──────────────────────────────────────┐
//  │ SDT header   │ local APIC address │ flags  │ interrupt controller structures …    │
//  │ 0        36  │ 36              4  │ 40  4  │ 44                         to length │
//  └──────────────┴────────────────────┴────────┴──────────────────────────────────────┘
//  flags bit 0 PCAT_COMPAT: the 8259 PICs are present too (mask them to use the I/O APIC).
//  Every structure:  ┌──────┬────────┬──────────────────────┐  `length` counts the whole
//                    │ type │ length │ type-specific …      │  structure; later revisions
//                    │ 0  1 │ 1    1 │ 2                    │  may make one longer.
//                    └──────┴────────┴──────────────────────┘
//  0 Processor Local APIC (§5.2.12.2), 8 bytes: 2 ACPI processor UID u8, 3 APIC ID u8,
//    4 flags u32 (bit 0 enabled, bit 1 online capable)
//  1 I/O APIC (§5.2.12.3), 12 bytes: 2 I/O APIC ID u8, 3 reserved, 4 address u32, 8 GSI base u32
//  2 Interrupt Source Override (§5.2.12.5), 10 bytes: 2 bus u8 (0 = ISA), 3 source IRQ u8,
//    4 GSI u32, 8 MPS INTI flags u16
//  4 Local APIC NMI (§5.2.12.7), 6 bytes: 2 ACPI processor UID u8 (0xff = all), 3 MPS INTI
//    flags u16, 5 local APIC LINT# u8
//  5 Local APIC Address Override (§5.2.12.8), 12 bytes: 2 reserved u16, 4 address u64
//  MPS INTI flags (§5.2.12.5): bits 0-1 polarity, bits 2-3 trigger mode; 00 conforms to the bus
//  (ISA: active high, edge), 01 active high / edge, 11 active low / level, 10 reserved.
@inline const MADT_LOCAL_APIC_ADDRESS: usize = 36;
@inline const MADT_FLAGS: usize = 40;
@inline const MADT_STRUCTURES: u32 = 44;
@inline const STRUCTURE_TYPE: usize = 0;
@inline const STRUCTURE_LENGTH: usize = 1;
@inline const TYPE_LOCAL_APIC: u8 = 0;
@inline const TYPE_IO_APIC: u8 = 1;
@inline const TYPE_SOURCE_OVERRIDE: u8 = 2;
@inline const TYPE_LOCAL_APIC_NMI: u8 = 4;
@inline const TYPE_ADDRESS_OVERRIDE: u8 = 5;
@inline const LOCAL_APIC_PROCESSOR_UID: usize = 2;
@inline const LOCAL_APIC_ID: usize = 3;
@inline const LOCAL_APIC_FLAGS: usize = 4;
@inline const IO_APIC_ID: usize = 2;
@inline const IO_APIC_ADDRESS: usize = 4;
@inline const IO_APIC_GSI_BASE: usize = 8;
@inline const OVERRIDE_BUS: usize = 2;
@inline const OVERRIDE_SOURCE: usize = 3;
@inline const OVERRIDE_GSI: usize = 4;
@inline const OVERRIDE_FLAGS: usize = 8;
@inline const NMI_PROCESSOR_UID: usize = 2;
@inline const NMI_FLAGS: usize = 3;
@inline const NMI_LINT: usize = 5;
@inline const ADDRESS_OVERRIDE_ADDRESS: usize = 4;
@inline const POLARITY_RESERVED: u16 = 0b10;
@inline const TRIGGER_RESERVED: u16 = 0b10;
@inline const ISA_IRQ_COUNT: u32 = 16;
/** Per-kind limits, so a hostile table cannot exhaust the kernel heap (which is a panic). */
@inline const MAXIMUM_ENTRIES: i32 = 256;

export const MADT_PCAT_COMPAT: u32 = 1 << 0;
export const LOCAL_APIC_ENABLED: u32 = 1 << 0;
export const LOCAL_APIC_ONLINE_CAPABLE: u32 = 1 << 1;

export enum Polarity { ActiveHigh = 0, ActiveLow = 1 }
export enum TriggerMode { Edge = 0, Level = 1 }

export class LocalApic {
  processorUid: u8 = 0;
  apicId: u8 = 0;
  flags: u32 = 0;
  get enabled(): bool { return (this.flags & LOCAL_APIC_ENABLED) != 0; }
  /** Disabled now but may be brought online later (ACPI 6.3+). */
  get onlineCapable(): bool { return (this.flags & LOCAL_APIC_ONLINE_CAPABLE) != 0; }
}

export class IoApic {
  id: u8 = 0;
  address: u32 = 0;
  gsiBase: u32 = 0;
}

export class InterruptSourceOverride {
  bus: u8 = 0;
  sourceIrq: u8 = 0;
  gsi: u32 = 0;
  /** Raw MPS INTI flags; polarity and trigger decode them for the ISA bus. */
  flags: u16 = 0;
  get polarity(): Polarity { return (this.flags & 0b11) == 0b11 ? Polarity.ActiveLow : Polarity.ActiveHigh; }
  get trigger(): TriggerMode { return ((this.flags >> 2) & 0b11) == 0b11 ? TriggerMode.Level : TriggerMode.Edge; }
}

export class LocalApicNmi {
  /** 0xff: every processor. */
  processorUid: u8 = 0;
  /** Raw MPS INTI flags. */
  flags: u16 = 0;
  /** The local APIC input (LINT0 or LINT1) the NMI is wired to. */
  lint: u8 = 0;
}

/** Where an ISA IRQ arrives: a global system interrupt and how it signals. */
export class IrqRoute {
  error: KernelError = KernelError.None;
  gsi: u32 = 0;
  polarity: Polarity = Polarity.ActiveHigh;
  trigger: TriggerMode = TriggerMode.Edge;
}

export class Madt extends AcpiResult {
  /** The 32-bit address in the MADT's own fields; see effectiveLocalApicAddress. */
  localApicAddress: u32 = 0;
  flags: u32 = 0;
  hasLocalApicAddressOverride: bool = false;
  localApicAddressOverride: u64 = 0;
  localApics: LocalApic[] = [];
  ioApics: IoApic[] = [];
  overrides: InterruptSourceOverride[] = [];
  localApicNmis: LocalApicNmi[] = [];

  get pcatCompatible(): bool { return (this.flags & MADT_PCAT_COMPAT) != 0; }

  /** The override's 64-bit address when there is one (§5.2.12.8), else the 32-bit field. */
  get effectiveLocalApicAddress(): u64 {
    return this.hasLocalApicAddressOverride ? this.localApicAddressOverride : <u64>this.localApicAddress;
  }

  /** Routes ISA IRQ `irq` (0-15): the first ISA interrupt source override for it, otherwise the
   * identity with ISA's defaults (active high, edge). InvalidArgument for irq >= 16. */
  isaIrqToGsi(irq: u32): IrqRoute {
    const route = new IrqRoute();
    if (irq >= ISA_IRQ_COUNT) {
      route.error = KernelError.InvalidArgument;
      return route;
    }
    route.gsi = irq;
    for (let i = 0; i < this.overrides.length; i++) {
      const entry = this.overrides[i];
      if (entry.bus == 0 && <u32>entry.sourceIrq == irq) {
        route.gsi = entry.gsi;
        route.polarity = entry.polarity;
        route.trigger = entry.trigger;
        break;
      }
    }
    return route;
  }

  /** Routes a PCI function's Interrupt Line (configuration offset 0x3C: the ISA IRQ firmware
   * steered its INTx pin to, PCI Local Bus 3.0 §6.2.4) to a GSI: through the first ISA override
   * for that IRQ, otherwise the identity. Polarity and trigger are PCI's (active low, level)
   * except where the override names one (01 or 11 in its field; 00 "conforms to the bus" and
   * the reserved 10 leave PCI's). A line from 16 up is taken as a GSI firmware wrote directly.
   * NotFound for 0 and 255: firmware gave no line (255 is "unknown or not connected"). */
  pciLineToGsi(line: u32): IrqRoute {
    const route = new IrqRoute();
    route.polarity = Polarity.ActiveLow;
    route.trigger = TriggerMode.Level;
    if (line == 0 || line >= 255) {
      route.error = KernelError.NotFound;
      return route;
    }
    route.gsi = line;
    if (line >= ISA_IRQ_COUNT) return route;
    for (let i = 0; i < this.overrides.length; i++) {
      const entry = this.overrides[i];
      if (entry.bus != 0 || <u32>entry.sourceIrq != line) continue;
      route.gsi = entry.gsi;
      const polarity = entry.flags & 0b11, trigger = (entry.flags >> 2) & 0b11;
      if (polarity == 0b01) route.polarity = Polarity.ActiveHigh;
      if (trigger == 0b01) route.trigger = TriggerMode.Edge;
      break;
    }
    return route;
  }
}

/** Parses a MADT that readTable() or findTable() accepted (`table.error` None: its `length`
 * bytes are readable). Errors: the table's own error; InvalidArgument when it is not an "APIC"
 * table; Truncated below 44 bytes; Malformed when a structure's length is below 2 or runs past
 * the table, which stops parsing (the structures before it are kept). Structures of unknown
 * type are skipped by their length; known ones too short for their fields are skipped with a
 * problem. */
export function parseMadt(table: AcpiTable): Madt {
  const madt = new Madt();
  if (table.error != KernelError.None) {
    madt.fail(table.error, "MADT: the table was refused");
    return madt;
  }
  if (table.signature != SIGNATURE_MADT) {
    madt.fail(KernelError.InvalidArgument, "MADT: not an APIC table");
    return madt;
  }
  const length = table.length;
  if (length < MADT_STRUCTURES) {
    madt.fail(KernelError.Truncated, "MADT: length " + length.toString() + " is below 44");
    return madt;
  }
  const base = <usize>table.address;
  madt.localApicAddress = load<u32>(base + MADT_LOCAL_APIC_ADDRESS);
  madt.flags = load<u32>(base + MADT_FLAGS);
  let offset = MADT_STRUCTURES;
  while (offset < length) {
    if (length - offset < 2) {
      madt.fail(KernelError.Malformed, at(offset) + ": structure header runs past the table");
      break;
    }
    const structure = base + <usize>offset;
    const type = load<u8>(structure + STRUCTURE_TYPE);
    const size = <u32>load<u8>(structure + STRUCTURE_LENGTH);
    if (size < 2) {
      madt.fail(KernelError.Malformed, at(offset) + ": structure length " + size.toString());
      break;
    }
    if (size > length - offset) {
      madt.fail(KernelError.Malformed, at(offset) + ": structure of " + size.toString() + " bytes runs past the table");
      break;
    }
    if (size < minimumSize(type)) {
      madt.note(at(offset) + ": type " + type.toString() + " structure of " + size.toString() + " bytes is too short; skipped");
    } else {
      readStructure(madt, type, structure, offset);
    }
    offset += size;
  }
  return madt;
}

/** The size a known structure type needs (2 for unknown types, which are skipped). */
function minimumSize(type: u8): u32 {
  switch (type) {
    case TYPE_LOCAL_APIC: return 8;
    case TYPE_IO_APIC: return 12;
    case TYPE_SOURCE_OVERRIDE: return 10;
    case TYPE_LOCAL_APIC_NMI: return 6;
    case TYPE_ADDRESS_OVERRIDE: return 12;
  }
  return 2;
}

/** Records one structure whose length covers its fields (checked by the caller). */
function readStructure(madt: Madt, type: u8, structure: usize, offset: u32): void {
  if (type == TYPE_LOCAL_APIC) {
    if (madt.localApics.length >= MAXIMUM_ENTRIES) {
      madt.note(at(offset) + ": too many local APICs; ignored");
      return;
    }
    const entry = new LocalApic();
    entry.processorUid = load<u8>(structure + LOCAL_APIC_PROCESSOR_UID);
    entry.apicId = load<u8>(structure + LOCAL_APIC_ID);
    entry.flags = load<u32>(structure + LOCAL_APIC_FLAGS);
    madt.localApics.push(entry);
  } else if (type == TYPE_IO_APIC) {
    if (madt.ioApics.length >= MAXIMUM_ENTRIES) {
      madt.note(at(offset) + ": too many I/O APICs; ignored");
      return;
    }
    const entry = new IoApic();
    entry.id = load<u8>(structure + IO_APIC_ID);
    entry.address = load<u32>(structure + IO_APIC_ADDRESS);
    entry.gsiBase = load<u32>(structure + IO_APIC_GSI_BASE);
    madt.ioApics.push(entry);
  } else if (type == TYPE_SOURCE_OVERRIDE) {
    if (madt.overrides.length >= MAXIMUM_ENTRIES) {
      madt.note(at(offset) + ": too many overrides; ignored");
      return;
    }
    const entry = new InterruptSourceOverride();
    entry.bus = load<u8>(structure + OVERRIDE_BUS);
    entry.sourceIrq = load<u8>(structure + OVERRIDE_SOURCE);
    entry.gsi = load<u32>(structure + OVERRIDE_GSI);
    entry.flags = load<u16>(structure + OVERRIDE_FLAGS);
    if (entry.bus != 0) madt.note(overrideAt(offset, entry) + " on bus " + entry.bus.toString() + ", not ISA");
    if ((entry.flags & 0b11) == POLARITY_RESERVED || ((entry.flags >> 2) & 0b11) == TRIGGER_RESERVED) {
      madt.note(overrideAt(offset, entry) + " has reserved flags " + hexText(entry.flags) + "; ISA defaults used");
    }
    if (<u32>entry.sourceIrq >= ISA_IRQ_COUNT) madt.note(overrideAt(offset, entry) + ", not an ISA IRQ");
    for (let i = 0; i < madt.overrides.length; i++) {
      const other = madt.overrides[i];
      if (other.bus == entry.bus && other.sourceIrq == entry.sourceIrq) {
        madt.note(at(offset) + ": second override of IRQ " + entry.sourceIrq.toString() + "; the first is used");
        break;
      }
    }
    madt.overrides.push(entry);
  } else if (type == TYPE_LOCAL_APIC_NMI) {
    if (madt.localApicNmis.length >= MAXIMUM_ENTRIES) {
      madt.note(at(offset) + ": too many local APIC NMIs; ignored");
      return;
    }
    const entry = new LocalApicNmi();
    entry.processorUid = load<u8>(structure + NMI_PROCESSOR_UID);
    entry.flags = load<u16>(structure + NMI_FLAGS);
    entry.lint = load<u8>(structure + NMI_LINT);
    madt.localApicNmis.push(entry);
  } else if (type == TYPE_ADDRESS_OVERRIDE) {
    if (madt.hasLocalApicAddressOverride) {
      madt.note(at(offset) + ": second local APIC address override; ignored");
      return;
    }
    madt.hasLocalApicAddressOverride = true;
    madt.localApicAddressOverride = load<u64>(structure + ADDRESS_OVERRIDE_ADDRESS);
  }
}

/** Names a structure's position in problem lines; built only when there is a problem. */
function at(offset: u32): string {
  return "MADT offset " + offset.toString();
}

/** The start of a note about an interrupt source override. Built only when there is a note to
 * make: a boot with no notes then runs no string code here (docs/ARCHITECTURE.md, "Where init
 * time goes"). */
function overrideAt(offset: u32, entry: InterruptSourceOverride): string {
  return at(offset) + ": override of IRQ " + entry.sourceIrq.toString();
}
