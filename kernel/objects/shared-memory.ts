// SharedMemory: pages that several address spaces map as the same frames
// (docs/abi/interfaces/shared-memory.md). Made by Memory.share, which charges its pages to that
// Memory's quota for as long as the object or any mapping of it lives (vm/shared-frames.ts).
// map maps all of it, at once, in the caller's own space (vm/mappings.ts, a Shared region);
// unmap and protect are the caller's Memory's. A capability to it travels like any other (a
// grant, a CALL), and a fork keeps it mapped and shared.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { MemoryAccess, SharedMemoryMethod } from "../../abi/methods";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { framesFree } from "../memory/frames";
import { instanceBytes, staticArrayBytes } from "../memory/heap-cost";
import { PAGE_SIZE } from "../memory/page-table";
import { Process, processSettleSpace, processSpaceGrowthBound } from "../sched/process";
import { callerThread } from "../sched/thread";
import { vmMapShared, vmMapSharedCheck, vmMapSharedTables } from "../vm/mappings";
import { SHARED_PAGES_MAXIMUM, SharedFrames } from "../vm/shared-frames";

/** Heap bytes of a shared memory object, charged to the account of the process that made it:
 * the object, its frames' record and list (at their largest). */
export const SHARED_MEMORY_BYTES: u64 = instanceBytes<SharedMemoryObject>() + instanceBytes<SharedFrames>()
  + staticArrayBytes<u64>(<i32>SHARED_PAGES_MAXIMUM);

export class SharedMemoryObject extends KernelObject {
  constructor(readonly frames: SharedFrames) { super(Interface.SharedMemory); }

  /** The object's hold on the frames goes; mappings keep theirs. */
  destroy(): void {
    this.frames.release();
  }

  decodeCall(request: Request): Invocation | null {
    const method = request.method;
    if (method == SharedMemoryMethod.Info) return state.info;
    if (method != SharedMemoryMethod.Map) return request.refuse(KernelError.UnknownMethod);
    const process: Process = callerThread(request).process;
    const start = request.argument0;
    if (request.argument1 > <u64>MemoryAccess.ReadExecute) return request.refuse(KernelError.InvalidArgument);
    const access = <i32>request.argument1;
    let error = vmMapSharedCheck(process.space, start, this.frames, access);
    if (error == KernelError.None && process.program.layout.reserves(start, start + this.frames.pages * PAGE_SIZE)) error = KernelError.NotPermitted;
    // Its page tables, and what the region list may grow by, are the caller's account's.
    const tables = vmMapSharedTables(this.frames.pages);
    if (error == KernelError.None) error = process.account.kernelFits(processSpaceGrowthBound(process), tables);
    if (error == KernelError.None && framesFree() < tables) error = KernelError.OutOfMemory;
    if (error != KernelError.None) return request.refuse(error);
    return state.map;
  }
}

/** info(): holds nothing. */
class Info extends Invocation {
  invoke(request: Request): void {
    request.complete(<i64>changetype<SharedMemoryObject>(request.object).frames.pages, 0);
  }
}

/** map(address, access): decode checked the range, the account and the frames. */
class MapShared extends Invocation {
  invoke(request: Request): void {
    const process: Process = callerThread(request).process;
    vmMapShared(process.space, request.argument0, changetype<SharedMemoryObject>(request.object).frames, <i32>request.argument1);
    processSettleSpace(process);
    request.complete(0, 0);
  }
}

class SharedMemoryState {
  readonly info: Info = new Info();
  readonly map: MapShared = new MapShared();
}
const state = new SharedMemoryState();
