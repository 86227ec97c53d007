// Host tests of the kernel's intrusive FIFO (kernel/collections/lists.ts, Chain), which holds the run
// queue and the endpoint queues: order, unlinking at the head, the middle and the tail, removal
// of an item that is not there, and a seeded random sequence checked against an array model.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

const chain = suite("chain (intrusive FIFO)");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let e: Record<string, any>;
let scratch = 0;

chain.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/lists.ts"));
});
chain.before.each(() => {
  wasm = instantiate(module);
  e = wasm.exports;
  e.setUp(64);
  scratch = e.scratch();
});

function contents(): number[] {
  const count = e.walk(scratch);
  assert.ok(count >= 0, "the tail is the last item reached");
  return [...new Int32Array(wasm.memory.buffer, scratch, count)];
}

chain("items come out in the order they went in", () => {
  for (const i of [3, 1, 4, 5]) e.push(i);
  assert.equal(contents(), [3, 1, 4, 5]);
  assert.is(e.shift(), 3);
  assert.is(e.shift(), 1);
  e.push(9);
  assert.equal(contents(), [4, 5, 9]);
  assert.is(e.length(), 3);
  assert.is(e.shift(), 4);
  assert.is(e.shift(), 5);
  assert.is(e.shift(), 9);
  assert.is(e.shift(), -1, "empty");
  assert.is(e.length(), 0);
  e.push(2);
  assert.equal(contents(), [2], "a chain emptied by shift takes items again");
});

chain("remove unlinks the head, the middle and the tail, and refuses an absent item", () => {
  for (const i of [0, 1, 2, 3, 4]) e.push(i);
  assert.ok(e.remove(2));
  assert.equal(contents(), [0, 1, 3, 4]);
  assert.ok(e.remove(0));
  assert.equal(contents(), [1, 3, 4]);
  assert.ok(e.remove(4));
  assert.equal(contents(), [1, 3]);
  e.push(7);
  assert.equal(contents(), [1, 3, 7], "push after removing the tail appends after the new tail");
  assert.not.ok(e.remove(4), "an item already removed");
  assert.not.ok(e.remove(50), "an item never pushed");
  assert.is(e.length(), 3);
  assert.ok(e.remove(1));
  assert.ok(e.remove(3));
  assert.ok(e.remove(7));
  assert.equal(contents(), []);
  assert.is(e.shift(), -1);
});

chain("a seeded random sequence matches an array model", () => {
  const seed = 0x5eed;
  const random = generator(seed);
  const model: number[] = [];
  for (let step = 0; step < 20_000; step++) {
    const roll = random();
    if (roll < 0.45) {
      const outside = [...Array(64).keys()].filter((i) => !model.includes(i));
      if (outside.length == 0) continue;
      const item = outside[Math.floor(random() * outside.length)];
      e.push(item);
      model.push(item);
    } else if (roll < 0.75) {
      assert.is(e.shift(), model.length > 0 ? model.shift() : -1, `seed ${seed} step ${step}: shift`);
    } else {
      const item = Math.floor(random() * 64);
      const index = model.indexOf(item);
      assert.is(Boolean(e.remove(item)), index >= 0, `seed ${seed} step ${step}: remove ${item}`);
      if (index >= 0) model.splice(index, 1);
    }
    assert.is(e.length(), model.length, `seed ${seed} step ${step}: length`);
    if (step % 97 == 0) assert.equal(contents(), model, `seed ${seed} step ${step}: contents`);
  }
  assert.equal(contents(), model);
});

chain.run();
