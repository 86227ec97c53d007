// The periodic tick: the local APIC timer at a configured rate (command line "tick=HZ",
// default 100), counted; the scheduler will hang off it. A tick observer (the tick self-test)
// can be attached.

import { localApicEndOfInterrupt, localApicTimerPeriodic } from "../interrupts/local-apic";
import { VECTOR_TIMER } from "../interrupts/vectors";

export const DEFAULT_TICK_HZ: u32 = 100;
export const MINIMUM_TICK_HZ: u32 = 10;
export const MAXIMUM_TICK_HZ: u32 = 10_000;

class TickState {
  hz: u32 = 0;
  count: u64 = 0;
  observer: ((count: u64) => void) | null = null;
}
const state = new TickState();

/** Starts ticking at `hz` given the calibrated APIC timer rate; returns the rate used (clamped). */
export function tickInit(hz: u32, apicTimerHz: u64): u32 {
  if (hz < MINIMUM_TICK_HZ) hz = MINIMUM_TICK_HZ;
  if (hz > MAXIMUM_TICK_HZ) hz = MAXIMUM_TICK_HZ;
  state.hz = hz;
  const count = apicTimerHz / <u64>hz;
  localApicTimerPeriodic(VECTOR_TIMER, <u32>(count > 0xffff_ffff ? 0xffff_ffff : count == 0 ? 1 : count));
  return hz;
}

export function tickHz(): u32 {
  return state.hz;
}

export function tickCount(): u64 {
  return state.count;
}

export function tickObserve(observer: ((count: u64) => void) | null): void {
  state.observer = observer;
}

export function tickInterrupt(): void {
  state.count++;
  localApicEndOfInterrupt();
  const observer = state.observer;
  if (observer !== null) observer(state.count);
}
