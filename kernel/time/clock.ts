// The monotonic clock: nanoseconds since calibration, from the TSC (invariant on the CPUs QEMU
// models and on every x86_64 CPU of the last decade). Before calibration it reads 0.

import { bootClockNanos, readTsc } from "../arch/hw";
import { logClockSet } from "../log/log";

class ClockState {
  tscHz: u64 = 0;
  tscBase: u64 = 0;
  bootNanosBefore: u64 = 0;  // boot stopwatch reading just before calibration
  tscBefore: u64 = 0;        // and the TSC then
}
const state = new ClockState();

/** Calibration reprograms PIT channel 2, which the boot stopwatch runs on: called first, this
 * notes where the stopwatch was so that bootElapsedNanos carries on with the TSC. */
export function clockBeforeCalibration(): void {
  state.bootNanosBefore = bootClockNanos();
  state.tscBefore = readTsc();
}

/** Starts the monotonic clock at `tscHz`; log timestamps follow it from now on. */
export function clockInit(tscHz: u64): void {
  state.tscHz = tscHz;
  state.tscBase = readTsc();
  logClockSet(bootElapsedNanos);
}

/** Nanoseconds since the C entry point: the boot stopwatch until calibration, the TSC after. */
export function bootElapsedNanos(): u64 {
  if (state.tscHz == 0) return bootClockNanos();
  return state.bootNanosBefore + tscToNanos(readTsc() - state.tscBefore);
}

export function clockTscHz(): u64 {
  return state.tscHz;
}

/** TSC cycles to nanoseconds without overflowing u64 for centuries of uptime. */
export function tscToNanos(cycles: u64): u64 {
  if (state.tscHz == 0) return 0;
  return (cycles / state.tscHz) * 1_000_000_000 + (cycles % state.tscHz) * 1_000_000_000 / state.tscHz;
}

export function monotonicNanos(): u64 {
  return tscToNanos(readTsc() - state.tscBase);
}
