// Host-test entry for the kernel's timers (kernel/time/timers.ts): numbered timers whose expire()
// records their number, driven by index from tests/host/timers.test.ts, which compares what
// fires, and when, against a model. The TSC is the fake hardware's (1 GHz: nanoseconds = cycles).

import { clockInit } from "../../../kernel/time/clock";
import { Timer, timerStart, timerStop, timersExpire, timersPending } from "../../../kernel/time/timers";

class Numbered extends Timer {
  /** When set, expire() starts this timer again `again` ns after its deadline. */
  again: u64 = 0;
  constructor(readonly value: i32) { super(); }

  expire(): void {
    state.fired.push(this.value);
    if (this.again != 0) timerStart(this, this.deadline + this.again);
  }
}

class EntryState {
  timers: Numbered[] = [];
  fired: i32[] = [];
}
const state = new EntryState();

/** Makes `count` timers, numbered 0..count-1, none pending; the clock at 1 GHz. */
export function setUp(count: i32): void {
  clockInit(1_000_000_000);
  for (let i = 0; i < count; i++) state.timers.push(new Numbered(i));
}

export function start(index: i32, deadline: u64): void { timerStart(state.timers[index], deadline); }
export function stop(index: i32): void { timerStop(state.timers[index]); }
export function restartAfter(index: i32, interval: u64): void { state.timers[index].again = interval; }
export function pending(index: i32): bool { return state.timers[index].pending; }
export function pendingCount(): i32 { return timersPending(); }

/** Fires what is due now; returns how many fired. Their numbers are read with firedAt. */
export function expire(): i32 {
  state.fired.length = 0;
  timersExpire();
  return state.fired.length;
}
export function firedAt(index: i32): i32 { return state.fired[index]; }
