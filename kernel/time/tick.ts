// The periodic tick: the local APIC timer at a configured rate (command line "tick=HZ", default
// 100), registered on VECTOR_TIMER with the interrupt registry. Each tick is counted, ends the
// interrupt, tells its listeners (the scheduler ends the running thread's turn) and fires the
// timers that are due. A tick observer (the tick self-test) can be attached.
//
// Each tick also measures how late it is: the time since the previous tick, less the period. A
// tick comes late only when interrupts were masked when it was due (a long kernel entry), so the
// largest lateness bounds how long the kernel kept them masked (docs/PERFORMANCE.md, "Teardown").

import { KernelError } from "../../abi/errors";
import { localApicEndOfInterrupt, localApicTimerPeriodic } from "../interrupts/local-apic";
import { interruptRegister } from "../interrupts/registry";
import { VECTOR_TIMER } from "../interrupts/vectors";
import { timersExpire } from "./timers";
import { monotonicNanos } from "./clock";

export const DEFAULT_TICK_HZ: u32 = 100;
export const MINIMUM_TICK_HZ: u32 = 10;
export const MAXIMUM_TICK_HZ: u32 = 10_000;

class TickState {
  hz: u32 = 0;
  count: u64 = 0;
  observer: ((count: u64) => void) | null = null;
  listeners: (() => void)[] = [];
  periodNanos: u64 = 0;
  /** When the previous tick ran (monotonic ns; 0 before the first). */
  previous: u64 = 0;
  /** The largest lateness since tickLatenessReset, and the tick it was seen on. */
  latenessMaximum: u64 = 0;
  latenessTick: u64 = 0;
}
const state = new TickState();

/** Starts ticking at `hz` given the calibrated APIC timer rate; returns the rate used (clamped). */
export function tickInit(hz: u32, apicTimerHz: u64): u32 {
  if (hz < MINIMUM_TICK_HZ) hz = MINIMUM_TICK_HZ;
  if (hz > MAXIMUM_TICK_HZ) hz = MAXIMUM_TICK_HZ;
  state.hz = hz;
  state.periodNanos = 1_000_000_000 / <u64>hz;
  if (interruptRegister(VECTOR_TIMER, "tick", tickInterrupt) != KernelError.None) abort("tickInit: the timer vector is taken");
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

/** `listener` runs on every tick, before the timers fire (a layer above: the scheduler). */
export function tickListen(listener: () => void): void {
  state.listeners.push(listener);
}

/** The largest lateness of a tick (ns) since boot or the last reset, and the tick it was seen on. */
export function tickLatenessMaximum(): u64 {
  return state.latenessMaximum;
}

export function tickLatenessTick(): u64 {
  return state.latenessTick;
}

export function tickLatenessReset(): void {
  state.latenessMaximum = 0;
  state.latenessTick = 0;
  state.previous = 0;
}

export function tickObserve(observer: ((count: u64) => void) | null): void {
  state.observer = observer;
}

function tickInterrupt(vector: u32): void {
  state.count++;
  const now = monotonicNanos(), previous = state.previous;
  state.previous = now;
  if (previous != 0 && now - previous > state.periodNanos && now - previous - state.periodNanos > state.latenessMaximum) {
    state.latenessMaximum = now - previous - state.periodNanos;
    state.latenessTick = state.count;
  }
  localApicEndOfInterrupt();
  const observer = state.observer;
  if (observer !== null) observer(state.count);
  const listeners = state.listeners;
  for (let i = 0; i < listeners.length; i++) unchecked(listeners[i])();
  timersExpire();
}
