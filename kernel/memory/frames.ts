// The kernel's one frame allocator (frame-allocator.ts), made at boot. Excluded from it: the
// first 16 MiB (the first megabyte is kept for real-mode SMP trampolines; and under QEMU's TCG
// firmware and GRUB code ran below 16 MiB, and a page that still holds translated code keeps
// every store to it on TCG's slow self-modifying-code path: docs/PERFORMANCE.md, "Low memory
// under TCG"; below 16 MiB only the kernel image and a few free MiB lie anyway), the kernel image, the
// AssemblyScript heap range, the boot information, boot modules, and every byte the direct map
// does not cover (so a frame is always reachable as linear memory; the memory plan may leave
// partly-RAM chunks unmapped). Its bitmap lives above the heap range.
//
// Every frame handed out carries a reference count (a u32 per frame below the allocator's limit,
// in frames taken at boot, not cleared: a count is set when its frame is allocated): 1 when allocated; each further holder (an address space sharing it
// copy-on-write, a mapping of a boot program's read-only page beside the boot package's own
// reference) retains it, and the last release frees it.

import { readControlRegister } from "../arch/hw";
import { BootInformation } from "../boot/multiboot2";
import { KernelError, kernelErrorName } from "../../abi/errors";
import { logEnd, LogLevel, logLine } from "../log/log";
import { DIRECT_MAP_LIMIT, KERNEL_HEAP_END, KERNEL_HEAP_START, KERNEL_PHYS_BASE } from "../arch/layout";
import { FRAME_SIZE, FrameAllocator } from "./frame-allocator";
import { directMapRuns, imageLayout } from "./kernel-space";
import { PhysicalRange } from "./physical-range";

/** Frames start here: see above. */
const LOW_MEMORY_END: u64 = 0x100_0000;

class FramesState {
  allocator: FrameAllocator | null = null;
  exclusions: PhysicalRange[] = [];
  mappedEnd: u64 = 0;   // end of the previous direct-map run, while collecting gaps
  storage: usize = 0;
  storageBytes: u32 = 0;
  /** The reference counts: a u32 per frame number below `limit`. */
  counts: usize = 0;
  limit: u64 = 0;
}
const state = new FramesState();

function addGapBefore(start: u64, end: u64): void {
  if (start > state.mappedEnd) state.exclusions.push(new PhysicalRange(state.mappedEnd, start));
  state.mappedEnd = end;
}

/** Makes the allocator and logs what it manages; no frames is a boot failure (panic). The kernel
 * heap range ends at `heapEnd` (sized from RAM at boot: arch/x86_64/memory_plan.h). */
export function framesInit(information: BootInformation, informationAddress: usize, heapEnd: u64 = <u64>KERNEL_HEAP_END): void {
  const error = framesCreate(information, informationAddress, heapEnd);
  const allocator = state.allocator;
  if (error != KernelError.None || allocator === null) {
    logLine(LogLevel.Error).text("memory: no frame allocator: ").text(kernelErrorName(error));
    logEnd();
    abort("framesInit: the frame allocator could not be made");
    return;
  }
  logLine().text("memory: ").decimal(allocator.freeFrames).text(" frames free (").decimal(<u64>allocator.freeFrames * FRAME_SIZE >> 20)
    .text(" MiB) below 4 GiB, bitmap ").decimal(state.storageBytes >> 10).text(" KiB at ").hex(state.storage);
  logEnd();
  if (allocator.framesAbove4G != 0) {
    logLine().text("memory: ").decimal(allocator.framesAbove4G * FRAME_SIZE >> 20).text(" MiB above 4 GiB ignored (policy: not mapped, not allocated)");
    logEnd();
  }
}

function framesCreate(information: BootInformation, informationAddress: usize, heapEnd: u64): KernelError {
  const layout = imageLayout();
  const exclusions = state.exclusions;
  exclusions.push(new PhysicalRange(0, LOW_MEMORY_END));
  exclusions.push(new PhysicalRange(<u64>KERNEL_PHYS_BASE, layout.imageEnd - layout.virtualOffset));
  exclusions.push(new PhysicalRange(<u64>KERNEL_HEAP_START, heapEnd));
  exclusions.push(PhysicalRange.sized(<u64>informationAddress, <u64>load<u32>(informationAddress)));
  for (let i = 0; i < information.modules.length; i++) {
    const module = information.modules[i];
    if (module.end > module.start) exclusions.push(new PhysicalRange(<u64>module.start, <u64>module.end));
  }
  directMapRuns(readControlRegister(3), addGapBefore);
  if (state.mappedEnd < DIRECT_MAP_LIMIT) exclusions.push(new PhysicalRange(state.mappedEnd, DIRECT_MAP_LIMIT));

  const storage = FrameAllocator.findStorage(information.memoryMap, exclusions, heapEnd);
  if (storage == 0) return KernelError.OutOfMemory;
  const error = FrameAllocator.check(information.memoryMap, exclusions, storage);
  if (error != KernelError.None) return error;
  state.allocator = FrameAllocator.create(information.memoryMap, exclusions, storage);
  state.storage = storage;
  state.storageBytes = FrameAllocator.storageBytes(information.memoryMap);
  const allocator = state.allocator;
  if (allocator === null) return KernelError.InvalidArgument;
  const limit = allocator.frameLimit;
  const counts = allocator.allocateContiguous(<u32>((limit * 4 + FRAME_SIZE - 1) / FRAME_SIZE), 1);
  if (counts == 0) return KernelError.OutOfMemory;
  // Not cleared: a count means something only while its frame is allocated (allocation sets it
  // to 1, the last release to 0); clearing 4 bytes a frame cost init about 10 % more instructions.
  state.counts = <usize>counts;
  state.limit = limit;
  return KernelError.None;
}

export function frameAllocator(): FrameAllocator | null {
  return state.allocator;
}

/** A zeroed 4 KiB frame held once, or 0 when none is left (or before framesInit). */
export function frameAllocateZeroed(): u64 {
  const allocator = state.allocator;
  if (allocator === null) return 0;
  const frame = allocator.allocate();
  if (frame == 0) return 0;
  memory.fill(<usize>frame, 0, <usize>FRAME_SIZE);
  store<u32>(countOf(frame), 1);
  return frame;
}

/** Where `frame`'s count is; a frame this allocator never handed out is a kernel bug (panic). */
@inline function countOf(frame: u64): usize {
  if ((frame >> 12) >= state.limit) abort("frames: not a managed frame");
  return state.counts + (<usize>(frame >> 12) << 2);
}

/** The references `frame` has (meaningful while it is allocated). */
export function frameReferences(frame: u64): u32 {
  return load<u32>(countOf(frame));
}

/** One more holder of `frame`, which must be allocated. */
export function frameRetain(frame: u64): void {
  const count = countOf(frame);
  const references = load<u32>(count);
  if (references == 0) abort("frameRetain: frame not allocated");
  store<u32>(count, references + 1);
}

/** Drops one reference to `frame`; the last frees it (returns true then). A frame not allocated is
 * a kernel bug (panic). */
export function frameRelease(frame: u64): bool {
  const count = countOf(frame);
  const references = load<u32>(count);
  if (references == 0) abort("frameRelease: frame not allocated");
  store<u32>(count, references - 1);
  if (references != 1) return false;
  const allocator = state.allocator;
  if (allocator === null || allocator.free(frame) != KernelError.None) abort("frameRelease: frame not allocated");
  return true;
}

/** Returns a frame held once to the allocator; any other count is a kernel bug (panic). */
export function frameFree(frame: u64): void {
  if (frameReferences(frame) != 1) abort("frameFree: frame not held exactly once");
  frameRelease(frame);
}

/** Frames free right now (0 before framesInit). */
export function framesFree(): u64 {
  const allocator = state.allocator;
  return allocator !== null ? <u64>allocator.freeFrames : 0;
}
