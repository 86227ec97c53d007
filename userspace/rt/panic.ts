// The user runtime's panic path (asc --use abort=userspace/rt/panic/userAbort): an
// AssemblyScript abort prints its message through the process's Console, if it holds one, and
// ends the process with exit code PANIC_EXIT_CODE.

import { Interface } from "../../abi/interfaces";
import { ConsoleMethod } from "../../abi/methods";
import {
  CAP_ENTER_NO_TIMEOUT, Opcode, RING_SQ_ENTRIES, RING_SQ_HEAD, RING_SQ_OFFSET, RING_SQ_TAIL, RING_SQE_SIZE, SQE_ARGUMENT0,
  SQE_ARGUMENT1, SQE_HANDLE, SQE_METHOD, SQE_OPCODE, SQE_USER_DATA,
} from "../../abi/ring";
import { USER_RING_LINEAR } from "../../abi/layout";
import { grant, userAddress } from "./ring";
import { capEnter, exit } from "./syscalls";

export const PANIC_EXIT_CODE: i32 = -1;

/** Copies an AssemblyScript string as ASCII into `buffer`; returns the new length. */
function append(buffer: usize, length: u32, capacity: u32, text: string | null): u32 {
  if (text === null) return length;
  for (let i = 0; i < text.length && length < capacity; i++) {
    const unit = text.charCodeAt(i);
    store<u8>(buffer + length++, unit < 0x80 ? <u8>unit : 0x3f);
  }
  return length;
}

// The abort function can be compiled while a global's initializer is being typed (an allocation
// may abort), so nothing reached from here may read a module global (asc 0.28 asserts): no
// ringCall, an entry of its own, a static buffer made in place.
@inline const PANIC_BUFFER_SIZE: u32 = 256;
@inline const PANIC_USER_DATA: u64 = 0x7061_6e69_6300_0000;

/** Submits the console write and waits once; the process ends right after, so its completion
 * is left unread. */
function panicWrite(console: u64, buffer: usize, length: u32): void {
  const ring = <usize>USER_RING_LINEAR;
  const tail = load<u32>(ring + RING_SQ_TAIL);
  if (tail - load<u32>(ring + RING_SQ_HEAD) >= RING_SQ_ENTRIES) return;
  const entry = ring + RING_SQ_OFFSET + (tail % RING_SQ_ENTRIES) * RING_SQE_SIZE;
  memory.fill(entry, 0, RING_SQE_SIZE);
  store<u8>(entry + SQE_OPCODE, <u8>Opcode.Call);
  store<u32>(entry + SQE_METHOD, ConsoleMethod.Write);
  store<u64>(entry + SQE_USER_DATA, PANIC_USER_DATA);
  store<u64>(entry + SQE_HANDLE, console);
  store<u64>(entry + SQE_ARGUMENT0, userAddress(buffer));
  store<u64>(entry + SQE_ARGUMENT1, <u64>length);
  store<u32>(ring + RING_SQ_TAIL, tail + 1);
  capEnter(0, CAP_ENTER_NO_TIMEOUT);
}

/** Never allocates (the heap may be what failed). */
export function userAbort(message: string | null = null, fileName: string | null = null, line: u32 = 0, column: u32 = 0): void {
  const panicBuffer = memory.data(<i32>PANIC_BUFFER_SIZE);
  const console = grant(Interface.Console);
  if (console != 0) {
    let length = append(panicBuffer, 0, PANIC_BUFFER_SIZE, "panic: ");
    length = append(panicBuffer, length, PANIC_BUFFER_SIZE, message);
    length = append(panicBuffer, length, PANIC_BUFFER_SIZE, " at ");
    length = append(panicBuffer, length, PANIC_BUFFER_SIZE, fileName);
    length = append(panicBuffer, length, PANIC_BUFFER_SIZE, ":");
    let digits: u32 = 1, scale: u32 = 1;
    while (line / scale >= 10) { scale *= 10; digits++; }
    for (; scale > 0 && length < PANIC_BUFFER_SIZE; scale /= 10) store<u8>(panicBuffer + length++, <u8>(0x30 + (line / scale) % 10));
    if (length < PANIC_BUFFER_SIZE) store<u8>(panicBuffer + length++, 0x0a);
    panicWrite(console, panicBuffer, length);
  }
  exit(PANIC_EXIT_CODE);
  unreachable();
}
