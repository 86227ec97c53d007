// ThreadSpawner: starts threads in its own process, or a copy of the process (fork: a
// copy-on-write clone of its space, vm/mappings.ts) (docs/abi/interfaces/thread-spawner.md).
// Every process holds one on itself from the start. The entry must be native code of the
// program (inside an executable segment of its image); each thread gets its own ring, stack and
// ThreadControl, and the caller a ThreadHandle to join it (a ProcessHandle for a fork).

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { SPAWN_GRANTS_MAXIMUM, THREADS_MAXIMUM, ThreadSpawnerMethod } from "../../abi/methods";
import { CapabilityTable } from "../cap/capability-table";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { Pool } from "../collections/pool";
import { framesFree } from "../memory/frames";
import { Process, processSpaceGrowthBound } from "../sched/process";
import { THREAD_BYTES, THREAD_CONTROL_BYTES, THREAD_HANDLE_BYTES } from "./costs";
import { callerThread, ThreadState } from "../sched/thread";
import { threadCreate, threadFramesNeeded } from "../sched/threads";
import { ThreadControlObject } from "./thread-control";
import { ThreadHandleObject } from "./thread-handle";
import { MakesCapability } from "../cap/makes-capability";
import { copyIn } from "../vm/user-memory";
import { vmCloneCheck } from "../vm/mappings";
import { forkBytesNeeded, forkFramesNeeded, processFork } from "./spawn";
import { ProcessHandleObject } from "./process-handle";
import { PROCESS_HANDLE_BYTES } from "./costs";

export class ThreadSpawnerObject extends KernelObject {
  constructor(readonly process: Process) { super(Interface.ThreadSpawner); }

  decodeCall(request: Request): Invocation | null {
    if (request.method == ThreadSpawnerMethod.Fork) return decodeFork(request, this.process);
    if (request.method != ThreadSpawnerMethod.Spawn) return request.refuse(KernelError.UnknownMethod);
    const process = callerThread(request).process;
    if (this.process !== process) return request.refuse(KernelError.NotPermitted);   // threads only in its own process
    if (!executable(process, request.argument0)) return request.refuse(KernelError.InvalidArgument);
    const index = freeIndex(process);
    if (index < 0) return request.refuse(KernelError.QuotaExceeded);
    if (framesFree() < threadFramesNeeded()) return request.refuse(KernelError.OutOfMemory);
    const table = process.table;
    const spawn = state.spawns.take();
    spawn.table = table;
    spawn.index = index;
    spawn.handleSlot = table.reserve();
    spawn.controlSlot = spawn.handleSlot < 0 ? -1 : table.reserve();
    let error = spawn.controlSlot < 0 ? table.lastError : KernelError.None;
    // Its records, waits, objects and frames, and what its stack and ring add to the space.
    if (error == KernelError.None) {
      error = process.account.kernelFits(THREAD_BYTES + THREAD_CONTROL_BYTES + THREAD_HANDLE_BYTES + processSpaceGrowthBound(process),
        threadFramesNeeded());
    }
    if (error == KernelError.None) return spawn;
    spawn.rollback();
    return request.refuse(error);
  }
}

/** Whether `address` lies in an executable segment of the process's image. */
function executable(process: Process, address: u64): bool {
  const segments = process.program.image.segments;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.executable && address >= segment.virtual && address < segment.virtual + segment.memorySize) return true;
  }
  return false;
}

/** The lowest thread index free for a new thread, or -1. */
function freeIndex(process: Process): i32 {
  for (let i = 0; i < <i32>THREADS_MAXIMUM; i++) {
    const thread = process.threads[i];
    if (thread === null || thread.state == ThreadState.Ended) return i;
  }
  return -1;
}

/** spawn(entry, argument): the thread index and the two slots reserved for its capabilities. */
class Spawn extends Invocation {
  next: Spawn | null = null;
  table: CapabilityTable | null = null;
  index: i32 = -1;
  handleSlot: i32 = -1;
  controlSlot: i32 = -1;

  invoke(request: Request): void {
    const process = callerThread(request).process;
    const table = this.table!;
    const control = new ThreadControlObject();
    control.chargeTo(process.account, THREAD_CONTROL_BYTES);
    const controlHandle = table.commit(this.controlSlot, control);
    const created = threadCreate(process, this.index, request.argument0, request.argument1, 0, controlHandle, THREAD_BYTES);
    control.thread = created;
    const threadHandle = new ThreadHandleObject(created);
    threadHandle.chargeTo(process.account, THREAD_HANDLE_BYTES);
    const handle = table.commit(this.handleSlot, threadHandle);
    const index = this.index;
    this.recycle();
    request.complete(<i64>handle, <u64>index);
  }

  rollback(): void {
    if (this.handleSlot >= 0) this.table!.cancel(this.handleSlot);
    if (this.controlSlot >= 0) this.table!.cancel(this.controlSlot);
    this.recycle();
  }

  private recycle(): void {
    this.table = null;
    state.spawns.give(this);
  }
}

/** fork: the caller's own process only; the entry, the grants (looked up in the caller's table,
 * which nothing changes before invoke), frames, the account, the clone's quotas, and the slot
 * for the ProcessHandle. */
function decodeFork(request: Request, own: Process): Invocation | null {
  const thread = callerThread(request);
  const process = thread.process;
  if (own !== process) return request.refuse(KernelError.NotPermitted);
  if (!executable(process, request.argument0)) return request.refuse(KernelError.InvalidArgument);
  const count = request.argument3;
  if (count > SPAWN_GRANTS_MAXIMUM) return request.refuse(KernelError.InvalidArgument);
  let error = copyIn(process.space, state.handles, SPAWN_GRANTS_MAXIMUM * 8, request.argument2, count * 8);
  if (error != KernelError.None) return request.refuse(error);
  const fork = state.forks.take();
  const table = thread.table;
  for (let i: u64 = 0; i < count; i++) {
    const object = table.lookup(load<u64>(state.handles + <usize>i * 8));
    if (object === null) { error = KernelError.InvalidHandle; break; }
    fork.grants.push(object);
  }
  if (error == KernelError.None && framesFree() < forkFramesNeeded(process)) error = KernelError.OutOfMemory;
  if (error == KernelError.None) error = vmCloneCheck(process.space);
  if (error == KernelError.None) error = fork.reserveIn(table);
  if (error == KernelError.None) error = process.account.kernelFits(forkBytesNeeded(process, fork.grants.length) + PROCESS_HANDLE_BYTES, forkFramesNeeded(process));
  if (error != KernelError.None) {
    fork.rollback();
    return request.refuse(error);
  }
  return fork;
}

/** fork(entry, argument, handles, count): the granted objects and the slot for the ProcessHandle. */
class Fork extends MakesCapability {
  next: Fork | null = null;
  readonly grants: KernelObject[] = [];

  invoke(request: Request): void {
    const process = callerThread(request).process;
    const child = processFork(process, request.argument0, request.argument1, this.grants, process.account);
    const handle = new ProcessHandleObject(child);
    handle.chargeTo(process.account, PROCESS_HANDLE_BYTES);
    this.deliver(request, handle, <u64>child.id);
  }

  protected recycle(): void {
    this.grants.length = 0;
    state.forks.give(this);
  }
}

class ThreadSpawnersState {
  spawns: Pool<Spawn> = new Pool<Spawn>(2);
  forks: Pool<Fork> = new Pool<Fork>(1);
  /** Staging for fork's handle list, read during decode only. */
  readonly handles: usize = memory.data(<i32>SPAWN_GRANTS_MAXIMUM * 8, 8);
}
const state = new ThreadSpawnersState();
