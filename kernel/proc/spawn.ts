// Making a process from a boot program: a new address space with the image's read-only segments
// mapped from the boot package's one copy and its writable ones copied (text read-only, data
// no-execute), a guarded native stack, the ring page inside linear memory,
// a context frame, and a capability table holding exactly the granted objects, in order, which
// the startup block of the ring lists. spawnFramesNeeded is the decode-side bound that makes
// processSpawn (the invoke side) unable to run out of frames.

import { CapabilityTable } from "../cap/capability-table";
import { interfaceName } from "../cap/interface";
import { KernelObject } from "../cap/kernel-object";
import { Ring } from "../cap/ring";
import { RING_ARGUMENT, RING_GRANT_COUNT, RING_GRANTS, RING_PROCESS_ID, RING_TEST_RING_PHYSICAL } from "../cap/ring-layout";
import { USER_LINEAR_BASE, USER_RING_LINEAR, USER_STACK_SIZE, USER_STACK_TOP } from "../layout";
import { logEnd, LogLevel, logLine } from "../log/log";
import { frameAllocateZeroed } from "../memory/frames";
import { PAGE_SIZE } from "../memory/page-table";
import { AddressSpace, KernelErrorCell, UserAccess } from "./address-space";
import { BootProgram } from "./boot-package";
import { contextInitialise } from "./context";
import { Process, processNextId, processRegister } from "./process";
import { schedulerReady } from "./scheduler";
import { Thread } from "./thread";

class SpawnState {
  /** Test runs only: each ring's startup block tells its physical address (ring.md). */
  exposeRingPhysical: bool = false;
}
const state = new SpawnState();

/** Set once at boot when the command line selected a test run. */
export function spawnExposeRingPhysical(expose: bool): void {
  state.exposeRingPhysical = expose;
}

/** Capability slots of every process. */
export const PROCESS_CAPABILITY_SLOTS: i32 = 64;

@inline function pageDown(address: u64): u64 { return address & ~(PAGE_SIZE - 1); }
@inline function pageUp(address: u64): u64 { return (address + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }

/** The most frames processSpawn(program) can take: image pages, stack, ring, context, and page
 * tables (a PML4, and per region a PDPT, a PD and one PT per 2 MiB it spans, plus one). */
export function spawnFramesNeeded(program: BootProgram): u64 {
  let pages: u64 = 0, tables: u64 = 1;
  const segments = program.image.segments;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const span = pageUp(segment.virtual + segment.memorySize) - pageDown(segment.virtual);
    if (segment.writable) pages += span / PAGE_SIZE;   // read-only pages are shared
    tables += 2 + span / (2 << 20) + 1;
  }
  const stackPages = USER_STACK_SIZE / PAGE_SIZE;
  return pages + tables + stackPages + 3 + 1 + 3 + 1 + 1;
}

/** Makes and starts the process. The caller checked spawnFramesNeeded against free frames and
 * that `grants` fit the table; failure here is a kernel bug. */
export function processSpawn(program: BootProgram, grants: KernelObject[], argument: u32): Process {
  const space = AddressSpace.create();
  if (space === null) abort("processSpawn: no frame for a page table");
  const error = new KernelErrorCell();
  const segments = program.image.segments;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const access = segment.executable ? UserAccess.ReadExecute : segment.writable ? UserAccess.ReadWrite : UserAccess.Read;
    if (!segment.writable) {
      const shared = program.sharedFrames[i];
      let page = pageDown(segment.virtual);
      for (let p = 0; p < shared.length; p++, page += PAGE_SIZE) {
        if (space!.mapShared(page, shared[p], access, error) == 0) abort("processSpawn: shared page not mapped");
      }
      continue;
    }
    const fileEnd = segment.virtual + segment.fileSize;
    for (let page = pageDown(segment.virtual); page < segment.virtual + segment.memorySize; page += PAGE_SIZE) {
      const frame = space!.mapNew(page, access, error);
      if (frame == 0) abort("processSpawn: image page not mapped");
      const from = max(page, segment.virtual), to = min(page + PAGE_SIZE, fileEnd);
      if (from < to) {
        memory.copy(<usize>(frame + (from - page)), program.imageAddress + <usize>(segment.fileOffset + (from - segment.virtual)), <usize>(to - from));
      }
    }
  }
  for (let page = USER_STACK_TOP - USER_STACK_SIZE; page < USER_STACK_TOP; page += PAGE_SIZE) {
    if (space!.mapNew(page, UserAccess.ReadWrite, error) == 0) abort("processSpawn: stack page not mapped");
  }
  const ringPage = space!.mapNew(USER_LINEAR_BASE + <u64>USER_RING_LINEAR, UserAccess.ReadWrite, error);
  const context = frameAllocateZeroed();
  const table = CapabilityTable.create(PROCESS_CAPABILITY_SLOTS);
  if (ringPage == 0 || context == 0 || table === null) abort("processSpawn: no frame for the ring or context");

  const id = processNextId();
  const process = new Process(id, program, space!, table!);
  store<u32>(<usize>ringPage + RING_PROCESS_ID, id);
  store<u32>(<usize>ringPage + RING_GRANT_COUNT, grants.length);
  store<u32>(<usize>ringPage + RING_ARGUMENT, argument);
  if (state.exposeRingPhysical) store<u32>(<usize>ringPage + RING_TEST_RING_PHYSICAL, <u32>ringPage);
  for (let i = 0; i < grants.length; i++) {
    const handle = table!.insert(grants[i]);
    if (handle == 0) abort("processSpawn: grants do not fit the table");
    store<u32>(<usize>ringPage + RING_GRANTS + <usize>i * 8, handle);
    store<u32>(<usize>ringPage + RING_GRANTS + <usize>i * 8 + 4, grants[i].iface);
  }
  contextInitialise(<usize>context, program.image.entry, USER_STACK_TOP, space!.pml4);
  const thread = new Thread(process, context, new Ring(ringPage));
  process.thread = thread;
  processRegister(process);
  schedulerReady(thread);

  const line = logLine(LogLevel.Debug).text("process ").decimal(id).text(" (").text(program.name).text(") started, ring frame ").hex(ringPage).text(", context ").hex(context).text(", with");
  for (let i = 0; i < grants.length; i++) line.text(" ").text(interfaceName(grants[i].iface));
  logEnd();
  return process;
}
