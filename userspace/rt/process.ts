// ProcessSpawner and ProcessHandle clients (docs/abi/interfaces/process-spawner.md,
// process-handle.md): start a program from the boot package with an explicit list of this
// process's capabilities, wait for it, kill it.

import { Interface } from "../../abi/interfaces";
import { ExitKind, ProcessHandleMethod, ProcessSpawnerMethod } from "../../abi/methods";
import { Opcode } from "../../abi/ring";
import { grant, lastValue, ringCall, userAddress } from "./ring";

export class ExitStatus {
  constructor(readonly code: i32, readonly kind: ExitKind) {}
}

export class ProcessHandle {
  constructor(readonly handle: u64, readonly processId: u32) {}

  /** The error of the last failed wait() (-KernelError). */
  lastError: i64 = 0;

  /** Waits for the process to end: its status, or null with the error in lastError. */
  wait(): ExitStatus | null {
    const result = ringCall(Opcode.Call, this.handle, ProcessHandleMethod.Wait);
    if (result < 0) {
      this.lastError = result;
      return null;
    }
    const value = lastValue();
    return new ExitStatus(<i32>(value & 0xffff_ffff), <ExitKind>(<u32>(value >> 32)));
  }

  /** Ends the process (ExitKind.Killed): 0 or -KernelError. */
  kill(): i64 {
    return ringCall(Opcode.Call, this.handle, ProcessHandleMethod.Kill);
  }

  /** Drops this capability: 0 or -KernelError. */
  release(): i64 {
    return ringCall(Opcode.Release, this.handle, 0);
  }
}

export class ProcessSpawner {
  /** The error of the last failed spawn (-KernelError). */
  lastError: i64 = 0;

  constructor(readonly handle: u64) {}

  static granted(): ProcessSpawner | null {
    const handle = grant(Interface.ProcessSpawner);
    return handle != 0 ? new ProcessSpawner(handle) : null;
  }

  /** Starts program `name` holding exactly `grants` (handles of this process's capabilities, in
   * this order; spawn reads them as an array of u64) and given `argument` (see startArgument()).
   * Null on failure, with lastError set. */
  spawn(name: string, grants: u64[], argument: u32 = 0): ProcessHandle | null {
    const bytes = String.UTF8.encode(name);
    const list = new StaticArray<u64>(grants.length);
    for (let i = 0; i < grants.length; i++) list[i] = grants[i];
    const result = ringCall(Opcode.Call, this.handle, ProcessSpawnerMethod.Spawn, userAddress(changetype<usize>(bytes)),
      <u64>bytes.byteLength, userAddress(changetype<usize>(list)), <u64>grants.length | (<u64>argument << 32));
    if (result < 0) {
      this.lastError = result;
      return null;
    }
    return new ProcessHandle(<u64>result, <u32>lastValue());
  }
}
