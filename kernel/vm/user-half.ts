// What a CPU's page tables show of user space, and how a process switch changes it: the
// strategy kernel/arch/address-switch.ts chose at boot (docs/ARCHITECTURE.md, "Switching address
// spaces", says why each is chosen where it is):
// - AccessedBits: CR3 stays on one PML4 (the kernel's, on the bootstrap CPU); showing a space
//   copies its lower-half PML4 entries into it, then drops from the TLB only the previous space's
//   pages the CPU may have cached (AddressSpace.forgetCachedPages), instead of loading CR3. Under
//   TCG a CR3 load empties the whole software TLB, the kernel's own entries included. Sound only
//   with one CPU running user code: accessed bits are shared between CPUs.
// - Cr3: CR3 holds the shown space's own PML4; kernel pages are global (unless isolation is on),
//   so the CR3 load keeps them.
// - Pcid: the same, with a PCID per space (a few per CPU, handed out in turn), so a switch
//   back to a space keeps what the TLB held of it; a PCID handed out again is flushed first.
// Under page-table isolation each CPU also has a user-mode PML4 (memory/entry-area.ts: the entry
// area, plus the shown space's user half copied in) that the ways out to user mode load and the
// ways in leave (arch/x86_64/user_entry.S, through hw.userModeCr3Set).
//
// Every instruction here that drops translations is on a line marked `invalidation [strategies]`:
// tests/host/tlb-model.test.ts removes each in turn and requires its model of the TLB to fail.
// Called by the scheduler (the thread about to run), process teardown, the SMAP selftest, and
// AddressSpace.map (a new lower-half table).

import { invalidatePage, shootdownSignal, userModeCr3Set, writeControlRegister } from "../arch/hw";
import { addressSwitch, SwitchStrategy } from "../arch/address-switch";
import { userModePml4Create } from "../memory/entry-area";
import { frameAllocateZeroed } from "../memory/frames";
import { kernelPml4 } from "../memory/kernel-space";
import { readEntry, writeEntry } from "../memory/page-table";
import { AddressSpace } from "./address-space";

/** CR3 bit 63 with CR4.PCIDE: keep the TLB entries of the PCID being loaded. */
const CR3_NO_FLUSH: u64 = 1 << 63;
/** A space's user-mode PCID is its kernel PCID with this bit (isolation with PCIDs). */
const PCID_USER_BIT: u64 = 1 << 11;
/** PCIDs per CPU for address spaces (1 to this; 0 is the kernel's PML4 alone): a few, as Linux
 * keeps 6, since the TLB holds little of more spaces than that anyway. */
export const PCID_SLOTS: i32 = 8;

/** One CPU's switch state. */
export class CpuSwitch {
  shown: AddressSpace | null = null;
  /** AccessedBits: the PML4 CR3 always holds, whose user half shows `shown`. Otherwise the PML4
   * CR3 holds when nothing is shown: the kernel's own (its user half stays empty). */
  kernelView: u64 = 0;
  /** Isolation: this CPU's user-mode PML4; 0 without isolation. */
  userPml4: u64 = 0;
  /** Pcid: the address space (AddressSpace.id) each PCID was last handed out to, 0 for none. */
  readonly pcidOwners: StaticArray<u64> = new StaticArray<u64>(PCID_SLOTS);
  nextPcidSlot: i32 = 0;
  /** Pcid: the PCID `shown` has on this CPU (1 to PCID_SLOTS). */
  shownPcid: u64 = 0;
  /** Pcid with isolation: bit i set while user-mode PCID i + 1 may hold another space's entries
   * (it was handed out, and no way out has loaded it flushing since). */
  userPcidStale: u32 = 0;
  /** A shootdown signalled to this CPU and not yet answered (userHalfShootdownReceive). */
  pendingSpace: AddressSpace | null = null;
  pendingStart: u64 = 0;
  pendingPages: u64 = 0;
}

class UserHalfState {
  strategy: SwitchStrategy = SwitchStrategy.Cr3;
  isolation: bool = false;
  /** Every CPU's switch state; the bootstrap CPU's first (the only one that runs user code). */
  cpus: CpuSwitch[] = [];
  /** The bootstrap CPU's (cpus[0], kept apart for the switch path; a placeholder before init). */
  boot: CpuSwitch = new CpuSwitch();
}
const state = new UserHalfState();

/** Takes the boot-time choice (kernel/arch/address-switch.ts) and makes the bootstrap CPU's
 * switch state, before any process. */
export function userHalfInit(): void {
  const choice = addressSwitch();
  state.strategy = choice.strategy;
  state.isolation = choice.isolation;
  const boot = cpuSwitchCreate(kernelPml4());
  if (boot === null) abort("userHalfInit: no frame for the user-mode page tables");
  state.boot = boot!;
}

/** A CPU's switch state, registered with the others; the CPU it belongs to must be the one
 * running (CR3 and the entry variables it sets are that CPU's). `kernelView`: the kernel's PML4
 * (loaded) for the bootstrap CPU; 0 makes a copy of its kernel half for another and loads it.
 * Null when no frame is left. */
export function cpuSwitchCreate(kernelView: u64): CpuSwitch | null {
  const cpu = new CpuSwitch();
  if (kernelView == 0) {
    kernelView = frameAllocateZeroed();
    if (kernelView == 0) return null;
    const kernel = kernelPml4();
    for (let index: u64 = 256; index < 512; index++) writeEntry(kernelView, index, readEntry(kernel, index));
    writeControlRegister(3, kernelView);
  }
  cpu.kernelView = kernelView;
  if (state.isolation) {
    cpu.userPml4 = userModePml4Create();
    if (cpu.userPml4 == 0) return null;
    userModeCr3Set(kernelView, cpu.userPml4, cpu.userPml4);
  }
  state.cpus.push(cpu);
  return cpu;
}

/** The bootstrap CPU's switch state. */
export function userHalfCpu(): CpuSwitch {
  return state.boot;
}

/** Makes the bootstrap CPU show `next` (no work when it already does: checked here, so that the
 * scheduler's call costs a compare when the thread's space is already shown). */
export function userHalfShow(next: AddressSpace): void {
  const cpu = state.boot;
  if (cpu.shown !== next) cpuSwitchShow(cpu, next);
}

/** Makes the bootstrap CPU show nothing if it shows `space` (about to be destroyed). */
export function userHalfHide(space: AddressSpace): void {
  cpuSwitchHide(state.boot, space);
}

/** Makes `cpu` (the CPU running) show `next`. */
export function cpuSwitchShow(cpu: CpuSwitch, next: AddressSpace): void {
  const previous = cpu.shown;
  if (previous === next) return;
  cpu.shown = next;
  const user = cpu.userPml4;
  if (state.strategy == SwitchStrategy.AccessedBits) {
    const view = cpu.kernelView;
    if (previous !== null) clearTops(view, previous);
    copyTops(view, next);
    if (user != 0) userModeShow(user, previous, next);
    if (previous === null || previous.forgetCachedPages()) return;
    cr3Load(cpu, view, user, user);   // invalidation [accessed]: a space with more pages than are worth scanning
    return;
  }
  if (user != 0) userModeShow(user, previous, next);
  if (state.strategy == SwitchStrategy.Cr3) {
    cr3Load(cpu, next.pml4, user, user);   // invalidation [cr3]: the previous space's pages
    return;
  }
  const slot = pcidSlot(cpu, next);
  const fresh = slot < 0;
  const pcid = <u64>(fresh ? -slot : slot);
  cpu.shownPcid = pcid;
  let kernel = next.pml4 | pcid | CR3_NO_FLUSH;
  let userFirst = user | pcid | PCID_USER_BIT | CR3_NO_FLUSH;
  const userAfter = userFirst;
  if (fresh) kernel &= ~CR3_NO_FLUSH;   // invalidation [pcid]: the PCID's entries of the space it was handed out to before
  const bit: u32 = 1 << <u32>(pcid - 1);
  if (fresh) cpu.userPcidStale |= bit;   // invalidation [pcid isolation]: the same for its user-mode PCID, at the next way out
  if (cpu.userPcidStale & bit) userFirst &= ~CR3_NO_FLUSH;
  cpu.userPcidStale &= ~bit;
  cr3Load(cpu, kernel, user != 0 ? userFirst : 0, userAfter);   // invalidation [pcid]: the switch (the previous space's translations stay, under its PCID)
}

/** Makes `cpu` (the CPU running) show nothing if it shows `space`, whose tables are about to be
 * freed: CR3 moves to the kernel view, which keeps no translation of `space`. */
export function cpuSwitchHide(cpu: CpuSwitch, space: AddressSpace): void {
  if (cpu.shown !== space) return;
  cpu.shown = null;
  const user = cpu.userPml4;
  if (user != 0) clearTops(user, space);
  if (state.strategy == SwitchStrategy.AccessedBits) clearTops(cpu.kernelView, space);
  // PCID 0 is only ever loaded with the kernel view, whose user half is then empty: nothing of
  // it to flush. (Nothing runs in user mode until a space is shown again: `user` is not loaded.)
  const keep = state.strategy == SwitchStrategy.Pcid ? CR3_NO_FLUSH : 0;
  cr3Load(cpu, cpu.kernelView | keep, user, user);   // invalidation [accessed cr3 pcid]: the space's translations and tables
}

/** From AddressSpace.map: `space` made a new lower-half PML4 entry at `index`. */
export function userHalfTableAdded(space: AddressSpace, index: u64): void {
  const cpus = state.cpus;
  for (let i = 0; i < cpus.length; i++) {
    const cpu = unchecked(cpus[i]);
    if (cpu.shown !== space) continue;
    if (state.strategy == SwitchStrategy.AccessedBits) writeEntry(cpu.kernelView, index, readEntry(space.pml4, index));
    if (cpu.userPml4 != 0) writeEntry(cpu.userPml4, index, readEntry(space.pml4, index));
  }
}

/** The PCID (1 to PCID_SLOTS) `space` has on `cpu`, or its negation when it was handed out just
 * now and must be flushed at its first load. */
function pcidSlot(cpu: CpuSwitch, space: AddressSpace): i32 {
  const owners = cpu.pcidOwners;
  const hint = space.pcidHint;
  if (hint < <u32>PCID_SLOTS && unchecked(owners[hint]) == space.id) return <i32>hint + 1;
  const slot = cpu.nextPcidSlot;
  cpu.nextPcidSlot = slot + 1 == PCID_SLOTS ? 0 : slot + 1;
  unchecked(owners[slot] = space.id);
  space.pcidHint = <u32>slot;
  return -(slot + 1);
}

/** Loads CR3 with `kernel` and, under isolation, gives the ways in and out their CR3s: `kernel`
 * in (never flushing with PCIDs), `userFirst` on the next way out, `userAfter` after it. A
 * user-mode PCID flush that no way out made (the CPU switched again before leaving the kernel) is
 * owed again. */
function cr3Load(cpu: CpuSwitch, kernel: u64, userFirst: u64, userAfter: u64): void {
  writeControlRegister(3, kernel);
  if (cpu.userPml4 == 0) return;
  const pcids = state.strategy == SwitchStrategy.Pcid;
  const unused = userModeCr3Set(pcids ? kernel | CR3_NO_FLUSH : kernel, userFirst, userAfter);
  const unusedPcid = <u32>(unused & (PCID_USER_BIT - 1));
  if (pcids && (unused & CR3_NO_FLUSH) == 0 && unusedPcid != 0) cpu.userPcidStale |= 1 << (unusedPcid - 1);   // invalidation [pcid isolation]: a user-mode PCID flush no way out has made yet
}

/** The user-mode PML4 `user` shows `next` instead of `previous`. */
function userModeShow(user: u64, previous: AddressSpace | null, next: AddressSpace): void {
  if (previous !== null) clearTops(user, previous);
  copyTops(user, next);
}

function copyTops(table: u64, space: AddressSpace): void {
  const tops = space.topIndices;
  for (let i = 0; i < tops.length; i++) {
    const index = unchecked(tops[i]);
    writeEntry(table, index, readEntry(space.pml4, index));
  }
}

function clearTops(table: u64, space: AddressSpace): void {
  const tops = space.topIndices;
  for (let i = 0; i < tops.length; i++) writeEntry(table, unchecked(tops[i]), 0);
}

/** The shootdown: after leaf entries of `space` for [start, start + pages * 4 KiB) changed
 * (unmapped, made read-only, moved to another frame), no CPU may go on using the old
 * translations, nor hold them under a PCID. Every CPU's switch state is visited: `running` (the
 * CPU making the change: the bootstrap CPU in the kernel) acts at once; any other CPU that shows
 * the space or may hold a PCID of it is signalled (hw.shootdownSignal: an IPI it answers with
 * userHalfShootdownReceive before the signal returns). Today only the bootstrap CPU runs user
 * code, so no other CPU ever needs one; the host model has two. */
export function userHalfShootdown(space: AddressSpace, start: u64, pages: u64, running: CpuSwitch = state.boot): void {
  const cpus = state.cpus;
  for (let i = 0; i < cpus.length; i++) {
    const cpu = unchecked(cpus[i]);
    if (cpu === running) {
      shootdownOn(cpu, space, start, pages);
      continue;
    }
    if (cpu.shown !== space && !holdsPcid(cpu, space)) continue;
    if (cpu.pendingSpace !== null) abort("userHalfShootdown: a CPU has a shootdown pending");
    cpu.pendingSpace = space;
    cpu.pendingStart = start;
    cpu.pendingPages = pages;
    shootdownSignal(<u32>i);
    if (cpu.pendingSpace !== null) abort("userHalfShootdown: the CPU did not answer");
  }
}

/** On the CPU signalled by userHalfShootdown (`cpu` is its switch state): its part of the shootdown. */
export function userHalfShootdownReceive(cpu: CpuSwitch): void {
  const space = cpu.pendingSpace;
  if (space === null) return;
  cpu.pendingSpace = null;
  shootdownOn(cpu, space, cpu.pendingStart, cpu.pendingPages);
}

/** Pages invalidated one by one before a shootdown reloads CR3 instead. */
const SHOOTDOWN_PAGES: u64 = 64;

function holdsPcid(cpu: CpuSwitch, space: AddressSpace): bool {
  if (state.strategy != SwitchStrategy.Pcid) return false;
  const owners = cpu.pcidOwners;
  for (let slot = 0; slot < PCID_SLOTS; slot++) if (unchecked(owners[slot]) == space.id) return true;
  return false;
}

/** The shootdown on `cpu`, the CPU running. Shown: each page is invalidated (above
 * SHOOTDOWN_PAGES, CR3 is loaded flushing instead); under PCID with isolation the user-mode
 * PCID is flushed at the next way out (INVLPG reaches only the current PCID). Not shown: under
 * Pcid every PCID the CPU gave the space is forgotten (the next show takes a fresh one, flushed);
 * the other strategies keep nothing of a space not shown (a CR3 load or forgetCachedPages
 * dropped it). */
function shootdownOn(cpu: CpuSwitch, space: AddressSpace, start: u64, pages: u64): void {
  const pcids = state.strategy == SwitchStrategy.Pcid;
  const shown = cpu.shown === space;
  let slot: i32 = -1;
  if (pcids) {
    if (shown) slot = <i32>cpu.shownPcid - 1;   // (the space's hint may name another CPU's slot)
    const owners = cpu.pcidOwners;
    for (let other = 0; other < PCID_SLOTS; other++) {
      if (other != slot && unchecked(owners[other]) == space.id) unchecked(owners[other] = 0);   // invalidation [pcid shootdown]: a PCID still holding the space's translations
    }
  }
  if (!shown) return;
  if (pages <= SHOOTDOWN_PAGES && !pcids) {
    invalidatePages(start, pages);
    return;
  }
  if (state.strategy == SwitchStrategy.AccessedBits) {
    cr3Load(cpu, cpu.kernelView, cpu.userPml4, cpu.userPml4);   // invalidation [accessed shootdown]: a large range
    return;
  }
  if (!pcids) {
    cr3Load(cpu, space.pml4, cpu.userPml4, cpu.userPml4);   // invalidation [cr3 shootdown]: a large range
    return;
  }
  const pcid = cpu.shownPcid;
  const user = cpu.userPml4 != 0 ? cpu.userPml4 | pcid | PCID_USER_BIT : 0;
  if (pages > SHOOTDOWN_PAGES) {
    cr3Load(cpu, space.pml4 | pcid, user, user | CR3_NO_FLUSH);   // invalidation [pcid shootdown]: a large range, and the user-mode PCID at the next way out
    return;
  }
  invalidatePages(start, pages);
  if (user != 0) cr3Load(cpu, space.pml4 | pcid | CR3_NO_FLUSH, user, user | CR3_NO_FLUSH);   // invalidation [pcid isolation shootdown]: the user-mode PCID at the next way out
}

function invalidatePages(start: u64, pages: u64): void {
  for (let page: u64 = 0; page < pages; page++) invalidatePage(start + (page << 12));   // invalidation [accessed cr3 pcid shootdown]: each page changed
}
