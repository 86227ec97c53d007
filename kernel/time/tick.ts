// The periodic tick: the local APIC timer at a configured rate (command line "tick=HZ", default
// 100), registered on VECTOR_TIMER with the interrupt registry. Each tick is counted, ends the
// interrupt, tells its listeners (the scheduler ends the running thread's turn) and fires the
// timers that are due. A tick observer (the tick self-test) can be attached.

import { KernelError } from "../../abi/errors";
import { localApicEndOfInterrupt, localApicTimerPeriodic } from "../interrupts/local-apic";
import { interruptRegister } from "../interrupts/registry";
import { VECTOR_TIMER } from "../interrupts/vectors";
import { timersExpire } from "./timers";

export const DEFAULT_TICK_HZ: u32 = 100;
export const MINIMUM_TICK_HZ: u32 = 10;
export const MAXIMUM_TICK_HZ: u32 = 10_000;

class TickState {
  hz: u32 = 0;
  count: u64 = 0;
  observer: ((count: u64) => void) | null = null;
  listeners: (() => void)[] = [];
}
const state = new TickState();

/** Starts ticking at `hz` given the calibrated APIC timer rate; returns the rate used (clamped). */
export function tickInit(hz: u32, apicTimerHz: u64): u32 {
  if (hz < MINIMUM_TICK_HZ) hz = MINIMUM_TICK_HZ;
  if (hz > MAXIMUM_TICK_HZ) hz = MAXIMUM_TICK_HZ;
  state.hz = hz;
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

export function tickObserve(observer: ((count: u64) => void) | null): void {
  state.observer = observer;
}

function tickInterrupt(vector: u32): void {
  state.count++;
  localApicEndOfInterrupt();
  const observer = state.observer;
  if (observer !== null) observer(state.count);
  const listeners = state.listeners;
  for (let i = 0; i < listeners.length; i++) unchecked(listeners[i])();
  timersExpire();
}
