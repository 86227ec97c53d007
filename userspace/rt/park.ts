// ParkSpace client (docs/abi/interfaces/park-space.md): park on a u32 of linear memory while it
// holds an expected value; unpark wakes parked threads. No allocation: usable from any thread.

import { Interface } from "../../abi/interfaces";
import { ParkSpaceMethod } from "../../abi/methods";
import { CAP_ENTER_NO_TIMEOUT, Opcode } from "../../abi/ring";
import { grant, ringCall, ringCallPair, userAddress } from "./ring";

/** This thread's ParkSpace handle, looked up once (a per-instance global, like the ring). */
let parkSpace: u64 = 0;
function space(): u64 {
  if (parkSpace == 0) parkSpace = grant(Interface.ParkSpace);
  return parkSpace;
}

/** park's results. */
export const PARK_WOKEN: i64 = 0;
export const PARK_CHANGED: i64 = 1;
export const PARK_TIMED_OUT: i64 = -22;

/** Blocks while the u32 at `address` holds `expected`, until unparked or `timeoutNanos` passed:
 * PARK_WOKEN, PARK_CHANGED (it did not hold expected), PARK_TIMED_OUT, or -KernelError. */
export function park(address: usize, expected: u32, timeoutNanos: u64 = CAP_ENTER_NO_TIMEOUT): i64 {
  return ringCall(Opcode.Call, space(), ParkSpaceMethod.Park, userAddress(address), <u64>expected, timeoutNanos);
}

/** Wakes one thread parked on `wake`, then parks on `address` while it holds `expected`, in one
 * kernel entry: the step of a ping-pong between two threads. Returns the park's result. */
export function unparkThenPark(wake: usize, address: usize, expected: u32): i64 {
  const handle = space();
  return ringCallPair(
    Opcode.Call, handle, ParkSpaceMethod.Unpark, userAddress(wake), 1, 0, 0,
    Opcode.Call, handle, ParkSpaceMethod.Park, userAddress(address), <u64>expected, CAP_ENTER_NO_TIMEOUT, 0);
}

/** Wakes up to `count` threads parked on `address`: how many it woke, or -KernelError. */
export function unpark(address: usize, count: u32): i64 {
  return ringCall(Opcode.Call, space(), ParkSpaceMethod.Unpark, userAddress(address), <u64>count);
}
