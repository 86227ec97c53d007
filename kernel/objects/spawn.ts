// Making a process from a boot program: a new address space with the image's read-only segments
// mapped from the boot package's one copy and its writable ones copied (text read-only, data
// no-execute), a guarded native stack, the ring page inside linear memory,
// a context frame, and a capability table holding exactly the granted objects, in order, which
// the startup block of the ring lists. spawnFramesNeeded is the decode-side bound that makes
// processSpawn (the invoke side) unable to run out of frames.

import { CapabilityTable, capabilityTableBytes } from "../cap/capability-table";
import { arrayBytes, instanceBytes, staticArrayBytes } from "../memory/heap-cost";
import { Quota } from "../memory/quota";
import { PROCESS_BYTES, THREAD_BYTES, THREAD_CONTROL_BYTES } from "./costs";
import { interfaceName } from "../../abi/interfaces";
import { KernelObject } from "../cap/kernel-object";
import { RING_TEST_RING_PHYSICAL } from "../../abi/ring";
import { CAPABILITY_SLOTS_MAXIMUM } from "../../abi/methods";
import { Interface } from "../../abi/interfaces";
import { ParkSpaceObject } from "./park-space";
import { ThreadControlObject } from "./thread-control";
import { ThreadSpawnerObject } from "./thread-spawner";
import { threadCreate, threadFramesNeeded } from "../sched/threads";
import { logEnd, LogLevel, logLine } from "../log/log";
import { PAGE_SIZE } from "../memory/page-table";
import { AddressSpace, KernelErrorCell, UserAccess } from "../vm/address-space";
import { Backing, regionsBytes } from "../vm/regions";
import { vmClone } from "../vm/mappings";
import { BootProgram } from "../loader/boot-package";
import { Process, processNextId, processRegister } from "../sched/process";
import { Personality } from "../sched/personality";
import { LINUX_ARGUMENTS_MAXIMUM, LINUX_ENVIRONMENT, linuxArgumentsBytes, LinuxImage, linuxImageMap, linuxStrings } from "../loader/linux-image";
import { generatorFill } from "../random/generator";
import { CONTEXT_RAX, CONTEXT_RSP, CONTEXT_SIZE, contextRead, contextWrite } from "../arch/context";
import { contextSaveFpu } from "../arch/hw";
import { Thread } from "../sched/thread";

/** Makes a Linux process's personality state once its image is loaded: kernel/linux/ registers
 * it at boot (spawnLinuxRegister), since that layer sits above this one. */
export type LinuxPersonalityMaker = (process: Process, image: LinuxImage) => Personality;

class SpawnState {
  /** Test runs only: each ring's startup block tells its physical address (ring.md). */
  exposeRingPhysical: bool = false;
  /** The Linux personality's maker and the heap bytes one costs (null: no Linux programs). */
  linuxMaker: LinuxPersonalityMaker | null = null;
  linuxBytes: u64 = 0;
  /** AT_RANDOM's 16 bytes, filled per spawn. */
  readonly random: usize = memory.data(16, 16);
}
const state = new SpawnState();

/** Set once at boot by the Linux layer. */
export function spawnLinuxRegister(maker: LinuxPersonalityMaker, bytes: u64): void {
  state.linuxMaker = maker;
  state.linuxBytes = bytes;
}

/** Whether `program` can be spawned here: a Linux program needs the Linux layer. */
export function spawnSupported(program: BootProgram): bool {
  return !program.policy.linux || state.linuxMaker !== null;
}

/** Set once at boot when the command line selected a test run. */
export function spawnExposeRingPhysical(expose: bool): void {
  state.exposeRingPhysical = expose;
}

function pushPair(list: u64[], handle: u64, iface: u32): void {
  list.push(handle);
  list.push(iface);
}

function insertOrAbort(table: CapabilityTable, object: KernelObject): u64 {
  const handle = table.insert(object);
  if (handle == 0) abort("processSpawn: grants do not fit the table");
  return handle;
}

/** Capability slots a process's table starts with; it grows on demand to CAPABILITY_SLOTS_MAXIMUM. */
export const PROCESS_CAPABILITY_SLOTS_INITIAL: i32 = 32;

@inline function pageDown(address: u64): u64 { return address & ~(PAGE_SIZE - 1); }
@inline function pageUp(address: u64): u64 { return (address + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }

/** The most kernel heap bytes processSpawn(program) charges its account: the process's and first
 * thread's records and objects, the table's first slots, and the space's lists (a run of leaf
 * entries per 2 MiB each segment spans, plus two, and the first thread's stack and ring). */
export function spawnBytesNeeded(program: BootProgram): u64 {
  let runs: u64 = 4;
  const segments = program.image.segments;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    runs += (pageUp(segment.virtual + segment.memorySize) - pageDown(segment.virtual)) / (2 << 20) + 2;
  }
  // A Linux process: its personality, the stack's region, and the first stack's staging copy.
  const linux = program.policy.linux ? state.linuxBytes + regionsBytes(1) + LINUX_ARGUMENTS_MAXIMUM + 8192 : 0;
  return PROCESS_BYTES + THREAD_BYTES + THREAD_CONTROL_BYTES + capabilityTableBytes(PROCESS_CAPABILITY_SLOTS_INITIAL)
    + instanceBytes<AddressSpace>() + 2 * staticArrayBytes<u64>(8) + arrayBytes<u64>(512) + 2 * arrayBytes<u64>(runs * 3)
    + regionsBytes(segments.length + 2) + linux;
}

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
  return pages + tables + threadFramesNeeded() + 3;
}

/** The most frames and heap bytes processFork(parent) can take, and its account pay for: the
 * clone's page tables (at most the parent's, whoever pays for those) and the pages its account
 * pays for (at most the parent's ownedFrames), a thread, and the records of processSpawn. */
export function forkFramesNeeded(parent: Process): u64 {
  return parent.space.tables + parent.space.ownedFrames + threadFramesNeeded() + 1;
}
export function forkBytesNeeded(parent: Process, grants: i32): u64 {
  return PROCESS_BYTES + THREAD_BYTES + THREAD_CONTROL_BYTES + capabilityTableBytes(tableSlotsFor(grants)) + startupExtraBytes(grants)
    + parent.space.heapBytes() + regionsBytes(2) + 1024;
}

/** What the startup list of a process with `grants` costs past the 64 entries PROCESS_BYTES pays
 * for (two a capability; a fork of a process with many descriptors). */
function startupExtraBytes(grants: i32): u64 {
  const entries = 2 * (grants + OWN_CAPABILITIES);
  if (entries <= 64) return 0;
  let capacity = 64;
  while (capacity < entries) capacity <<= 1;
  return arrayBytes<u64>(<u64>capacity) - arrayBytes<u64>(64);
}

/** Capabilities every process's table holds besides its grants: its ThreadSpawner, ParkSpace and
 * first thread's ThreadControl. */
const OWN_CAPABILITIES: i32 = 3;

/** The slots a new table starts with to hold `grants` and the process's own capabilities: the
 * first size, or the power of two that fits them (a fork of a process with many descriptors). */
export function tableSlotsFor(grants: i32): i32 {
  let slots = PROCESS_CAPABILITY_SLOTS_INITIAL;
  while (slots < grants + OWN_CAPABILITIES && slots < <i32>CAPABILITY_SLOTS_MAXIMUM) slots <<= 1;
  return slots;
}

/** Whether a table can hold `grants` and the process's own capabilities. */
export function grantsFit(grants: i32): bool {
  return grants + OWN_CAPABILITIES <= <i32>CAPABILITY_SLOTS_MAXIMUM;
}

/** A copy of `parent` made by its ThreadSpawner (fork): a copy-on-write clone of its space
 * (vm/mappings.ts; its rings left out), a table holding exactly `grants` and the child's own
 * ThreadSpawner and ParkSpace, and one thread starting at native `entry` with rdi = `argument`
 * (as ThreadSpawner.spawn starts a thread, on the first thread's ring and stack slot). Charged to
 * `account`. The caller checked forkFramesNeeded against free frames,
 * account.kernelFits(forkBytesNeeded, forkFramesNeeded) and vmCloneCheck; failure here is a
 * kernel bug. */
export function processFork(parent: Process, entry: u64, argument: u64, grants: KernelObject[], account: Quota): Process {
  const error = new KernelErrorCell();
  const space = vmClone(parent.space, error);
  if (space === null) abort("processFork: the clone decode checked failed");
  const process = processStart(parent.program, space!, grants, account, entry, argument, 0);
  process.linearEnd = parent.linearEnd;
  return process;
}

/** A copy of Linux process `parent` (fork, clone without thread flags): a copy-on-write clone of
 * its space, a table holding exactly `grants` (the capabilities its descriptors and memory name,
 * in the order the caller maps them), and one thread resuming where `thread` is: a copy of its
 * registers and SSE state, with rax = 0 (the child's side of fork's answer). Charged to
 * `account`; the caller checked forkFramesNeeded against free frames,
 * account.kernelFits(forkBytesNeeded + its personality, forkFramesNeeded) and vmCloneCheck. The
 * caller gives it its personality. */
export function processForkLinux(parent: Process, thread: Thread, grants: KernelObject[], account: Quota): Process {
  const error = new KernelErrorCell();
  const space = vmClone(parent.space, error);
  if (space === null) abort("processForkLinux: the clone decode checked failed");
  const stack = contextRead(<usize>thread.context, CONTEXT_RSP);
  const process = processStart(parent.program, space!, grants, account, 0, 0, 0, stack != 0 ? stack : 1);
  const child = process.threads[0]!;
  contextSaveFpu(thread.context);
  memory.copy(<usize>child.context, <usize>thread.context, CONTEXT_SIZE);
  contextWrite(<usize>child.context, CONTEXT_RAX, 0);
  return process;
}

/** Makes and starts the process, charged to `account`. The caller checked spawnFramesNeeded
 * against free frames, account.kernelFits(spawnBytesNeeded, spawnFramesNeeded), and that `grants`
 * fit the table; failure here is a kernel bug. */
export function processSpawn(program: BootProgram, grants: KernelObject[], argument: u32, account: Quota, words: string[] = []): Process {
  const space = AddressSpace.create();
  if (space === null) abort("processSpawn: no frame for a page table");
  if (program.policy.linux) return linuxSpawn(program, space!, grants, account, words);
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
      space!.addRegion(pageDown(segment.virtual), page, access, Backing.Image);
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
    space!.addRegion(pageDown(segment.virtual), pageUp(segment.virtual + segment.memorySize), access, Backing.Fixed);
  }
  return processStart(program, space!, grants, account, program.image.entry, 0, argument);
}

/** A Linux program: its image and first stack as Linux lays them out (loader/linux-image.ts), argv
 * its name and `words`, its personality made by the Linux layer. Its Anonymous pages (writable
 * segments, stack) are charged to `account`. */
function linuxSpawn(program: BootProgram, space: AddressSpace, grants: KernelObject[], account: Quota, words: string[]): Process {
  const argv = linuxStrings([program.name]);
  for (let i = 0; i < words.length && linuxArgumentsBytes(argv, []) < LINUX_ARGUMENTS_MAXIMUM / 2; i++) argv.push(String.UTF8.encode(words[i], true));
  const envp = linuxStrings(LINUX_ENVIRONMENT);
  generatorFill(state.random, 16);
  const image = linuxImageMap(space, program, account, argv, envp, state.random);
  const process = processStart(program, space, grants, account, image.entry, 0, 0, image.stackPointer);
  process.personality = state.linuxMaker!(process, image);
  return process;
}

/** The rest of a spawn or a fork: the table, the process, its first thread at `entry` (rdi =
 * `rdi`, the startup block's argument `argument`; a Linux thread's stack at `linuxStack`). */
function processStart(program: BootProgram, space: AddressSpace, grants: KernelObject[], account: Quota, entry: u64, rdi: u64, argument: u32,
  linuxStack: u64 = 0): Process {
  const table = CapabilityTable.create(tableSlotsFor(grants.length), <i32>CAPABILITY_SLOTS_MAXIMUM, account);
  if (table === null) abort("processSpawn: no capability table");

  const id = processNextId();
  const process = new Process(id, program, space, table!, account);
  process.accountCharge(PROCESS_BYTES + startupExtraBytes(grants.length), 0);
  // The granted objects in order, then what every process holds on itself: a ThreadSpawner and
  // a ParkSpace for its own threads and memory (they reach nothing outside it).
  const startup = process.startupGrants;
  for (let i = 0; i < grants.length; i++) pushPair(startup, insertOrAbort(table!, grants[i]), grants[i].iface);
  const spawner = new ThreadSpawnerObject(process), parkSpace = new ParkSpaceObject(process);
  pushPair(startup, insertOrAbort(table!, spawner), Interface.ThreadSpawner);
  pushPair(startup, insertOrAbort(table!, parkSpace), Interface.ParkSpace);
  const control = new ThreadControlObject();
  control.chargeTo(account, THREAD_CONTROL_BYTES);
  const thread = threadCreate(process, 0, entry, rdi, argument, insertOrAbort(table!, control), THREAD_BYTES, linuxStack);
  control.thread = thread;
  if (state.exposeRingPhysical) store<u32>(<usize>thread.ring.page + RING_TEST_RING_PHYSICAL, <u32>thread.ring.page);
  processRegister(process);

  const line = logLine(LogLevel.Debug).text("process ").decimal(id).text(" (").text(program.name).text(") started, ring frame ")
    .hex(thread.ring.page).text(", context ").hex(thread.context).text(", with");
  for (let i = 0; i < grants.length; i++) line.text(" ").text(interfaceName(grants[i].iface));
  logEnd();
  return process;
}
