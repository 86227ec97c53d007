// The kernel's own address space, built once at boot and switched to; every process address
// space will share its kernel half. It holds: the direct map (copied from the one C built, so
// its decisions stay those of arch/x86_64/memory_plan.c, now no-execute, and with the kernel
// image's alias read-only), the kernel image in 4 KiB pages (kernel-image.ts decides how each is
// mapped; stack guard pages stay unmapped), the MMIO window (mmio.ts), and a PDPT for every
// kernel-half PML4 slot, made now so later kernel mappings appear in every address space.
// Before building it, the process-switch strategy and page-table isolation are chosen
// (kernel/arch/address-switch.ts): kernel pages are global (CR4.PGE) unless isolation is on, when
// only the entry area's are; CR4.PCIDE goes on for the PCID strategy.

import { cpuid, kernelImageLayout, readControlRegister, readMsr, writeControlRegister, writeMsr } from "../arch/hw";
import { addressSwitch, addressSwitchInit, SwitchStrategy } from "../arch/address-switch";
import { CommandLine } from "../boot/command-line";
import { KernelError, kernelErrorName } from "../../abi/errors";
import { DIRECT_MAP_BASE, DIRECT_MAP_LIMIT } from "../arch/layout";
import { logEnd, LogLevel, logLine } from "../log/log";
import { frameAllocateZeroed } from "./frames";
import { patInit } from "./pat";
import { imagePageFlags, imagePageInEntryArea, imagePageKind, ImagePage, KERNEL_IMAGE_LAYOUT_BYTES, KernelImageLayout } from "./kernel-image";
import {
  HUGE_PAGE_SIZE, mapPage, PAGE_ADDRESS_MASK, PAGE_GLOBAL, PAGE_HUGE, PAGE_NO_EXECUTE, PAGE_PRESENT, PAGE_SIZE,
  PAGE_WRITABLE, readEntry, writeEntry,
} from "./page-table";

const DIRECT_MAP_PML4_INDEX: u64 = 256;   // DIRECT_MAP_BASE, layout.h
const DIRECT_MAP_GIGABYTES: u64 = 4;
const EFER: u32 = 0xc000_0080;
const EFER_NO_EXECUTE_ENABLE: u64 = 1 << 11;
const CPUID_EXTENDED_FEATURES: u32 = 0x8000_0001;
const CPUID_EDX_NO_EXECUTE: u32 = 1 << 20;
const CR4_GLOBAL_PAGES: u64 = 1 << 7;    // CR4.PGE, Intel SDM vol. 3A, 2.5
const CR4_PCID: u64 = 1 << 17;           // CR4.PCIDE

class KernelSpaceState {
  pml4: u64 = 0;
  noExecute: u64 = 0;   // PAGE_NO_EXECUTE when the CPU has it, else 0
  /** PAGE_GLOBAL on kernel mappings (CR4.PGE on, isolation off), else 0. */
  global: u64 = 0;
  /** PAGE_GLOBAL on the entry area's pages (CR4.PGE on), else 0. */
  entryGlobal: u64 = 0;
  tableFrames: u32 = 0;
}
const state = new KernelSpaceState();

/** Physical address of the kernel's PML4 (0 before kernelSpaceInit). */
export function kernelPml4(): u64 {
  return state.pml4;
}

/** PAGE_NO_EXECUTE if the CPU supports it (EFER.NXE is then on), else 0. */
export function noExecuteFlag(): u64 {
  return state.noExecute;
}

/** PAGE_GLOBAL for a new kernel mapping outside the entry area, or 0 (isolation on, or no
 * CR4.PGE): a global page stays in the TLB across CR3 loads, user-mode ones included. */
export function kernelGlobalFlag(): u64 {
  return state.global;
}

function allocateTable(): u64 {
  const frame = frameAllocateZeroed();
  if (frame != 0) state.tableFrames++;
  return frame;
}

/** Copies one page table (a level-1 table of the direct map), adding no-execute. */
function copyLeafTable(source: u64): u64 {
  const copy = allocateTable();
  if (copy == 0) return 0;
  const added = state.noExecute | state.global;   // a local: the loop's stores could alias the state
  for (let i: u64 = 0; i < 512; i++) {
    const entry = readEntry(source, i);
    writeEntry(copy, i, entry & PAGE_PRESENT ? entry | added : 0);
  }
  return copy;
}

/** Copies one page directory of the direct map with its page tables. */
function copyDirectory(source: u64): u64 {
  const copy = allocateTable();
  if (copy == 0) return 0;
  const added = state.noExecute | state.global;
  for (let i: u64 = 0; i < 512; i++) {
    const entry = readEntry(source, i);
    if (!(entry & PAGE_PRESENT)) continue;
    if (entry & PAGE_HUGE) {
      writeEntry(copy, i, entry | added);
      continue;
    }
    const table = copyLeafTable(entry & PAGE_ADDRESS_MASK);
    if (table == 0) return 0;
    writeEntry(copy, i, table | (entry & ~PAGE_ADDRESS_MASK));
  }
  return copy;
}

/** Makes the direct-map alias of [start, end) (physical, page-aligned) read-only, splitting a
 * 2 MiB page into 4 KiB pages where the range covers only part of it. */
function protectAlias(directPdpt: u64, start: u64, end: u64): KernelError {
  for (let physical = start; physical < end; physical += PAGE_SIZE) {
    const directory = readEntry(directPdpt, physical >> 30) & PAGE_ADDRESS_MASK;
    if (directory == 0) continue;
    const directoryIndex = (physical >> 21) & 511;
    let entry = readEntry(directory, directoryIndex);
    if (!(entry & PAGE_PRESENT)) continue;
    if (entry & PAGE_HUGE) {
      const table = allocateTable();
      if (table == 0) return KernelError.OutOfMemory;
      const base = entry & PAGE_ADDRESS_MASK & ~(HUGE_PAGE_SIZE - 1);
      const flags = PAGE_PRESENT | PAGE_WRITABLE | state.noExecute | state.global;
      for (let i: u64 = 0; i < 512; i++) writeEntry(table, i, (base + (i << 12)) | flags);
      entry = table | PAGE_PRESENT | PAGE_WRITABLE;
      writeEntry(directory, directoryIndex, entry);
    }
    const table = entry & PAGE_ADDRESS_MASK;
    const tableIndex = (physical >> 12) & 511;
    const leaf = readEntry(table, tableIndex);
    if (leaf & PAGE_PRESENT) writeEntry(table, tableIndex, leaf & ~PAGE_WRITABLE);
  }
  return KernelError.None;
}

function enableNoExecute(): void {
  const registers = memory.data(16, 4);
  cpuid(CPUID_EXTENDED_FEATURES, 0, registers);
  if (load<u32>(registers, 12) & CPUID_EDX_NO_EXECUTE) {
    writeMsr(EFER, readMsr(EFER) | EFER_NO_EXECUTE_ENABLE);
    state.noExecute = PAGE_NO_EXECUTE;
  }
}

/** The kernel image's layout, as the C side reports it. */
export function imageLayout(): KernelImageLayout {
  const layout = changetype<KernelImageLayout>(memory.data(KERNEL_IMAGE_LAYOUT_BYTES, 8));
  if (layout.virtualOffset == 0) kernelImageLayout(changetype<usize>(layout));
  return layout;
}

/** Chooses the process-switch strategy and isolation (`switch=`, `isolation=`), builds the
 * kernel address space, switches to it and logs it; failure is a boot panic. */
export function kernelSpaceInit(commandLine: CommandLine): void {
  const choice = addressSwitchInit(commandLine.get("switch"), commandLine.get("isolation"));
  state.entryGlobal = choice.globalPages ? PAGE_GLOBAL : 0;
  state.global = choice.isolation ? 0 : state.entryGlobal;
  const error = kernelSpaceBuild();
  if (error != KernelError.None) {
    logLine(LogLevel.Error).text("paging: kernel address space not built: ").text(kernelErrorName(error));
    logEnd();
    abort("kernelSpaceInit: no kernel address space");
    return;
  }
  logLine().text("paging: kernel address space at ").hex(state.pml4).text(", ").decimal(state.tableFrames)
    .text(" table frames, no-execute ").text(state.noExecute != 0 ? "on" : "unsupported by this CPU");
  logEnd();
}

/** Builds the kernel address space and switches to it. On error nothing has been switched. */
function kernelSpaceBuild(): KernelError {
  enableNoExecute();
  patInit(); // before the CR3 load below, which flushes the TLB (pat.ts)
  const layout = imageLayout();

  const pml4 = allocateTable();
  if (pml4 == 0) return KernelError.OutOfMemory;
  for (let index: u64 = 256; index < 512; index++) {
    const pdpt = allocateTable();
    if (pdpt == 0) return KernelError.OutOfMemory;
    writeEntry(pml4, index, pdpt | PAGE_PRESENT | PAGE_WRITABLE);
  }

  const bootPml4 = readControlRegister(3) & PAGE_ADDRESS_MASK;
  const bootDirectPdpt = readEntry(bootPml4, DIRECT_MAP_PML4_INDEX) & PAGE_ADDRESS_MASK;
  const directPdpt = readEntry(pml4, DIRECT_MAP_PML4_INDEX) & PAGE_ADDRESS_MASK;
  for (let gigabyte: u64 = 0; gigabyte < DIRECT_MAP_GIGABYTES; gigabyte++) {
    const entry = readEntry(bootDirectPdpt, gigabyte);
    if (!(entry & PAGE_PRESENT)) continue;
    const directory = copyDirectory(entry & PAGE_ADDRESS_MASK);
    if (directory == 0) return KernelError.OutOfMemory;
    writeEntry(directPdpt, gigabyte, directory | PAGE_PRESENT | PAGE_WRITABLE);
  }
  const imagePhysicalStart = layout.textStart - layout.virtualOffset;
  const imagePhysicalEnd = layout.imageEnd - layout.virtualOffset;
  const protectError = protectAlias(directPdpt, imagePhysicalStart, imagePhysicalEnd);
  if (protectError != KernelError.None) return protectError;

  for (let virtual = layout.textStart; virtual < layout.imageEnd; virtual += PAGE_SIZE) {
    const kind = imagePageKind(layout, virtual);
    if (kind == ImagePage.Unmapped) continue;
    let flags = imagePageFlags(kind) | (imagePageInEntryArea(layout, virtual) ? state.entryGlobal : state.global);
    if (state.noExecute == 0) flags &= ~PAGE_NO_EXECUTE;
    const error = mapPage(pml4, virtual, virtual - layout.virtualOffset, flags);
    if (error != KernelError.None) return error;
  }

  writeControlRegister(3, pml4);
  state.pml4 = pml4;
  // PGE only now that the kernel's own pages are the global ones (turning it on flushes the TLB).
  const choice = addressSwitch();
  let cr4 = readControlRegister(4);
  if (choice.globalPages) cr4 |= CR4_GLOBAL_PAGES;
  if (choice.strategy == SwitchStrategy.Pcid) cr4 |= CR4_PCID;   // CR3 holds PCID 0 now
  writeControlRegister(4, cr4);
  return KernelError.None;
}


/** Maps [start, end) (physical, below 4 GiB) read-only and no-execute into the direct map where
 * it is not mapped yet: firmware tables that the firmware map calls reserved (SeaBIOS keeps its
 * ACPI tables in such a range). Errors: InvalidArgument, OutOfMemory. */
export function directMapAddReadOnly(start: u64, end: u64): KernelError {
  if (start >= end || end > DIRECT_MAP_LIMIT || state.pml4 == 0) return KernelError.InvalidArgument;
  for (let physical = start & ~(PAGE_SIZE - 1); physical < end; physical += PAGE_SIZE) {
    if (physical == 0) continue; // page 0 stays unmapped
    const error = mapPage(state.pml4, DIRECT_MAP_BASE + physical, physical, state.noExecute | state.global);
    if (error != KernelError.None && error != KernelError.AlreadyMapped) return error;
  }
  return KernelError.None;
}

/** Calls `add(start, end)` for every run of physical memory the direct map of `pml4` covers
 * (the boot tables' before kernelSpaceInit: pass readControlRegister(3)). */
export function directMapRuns(pml4: u64, add: (start: u64, end: u64) => void): void {
  const pdpt = readEntry(pml4 & PAGE_ADDRESS_MASK, DIRECT_MAP_PML4_INDEX) & PAGE_ADDRESS_MASK;
  let runStart: u64 = 0, runEnd: u64 = 0;
  for (let gigabyte: u64 = 0; gigabyte < DIRECT_MAP_GIGABYTES; gigabyte++) {
    const directoryEntry = readEntry(pdpt, gigabyte);
    for (let index: u64 = 0; index < 512; index++) {
      const base = (gigabyte << 30) | (index << 21);
      const entry = directoryEntry & PAGE_PRESENT ? readEntry(directoryEntry & PAGE_ADDRESS_MASK, index) : 0;
      for (let page: u64 = 0; page < 512; page++) {
        let present = false;
        if (entry & PAGE_PRESENT) present = entry & PAGE_HUGE ? true : (readEntry(entry & PAGE_ADDRESS_MASK, page) & PAGE_PRESENT) != 0;
        const physical = base + (page << 12);
        if (present) {
          if (runEnd != physical) {
            if (runEnd > runStart) add(runStart, runEnd);
            runStart = physical;
          }
          runEnd = physical + PAGE_SIZE;
        }
        if (entry & PAGE_HUGE || !(entry & PAGE_PRESENT)) {
          if (present) runEnd = base + HUGE_PAGE_SIZE;
          break; // the whole 2 MiB chunk is decided by one entry
        }
      }
    }
  }
  if (runEnd > runStart) add(runStart, runEnd);
}
