// The kernel's memory bring-up over a region of the wasm memory, which plays physical memory
// (docs/DESIGN.md #3), as the host-test entries that need frames and address spaces do it
// (ring.ts, address-switch.ts, vm.ts): the boot page tables C would have built (a PML4, one PDPT,
// one directory of 2 MiB pages mapping the direct map), a memory map holding the region, then the
// frame allocator, the kernel's page tables and the bootstrap CPU's switch state.

import { BootInformation, MemoryMapEntry } from "../../../kernel/boot/multiboot2";
import { CommandLine } from "../../../kernel/boot/command-line";
import { framesInit } from "../../../kernel/memory/frames";
import { kernelSpaceInit } from "../../../kernel/memory/kernel-space";
import { PAGE_SIZE } from "../../../kernel/memory/page-table";
import { userHalfInit } from "../../../kernel/vm/user-half";

/** The boot page tables: PML4, one PDPT, one directory of 2 MiB pages. */
const BOOT_TABLES = memory.data(3 * <i32>PAGE_SIZE, <i32>PAGE_SIZE);
const INFORMATION = memory.data(16, 8);
const PRESENT_WRITABLE: u64 = 0b11;
const HUGE: u64 = 1 << 7;

/** Where the boot page tables are (the test's CR3 at first). */
export function bootTablesAddress(): usize { return BOOT_TABLES; }

/** Grows the wasm memory to `regionEnd` and brings the kernel's memory up over
 * [regionStart, regionEnd), adding that region to `information`'s memory map; `commandLine`
 * goes to the kernel's page tables (switch=, isolation=). */
export function bootMemory(regionStart: u32, regionEnd: u32, information: BootInformation, commandLine: string = ""): void {
  if (<u64>memory.size() << 16 > <u64>regionStart) abort("test entry: the heap already reaches the frame region");
  if (memory.grow(<i32>((regionEnd >> 16) - <u32>memory.size())) < 0) abort("test entry: memory.grow refused");
  const pml4 = <u64>BOOT_TABLES, pdpt = pml4 + PAGE_SIZE, directory = pdpt + PAGE_SIZE;
  store<u64>(<usize>(pml4 + 256 * 8), pdpt | PRESENT_WRITABLE);   // DIRECT_MAP_BASE
  store<u64>(<usize>pdpt, directory | PRESENT_WRITABLE);
  for (let i: u64 = 0; i < 512; i++) store<u64>(<usize>(directory + i * 8), (i << 21) | PRESENT_WRITABLE | HUGE);
  const entry = new MemoryMapEntry();
  entry.base = regionStart;
  entry.length = regionEnd - regionStart;
  entry.type = 1;
  information.memoryMap.push(entry);
  store<u32>(INFORMATION, 16);
  framesInit(information, INFORMATION);
  kernelSpaceInit(CommandLine.parse(commandLine));
  userHalfInit();
}
