// Timer client: monotonic time and sleep through a Timer capability
// (docs/abi/interfaces/timer.md).

import { Interface } from "../../abi/interfaces";
import { TimerMethod } from "../../abi/methods";
import { Opcode } from "../../abi/ring";
import { grant, ringCall } from "./ring";

export class Timer {
  constructor(readonly handle: u32) {}

  static granted(): Timer | null {
    const handle = grant(Interface.Timer);
    return handle != 0 ? new Timer(handle) : null;
  }

  /** Monotonic nanoseconds since boot, or -KernelError. */
  now(): i64 {
    return ringCall(Opcode.Call, this.handle, TimerMethod.Now);
  }

  /** Returns no earlier than `nanoseconds` from now: 0, or -KernelError. */
  sleep(nanoseconds: u64): i64 {
    return ringCall(Opcode.Call, this.handle, TimerMethod.Sleep, nanoseconds);
  }
}
