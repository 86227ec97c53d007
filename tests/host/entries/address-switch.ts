// Host-test entry for the process-switch strategies and page-table isolation: the choice
// (kernel/arch/address-switch.ts), the strategies (kernel/vm/user-half.ts, address-space.ts) and
// the user-mode page tables (kernel/memory/entry-area.ts), without processes. setup() boots over a
// region of the wasm memory, which plays physical memory (docs/DESIGN.md #3), as
// tests/host/entries/ring.ts does; the test then makes address spaces and CPUs' switch states and
// drives them, while its model of the TLB (tests/host/tlb-model.ts) plays the CPUs behind the
// `hw` imports. Kept small: tlb-model.test.ts compiles it once per removed invalidation.

import { BootInformation } from "../../../kernel/boot/multiboot2";
import { CpuFacts, CpuVendor, SwitchChoice, switchChoose, switchStrategyName } from "../../../kernel/arch/address-switch";
import { logSetLevel } from "../../../kernel/log/log";
import { bootMemory } from "./boot-memory";
import { frameAllocateZeroed, framesFree as kernelFramesFree } from "../../../kernel/memory/frames";
import { kernelPml4 } from "../../../kernel/memory/kernel-space";
import { userModeAudit } from "../../../kernel/memory/entry-area";
import { AddressSpace, KernelErrorCell, UserAccess } from "../../../kernel/vm/address-space";
import { CpuSwitch, cpuSwitchCreate, cpuSwitchHide, cpuSwitchShow, userHalfCpu, userHalfShootdown, userHalfShootdownReceive } from "../../../kernel/vm/user-half";
import { frameRelease } from "../../../kernel/memory/frames";
import { PAGE_ADDRESS_MASK, PAGE_PRESENT, PAGE_WRITABLE } from "../../../kernel/memory/page-table";


class World {
  spaces: (AddressSpace | null)[] = [];
  cpus: CpuSwitch[] = [];
  choice: SwitchChoice = new SwitchChoice();
  audit: string = "";
}
const world = new World();

export { bootTablesAddress } from "./boot-memory";
export function memoryBytes(): u64 { return <u64>memory.size() << 16; }

/** Boots the kernel's memory over [regionStart, regionEnd) with `commandLine` (switch=,
 * isolation=), then the bootstrap CPU's switch state (CPU 0). Returns the frames free. */
export function setup(regionStart: u32, regionEnd: u32, commandLine: string): u64 {
  logSetLevel("error");
  bootMemory(regionStart, regionEnd, new BootInformation(), commandLine);
  world.cpus.push(userHalfCpu());
  return kernelFramesFree();
}

export function framesFree(): u64 { return kernelFramesFree(); }
export function kernelPml4Address(): u64 { return kernelPml4(); }
/** A frame the kernel will never use again (the model's poison page). */
export function frameTake(): u64 { return frameAllocateZeroed(); }

// --- address spaces -----------------------------------------------------------------------------

export function spaceCreate(): i32 {
  const space = AddressSpace.create();
  if (space === null) abort("test entry: no frame for a PML4");
  world.spaces.push(space);
  return world.spaces.length - 1;
}
/** Maps a new zeroed page; returns its frame, 0 when refused. */
export function spaceMap(index: i32, virtual: u64, access: i32): u64 {
  const error = new KernelErrorCell();
  return world.spaces[index]!.mapNew(virtual, <UserAccess>access, error);
}
export function spacePml4(index: i32): u64 { return world.spaces[index]!.pml4; }
/** Frees every frame of the space: every CPU must have hidden it. */
export function spaceDestroy(index: i32): void {
  world.spaces[index]!.destroy();
  world.spaces[index] = null;
}

/** As vm/mappings.ts changes a page, on CPU `cpu`: `how` 0 unmaps it (its frame freed), 1 makes
 * it read-only; then the shootdown of that page. */
export function spaceChangePage(cpu: i32, index: i32, virtual: u64, how: i32): void {
  const space = world.spaces[index]!;
  const slot = space.leafSlot(virtual, false);
  if (slot == 0) abort("test entry: no table for the page");
  const entry = load<u64>(<usize>slot);
  if (!(entry & PAGE_PRESENT)) abort("test entry: the page is not mapped");
  if (how == 0) {
    store<u64>(<usize>slot, 0);
    frameRelease(entry & PAGE_ADDRESS_MASK);
  } else {
    store<u64>(<usize>slot, entry & ~PAGE_WRITABLE);
  }
  space.forgetTranslations();
  userHalfShootdown(space, virtual, 1, world.cpus[cpu]);
}
/** Makes every page of space `index` read-only on CPU `cpu` (a walk of its lower half), then
 * one shootdown of the whole user half (as a clone does). */
export function spaceReadOnlyAll(cpu: i32, index: i32): void {
  const space = world.spaces[index]!;
  readOnlyBelow(space.pml4, 3, 256);
  space.forgetTranslations();
  userHalfShootdown(space, 0, 1 << 35, world.cpus[cpu]);
}
function readOnlyBelow(table: u64, level: i32, count: i32): void {
  for (let i = 0; i < count; i++) {
    const address = <usize>(table + (<u64>i << 3));
    const entry = load<u64>(address);
    if (!(entry & PAGE_PRESENT)) continue;
    if (level == 0) store<u64>(address, entry & ~PAGE_WRITABLE);
    else readOnlyBelow(entry & PAGE_ADDRESS_MASK, level - 1, 512);
  }
}

// --- CPUs ---------------------------------------------------------------------------------------

/** The signalled CPU's part of a shootdown (the model's IPI). */
export function cpuShootdownReceive(cpu: i32): void { userHalfShootdownReceive(world.cpus[cpu]); }

/** Another CPU's switch state (the model makes it the CPU running first); returns its index. */
export function cpuCreate(): i32 {
  const cpu = cpuSwitchCreate(0);
  if (cpu === null) abort("test entry: no frame for a CPU's page tables");
  world.cpus.push(cpu!);
  return world.cpus.length - 1;
}
export function cpuShow(cpu: i32, space: i32): void { cpuSwitchShow(world.cpus[cpu], world.spaces[space]!); }
export function cpuHide(cpu: i32, space: i32): void { cpuSwitchHide(world.cpus[cpu], world.spaces[space]!); }
/** The space `cpu` shows (its index), -1 for none. */
export function cpuShown(cpu: i32): i32 {
  const shown = world.cpus[cpu].shown;
  return shown === null ? -1 : world.spaces.indexOf(shown);
}
export function cpuKernelView(cpu: i32): u64 { return world.cpus[cpu].kernelView; }
export function cpuUserPml4(cpu: i32): u64 { return world.cpus[cpu].userPml4; }

/** Walks `cpu`'s user-mode PML4 as it shows `space`: "" when it maps only the space's user half
 * and the entry area, else what it found; the counts come from auditCounts. */
export function audit(cpu: i32, space: i32): string {
  const result = userModeAudit(world.cpus[cpu].userPml4, world.spaces[space]!.pml4);
  world.audit = result.userEntries.toString() + " " + result.codePages.toString() + " " + result.descriptorPages.toString() + " " +
    result.stackPages.toString();
  return result.wrong;
}
export function auditCounts(): string { return world.audit; }

// --- the choice ---------------------------------------------------------------------------------

/** switchChoose for a made-up CPU; the answer through choice*(). Empty words are absent. */
export function choose(vendor: i32, tcg: bool, globalPages: bool, pcid: bool, rdclNo: bool, switchWord: string, isolationWord: string, userCpus: u32): void {
  const facts = new CpuFacts();
  facts.vendor = <CpuVendor>vendor;
  facts.tcg = tcg;
  facts.globalPages = globalPages;
  facts.pcid = pcid;
  facts.rdclNo = rdclNo;
  world.choice = switchChoose(facts, switchWord.length > 0 ? switchWord : null, isolationWord.length > 0 ? isolationWord : null, userCpus);
}
export function choiceStrategy(): i32 { return world.choice.strategy; }
export function choiceStrategyName(): string { return switchStrategyName(world.choice); }
export function choiceStrategyReason(): string { return world.choice.strategyReason; }
export function choiceIsolation(): bool { return world.choice.isolation; }
export function choiceIsolationReason(): string { return world.choice.isolationReason; }
