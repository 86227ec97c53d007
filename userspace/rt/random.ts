// Random client: bytes from the kernel's generator through a Random capability
// (docs/abi/interfaces/random.md).

import { Interface } from "../../abi/interfaces";
import { RANDOM_READ_MAXIMUM, RandomMethod } from "../../abi/methods";
import { Opcode } from "../../abi/ring";
import { grant, ringCall, userAddress } from "./ring";

export class Random {
  constructor(readonly handle: u64) {}

  /** The Random the process was started with, or null. */
  static granted(): Random | null {
    const handle = grant(Interface.Random);
    return handle != 0 ? new Random(handle) : null;
  }

  /** Fills `length` bytes at linear address `address`; returns `length`, or -KernelError. */
  fill(address: usize, length: usize): i64 {
    let done: u64 = 0;
    while (done < <u64>length) {
      const chunk = min(<u64>length - done, RANDOM_READ_MAXIMUM);
      const result = ringCall(Opcode.Call, this.handle, RandomMethod.Read, userAddress(address + <usize>done), chunk);
      if (result < 0) return result;
      done += <u64>result;
    }
    return <i64>done;
  }
}
