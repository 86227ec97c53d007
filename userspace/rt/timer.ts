// Timer client: monotonic time, the wall clock and sleep through a Timer capability
// (docs/abi/interfaces/timer.md).

import { Interface } from "../../abi/interfaces";
import { TimerMethod } from "../../abi/methods";
import { Opcode } from "../../abi/ring";
import { grant, ringCall } from "./ring";

export class Timer {
  constructor(readonly handle: u64) {}

  static granted(): Timer | null {
    const handle = grant(Interface.Timer);
    return handle != 0 ? new Timer(handle) : null;
  }

  /** Monotonic nanoseconds since boot, or -KernelError. */
  now(): i64 {
    return ringCall(Opcode.Call, this.handle, TimerMethod.Now);
  }

  /** Nanoseconds since 1970-01-01 00:00:00 UTC (the wall clock), or -KernelError (NotFound: the
   * kernel has no wall clock). */
  realtime(): i64 {
    return ringCall(Opcode.Call, this.handle, TimerMethod.Realtime);
  }

  /** Returns no earlier than `nanoseconds` from now: 0, or -KernelError. */
  sleep(nanoseconds: u64): i64 {
    return ringCall(Opcode.Call, this.handle, TimerMethod.Sleep, nanoseconds);
  }
}
