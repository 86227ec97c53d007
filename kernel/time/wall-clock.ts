// The wall clock: the CMOS RTC read once at boot (rtc.ts), carried forward by the monotonic
// clock, so it never jumps and costs what a TSC read costs. Nanoseconds since 1970-01-01 UTC,
// to the RTC's one-second resolution at boot. Timer.realtime reads it
// (docs/abi/interfaces/timer.md); without a readable RTC there is no wall clock.

import { logEnd, LogLevel, logLine } from "../log/log";
import { monotonicNanos } from "./clock";
import { CivilTime, rtcReadUnixSeconds, unixSecondsToCivil } from "./rtc";

class WallClockState {
  /** Wall-clock nanoseconds at `monotonicBase`, or -1 when there is none. */
  wallBase: i64 = -1;
  monotonicBase: u64 = 0;
}
const state = new WallClockState();

/** Reads the RTC (after the monotonic clock runs) and logs the time. */
export function wallClockInit(): void {
  const seconds = rtcReadUnixSeconds();
  state.monotonicBase = monotonicNanos();
  if (seconds < 0) {
    logLine(LogLevel.Warning).text("time: no wall clock (the CMOS RTC gave no valid date)");
    logEnd();
    return;
  }
  state.wallBase = seconds * 1_000_000_000;
  const civil = unixSecondsToCivil(seconds, new CivilTime());
  logLine().text("time: wall clock ").decimal(civil.year).text("-").decimal(civil.month, 2).text("-").decimal(civil.day, 2)
    .text(" ").decimal(civil.hour, 2).text(":").decimal(civil.minute, 2).text(":").decimal(civil.second, 2)
    .text(" UTC (").decimal(<u64>seconds).text(" s since 1970), from the CMOS RTC");
  logEnd();
}

/** Nanoseconds since 1970-01-01 00:00:00 UTC, or -1 when there is no wall clock. */
export function realtimeNanos(): i64 {
  if (state.wallBase < 0) return -1;
  return state.wallBase + <i64>(monotonicNanos() - state.monotonicBase);
}
