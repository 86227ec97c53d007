// What the trace line of the current call names as the capability behind it (syscall.ts): the
// handlers say so with traceBacked as they use one; one kernel thread, so one record.

import { Interface } from "../../abi/interfaces";

export class TraceBacking {
  handle: u64 = 0;
  iface: Interface = Interface.None;
}
const backing = new TraceBacking();

export function traceReset(): void {
  backing.handle = 0;
  backing.iface = Interface.None;
}

/** The call is acting on capability `handle` of interface `iface`. */
export function traceBacked(handle: u64, iface: Interface): void {
  backing.handle = handle;
  backing.iface = iface;
}

export function traceBacking(): TraceBacking {
  return backing;
}
