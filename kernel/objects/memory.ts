// Memory: a quota of 4 KiB pages; grow maps zeroed pages at the end of the caller's linear
// memory and charges them here until the caller ends; split carves a smaller Memory object out
// of this one, the way to hand a child less than you hold (docs/abi/interfaces/memory.md).
// Holders share the quota. Decode checks quota, range, slots and free frames, so invoke cannot
// fail.

import { KernelError } from "../../abi/errors";
import { USER_LINEAR_BASE } from "../../abi/layout";
import { framesFree } from "../memory/frames";
import { PAGE_SIZE } from "../memory/page-table";
import { KernelErrorCell, UserAccess } from "../vm/address-space";
import { Process } from "../sched/process";
import { Thread } from "../sched/thread";
import { Interface } from "../../abi/interfaces";
import { KernelObject } from "../cap/kernel-object";
import { ENDPOINT_PAGES, MemoryMethod } from "../../abi/methods";
import { EndpointObject } from "./endpoint";
import { Opcode, SQE_ARGUMENT0 } from "../../abi/ring";

/** wasm32's whole address space: linear memory never grows past it (half of
 * USER_LINEAR_RESERVED, so any u32 offset past its end still faults). */
const LINEAR_MAXIMUM: u64 = 0x1_0000_0000;

export class MemoryObject extends KernelObject {
  /** Pages charged to this quota: mapped by processes using it, or carved out by split. */
  used: u64 = 0;

  /** `parent`: the object this one was split from (retained; gets `quota` back at destroy). */
  constructor(readonly quota: u64, readonly parent: MemoryObject | null = null) {
    super(Interface.Memory);
    if (parent !== null) parent.retain();
  }

  destroy(): void {
    const parent = this.parent;
    if (parent === null) return;
    parent.used -= this.quota;
    parent.release();
  }
}

/** The slot decode reserved for split's new handle (the kernel is one thread). */
class Decoded {
  slot: i32 = -1;
}
const decoded = new Decoded();

export function memoryDecode(object: MemoryObject, process: Process, method: u32, entry: usize): KernelError {
  if (method == MemoryMethod.Info) return KernelError.None;
  if (method == MemoryMethod.Endpoint) {
    if (ENDPOINT_PAGES > object.quota - object.used) return KernelError.QuotaExceeded;
    decoded.slot = process.table.reserve();
    return decoded.slot < 0 ? KernelError.TableFull : KernelError.None;
  }
  if (method == MemoryMethod.Split) {
    const pages = load<u64>(entry + SQE_ARGUMENT0);
    if (pages == 0) return KernelError.InvalidArgument;
    if (pages > object.quota - object.used) return KernelError.QuotaExceeded;
    decoded.slot = process.table.reserve();
    return decoded.slot < 0 ? KernelError.TableFull : KernelError.None;
  }
  if (method != MemoryMethod.Grow) return KernelError.UnknownMethod;
  const pages = load<u64>(entry + SQE_ARGUMENT0);
  if (pages == 0 || pages > LINEAR_MAXIMUM / PAGE_SIZE) return KernelError.InvalidArgument;
  if (pages > object.quota - object.used) return KernelError.QuotaExceeded;
  // The manifest caps what the program may map in all, whatever quota it was lent.
  if (pages > <u64>process.program.policy.memoryQuotaPages - process.pagesCharged) return KernelError.QuotaExceeded;
  if (process.linearEnd + pages * PAGE_SIZE > LINEAR_MAXIMUM) return KernelError.OutOfRange;
  // Each page, and the tables a run of `pages` can need from any start: one more than it spans of
  // each level (page tables per 512 pages, directories per 2^18, PDPTs per 2^27).
  if (framesFree() < pages + pages / 512 + pages / (1 << 18) + pages / (1 << 27) + 6) return KernelError.OutOfMemory;
  return KernelError.None;
}

export function memoryInvoke(object: MemoryObject, thread: Thread, method: u32, entry: usize, userData: u64): void {
  if (method == MemoryMethod.Info) {
    thread.ring.complete(userData, <i64>object.used, object.quota, Opcode.Call);
    return;
  }
  if (method == MemoryMethod.Endpoint) {
    const handle = thread.process.table.commit(decoded.slot, new EndpointObject(object, ENDPOINT_PAGES));
    thread.ring.complete(userData, <i64>handle, 0, Opcode.Call);
    return;
  }
  if (method == MemoryMethod.Split) {
    const pages = load<u64>(entry + SQE_ARGUMENT0);
    object.used += pages;
    const handle = thread.process.table.commit(decoded.slot, new MemoryObject(pages, object));
    thread.ring.complete(userData, <i64>handle, 0, Opcode.Call);
    return;
  }
  const process = thread.process;
  const pages = load<u64>(entry + SQE_ARGUMENT0);
  const previous = process.linearEnd;
  const error = new KernelErrorCell();
  for (let i: u64 = 0; i < pages; i++) {
    if (process.space.mapNew(USER_LINEAR_BASE + previous + i * PAGE_SIZE, UserAccess.ReadWrite, error) == 0) {
      abort("memoryInvoke: a page decode promised was not mapped");
    }
  }
  process.linearEnd = previous + pages * PAGE_SIZE;
  process.charge(object, pages);
  thread.ring.complete(userData, <i64>previous, 0, Opcode.Call);
}
