// Console: writes bytes from the caller's memory to the serial console
// (docs/abi/interfaces/console.md). One object, made at boot for init; any holder may write.

import { serialWrite } from "../arch/hw";
import { KernelError } from "../../abi/errors";
import { Process } from "../sched/process";
import { Thread } from "../sched/thread";
import { copyIn, userRangeCheck } from "../vm/user-memory";
import { Interface } from "../../abi/interfaces";
import { KernelObject } from "../cap/kernel-object";
import { CONSOLE_WRITE_MAXIMUM, ConsoleMethod } from "../../abi/methods";
import { Opcode, SQE_ARGUMENT0, SQE_ARGUMENT1 } from "../../abi/ring";

export class ConsoleObject extends KernelObject {
  constructor() { super(Interface.Console); }
}

const buffer = memory.data(<i32>CONSOLE_WRITE_MAXIMUM, 16);

export function consoleDecode(process: Process, method: u32, entry: usize): KernelError {
  if (method != ConsoleMethod.Write) return KernelError.UnknownMethod;
  const length = load<u64>(entry + SQE_ARGUMENT1);
  if (length > CONSOLE_WRITE_MAXIMUM) return KernelError.InvalidArgument;
  return userRangeCheck(process.space, load<u64>(entry + SQE_ARGUMENT0), length, false);
}

export function consoleInvoke(thread: Thread, entry: usize, userData: u64): void {
  const length = load<u64>(entry + SQE_ARGUMENT1);
  copyIn(thread.process.space, buffer, load<u64>(entry + SQE_ARGUMENT0), length);  // checked by decode
  if (length > 0) serialWrite(buffer, <usize>length);
  thread.ring.complete(userData, <i64>length, 0, Opcode.Call);
}
