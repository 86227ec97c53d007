// loop-check: exercises the ring event loop (userspace/rt/event-loop.ts) with the Timer alone,
// so that it runs before any socket does: TASKS tasks, more than the ring's 32 slots, each
// sleeping ROUNDS times for a few milliseconds, with lines printed from inside the loop. Every
// completion must come back to the task that submitted it, in order per task; prints
// "loop-check: PASS" (tests/qemu/event-loop.test.ts) and exits 0.

import { TimerMethod } from "../../../abi/methods";
import { Opcode } from "../../../abi/ring";
import { Console, Timer } from "../../rt/index";
import { EventLoop, LOOP_SLOTS, loopReserveHeap, Task } from "../../rt/event-loop";

const TASKS: i32 = 100;
const ROUNDS: i32 = 5;

class Sleeper extends Task {
  rounds: i32 = 0;
  wrong: i32 = 0;

  constructor(readonly timer: u64, readonly number: i32, readonly state: State) { super(); }

  start(loop: EventLoop): void {
    loop.submit(this, Opcode.Call, this.timer, TimerMethod.Sleep, <u64>(1 + this.number % 3) * 1_000_000);
  }

  complete(loop: EventLoop, result: i64, value: u64): void {
    if (result != 0) this.wrong++;
    this.rounds++;
    if (this.rounds < ROUNDS) { this.start(loop); return; }
    this.state.done++;
    if (this.state.done % 25 == 0) loop.print("loop-check: " + this.state.done.toString() + " tasks done");
    if (this.state.done == TASKS) loop.stopping = true;
  }
}

class State {
  done: i32 = 0;
}

export function main(): i32 {
  const console = Console.granted();
  const timer = Timer.granted();
  if (console === null || timer === null) return 1;
  const state = new State();
  const loop = new EventLoop(TASKS);
  const sleepers: Sleeper[] = [];
  for (let i = 0; i < TASKS; i++) {
    const sleeper = new Sleeper(timer.handle, i, state);
    if (!loop.add(sleeper)) { console.line("loop-check: FAIL the table took only " + i.toString() + " tasks"); return 2; }
    sleepers.push(sleeper);
  }
  loopReserveHeap(1 << 20);
  console.line("loop-check: " + TASKS.toString() + " tasks on " + LOOP_SLOTS.toString() + " slots");
  for (let i = 0; i < TASKS; i++) sleepers[i].start(loop);
  loop.run();
  let wrong = 0, rounds = 0;
  for (let i = 0; i < TASKS; i++) { wrong += sleepers[i].wrong; rounds += sleepers[i].rounds; }
  const pass = wrong == 0 && rounds == TASKS * ROUNDS;
  console.line(pass ? "loop-check: PASS" : "loop-check: FAIL " + rounds.toString() + " rounds, " + wrong.toString() + " failed sleeps");
  return pass ? 0 : 3;
}
