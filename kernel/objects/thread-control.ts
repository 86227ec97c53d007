// ThreadControl: a thread's hold on itself (docs/abi/interfaces/thread-control.md): exit ends it
// (its process with its last thread), setTlsBase sets its FS base. Only the thread it names may
// use it; each thread finds its own in its ring's startup block.

import { KernelError } from "../../abi/errors";
import { USER_HALF_END } from "../../abi/layout";
import { CONTEXT_FS_BASE, contextWrite } from "../arch/context";
import { threadExit } from "../sched/process";
import { Thread } from "../sched/thread";
import { Interface } from "../../abi/interfaces";
import { KernelObject } from "../cap/kernel-object";
import { ThreadControlMethod } from "../../abi/methods";
import { Opcode, SQE_ARGUMENT0 } from "../../abi/ring";

export class ThreadControlObject extends KernelObject {
  thread: Thread | null = null;
  constructor() { super(Interface.ThreadControl); }
}

export function threadControlDecode(object: ThreadControlObject, caller: Thread, method: u32, entry: usize): KernelError {
  if (method != ThreadControlMethod.Exit && method != ThreadControlMethod.SetTlsBase) return KernelError.UnknownMethod;
  if (object.thread !== caller) return KernelError.NotPermitted;
  if (method == ThreadControlMethod.SetTlsBase && load<u64>(entry + SQE_ARGUMENT0) >= USER_HALF_END) return KernelError.BadAddress;
  return KernelError.None;
}

export function threadControlInvoke(caller: Thread, method: u32, entry: usize, userData: u64): void {
  const value = load<u64>(entry + SQE_ARGUMENT0);
  if (method == ThreadControlMethod.SetTlsBase) {
    contextWrite(<usize>caller.context, CONTEXT_FS_BASE, value);
    caller.ring.complete(userData, 0, 0, Opcode.Call);
    return;
  }
  caller.ring.reserved--;   // exit never completes: its slot goes with the thread
  threadExit(caller, value);
}
