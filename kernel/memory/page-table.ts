// Four-level x86_64 page tables, edited through linear memory: table frames are below 4 GiB, so
// a table's physical address is its linear-memory address (docs/DESIGN.md #3). Used by the kernel
// address space (kernel-space.ts) and the MMIO window (mmio.ts). Intel SDM vol. 3, 4.5.
//
//   63   62..52  51..12            11..9  8  7  6  5  4    3    2  1  0
//   NX | avail | physical address | avail| G| PS| D| A| PCD| PWT| U| W| P

import { KernelError } from "../../abi/errors";
import { frameAllocateZeroed } from "./frames";

export const PAGE_PRESENT: u64 = 1 << 0;
export const PAGE_WRITABLE: u64 = 1 << 1;
export const PAGE_USER: u64 = 1 << 2;
export const PAGE_WRITE_THROUGH: u64 = 1 << 3;
export const PAGE_CACHE_DISABLE: u64 = 1 << 4;
export const PAGE_ACCESSED: u64 = 1 << 5;
export const PAGE_HUGE: u64 = 1 << 7;
export const PAGE_GLOBAL: u64 = 1 << 8;
export const PAGE_NO_EXECUTE: u64 = 1 << 63;
export const PAGE_ADDRESS_MASK: u64 = 0x000f_ffff_ffff_f000;
export const PAGE_SIZE: u64 = 4096;
export const HUGE_PAGE_SIZE: u64 = 2 << 20;
/** Flags an intermediate table entry carries: the leaf decides what is allowed. */
const TABLE_FLAGS: u64 = PAGE_PRESENT | PAGE_WRITABLE;

@inline function entryAddress(table: u64, index: u64): usize {
  return <usize>(table + (index << 3));
}

@inline export function tableIndex(virtual: u64, level: i32): u64 {
  return (virtual >> (12 + 9 * <u64>level)) & 511;
}

export function readEntry(table: u64, index: u64): u64 {
  return load<u64>(entryAddress(table, index));
}

export function writeEntry(table: u64, index: u64, entry: u64): void {
  store<u64>(entryAddress(table, index), entry);
}

/** The next-level table under entry `index`, made (zeroed) when absent and `create` is set.
 * Returns 0 when absent and not created, when no frame is left, or when the entry is a huge page. */
function nextTable(table: u64, index: u64, create: bool): u64 {
  const entry = readEntry(table, index);
  if (entry & PAGE_PRESENT) return entry & PAGE_HUGE ? 0 : entry & PAGE_ADDRESS_MASK;
  if (!create) return 0;
  const frame = frameAllocateZeroed();
  if (frame == 0) return 0;
  writeEntry(table, index, frame | TABLE_FLAGS);
  return frame;
}

/** Maps the 4 KiB page at `virtual` to `physical` with `flags` (PAGE_PRESENT implied).
 * Errors: Unaligned, AlreadyMapped, OutOfMemory (a table frame). Does not flush the TLB. */
export function mapPage(pml4: u64, virtual: u64, physical: u64, flags: u64): KernelError {
  if ((virtual | physical) & (PAGE_SIZE - 1)) return KernelError.Unaligned;
  let table = pml4;
  for (let level = 3; level > 0; level--) {
    const next = nextTable(table, tableIndex(virtual, level), true);
    if (next == 0) return readEntry(table, tableIndex(virtual, level)) & PAGE_HUGE ? KernelError.AlreadyMapped : KernelError.OutOfMemory;
    table = next;
  }
  const index = tableIndex(virtual, 0);
  if (readEntry(table, index) & PAGE_PRESENT) return KernelError.AlreadyMapped;
  writeEntry(table, index, (physical & PAGE_ADDRESS_MASK) | flags | PAGE_PRESENT);
  return KernelError.None;
}

/** The leaf entry mapping `virtual` (4 KiB or 2 MiB), or 0 when unmapped. */
export function lookup(pml4: u64, virtual: u64): u64 {
  let table = pml4;
  for (let level = 3; level >= 0; level--) {
    const entry = readEntry(table, tableIndex(virtual, level));
    if (!(entry & PAGE_PRESENT)) return 0;
    if (level == 0 || (level == 1 && (entry & PAGE_HUGE))) return entry;
    table = entry & PAGE_ADDRESS_MASK;
  }
  return 0;
}
