// Enumerating PCI: every function reachable from bus 0 (and from the further root buses a
// multi-function host bridge names), behind every PCI-to-PCI bridge, each bus at most once.
// For each function: identity and class, its BARs sized (decoding off while the all-ones
// pattern is in them, then everything restored), its capability list walked with a bound and
// a loop check, and its MSI-X table located. Nothing found in configuration space is trusted:
// a malformed value is a recorded problem, never a crash (tests/host/pci.test.ts feeds it
// broken devices). PCI Local Bus 3.0, 6.1-6.8.

import { ConfigSpace, pciAddress } from "./config";
import { Bar, BarKind, Capability, Msix, PciFunction } from "./function";

const VENDOR_NONE: u32 = 0xffff;
const OFFSET_COMMAND: u32 = 0x04;
const OFFSET_STATUS: u32 = 0x06;
const OFFSET_CLASS: u32 = 0x08;
const OFFSET_HEADER_TYPE: u32 = 0x0e;
const OFFSET_BAR0: u32 = 0x10;
const OFFSET_SECONDARY_BUS: u32 = 0x19;
const OFFSET_CAPABILITIES: u32 = 0x34;
const OFFSET_INTERRUPT_LINE: u32 = 0x3c;
const COMMAND_DECODE: u32 = 0b11;   // I/O space, memory space
const STATUS_CAPABILITIES: u32 = 1 << 4;
const HEADER_MULTIFUNCTION: u32 = 0x80;
export const CAPABILITY_MSIX: u32 = 0x11;
/** At most this many capabilities are followed (48 fit in the 192 bytes after the header). */
const CAPABILITIES_MAXIMUM: i32 = 48;

class Walk {
  readonly functions: PciFunction[] = [];
  /** Buses scanned (a bridge loop or a bad secondary number cannot make one scanned twice). */
  readonly scanned: StaticArray<bool> = new StaticArray<bool>(256);
  constructor(readonly config: ConfigSpace) {}
}

/** Every function found, in bus, device, function order of discovery. */
export function pciEnumerate(config: ConfigSpace): PciFunction[] {
  const walk = new Walk(config);
  scanBus(walk, 0);
  // A multi-function host bridge at 00:00: function n is the host bridge of root bus n.
  const host = pciAddress(0, 0, 0);
  if (config.read16(host, 0) != VENDOR_NONE && (config.read8(host, OFFSET_HEADER_TYPE) & HEADER_MULTIFUNCTION) != 0) {
    for (let fn: u32 = 1; fn < 8; fn++) {
      if (config.read16(pciAddress(0, 0, fn), 0) != VENDOR_NONE) scanBus(walk, fn);
    }
  }
  return walk.functions;
}

function scanBus(walk: Walk, bus: u32): void {
  if (bus > 255 || walk.scanned[bus]) return;
  walk.scanned[bus] = true;
  const config = walk.config;
  for (let device: u32 = 0; device < 32; device++) {
    if (config.read16(pciAddress(bus, device, 0), 0) == VENDOR_NONE) continue;
    const functions: u32 = (config.read8(pciAddress(bus, device, 0), OFFSET_HEADER_TYPE) & HEADER_MULTIFUNCTION) != 0 ? 8 : 1;
    for (let fn: u32 = 0; fn < functions; fn++) {
      const address = pciAddress(bus, device, fn);
      const vendor = config.read16(address, 0);
      if (vendor == VENDOR_NONE) continue;
      const found = describe(config, address, vendor);
      walk.functions.push(found);
      if (found.headerType == 1 && found.secondaryBus > bus) scanBus(walk, found.secondaryBus);
    }
  }
}

function describe(config: ConfigSpace, address: u32, vendor: u32): PciFunction {
  const found = new PciFunction(address, vendor, config.read16(address, 2));
  const classRegister = config.read32(address, OFFSET_CLASS);
  found.revision = classRegister & 0xff;
  found.classCode = classRegister >>> 8;
  found.headerType = config.read8(address, OFFSET_HEADER_TYPE) & 0x7f;
  const interrupt = config.read32(address, OFFSET_INTERRUPT_LINE);
  found.interruptLine = interrupt & 0xff;
  found.interruptPin = (interrupt >>> 8) & 0xff;
  if (found.interruptPin > 4) {
    found.problems.push("interrupt pin " + found.interruptPin.toString() + " is not A to D");
    found.interruptPin = 0;
  }
  if (found.headerType == 1) found.secondaryBus = config.read8(address, OFFSET_SECONDARY_BUS);
  if (found.headerType == 0) sizeBars(config, found, 6);
  else if (found.headerType == 1) sizeBars(config, found, 2);
  else if (found.headerType != 2) found.problems.push("header type " + found.headerType.toString() + " unknown");
  if (found.headerType <= 1 && (config.read16(address, OFFSET_STATUS) & STATUS_CAPABILITIES) != 0) walkCapabilities(config, found);
  return found;
}

/** Sizes the first `count` BARs: decoding off, all ones written, the size read back, the old
 * values and the command register restored. */
function sizeBars(config: ConfigSpace, found: PciFunction, count: u32): void {
  const address = found.address;
  const command = config.read16(address, OFFSET_COMMAND);
  config.write16(address, OFFSET_COMMAND, command & ~COMMAND_DECODE);
  for (let index: u32 = 0; index < count; index++) {
    const offset = OFFSET_BAR0 + index * 4;
    const original = config.read32(address, offset);
    config.write32(address, offset, 0xffff_ffff);
    const mask = config.read32(address, offset);
    config.write32(address, offset, original);
    if (mask == 0) continue;   // not implemented
    if ((original & 1) != 0) {
      const size = (~(mask & 0xffff_fffc | 0xffff_0000) + 1) & 0xffff_ffff;
      if (size != 0) found.bars.push(new Bar(index, BarKind.Io, <u64>(original & 0xffff_fffc), <u64>size, false));
      continue;
    }
    const type = (original >>> 1) & 3;
    const prefetchable = (original & 8) != 0;
    if (type == 2) {
      if (index + 1 >= count) {
        found.problems.push("BAR" + index.toString() + " is 64-bit with no register after it");
        continue;
      }
      const highOffset = offset + 4;
      const originalHigh = config.read32(address, highOffset);
      config.write32(address, highOffset, 0xffff_ffff);
      const maskHigh = config.read32(address, highOffset);
      config.write32(address, highOffset, originalHigh);
      const mask64 = (<u64>maskHigh << 32) | <u64>(mask & 0xffff_fff0);
      const size = ~mask64 + 1;
      if (size != 0) found.bars.push(new Bar(index, BarKind.Memory64, (<u64>originalHigh << 32) | <u64>(original & 0xffff_fff0), size, prefetchable));
      index++;   // the upper half
      continue;
    }
    if (type != 0) {
      found.problems.push("BAR" + index.toString() + " has reserved type " + type.toString());
      continue;
    }
    const size = (~(mask & 0xffff_fff0) + 1) & 0xffff_ffff;
    if (size != 0) found.bars.push(new Bar(index, BarKind.Memory32, <u64>(original & 0xffff_fff0), <u64>size, prefetchable));
  }
  config.write16(address, OFFSET_COMMAND, command);
}

/** The capability list: each entry's id and offset, at most CAPABILITIES_MAXIMUM, stopping at a
 * pointer into the header, past the space, or to an entry already seen (a loop). */
function walkCapabilities(config: ConfigSpace, found: PciFunction): void {
  const address = found.address;
  const seen = new StaticArray<bool>(64);
  let pointer = config.read8(address, OFFSET_CAPABILITIES) & 0xfc;
  for (let count = 0; pointer != 0; count++) {
    if (count == CAPABILITIES_MAXIMUM) { found.problems.push("more than 48 capabilities"); return; }
    if (pointer < 0x40 || pointer > 0xfc) { found.problems.push("capability pointer 0x" + pointer.toString(16) + " into the header"); return; }
    if (seen[pointer >> 2]) { found.problems.push("capability list loops at 0x" + pointer.toString(16)); return; }
    seen[pointer >> 2] = true;
    const header = config.read16(address, pointer);
    const id = header & 0xff;
    found.capabilities.push(new Capability(id, pointer));
    if (id == CAPABILITY_MSIX && found.msix === null) readMsix(config, found, pointer);
    pointer = (header >>> 8) & 0xfc;
  }
}

function readMsix(config: ConfigSpace, found: PciFunction, offset: u32): void {
  if (offset + 12 > 256) { found.problems.push("MSI-X capability runs past the header space"); return; }
  const control = config.read16(found.address, offset + 2);
  const table = config.read32(found.address, offset + 4), pba = config.read32(found.address, offset + 8);
  const msix = new Msix(offset, (control & 0x7ff) + 1, table & 7, table & ~<u32>7, pba & 7, pba & ~<u32>7);
  const tableBar = found.bar(msix.tableBar), pbaBar = found.bar(msix.pbaBar);
  if (tableBar === null || tableBar.kind == BarKind.Io || <u64>msix.tableOffset + <u64>msix.tableSize * 16 > tableBar.size) {
    found.problems.push("MSI-X table outside a memory BAR");
    return;
  }
  if (pbaBar === null || pbaBar.kind == BarKind.Io || <u64>msix.pbaOffset + ((<u64>msix.tableSize + 63) / 64) * 8 > pbaBar.size) {
    found.problems.push("MSI-X pending bits outside a memory BAR");
    return;
  }
  found.msix = msix;
}
