// The bootstrap processor's local APIC: enabled with a spurious vector, its timer used for the
// periodic tick (time/tick.ts) and calibrated against the PIT (time/calibration.ts). Registers
// are reached through the MMIO window. Intel SDM vol. 3, chapter 11 (register map, table 11-1).

import { mmioRead32, mmioWrite32, readMsr } from "../arch/hw";
import { KernelError } from "../../abi/errors";
import { mmioLastError, mmioMap } from "../memory/mmio";
import { VECTOR_APIC_SPURIOUS } from "./vectors";

const APIC_BASE_MSR: u32 = 0x1b;
const REGISTER_ID: u64 = 0x20;
const REGISTER_TASK_PRIORITY: u64 = 0x80;
const REGISTER_END_OF_INTERRUPT: u64 = 0xb0;
const REGISTER_SPURIOUS: u64 = 0xf0;
const REGISTER_LVT_TIMER: u64 = 0x320;
const REGISTER_TIMER_INITIAL: u64 = 0x380;
const REGISTER_TIMER_CURRENT: u64 = 0x390;
const REGISTER_TIMER_DIVIDE: u64 = 0x3e0;
const SPURIOUS_APIC_ENABLE: u32 = 1 << 8;
const LVT_MASKED: u32 = 1 << 16;
const LVT_TIMER_PERIODIC: u32 = 1 << 17;
const TIMER_DIVIDE_BY_16: u32 = 0x3;

class LocalApicState {
  registers: u64 = 0;  // virtual address of the register page
}
const state = new LocalApicState();

@inline function read(register: u64): u32 {
  return mmioRead32(state.registers + register);
}
@inline function write(register: u64, value: u32): void {
  mmioWrite32(state.registers + register, value);
}

/** Maps and enables the local APIC at `physical` (from the MADT; 0 means: ask the CPU). */
export function localApicInit(physical: u64): KernelError {
  if (physical == 0) physical = readMsr(APIC_BASE_MSR) & 0x000f_ffff_ffff_f000;
  state.registers = mmioMap(physical, 4096);
  if (state.registers == 0) return mmioLastError();
  write(REGISTER_TASK_PRIORITY, 0);
  write(REGISTER_SPURIOUS, SPURIOUS_APIC_ENABLE | VECTOR_APIC_SPURIOUS);
  write(REGISTER_LVT_TIMER, LVT_MASKED);
  return KernelError.None;
}

export function localApicId(): u32 {
  return read(REGISTER_ID) >> 24;
}

export function localApicEndOfInterrupt(): void {
  write(REGISTER_END_OF_INTERRUPT, 0);
}

/** Starts the timer counting down from the maximum, masked, divide by 16: for calibration. */
export function localApicTimerStartFree(): void {
  write(REGISTER_TIMER_DIVIDE, TIMER_DIVIDE_BY_16);
  write(REGISTER_LVT_TIMER, LVT_MASKED);
  write(REGISTER_TIMER_INITIAL, 0xffff_ffff);
}

export function localApicTimerCurrent(): u32 {
  return read(REGISTER_TIMER_CURRENT);
}

/** Periodic interrupts on `vector` every `count` timer ticks (divide by 16). */
export function localApicTimerPeriodic(vector: u32, count: u32): void {
  write(REGISTER_TIMER_DIVIDE, TIMER_DIVIDE_BY_16);
  write(REGISTER_LVT_TIMER, LVT_TIMER_PERIODIC | vector);
  write(REGISTER_TIMER_INITIAL, count);
}
