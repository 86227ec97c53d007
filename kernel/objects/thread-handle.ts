// ThreadHandle: one thread, seen by whoever holds it: join waits for its end and gives its exit
// value (docs/abi/interfaces/thread-handle.md).

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { ThreadHandleMethod } from "../../abi/methods";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { joinerAdd } from "../sched/joiner";
import { callerThread, Thread, ThreadState } from "../sched/thread";

export class ThreadHandleObject extends KernelObject {
  constructor(readonly thread: Thread) { super(Interface.ThreadHandle); }

  decodeCall(request: Request): Invocation | null {
    if (request.method != ThreadHandleMethod.Join) return request.refuse(KernelError.UnknownMethod);
    if (this.thread === callerThread(request)) return request.refuse(KernelError.InvalidArgument);   // joining itself never ends
    return state.join;
  }
}

/** join(): holds nothing; completes now if the thread has ended, else when it ends. */
class Join extends Invocation {
  invoke(request: Request): void {
    const target = changetype<ThreadHandleObject>(request.object).thread;
    if (target.state == ThreadState.Ended) {
      request.complete(0, target.exitValue);
      return;
    }
    joinerAdd(target.joiners, callerThread(request), request.userData);
  }
}

class ThreadHandlesState {
  readonly join: Join = new Join();
}
const state = new ThreadHandlesState();
