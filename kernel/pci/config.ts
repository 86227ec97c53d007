// PCI configuration space, as the enumeration reads it: a function's registers by bus, device,
// function and offset (PCI Local Bus 3.0, chapter 6; PCI Express 5.0, 7.2). Two ways to reach
// it: the legacy ports 0xCF8/0xCFC (config-port.ts; the first 256 bytes only), and the
// memory-mapped ECAM windows the ACPI MCFG table lists (config-ecam.ts; 4 KiB a function).
// Tests give the enumeration a fake (tests/host/entries/pci.ts).

/** bus << 8 | device << 3 | function: a function's address on segment 0. */
@inline export function pciAddress(bus: u32, device: u32, fn: u32): u32 {
  return (bus << 8) | (device << 3) | fn;
}

export abstract class ConfigSpace {
  /** Bytes of configuration space each function has through this access: 256 or 4096. */
  abstract get size(): u32;
  /** The 32-bit register at `offset` (a multiple of 4, below size) of function `address`. */
  abstract read32(address: u32, offset: u32): u32;
  abstract write32(address: u32, offset: u32, value: u32): void;
  /** A short name for the log. */
  abstract get name(): string;

  read16(address: u32, offset: u32): u32 {
    return (this.read32(address, offset & ~3) >>> ((offset & 2) << 3)) & 0xffff;
  }

  read8(address: u32, offset: u32): u32 {
    return (this.read32(address, offset & ~3) >>> ((offset & 3) << 3)) & 0xff;
  }

  /** Writes the 16 bits at `offset` (a multiple of 2), keeping the other half of the register. */
  write16(address: u32, offset: u32, value: u32): void {
    const shift = (offset & 2) << 3;
    const old = this.read32(address, offset & ~3);
    this.write32(address, offset & ~3, (old & ~(<u32>0xffff << shift)) | ((value & 0xffff) << shift));
  }
}
