// The physical memory the ACPI parsers may read: a few [start, end) ranges below 4 GiB given by
// the caller (the kernel: the ranges its memory plan mapped; host tests: a scratch area). A
// table is read only when one range covers all of it, so a corrupt address or length refuses
// the table instead of faulting on an unmapped page. Also the two byte readers the parsers share.

import { KernelError } from "../../abi/errors";
import { DIRECT_MAP_LIMIT } from "../arch/layout";

/** The kernel maps physical memory below 4 GiB only (docs/ARCHITECTURE.md, "The memory model"). */
export const FOUR_GIB: u64 = DIRECT_MAP_LIMIT;
@inline const MAXIMUM_RANGES: i32 = 64;

export class ReadableMemory {
  private starts: u64[] = [];
  private ends: u64[] = [];

  /** Adds [start, end); ranges that touch or overlap are merged, so a table may straddle two
   * adjacent additions. InvalidArgument for an empty or reversed range or one past 4 GiB;
   * OutOfRange when MAXIMUM_RANGES separate ranges are already held. */
  add(start: u64, end: u64): KernelError {
    if (start >= end || end > FOUR_GIB) return KernelError.InvalidArgument;
    let i = 0;
    while (i < this.starts.length) {
      const otherStart = this.starts[i];
      const otherEnd = this.ends[i];
      if (otherStart <= end && start <= otherEnd) {
        if (otherStart < start) start = otherStart;
        if (otherEnd > end) end = otherEnd;
        // Remove range i (the last one takes its place) and look again from the beginning.
        this.starts[i] = this.starts[this.starts.length - 1];
        this.ends[i] = this.ends[this.ends.length - 1];
        this.starts.pop();
        this.ends.pop();
        i = 0;
      } else {
        i++;
      }
    }
    if (this.starts.length >= MAXIMUM_RANGES) return KernelError.OutOfRange;
    this.starts.push(start);
    this.ends.push(end);
    return KernelError.None;
  }

  /** True when one range holds every byte of [address, address + length). Never overflows:
   * address and length are compared against each range's end separately. */
  covers(address: u64, length: u64): bool {
    for (let i = 0; i < this.starts.length; i++) {
      const end = this.ends[i];
      if (address >= this.starts[i] && address <= end && length <= end - address) return true;
    }
    return false;
  }
}

/** The sum of `length` bytes modulo 256 (ACPI checksums make it 0). The caller has checked that
 * the bytes are readable. */
export function byteSum(address: usize, length: usize): u8 {
  let sum: u32 = 0;
  for (let i: usize = 0; i < length; i++) sum += load<u8>(address + i);
  return <u8>sum;
}

/** `count` bytes of a fixed-width identifier (OEM ID, signature) as printable ASCII: any other
 * byte becomes '?', so a firmware string cannot forge a log line. */
export function asciiText(address: usize, count: usize): string {
  let text = "";
  for (let i: usize = 0; i < count; i++) {
    const byte = load<u8>(address + i);
    text += String.fromCharCode(byte >= 0x20 && byte < 0x7f ? byte : 0x3f);
  }
  return text;
}
