// The MMIO window: device registers at any 64-bit physical address, mapped uncached (PCD and
// PWT set, no-execute) into a dedicated range of the kernel half (MMIO_WINDOW_BASE, layout.h)
// and then reached only through hw.mmioRead32/mmioWrite32/mmioCopy, never with plain loads
// (docs/DESIGN.md #4). A framebuffer is mapped write-combining instead (PAT entry 1, pat.ts):
// the CPU then merges its stores into bursts, which is what makes drawing fast on a real PC.
// Virtual space is handed out upwards and never reused; devices map their registers once.

import { invalidatePage } from "../arch/hw";
import { KernelError } from "../../abi/errors";
import { MMIO_WINDOW_BASE, MMIO_WINDOW_SIZE } from "../arch/layout";
import { kernelGlobalFlag, kernelPml4, noExecuteFlag } from "./kernel-space";
import { patWriteCombining, patWriteCombiningFlags } from "./pat";
import { mapPage, PAGE_CACHE_DISABLE, PAGE_SIZE, PAGE_WRITABLE, PAGE_WRITE_THROUGH } from "./page-table";

const MAXIMUM_MAPPING: u64 = 64 << 20;

/** How a mapping is cached. */
export enum Caching {
  /** Device registers: every access reaches the device, in order (PCD and PWT). */
  Uncached = 0,
  /** Frame buffers: stores merged into bursts, never read back (PAT entry 1); uncached when
   * the CPU has no PAT. */
  WriteCombining = 1,
}

class MmioState {
  next: u64 = MMIO_WINDOW_BASE;
  lastError: KernelError = KernelError.None;
}
const state = new MmioState();

/** Maps `size` bytes of device memory at `physical`; returns the virtual address of
 * `physical`, or 0 with mmioLastError() set (InvalidArgument, OutOfRange, OutOfMemory). */
export function mmioMap(physical: u64, size: u64, caching: Caching = Caching.Uncached): u64 {
  if (size == 0 || size > MAXIMUM_MAPPING || physical + size < physical || physical >= (<u64>1 << 52)) {
    state.lastError = KernelError.InvalidArgument;
    return 0;
  }
  const first = physical & ~(PAGE_SIZE - 1);
  const pages = (physical + size - first + PAGE_SIZE - 1) / PAGE_SIZE;
  if (state.next + pages * PAGE_SIZE > MMIO_WINDOW_BASE + MMIO_WINDOW_SIZE) {
    state.lastError = KernelError.OutOfRange;
    return 0;
  }
  const base = state.next;
  const cacheFlags = caching == Caching.WriteCombining && patWriteCombining() ? patWriteCombiningFlags()
    : PAGE_CACHE_DISABLE | PAGE_WRITE_THROUGH;
  const flags = PAGE_WRITABLE | cacheFlags | noExecuteFlag() | kernelGlobalFlag();
  for (let page: u64 = 0; page < pages; page++) {
    const error = mapPage(kernelPml4(), base + page * PAGE_SIZE, first + page * PAGE_SIZE, flags);
    if (error != KernelError.None) {
      state.lastError = error;
      return 0;
    }
    invalidatePage(base + page * PAGE_SIZE);
  }
  state.next = base + pages * PAGE_SIZE + PAGE_SIZE; // an unmapped page between mappings
  return base + (physical - first);
}

export function mmioLastError(): KernelError {
  return state.lastError;
}
