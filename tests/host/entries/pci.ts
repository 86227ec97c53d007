// Host-test entry for PCI enumeration (kernel/pci/enumerate.ts): a fake configuration space
// that tests/host/pci.test.ts fills function by function (4 KiB of registers each, as ECAM
// gives), with BARs that behave as hardware's do when sized (their low bits fixed, only the
// bits above their size writable), then drives the real enumeration over it.

import { ConfigSpace } from "../../../kernel/pci/config";
import { pciEnumerate } from "../../../kernel/pci/enumerate";
import { BarKind, PciFunction } from "../../../kernel/pci/function";

const SLOTS: i32 = 64;
const SPACE = memory.data(SLOTS * 4096, 8);

class Fake extends ConfigSpace {
  /** Slot of each address (bus << 8 | device << 3 | function), -1 for none. */
  readonly slots: StaticArray<i32> = new StaticArray<i32>(65536);
  /** Per slot and BAR: the writable bits (0: not implemented, reads back what was put there). */
  readonly barMasks: StaticArray<u32> = new StaticArray<u32>(SLOTS * 6);
  reads: i32 = 0;
  writes: i32 = 0;
  constructor() {
    super();
    for (let i = 0; i < 65536; i++) this.slots[i] = -1;
  }
  get size(): u32 { return 4096; }
  get name(): string { return "fake"; }
  read32(address: u32, offset: u32): u32 {
    this.reads++;
    const slot = this.slots[<i32>address];
    return slot < 0 ? 0xffff_ffff : load<u32>(SPACE + <usize>slot * 4096 + <usize>(offset & 0xffc));
  }
  write32(address: u32, offset: u32, value: u32): void {
    this.writes++;
    const slot = this.slots[<i32>address];
    if (slot < 0) return;
    const at = SPACE + <usize>slot * 4096 + <usize>(offset & 0xffc);
    const bar = (<i32>offset - 0x10) >> 2;
    if (offset >= 0x10 && offset < 0x28) {   // a BAR: only the bits above its size are writable (none: not implemented)
      const mask = this.barMasks[slot * 6 + bar];
      value = (value & mask) | (load<u32>(at) & ~mask);
    }
    store<u32>(at, value);
  }
}

class World {
  fake: Fake = new Fake();
  found: PciFunction[] = [];
}
const world = new World();

export function reset(): void {
  world.fake = new Fake();
  memory.fill(SPACE, 0, <usize>SLOTS * 4096);
  world.found = [];
}
/** Puts function `address` in `slot` (its registers zeroed). */
export function addFunction(address: u32, slot: i32): void {
  world.fake.slots[<i32>address] = slot;
  memory.fill(SPACE + <usize>slot * 4096, 0, 4096);
}
export function poke32(slot: i32, offset: u32, value: u32): void { store<u32>(SPACE + <usize>slot * 4096 + <usize>offset, value); }
export function peek32(slot: i32, offset: u32): u32 { return load<u32>(SPACE + <usize>slot * 4096 + <usize>offset); }
/** BAR `bar` of `slot` keeps all bits but `mask` (the bits above its size). */
export function barMask(slot: i32, bar: i32, mask: u32): void { world.fake.barMasks[slot * 6 + bar] = mask; }
/** Bytes the test copies in at `slot`'s registers (random contents). */
export function spaceAddress(slot: i32): usize { return SPACE + <usize>slot * 4096; }

export function enumerate(): i32 {
  world.found = pciEnumerate(world.fake);
  return world.found.length;
}
export function accesses(): i32 { return world.fake.reads + world.fake.writes; }

export function address(i: i32): u32 { return world.found[i].address; }
export function vendor(i: i32): u32 { return world.found[i].vendor; }
export function deviceId(i: i32): u32 { return world.found[i].device; }
export function classCode(i: i32): u32 { return world.found[i].classCode; }
export function interruptPin(i: i32): u32 { return world.found[i].interruptPin; }
export function barCount(i: i32): i32 { return world.found[i].bars.length; }
export function barIndex(i: i32, j: i32): u32 { return world.found[i].bars[j].index; }
export function barKind(i: i32, j: i32): BarKind { return world.found[i].bars[j].kind; }
export function barAddress(i: i32, j: i32): u64 { return world.found[i].bars[j].address; }
export function barSize(i: i32, j: i32): u64 { return world.found[i].bars[j].size; }
export function barPrefetchable(i: i32, j: i32): bool { return world.found[i].bars[j].prefetchable; }
export function capabilityCount(i: i32): i32 { return world.found[i].capabilities.length; }
export function capabilityId(i: i32, j: i32): u32 { return world.found[i].capabilities[j].id; }
export function msixVectors(i: i32): u32 { const m = world.found[i].msix; return m === null ? 0 : m.tableSize; }
export function msixTableBar(i: i32): u32 { const m = world.found[i].msix; return m === null ? 99 : m.tableBar; }
export function problemCount(i: i32): i32 { return world.found[i].problems.length; }
export function problem(i: i32, j: i32): string { return world.found[i].problems[j]; }
