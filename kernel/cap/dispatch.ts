// The one dispatch: every ring entry but the NOPs cap_enter completes in place comes here, from
// its snapshot, with its completion slot already reserved (syscall/cap-enter.ts). The opcode-level
// checks are made here; then the capability the entry names decodes it. decodeCall,
// decodeReceive and decodeReturn are virtual methods of KernelObject, so the switch on the
// object's type is the one the compiler makes for them (a br_table on the class id), and an
// object's decode is the only place where what its capability allows is decided. Decode checks
// and reserves and returns an Invocation, or refuses; the invocation then performs and cannot
// fail. Results are documented in docs/abi/ring.md.

import { KernelError } from "../../abi/errors";
import { Opcode } from "../../abi/ring";
import { Invocation } from "./invocation";
import { Request } from "./request";

export function dispatch(request: Request): void {
  if (!request.reservedZero()) {
    request.fail(KernelError.ReservedNonZero);
    return;
  }
  const opcode = request.opcode;
  if (opcode == Opcode.Nop) {
    request.complete(0, 0);
    return;
  }
  const table = request.caller.table;
  if (opcode == Opcode.Release) {
    request.fail(table.release(request.handle));   // None completes with 0
    return;
  }
  if (opcode != Opcode.Call && opcode != Opcode.Recv && opcode != Opcode.Return) {
    request.fail(KernelError.UnknownOpcode);
    return;
  }
  const object = table.lookup(request.handle);
  if (object === null) {
    request.fail(KernelError.InvalidHandle);
    return;
  }
  request.object = object;
  let invocation: Invocation | null;
  if (opcode == Opcode.Call) invocation = object.decodeCall(request);
  else if (opcode == Opcode.Recv) invocation = object.decodeReceive(request);
  else invocation = object.decodeReturn(request);
  if (invocation === null) {
    request.fail(request.error);
    return;
  }
  invocation.invoke(request);
}
