// Memory: a quota of 4 KiB pages (memory/quota.ts) (docs/abi/interfaces/memory.md). grow maps
// zeroed pages at the end of the caller's linear memory and charges them to the quota until
// the caller ends; split carves a smaller quota out of this one, the way to hand a child less
// than you hold; endpoint makes an endpoint charged here; map, unmap and protect change the
// caller's own regions (vm/mappings.ts), map's pages charged here as they are touched; share
// makes a shared memory object whose pages are charged here while it or a mapping lives. Holders
// share the quota. Decode checks quota, range, slots and free frames and reserves the slots, so
// invoke cannot fail.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { USER_LINEAR_BASE } from "../../abi/layout";
import { ENDPOINT_PAGES, GROW_PAGES_MAXIMUM, MemoryAccess, MemoryMethod } from "../../abi/methods";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { MakesCapability } from "../cap/makes-capability";
import { Request } from "../cap/request";
import { Pool } from "../collections/pool";
import { framesFree } from "../memory/frames";
import { PAGE_SIZE } from "../memory/page-table";
import { instanceBytes } from "../memory/heap-cost";
import { heapBudget, heapFits, heapReserved, Quota } from "../memory/quota";
import { CHARGE_BYTES, Process, processSettleSpace, processSpaceGrowthBound } from "../sched/process";
import { callerThread } from "../sched/thread";
import { KernelErrorCell, UserAccess } from "../vm/address-space";
import { vmMap, vmMapCheck, vmProtect, vmProtectCheck, vmUnmap, vmUnmapCheck } from "../vm/mappings";
import { Backing } from "../vm/regions";
import { SHARED_PAGES_MAXIMUM, SharedFrames } from "../vm/shared-frames";
import { SHARED_MEMORY_BYTES, SharedMemoryObject } from "./shared-memory";
import { ENDPOINT_BYTES, EndpointObject } from "./endpoint";

/** wasm32's whole address space: linear memory never grows past it (half of
 * USER_LINEAR_RESERVED, so any u32 offset past its end still faults). */
const LINEAR_MAXIMUM: u64 = 0x1_0000_0000;

export class MemoryObject extends KernelObject {
  /** `parent`: the quota this one is split from, which lends it `limit` pages until it goes. */
  readonly quota: Quota;

  constructor(limit: u64, parent: Quota | null = null) {
    super(Interface.Memory);
    this.quota = new Quota(limit, parent);
  }

  /** The quota lives on while charges hold it (memory/quota.ts). */
  destroy(): void {
    this.quota.release();
  }

  /** Pages charged to this capability's quota. */
  get used(): u64 { return this.quota.used; }

  decodeCall(request: Request): Invocation | null {
    const method = request.method;
    const process = callerThread(request).process;
    const quota = this.quota;
    if (method == MemoryMethod.Info) return state.info;
    if (method == MemoryMethod.Kernel) return state.kernel;
    if (method == MemoryMethod.Endpoint || method == MemoryMethod.Split) {
      const pages = method == MemoryMethod.Endpoint ? ENDPOINT_PAGES : request.argument0;
      if (pages == 0) return request.refuse(KernelError.InvalidArgument);
      const made = state.makes.take();
      let error = made.reserveIn(process.table);
      if (error != KernelError.None) {
        state.makes.give(made);
        return request.refuse(error);
      }
      // An endpoint's pages cover its records, which the heap budget must hold too; a split's
      // records are charged to the caller's account, the pages it is lent here.
      if (pages > quota.available) error = KernelError.QuotaExceeded;
      else if (method == MemoryMethod.Endpoint) error = heapFits(ENDPOINT_BYTES) ? KernelError.None : KernelError.OutOfMemory;
      else if (process.account === quota) error = quota.kernelFits(SPLIT_BYTES, pages);
      else error = process.account.kernelFits(SPLIT_BYTES);
      if (error != KernelError.None) {
        made.rollback();
        return request.refuse(error);
      }
      made.pages = pages;
      return made;
    }
    if (method == MemoryMethod.Map || method == MemoryMethod.Unmap || method == MemoryMethod.Protect) return decodeChange(request, process);
    if (method == MemoryMethod.Share) return decodeShare(request, process, quota);
    if (method != MemoryMethod.Grow) return request.refuse(KernelError.UnknownMethod);
    const pages = request.argument0;
    if (pages == 0 || pages > LINEAR_MAXIMUM / PAGE_SIZE) return request.refuse(KernelError.InvalidArgument);
    if (pages > quota.available) return request.refuse(KernelError.QuotaExceeded);
    // The manifest caps what the program may map in all, whatever quota it was lent.
    if (pages > <u64>process.program.policy.memoryQuotaPages - process.pagesCharged) return request.refuse(KernelError.QuotaExceeded);
    if (process.linearEnd + pages * PAGE_SIZE > LINEAR_MAXIMUM) return request.refuse(KernelError.OutOfRange);
    // Bounded work per entry: a larger growth is several calls.
    if (pages > GROW_PAGES_MAXIMUM) return request.refuse(KernelError.InvalidArgument);
    // The tables a run of `pages` can need from any start: two more than it spans of each level
    // (page tables per 512 pages, directories per 2^18, PDPTs per 2^27): it may cross a boundary.
    const tables = pages / 512 + pages / (1 << 18) + pages / (1 << 27) + 6;
    // The pages to this quota; the tables, what the space's lists grow by, and a charge record
    // the first time, to the process's account, which may be the same quota.
    const account = process.account;
    const bytes = processSpaceGrowthBound(process) + (process.chargeFor(quota) === null ? CHARGE_BYTES : 0);
    const error = account === quota ? quota.kernelFits(bytes, pages + tables) : account.kernelFits(bytes, tables);
    if (error != KernelError.None) return request.refuse(error);
    if (framesFree() < pages + tables) return request.refuse(KernelError.OutOfMemory);
    return state.grow;
  }
}

/** info(): holds nothing. */
class Info extends Invocation {
  invoke(request: Request): void {
    const quota = changetype<MemoryObject>(request.object).quota;
    request.complete(<i64>quota.used, quota.limit);
  }
}

/** kernel(): holds nothing. */
class Kernel extends Invocation {
  invoke(request: Request): void {
    const quota = changetype<MemoryObject>(request.object).quota;
    request.complete(<i64>quota.kernelBytes, heapBudget() - heapReserved());
  }
}

/** grow(pages): holds nothing; decode counted the frames, and nothing runs in between. */
class Grow extends Invocation {
  invoke(request: Request): void {
    const process: Process = callerThread(request).process;
    const object = changetype<MemoryObject>(request.object);
    const pages = request.argument0;
    const previous = process.linearEnd;
    const error = new KernelErrorCell();
    for (let i: u64 = 0; i < pages; i++) {
      if (process.space.mapNew(USER_LINEAR_BASE + previous + i * PAGE_SIZE, UserAccess.ReadWrite, error) == 0) {
        abort("Memory.grow: a page decode counted was not mapped");
      }
    }
    process.linearEnd = previous + pages * PAGE_SIZE;
    process.space.addRegion(USER_LINEAR_BASE + previous, USER_LINEAR_BASE + process.linearEnd, UserAccess.ReadWrite, Backing.Fixed);
    process.charge(object.quota, pages);
    processSettleSpace(process);
    request.complete(<i64>previous, 0);
  }
}

/** map, unmap and protect: the range, checked whole before anything changes (vm/mappings.ts),
 * and the account able to pay for the regions the change can add. */
function decodeChange(request: Request, process: Process): Invocation | null {
  const method = request.method, space = process.space;
  const start = request.argument0, pages = request.argument1, access = <i32>request.argument2;
  if (request.argument2 > <u64>MemoryAccess.ReadExecute) return request.refuse(KernelError.InvalidArgument);
  let error: KernelError;
  const growPages = method == MemoryMethod.Map ? request.argument3 : 0;
  if (method == MemoryMethod.Map) error = vmMapCheck(space, start, pages, access, growPages);
  else if (method == MemoryMethod.Unmap) error = vmUnmapCheck(space, start, pages);
  else error = vmProtectCheck(space, start, pages, access);
  // The runtime's and the program's own ranges (the loader's layout) are not the process's to change.
  if (error == KernelError.None && process.program.layout.reserves(start - growPages * PAGE_SIZE, start + pages * PAGE_SIZE)) error = KernelError.NotPermitted;
  if (error == KernelError.None) error = process.account.kernelFits(processSpaceGrowthBound(process));
  if (error != KernelError.None) return request.refuse(error);
  return state.change;
}

/** map, unmap and protect, checked by decodeChange. */
class Change extends Invocation {
  invoke(request: Request): void {
    const process: Process = callerThread(request).process;
    const space = process.space;
    const start = request.argument0, pages = request.argument1, access = <i32>request.argument2;
    const method = request.method;
    if (method == MemoryMethod.Map) vmMap(space, start, pages, access, changetype<MemoryObject>(request.object).quota, request.argument3);
    else if (method == MemoryMethod.Unmap) vmUnmap(space, start, pages);
    else vmProtect(space, start, pages, access);
    processSettleSpace(process);
    request.complete(0, 0);
  }
}

/** share(pages): the pages (to this quota), the object's record (to the caller's account), the
 * frames, and the slot for the new SharedMemory capability. */
function decodeShare(request: Request, process: Process, quota: Quota): Invocation | null {
  const pages = request.argument0;
  if (pages == 0 || pages > SHARED_PAGES_MAXIMUM) return request.refuse(KernelError.InvalidArgument);
  const made = state.makes.take();
  let error = made.reserveIn(process.table);
  if (error != KernelError.None) {
    state.makes.give(made);
    return request.refuse(error);
  }
  if (process.account === quota) error = quota.kernelFits(SHARED_MEMORY_BYTES, pages);
  else {
    error = pages > quota.available ? KernelError.QuotaExceeded : KernelError.None;
    if (error == KernelError.None) error = process.account.kernelFits(SHARED_MEMORY_BYTES);
  }
  if (error == KernelError.None && framesFree() < pages) error = KernelError.OutOfMemory;
  if (error != KernelError.None) {
    made.rollback();
    return request.refuse(error);
  }
  made.pages = pages;
  return made;
}

/** split(pages), endpoint() and share(pages): the pages and the slot reserved for the new capability. */
class Make extends MakesCapability {
  next: Make | null = null;
  pages: u64 = 0;

  invoke(request: Request): void {
    const quota = changetype<MemoryObject>(request.object).quota;
    if (request.method == MemoryMethod.Split) {
      quota.charge(this.pages);   // lent to the new quota until it goes
      const split = new MemoryObject(this.pages, quota);
      split.chargeTo(callerThread(request).process.account, SPLIT_BYTES);
      this.deliver(request, split, 0);
    } else if (request.method == MemoryMethod.Share) {
      const frames = SharedFrames.create(this.pages, quota);
      if (frames === null) abort("Memory.share: frames decode counted ran out");
      const shared = new SharedMemoryObject(frames!);
      shared.chargeTo(callerThread(request).process.account, SHARED_MEMORY_BYTES);
      this.deliver(request, shared, 0);
    } else {
      this.deliver(request, new EndpointObject(quota, this.pages), 0);
    }
  }

  protected recycle(): void {
    state.makes.give(this);
  }
}

class MemoryState {
  readonly info: Info = new Info();
  readonly kernel: Kernel = new Kernel();
  readonly grow: Grow = new Grow();
  readonly change: Change = new Change();
  makes: Pool<Make> = new Pool<Make>(4);
}
const state = new MemoryState();

/** Heap bytes of a split-off Memory object and its quota, charged to the account of the process
 * that split it. */
const SPLIT_BYTES: u64 = instanceBytes<MemoryObject>() + instanceBytes<Quota>();
