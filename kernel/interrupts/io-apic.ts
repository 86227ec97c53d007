// The I/O APIC: every redirection entry masked at start, then one entry routed per device
// interrupt, to the bootstrap processor (the serial port, the keyboard, PCI INTx lines:
// kernel/pci/intx.ts, which also masks a line nobody claims). Intel 82093AA datasheet, sections 3.1 (IOREGSEL,
// IOWIN) and 3.2.4 (redirection table).

import { mmioRead32, mmioWrite32 } from "../arch/hw";
import { KernelError } from "../../abi/errors";
import { mmioLastError, mmioMap } from "../memory/mmio";

const REGISTER_SELECT: u64 = 0x00;
const REGISTER_WINDOW: u64 = 0x10;
const REGISTER_VERSION: u32 = 0x01;
const REGISTER_REDIRECTION_BASE: u32 = 0x10;
const REDIRECTION_MASKED: u32 = 1 << 16;
const REDIRECTION_LEVEL: u32 = 1 << 15;
const REDIRECTION_ACTIVE_LOW: u32 = 1 << 13;

class IoApicState {
  registers: u64 = 0;
  gsiBase: u32 = 0;
  entries: u32 = 0;
}
const state = new IoApicState();

function read(register: u32): u32 {
  mmioWrite32(state.registers + REGISTER_SELECT, register);
  return mmioRead32(state.registers + REGISTER_WINDOW);
}

function write(register: u32, value: u32): void {
  mmioWrite32(state.registers + REGISTER_SELECT, register);
  mmioWrite32(state.registers + REGISTER_WINDOW, value);
}

/** Maps the I/O APIC at `physical` serving GSIs from `gsiBase`, and masks every entry. */
export function ioApicInit(physical: u64, gsiBase: u32): KernelError {
  state.registers = mmioMap(physical, 0x20);
  if (state.registers == 0) return mmioLastError();
  state.gsiBase = gsiBase;
  state.entries = ((read(REGISTER_VERSION) >> 16) & 0xff) + 1;
  for (let i: u32 = 0; i < state.entries; i++) {
    write(REGISTER_REDIRECTION_BASE + 2 * i, REDIRECTION_MASKED);
    write(REGISTER_REDIRECTION_BASE + 2 * i + 1, 0);
  }
  return KernelError.None;
}

export function ioApicEntries(): u32 {
  return state.entries;
}

/** Routes global system interrupt `gsi` to `vector` on the local APIC `apicId`, unmasked. */
export function ioApicRoute(gsi: u32, vector: u32, apicId: u32, activeLow: bool, levelTriggered: bool): KernelError {
  if (gsi < state.gsiBase || gsi - state.gsiBase >= state.entries) return KernelError.OutOfRange;
  const index = gsi - state.gsiBase;
  let low = vector & 0xff;
  if (activeLow) low |= REDIRECTION_ACTIVE_LOW;
  if (levelTriggered) low |= REDIRECTION_LEVEL;
  write(REGISTER_REDIRECTION_BASE + 2 * index + 1, apicId << 24);
  write(REGISTER_REDIRECTION_BASE + 2 * index, low);
  return KernelError.None;
}

/** Whether the I/O APIC has an entry for `gsi`. */
export function ioApicCovers(gsi: u32): bool {
  return gsi >= state.gsiBase && gsi - state.gsiBase < state.entries;
}

/** The vector an unmasked entry for `gsi` delivers; 0 when the entry is masked (nobody routed
 * it) or the I/O APIC has no entry for `gsi`. */
export function ioApicVector(gsi: u32): u32 {
  if (!ioApicCovers(gsi)) return 0;
  const low = read(REGISTER_REDIRECTION_BASE + 2 * (gsi - state.gsiBase));
  return (low & REDIRECTION_MASKED) != 0 ? 0 : low & 0xff;
}

/** Masks the entry for `gsi` (kept as it was otherwise); nothing when there is none. */
export function ioApicMask(gsi: u32): void {
  if (!ioApicCovers(gsi)) return;
  const register = REGISTER_REDIRECTION_BASE + 2 * (gsi - state.gsiBase);
  write(register, read(register) | REDIRECTION_MASKED);
}
