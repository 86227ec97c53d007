// Calibrates the TSC and the local APIC timer against the PIT: several windows, the median of
// each rate. Under TCG the TSC runs at the host's rate and interrupts land only at translation-
// block boundaries, so one window can be off; the median of five is not (docs/DESIGN.md, "Traps").

import { readTsc } from "../arch/hw";
import { localApicTimerCurrent, localApicTimerStartFree } from "../interrupts/local-apic";
import { PIT_HZ, pitCount, pitStart } from "./pit";

export const CALIBRATION_WINDOWS: i32 = 5;
const WINDOW_PIT_TICKS: u32 = 1193;  // 1 ms: the count is latched at both ends, so 1 PIT tick is 0.08 %

export class Calibration {
  tscHz: u64 = 0;
  apicTimerHz: u64 = 0;      // local APIC timer ticks per second at divide-by-16
  windowNanos: u64 = 0;      // time spent calibrating
}

function median(values: StaticArray<u64>): u64 {
  for (let i = 1; i < values.length; i++) {
    const value = values[i];
    let j = i;
    for (; j > 0 && values[j - 1] > value; j--) values[j] = values[j - 1];
    values[j] = value;
  }
  return values[values.length >> 1];
}

export function calibrate(): Calibration {
  const tscRates = new StaticArray<u64>(CALIBRATION_WINDOWS);
  const apicRates = new StaticArray<u64>(CALIBRATION_WINDOWS);
  const started = readTsc();
  for (let window = 0; window < CALIBRATION_WINDOWS; window++) {
    pitStart();
    localApicTimerStartFree();
    // Let the PIT load its count, then take the three readings as close together as possible.
    let pitBegin = pitCount();
    while (pitBegin == 0xffff || pitBegin == 0) pitBegin = pitCount();
    const tscBegin = readTsc();
    const apicBegin = localApicTimerCurrent();
    let pitNow = pitBegin;
    while (pitBegin - pitNow < WINDOW_PIT_TICKS) pitNow = pitCount();
    const tscEnd = readTsc();
    const apicEnd = localApicTimerCurrent();
    const pitTicks = <u64>(pitBegin - pitNow);
    tscRates[window] = (tscEnd - tscBegin) * PIT_HZ / pitTicks;
    apicRates[window] = <u64>(apicBegin - apicEnd) * PIT_HZ / pitTicks;
  }
  const result = new Calibration();
  result.tscHz = median(tscRates);
  result.apicTimerHz = median(apicRates);
  result.windowNanos = result.tscHz != 0 ? (readTsc() - started) * 1_000_000_000 / result.tscHz : 0;
  return result;
}
