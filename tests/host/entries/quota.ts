// Host-test entry for quotas (kernel/memory/quota.ts) and the table's charges
// (kernel/cap/capability-table.ts): numbered quotas made, split, charged and released by
// tests/host/quota.test.ts, which compares every figure with a model.

import { KernelError } from "../../../abi/errors";
import { CapabilityTable, capabilityTableBytes } from "../../../kernel/cap/capability-table";
import { KernelObject } from "../../../kernel/cap/kernel-object";
import { Interface } from "../../../abi/interfaces";
import {
  heapBudget, heapBudgetSet, heapReserved, heapReservedPeak, Quota, quotasLive as kernelQuotasLive,
} from "../../../kernel/memory/quota";

class EntryState {
  quotas: Quota[] = [];
  tables: CapabilityTable[] = [];
}
const state = new EntryState();

export function setBudget(bytes: u64): void { heapBudgetSet(bytes); }
export function budget(): u64 { return heapBudget(); }
export function reserved(): u64 { return heapReserved(); }
export function reservedPeak(): u64 { return heapReservedPeak(); }
export function quotasLive(): i32 { return kernelQuotasLive(); }

/** A new root quota of `pages`; its index. */
export function root(pages: u64): i32 {
  state.quotas.push(new Quota(pages));
  return state.quotas.length - 1;
}

/** A quota of `pages` lent by quota `parent` (charged there first, as Memory.split does). */
export function split(parent: i32, pages: u64): i32 {
  const lender = state.quotas[parent];
  lender.charge(pages);
  state.quotas.push(new Quota(pages, lender));
  return state.quotas.length - 1;
}

export function used(index: i32): u64 { return state.quotas[index].used; }
export function available(index: i32): u64 { return state.quotas[index].available; }
export function kernelBytes(index: i32): u64 { return state.quotas[index].kernelBytes; }
export function fits(index: i32, bytes: u64, pages: u64): i32 { return state.quotas[index].kernelFits(bytes, pages); }
export function chargeKernel(index: i32, bytes: u64): void { state.quotas[index].chargeKernel(bytes); }
export function unchargeKernel(index: i32, bytes: u64): void { state.quotas[index].unchargeKernel(bytes); }
export function charge(index: i32, pages: u64): void { state.quotas[index].charge(pages); }
export function uncharge(index: i32, pages: u64): void { state.quotas[index].uncharge(pages); }
export function release(index: i32): void { state.quotas[index].release(); }

/** A table of `initial` slots (limit `limit`) paid by quota `index`; its index, or -1. */
export function tableCreate(initial: i32, limit: i32, index: i32): i32 {
  const table = CapabilityTable.create(initial, limit, state.quotas[index]);
  if (table === null) return -1;
  state.tables.push(table);
  return state.tables.length - 1;
}
export function tableBytes(capacity: i32): u64 { return capabilityTableBytes(capacity); }
export function tableCharged(table: i32): u64 { return state.tables[table].chargedBytes; }
export function tableCapacity(table: i32): i32 { return state.tables[table].capacity; }
/** Inserts a fresh object; the handle, or 0 with the error in tableError. */
export function tableInsert(table: i32): u64 { return state.tables[table].insert(new KernelObject(Interface.Console)); }
export function tableError(table: i32): KernelError { return state.tables[table].lastError; }
export function tableDiscard(table: i32): void { state.tables[table].discard(); }
