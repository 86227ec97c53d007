// Time at boot: the TSC and the local APIC timer calibrated against the PIT, the monotonic clock
// started, and the periodic tick at the rate the command line asks ("tick=HZ").

import { CommandLine } from "../boot/command-line";
import { logEnd, logLine } from "../log/log";
import { calibrate, CALIBRATION_WINDOWS } from "./calibration";
import { clockBeforeCalibration, clockInit } from "./clock";
import { DEFAULT_TICK_HZ, tickInit } from "./tick";

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
  const requested = commandLine.get("tick");
  const hz = tickInit(requested !== null ? <u32>I32.parseInt(requested) : DEFAULT_TICK_HZ, calibration.apicTimerHz);
  logLine().text("time: TSC ").fixed(calibration.tscHz / 1000, 3).text(" MHz, APIC timer ").fixed(calibration.apicTimerHz / 1000, 3)
    .text(" MHz (median of ").decimal(CALIBRATION_WINDOWS).text(" PIT windows, ").fixed(calibration.windowNanos / 1000, 3)
    .text(" ms); tick ").decimal(hz).text(" Hz");
  logEnd();
}

/** Time spent calibrating at boot, reported apart from the rest of init. */
export function calibrationNanos(): u64 {
  return state.calibrationNanos;
}
