// The kernel's part of the user-mode page tables under page-table isolation: the entry area
// only (kernel-image.ts, imagePageInEntryArea: the entry and exit trampolines, GDT, IDT, TSS, the
// entry variables and stacks), at the kernel's own addresses through copies of the kernel's own
// leaf entries, so the trampolines run unchanged on either page tables. userModePml4Create makes
// a user-mode PML4 (one per CPU: kernel/vm/user-half.ts copies the shown space's user half into
// it); userModeAudit walks one and names anything else it maps. Used by the user half and, in
// test runs, by kernel/syscall/start.ts.

import { frameAllocateZeroed } from "./frames";
import { imageLayout, kernelPml4 } from "./kernel-space";
import { imagePageInEntryArea, imagePageKind, ImagePage, KernelImageLayout } from "./kernel-image";
import {
  lookup, mapPage, PAGE_ACCESSED, PAGE_ADDRESS_MASK, PAGE_HUGE, PAGE_PRESENT, PAGE_SIZE, PAGE_USER, readEntry, writeEntry,
} from "./page-table";
import { KernelError } from "../../abi/errors";

const PAGE_DIRTY: u64 = 1 << 6;
const CANONICAL_HIGH: u64 = 0xffff_0000_0000_0000;

class EntryAreaState {
  /** A PML4 whose kernel half (entries 256-511) every user-mode PML4 copies; 0 until made. */
  template: u64 = 0;
}
const state = new EntryAreaState();

/** A new user-mode PML4: the entry area in its kernel half, an empty user half. 0 when no frame
 * is left. */
export function userModePml4Create(): u64 {
  if (state.template == 0) {
    const template = templateBuild();
    if (template == 0) return 0;
    state.template = template;
  }
  const pml4 = frameAllocateZeroed();
  if (pml4 == 0) return 0;
  for (let index: u64 = 256; index < 512; index++) writeEntry(pml4, index, readEntry(state.template, index));
  return pml4;
}

/** The template: every page of the entry area the kernel maps, mapped alike (its tables are
 * never freed). 0 when no frame is left. */
function templateBuild(): u64 {
  const template = frameAllocateZeroed();
  if (template == 0) return 0;
  const layout = imageLayout();
  if (!copyRange(template, layout.entryTextStart, layout.entryTextEnd) ||
      !copyRange(template, layout.entryDataStart, layout.entryDataEnd)) return 0;
  return template;
}

function copyRange(template: u64, start: u64, end: u64): bool {
  const kernel = kernelPml4();
  for (let virtual = start; virtual < end; virtual += PAGE_SIZE) {
    const leaf = lookup(kernel, virtual);
    if (!(leaf & PAGE_PRESENT)) continue;   // a stack's guard page
    const flags = leaf & ~PAGE_ADDRESS_MASK & ~(PAGE_PRESENT | PAGE_ACCESSED | PAGE_DIRTY);
    if (mapPage(template, virtual, leaf & PAGE_ADDRESS_MASK, flags) != KernelError.None) return false;
  }
  return true;
}

/** What a walk of a user-mode PML4 found. */
export class UserModeAudit {
  /** Lower-half PML4 entries present (each equal to the space's own, or `wrong` says). */
  userEntries: u32 = 0;
  /** Kernel pages mapped, by what they hold: the trampolines; GDT, IDT, TSS and the entry
   * variables; the entry stacks. */
  codePages: u32 = 0;
  descriptorPages: u32 = 0;
  stackPages: u32 = 0;
  /** The first mapping that is none of these, "" when there is none. */
  wrong: string = "";
}

/** Walks every entry of the user-mode PML4 `pml4`: its user half must be `space`'s (a PML4), and
 * its kernel half map nothing but the entry area, at the kernel's own physical pages, as 4 KiB
 * supervisor pages. */
export function userModeAudit(pml4: u64, space: u64): UserModeAudit {
  const audit = new UserModeAudit();
  for (let index: u64 = 0; index < 256; index++) {
    const entry = readEntry(pml4, index);
    if (entry != readEntry(space, index) && audit.wrong.length == 0) audit.wrong = "user-half entry " + index.toString() + " is not the space's";
    if (entry & PAGE_PRESENT) audit.userEntries++;
  }
  const layout = imageLayout();
  for (let index: u64 = 256; index < 512; index++) auditLevel(audit, layout, readEntry(pml4, index), 3, CANONICAL_HIGH | (index << 39));
  return audit;
}

function auditLevel(audit: UserModeAudit, layout: KernelImageLayout, entry: u64, level: i32, virtual: u64): void {
  if (!(entry & PAGE_PRESENT)) return;
  if (entry & PAGE_USER) {
    wrongAt(audit, virtual, "is reachable from user mode");
    return;
  }
  if (level > 0 && (entry & PAGE_HUGE)) {
    wrongAt(audit, virtual, "is a large page");
    return;
  }
  if (level > 0) {
    const table = entry & PAGE_ADDRESS_MASK;
    for (let index: u64 = 0; index < 512; index++) {
      auditLevel(audit, layout, readEntry(table, index), level - 1, virtual | (index << (12 + 9 * <u64>(level - 1))));
    }
    return;
  }
  const physical = entry & PAGE_ADDRESS_MASK;
  if (!imagePageInEntryArea(layout, virtual) || imagePageKind(layout, virtual) == ImagePage.Unmapped) {
    wrongAt(audit, virtual, "is outside the entry area");
  } else if (physical != virtual - layout.virtualOffset) {
    wrongAt(audit, virtual, "maps another page than the kernel's");
  } else if (virtual < layout.entryTextEnd) {
    audit.codePages++;
  } else if (virtual < layout.entryStackGuard) {
    audit.descriptorPages++;
  } else {
    audit.stackPages++;
  }
}

function wrongAt(audit: UserModeAudit, virtual: u64, what: string): void {
  if (audit.wrong.length == 0) audit.wrong = "0x" + virtual.toString(16) + " " + what;
}
