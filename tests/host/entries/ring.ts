// Host-test entry for the ring path: capEnter (kernel/syscall/cap-enter.ts) and entryProcess
// (kernel/cap/entry.ts) through the real dispatch and objects; tests/host/ring.test.ts drives it.
// setup() boots over a region of the wasm memory, which plays physical memory (docs/DESIGN.md #3):
// fake boot page tables direct-mapping the first GiB, framesInit, kernelSpaceInit, the clock, the
// boot package if modules were added. Then the test makes processes (the first is the caller),
// maps their pages, gives them capabilities, and reads and writes the caller's ring page itself.

import { BootInformation, BootModule } from "../../../kernel/boot/multiboot2";
import { CapabilityTable } from "../../../kernel/cap/capability-table";
import { Interface } from "../../../abi/interfaces";
import { KernelObject, liveObjects as kernelLiveObjects } from "../../../kernel/cap/kernel-object";
import { CAPABILITY_SLOTS_MAXIMUM, ExitKind } from "../../../abi/methods";
import { ConsoleObject } from "../../../kernel/objects/console";
import { MemoryObject } from "../../../kernel/objects/memory";
import { ProcessHandleObject } from "../../../kernel/objects/process-handle";
import { ProcessSpawnerObject } from "../../../kernel/objects/process-spawner";
import { TimerObject } from "../../../kernel/objects/timer";
import { ParkSpaceObject } from "../../../kernel/objects/park-space";
import { ThreadControlObject } from "../../../kernel/objects/thread-control";
import { threadCreate } from "../../../kernel/sched/threads";
import { THREADS_MAXIMUM } from "../../../abi/methods";
import { Ring } from "../../../kernel/cap/ring";
import { USER_LINEAR_BASE, USER_RING_LINEAR } from "../../../abi/layout";
import { logSetLevel } from "../../../kernel/log/log";
import { frameAllocator, frameAllocateZeroed, frameReferences, framesFree as kernelFramesFree } from "../../../kernel/memory/frames";
import { kernelPml4 } from "../../../kernel/memory/kernel-space";
import { heapBudgetSet, heapReserved as kernelHeapReserved, Quota, quotasLive as kernelQuotasLive } from "../../../kernel/memory/quota";
import { THREAD_BYTES } from "../../../kernel/objects/costs";
import { PAGE_ADDRESS_MASK, PAGE_PRESENT, PAGE_SIZE, readEntry, tableIndex } from "../../../kernel/memory/page-table";
import { AddressSpace, KernelErrorCell, UserAccess } from "../../../kernel/vm/address-space";
import { BootProgram, bootPackageInit, bootProgramFind } from "../../../kernel/loader/boot-package";
import { capEnter } from "../../../kernel/syscall/cap-enter";
import { CONTEXT_RAX, contextRead, contextWrite } from "../../../kernel/arch/context";
import { ElfImage } from "../../../kernel/loader/elf";
import { ManifestProgram } from "../../../kernel/loader/manifest";
import { exitValue, Process, processEnd, processesLive as kernelProcessesLive, processNextId, processRegister, processReplaceSpace, ProcessState } from "../../../kernel/sched/process";
import { Backing } from "../../../kernel/vm/regions";
import { PROCESS_CAPABILITY_SLOTS_INITIAL, spawnFramesNeeded as kernelSpawnFramesNeeded } from "../../../kernel/objects/spawn";
import { Thread } from "../../../kernel/sched/thread";
import { timersExpire, timersPending } from "../../../kernel/time/timers";
import { reclaimAll } from "../../../kernel/vm/reclaim";
import { clockInit } from "../../../kernel/time/clock";
import { bootMemory } from "./boot-memory";

/** Room for boot modules (a manifest, ELF images) that the test copies in before setup(). */
const PACKAGE_CAPACITY: i32 = 4 * <i32>PAGE_SIZE;
const PACKAGE = memory.data(PACKAGE_CAPACITY, <i32>PAGE_SIZE);
/** The value capEnter's callers find in rax when capEnter wrote nothing. */
const RAX_UNTOUCHED: u64 = 0x5a5a_5a5a_5a5a_5a5a;


class World {
  information: BootInformation = new BootInformation();
  processes: Process[] = [];
  /** Frames taken by hog(), given back by unhog(). */
  hogged: u64[] = [];
  /** Objects the test follows by number (objectTrack): a pointer only, no reference counted. */
  tracked: KernelObject[] = [];
}
const world = new World();

export { bootTablesAddress } from "./boot-memory";
export function packageAddress(): usize { return PACKAGE; }
export function packageCapacity(): i32 { return PACKAGE_CAPACITY; }
export function raxUntouched(): u64 { return RAX_UNTOUCHED; }
export function memoryBytes(): u64 { return <u64>memory.size() << 16; }

/** A boot module at PACKAGE + offset, before setup(). */
export function addModule(offset: u32, length: u32, name: string): void {
  const module = new BootModule();
  module.start = <u32>PACKAGE + offset;
  module.end = module.start + length;
  module.commandLine = name;
  world.information.modules.push(module);
}

/** Grows the wasm memory to `regionEnd` (the heap has been set up by now, so it never uses the
 * bytes grown here), describes [regionStart, regionEnd) as the only available RAM, and runs the
 * kernel's memory bring-up over it. Returns the frames free afterwards. */
export function setup(regionStart: u32, regionEnd: u32, logLevel: string): u64 {
  bootMemory(regionStart, regionEnd, world.information);
  clockInit(1_000_000_000);   // a TSC of 1 GHz: nanoseconds = cycles
  if (world.information.modules.length > 0) bootPackageInit(world.information);
  if (!logSetLevel(logLevel)) abort("test entry: unknown log level");
  heapBudgetSet(HEAP_BUDGET);
  return kernelFramesFree();
}

/** The heap budget of the tests (memory/quota.ts): far more than they use, unless one sets less. */
const HEAP_BUDGET: u64 = 64 << 20;
/** Each test process's account, in pages. */
const ACCOUNT_PAGES: u64 = 1 << 20;

/** Sets the heap budget every quota draws on (bytes). */
export function setHeapBudget(bytes: u64): void { heapBudgetSet(bytes); }
/** Kernel heap bytes reserved now, over every quota. */
export function heapReserved(): u64 { return kernelHeapReserved(); }

// --- processes ----------------------------------------------------------------------------------

/** A process with an empty address space but for its ring page, a zeroed context frame and an
 * empty table of 64 slots, registered like a spawned one. Its program is made up: `name`, and
 * the manifest cap `quotaPages`. Returns its index (0 is the caller of enter()). */
export function processCreate(name: string, quotaPages: u32): i32 {
  const policy = new ManifestProgram();
  policy.name = name;
  policy.memoryQuotaPages = quotaPages;
  policy.grantMask = 0x3e;
  const program = new BootProgram(name, policy, 0, new ElfImage());
  const space = AddressSpace.create();
  if (space === null) abort("test entry: no frame for a PML4");
  const error = new KernelErrorCell();
  const ringPage = space!.mapNew(USER_LINEAR_BASE + <u64>USER_RING_LINEAR, UserAccess.ReadWrite, error);
  const context = frameAllocateZeroed();
  if (ringPage == 0 || context == 0) abort("test entry: no frame for a ring or a context");
  // Its account: a quota of its own, large enough for anything a test does (the harness lets go
  // of its reference at once: the process holds it until its end).
  const account = new Quota(ACCOUNT_PAGES);
  const process = new Process(processNextId(), program, space!, CapabilityTable.create(PROCESS_CAPABILITY_SLOTS_INITIAL, <i32>CAPABILITY_SLOTS_MAXIMUM, account)!, account);
  account.release();
  process.threads[0] = new Thread(process, 0, context, new Ring(ringPage));
  processRegister(process);
  world.processes.push(process);
  return world.processes.length - 1;
}

function processAt(index: i32): Process { return world.processes[index]; }
function caller(): Process { return world.processes[0]; }
function callerThread(): Thread { return caller().threads[0]!; }

let lastMapError: i32 = 0;
/** Maps a new zeroed page at user address `virtual` in process `index` (access: UserAccess);
 * returns its frame, or 0 (the error is then in mapError). */
export function mapUser(index: i32, virtual: u64, access: i32): u64 {
  const error = new KernelErrorCell();
  const frame = processAt(index).space.mapNew(virtual, <UserAccess>access, error);
  lastMapError = error.value;
  return frame;
}
export function mapError(): i32 { return lastMapError; }

/** Replaces process `index`'s space whole (processReplaceSpace) with a new one holding one
 * zeroed read-write page at `virtual`; the error. */
export function replaceSpace(index: i32, virtual: u64): i32 {
  const next = AddressSpace.create();
  if (next === null) abort("test entry: no frame for a PML4");
  const error = new KernelErrorCell();
  if (next!.mapNew(virtual, UserAccess.ReadWrite, error) == 0) abort("test entry: no frame for the page");
  next!.addRegion(virtual, virtual + PAGE_SIZE, UserAccess.ReadWrite, Backing.Fixed);
  return processReplaceSpace(processAt(index), next!);
}

/** Where user address `virtual` of process `index` lies in linear memory, or -1 when no page is
 * mapped there. The leaf's other bits come from userFlags. */
export function userPhysical(index: i32, virtual: u64): i64 {
  const leaf = processAt(index).space.leaf(virtual & ~(PAGE_SIZE - 1));
  if ((leaf & 1) == 0) return -1;
  return <i64>((leaf & PAGE_ADDRESS_MASK) + (virtual & (PAGE_SIZE - 1)));
}
export function userFlags(index: i32, virtual: u64): u64 { return processAt(index).space.leaf(virtual & ~(PAGE_SIZE - 1)) & ~PAGE_ADDRESS_MASK; }

/** Frames process `index` holds, counted from its page tables: the PML4, every table of the
 * lower half, every leaf frame it alone holds (not the boot package's shared pages), and its
 * context frame.
 * 0 once it has ended. */
export function processFrames(index: i32): u32 {
  const process = processAt(index);
  return process.state == ProcessState.Ended ? 0 : 1 + tableFrames(process.space.pml4, 3, 256) + 1;
}
function tableFrames(table: u64, level: i32, count: u64): u32 {
  let frames: u32 = 0;
  for (let i: u64 = 0; i < count; i++) {
    const entry = load<u64>(<usize>(table + i * 8));
    if ((entry & 1) == 0) continue;
    if (level > 0) frames += 1 + tableFrames(entry & PAGE_ADDRESS_MASK, level - 1, 512);
    else if (frameReferences(entry & PAGE_ADDRESS_MASK) == 1) frames++;
  }
  return frames;
}
export function processEnded(index: i32): bool { return processAt(index).state == ProcessState.Ended; }
export function processExitValue(index: i32): u64 { return exitValue(processAt(index)); }
export function processId(index: i32): u32 { return processAt(index).id; }
export function processLinearEnd(index: i32): u64 { return processAt(index).linearEnd; }
export function setProcessLinearEnd(index: i32, end: u64): void { processAt(index).linearEnd = end; }
export function processPagesCharged(index: i32): u64 { return processAt(index).pagesCharged; }
export function processKill(index: i32): void {
  processEnd(processAt(index), ExitKind.Killed, -9);
  reclaimAll();
}
export function processesLive(): i32 { return kernelProcessesLive(); }

// --- capabilities -------------------------------------------------------------------------------

function give(index: i32, object: KernelObject): u64 {
  const handle = processAt(index).table.insert(object);
  if (handle == 0) abort("test entry: table full");
  return handle;
}
export function grantConsole(index: i32): u64 { return give(index, new ConsoleObject()); }
export function grantTimer(index: i32): u64 { return give(index, new TimerObject()); }
export function grantMemory(index: i32, quota: u64): u64 { return give(index, new MemoryObject(quota)); }
export function grantSpawner(index: i32): u64 { return give(index, new ProcessSpawnerObject()); }
/** A ProcessHandle on process `target`, in the table of process `index`. */
export function grantProcessHandle(index: i32, target: i32): u64 { return give(index, new ProcessHandleObject(processAt(target))); }
/** The same object as `handle` names in `from`'s table, inserted again in `index`'s table. */
export function grantSame(index: i32, from: i32, handle: u64): u64 { return give(index, processAt(from).table.lookup(handle)!); }

export function tableCount(index: i32): i32 { return processAt(index).table.count; }
export function tableFreeSlots(index: i32): i32 { return processAt(index).table.freeSlots(); }
export function interfaceOf(index: i32, handle: u64): i32 { return processAt(index).table.interfaceOf(handle); }
export function handleAt(index: i32, slot: i32): u64 { return processAt(index).table.handleAt(slot); }
export function liveObjects(iface: i32): i32 { return kernelLiveObjects(<Interface>iface); }
export function quotasLive(): i32 { return kernelQuotasLive(); }

export function memoryUsed(index: i32, handle: u64): u64 { return changetype<MemoryObject>(processAt(index).table.lookup(handle)!).used; }

/** The process a ProcessHandle in `index`'s table names, added to the processes made here so the
 * test can look at it; returns its index. */
export function adoptChild(index: i32, handle: u64): i32 {
  const object = processAt(index).table.lookup(handle);
  if (object === null || object.iface != Interface.ProcessHandle) abort("test entry: not a ProcessHandle");
  world.processes.push(changetype<ProcessHandleObject>(object).process);
  return world.processes.length - 1;
}
/** Sets the caller's ring indexes as if it had run for a long time: the kernel's own sqHead and
 * cqTail, published, and the process's sqTail and cqHead equal to them (an empty ring). */
export function ringSetIndexes(sqHead: u32, cqTail: u32): void {
  const ring = callerThread().ring;
  if (ring.reserved != 0 || ring.sqHead != load<u32>(<usize>ring.page + 4) || ring.cqTail != load<u32>(<usize>ring.page + 8)) {
    abort("test entry: ringSetIndexes on a ring in use");
  }
  ring.sqHead = sqHead;
  ring.cqTail = cqTail;
  store<u32>(<usize>ring.page, sqHead);
  store<u32>(<usize>ring.page + 4, sqHead);
  store<u32>(<usize>ring.page + 8, cqTail);
  store<u32>(<usize>ring.page + 12, cqTail);
}
export function ringPage(index: i32): u64 { return processAt(index).threads[0]!.ring.page; }
export function contextFrame(index: i32): u64 { return processAt(index).threads[0]!.context; }

// --- the ring -----------------------------------------------------------------------------------

/** cap_enter(minimum, timeout) for the caller; returns its rax (RAX_UNTOUCHED if not written). */
export function enter(minimum: u64, timeout: u64): u64 {
  const thread = callerThread();
  contextWrite(<usize>thread.context, CONTEXT_RAX, RAX_UNTOUCHED);
  capEnter(thread, minimum, timeout);
  reclaimAll();   // what kernelSchedule does a step at a time between entries
  return contextRead(<usize>thread.context, CONTEXT_RAX);
}
export function rax(): u64 { return contextRead(<usize>callerThread().context, CONTEXT_RAX); }
export function kernelSqHead(): u32 { return callerThread().ring.sqHead; }
export function kernelCqTail(): u32 { return callerThread().ring.cqTail; }
export function ringReserved(): u32 { return callerThread().ring.reserved; }
export function threadState(index: i32): i32 { return processAt(index).threads[0] !== null ? processAt(index).threads[0]!.state : -1; }
/** From the tick: fires the deadlines that passed (the test moves the fake TSC first). */
export function tick(): void {
  timersExpire();
  reclaimAll();
}
export function timeoutsPending(): i32 { return timersPending(); }

// --- frames -------------------------------------------------------------------------------------

/** Free frames once every ended space is torn down (the kernel does that between entries). */
export function framesFree(): u64 {
  reclaimAll();
  return kernelFramesFree();
}
/** Takes `count` frames out of the allocator (to make it run short); returns how many it got. */
export function hog(count: i32): i32 {
  const allocator = frameAllocator()!;
  for (let i = 0; i < count; i++) {
    const frame = allocator.allocate();
    if (frame == 0) return i;
    world.hogged.push(frame);
  }
  return count;
}
export function unhog(): void {
  const allocator = frameAllocator()!;
  while (world.hogged.length > 0) {
    if (allocator.free(world.hogged.pop()) != 0) abort("test entry: a hogged frame did not go back");
  }
}
export function kernelPml4Address(): u64 { return kernelPml4(); }
export function spawnFramesNeeded(name: string): u64 {
  const program = bootProgramFind(name);
  return program === null ? 0 : kernelSpawnFramesNeeded(program);
}

// --- threads, more rings, objects followed (tests/host/ring-ipc.test.ts) -------------------------

function threadAt(index: i32, thread: i32): Thread {
  const found = processAt(index).threads[thread];
  if (found === null) abort("test entry: no such thread");
  return found!;
}

/** A new thread of process `index` through the kernel's threadCreate (its ring at linear page
 * 1 + thread, its stack, a ThreadControl in the table listed in its startup block); returns its
 * thread index. */
export function threadAdd(index: i32): i32 {
  const process = processAt(index);
  let free = -1;
  for (let i = 0; i < <i32>THREADS_MAXIMUM && free < 0; i++) if (process.threads[i] === null) free = i;
  if (free < 0) abort("test entry: no free thread index");
  const control = new ThreadControlObject();
  const handle = give(index, control);
  control.thread = threadCreate(process, free, 0, 0, 0, handle, THREAD_BYTES);
  return free;
}
/** A ThreadControl on thread `thread` of process `index`, in that process's table. */
export function grantThreadControl(index: i32, thread: i32): u64 {
  const control = new ThreadControlObject();
  control.thread = threadAt(index, thread);
  return give(index, control);
}
/** A ParkSpace on process `target`'s memory, in process `index`'s table. */
export function grantParkSpace(index: i32, target: i32): u64 { return give(index, new ParkSpaceObject(processAt(target))); }

/** cap_enter(minimum, timeout) for thread `thread` of process `index`; returns its rax. */
export function enterAs(index: i32, thread: i32, minimum: u64, timeout: u64): u64 {
  const target = threadAt(index, thread);
  contextWrite(<usize>target.context, CONTEXT_RAX, RAX_UNTOUCHED);
  capEnter(target, minimum, timeout);
  reclaimAll();
  return contextRead(<usize>target.context, CONTEXT_RAX);
}
export function raxOf(index: i32, thread: i32): u64 { return contextRead(<usize>threadAt(index, thread).context, CONTEXT_RAX); }
export function threadRingPage(index: i32, thread: i32): u64 { return threadAt(index, thread).ring.page; }
export function threadReserved(index: i32, thread: i32): u32 { return threadAt(index, thread).ring.reserved; }
/** The thread's state (ThreadState), or -1 once its slot is empty. */
export function threadStateAt(index: i32, thread: i32): i32 {
  const found = processAt(index).threads[thread];
  return found === null ? -1 : found.state;
}

/** The reference count of the object `handle` names in `index`'s table, or -1 if none. */
export function objectReferences(index: i32, handle: u64): i32 {
  const object = processAt(index).table.lookup(handle);
  return object === null ? -1 : <i32>object.references;
}
/** Follows the object `handle` names (the test keeps watching it after it leaves the table);
 * returns its number for trackedReferences. */
export function objectTrack(index: i32, handle: u64): i32 {
  const object = processAt(index).table.lookup(handle);
  if (object === null) abort("test entry: objectTrack on no capability");
  world.tracked.push(object!);
  return world.tracked.length - 1;
}
export function trackedReferences(id: i32): u32 { return world.tracked[id].references; }
/** Whether `handle` in `index`'s table names the tracked object `id`. */
export function namesTracked(index: i32, handle: u64, id: i32): bool { return processAt(index).table.lookup(handle) === world.tracked[id]; }

/** Sets the generation of the slot the next insert in process `index`'s table takes (test only:
 * CapabilityTable.ageSlot); returns that slot. */
export function tableAgeNextSlot(index: i32, generation: u32): i32 {
  const table = processAt(index).table;
  const slot = table.peekFree();
  if (slot < 0 || !table.ageSlot(slot, generation)) abort("test entry: no free slot to age");
  return slot;
}
