// The ring entry being handled, as dispatch and the objects' decode and invoke see it: who
// submitted it, a snapshot of its 64 bytes in kernel memory (syscall/cap-enter.ts copies the
// entry into REQUEST_ENTRY before anything reads it, so the process cannot change it between a
// check and a use), and the object its handle names. Passed down explicitly; it holds the
// entry's inputs only: decode's results travel in the Invocation it returns, never here. The
// snapshot is static storage (one kernel thread; one per CPU later), so reading an argument is
// one load from a constant address.

import { KernelError } from "../../abi/errors";
import {
  RING_SQE_SIZE, SQE_ARGUMENT0, SQE_ARGUMENT1, SQE_ARGUMENT2, SQE_ARGUMENT3, SQE_FLAGS, SQE_HANDLE, SQE_METHOD, SQE_OPCODE, SQE_RESERVED0,
  SQE_RESERVED1, SQE_USER_DATA,
} from "../../abi/ring";
import { Caller } from "./caller";
import { Invocation } from "./invocation";
import { KernelObject } from "./kernel-object";

/** The entry being handled, copied out of its ring. */
export const REQUEST_ENTRY: usize = memory.data(<i32>RING_SQE_SIZE, 16);

export class Request {
  /** Why decode refused the entry, when it returned no invocation. */
  error: KernelError = KernelError.None;
  /** The object the entry's handle names, looked up by dispatch before decode. */
  object: KernelObject | null = null;

  constructor(
    /** Who submitted it (a Thread): each caller has its own Request. */
    readonly caller: Caller,
  ) {}

  @inline get opcode(): u32 { return <u32>load<u8>(REQUEST_ENTRY + SQE_OPCODE); }
  @inline get handle(): u64 { return load<u64>(REQUEST_ENTRY + SQE_HANDLE); }
  @inline get userData(): u64 { return load<u64>(REQUEST_ENTRY + SQE_USER_DATA); }
  @inline get method(): u32 { return load<u32>(REQUEST_ENTRY + SQE_METHOD); }
  @inline get argument0(): u64 { return load<u64>(REQUEST_ENTRY + SQE_ARGUMENT0); }
  @inline get argument1(): u64 { return load<u64>(REQUEST_ENTRY + SQE_ARGUMENT1); }
  @inline get argument2(): u64 { return load<u64>(REQUEST_ENTRY + SQE_ARGUMENT2); }
  @inline get argument3(): u64 { return load<u64>(REQUEST_ENTRY + SQE_ARGUMENT3); }

  /** Whether the fields that must be zero are (flags, reserved0, reserved1). */
  @inline reservedZero(): bool {
    return load<u8>(REQUEST_ENTRY + SQE_FLAGS) == 0 && load<u16>(REQUEST_ENTRY + SQE_RESERVED0) == 0
      && load<u64>(REQUEST_ENTRY + SQE_RESERVED1) == 0;
  }

  /** Decode's refusal: records `error` and returns no invocation. */
  refuse(error: KernelError): Invocation | null {
    this.error = error;
    return null;
  }

  /** Completes the entry into the completion slot cap_enter reserved for it. */
  complete(result: i64, value: u64): void {
    this.caller.ring.complete(this.userData, result, value, this.opcode);
  }

  /** Completes the entry with -`error`. */
  fail(error: KernelError): void {
    this.caller.ring.complete(this.userData, -(<i64>error), 0, this.opcode);
  }
}
