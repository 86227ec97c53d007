// Console client: text to the serial console through a Console capability
// (docs/abi/interfaces/console.md).

import { Interface } from "../../abi/interfaces";
import { CONSOLE_WRITE_MAXIMUM, ConsoleMethod } from "../../abi/methods";
import { Opcode } from "../../abi/ring";
import { grant, ringCall, userAddress } from "./ring";

export class Console {
  constructor(readonly handle: u64) {}

  /** The Console the process was started with, or null. */
  static granted(): Console | null {
    const handle = grant(Interface.Console);
    return handle != 0 ? new Console(handle) : null;
  }

  /** Writes `length` bytes at linear address `address`; returns bytes written or -KernelError. */
  writeBytes(address: usize, length: usize): i64 {
    let written: i64 = 0;
    while (<u64>written < <u64>length) {
      const chunk = min(<u64>length - <u64>written, CONSOLE_WRITE_MAXIMUM);
      const result = ringCall(Opcode.Call, this.handle, ConsoleMethod.Write, userAddress(address + <usize>written), chunk);
      if (result < 0) return result;
      written += result;
    }
    return written;
  }

  /** Writes `text` as UTF-8; returns bytes written or -KernelError. */
  write(text: string): i64 {
    const bytes = String.UTF8.encode(text);
    return this.writeBytes(changetype<usize>(bytes), <usize>bytes.byteLength);
  }

  /** Writes `text` and a line feed. */
  line(text: string): i64 {
    return this.write(text + "\n");
  }
}
