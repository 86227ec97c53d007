// Host-test entry for the console's line discipline (kernel/console/line-discipline.ts): one
// discipline whose echo and signals are recorded here, for tests/host/tty.test.ts.

import { LineDiscipline, TERMIOS_SIZE } from "../../../kernel/console/line-discipline";

const SCRATCH_BYTES: i32 = 8192;
const scratchArea = memory.data(SCRATCH_BYTES, 16);
const echoArea = memory.data(SCRATCH_BYTES, 16);
let echoed: i32 = 0;
let lastSignal: i32 = 0;
let signals: i32 = 0;

function echo(address: usize, length: usize): void {
  for (let i: usize = 0; i < length && echoed < SCRATCH_BYTES; i++) {
    store<u8>(echoArea + <usize>echoed, load<u8>(address + i));
    echoed++;
  }
}

function signal(number: i32): void {
  lastSignal = number;
  signals++;
}

let discipline = new LineDiscipline(echo, signal);

export function scratch(): usize { return scratchArea; }
export function echoes(): usize { return echoArea; }
export function echoLength(): i32 { return echoed; }
export function signalLast(): i32 { return lastSignal; }
export function signalCount(): i32 { return signals; }
export function reset(): void {
  discipline = new LineDiscipline(echo, signal);
  echoed = 0;
  lastSignal = 0;
  signals = 0;
}
export function input(byte: u8): bool { return discipline.input(byte); }
export function read(count: i32): i32 { return discipline.read(scratchArea, count); }
export function readable(): bool { return discipline.readable; }
export function available(): i32 { return discipline.available; }
/** Copies the termios into the scratch area (TERMIOS_SIZE bytes). */
export function termiosGet(): i32 {
  for (let i = 0; i < TERMIOS_SIZE; i++) store<u8>(scratchArea + <usize>i, discipline.termios[i]);
  return TERMIOS_SIZE;
}
/** Takes the termios from the scratch area. */
export function termiosSet(flush: bool): void { discipline.set(scratchArea, flush); }
export function flush(): void { discipline.flush(); }
