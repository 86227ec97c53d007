// The console as a Linux tty (docs/linux.md, "The console as a tty"): the console's input goes
// through one line discipline (console/line-discipline.ts) to the Linux processes reading a
// descriptor that names the Console capability. A read blocks (block.ts) until the discipline
// has something for it; each byte typed wakes the readers and pollers waiting. The console is the
// controlling tty of the session whose leader asked for it (TIOCSCTTY, sys-tty.ts), until that
// leader ends; its foreground process group gets ^C, ^\ and ^Z as signals (through the sender
// linux.ts registers).

import { consoleInputFallback } from "../console/input";
import { LineDiscipline, VMIN, VTIME } from "../console/line-discipline";
import { consoleWrite } from "../console/screen";
import { Wait, WaitList } from "../sched/wait";

class TtyState {
  /** The console's line discipline (made by ttyInit, at boot, before any Linux process). */
  discipline: LineDiscipline | null = null;
  /** Waits to tell when input arrives (blocked reads, polls); told once, then dropped. */
  readonly waiting: WaitList = new WaitList();
  /** The session the console is the controlling tty of (its leader's id; 0: none), and its
   * foreground process group. */
  session: i32 = 0;
  foreground: i32 = 0;
  /** Sends a signal to a process group (the signals code registers it; null: none sent). */
  sender: ((group: i32, signal: i32) => void) | null = null;
  /** TIOCGWINSZ's answer: the console's rows and columns (TIOCSWINSZ changes them). */
  rows: u16 = 25;
  columns: u16 = 80;
}
const state = new TtyState();

function echo(address: usize, length: usize): void {
  consoleWrite(address, length);
}

function signal(number: i32): void {
  const sender = state.sender;
  if (sender !== null && state.foreground > 0) sender(state.foreground, number);
}

/** From now on the console's input (when no self-test takes it) goes to the tty. */
export function ttyInit(): void {
  state.discipline = new LineDiscipline(echo, signal);
  consoleInputFallback(ttyInput);
}

function ttyInput(byte: u8): void {
  if (ttyDiscipline().input(byte)) ttyWakeAll();
}

export function ttyWakeAll(): void {
  state.waiting.wakeAll();
}

export function ttyDiscipline(): LineDiscipline {
  const discipline = state.discipline;
  if (discipline === null) abort("tty: used before ttyInit");
  return discipline!;
}

/** `wait` is woken at the next input (once). */
export function ttyWaitFor(wait: Wait): void {
  state.waiting.add(wait);
}

/** Registers what sends the tty's signals to a process group. */
export function ttySignalSender(sender: (group: i32, signal: i32) => void): void {
  state.sender = sender;
}

/** The console becomes the controlling tty of session `leader`, its foreground group `leader`'s. */
export function ttyAcquire(leader: i32): void {
  state.session = leader;
  state.foreground = leader;
}

/** Session `leader` ended: the console is nobody's controlling tty. */
export function ttyRelease(leader: i32): void {
  if (state.session != leader) return;
  state.session = 0;
  state.foreground = 0;
}

export function ttySession(): i32 { return state.session; }
export function ttyForeground(): i32 { return state.foreground; }
export function ttySetForeground(group: i32): void { state.foreground = group; }
export function ttyRows(): u16 { return state.rows; }
export function ttyColumns(): u16 { return state.columns; }
export function ttySetSize(rows: u16, columns: u16): void {
  state.rows = rows;
  state.columns = columns;
}

/** Raw mode's VTIME (deciseconds) when VMIN is 0: how long a read waits for a first byte. */
export function ttyReadTimeout(): u64 {
  const discipline = ttyDiscipline();
  if (discipline.canonical || discipline.cc(VMIN) != 0) return 0;
  return <u64>discipline.cc(VTIME) * 100_000_000;
}
