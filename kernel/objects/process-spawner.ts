// ProcessSpawner: starts a program of the boot package holding exactly the capabilities the
// caller lists from its own table, and only of the interfaces the manifest allows that program
// (docs/abi/interfaces/process-spawner.md). Decode copies the name and the handle list into
// static staging (read there and nowhere else), looks up the program and every grant, counts
// the frames, and reserves the caller's slot for the new ProcessHandle; invoke builds the
// process (spawn.ts).

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { ProcessSpawnerMethod, SPAWN_GRANTS_MAXIMUM } from "../../abi/methods";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { MakesCapability } from "../cap/makes-capability";
import { Request } from "../cap/request";
import { Pool } from "../collections/pool";
import { BootProgram, bootProgramFindBytes } from "../loader/boot-package";
import { NetworkObject } from "./network";
import { grantAllowed } from "../loader/manifest";
import { NamespaceObject } from "./namespace";
import { framesFree } from "../memory/frames";
import { callerThread } from "../sched/thread";
import { copyIn } from "../vm/user-memory";
import { ProcessHandleObject } from "./process-handle";
import { processSpawn, spawnBytesNeeded, spawnFramesNeeded, spawnSupported } from "./spawn";
import { PROCESS_HANDLE_BYTES } from "./costs";
import { MemoryObject } from "./memory";
import { Quota } from "../memory/quota";

const NAME_MAXIMUM: u64 = 31;

export class ProcessSpawnerObject extends KernelObject {
  constructor() { super(Interface.ProcessSpawner); }

  decodeCall(request: Request): Invocation | null {
    if (request.method != ProcessSpawnerMethod.Spawn) return request.refuse(KernelError.UnknownMethod);
    const nameLength = request.argument1, count = request.argument3 & 0xffff_ffff;
    if (nameLength == 0 || nameLength > NAME_MAXIMUM || count > SPAWN_GRANTS_MAXIMUM) return request.refuse(KernelError.InvalidArgument);
    const thread = callerThread(request);
    const space = thread.process.space;
    let error = copyIn(space, state.name, NAME_MAXIMUM + 1, request.argument0, nameLength);
    if (error == KernelError.None) error = copyIn(space, state.handles, SPAWN_GRANTS_MAXIMUM * 8, request.argument2, count * 8);
    if (error != KernelError.None) return request.refuse(error);
    const program = bootProgramFindBytes(state.name, <u32>nameLength);   // byte for byte, no decoding
    if (program === null || !spawnSupported(program)) return request.refuse(KernelError.NotFound);
    const spawn = state.spawns.take();
    const table = thread.table;
    for (let i: u64 = 0; i < count; i++) {
      const object = table.lookup(load<u64>(state.handles + <usize>i * 8));
      error = object === null ? KernelError.InvalidHandle
        : !grantAllowed(program.policy, object.iface) ? KernelError.NotPermitted
        : object.iface == Interface.Network && !changetype<NetworkObject>(object).policy.within(program.policy.network!) ? KernelError.NotPermitted
        : object.iface == Interface.Namespace && changetype<NamespaceObject>(object).writable && !program.policy.namespaceWritable ? KernelError.NotPermitted
        : KernelError.None;
      if (error != KernelError.None) break;
      spawn.grants.push(object!);
    }
    if (error == KernelError.None && framesFree() < spawnFramesNeeded(program)) error = KernelError.OutOfMemory;
    if (error == KernelError.None) error = spawn.reserveIn(table);
    // The child's account: the first Memory capability granted, else the caller's own account.
    const parentAccount = thread.process.account;
    let account = parentAccount;
    for (let i = 0; i < spawn.grants.length; i++) {
      if (spawn.grants[i].iface == Interface.Memory) { account = changetype<MemoryObject>(spawn.grants[i]).quota; break; }
    }
    if (error == KernelError.None) {
      const bytes = spawnBytesNeeded(program), pages = spawnFramesNeeded(program);
      if (account === parentAccount) error = account.kernelFits(bytes + PROCESS_HANDLE_BYTES, pages);
      else {
        error = account.kernelFits(bytes, pages);
        if (error == KernelError.None) error = parentAccount.kernelFits(PROCESS_HANDLE_BYTES);
      }
    }
    if (error != KernelError.None) {
      spawn.rollback();
      return request.refuse(error);
    }
    spawn.account = account;
    spawn.program = program;
    spawn.argument = <u32>(request.argument3 >> 32);
    return spawn;
  }
}

/** spawn(name, handles, count | argument << 32): the program, the granted objects (held by the
 * caller's table, which nothing changes before invoke), and the slot for the ProcessHandle. */
class Spawn extends MakesCapability {
  next: Spawn | null = null;
  program: BootProgram | null = null;
  readonly grants: KernelObject[] = [];
  argument: u32 = 0;
  account: Quota | null = null;

  invoke(request: Request): void {
    const child = processSpawn(this.program!, this.grants, this.argument, this.account!);
    const handle = new ProcessHandleObject(child);
    handle.chargeTo(callerThread(request).process.account, PROCESS_HANDLE_BYTES);
    this.deliver(request, handle, <u64>child.id);
  }

  /** Holds no object past its use. */
  protected recycle(): void {
    this.grants.length = 0;
    this.program = null;
    this.account = null;
    state.spawns.give(this);
  }
}

class ProcessSpawnersState {
  /** Staging for the program name and the handle list, read during decode only. */
  readonly name: usize = memory.data(<i32>NAME_MAXIMUM + 1, 8);
  readonly handles: usize = memory.data(<i32>SPAWN_GRANTS_MAXIMUM * 8, 8);
  spawns: Pool<Spawn> = new Pool<Spawn>(2);
}
const state = new ProcessSpawnersState();
