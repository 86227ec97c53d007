// The test-run protocol: with "test=NAME" on the command line the kernel arms the panic exit
// (a fault or trap ends QEMU with DEBUG_EXIT_PANIC), runs scenario NAME after "capsid: ready",
// and ends QEMU with DEBUG_EXIT_PASS or DEBUG_EXIT_FAIL. Without test= nothing happens here.

import { debugExit, panicExitArm } from "../arch/hw";
import { CommandLine } from "../boot/command-line";
import { DEBUG_EXIT_FAIL, DEBUG_EXIT_PASS } from "../arch/layout";
import { logEnd, LogLevel, logLine } from "../log/log";
import { selfTestFind, selfTestNames, selfTestRun, SelfTestResult } from "./scenarios";

const NO_TEST: i32 = -2;
const UNKNOWN_TEST: i32 = -1;

class SelfTestState {
  selected: i32 = NO_TEST;   // index into the scenario table, or NO_TEST / UNKNOWN_TEST
  name: string = "";
}
const state = new SelfTestState();

/** Reads test= and arms the panic exit when present. */
export function selfTestInit(commandLine: CommandLine): void {
  const name = commandLine.get("test");
  if (name === null) return;
  state.name = name;
  state.selected = selfTestFind(name);
  panicExitArm(1);
}

/** Runs the selected scenario and ends the run; returns at once when no test was selected. */
export function selfTestFinish(): void {
  if (state.selected == NO_TEST) return;
  if (state.selected == UNKNOWN_TEST) {
    logLine(LogLevel.Error).text("selftest: unknown scenario '").text(state.name).text("'; known: ").text(selfTestNames());
    logEnd();
    debugExit(DEBUG_EXIT_FAIL);
    return;
  }
  logLine().text("selftest: running ").text(state.name);
  logEnd();
  const result = selfTestRun(state.selected);
  if (result == SelfTestResult.Pending) return; // ends from an interrupt handler
  logLine().text("selftest: ").text(state.name).text(result == SelfTestResult.Pass ? " passed" : " failed");
  logEnd();
  debugExit(result == SelfTestResult.Pass ? DEBUG_EXIT_PASS : DEBUG_EXIT_FAIL);
}
