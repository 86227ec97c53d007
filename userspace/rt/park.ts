// ParkSpace client (docs/abi/interfaces/park-space.md): park on a u32 of linear memory while it
// holds an expected value; unpark wakes parked threads. No allocation: usable from any thread.

import { Interface } from "../../kernel/cap/interface";
import { ParkSpaceMethod } from "../../kernel/cap/methods";
import { CAP_ENTER_NO_TIMEOUT, Opcode } from "../../kernel/cap/ring-layout";
import { grant, ringCall, userAddress } from "./ring";

/** park's results. */
export const PARK_WOKEN: i64 = 0;
export const PARK_CHANGED: i64 = 1;
export const PARK_TIMED_OUT: i64 = -22;

/** Blocks while the u32 at `address` holds `expected`, until unparked or `timeoutNanos` passed:
 * PARK_WOKEN, PARK_CHANGED (it did not hold expected), PARK_TIMED_OUT, or -KernelError. */
export function park(address: usize, expected: u32, timeoutNanos: u64 = CAP_ENTER_NO_TIMEOUT): i64 {
  return ringCall(Opcode.Call, grant(Interface.ParkSpace), ParkSpaceMethod.Park, userAddress(address), <u64>expected, timeoutNanos);
}

/** Wakes up to `count` threads parked on `address`: how many it woke, or -KernelError. */
export function unpark(address: usize, count: u32): i64 {
  return ringCall(Opcode.Call, grant(Interface.ParkSpace), ParkSpaceMethod.Unpark, userAddress(address), <u64>count);
}
