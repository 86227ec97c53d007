// The CPU's user half: which address space's lower half the loaded page tables show. CR3 holds
// the kernel's PML4 at all times; showing a space copies its lower-half PML4 entries into that
// PML4, then drops from the TLB only the pages of the space shown before that the CPU may have
// cached (AddressSpace.forgetCachedPages), instead of reloading CR3. Under TCG a CR3 load empties
// the whole software TLB and jump cache, the kernel's own entries included, and refilling them
// was most of an IPC round trip between processes (docs/ARCHITECTURE.md, "Switching address
// spaces"). One CPU runs user code; a second would need a PML4 of its own.
//
// Dropping pages one by one is right only where it is promised that no translation is cached
// from an entry whose accessed flag is 0 and that INVLPG empties the paging-structure caches:
// the Intel SDM promises both (vol. 3A, 4.10.2.3, 4.10.4.1, 4.10.4.3), and QEMU's TCG behaves
// so. On any other CPU (AMD's manual was not checked) every switch loads CR3.
// Called by the scheduler (the thread about to run), process teardown and the SMAP selftest.

import { cpuid, writeControlRegister } from "../arch/hw";
import { kernelPml4 } from "../memory/kernel-space";
import { readEntry, writeEntry } from "../memory/page-table";
import { AddressSpace } from "./address-space";

class UserHalfState {
  shown: AddressSpace | null = null;
  /** Switches drop the previous space's accessed pages; otherwise they load CR3. */
  byPage: bool = false;
}
const state = new UserHalfState();

const CPUID_VENDOR: u32 = 0;
const CPUID_HYPERVISOR: u32 = 0x4000_0000;

/** Decides how switches drop the previous space (before any process); returns how, for the log. */
export function userHalfInit(): string {
  const registers = memory.data(16, 4);
  cpuid(CPUID_VENDOR, 0, registers);
  const intel = signatureIs(registers + 4, "GenuineIntel", true);   // EBX, EDX, ECX
  cpuid(CPUID_HYPERVISOR, 0, registers);
  const tcg = signatureIs(registers + 4, "TCGTCGTCGTCG", false);    // EBX, ECX, EDX
  state.byPage = intel || tcg;
  if (intel) return "INVLPG of the pages used (an Intel CPU)";
  if (tcg) return "INVLPG of the pages used (QEMU's TCG)";
  return "a CR3 load (neither an Intel CPU nor QEMU's TCG)";
}

/** Whether EBX, ECX, EDX (at `at`, as hw.cpuid writes them) spell `text`: in that order, or in
 * the order EBX, EDX, ECX when `vendorOrder` (leaf 0's vendor string). */
function signatureIs(at: usize, text: string, vendorOrder: bool): bool {
  const second = vendorOrder ? at + 8 : at + 4, third = vendorOrder ? at + 4 : at + 8;
  for (let i = 0; i < 12; i++) {
    const register = i < 4 ? at : i < 8 ? second : third;
    if (<i32>load<u8>(register + <usize>(i & 3)) != text.charCodeAt(i)) return false;
  }
  return true;
}

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
  if (previous !== null && (!state.byPage || !previous.forgetCachedPages())) writeControlRegister(3, live);
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
