// Time at boot: the TSC and the local APIC timer calibrated against the PIT, the monotonic clock
// started, and the periodic tick at the rate the command line asks ("tick=HZ"). The wall clock
// (wall-clock.ts) is read after the ready line, for user space.

import { CommandLine } from "../boot/command-line";
import { logEnd, LogLevel, logLine } from "../log/log";
import { calibrate, CALIBRATION_WINDOWS } from "./calibration";
import { clockBeforeCalibration, clockInit } from "./clock";
import { DEFAULT_TICK_HZ, MAXIMUM_TICK_HZ, MINIMUM_TICK_HZ, tickInit } from "./tick";

class TimeState {
  calibrationNanos: u64 = 0;
}
const state = new TimeState();

export function timeInit(commandLine: CommandLine): void {
  clockBeforeCalibration();
  const calibration = calibrate();
  state.calibrationNanos = calibration.windowNanos;
  if (calibration.tscHz == 0 || calibration.apicTimerHz == 0) abort("timeInit: calibration measured a stopped clock");
  clockInit(calibration.tscHz);
  const hz = tickInit(requestedTickHz(commandLine), calibration.apicTimerHz);
  logLine().text("time: TSC ").fixed(calibration.tscHz / 1000, 3).text(" MHz, APIC timer ").fixed(calibration.apicTimerHz / 1000, 3)
    .text(" MHz (median of ").decimal(CALIBRATION_WINDOWS).text(" PIT windows, ").fixed(calibration.windowNanos / 1000, 3)
    .text(" ms); tick ").decimal(hz).text(" Hz");
  logEnd();
}

/** "tick=HZ" when it is a whole number in range; otherwise the default, with a warning. */
function requestedTickHz(commandLine: CommandLine): u32 {
  const hz = commandLine.getDecimal("tick");
  if (hz == -1) return DEFAULT_TICK_HZ;
  if (hz >= <i64>MINIMUM_TICK_HZ && hz <= <i64>MAXIMUM_TICK_HZ) return <u32>hz;
  logLine(LogLevel.Warning).text("time: tick=").text(commandLine.get("tick")!).text(" is not a rate from ").decimal(MINIMUM_TICK_HZ)
    .text(" to ").decimal(MAXIMUM_TICK_HZ).text(" Hz; using ").decimal(DEFAULT_TICK_HZ);
  logEnd();
  return DEFAULT_TICK_HZ;
}

/** Time spent calibrating at boot, reported apart from the rest of init. */
export function calibrationNanos(): u64 {
  return state.calibrationNanos;
}
