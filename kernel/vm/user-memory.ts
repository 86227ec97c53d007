// The one way the kernel reaches a process's memory (docs/STYLE.md, docs/DESIGN.md "Traps"):
// copy-in and copy-out through the direct map, after walking the process's own page tables page
// by page and enforcing present + user (+ writable for copy-out) in software, since the direct
// map bypasses the MMU's user checks. Every range is checked for wrapping and for staying in the
// user half; every copy names the size of its kernel-side buffer, and a copy longer than that
// buffer is a kernel bug (abort), whatever the process asked. Called by the objects' decode and
// invoke steps. A page the regions would fill or copy on a user access (demand zero,
// copy-on-write) is filled or copied here too (vm/fault.ts), so the kernel's copies behave as
// the process's own accesses would.

import { KernelError } from "../../abi/errors";
import { USER_HALF_END } from "../../abi/layout";
import { linearOf } from "../memory/direct-map";
import { PAGE_ADDRESS_MASK, PAGE_PRESENT, PAGE_SIZE, PAGE_USER, PAGE_WRITABLE } from "../memory/page-table";
import { AddressSpace } from "./address-space";
import { FAULT_WRITE, FaultOutcome, vmFault } from "./fault";

/** The leaf entry for user `address` when it allows the access (resolving a fault the regions
 * allow first), else 0. Inline: the round trips' copies take the first branch. */
@inline function usableLeaf(space: AddressSpace, address: u64, write: bool): u64 {
  const required = PAGE_PRESENT | PAGE_USER | (write ? PAGE_WRITABLE : 0);
  const entry = space.leaf(address);
  return (entry & required) == required ? entry : resolvedLeaf(space, address, write, required);
}

/** usableLeaf's slow path: the fault resolved as the user's access would be, then the entry. */
function resolvedLeaf(space: AddressSpace, address: u64, write: bool, required: u64): u64 {
  if (vmFault(space, address, write ? FAULT_WRITE : 0) != FaultOutcome.Resolved) return 0;
  const entry = space.leaf(address);
  return (entry & required) == required ? entry : 0;
}

/** Whether [address, address + length) may be read (or written, with `write`) by the process:
 * None, or BadAddress. A zero length is always fine (nothing is touched). */
export function userRangeCheck(space: AddressSpace, address: u64, length: u64, write: bool): KernelError {
  if (length == 0) return KernelError.None;
  const end = address + length;
  if (end < address || end > USER_HALF_END) return KernelError.BadAddress;
  for (let page = address & ~(PAGE_SIZE - 1); page < end; page += PAGE_SIZE) {
    if (usableLeaf(space, page, write) == 0) return KernelError.BadAddress;
  }
  return KernelError.None;
}

/** userRangeCheck, and more: when the range lies within one page, where its bytes are in kernel
 * linear memory, so that an invoke step copies them with no second page-table walk (decode and
 * invoke of one entry run back to back: no mapping changes in between). Returns that linear
 * address (> 0); 0 when the range is valid but empty or spans pages (copy it with copyIn or
 * copyOut); -BadAddress when it is not valid. */
export function userRangeResolve(space: AddressSpace, address: u64, length: u64, write: bool): i64 {
  if (length == 0) return 0;
  const offset = address & (PAGE_SIZE - 1);
  if (length <= PAGE_SIZE - offset && address < USER_HALF_END) {   // cannot wrap: offset < PAGE_SIZE
    const entry = usableLeaf(space, address, write);
    if (entry == 0) return -(<i64>KernelError.BadAddress);
    return <i64>linearOf((entry & PAGE_ADDRESS_MASK) + offset, length);
  }
  const error = userRangeCheck(space, address, length, write);
  return error != KernelError.None ? -(<i64>error) : 0;
}

/** Copies `length` bytes from the process's `source` into the kernel buffer `destination` of
 * `destinationSize` bytes. Checks first; copies nothing on BadAddress. */
@inline export function copyIn(space: AddressSpace, destination: usize, destinationSize: u64, source: u64, length: u64): KernelError {
  if (length > destinationSize) abort("copyIn: longer than the kernel buffer");
  return copy(space, source, destination, length, false);
}

/** Copies `length` bytes from the kernel buffer `source` of `sourceSize` bytes to the process's
 * `destination`. Checks first; copies nothing on BadAddress. */
@inline export function copyOut(space: AddressSpace, destination: u64, source: usize, sourceSize: u64, length: u64): KernelError {
  if (length > sourceSize) abort("copyOut: longer than the kernel buffer");
  return copy(space, destination, source, length, true);
}

/** A range within one page (every message and most buffers) is checked and copied through one
 * translation; a longer one is checked whole before anything is copied. */
function copy(space: AddressSpace, user: u64, kernel: usize, length: u64, toUser: bool): KernelError {
  if (length == 0) return KernelError.None;
  const offset = user & (PAGE_SIZE - 1);
  if (length <= PAGE_SIZE - offset && user < USER_HALF_END) {   // cannot wrap: offset < PAGE_SIZE
    const entry = usableLeaf(space, user, toUser);
    if (entry == 0) return KernelError.BadAddress;
    const linear = linearOf((entry & PAGE_ADDRESS_MASK) + offset, length);
    if (toUser) memory.copy(linear, kernel, <usize>length);
    else memory.copy(kernel, linear, <usize>length);
    return KernelError.None;
  }
  const error = userRangeCheck(space, user, length, toUser);
  if (error != KernelError.None) return error;
  copyPages(space, user, kernel, length, toUser);
  return KernelError.None;
}

/** The aligned u32 at user `address` (its 4 bytes are in one page), or -1 when the page is not
 * readable user memory: one page-table walk, for ParkSpace's compare. */
export function readUserWord(space: AddressSpace, address: u64): i64 {
  if (address >= USER_HALF_END || (address & 3) != 0) return -1;
  const entry = usableLeaf(space, address, false);
  if (entry == 0) return -1;
  return <i64>load<u32>(linearOf((entry & PAGE_ADDRESS_MASK) + (address & (PAGE_SIZE - 1)), 4));
}

/** Page by page, since neighbouring user pages need not be neighbouring frames. */
function copyPages(space: AddressSpace, user: u64, kernel: usize, length: u64, toUser: bool): void {
  let done: u64 = 0;
  while (done < length) {
    const address = user + done;
    const offset = address & (PAGE_SIZE - 1);
    const chunk = min(PAGE_SIZE - offset, length - done);
    const linear = linearOf((space.leaf(address) & PAGE_ADDRESS_MASK) + offset, chunk);
    if (toUser) memory.copy(linear, kernel + <usize>done, <usize>chunk);
    else memory.copy(kernel + <usize>done, linear, <usize>chunk);
    done += chunk;
  }
}
