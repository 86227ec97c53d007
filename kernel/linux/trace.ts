// What the trace line of the current call names as the capability behind it (syscall.ts): the
// handlers say so with traceBacked as they use one; one kernel thread, so one record.

import { Interface } from "../../abi/interfaces";

export class TraceState {
  handle: u64 = 0;
  iface: Interface = Interface.None;
}
const state = new TraceState();

export function traceReset(): void {
  state.handle = 0;
  state.iface = Interface.None;
}

/** The call is acting on capability `handle` of interface `iface`. */
export function traceBacked(handle: u64, iface: Interface): void {
  state.handle = handle;
  state.iface = iface;
}

/** The capability the current call named (handle 0: none). */
export function traceBacking(): TraceState {
  return state;
}
