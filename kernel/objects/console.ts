// Console: writes bytes from the caller's memory to the console: the serial port, and the screen
// when there is one (console/screen.ts; docs/abi/interfaces/console.md). One object, made at boot
// for init; any holder may write.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { CONSOLE_WRITE_MAXIMUM, ConsoleMethod } from "../../abi/methods";
import { consoleWrite } from "../console/screen";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { callerThread } from "../sched/thread";
import { copyIn, userRangeCheck } from "../vm/user-memory";
import { AddressSpace } from "../vm/address-space";

export class ConsoleObject extends KernelObject {
  constructor() { super(Interface.Console); }

  decodeCall(request: Request): Invocation | null {
    if (request.method != ConsoleMethod.Write) return request.refuse(KernelError.UnknownMethod);
    const length = request.argument1;
    if (length > CONSOLE_WRITE_MAXIMUM) return request.refuse(KernelError.InvalidArgument);
    const error = userRangeCheck(callerThread(request).process.space, request.argument0, length, false);
    return error != KernelError.None ? request.refuse(error) : state.write;
  }
}

/** write(address, length): nothing to reserve; the staging buffer is static (one kernel thread). */
class Write extends Invocation {
  invoke(request: Request): void {
    const length = request.argument1;
    const error = copyIn(callerThread(request).process.space, state.buffer, CONSOLE_WRITE_MAXIMUM, request.argument0, length);
    if (error != KernelError.None) abort("Console.write: decode checked the range");
    if (length > 0) consoleWrite(state.buffer, <usize>length);
    request.complete(<i64>length, 0);
  }
}

class ConsoleState {
  /** Where written bytes are staged on their way to the serial port. */
  readonly buffer: usize = memory.data(<i32>CONSOLE_WRITE_MAXIMUM, 16);
  /** Holds nothing: invoke reads its arguments again from the request's snapshot. */
  readonly write: Write = new Write();
}
const state = new ConsoleState();

/** Writes `length` bytes of `space` at `address` to the console, for a holder of a Console
 * capability that does not use the ring (the Linux personality's write): all of them, or none
 * and BadAddress when part of the range is not readable user memory. Bounded work per call is
 * the caller's (at most CONSOLE_USER_WRITE_MAXIMUM bytes). */
export function consoleWriteFrom(space: AddressSpace, address: u64, length: u64): KernelError {
  if (length > CONSOLE_USER_WRITE_MAXIMUM) abort("consoleWriteFrom: longer than a call may write");
  const error = userRangeCheck(space, address, length, false);
  if (error != KernelError.None) return error;
  for (let done: u64 = 0; done < length; done += CONSOLE_WRITE_MAXIMUM) {
    const chunk = min(CONSOLE_WRITE_MAXIMUM, length - done);
    if (copyIn(space, state.buffer, CONSOLE_WRITE_MAXIMUM, address + done, chunk) != KernelError.None) abort("consoleWriteFrom: checked range");
    consoleWrite(state.buffer, <usize>chunk);
  }
  return KernelError.None;
}

/** The most bytes consoleWriteFrom takes in one call (a longer write is partial, as a tty's may be). */
export const CONSOLE_USER_WRITE_MAXIMUM: u64 = 64 * 1024;
