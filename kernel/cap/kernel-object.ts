// The base class of every kernel object a capability can name (objects/: one file per
// interface): its interface, a reference count, and the decode steps dispatch.ts calls. The
// capability tables (capability-table.ts) and kernel holders retain and release it; the last
// release destroys it. An object made at a process's request carries the charge for its heap
// bytes (memory/quota.ts) and gives it back when destroyed. Per-interface live counters let tests
// and self-tests find leaks.

import { KernelError } from "../../abi/errors";
import { Interface, INTERFACE_COUNT } from "../../abi/interfaces";
import { Quota } from "../memory/quota";
import { Invocation } from "./invocation";
import { Request } from "./request";

class KernelObjectState {
  /** Objects constructed and not yet destroyed, indexed by interface value. */
  live: StaticArray<i32> = new StaticArray<i32>(INTERFACE_COUNT);
}
const state = new KernelObjectState();

/** How many objects of `iface` exist (constructed, not yet destroyed); 0 for a value outside
 * the enum. */
export function liveObjects(iface: Interface): i32 {
  if (<u32>iface >= <u32>INTERFACE_COUNT) return 0;
  return unchecked(state.live[iface]);
}

/** A reference-counted kernel object. Contract: whoever stores a pointer to it (a capability
 * table entry, a kernel structure) calls retain() once and release() once; the release that
 * brings the count to zero calls destroy(), exactly once, and the object must not be retained
 * again after that. An object that is constructed and never retained stays counted as live:
 * drop it with retain() then release(). */
export class KernelObject {
  /** What the object is; fixed for its lifetime. Never Interface.None. */
  readonly iface: Interface;
  /** Capability-table entries and kernel holders pointing at it. */
  references: u32 = 0;
  private destroyed: bool = false;
  /** The quota paying for the object's heap bytes, and how many (chargeTo). */
  private chargedTo: Quota | null = null;
  private chargedBytes: u64 = 0;

  /** Counts the object under `iface`; `iface` must be a real interface (a kernel bug if not). */
  constructor(iface: Interface) {
    if (iface == Interface.None || <u32>iface >= <u32>INTERFACE_COUNT) {
      abort("KernelObject: constructed with no valid interface");
    }
    this.iface = iface;
    unchecked(state.live[iface]++);
  }

  /** Adds one reference. Retaining a destroyed object is a kernel bug (aborts). */
  retain(): void {
    if (this.destroyed) abort("KernelObject.retain: object already destroyed");
    this.references++;
  }

  /** Drops one reference; the last one destroys the object and uncounts it. Releasing an object
   * that holds no reference is a kernel bug (aborts). */
  release(): void {
    if (this.references == 0) abort("KernelObject.release: no reference left to release");
    this.references--;
    if (this.references != 0) return;
    this.destroyed = true;
    unchecked(state.live[this.iface]--);
    this.destroy();
    const quota = this.chargedTo;
    if (quota === null) return;
    this.chargedTo = null;
    quota.unchargeKernel(this.chargedBytes);
    quota.release();
  }

  /** Charges `bytes` of kernel heap to `quota` until the object is destroyed; once, by its maker,
   * which checked quota.kernelFits(bytes). */
  chargeTo(quota: Quota, bytes: u64): void {
    if (this.chargedTo !== null) abort("KernelObject.chargeTo: already charged");
    quota.chargeKernel(bytes);
    quota.retain();
    this.chargedTo = quota;
    this.chargedBytes = bytes;
  }

  /** Frees what the object owns (frames, queued waiters...). Called exactly once, by the last
   * release(); overridden by objects that own anything. Must not fail. */
  destroy(): void {}

  /** A CALL on this capability: checks the method, its arguments and what the capability allows,
   * reserves what invoke will need, and returns the invocation; or refuses with
   * request.refuse(error). No side effect besides the reservations the invocation holds. Every
   * interface overrides it. */
  decodeCall(request: Request): Invocation | null {
    return request.refuse(KernelError.UnknownMethod);
  }

  /** A RECV on this capability: only the owner's side of an endpoint accepts one. */
  decodeReceive(request: Request): Invocation | null {
    return request.refuse(KernelError.WrongInterface);
  }

  /** A RETURN on this capability: only the owner's side of an endpoint accepts one. */
  decodeReturn(request: Request): Invocation | null {
    return request.refuse(KernelError.WrongInterface);
  }
}
