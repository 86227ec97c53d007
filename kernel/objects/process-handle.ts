// ProcessHandle: one spawned process, seen by whoever holds it: wait for its end, kill it
// (docs/abi/interfaces/process-handle.md). Releasing the last handle leaves the process running.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { ExitKind, ProcessHandleMethod } from "../../abi/methods";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { joinerAdd } from "../sched/joiner";
import { exitValue, Process, processEnd, ProcessState } from "../sched/process";
import { callerThread } from "../sched/thread";

/** The exit code a killed process reports. */
export const KILLED_EXIT_CODE: i32 = -9;

export class ProcessHandleObject extends KernelObject {
  constructor(readonly process: Process) { super(Interface.ProcessHandle); }

  decodeCall(request: Request): Invocation | null {
    const method = request.method;
    if (method == ProcessHandleMethod.Wait) return state.wait;
    if (method == ProcessHandleMethod.Kill) return state.kill;
    return request.refuse(KernelError.UnknownMethod);
  }
}

/** wait(): holds nothing; completes now if the process has ended, else when it ends. */
class WaitFor extends Invocation {
  invoke(request: Request): void {
    const process = changetype<ProcessHandleObject>(request.object).process;
    if (process.state == ProcessState.Ended) {
      request.complete(0, exitValue(process));
      return;
    }
    joinerAdd(process.joiners, callerThread(request), request.userData);
  }
}

/** kill(): holds nothing. Killing its own process, the caller never reads a completion. */
class Kill extends Invocation {
  invoke(request: Request): void {
    const process = changetype<ProcessHandleObject>(request.object).process;
    if (process !== callerThread(request).process) request.complete(0, 0);
    processEnd(process, ExitKind.Killed, KILLED_EXIT_CODE);
  }
}

class ProcessHandlesState {
  readonly wait: WaitFor = new WaitFor();
  readonly kill: Kill = new Kill();
}
const state = new ProcessHandlesState();
