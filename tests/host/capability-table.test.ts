// Host tests of the capability table (kernel/cap/capability-table.ts) and the kernel-object base
// (kernel/cap/kernel-object.ts), compiled to wasm with asc and run under Node: u64 handles and
// 32-bit generations, first-in first-out reuse of freed slots, growth up to the limit, retirement
// of a slot at the last generation (reached with ageSlot, then by real releases past 2^32),
// refused handles, reservations, detach, reference counts across tables, leak counters, the
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
const SLOT_BITS = BigInt(/HANDLE_SLOT_BITS: u32 = (\d+);/.exec(readFileSync(join(REPOSITORY, "abi/ring.ts"), "utf8"))![1]);
const GENERATION_LAST = 0xffff_ffff;

const handle = (generation: number, slot: number): bigint => (BigInt(generation) << SLOT_BITS) | BigInt(slot);
const slotOf = (h: bigint): number => Number(h & ((1n << SLOT_BITS) - 1n));

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
// message; only assertAborts catches one.

// Handles are u64: they come back as BigInt.
const insert = (t: number, object: number): bigint => BigInt.asUintN(64, e.insert(t, object));
const commit = (t: number, slot: number, object: number): bigint => BigInt.asUintN(64, e.commit(t, slot, object));
const handleAt = (t: number, slot: number): bigint => BigInt.asUintN(64, e.handleAt(t, slot));
const liveHandles = (t: number): bigint[] => Array.from({ length: e.capacity(t) }, (_, slot) => handleAt(t, slot)).filter((h) => h !== 0n);

/** Asserts that `h` names nothing in table `t`, through every entry point that takes a handle. */
function assertRefused(t: number, h: bigint, message: string): void {
  assert.is(e.lookup(t, h), -1, `lookup ${message}`);
  assert.is(e.lookupError(t, h), ERROR.InvalidHandle, `lookupError ${message}`);
  assert.is(e.lookupInterface(t, h, INTERFACE.Console), ERROR.InvalidHandle, `lookupInterface ${message}`);
  assert.is(e.interfaceOf(t, h), INTERFACE.None, `interfaceOf ${message}`);
  const before = e.count(t);
  assert.is(e.release(t, h), ERROR.InvalidHandle, `release ${message}`);
  assert.is(e.count(t), before, `count unchanged ${message}`);
}

table("create: 1 <= initial <= limit <= 2^24 accepted, others refused; a fresh table is empty", () => {
  for (const [initial, limit] of [[0, 4], [-1, 4], [5, 4], [1, (1 << 24) + 1], [-2147483648, 1]]) {
    assert.is(e.createTable(initial, limit), -1, `initial ${initial}, limit ${limit}`);
  }
  for (const [initial, limit] of [[1, 1], [4, 7], [32, 16384], [1, 1 << 24]]) {
    const t = e.createTable(initial, limit);
    assert.ok(t >= 0, `initial ${initial}, limit ${limit}`);
    assert.is(e.limit(t), limit);
    assert.is(e.capacity(t), initial);
    assert.is(e.count(t), 0);
    assert.is(e.freeSlots(t), limit);
    assert.equal(liveHandles(t), []);
    assert.is(handleAt(t, -1), 0n);
    assert.is(handleAt(t, initial), 0n);
  }
});

table("insert: slots in order, handle (1 << 24) | slot, the object retained and found; a freed slot waits behind the others", () => {
  const t = e.createTable(4, 4);
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
  assert.is(e.interfaceOf(t, handle(1, 1)), INTERFACE.Timer);
  assert.equal(liveHandles(t), [handle(1, 0), handle(1, 1), handle(1, 2)], "handleAt lists slot order");
  e.retainObject(timer); // keeps it alive across the release
  assert.is(e.release(t, handle(1, 1)), ERROR.None);
  assert.is(insert(t, timer), handle(1, 3), "slot 3, never used, comes before slot 1, freed just now");
  assert.is(insert(t, timer), handle(2, 1), "then the freed slot, with its next generation");
  assert.equal(liveHandles(t), [handle(1, 0), handle(2, 1), handle(1, 2), handle(1, 3)]);
});

table("first in, first out: freed slots come back in the order they were freed", () => {
  const t = e.createTable(8, 8);
  const object = e.createObject(INTERFACE.Memory);
  e.retainObject(object);
  const handles = Array.from({ length: 8 }, () => insert(t, object));
  for (const slot of [5, 2, 7, 0]) assert.is(e.release(t, handles[slot]), ERROR.None);
  assert.equal([0, 1, 2, 3].map(() => slotOf(insert(t, object))), [5, 2, 7, 0]);
  assert.is(insert(t, object), 0n, "full");
  assert.is(e.lastError(t), ERROR.TableFull);
});

table("growth: the table doubles on demand up to its limit, keeping every handle; TableFull only at the limit", () => {
  const t = e.createTable(2, 40);
  const object = e.createObject(INTERFACE.Console);
  e.retainObject(object);
  const handles: bigint[] = [];
  const capacities: number[] = [];
  for (let i = 0; i < 40; i++) {
    handles.push(insert(t, object));
    capacities.push(e.capacity(t));
  }
  assert.equal(handles.map(slotOf), Array.from({ length: 40 }, (_, i) => i), "slots in order across growth");
  assert.equal([...new Set(capacities)], [2, 4, 8, 16, 32, 40], "doubling, then the limit");
  for (let i = 0; i < 40; i++) assert.is(e.lookup(t, handles[i]), object, `handle ${i} after growth`);
  assert.is(insert(t, object), 0n);
  assert.is(e.lastError(t), ERROR.TableFull);
  assert.is(e.reserve(t), -1);
  assert.is(e.capacity(t), 40);
  assert.is(e.release(t, handles[7]), ERROR.None);
  assert.is(insert(t, object), handle(2, 7), "a freed slot at the limit");
});

table("4,096 capabilities at once in a table of the kernel's limit, each one found", () => {
  const t = e.createTable(32, 16384);
  const objects = [e.createObject(INTERFACE.Console), e.createObject(INTERFACE.Timer)];
  const handles = Array.from({ length: 4096 }, (_, i) => insert(t, objects[i % 2]));
  assert.ok(handles.every((h) => h !== 0n), "no refusal");
  assert.is(new Set(handles).size, 4096);
  assert.is(e.count(t), 4096);
  for (let i = 0; i < 4096; i++) assert.is(e.lookup(t, handles[i]), objects[i % 2], `handle ${i}`);
  e.releaseAll(t);
  assert.is(e.count(t), 0);
  for (const object of objects) assert.is(e.destroyCalls(object), 1);
});

table("generations: every reuse of a slot gives a new handle; every old one is refused", () => {
  const t = e.createTable(1, 1);
  const object = e.createObject(INTERFACE.Memory);
  e.retainObject(object); // the test's own reference keeps it alive across the cycles
  const issued: bigint[] = [];
  for (let generation = 1; generation <= 50; generation++) {
    const h = insert(t, object);
    assert.is(h, handle(generation, 0));
    for (const old of issued) assertRefused(t, old, `generation ${generation}: 0x${old.toString(16)}`);
    issued.push(h);
    assert.is(e.release(t, h), ERROR.None);
  }
});

table("past 2^32 reuses: the slot retires at the last generation instead of wrapping, and no earlier handle ever works", () => {
  const t = e.createTable(2, 2);
  const object = e.createObject(INTERFACE.Console);
  e.retainObject(object);
  const first = insert(t, object);
  assert.is(e.release(t, first), ERROR.None);
  // Slot 0 is free at generation 2; jump it close to the end (4 billion releases would take an
  // hour), then release it for real the rest of the way.
  assert.ok(e.ageSlot(t, 0, GENERATION_LAST - 3));
  assert.not.ok(e.ageSlot(t, 0, 0), "generation 0 is never valid");
  insert(t, object); // slot 1, still at generation 1
  const seen: bigint[] = [first];
  for (let generation = GENERATION_LAST - 3; generation <= GENERATION_LAST; generation++) {
    const h = insert(t, object);
    assert.is(h, handle(generation, 0), `generation 0x${generation.toString(16)}`);
    assert.ok(h < 1n << 56n, "every handle below 2^56");
    for (const old of seen) assertRefused(t, old, `old handle 0x${old.toString(16)}`);
    seen.push(h);
    assert.is(e.release(t, h), ERROR.None);
  }
  assert.is(e.freeSlots(t), 0, "slot 0 retired, slot 1 in use");
  assert.is(insert(t, object), 0n, "the retired slot is never handed out again");
  assert.is(e.lastError(t), ERROR.TableFull);
  for (const old of seen) assertRefused(t, old, `after retirement 0x${old.toString(16)}`);
  assert.is(e.cycle(t, object, 1000), 0n, "slot 1 is in use: nothing left to cycle through");
});

table("release refuses 0, garbage, stale, out-of-range, too-wide and reserved handles with InvalidHandle", () => {
  const t = e.createTable(4, 4);
  const object = e.createObject(INTERFACE.Console);
  const live = insert(t, object);
  const slot = e.reserve(t);
  for (const [h, what] of [[0n, "zero"], [handle(1, 7), "past the capacity"], [handle(2, 0), "a future generation"],
    [handle(1, slot), "a reserved slot"], [handle(0, 0), "generation 0"], [live | (1n << 60n), "bits above 2^56"],
    [BigInt.asUintN(64, -1n), "all ones"], [handle(1, 1 << 23), "a slot never made"]] as [bigint, string][]) {
    assertRefused(t, h, what);
  }
  assert.is(e.lookup(t, live), object, "the live handle still works");
});

table("reserve, commit, cancel: a reserved slot is out of reach until committed; cancel puts it back at the tail", () => {
  const t = e.createTable(3, 3);
  const object = e.createObject(INTERFACE.Timer);
  const slot = e.reserve(t);
  assert.is(slot, 0);
  assert.is(e.freeSlots(t), 2);
  assertRefused(t, handle(1, 0), "reserved");
  assert.is(commit(t, slot, object), handle(1, 0));
  assert.is(e.lookup(t, handle(1, 0)), object);
  const second = e.reserve(t);
  assert.is(second, 1);
  e.cancel(t, second);
  assert.is(e.reserve(t), 2, "a cancelled slot goes to the back");
  assert.is(e.reserve(t), 1, "and comes back, same generation: no handle to it was issued");
  assert.is(commit(t, 1, object), handle(1, 1));
});

table("detach and commitHeld: a moved capability's slot turns stale at once and can take it back under a new handle", () => {
  const t = e.createTable(2, 2);
  const object = e.createObject(INTERFACE.Memory);
  const h = insert(t, object);
  const slot = e.detach(t, h);
  assert.is(slot, 0);
  assertRefused(t, h, "detached");
  assert.is(e.references(object), 1, "the table's reference passed to the caller");
  assert.is(BigInt.asUintN(64, e.commitHeld(t, slot, object)), handle(2, 0), "rolled back under the next generation");
  assert.is(e.references(object), 1);
  assert.is(e.lookup(t, handle(2, 0)), object);
  assert.is(e.detach(t, h), -1, "a stale handle detaches nothing");
});

table("destroy is called exactly once, by the last release, for an object held by several tables", () => {
  const first = e.createTable(4, 4), second = e.createTable(4, 4), third = e.createTable(1, 1);
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
  const t = e.createTable(64, 64);
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
  assert.is(insert(t, e.createObject(INTERFACE.Console)), handle(1, 54), "never-used slots first");
  for (let slot = 55; slot < 64; slot++) insert(t, e.createObject(INTERFACE.Console));
  assert.is(insert(t, e.createObject(INTERFACE.Console)), handle(2, 0), "then released ones, at the next generation, in the order they were freed");
});

table("lookupInterface: None, WrongInterface or InvalidHandle; interfaceOf", () => {
  const t = e.createTable(INTERFACE_COUNT, INTERFACE_COUNT);
  const handles: bigint[] = [];
  for (let iface = 1; iface < INTERFACE_COUNT; iface++) handles.push(insert(t, e.createObject(iface)));
  for (let i = 0; i < handles.length; i++) {
    assert.is(e.interfaceOf(t, handles[i]), i + 1);
    for (let iface = 0; iface < INTERFACE_COUNT; iface++) {
      assert.is(e.lookupInterface(t, handles[i], iface), iface === i + 1 ? ERROR.None : ERROR.WrongInterface, `handle ${i}, interface ${iface}`);
    }
  }
  assert.is(e.lookupInterface(t, handle(1, INTERFACE_COUNT), INTERFACE.Console), ERROR.InvalidHandle);
  assert.is(e.lookupInterface(t, 0n, INTERFACE.None), ERROR.InvalidHandle);
});

table("destroy() that releases from the same table finds it consistent (a handle's teardown)", () => {
  const t = e.createTable(4, 4);
  const parent = e.createObject(INTERFACE.ProcessHandle), child = e.createObject(INTERFACE.Memory);
  const parentHandle = insert(t, parent), childHandle = insert(t, child);
  e.setDestroyAction(parent, t, childHandle);
  assert.is(e.release(t, parentHandle), ERROR.None);
  assert.is(e.destroyResult(parent), ERROR.None);
  assert.is(e.destroyCalls(child), 1);
  assert.is(e.count(t), 0);

  // During releaseAll (a fresh table: slots 0, 1, 2 in order): slot 0's destroy() releases slot 1
  // before the walk reaches it; slot 2's destroy() releases that handle again and is refused.
  const fresh = e.createTable(4, 4);
  const a = e.createObject(INTERFACE.Console), b = e.createObject(INTERFACE.Timer), c = e.createObject(INTERFACE.Console);
  insert(fresh, a);
  const handleB = insert(fresh, b);
  insert(fresh, c);
  e.setDestroyAction(a, fresh, handleB);
  e.setDestroyAction(c, fresh, handleB);
  e.releaseAll(fresh);
  assert.is(e.destroyResult(a), ERROR.None);
  assert.is(e.destroyResult(c), ERROR.InvalidHandle, "the second release of b's handle is refused");
  for (const object of [a, b, c]) assert.is(e.destroyCalls(object), 1, `object ${object}`);
  assert.is(e.count(fresh), 0);
  assert.is(e.freeSlots(fresh), 4);
  for (let iface = 0; iface < INTERFACE_COUNT; iface++) assert.is(e.liveObjects(iface), 0);
});

/** Runs `action` on a fresh instance; asserts it aborts with a message containing `expected`. */
function assertAborts(name: string, expected: string, action: (t: number) => void): void {
  wasm = instantiate(module);
  e = wasm.exports;
  const t = e.createTable(4, 4);
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
  assertAborts("commit of a live slot", "CapabilityTable.commit", (t) => e.commit(t, slotOf(BigInt.asUintN(64, e.insert(t, e.createObject(1)))), 0));
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
  const initial = 4, limit = 24;
  const t = e.createTable(initial, limit);
  const slots: Slot[] = [];
  const free: number[] = [];   // the free list, oldest first
  let capacity = 0;
  const growTo = (size: number) => {
    for (let slot = capacity; slot < size; slot++) {
      slots.push({ state: "free", generation: 1, object: -1 });
      free.push(slot);
    }
    capacity = size;
  };
  growTo(initial);
  const objects: { iface: number; references: number; destroyed: boolean }[] = [];
  const issued: bigint[] = [];
  const seen = { full: 0, staleRefused: 0, destroyed: 0, committed: 0, cancelled: 0, releaseAll: 0, grown: 0 };

  /** The model's reserve: the oldest free slot, growing first when none is free. */
  const takeFree = (): number => {
    if (free.length === 0 && capacity < limit) {
      growTo(Math.min(limit, capacity * 2));
      seen.grown++;
    }
    return free.length === 0 ? -1 : free.shift()!;
  };
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
      free.push(index);
    }
    if (--object.references === 0) {
      object.destroyed = true;
      seen.destroyed++;
    }
  };
  const modelLookup = (h: bigint): number => {
    if (h >> 56n !== 0n) return -1;
    const slot = slots[slotOf(h)];
    return slot && slot.state === "live" && BigInt(slot.generation) === h >> SLOT_BITS ? slot.object : -1;
  };

  for (let step = 0; step < 20000; step++) {
    const at = `seed ${seed}, step ${step}`;
    const choice = random();
    if (choice < 0.3) {
      const object = liveObject(), slot = takeFree();
      const h = insert(t, object);
      if (slot < 0) {
        assert.is(h, 0n, `insert into a full table, ${at}`);
        assert.is(e.lastError(t), ERROR.TableFull, at);
        seen.full++;
      } else {
        assert.is(h, handle(slots[slot].generation, slot), `insert, ${at}`);
        Object.assign(slots[slot], { state: "live", object });
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
      const kind = pick(3), index = pick(capacity);
      const h = kind === 0 ? BigInt(pick(2 ** 31)) << BigInt(pick(33))
        : kind === 1 && issued.length > 0 ? issued[pick(issued.length)] : handle(slots[index].generation, index);
      const expected = modelLookup(h);
      assert.is(e.lookup(t, h), expected, `lookup 0x${h.toString(16)}, ${at}`);
      assert.is(e.interfaceOf(t, h), expected < 0 ? INTERFACE.None : objects[expected].iface, at);
      if (expected < 0) {
        assert.is(e.release(t, h), ERROR.InvalidHandle, `release refused 0x${h.toString(16)}, ${at}`);
        seen.staleRefused++;
      }
    } else if (choice < 0.8) {
      const slot = takeFree();
      assert.is(e.reserve(t), slot, `reserve, ${at}`);
      if (slot >= 0) slots[slot].state = "reserved";
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
        free.push(index);
        seen.cancelled++;
      }
    } else if (choice < 0.953) {
      e.releaseAll(t);
      slots.forEach((slot, index) => slot.state === "live" && modelRelease(index));
      seen.releaseAll++;
    }
    const count = (state: Slot["state"]) => slots.filter((slot) => slot.state === state).length;
    assert.is(e.count(t), count("live"), `count, ${at}`);
    assert.is(e.capacity(t), capacity, `capacity, ${at}`);
    assert.is(e.freeSlots(t), limit - count("live") - count("reserved") - count("retired"), `freeSlots, ${at}`);
    if (step % 97 === 0) {
      for (let index = 0; index < capacity; index++) {
        const slot = slots[index];
        assert.is(handleAt(t, index), slot.state === "live" ? handle(slot.generation, index) : 0n, `handleAt ${index}, ${at}`);
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
