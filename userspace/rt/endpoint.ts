// Endpoint clients (docs/abi/interfaces/endpoint.md, endpoint-client.md): the owner's side
// receives requests and returns replies by call id; a client's side calls. Buffers are linear
// addresses the caller owns; nothing here allocates, so these work from any thread.

import {
  EndpointMethod, MemoryMethod, RECEIVED_CALL_ID, RECEIVED_HANDLE, RECEIVED_HEADER_SIZE, RECEIVED_LABEL, RECEIVED_LENGTH, Transfer,
  TRANSFER_MODE_SHIFT,
} from "../../abi/methods";
import { Opcode } from "../../abi/ring";
import { firstResult, lastValue, ringCall, ringCallPair, userAddress } from "./ring";

/** A capability to send along: a handle of this process and how (Transfer.Copy or Move), as
 * CALL's and RETURN's argument3 carries it: handle | mode << TRANSFER_MODE_SHIFT (a handle is
 * below 2^56, so the two never overlap). */
@inline export function carry(handle: u64, how: Transfer): u64 {
  return handle | (<u64>how << TRANSFER_MODE_SHIFT);
}

/** A received request, read from the buffer RECV filled (header, then the bytes). */
export class Received {
  callId: u32 = 0;
  label: u32 = 0;
  /** A capability that came with it (0: none), now in this process's table. */
  handle: u64 = 0;
  length: u32 = 0;
  /** Where the request bytes start. */
  data: usize = 0;
}

/** The header RECV wrote at `buffer` (RECEIVED_HEADER_SIZE bytes: u64 handle, u32 call id, u32
 * label, u32 length, u32 0); then the bytes. */
function readHeader(buffer: usize, into: Received): void {
  into.handle = load<u64>(buffer + RECEIVED_HANDLE);
  into.callId = load<u32>(buffer + RECEIVED_CALL_ID);
  into.label = load<u32>(buffer + RECEIVED_LABEL);
  into.length = load<u32>(buffer + RECEIVED_LENGTH);
  into.data = buffer + <usize>RECEIVED_HEADER_SIZE;
}

export class Endpoint {
  constructor(readonly handle: u64) {}

  /** A new endpoint, charged to `memory`'s quota: null (and the error) on failure. */
  static create(memoryHandle: u64): Endpoint | null {
    const result = ringCall(Opcode.Call, memoryHandle, MemoryMethod.Endpoint);
    return result < 0 ? null : new Endpoint(<u64>result);
  }

  /** A client facet (CALL only) to hand to others; 0 on failure. */
  client(): u64 {
    const result = ringCall(Opcode.Call, this.handle, EndpointMethod.Client);
    return result < 0 ? 0 : <u64>result;
  }

  /** Waits for a request into `buffer` (RECEIVED_HEADER_SIZE + MESSAGE_MAXIMUM bytes) and fills
   * `into`; returns 0 or -KernelError. */
  receive(buffer: usize, into: Received): i64 {
    const result = ringCall(Opcode.Recv, this.handle, 0, userAddress(buffer));
    if (result < 0) return result;
    readHeader(buffer, into);
    return 0;
  }

  /** reply() then receive() in one kernel entry, as a server loop does: 0 or -KernelError (of
   * the receive; a failed reply is -KernelError too). */
  replyAndReceive(callId: u32, data: usize, length: u32, carried: u64, buffer: usize, into: Received): i64 {
    const result = ringCallPair(
      Opcode.Return, this.handle, 0, <u64>callId, userAddress(data), <u64>length, carried,
      Opcode.Recv, this.handle, 0, userAddress(buffer), 0, 0, 0);
    if (firstResult() < 0) return firstResult();
    if (result < 0) return result;
    readHeader(buffer, into);
    return 0;
  }

  /** Answers call `callId` with `length` bytes at `data`, and optionally a capability
   * (carry(handle, how)); returns 0 or -KernelError. */
  reply(callId: u32, data: usize, length: u32, carried: u64 = 0): i64 {
    return ringCall(Opcode.Return, this.handle, 0, <u64>callId, userAddress(data), <u64>length, carried);
  }
}

export class EndpointClient {
  /** The capability the last reply carried (0: none). */
  received: u64 = 0;

  constructor(readonly handle: u64) {}

  /** Sends `length` bytes at `request` with `label` and optionally a capability; waits for the
   * reply into `reply` (up to `capacity` bytes). Returns the reply's length or -KernelError. */
  call(label: u32, request: usize, length: u32, reply: usize, capacity: u32, carried: u64 = 0): i64 {
    const result = ringCall(Opcode.Call, this.handle, label, userAddress(request), <u64>length | (<u64>capacity << 32),
      userAddress(reply), carried);
    this.received = result >= 0 ? lastValue() : 0;
    return result;
  }
}
