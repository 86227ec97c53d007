// One ring entry, from its snapshot: the opcode-level checks and the route to the capability
// (dispatch.ts). Its completion slot is already reserved (proc/cap-enter.ts); every path here
// fills it, except an operation that completes later (it keeps the reservation). Results are
// documented in docs/abi/ring.md.

import { KernelError } from "../../abi/errors";
import { Thread } from "../sched/thread";
import { callDecode, callInvoke } from "./dispatch";
import { Interface } from "../../abi/interfaces";
import { EndpointObject, receiveDecode, receiveInvoke, returnDecode, returnInvoke } from "../objects/endpoint";
import { Opcode, SQE_FLAGS, SQE_HANDLE, SQE_OPCODE, SQE_RESERVED0, SQE_RESERVED1, SQE_RESERVED2, SQE_USER_DATA } from "../../abi/ring";

@inline function fail(thread: Thread, userData: u64, error: KernelError, opcode: u32): void {
  thread.ring.complete(userData, -(<i64>error), 0, opcode);
}

export function entryProcess(thread: Thread, entry: usize): void {
  const opcode = <u32>load<u8>(entry + SQE_OPCODE);
  const userData = load<u64>(entry + SQE_USER_DATA);
  if (load<u8>(entry + SQE_FLAGS) != 0 || load<u16>(entry + SQE_RESERVED0) != 0 || load<u32>(entry + SQE_RESERVED1) != 0
      || load<u64>(entry + SQE_RESERVED2) != 0) {
    fail(thread, userData, KernelError.ReservedNonZero, opcode);
    return;
  }
  if (opcode == Opcode.Nop) {
    thread.ring.complete(userData, 0, 0, opcode);
    return;
  }
  const table = thread.process.table;
  const handle = load<u32>(entry + SQE_HANDLE);
  switch (opcode) {
    case Opcode.Call: {
      const object = table.lookup(handle);
      if (object === null) { fail(thread, userData, KernelError.InvalidHandle, opcode); return; }
      const error = callDecode(thread, object, entry);
      if (error != KernelError.None) { fail(thread, userData, error, opcode); return; }
      callInvoke(thread, object, entry, userData);
      return;
    }
    case Opcode.Recv:
    case Opcode.Return: {
      // Both need the owner's side of an endpoint (docs/abi/interfaces/endpoint.md).
      const object = table.lookup(handle);
      if (object === null) { fail(thread, userData, KernelError.InvalidHandle, opcode); return; }
      if (object.iface != Interface.Endpoint) { fail(thread, userData, KernelError.WrongInterface, opcode); return; }
      const endpoint = changetype<EndpointObject>(object);
      const receiving = opcode == Opcode.Recv;
      const error = receiving ? receiveDecode(endpoint, thread.process, entry) : returnDecode(endpoint, thread.process, entry);
      if (error != KernelError.None) { fail(thread, userData, error, opcode); return; }
      if (receiving) receiveInvoke(endpoint, thread, entry, userData);
      else returnInvoke(endpoint, thread, entry, userData);
      return;
    }
    case Opcode.Release: {
      fail(thread, userData, table.release(handle), opcode);
      return;
    }
  }
  fail(thread, userData, KernelError.UnknownOpcode, opcode);
}
