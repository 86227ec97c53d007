// Memory client: the quota behind this process's linear memory (docs/abi/interfaces/memory.md).
// Growth itself happens in the C runtime when the heap asks for it (userspace/rt/c/runtime.c).

import { Interface } from "../../kernel/cap/interface";
import { MemoryMethod } from "../../kernel/cap/methods";
import { Opcode } from "../../kernel/cap/ring-layout";
import { grant, lastCompletion, ringCall } from "./ring";

export class Memory {
  constructor(readonly handle: u32) {}

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
    return lastCompletion().value;
  }

  /** Maps `pages` more 4 KiB pages at the end of linear memory: the previous end, or
   * -KernelError. Only for programs that manage memory themselves; the heap grows on its own. */
  grow(pages: u64): i64 {
    return ringCall(Opcode.Call, this.handle, MemoryMethod.Grow, pages);
  }
}
