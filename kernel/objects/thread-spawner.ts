// ThreadSpawner: starts threads in its own process (docs/abi/interfaces/thread-spawner.md). Every
// process holds one on itself from the start. The entry must be native code of the program
// (inside an executable segment of its image); each thread gets its own ring, stack and
// ThreadControl, and the caller a ThreadHandle to join it.

import { KernelError } from "../../abi/errors";
import { framesFree } from "../memory/frames";
import { Process } from "../sched/process";
import { Thread, ThreadState } from "../sched/thread";
import { threadCreate, threadFramesNeeded } from "../sched/threads";
import { Interface } from "../../abi/interfaces";
import { KernelObject } from "../cap/kernel-object";
import { THREADS_MAXIMUM, ThreadSpawnerMethod } from "../../abi/methods";
import { Opcode, SQE_ARGUMENT0, SQE_ARGUMENT1 } from "../../abi/ring";
import { ThreadControlObject } from "./thread-control";
import { ThreadHandleObject } from "./thread-handle";

export class ThreadSpawnerObject extends KernelObject {
  constructor(readonly process: Process) { super(Interface.ThreadSpawner); }
}

class Decoded {
  index: i32 = -1;
  handleSlot: i32 = -1;
  controlSlot: i32 = -1;
}
const decoded = new Decoded();

function freeIndex(process: Process): i32 {
  for (let i = 0; i < <i32>THREADS_MAXIMUM; i++) {
    const thread = process.threads[i];
    if (thread === null || thread.state == ThreadState.Ended) return i;
  }
  return -1;
}

export function threadSpawnerDecode(object: ThreadSpawnerObject, process: Process, method: u32, entry: usize): KernelError {
  if (method != ThreadSpawnerMethod.Spawn) return KernelError.UnknownMethod;
  if (object.process !== process) return KernelError.NotPermitted;   // threads only in its own process
  const start = load<u64>(entry + SQE_ARGUMENT0);
  let executable = false;
  const segments = process.program.image.segments;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.executable && start >= segment.virtual && start < segment.virtual + segment.memorySize) executable = true;
  }
  if (!executable) return KernelError.InvalidArgument;
  const index = freeIndex(process);
  if (index < 0) return KernelError.QuotaExceeded;
  if (framesFree() < threadFramesNeeded()) return KernelError.OutOfMemory;
  if (process.table.freeSlots() < 2) return KernelError.TableFull;
  decoded.index = index;
  decoded.handleSlot = process.table.reserve();
  decoded.controlSlot = process.table.reserve();
  return KernelError.None;
}

export function threadSpawnerInvoke(thread: Thread, entry: usize, userData: u64): void {
  const process = thread.process;
  const control = new ThreadControlObject();
  const controlHandle = process.table.commit(decoded.controlSlot, control);
  const created = threadCreate(process, decoded.index, load<u64>(entry + SQE_ARGUMENT0), load<u64>(entry + SQE_ARGUMENT1), 0, controlHandle);
  control.thread = created;
  const handle = process.table.commit(decoded.handleSlot, new ThreadHandleObject(created));
  thread.ring.complete(userData, <i64>handle, <u64>decoded.index, Opcode.Call);
}
