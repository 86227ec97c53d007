// ProcessSpawner: starts a program of the boot package holding exactly the capabilities the
// caller lists from its own table, and only of the interfaces the manifest allows that program
// (docs/abi/interfaces/process-spawner.md). Decode reads and checks everything and reserves the
// caller's slot for the new ProcessHandle; invoke builds the process.

import { KernelError } from "../../abi/errors";
import { framesFree } from "../memory/frames";
import { BootProgram, bootProgramFindBytes } from "../loader/boot-package";
import { grantAllowed } from "../loader/manifest";
import { Process } from "../sched/process";
import { PROCESS_CAPABILITY_SLOTS, processSpawn, spawnFramesNeeded } from "./spawn";
import { Thread } from "../sched/thread";
import { copyIn } from "../vm/user-memory";
import { Interface } from "../../abi/interfaces";
import { KernelObject } from "../cap/kernel-object";
import { ProcessSpawnerMethod, SPAWN_GRANTS_MAXIMUM } from "../../abi/methods";
import { Opcode, SQE_ARGUMENT0, SQE_ARGUMENT1, SQE_ARGUMENT2, SQE_ARGUMENT3 } from "../../abi/ring";
import { ProcessHandleObject } from "./process-handle";

export class ProcessSpawnerObject extends KernelObject {
  constructor() { super(Interface.ProcessSpawner); }
}

const NAME_MAXIMUM: u64 = 31;

/** What decode found, for invoke (the kernel is one thread: one decode at a time). */
class Decoded {
  program: BootProgram | null = null;
  grants: KernelObject[] = [];
  slot: i32 = -1;
  argument: u32 = 0;
}
const decoded = new Decoded();
const nameBuffer = memory.data(32, 8);
const handleBuffer = memory.data(<i32>SPAWN_GRANTS_MAXIMUM * 4, 8);

export function processSpawnerDecode(process: Process, method: u32, entry: usize): KernelError {
  const error = spawnDecode(process, method, entry);
  if (error != KernelError.None) decoded.grants.length = 0;   // hold no object past a refusal
  return error;
}

function spawnDecode(process: Process, method: u32, entry: usize): KernelError {
  if (method != ProcessSpawnerMethod.Spawn) return KernelError.UnknownMethod;
  const nameLength = load<u64>(entry + SQE_ARGUMENT1), count = load<u64>(entry + SQE_ARGUMENT3) & 0xffff_ffff;
  if (nameLength == 0 || nameLength > NAME_MAXIMUM || count > SPAWN_GRANTS_MAXIMUM
      || count > <u64>PROCESS_CAPABILITY_SLOTS) return KernelError.InvalidArgument;
  let error = copyIn(process.space, nameBuffer, load<u64>(entry + SQE_ARGUMENT0), nameLength);
  if (error != KernelError.None) return error;
  error = copyIn(process.space, handleBuffer, load<u64>(entry + SQE_ARGUMENT2), count * 4);
  if (error != KernelError.None) return error;
  const program = bootProgramFindBytes(nameBuffer, <u32>nameLength);   // byte for byte, no decoding
  if (program === null) return KernelError.NotFound;
  const grants = decoded.grants;
  grants.length = 0;
  for (let i: u64 = 0; i < count; i++) {
    const object = process.table.lookup(load<u32>(handleBuffer + <usize>i * 4));
    if (object === null) return KernelError.InvalidHandle;
    if (!grantAllowed(program.policy, object.iface)) return KernelError.NotPermitted;
    grants.push(object);
  }
  if (framesFree() < spawnFramesNeeded(program)) return KernelError.OutOfMemory;
  const slot = process.table.reserve();
  if (slot < 0) return KernelError.TableFull;
  decoded.program = program;
  decoded.slot = slot;
  decoded.argument = <u32>(load<u64>(entry + SQE_ARGUMENT3) >> 32);
  return KernelError.None;
}

export function processSpawnerInvoke(thread: Thread, userData: u64): void {
  const child = processSpawn(decoded.program!, decoded.grants, decoded.argument);
  const handle = thread.process.table.commit(decoded.slot, new ProcessHandleObject(child));
  decoded.grants.length = 0;
  decoded.program = null;
  thread.ring.complete(userData, <i64>handle, <u64>child.id, Opcode.Call);
}
