// Configuration space through ECAM (PCI Express 5.0, 7.2.2): each function's 4 KiB of registers
// at base + (bus << 20 | device << 15 | function << 12), for the buses an MCFG entry lists.
// A function's page is mapped uncached into the MMIO window the first time it is read, and kept
// (the enumeration reads only the buses it reaches). Registers are read through the MMIO
// imports, never with plain loads.

import { mmioRead32, mmioWrite32 } from "../arch/hw";
import { mmioMap } from "../memory/mmio";
import { ConfigSpace } from "./config";

export class EcamConfigSpace extends ConfigSpace {
  /** Virtual address of each function's page, by address (0: not mapped yet). */
  private readonly pages: Map<u32, u64> = new Map<u32, u64>();

  /** The ECAM window at physical `base` for buses [startBus, endBus] of segment 0. */
  constructor(readonly base: u64, readonly startBus: u32, readonly endBus: u32) { super(); }

  get size(): u32 { return 4096; }
  get name(): string { return "ECAM"; }

  /** Whether the window covers `address`'s bus. */
  covers(address: u32): bool {
    const bus = address >> 8;
    return bus >= this.startBus && bus <= this.endBus;
  }

  /** The virtual address of function `address`'s page, mapping it first; 0 when it cannot be. */
  private page(address: u32): u64 {
    if (this.pages.has(address)) return this.pages.get(address);
    if (!this.covers(address)) return 0;
    const physical = this.base + ((<u64>((address >> 8) - this.startBus) << 20) | (<u64>(address & 0xff) << 12));
    const virtual = mmioMap(physical, 4096);
    this.pages.set(address, virtual);
    return virtual;
  }

  read32(address: u32, offset: u32): u32 {
    const page = this.page(address);
    return page == 0 ? 0xffff_ffff : mmioRead32(page + <u64>(offset & 0xffc));
  }

  write32(address: u32, offset: u32, value: u32): void {
    const page = this.page(address);
    if (page != 0) mmioWrite32(page + <u64>(offset & 0xffc), value);
  }
}
