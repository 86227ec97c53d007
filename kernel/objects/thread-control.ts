// ThreadControl: a thread's hold on itself (docs/abi/interfaces/thread-control.md): exit ends it
// (its process with its last thread), setTlsBase sets its FS base. Only the thread it names may
// use it; each thread finds its own in its ring's startup block.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { USER_HALF_END } from "../../abi/layout";
import { ThreadControlMethod } from "../../abi/methods";
import { CONTEXT_FS_BASE, contextWrite } from "../arch/context";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { threadExit } from "../sched/process";
import { callerThread, Thread } from "../sched/thread";

export class ThreadControlObject extends KernelObject {
  thread: Thread | null = null;
  constructor() { super(Interface.ThreadControl); }

  decodeCall(request: Request): Invocation | null {
    const method = request.method;
    if (method != ThreadControlMethod.Exit && method != ThreadControlMethod.SetTlsBase) return request.refuse(KernelError.UnknownMethod);
    if (this.thread !== callerThread(request)) return request.refuse(KernelError.NotPermitted);
    if (method == ThreadControlMethod.Exit) return state.exit;
    return request.argument0 >= USER_HALF_END ? request.refuse(KernelError.BadAddress) : state.setTlsBase;
  }
}

/** exit(value): holds nothing; never completes, its slot goes with the thread. */
class Exit extends Invocation {
  invoke(request: Request): void {
    const thread = callerThread(request);
    thread.ring.reserved--;
    threadExit(thread, request.argument0);
  }
}

/** setTlsBase(address): holds nothing; the FS base from the thread's next return to user mode. */
class SetTlsBase extends Invocation {
  invoke(request: Request): void {
    contextWrite(<usize>callerThread(request).context, CONTEXT_FS_BASE, request.argument0);
    request.complete(0, 0);
  }
}

class ThreadControlsState {
  readonly exit: Exit = new Exit();
  readonly setTlsBase: SetTlsBase = new SetTlsBase();
}
const state = new ThreadControlsState();
