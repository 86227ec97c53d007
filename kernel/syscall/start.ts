// User space at boot: the boot package is checked, and init is started with one capability of
// each interface its manifest entry grants (a Console, a Timer, a Memory with its quota, a
// ProcessSpawner, a Random, a Network, a BootFiles). From then on, only processes make processes. The boot log says how process
// switches change address spaces and whether page-table isolation is on, and why; test runs
// with isolation walk the first process's user-mode page tables and log what they map.

import { RING_SIZE, RING_TEXT, RING_TEXT_LENGTH, RING_TEXT_MAXIMUM } from "../../abi/ring";
import { linearOf } from "../memory/direct-map";
import { kernelHeapBytes, readControlRegister } from "../arch/hw";
import { addressSwitch, switchStrategyName } from "../arch/address-switch";
import { BootInformation } from "../boot/multiboot2";
import { Interface } from "../../abi/interfaces";
import { KernelObject } from "../cap/kernel-object";
import { BootFilesObject } from "../objects/boot-files";
import { ConsoleObject } from "../objects/console";
import { MemoryObject } from "../objects/memory";
import { ProcessSpawnerObject } from "../objects/process-spawner";
import { NetworkObject } from "../objects/network";
import { RandomObject } from "../objects/random";
import { TimerObject } from "../objects/timer";
import { logEnd, LogLevel, logLine } from "../log/log";
import { framesFree } from "../memory/frames";
import { heapAtSafePoint, heapCapacityBytes, heapLedgerArm, heapUserBudget } from "../memory/heap";
import { heapBudget, heapBudgetSet } from "../memory/quota";
import { KernelError } from "../../abi/errors";
import { CommandLine } from "../boot/command-line";
import { bootPackageInit, bootProgramFind } from "../loader/boot-package";
import { Process } from "../sched/process";
import { userHalfCpu, userHalfInit, userHalfShow } from "../vm/user-half";
import { userModeAudit } from "../memory/entry-area";
import { reclaimAllAtOnce } from "../vm/reclaim";
import { tickLatenessReset } from "../time/tick";
import { maskedArm } from "../time/masked";
import { grantAllowed } from "../loader/manifest";
import { processSpawn, spawnBytesNeeded, spawnExposeRingPhysical, spawnFramesNeeded } from "../objects/spawn";
import { linuxInit } from "../linux/linux";
import { procTreeInit } from "../linux/proc-tree";
import { NamespaceObject, namespaceRoot, namespaceRootSet } from "../objects/namespace";
import { devicesCreate } from "../fs/devices";
import { mountPointCreate } from "../fs/mount-point";
import { ramfsAddCpio, ramfsFromCpio, RamfsBuild } from "../fs/unpack";
import { Ramfs } from "../fs/ramfs";
import { Quota } from "../memory/quota";
import { realtimeNanos } from "../time/wall-clock";
import { kernelErrorName } from "../../abi/errors";

const CR4_SMEP: u64 = 1 << 20;
const CR4_SMAP: u64 = 1 << 21;

class ProcessesInitState {
  baselineFrames: u64 = 0;
  /** Live kernel heap bytes right after the first process started (after a full collection). */
  baselineHeapBytes: u32 = 0;
  started: Process | null = null;
}
const state = new ProcessesInitState();

/** Starts the manifest's start program, or the program `init=NAME` names (test runs use it to
 * start a test program with that program's own manifest grants); `initarg=N` is its argument. */
export function processesInit(information: BootInformation, commandLine: CommandLine): void {
  const cr4 = readControlRegister(4);
  logLine().text("processes: ring 3 through SYSCALL/SYSRET, SMEP ").text((cr4 & CR4_SMEP) != 0 ? "on" : "off (not on this CPU)")
    .text(", SMAP ").text((cr4 & CR4_SMAP) != 0 ? "on" : "off (not on this CPU)");
  logEnd();
  userHalfInit();
  const choice = addressSwitch();
  logLine().text("processes: process switch by ").text(switchStrategyName(choice)).text(" (").text(choice.strategyReason).text(")");
  logEnd();
  logLine().text("processes: page-table isolation ").text(choice.isolation ? "on" : "off").text(" (").text(choice.isolationReason).text(")");
  logEnd();
  spawnExposeRingPhysical(commandLine.get("test") !== null);   // the isolation test's target
  const reclaim = commandLine.get("reclaim");
  reclaimAllAtOnce(reclaim !== null && reclaim! == "all");     // tear spaces down in one step
  tickLatenessReset();   // from here on, what user space makes the kernel do
  const measure = commandLine.get("measure");
  if (measure !== null && measure! == "masked") maskedArm();   // the resources test's figures
  linuxInit(commandLine);
  const start = bootPackageInit(information);
  state.baselineFrames = framesFree();   // after the boot package's shared pages
  const requested = commandLine.get("init");
  let init = start;
  if (requested !== null) {
    init = bootProgramFind(requested!);
    if (init === null) {
      logLine(LogLevel.Error).text("processes: init=").text(requested!).text(": no such program in the boot package");
      logEnd();
      return;
    }
  }
  if (init === null) return;
  // Every kernel byte a user request reserves comes out of one budget, set below what the heap
  // can hold (memory/heap.ts); init's quota is the root every other quota is split from.
  heapBudgetSet(heapUserBudget());
  rootFileSystemInit(information);   // its records come out of the same budget
  procTreeInit();                    // procfs's skeleton (linux/proc-tree.ts), from it too
  if (commandLine.get("test") !== null) heapLedgerArm(<u64>kernelHeapBytes());
  const rootMemory = new MemoryObject(<u64>init.policy.memoryQuotaPages);
  const account = rootMemory.quota;
  if (framesFree() < spawnFramesNeeded(init) || account.kernelFits(spawnBytesNeeded(init), spawnFramesNeeded(init)) != KernelError.None) {
    logLine(LogLevel.Error).text("processes: not enough memory to start ").text(init.name);
    logEnd();
    rootMemory.retain();   // dropped unused
    rootMemory.release();
    return;
  }
  const grants: KernelObject[] = [];
  if (grantAllowed(init.policy, Interface.Console)) grants.push(new ConsoleObject());
  if (grantAllowed(init.policy, Interface.Timer)) grants.push(new TimerObject());
  if (grantAllowed(init.policy, Interface.Memory)) grants.push(rootMemory);
  if (grantAllowed(init.policy, Interface.ProcessSpawner)) grants.push(new ProcessSpawnerObject());
  if (grantAllowed(init.policy, Interface.Random)) grants.push(new RandomObject());
  if (grantAllowed(init.policy, Interface.Network)) grants.push(new NetworkObject(init.policy.network!.copy()));
  if (grantAllowed(init.policy, Interface.BootFiles)) grants.push(new BootFilesObject());
  const root = namespaceRoot();
  if (grantAllowed(init.policy, Interface.Namespace) && root !== null) {
    grants.push(new NamespaceObject(root, root.root, init.policy.namespaceWritable));
  }
  const argument = commandLine.getDecimal("initarg");   // absent or not a number: 0
  const text = commandLine.get("args");   // the start text (ring.md), for programs that take words; a Linux init's argv
  const words = text !== null && init.policy.linux ? text!.split(" ").filter((word: string): bool => word.length > 0) : [];
  const process = processSpawn(init, grants, argument > 0 ? <u32>argument : 0, account, words);
  if (text !== null && !init.policy.linux) startTextWrite(process.threads[0]!.ring.page, text!);
  if (!grantAllowed(init.policy, Interface.Memory)) {
    rootMemory.retain();   // never granted: its quota stays the account, held by the process
    rootMemory.release();
  }
  state.started = process;
  logLine().text("processes: kernel heap of ").decimal(heapCapacityBytes() >> 10).text(" KiB, ").decimal(heapBudget() >> 10)
    .text(" KiB of it for what user requests make (charged to their quotas)");
  logEnd();
  heapAtSafePoint(recordBaselineHeap);   // after the collection the first kernelSchedule makes
  logLine().text("processes: started ").text(init.name).text(" as process ").decimal(process.id);
  logEnd();
  if (commandLine.get("test") !== null && userHalfCpu().userPml4 != 0) userModeReport(process);
}

/** Pages the root file system may hold beyond the archive's own bytes (its nodes' records are
 * charged as heap bytes to the same quota): what writes to it may use once namespaces are
 * writable. */
const ROOT_FILE_SYSTEM_PAGES: u64 = 4096;
/** Heap bytes the root file system's records (nodes, entries, tables, link targets) may take in
 * all, inside that quota: about 8000 files. Without it a writer could spend the whole heap budget
 * every quota shares (under 10 MiB) on names, and other processes' requests would fail. */
const ROOT_FILE_SYSTEM_HEAP_BYTES: u64 = 2 << 20;

/** Unpacks the `initrd` module (the root file system, userspace/root/ packed by tools/initrd.ts)
 * into the kernel's ramfs; its bytes stay in the module's memory, which is never freed. A bad or
 * missing archive is logged: Linux programs then see no files. */
function rootFileSystemInit(information: BootInformation): void {
  const modules = information.modules;
  for (let i = 0; i < modules.length; i++) {
    if (modules[i].commandLine != "initrd") continue;
    const length = <u64>(modules[i].end - modules[i].start);
    const built = ramfsFromCpio(<usize>modules[i].start, length, new Quota(ROOT_FILE_SYSTEM_PAGES), realtimeNanos);
    const fileSystem = built.fileSystem;
    if (fileSystem === null) {
      logLine(LogLevel.Error).text("fs: initrd refused (").text(kernelErrorName(built.error)).text("): ").text(built.reason);
      logEnd();
      return;
    }
    fileSystem.setHeapLimit(ROOT_FILE_SYSTEM_HEAP_BYTES);
    namespaceRootSet(fileSystem);
    const devices = devicesCreate(fileSystem);
    if (devices != KernelError.None) {
      logLine(LogLevel.Error).text("fs: /dev not made (").text(kernelErrorName(devices)).text("): device files are missing");
      logEnd();
    }
    const proc = mountPointCreate(fileSystem, "proc", 0o555);   // where Linux processes see procfs
    if (proc != KernelError.None) {
      logLine(LogLevel.Error).text("fs: /proc not made (").text(kernelErrorName(proc)).text(")");
      logEnd();
    }
    logLine().text("fs: root file system from the initrd: ").decimal(length >> 10).text(" KiB, ").decimal(fileSystem.nodes).text(" nodes");
    logEnd();
    testFilesAdd(information, fileSystem);
    return;
  }
  logLine().text("fs: no initrd module: Linux programs see no files");
  logEnd();
}

/** Adds the `test-initrd` module's tree (test boots only: iso/grub.cfg loads it with the test
 * package; the conformance programs under /conformance, docs/linux.md) over the root file system,
 * zero copy as the initrd. A bad archive is logged; what it added before the bad entry stays. */
function testFilesAdd(information: BootInformation, fileSystem: Ramfs): void {
  const modules = information.modules;
  for (let i = 0; i < modules.length; i++) {
    if (modules[i].commandLine != "test-initrd") continue;
    const length = <u64>(modules[i].end - modules[i].start);
    const build = new RamfsBuild();
    ramfsAddCpio(build, fileSystem, <usize>modules[i].start, length);
    if (build.error != KernelError.None) {
      logLine(LogLevel.Error).text("fs: test-initrd refused (").text(kernelErrorName(build.error)).text("): ").text(build.reason);
    } else {
      logLine().text("fs: test files from the test-initrd: ").decimal(length >> 10).text(" KiB, ").decimal(build.entries).text(" entries");
    }
    logEnd();
  }
}

/** Writes `text` (its first RING_TEXT_MAXIMUM bytes of UTF-8) into the start text of the ring
 * page at physical `page`, before its thread first runs. */
function startTextWrite(page: u64, text: string): void {
  const bytes = String.UTF8.encode(text);
  const length = min(<u32>bytes.byteLength, RING_TEXT_MAXIMUM);
  const ring = linearOf(page, RING_SIZE);
  memory.copy(ring + RING_TEXT, changetype<usize>(bytes), <usize>length);
  store<u32>(ring + RING_TEXT_LENGTH, length);
}

/** Walks the user-mode page tables as they are while `process` runs, and logs what they map. */
function userModeReport(process: Process): void {
  userHalfShow(process.space);
  const audit = userModeAudit(userHalfCpu().userPml4, process.space.pml4);
  const line = logLine().text("isolation: user-mode page tables of ").text(process.program.name).text(": ")
    .decimal(audit.userEntries).text(" user-half PML4 entries, the process's own; of the kernel ");
  if (audit.wrong.length != 0) {
    line.text("a page ").text(audit.wrong);
  } else {
    line.decimal(audit.codePages).text(" pages of entry and exit code, ").decimal(audit.descriptorPages)
      .text(" of GDT, IDT, TSS and entry variables, ").decimal(audit.stackPages).text(" of entry stacks, nothing else");
  }
  logEnd();
}

function recordBaselineHeap(): void {
  state.baselineHeapBytes = kernelHeapBytes();
}

/** The process started at boot (null before, or when none was). */
export function processesStarted(): Process | null {
  return state.started;
}

export function processesBaselineHeapBytes(): u32 {
  return state.baselineHeapBytes;
}

/** Free frames just before user space started: after every process has ended, the count must be
 * back here (the leak check of the test runs). */
export function processesBaselineFrames(): u64 {
  return state.baselineFrames;
}
