// A range of physical addresses the kernel keeps for itself (its image, the heap range, boot
// modules, the boot information): the frame allocator's exclusions. Pure, so host tests build
// them freely; kernel/memory/frame-allocator.ts reads them.

/** Physical bytes [start, end). `end` is exclusive; start == end is empty; end < start is
 * invalid (FrameAllocator.check reports InvalidArgument). */
export class PhysicalRange {
  constructor(public start: u64, public end: u64) {}

  /** The range of `length` bytes from `start`; the end saturates at 2^64 - 1 instead of wrapping. */
  static sized(start: u64, length: u64): PhysicalRange {
    const end = start + length;
    return new PhysicalRange(start, end < start ? U64.MAX_VALUE : end);
  }
}
