// Physical to linear: the kernel's linear memory is the direct map of physical memory below
// DIRECT_MAP_LIMIT (docs/DESIGN.md #3), so a physical address below it is its own linear address.
// Every conversion of an address the kernel did not allocate itself (a frame read from a user
// page table, say) goes through linearOf, which checks that the bytes lie inside the direct map:
// outside it would reach the MMIO window's or nobody's virtual addresses, a kernel bug.

import { DIRECT_MAP_LIMIT } from "../arch/layout";

/** The linear address of the `length` bytes at `physical`; aborts when they are not all below
 * DIRECT_MAP_LIMIT. */
@inline export function linearOf(physical: u64, length: u64): usize {
  if (physical > DIRECT_MAP_LIMIT || length > DIRECT_MAP_LIMIT - physical) abort("linearOf: outside the direct map");
  return <usize>physical;
}
