// Host-test entry for kernel/cap/capability-table.ts and kernel/cap/kernel-object.ts:
// tests/host/capability-table.test.ts makes tables and test objects (numbered in creation order)
// through flat exports and drives them. A test object counts its destroy() calls and can
// release a handle from a table when destroyed, as a process handle's teardown would.

import { CapabilityTable } from "../../../kernel/cap/capability-table";
import { Interface } from "../../../abi/interfaces";
import { KernelObject, liveObjects as kernelLiveObjects } from "../../../kernel/cap/kernel-object";

class TestObject extends KernelObject {
  destroyCalls: i32 = 0;
  /** On destroy: release this handle from this table (-1: nothing), and record the result. */
  destroyTable: i32 = -1;
  destroyHandle: u64 = 0;
  destroyResult: i32 = -1;

  constructor(iface: Interface, readonly id: i32) {
    super(iface);
  }

  destroy(): void {
    this.destroyCalls++;
    if (this.destroyTable >= 0) this.destroyResult = tables[this.destroyTable].release(this.destroyHandle);
  }
}

let tables: CapabilityTable[] = [];
let objects: TestObject[] = [];

/** Forgets every table and object (live counters are not reset: objects never destroyed stay
 * counted, as in the kernel). */
export function reset(): void {
  tables = [];
  objects = [];
}

/** A new table's number, or -1 when create() refuses `initial` or `limit`. */
export function createTable(initial: i32, limit: i32): i32 {
  const table = CapabilityTable.create(initial, limit);
  if (table == null) return -1;
  tables.push(table);
  return tables.length - 1;
}

/** A new object's number (also its id). */
export function createObject(iface: i32): i32 {
  objects.push(new TestObject(<Interface>iface, objects.length));
  return objects.length - 1;
}

export function destroyCalls(object: i32): i32 { return objects[object].destroyCalls; }
export function references(object: i32): u32 { return objects[object].references; }
export function retainObject(object: i32): void { objects[object].retain(); }
export function releaseObject(object: i32): void { objects[object].release(); }
export function setDestroyAction(object: i32, table: i32, handle: u64): void {
  objects[object].destroyTable = table;
  objects[object].destroyHandle = handle;
}
export function destroyResult(object: i32): i32 { return objects[object].destroyResult; }
export function liveObjects(iface: i32): i32 { return kernelLiveObjects(<Interface>iface); }

export function insert(table: i32, object: i32): u64 { return tables[table].insert(objects[object]); }
export function lastError(table: i32): i32 { return tables[table].lastError; }
/** The id of the object `handle` names, or -1. */
export function lookup(table: i32, handle: u64): i32 {
  const object = tables[table].lookup(handle);
  return object == null ? -1 : (<TestObject>object).id;
}
export function lookupError(table: i32, handle: u64): i32 { return tables[table].lookupError(handle); }
export function lookupInterface(table: i32, handle: u64, iface: i32): i32 {
  return tables[table].lookupInterface(handle, <Interface>iface);
}
export function interfaceOf(table: i32, handle: u64): i32 { return tables[table].interfaceOf(handle); }
export function handleAt(table: i32, slot: i32): u64 { return tables[table].handleAt(slot); }
export function reserve(table: i32): i32 { return tables[table].reserve(); }
export function commit(table: i32, slot: i32, object: i32): u64 { return tables[table].commit(slot, objects[object]); }
export function cancel(table: i32, slot: i32): void { tables[table].cancel(slot); }
export function release(table: i32, handle: u64): i32 { return tables[table].release(handle); }
export function releaseAll(table: i32): void { tables[table].releaseAll(); }
export function count(table: i32): i32 { return tables[table].count; }
export function limit(table: i32): i32 { return tables[table].limit; }
export function freeSlots(table: i32): i32 { return tables[table].freeSlots(); }
export function capacity(table: i32): i32 { return tables[table].capacity; }
export function ageSlot(table: i32, slot: i32, generation: u32): bool { return tables[table].ageSlot(slot, generation); }
export function detach(table: i32, handle: u64): i32 { return tables[table].detach(handle); }
export function commitHeld(table: i32, slot: i32, object: i32): u64 { return tables[table].commitHeld(slot, objects[object]); }

/** insert() then release() of `object` `times` times, inside wasm; returns the last handle
 * insert() gave, or 0 as soon as an insert or a release fails. */
export function cycle(table: i32, object: i32, times: i32): u64 {
  const capabilities = tables[table], target = objects[object];
  let handle: u64 = 0;
  for (let i = 0; i < times; i++) {
    handle = capabilities.insert(target);
    if (handle == 0 || capabilities.release(handle) != 0) return 0;
  }
  return handle;
}
