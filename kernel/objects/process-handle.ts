// ProcessHandle: one spawned process, seen by whoever holds it: wait for its end, kill it
// (docs/abi/interfaces/process-handle.md). Releasing the last handle leaves the process running.

import { KernelError } from "../../abi/errors";
import { exitValue, Process, processEnd, ProcessState } from "../sched/process";
import { Joiner, Thread } from "../sched/thread";
import { Interface } from "../../abi/interfaces";
import { KernelObject } from "../cap/kernel-object";
import { ExitKind, ProcessHandleMethod } from "../../abi/methods";
import { Opcode } from "../../abi/ring";

/** The exit code a killed process reports. */
export const KILLED_EXIT_CODE: i32 = -9;

export class ProcessHandleObject extends KernelObject {
  constructor(readonly process: Process) { super(Interface.ProcessHandle); }
}

export function processHandleDecode(method: u32): KernelError {
  return method == ProcessHandleMethod.Wait || method == ProcessHandleMethod.Kill ? KernelError.None : KernelError.UnknownMethod;
}

export function processHandleInvoke(object: ProcessHandleObject, thread: Thread, method: u32, userData: u64): void {
  const process = object.process;
  if (method == ProcessHandleMethod.Kill) {
    const self = process === thread.process;
    if (!self) thread.ring.complete(userData, 0, 0, Opcode.Call);
    processEnd(process, ExitKind.Killed, KILLED_EXIT_CODE);   // killing itself: no completion is read
    return;
  }
  if (process.state == ProcessState.Ended) {
    thread.ring.complete(userData, 0, exitValue(process), Opcode.Call);
    return;
  }
  process.waiters.push(new Joiner(thread, userData));
}
