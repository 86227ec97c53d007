// The CPU's user half: which address space's lower half the loaded page tables show. CR3 holds
// the kernel's PML4 at all times; showing a space copies its lower-half PML4 entries into that
// PML4, then drops from the TLB only the pages of the space shown before that the CPU may have
// cached (AddressSpace.forgetCachedPages), instead of reloading CR3. Under TCG a CR3 load empties
// the whole software TLB and jump cache, the kernel's own entries included, and refilling them
// was most of an IPC round trip between processes (docs/ARCHITECTURE.md, "Switching address
// spaces"). One CPU runs user code; a second would need a PML4 of its own.
// Called by the scheduler (the thread about to run), process teardown and the SMAP selftest.

import { writeControlRegister } from "../arch/hw";
import { kernelPml4 } from "../memory/kernel-space";
import { readEntry, writeEntry } from "../memory/page-table";
import { AddressSpace } from "./address-space";

class UserHalfState {
  shown: AddressSpace | null = null;
}
const state = new UserHalfState();

/** Makes the user half show `next` (no work when it already does). */
export function userHalfShow(next: AddressSpace): void {
  const previous = state.shown;
  if (previous === next) return;
  const live = kernelPml4();
  if (previous !== null) clearTops(live, previous);
  const tops = next.topIndices;
  for (let i = 0; i < tops.length; i++) {
    const index = unchecked(tops[i]);
    writeEntry(live, index, readEntry(next.pml4, index));
  }
  state.shown = next;
  if (previous !== null && !previous.forgetCachedPages()) writeControlRegister(3, live);
}

/** Makes the user half show nothing if it shows `space` (about to be destroyed). */
export function userHalfHide(space: AddressSpace): void {
  if (state.shown !== space) return;
  const live = kernelPml4();
  clearTops(live, space);
  state.shown = null;
  writeControlRegister(3, live);
}

/** From AddressSpace.map: `space` made a new lower-half PML4 entry at `index`. */
export function userHalfTableAdded(space: AddressSpace, index: u64): void {
  if (state.shown === space) writeEntry(kernelPml4(), index, readEntry(space.pml4, index));
}

function clearTops(live: u64, space: AddressSpace): void {
  const tops = space.topIndices;
  for (let i = 0; i < tops.length; i++) writeEntry(live, unchecked(tops[i]), 0);
}
