// Host tests of the capability table (kernel/cap/capability-table.ts) and the kernel-object base
// (kernel/cap/kernel-object.ts), compiled to wasm with asc and run under Node: handle layout and
// generations, retirement of a slot at the last generation (16.7 million real releases, ~1 s),
// exhaustion, refused handles, reservations, reference counts across tables, leak counters, the
// kernel-bug aborts, and a seeded random sequence checked against a model.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

/** Enum values read from the kernel's sources, so that the two cannot drift apart. */
function enumValues(path: string): Record<string, number> {
  return Object.fromEntries(
    [...readFileSync(join(REPOSITORY, path), "utf8").matchAll(/^\s+(\w+) = (\d+),/gm)].map(([, name, value]) => [name, Number(value)]),
  );
}
const ERROR = enumValues("abi/errors.ts");
const INTERFACE = enumValues("abi/interfaces.ts");
const INTERFACE_COUNT = Number(/INTERFACE_COUNT: i32 = (\d+);/.exec(readFileSync(join(REPOSITORY, "abi/interfaces.ts"), "utf8"))![1]);
const GENERATION_LAST = 0xff_ffff;

const handle = (generation: number, slot: number): number => ((generation << 8) | slot) >>> 0;

const table = suite("capability table");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let e: Record<string, any>;

table.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/capability-table.ts"));
});
table.before.each(() => {
  wasm = instantiate(module);
  e = wasm.exports;
});
// An abort throws out of the wasm call (tests/host/assemblyscript.ts) and fails the test with its
// message; only assertAborts catches one. (No after.each check: uvu drops the report of a failed
// test, and every test after it, when an after.each hook throws.)

// Exports that return a u32 handle come back as a signed i32: read them unsigned.
const insert = (t: number, object: number): number => e.insert(t, object) >>> 0;
const commit = (t: number, slot: number, object: number): number => e.commit(t, slot, object) >>> 0;
const handleAt = (t: number, slot: number): number => e.handleAt(t, slot) >>> 0;
const liveHandles = (t: number): number[] => Array.from({ length: e.limit(t) }, (_, slot) => handleAt(t, slot)).filter((h) => h !== 0);

/** Asserts that `h` names nothing in table `t`, through every entry point that takes a handle. */
function assertRefused(t: number, h: number, message: string): void {
  assert.is(e.lookup(t, h), -1, `lookup ${message}`);
  assert.is(e.lookupError(t, h), ERROR.InvalidHandle, `lookupError ${message}`);
  assert.is(e.lookupInterface(t, h, INTERFACE.Console), ERROR.InvalidHandle, `lookupInterface ${message}`);
  assert.is(e.interfaceOf(t, h), INTERFACE.None, `interfaceOf ${message}`);
  const before = e.count(t);
  assert.is(e.release(t, h), ERROR.InvalidHandle, `release ${message}`);
  assert.is(e.count(t), before, `count unchanged ${message}`);
}

table("create: limits 1..256 accepted, others refused; a fresh table is empty", () => {
  for (const limit of [0, -1, 257, 1000, -2147483648]) assert.is(e.createTable(limit), -1, `limit ${limit}`);
  for (const limit of [1, 7, 256]) {
    const t = e.createTable(limit);
    assert.ok(t >= 0, `limit ${limit}`);
    assert.is(e.limit(t), limit);
    assert.is(e.count(t), 0);
    assert.is(e.freeSlots(t), limit);
    assert.equal(liveHandles(t), []);
    assert.is(handleAt(t, -1), 0);
    assert.is(handleAt(t, limit), 0);
  }
});

table("insert: lowest free slot first, handle (1 << 8) | slot, the object retained and found", () => {
  const t = e.createTable(4);
  const console = e.createObject(INTERFACE.Console), timer = e.createObject(INTERFACE.Timer);
  assert.is(insert(t, console), handle(1, 0));
  assert.is(e.lastError(t), ERROR.None);
  assert.is(insert(t, timer), handle(1, 1));
  assert.is(insert(t, console), handle(1, 2), "one object in two slots");
  assert.is(e.references(console), 2);
  assert.is(e.references(timer), 1);
  assert.is(e.count(t), 3);
  assert.is(e.freeSlots(t), 1);
  assert.is(e.lookup(t, handle(1, 0)), console);
  assert.is(e.lookup(t, handle(1, 1)), timer);
  assert.is(e.lookupError(t, handle(1, 2)), ERROR.None);
  assert.is(e.interfaceOf(t, handle(1, 1)), INTERFACE.Timer);
  assert.equal(liveHandles(t), [handle(1, 0), handle(1, 1), handle(1, 2)], "handleAt lists slot order");
  e.retainObject(timer); // keeps it alive across the release
  assert.is(e.release(t, handle(1, 1)), ERROR.None);
  assert.is(insert(t, timer), handle(2, 1), "the freed slot, lowest, with the next generation");
  assert.equal(liveHandles(t), [handle(1, 0), handle(2, 1), handle(1, 2)]);
});

table("generations: every reuse of a slot gives a new handle; every old one is refused", () => {
  const t = e.createTable(3);
  const object = e.createObject(INTERFACE.Memory);
  e.retainObject(object); // the test's own reference keeps it alive across the cycles
  const keeper = insert(t, object); // slot 0 stays live, slots 1 and 2 cycle
  const issued: number[] = [];
  for (let cycle = 0; cycle < 1000; cycle++) {
    const first = insert(t, object), second = insert(t, object);
    assert.is(first, handle(1 + cycle, 1), `cycle ${cycle}`);
    assert.is(second, handle(1 + cycle, 2), `cycle ${cycle}`);
    assert.is(e.release(t, cycle % 2 === 0 ? first : second), ERROR.None);
    assert.is(e.release(t, cycle % 2 === 0 ? second : first), ERROR.None);
    issued.push(first, second);
  }
  assert.is(new Set(issued).size, issued.length, "no handle issued twice");
  const current = [insert(t, object), insert(t, object)];
  assert.equal(current, [handle(1001, 1), handle(1001, 2)]);
  for (const old of issued) assertRefused(t, old, `old handle 0x${old.toString(16)}`);
  assert.is(e.lookup(t, keeper), object, "the untouched slot still answers");
  assert.is(e.references(object), 4);
  assert.is(e.destroyCalls(object), 0);
});

table("retirement: a slot released at generation 0xffffff is never reused, even after 16.7 million cycles", () => {
  const t = e.createTable(2);
  const object = e.createObject(INTERFACE.Timer);
  e.retainObject(object);
  const last = e.cycle(t, object, GENERATION_LAST - 1) >>> 0; // insert + release in slot 0, inside wasm
  assert.is(last, handle(GENERATION_LAST - 1, 0), "generations 1..0xfffffe issued in slot 0");
  const final = insert(t, object);
  assert.is(final, 0xffff_ff00, "the last generation, the highest handle of slot 0");
  assert.is(e.lookup(t, final), object);
  assert.is(e.release(t, final), ERROR.None);
  assert.is(e.freeSlots(t), 1, "slot 0 retired");
  for (const h of [final, handle(0, 0), handle(1, 0), last]) assertRefused(t, h, `0x${h.toString(16)} after retirement`);
  assert.is(insert(t, object), handle(1, 1), "slot 1 is unaffected");
  assert.is(insert(t, object), 0, "no free slot: slot 0 is not given out again");
  assert.is(e.lastError(t), ERROR.TableFull);
  assert.is(e.reserve(t), -1);
  assert.is(e.release(t, handle(1, 1)), ERROR.None);
  assert.is(e.reserve(t), 1, "reserve skips the retired slot");
  e.cancel(t, 1);
  assert.is(e.references(object), 1, "every table reference dropped");
  assert.is(e.destroyCalls(object), 0);
});

table("exhaustion: a full table says TableFull, without abort, and gives a freed slot back", () => {
  for (const limit of [1, 5, 256]) {
    const t = e.createTable(limit);
    const object = e.createObject(INTERFACE.Console);
    e.retainObject(object); // the test's own reference keeps it alive across releases
    const handles: number[] = [];
    for (let i = 0; i < limit; i++) handles.push(insert(t, object));
    assert.equal(handles, handles.map((_, slot) => handle(1, slot)), `limit ${limit}`);
    assert.is(e.freeSlots(t), 0);
    for (let attempt = 0; attempt < 3; attempt++) {
      assert.is(insert(t, object), 0, `limit ${limit}, attempt ${attempt}`);
      assert.is(e.lastError(t), ERROR.TableFull);
      assert.is(e.reserve(t), -1);
      assert.is(e.lastError(t), ERROR.TableFull);
    }
    assert.is(e.references(object), limit + 1, "a refused insert does not retain");
    assert.is(e.count(t), limit);
    const middle = Math.floor(limit / 2);
    assert.is(e.release(t, handles[middle]), ERROR.None);
    assert.is(insert(t, object), handle(2, middle));
    assert.is(e.lastError(t), ERROR.None, "lastError cleared by a successful insert");
  }
});

table("release refuses 0, garbage, stale, out-of-range and reserved handles with InvalidHandle", () => {
  const t = e.createTable(4);
  const object = e.createObject(INTERFACE.Console);
  const live = insert(t, object);
  const stale = insert(t, object);
  assert.is(e.release(t, stale), ERROR.None);
  const reserved = e.reserve(t);
  assert.is(reserved, 1);
  const refused: [number, string][] = [
    [0, "0"], [0xffff_ffff, "all ones"], [0x1234_5678, "garbage"], [stale, "stale"], [handle(2, 1), "the next generation of a reserved slot"],
    [handle(1, 4), "slot = limit"], [handle(1, 200), "slot 200"], [handle(1, 255), "slot 255"],
    [handle(1, reserved), "reserved slot"], [handle(1, 3), "empty slot"], [handle(0, 0), "generation 0"],
    [handle(2, 0), "a generation not reached"], [handle(GENERATION_LAST, 0), "the last generation, not reached"],
  ];
  for (const [h, name] of refused) assertRefused(t, h, name);
  assert.is(e.release(t, live), ERROR.None);
  assertRefused(t, live, "double release");
  assert.is(e.references(object), 0);
  assert.is(e.destroyCalls(object), 1);
  e.cancel(t, reserved);
});

table("reserve, commit, cancel: a reserved slot is out of reach until committed; cancel gives it back", () => {
  const t = e.createTable(3);
  const a = e.createObject(INTERFACE.Console), b = e.createObject(INTERFACE.Timer);
  e.retainObject(a); // the test's own reference keeps it alive across releases
  assert.is(e.reserve(t), 0);
  assert.is(e.freeSlots(t), 2);
  assert.is(e.count(t), 0, "a reservation is not an entry");
  assert.is(handleAt(t, 0), 0);
  assertRefused(t, handle(1, 0), "reserved, not committed");
  assert.is(insert(t, a), handle(1, 1), "insert skips the reserved slot");
  assert.is(e.reserve(t), 2);
  assert.is(e.freeSlots(t), 0);
  assert.is(e.reserve(t), -1, "full with reservations");
  assert.is(insert(t, a), 0);
  assert.is(e.lastError(t), ERROR.TableFull);

  assert.is(e.references(b), 0, "reserve retains nothing");
  assert.is(commit(t, 0, b), handle(1, 0));
  assert.is(e.references(b), 1);
  assert.is(e.lookup(t, handle(1, 0)), b);
  assert.is(e.count(t), 2);
  e.cancel(t, 2);
  assert.is(e.freeSlots(t), 1);
  assert.is(e.reserve(t), 2, "the cancelled slot comes back");
  e.cancel(t, 2);
  assert.is(insert(t, b), handle(1, 2), "same generation: no handle was issued while reserved");

  assert.is(e.release(t, handle(1, 1)), ERROR.None);
  assert.is(e.reserve(t), 1);
  assert.is(commit(t, 1, a), handle(2, 1), "commit uses the slot's current generation");
  assert.is(e.reserve(t), -1);
  assert.is(e.release(t, handle(2, 1)), ERROR.None);
  assert.is(e.reserve(t), 1);
  e.releaseAll(t);
  assert.is(e.count(t), 0);
  assert.is(e.freeSlots(t), 2, "releaseAll leaves the reservation");
  assert.is(commit(t, 1, a), handle(3, 1), "and it can still be committed");
  assert.equal(liveHandles(t), [handle(3, 1)]);
});

table("destroy is called exactly once, by the last release, for an object held by several tables", () => {
  const first = e.createTable(4), second = e.createTable(4), third = e.createTable(1);
  const shared = e.createObject(INTERFACE.ProcessHandle), other = e.createObject(INTERFACE.ProcessHandle);
  const inFirst = [insert(first, shared), insert(first, shared)];
  const inSecond = insert(second, shared);
  insert(second, other);
  const inThird = insert(third, shared);
  assert.is(e.references(shared), 4);
  assert.is(e.liveObjects(INTERFACE.ProcessHandle), 2);
  assert.is(e.release(first, inFirst[1]), ERROR.None);
  e.releaseAll(second);
  assert.is(e.destroyCalls(other), 1, "other had one reference");
  assert.is(e.release(first, inFirst[0]), ERROR.None);
  assert.is(e.destroyCalls(shared), 0, "still held by the third table");
  assert.is(e.references(shared), 1);
  assert.is(e.liveObjects(INTERFACE.ProcessHandle), 1);
  assert.is(e.release(third, inThird), ERROR.None);
  assert.is(e.destroyCalls(shared), 1);
  assert.is(e.liveObjects(INTERFACE.ProcessHandle), 0);
  for (const [t, h] of [[first, inFirst[0]], [second, inSecond], [third, inThird]]) assertRefused(t, h, "after destroy");
  e.releaseAll(first);
  e.releaseAll(third);
  assert.is(e.destroyCalls(shared), 1, "never again");
});

table("liveObjects counts every interface and returns to zero after releaseAll", () => {
  const t = e.createTable(64);
  const expected = new Array(INTERFACE_COUNT).fill(0);
  const objects: number[] = [];
  for (let i = 0; i < 40; i++) {
    const iface = 1 + (i % (INTERFACE_COUNT - 1));
    const object = e.createObject(iface);
    objects.push(object);
    expected[iface]++;
    insert(t, object);
    if (i % 3 === 0) insert(t, object);
  }
  for (let iface = 0; iface < INTERFACE_COUNT; iface++) assert.is(e.liveObjects(iface), expected[iface], `interface ${iface}`);
  assert.is(e.liveObjects(INTERFACE_COUNT), 0, "outside the enum");
  assert.is(e.liveObjects(-1), 0);
  const before = liveHandles(t);
  assert.is(before.length, 54);
  e.releaseAll(t);
  for (let iface = 0; iface < INTERFACE_COUNT; iface++) assert.is(e.liveObjects(iface), 0, `interface ${iface} after releaseAll`);
  for (const object of objects) assert.is(e.destroyCalls(object), 1, `object ${object}`);
  assert.is(e.count(t), 0);
  assert.is(e.freeSlots(t), 64);
  assert.equal(liveHandles(t), []);
  for (const h of before) assertRefused(t, h, `0x${h.toString(16)} after releaseAll`);
  assert.is(insert(t, e.createObject(INTERFACE.Console)), handle(2, 0), "released slots come back at the next generation");
});

table("lookupInterface: None, WrongInterface or InvalidHandle; interfaceOf", () => {
  const t = e.createTable(INTERFACE_COUNT);
  const handles: number[] = [];
  for (let iface = 1; iface < INTERFACE_COUNT; iface++) handles.push(insert(t, e.createObject(iface)));
  for (let i = 0; i < handles.length; i++) {
    assert.is(e.interfaceOf(t, handles[i]), i + 1);
    for (let iface = 0; iface < INTERFACE_COUNT; iface++) {
      assert.is(e.lookupInterface(t, handles[i], iface), iface === i + 1 ? ERROR.None : ERROR.WrongInterface, `handle ${i}, interface ${iface}`);
    }
  }
  assert.is(e.lookupInterface(t, handle(1, INTERFACE_COUNT), INTERFACE.Console), ERROR.InvalidHandle);
  assert.is(e.lookupInterface(t, 0, INTERFACE.None), ERROR.InvalidHandle);
});

table("destroy() that releases from the same table finds it consistent (a handle's teardown)", () => {
  const t = e.createTable(4);
  const parent = e.createObject(INTERFACE.ProcessHandle), child = e.createObject(INTERFACE.Memory);
  const parentHandle = insert(t, parent), childHandle = insert(t, child);
  e.setDestroyAction(parent, t, childHandle);
  assert.is(e.release(t, parentHandle), ERROR.None);
  assert.is(e.destroyResult(parent), ERROR.None);
  assert.is(e.destroyCalls(child), 1);
  assert.is(e.count(t), 0);

  // During releaseAll: slot 0's destroy() releases slot 1 before the walk reaches it; slot 2's
  // destroy() releases that handle again and is refused.
  const a = e.createObject(INTERFACE.Console), b = e.createObject(INTERFACE.Timer), c = e.createObject(INTERFACE.Console);
  insert(t, a);
  const handleB = insert(t, b);
  insert(t, c);
  e.setDestroyAction(a, t, handleB);
  e.setDestroyAction(c, t, handleB);
  e.releaseAll(t);
  assert.is(e.destroyResult(a), ERROR.None);
  assert.is(e.destroyResult(c), ERROR.InvalidHandle, "the second release of b's handle is refused");
  for (const object of [a, b, c]) assert.is(e.destroyCalls(object), 1, `object ${object}`);
  assert.is(e.count(t), 0);
  assert.is(e.freeSlots(t), 4);
  for (let iface = 0; iface < INTERFACE_COUNT; iface++) assert.is(e.liveObjects(iface), 0);
});

/** Runs `action` on a fresh instance; asserts it aborts with a message containing `expected`. */
function assertAborts(name: string, expected: string, action: (t: number) => void): void {
  wasm = instantiate(module);
  e = wasm.exports;
  const t = e.createTable(4);
  assert.throws(() => action(t), /abort/, name);
  assert.is(wasm.aborts.length, 1, name);
  assert.ok(wasm.aborts[0].includes(expected), `${name}: ${wasm.aborts[0]}`);
}

table("kernel bugs abort: commit or cancel of a slot not reserved, release at zero, retain after destroy, no interface", () => {
  assertAborts("commit of a free slot", "CapabilityTable.commit", (t) => e.commit(t, 0, e.createObject(INTERFACE.Console)));
  assertAborts("commit twice", "CapabilityTable.commit", (t) => {
    const object = e.createObject(INTERFACE.Console), slot = e.reserve(t);
    e.commit(t, slot, object);
    e.commit(t, slot, object);
  });
  assertAborts("commit of a live slot", "CapabilityTable.commit", (t) => e.commit(t, e.insert(t, e.createObject(1)) & 0xff, 0));
  assertAborts("commit at slot -1", "CapabilityTable.commit", (t) => e.commit(t, -1, e.createObject(INTERFACE.Console)));
  assertAborts("commit at slot = limit", "CapabilityTable.commit", (t) => e.commit(t, 4, e.createObject(INTERFACE.Console)));
  assertAborts("cancel of a free slot", "CapabilityTable.cancel", (t) => e.cancel(t, 0));
  assertAborts("cancel twice", "CapabilityTable.cancel", (t) => {
    const slot = e.reserve(t);
    e.cancel(t, slot);
    e.cancel(t, slot);
  });
  assertAborts("release of an unreferenced object", "KernelObject.release", () => e.releaseObject(e.createObject(INTERFACE.Console)));
  assertAborts("release after destroy", "KernelObject.release", () => {
    const object = e.createObject(INTERFACE.Console);
    e.retainObject(object);
    e.releaseObject(object);
    e.releaseObject(object);
  });
  assertAborts("retain after destroy", "KernelObject.retain", (t) => {
    const object = e.createObject(INTERFACE.Console);
    e.release(t, e.insert(t, object));
    e.insert(t, object);
  });
  assertAborts("Interface.None", "KernelObject", () => e.createObject(INTERFACE.None));
  assertAborts("an interface past the enum", "KernelObject", () => e.createObject(INTERFACE_COUNT));
});

interface Slot { state: "free" | "reserved" | "live" | "retired"; generation: number; object: number }

table("a seeded random sequence of insert, release, lookup, reserve, commit, cancel and releaseAll agrees with a model", () => {
  const seed = Number(process.env.CAPABILITY_TABLE_SEED ?? 0xc4b5);
  const random = generator(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const limit = 12;
  const t = e.createTable(limit);
  const slots: Slot[] = Array.from({ length: limit }, () => ({ state: "free", generation: 1, object: -1 }));
  const objects: { iface: number; references: number; destroyed: boolean }[] = [];
  const issued: number[] = [];
  const seen = { full: 0, staleRefused: 0, destroyed: 0, committed: 0, cancelled: 0, releaseAll: 0 };

  const lowestFree = () => slots.findIndex((slot) => slot.state === "free");
  const liveObject = (): number => {
    const candidates = objects.map((object, index) => (object.destroyed ? -1 : index)).filter((index) => index >= 0);
    if (candidates.length === 0 || pick(4) === 0) {
      const iface = 1 + pick(INTERFACE_COUNT - 1);
      objects.push({ iface, references: 0, destroyed: false });
      assert.is(e.createObject(iface), objects.length - 1);
      return objects.length - 1;
    }
    return candidates[pick(candidates.length)];
  };
  const modelRelease = (index: number) => {
    const slot = slots[index], object = objects[slot.object];
    slot.object = -1;
    if (slot.generation === GENERATION_LAST) slot.state = "retired";
    else {
      slot.generation++;
      slot.state = "free";
    }
    if (--object.references === 0) {
      object.destroyed = true;
      seen.destroyed++;
    }
  };
  const modelLookup = (h: number): number => {
    const slot = slots[h & 0xff];
    return slot && slot.state === "live" && slot.generation === h >>> 8 ? slot.object : -1;
  };

  for (let step = 0; step < 20000; step++) {
    const at = `seed ${seed}, step ${step}`;
    const choice = random();
    if (choice < 0.3) {
      const object = liveObject(), free = lowestFree();
      const h = insert(t, object);
      if (free < 0) {
        assert.is(h, 0, `insert into a full table, ${at}`);
        assert.is(e.lastError(t), ERROR.TableFull, at);
        seen.full++;
      } else {
        assert.is(h, handle(slots[free].generation, free), `insert, ${at}`);
        Object.assign(slots[free], { state: "live", object });
        objects[object].references++;
        issued.push(h);
      }
    } else if (choice < 0.5) {
      const live = slots.map((slot, index) => (slot.state === "live" ? index : -1)).filter((index) => index >= 0);
      if (live.length === 0) continue;
      const index = live[pick(live.length)];
      assert.is(e.release(t, handle(slots[index].generation, index)), ERROR.None, `release slot ${index}, ${at}`);
      modelRelease(index);
    } else if (choice < 0.7) {
      // Garbage, a handle once issued, or the handle a slot's current generation gives (also for
      // free, reserved and retired slots, which must refuse it).
      const kind = pick(3), index = pick(limit);
      const h = kind === 0 ? pick(2 ** 32) : kind === 1 && issued.length > 0 ? issued[pick(issued.length)] : handle(slots[index].generation, index);
      const expected = modelLookup(h);
      assert.is(e.lookup(t, h), expected, `lookup 0x${h.toString(16)}, ${at}`);
      assert.is(e.interfaceOf(t, h), expected < 0 ? INTERFACE.None : objects[expected].iface, at);
      if (expected < 0) {
        assert.is(e.release(t, h), ERROR.InvalidHandle, `release refused 0x${h.toString(16)}, ${at}`);
        seen.staleRefused++;
      }
    } else if (choice < 0.8) {
      const free = lowestFree();
      assert.is(e.reserve(t), free, `reserve, ${at}`);
      if (free >= 0) slots[free].state = "reserved";
      else assert.is(e.lastError(t), ERROR.TableFull, at);
    } else if (choice < 0.95) {
      const reserved = slots.map((slot, index) => (slot.state === "reserved" ? index : -1)).filter((index) => index >= 0);
      if (reserved.length === 0) continue;
      const index = reserved[pick(reserved.length)];
      if (pick(2) === 0) {
        const object = liveObject();
        assert.is(commit(t, index, object), handle(slots[index].generation, index), `commit slot ${index}, ${at}`);
        Object.assign(slots[index], { state: "live", object });
        objects[object].references++;
        issued.push(handle(slots[index].generation, index));
        seen.committed++;
      } else {
        e.cancel(t, index);
        slots[index].state = "free";
        seen.cancelled++;
      }
    } else if (choice < 0.953) {
      e.releaseAll(t);
      slots.forEach((slot, index) => slot.state === "live" && modelRelease(index));
      seen.releaseAll++;
    }
    const live = slots.filter((slot) => slot.state === "live").length;
    assert.is(e.count(t), live, `count, ${at}`);
    assert.is(e.freeSlots(t), slots.filter((slot) => slot.state === "free").length, `freeSlots, ${at}`);
    if (step % 97 === 0) {
      for (let index = 0; index < limit; index++) {
        const slot = slots[index];
        assert.is(handleAt(t, index), slot.state === "live" ? handle(slot.generation, index) : 0, `handleAt ${index}, ${at}`);
      }
      for (let object = 0; object < objects.length; object++) {
        assert.is(e.references(object), objects[object].references, `references of ${object}, ${at}`);
        assert.is(e.destroyCalls(object), objects[object].destroyed ? 1 : 0, `destroy calls of ${object}, ${at}`);
      }
      for (let iface = 1; iface < INTERFACE_COUNT; iface++) {
        assert.is(e.liveObjects(iface), objects.filter((object) => object.iface === iface && !object.destroyed).length, `live ${iface}, ${at}`);
      }
    }
  }
  assert.ok(Object.values(seen).every((count) => count > 0), `every path taken: ${JSON.stringify(seen)}, seed ${seed}`);
});

table.run();
