// Host-test entry for virtual memory (kernel/vm/regions.ts, mappings.ts, fault.ts, the frame
// counts of kernel/memory/frames.ts): tests/host/vm.test.ts makes quotas and address spaces and
// drives map, unmap, protect, clone and user reads and writes (a user access that faults goes
// through vmFault as the CPU's would), then compares every answer, frame count and charge with
// its model. setup() boots the kernel's memory over a region of the wasm memory, which plays
// physical memory (docs/DESIGN.md #3), as tests/host/entries/address-switch.ts does.

import { KernelError } from "../../../abi/errors";
import { BootInformation } from "../../../kernel/boot/multiboot2";
import { bootMemory } from "./boot-memory";
import { logSetLevel } from "../../../kernel/log/log";
import { frameReferences, framesFree as kernelFramesFree } from "../../../kernel/memory/frames";
import { PAGE_ADDRESS_MASK, PAGE_PRESENT, PAGE_SIZE, PAGE_USER, PAGE_WRITABLE } from "../../../kernel/memory/page-table";
import { Quota } from "../../../kernel/memory/quota";
import { AddressSpace, KernelErrorCell } from "../../../kernel/vm/address-space";
import { FAULT_WRITE, FaultOutcome, vmFault } from "../../../kernel/vm/fault";
import {
  vmClone, vmDiscard, vmMap, vmMapCheck, vmMapFrom, vmMapShared, vmMapSharedCheck, vmMove, vmMoveCheck, vmProtect, vmProtectCheck,
  vmUnmap, vmUnmapCheck, vmWriteBack,
} from "../../../kernel/vm/mappings";
import { PageSource } from "../../../kernel/vm/regions";
import { SharedFrames } from "../../../kernel/vm/shared-frames";
import { reclaimAll } from "../../../kernel/vm/reclaim";
import { copyOut } from "../../../kernel/vm/user-memory";

const BYTE = memory.data(8, 8);

class World {
  spaces: (AddressSpace | null)[] = [];
  quotas: Quota[] = [];
  shared: (SharedFrames | null)[] = [];
}
const world = new World();

export { bootTablesAddress } from "./boot-memory";

/** Boots the kernel's memory over [regionStart, regionEnd); returns the frames free. */
export function setup(regionStart: u32, regionEnd: u32): u64 {
  logSetLevel("error");
  bootMemory(regionStart, regionEnd, new BootInformation());
  return kernelFramesFree();
}

export function framesFree(): u64 { return kernelFramesFree(); }

export function quotaCreate(pages: u64): i32 {
  world.quotas.push(new Quota(pages));
  return world.quotas.length - 1;
}
export function quotaUsed(index: i32): u64 { return world.quotas[index].used; }

export function spaceCreate(): i32 {
  const space = AddressSpace.create();
  if (space === null) abort("test entry: no frame for a PML4");
  world.spaces.push(space);
  return world.spaces.length - 1;
}
export function spaceDestroy(index: i32): void {
  world.spaces[index]!.destroy();
  world.spaces[index] = null;
  reclaimAll();
}
export function regionCount(index: i32): i32 { return world.spaces[index]!.regions.count; }
/** The access of the region holding `address`, -1 for none. */
export function regionAccess(index: i32, address: u64): i32 {
  const region = world.spaces[index]!.regions.find(address);
  return region === null ? -1 : region.access;
}

/** A shared memory object's frames (Memory.share), charged to quota `quota`: its index, or -1. */
export function sharedCreate(pages: u64, quota: i32): i32 {
  const shared = SharedFrames.create(pages, world.quotas[quota]);
  if (shared === null) return -1;
  world.shared.push(shared);
  return world.shared.length - 1;
}
/** The object's own hold goes (its last capability released). */
export function sharedRelease(index: i32): void {
  world.shared[index]!.release();
  world.shared[index] = null;
}
/** SharedMemory.map's two steps: the error of the check, the map when it passes. */
export function mapShared(index: i32, start: u64, shared: i32, access: i32): i32 {
  const space = world.spaces[index]!;
  const frames = world.shared[shared]!;
  const error = vmMapSharedCheck(space, start, frames, access);
  if (error == KernelError.None) vmMapShared(space, start, frames, access);
  return error;
}

/** Memory.map's two steps: the error of the check, the map when it passes. */
export function map(index: i32, start: u64, pages: u64, access: i32, quota: i32): i32 {
  const space = world.spaces[index]!;
  const error = vmMapCheck(space, start, pages, access);
  if (error == KernelError.None) vmMap(space, start, pages, access, world.quotas[quota]);
  return error;
}
/** map with a region that grows down by up to `growPages` pages (a stack). */
export function mapGrowing(index: i32, start: u64, pages: u64, access: i32, quota: i32, growPages: u64): i32 {
  const space = world.spaces[index]!;
  const error = vmMapCheck(space, start, pages, access, growPages);
  if (error == KernelError.None) vmMap(space, start, pages, access, world.quotas[quota], growPages);
  return error;
}
/** The start of the region holding `address` (0 for none). */
export function regionStart(index: i32, address: u64): u64 {
  const region = world.spaces[index]!.regions.find(address);
  return region === null ? 0 : region.start;
}
/** A source whose byte at offset o is (o / 4096 + 1) & 255 for the first `size` bytes, zero
 * past them; it counts its fills and whether it was let go. */
class CountingSource extends PageSource {
  fills: i32 = 0;
  disposed: bool = false;
  constructor(readonly size: u64) { super(); }
  fill(offset: u64, destination: usize): void {
    this.fills++;
    if (offset >= this.size) return;
    memory.fill(destination, <u8>((offset >> 12) + 1), <usize>min(PAGE_SIZE, this.size - offset));
  }
  dispose(): void { this.disposed = true; }
}
class Sources {
  list: CountingSource[] = [];
}
const sources = new Sources();
export function sourceCreate(size: u64): i32 {
  sources.list.push(new CountingSource(size));
  return sources.list.length - 1;
}
/** The test's own reference goes (the regions keep theirs). */
export function sourceRelease(source: i32): void { sources.list[source].release(); }
export function sourceFills(source: i32): i32 { return sources.list[source].fills; }
export function sourceDisposed(source: i32): bool { return sources.list[source].disposed; }
/** map whose pages come from source `source` at `offset`. */
export function mapFrom(index: i32, start: u64, pages: u64, access: i32, quota: i32, source: i32, offset: u64): i32 {
  const space = world.spaces[index]!;
  const error = vmMapCheck(space, start, pages, access);
  if (error == KernelError.None) vmMapFrom(space, start, pages, access, world.quotas[quota], sources.list[source], offset);
  return error;
}
/** vmWriteBack(from, to): the pages copied. */
export function writeBack(from: i32, to: i32): u64 { return vmWriteBack(world.spaces[from]!, world.spaces[to]!); }
export function discard(index: i32, start: u64, pages: u64): void { vmDiscard(world.spaces[index]!, start, pages); }
export function move(index: i32, from: u64, pages: u64, to: u64, newPages: u64): i32 {
  const space = world.spaces[index]!;
  const error = vmMoveCheck(space, from, pages, to, newPages);
  if (error == KernelError.None) vmMove(space, from, pages, to, newPages);
  return error;
}
export function unmap(index: i32, start: u64, pages: u64): i32 {
  const space = world.spaces[index]!;
  const error = vmUnmapCheck(space, start, pages);
  if (error == KernelError.None) vmUnmap(space, start, pages);
  return error;
}
export function protect(index: i32, start: u64, pages: u64, access: i32): i32 {
  const space = world.spaces[index]!;
  const error = vmProtectCheck(space, start, pages, access);
  if (error == KernelError.None) vmProtect(space, start, pages, access);
  return error;
}
/** A copy-on-write child of space `index`: its index, or -error. */
export function clone(index: i32): i32 {
  const error = new KernelErrorCell();
  const child = vmClone(world.spaces[index]!, error);
  if (child === null) return -<i32>error.value;
  world.spaces.push(child);
  return world.spaces.length - 1;
}

/** The frame user code would reach at `address`, resolving faults as the CPU and
 * syscall/fault.ts would: the frame, or -1 - the outcome that ends the process. */
function userAccess(space: AddressSpace, address: u64, write: bool): i64 {
  const required = PAGE_PRESENT | PAGE_USER | (write ? PAGE_WRITABLE : 0);
  for (let attempt = 0; attempt < 2; attempt++) {
    const entry = space.leaf(address);
    if ((entry & required) == required) return <i64>(entry & PAGE_ADDRESS_MASK);
    const outcome = vmFault(space, address, (entry & PAGE_PRESENT) | (write ? FAULT_WRITE : 0));
    if (outcome != FaultOutcome.Resolved) return -1 - <i64>outcome;
  }
  abort("test entry: a resolved fault faulted again");
  return 0;
}
/** A user read of the byte at `address`: the byte, or -1 - the fault outcome. */
export function read(index: i32, address: u64): i64 {
  const entry = userAccess(world.spaces[index]!, address, false);
  return entry < 0 ? entry : <i64>load<u8>(<usize>(<u64>entry + (address & (PAGE_SIZE - 1))));
}
/** A user write of `value` at `address`: 0, or -1 - the fault outcome. */
export function write(index: i32, address: u64, value: u8): i64 {
  const entry = userAccess(world.spaces[index]!, address, true);
  if (entry < 0) return entry;
  store<u8>(<usize>(<u64>entry + (address & (PAGE_SIZE - 1))), value);
  return 0;
}
/** The kernel's copy-out of one byte (user-memory.ts): the error. */
export function kernelWrite(index: i32, address: u64, value: u8): i32 {
  store<u8>(BYTE, value);
  return copyOut(world.spaces[index]!, address, BYTE, 1, 1);
}
/** The frame mapped at `address` (0 when none) and its reference count. */
export function frameAt(index: i32, address: u64): u64 {
  const entry = world.spaces[index]!.leaf(address);
  return (entry & PAGE_PRESENT) ? entry & PAGE_ADDRESS_MASK : 0;
}
export function references(frame: u64): u32 { return frameReferences(frame); }
/** Whether the page at `address` is mapped writable now (copy-on-write pages are not). */
export function writable(index: i32, address: u64): bool {
  return (world.spaces[index]!.leaf(address) & (PAGE_PRESENT | PAGE_WRITABLE)) == (PAGE_PRESENT | PAGE_WRITABLE);
}
