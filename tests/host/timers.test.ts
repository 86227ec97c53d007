// Host tests of the kernel's timers (kernel/time/timers.ts), a min-heap of timers owned by their
// objects: nothing fires early, everything due fires, earliest first, stopped timers never fire,
// a restarted one moves, and a timer may start itself again from expire(). A seeded random
// sequence of starts, stops and ticks is checked against a model after every tick.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate } from "./assemblyscript";
import { fakeHardware, type FakeMachine } from "./fake-hardware";
import { generator } from "./random";

const timers = suite("timers (min-heap of deadlines)");
const COUNT = 48;
let module: WebAssembly.Module;
let machine: FakeMachine;
let e: Record<string, any>;

timers.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/timers.ts"));
});
timers.before.each(() => {
  machine = { serial: [], tsc: 0n, cr3: 0n, msrs: new Map() } as unknown as FakeMachine;
  machine.wasm = instantiate(module, { hw: fakeHardware(machine) });
  e = machine.wasm.exports;
  e.setUp(COUNT);
});

/** Moves the clock to `now` ns and fires what is due: the numbers fired, in order. */
function tickAt(now: bigint): number[] {
  machine.tsc = now;
  const count = e.expire();
  return Array.from({ length: count }, (_, i) => e.firedAt(i));
}

timers("nothing fires before its deadline; at it, everything due fires, earliest first", () => {
  e.start(1, 300n);
  e.start(2, 100n);
  e.start(3, 200n);
  e.start(4, 200n);
  assert.equal(tickAt(99n), [], "nothing is due at 99");
  assert.equal(tickAt(100n), [2]);
  const both = tickAt(250n);
  assert.equal([...both].sort(), [3, 4], "both timers due at 200 fire");
  assert.is(e.pendingCount(), 1);
  assert.equal(tickAt(1000n), [1]);
  assert.is(e.pendingCount(), 0);
});

timers("a stopped timer never fires; starting a pending timer moves it", () => {
  e.start(1, 100n);
  e.start(2, 150n);
  e.stop(1);
  assert.not.ok(e.pending(1));
  e.start(2, 500n);
  assert.equal(tickAt(400n), [], "the stopped one is gone, the moved one is later");
  assert.equal(tickAt(500n), [2]);
  e.stop(2);   // stopping a timer that is not pending does nothing
  assert.is(e.pendingCount(), 0);
});

timers("a timer that starts itself again from expire() fires once per tick that reaches it", () => {
  e.restartAfter(5, 100n);
  e.start(5, 100n);
  assert.equal(tickAt(100n), [5]);
  assert.ok(e.pending(5), "started again for 200");
  assert.equal(tickAt(150n), []);
  assert.equal(tickAt(350n), [5, 5], "200 and 300 were both due");
});

timers("a seeded random sequence of starts, stops and ticks matches a model", () => {
  const seed = 0x7135_0001 ^ Date.now() % 1000;
  const next = generator(seed);
  const random = () => Math.floor(next() * 2 ** 31);
  const model = new Map<number, bigint>();
  let now = 0n;
  for (let step = 0; step < 4000; step++) {
    const choice = random() % 10;
    const index = random() % COUNT;
    if (choice < 5) {
      const deadline = now + BigInt(random() % 1000);
      e.start(index, deadline);
      model.set(index, deadline);
    } else if (choice < 7) {
      e.stop(index);
      model.delete(index);
    } else {
      now += BigInt(random() % 400);
      const fired = tickAt(now);
      const due = [...model].filter(([, deadline]) => deadline <= now).sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      assert.equal([...fired].sort((a, b) => a - b), due.map(([i]) => i).sort((a, b) => a - b), `step ${step}, seed ${seed}: what fired`);
      for (let i = 1; i < fired.length; i++) assert.ok(model.get(fired[i - 1])! <= model.get(fired[i])!, `step ${step}, seed ${seed}: earliest first`);
      for (const [i] of due) model.delete(i);
    }
    assert.is(e.pendingCount(), model.size, `step ${step}, seed ${seed}: pending`);
  }
});

timers.run();
