// Host-test entry for the ring path: capEnter (kernel/proc/cap-enter.ts) and entryProcess
// (kernel/cap/entry.ts) through the real dispatch and kernel objects. tests/host/ring.test.ts
// drives it. setup() boots the memory subsystems over a region of the wasm memory, which plays
// physical memory (DESIGN.md #3): fake boot page tables that direct-map the first GiB, framesInit,
// kernelSpaceInit, the clock and optionally a boot package; then one "caller" process with a
// ring, a context frame and the user pages and capabilities the test asks for.

import { BootInformation, BootModule, MemoryMapEntry } from "../../../kernel/boot/multiboot2";
import { CapabilityTable } from "../../../kernel/cap/capability-table";
import { Interface } from "../../../kernel/cap/interface";
import { KernelObject, liveObjects as kernelLiveObjects } from "../../../kernel/cap/kernel-object";
import { ConsoleObject } from "../../../kernel/cap/objects/console";
import { MemoryObject } from "../../../kernel/cap/objects/memory";
import { ProcessHandleObject } from "../../../kernel/cap/objects/process-handle";
import { ProcessSpawnerObject } from "../../../kernel/cap/objects/process-spawner";
import { TimerObject } from "../../../kernel/cap/objects/timer";
import { Ring } from "../../../kernel/cap/ring";
import { USER_LINEAR_BASE, USER_RING_LINEAR } from "../../../kernel/layout";
import { logSetLevel } from "../../../kernel/log/log";
import { frameAllocateZeroed, frameAllocator, framesFree as kernelFramesFree, framesInit } from "../../../kernel/memory/frames";
import { kernelPml4, kernelSpaceInit } from "../../../kernel/memory/kernel-space";
import { PAGE_ADDRESS_MASK } from "../../../kernel/memory/page-table";
import { AddressSpace, KernelErrorCell, UserAccess } from "../../../kernel/proc/address-space";
import { BootProgram, bootPackageInit, bootProgramFind } from "../../../kernel/proc/boot-package";
import { capEnter } from "../../../kernel/proc/cap-enter";
import { CONTEXT_RAX, contextRead, contextWrite } from "../../../kernel/proc/context";
import { ElfImage } from "../../../kernel/proc/elf";
import { ManifestProgram } from "../../../kernel/proc/manifest";
import { exitValue, Process, processEnd, processesLive as kernelProcessesLive, processNextId, processRegister, ProcessState } from "../../../kernel/proc/process";
import { spawnFramesNeeded as kernelSpawnFramesNeeded } from "../../../kernel/proc/spawn";
import { Thread } from "../../../kernel/proc/thread";
import { timeoutsExpire, timeoutsPending as kernelTimeoutsPending } from "../../../kernel/proc/timeouts";
import { clockInit } from "../../../time-clock-shim";
