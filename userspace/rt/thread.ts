// Threads of a native process (docs/DESIGN.md #6): ThreadSpawner starts one at the runtime's native
// entry (crt0.S), which makes the thread its own instance of the module, a copy of the first
// instance's state over the same linear memory, code and table, then calls threadEnter here.
//
// The rules, because AssemblyScript's runtime is not thread-safe and globals are per instance:
// - A thread's function is a top-level function `(argument: u32) => void` (no closures).
// - A thread must not allocate (no `new`, no string building, no array growth): the heap and the
//   collector are the first thread's. It works on memory the first thread made and keeps alive
//   (pinned, or static), through load/store, the atomics imports, and the ring-based clients
//   that do not allocate: ParkSpace (park.ts), Mutex/Condition (sync.ts), Endpoint (endpoint.ts),
//   Timer.now/sleep and ringCall.
// - Module globals (`let` at top level) are per thread: a value one thread sets, others do not
//   see. Shared state lives in linear memory.
// - A thread ends when its function returns (exit value 0) or through ThreadControl.exit; the
//   process ends with its last thread.
// Programs that start threads export threadEnter: `export { threadEnter } from "../../rt/thread"`.

import { Interface } from "../../abi/interfaces";
import { ThreadControlMethod, ThreadHandleMethod, ThreadSpawnerMethod } from "../../abi/methods";
import { Opcode } from "../../abi/ring";
import { grant, lastValue, ringCall, ringUse, userAddress } from "./ring";

@external("capsid", "threadEntry") declare function threadEntry(): u64;

/** The start block the first thread writes for a new one: function, argument, shadow stack. */
const START_FUNCTION: usize = 0;
const START_ARGUMENT: usize = 4;
const START_STACK_TOP: usize = 8;
const START_SIZE: usize = 16;
/** Bytes of AssemblyScript shadow stack each thread gets. */
export const THREAD_SHADOW_STACK: usize = 16 * 1024;

export class ThreadHandle {
  constructor(readonly handle: u64, readonly index: u32) {}

  /** Waits for the thread to end: its exit value, or -KernelError. */
  join(): i64 {
    const result = ringCall(Opcode.Call, this.handle, ThreadHandleMethod.Join);
    return result < 0 ? result : <i64>lastValue();
  }
}

/** Starts `run(argument)` on a new thread of this process; null when the kernel refuses. The
 * start block and shadow stack are never freed (a thread's instance may use them to its end). */
export function spawnThread(run: (argument: u32) => void, argument: u32): ThreadHandle | null {
  const spawner = grant(Interface.ThreadSpawner);
  if (spawner == 0) return null;
  const block = heap.alloc(START_SIZE);
  const stack = heap.alloc(THREAD_SHADOW_STACK);
  store<u32>(block + START_FUNCTION, changetype<u32>(run));
  store<u32>(block + START_ARGUMENT, argument);
  store<u32>(block + START_STACK_TOP, <u32>(stack + THREAD_SHADOW_STACK));
  const result = ringCall(Opcode.Call, spawner, ThreadSpawnerMethod.Spawn, threadEntry(), <u64>block);
  if (result < 0) return null;
  return new ThreadHandle(<u64>result, <u32>lastValue());
}

/** Starts `run(argument)` in a copy of this process (ThreadSpawner.fork): its memory a
 * copy-on-write copy of this one's as it is now, holding exactly `grants` (handles of this
 * process's capabilities; the copy finds them with grant(), under its own handles). `run` is the
 * copy's one thread, under the rules above; the copy ends when it returns (exit code 0) or with
 * threadExit(code). The ProcessHandle's handle (lastValue(): the copy's id), or -KernelError.
 * The start block and shadow stack are freed here once the copy is made (it has its own copies). */
export function forkProcess(run: (argument: u32) => void, argument: u32, grants: u64[]): i64 {
  const spawner = grant(Interface.ThreadSpawner);
  if (spawner == 0) return -12;   // WrongInterface: no ThreadSpawner (never for a started process)
  const block = heap.alloc(START_SIZE);
  const stack = heap.alloc(THREAD_SHADOW_STACK);
  store<u32>(block + START_FUNCTION, changetype<u32>(run));
  store<u32>(block + START_ARGUMENT, argument);
  store<u32>(block + START_STACK_TOP, <u32>(stack + THREAD_SHADOW_STACK));
  const list = new StaticArray<u64>(grants.length);
  for (let i = 0; i < grants.length; i++) list[i] = grants[i];
  const result = ringCall(Opcode.Call, spawner, ThreadSpawnerMethod.Fork, threadEntry(), <u64>block,
    userAddress(changetype<usize>(list)), <u64>grants.length);
  heap.free(stack);
  heap.free(block);
  return result;
}

/** Ends the calling thread with `value` (the process, if it is the last). */
export function threadExit(value: u64): void {
  ringCall(Opcode.Call, grant(Interface.ThreadControl), ThreadControlMethod.Exit, value);
  unreachable();
}

/** The new thread's first AssemblyScript code, on its own instance (start.c). */
export function threadEnter(block: u32, ring: u32): void {
  ringUse(<usize>ring);
  const run = changetype<(argument: u32) => void>(load<u32>(<usize>block + START_FUNCTION));
  run(load<u32>(<usize>block + START_ARGUMENT));
  threadExit(0);
}
