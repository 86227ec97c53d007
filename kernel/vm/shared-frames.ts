// The frames of a shared memory object (objects/shared-memory.ts): allocated zeroed when it is
// made, charged to the quota of the Memory capability that made it, and mapped into any space
// that maps the object, as the same frames (regions.ts, Backing.Shared: never copy-on-write).
// Held by the object and by every region that maps it; the last release frees the frames (a
// frame a space still maps lives on until that space lets it go) and returns the charge.

import { SHARED_PAGES_MAXIMUM as SHARED_PAGES_ABI_MAXIMUM } from "../../abi/methods";
import { frameAllocateZeroed, frameRelease } from "../memory/frames";
import { instanceBytes, staticArrayBytes } from "../memory/heap-cost";
import { Quota } from "../memory/quota";

/** Pages one shared memory object has at most: mapping it maps them all in one entry. */
export const SHARED_PAGES_MAXIMUM: u64 = SHARED_PAGES_ABI_MAXIMUM;

export class SharedFrames {
  private references: u32 = 1;

  /** `frames` zeroed frames, `quota` charged for them and for `listBytes` of kernel heap (the
   * caller checked both). */
  private constructor(readonly frames: StaticArray<u64>, readonly quota: Quota, readonly listBytes: u64) {
    quota.retain();
    quota.charge(<u64>frames.length);
    if (listBytes != 0) quota.chargeKernel(listBytes);
  }

  /** Kernel heap bytes of the record and list of `pages` frames. */
  static listBytesFor(pages: u64): u64 {
    return instanceBytes<SharedFrames>() + staticArrayBytes<u64>(<i32>pages);
  }

  /** `pages` zeroed frames charged to `quota` (with `chargeList`, their record and list too, as
   * kernel heap: for a maker whose account does not pay for them), held once; null when frames
   * ran out (none kept). The caller checked that the quota can pay (kernelFits). */
  static create(pages: u64, quota: Quota, chargeList: bool = false): SharedFrames | null {
    const frames = new StaticArray<u64>(<i32>pages);
    for (let i = 0; i < <i32>pages; i++) {
      const frame = frameAllocateZeroed();
      if (frame == 0) {
        for (let j = 0; j < i; j++) frameRelease(frames[j]);
        return null;
      }
      frames[i] = frame;
    }
    return new SharedFrames(frames, quota, chargeList ? SharedFrames.listBytesFor(pages) : 0);
  }

  get pages(): u64 { return <u64>this.frames.length; }

  retain(): void {
    if (this.references == 0) abort("SharedFrames.retain: already freed");
    this.references++;
  }

  /** The last release frees the frames (each lives on while a space maps it) and the charge. */
  release(): void {
    if (this.references == 0) abort("SharedFrames.release: no reference left");
    if (--this.references != 0) return;
    const frames = this.frames;
    for (let i = 0; i < frames.length; i++) frameRelease(unchecked(frames[i]));
    this.quota.uncharge(<u64>frames.length);
    if (this.listBytes != 0) this.quota.unchargeKernel(this.listBytes);
    this.quota.release();
  }
}
