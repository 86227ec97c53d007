// Memory client: the quota behind this process's linear memory (docs/abi/interfaces/memory.md).
// Growth itself happens in the C runtime when the heap asks for it (userspace/rt/c/runtime.c).

import { Interface } from "../../abi/interfaces";
import { GROW_PAGES_MAXIMUM, MemoryAccess, MemoryMethod, SharedMemoryMethod } from "../../abi/methods";
import { Opcode } from "../../abi/ring";
import { grant, lastValue, ringCall } from "./ring";

export class Memory {
  constructor(readonly handle: u64) {}

  static granted(): Memory | null {
    const handle = grant(Interface.Memory);
    return handle != 0 ? new Memory(handle) : null;
  }

  /** Pages in use against the quota, or -KernelError; quotaPages() then holds the quota. */
  usedPages(): i64 {
    return ringCall(Opcode.Call, this.handle, MemoryMethod.Info);
  }

  /** The quota seen by the last usedPages(). */
  quotaPages(): u64 {
    return lastValue();
  }

  /** Kernel heap bytes charged to the quota, or -KernelError; heapBudgetLeft() then holds what
   * every quota may still reserve in all. */
  kernelBytes(): i64 {
    return ringCall(Opcode.Call, this.handle, MemoryMethod.Kernel);
  }

  /** The heap budget left, as seen by the last kernelBytes(). */
  heapBudgetLeft(): u64 {
    return lastValue();
  }

  /** A new Memory capability whose quota is `pages` carved out of this one: what to give a child
   * that should get less than this process holds. Null on failure (-KernelError in lastError). */
  split(pages: u64): Memory | null {
    const result = ringCall(Opcode.Call, this.handle, MemoryMethod.Split, pages);
    if (result < 0) {
      this.lastError = result;
      return null;
    }
    return new Memory(<u64>result);
  }

  /** The error of the last failed split. */
  lastError: i64 = 0;

  /** Drops this capability: 0 or -KernelError. */
  release(): i64 {
    return ringCall(Opcode.Release, this.handle, 0);
  }

  /** Maps `pages` more 4 KiB pages at the end of linear memory, GROW_PAGES_MAXIMUM a call: the
   * previous end, or -KernelError (what was mapped before a refusal stays mapped). Only for
   * programs that manage memory themselves, and it bypasses the wasm memory's own size: the heap
   * grows on its own. */
  grow(pages: u64): i64 {
    let first: i64 = -1;
    while (pages > 0) {
      const chunk = min(pages, GROW_PAGES_MAXIMUM);
      const previous = ringCall(Opcode.Call, this.handle, MemoryMethod.Grow, chunk);
      if (previous < 0) return previous;
      if (first < 0) first = previous;
      pages -= chunk;
    }
    return first;
  }

  /** A new region of `pages` pages at user address `address` (page-aligned, outside the
   * runtime's own ranges), zero-filled on first touch, each page charged to this quota when
   * touched: 0 or -KernelError. Its bytes are reached with native loads and stores (they lie
   * outside the wasm linear memory). With `growPages`, a touch up to that many pages below it
   * extends it down (a stack). */
  map(address: u64, pages: u64, access: MemoryAccess, growPages: u64 = 0): i64 {
    return ringCall(Opcode.Call, this.handle, MemoryMethod.Map, address, pages, <u64>access, growPages);
  }

  /** Takes the regions map made in [address, address + pages * 4096) out: 0 or -KernelError. */
  unmap(address: u64, pages: u64): i64 {
    return ringCall(Opcode.Call, this.handle, MemoryMethod.Unmap, address, pages);
  }

  /** Gives [address, address + pages * 4096), which regions must cover, `access`: 0 or -KernelError. */
  protect(address: u64, pages: u64, access: MemoryAccess): i64 {
    return ringCall(Opcode.Call, this.handle, MemoryMethod.Protect, address, pages, <u64>access);
  }

  /** A new SharedMemory object of `pages` zeroed pages charged to this quota, or null
   * (-KernelError in lastError). */
  share(pages: u64): SharedMemory | null {
    const result = ringCall(Opcode.Call, this.handle, MemoryMethod.Share, pages);
    if (result < 0) {
      this.lastError = result;
      return null;
    }
    return new SharedMemory(<u64>result);
  }
}

/** Pages several processes map as the same frames (docs/abi/interfaces/shared-memory.md). */
export class SharedMemory {
  constructor(readonly handle: u64) {}

  /** Maps all of it at `address` in this process: 0 or -KernelError. Its bytes are reached with
   * native loads and stores; Memory.unmap and Memory.protect change the mapping. */
  map(address: u64, access: MemoryAccess): i64 {
    return ringCall(Opcode.Call, this.handle, SharedMemoryMethod.Map, address, <u64>access);
  }

  /** Its pages, or -KernelError. */
  pages(): i64 {
    return ringCall(Opcode.Call, this.handle, SharedMemoryMethod.Info);
  }

  /** Drops this capability (mappings stay): 0 or -KernelError. */
  release(): i64 {
    return ringCall(Opcode.Release, this.handle, 0);
  }
}
