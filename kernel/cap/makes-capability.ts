// An invocation whose result is a new capability: decode reserves a slot for it in the caller's
// table (reserveIn), invoke commits the new object there and completes with its handle
// (deliver), rollback gives the slot back. Subclasses hold their other reservations and return
// themselves to their pool in recycle().

import { KernelError } from "../../abi/errors";
import { CapabilityTable } from "./capability-table";
import { Invocation } from "./invocation";
import { KernelObject } from "./kernel-object";
import { Request } from "./request";

export abstract class MakesCapability extends Invocation {
  private table: CapabilityTable | null = null;
  private slot: i32 = -1;

  /** Reserves the slot in `table`: None, or why not (TableFull, or the table's account refused to
   * pay for growth: QuotaExceeded, OutOfMemory); nothing is reserved then. */
  reserveIn(table: CapabilityTable): KernelError {
    const slot = table.reserve();
    if (slot < 0) return table.lastError;
    this.table = table;
    this.slot = slot;
    return KernelError.None;
  }

  /** Commits `object` into the reserved slot, recycles the record and completes the entry with
   * the new handle and `value`. */
  protected deliver(request: Request, object: KernelObject, value: u64): void {
    const handle = this.table!.commit(this.slot, object);
    this.release();
    request.complete(<i64>handle, value);
  }

  rollback(): void {
    if (this.table !== null) this.table!.cancel(this.slot);
    this.release();
  }

  private release(): void {
    this.table = null;
    this.slot = -1;
    this.recycle();
  }

  /** Clears the subclass's own fields and gives the record back to its pool. */
  protected abstract recycle(): void;
}
