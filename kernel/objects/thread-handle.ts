// ThreadHandle: one thread, seen by whoever holds it: join waits for its end and gives its exit
// value (docs/abi/interfaces/thread-handle.md).

import { KernelError } from "../../abi/errors";
import { Joiner, Thread, ThreadState } from "../sched/thread";
import { Interface } from "../../abi/interfaces";
import { KernelObject } from "../cap/kernel-object";
import { ThreadHandleMethod } from "../../abi/methods";
import { Opcode } from "../../abi/ring";

export class ThreadHandleObject extends KernelObject {
  constructor(readonly thread: Thread) { super(Interface.ThreadHandle); }
}

export function threadHandleDecode(object: ThreadHandleObject, caller: Thread, method: u32): KernelError {
  if (method != ThreadHandleMethod.Join) return KernelError.UnknownMethod;
  return object.thread === caller ? KernelError.InvalidArgument : KernelError.None;   // joining itself never ends
}

export function threadHandleInvoke(object: ThreadHandleObject, caller: Thread, userData: u64): void {
  const target = object.thread;
  if (target.state == ThreadState.Ended) {
    caller.ring.complete(userData, 0, target.exitValue, Opcode.Call);
    return;
  }
  target.joiners.push(new Joiner(caller, userData));
}
