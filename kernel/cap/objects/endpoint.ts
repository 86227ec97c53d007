// Endpoints: synchronous IPC (docs/abi/interfaces/endpoint.md, endpoint-client.md). A client
// facet CALLs: the request is copied into the kernel and queued, or handed straight to a thread
// waiting in RECV on the owner's side; the owner RETURNs by call id and the reply is copied into
// the caller's buffer. A capability may travel each way, copied or moved. A move detaches the
// sender's slot at once (its handle is stale) and either commits into the receiver's reserved
// slot or goes back into the sender's slot under a new handle: authority is never lost or
// duplicated. Every slot and completion a transfer needs is reserved at decode.

import { KernelError } from "../../error";
import { Process, ProcessState } from "../../proc/process";
import { Thread, ThreadState } from "../../proc/thread";
import { copyIn, copyOut, userRangeCheck } from "../../proc/user-memory";
import { threadNotify } from "../../proc/cap-enter";
import { Interface } from "../interface";
import { KernelObject } from "../kernel-object";
import { ENDPOINT_QUEUE_MAXIMUM, EndpointMethod, MESSAGE_MAXIMUM, RECEIVED_HEADER_SIZE, Transfer } from "../methods";
import { Opcode, SQE_ARGUMENT0, SQE_ARGUMENT1, SQE_ARGUMENT2, SQE_ARGUMENT3, SQE_METHOD } from "../ring-layout";
import { MemoryObject } from "./memory";
import { listRemoveAt } from "../../proc/lists";

/** A capability travelling with a message: the object (a reference the message holds) and, for
 * a move, the sender's detached slot. */
class Carried {
  constructor(readonly object: KernelObject, readonly mode: Transfer, readonly senderSlot: i32) {}
}

class PendingCall {
  id: u32 = 0;
  request: StaticArray<u8> = new StaticArray<u8>(0);
  carried: Carried | null = null;
  receiver: Thread | null = null;      // set once delivered
  constructor(readonly caller: Thread, readonly userData: u64, readonly label: u32, readonly replyAddress: u64,
              readonly replyCapacity: u64, readonly replySlot: i32) {}
}

class PendingReceive {
  constructor(readonly thread: Thread, readonly userData: u64, readonly address: u64, readonly slot: i32) {}
}

/** What both facets share: the queues. */
class EndpointCore {
  open: bool = true;
  nextId: u32 = 1;
  queued: PendingCall[] = [];
  received: PendingCall[] = [];
  receivers: PendingReceive[] = [];
}

class EndpointsState {
  live: EndpointCore[] = [];
}
const state = new EndpointsState();

/** The owner's side: RECV, RETURN, and making clients. Charges its pages to `memory` while it lives. */
export class EndpointObject extends KernelObject {
  readonly core: EndpointCore = new EndpointCore();
  constructor(readonly memory: MemoryObject, readonly pages: u64) {
    super(Interface.Endpoint);
    memory.retain();
    memory.used += pages;
    state.live.push(this.core);
  }

  destroy(): void {
    const core = this.core;
    core.open = false;
    const index = state.live.indexOf(core);
    if (index >= 0) listRemoveAt(state.live, index);
    while (core.queued.length > 0) failCall(core.queued.shift(), KernelError.PeerEnded);
    while (core.received.length > 0) failCall(core.received.shift(), KernelError.PeerEnded);
    while (core.receivers.length > 0) {
      const receive = core.receivers.shift();
      if (receive.thread.state == ThreadState.Ended) continue;
      receive.thread.process.table.cancel(receive.slot);
      receive.thread.ring.complete(receive.userData, -(<i64>KernelError.PeerEnded), 0, Opcode.Recv);
      threadNotify(receive.thread);
    }
    this.memory.used -= this.pages;
    this.memory.release();
  }
}

/** A client's side: CALL only. */
export class EndpointClientObject extends KernelObject {
  constructor(readonly core: EndpointCore) { super(Interface.EndpointClient); }
}

/** What decode found, for invoke (the kernel is one thread). */
class Decoded {
  slot: i32 = -1;          // a slot reserved in the caller's table
  carried: KernelObject | null = null;
  call: PendingCall | null = null;
}
const decoded = new Decoded();
const buffer = memory.data(<i32>(RECEIVED_HEADER_SIZE + MESSAGE_MAXIMUM), 16);

@inline function low(value: u64): u64 { return value & 0xffff_ffff; }
@inline function high(value: u64): u32 { return <u32>(value >> 32); }

/** Checks a capability argument (handle | mode << 32) against `process`'s table. */
function checkCarried(process: Process, argument: u64): KernelError {
  const mode = high(argument);
  decoded.carried = null;
  if (mode == <u32>Transfer.None) return KernelError.None;
  if (mode > <u32>Transfer.Move) return KernelError.InvalidArgument;
  const object = process.table.lookup(<u32>low(argument));
  if (object === null) return KernelError.InvalidHandle;
  // A slot at its last generation could never take the capability back: it cannot be moved.
  if (mode == <u32>Transfer.Move && !process.table.detachable(<u32>low(argument))) return KernelError.InvalidArgument;
  decoded.carried = object;
  return KernelError.None;
}

@inline function alive(thread: Thread): bool {
  return thread.process.state == ProcessState.Running;
}

/** Takes the capability out of `process` for the message: a reference, and for a move the
 * detached slot. Null when the argument carries none. */
function takeCarried(process: Process, argument: u64): Carried | null {
  const object = decoded.carried;
  if (object === null) return null;
  const mode = <Transfer>high(argument);
  object.retain();
  let slot = -1;
  if (mode == Transfer.Move) {
    slot = process.table.detach(<u32>low(argument));
    object.release();   // the table's reference passes to the message, which holds one already
  }
  return new Carried(object, mode, slot);
}

/** Gives a message's capability back to its sender's process (a move rolls back into its slot
 * under a new handle, which is returned; the process may outlive the calling thread), or drops
 * the message's reference (a copy, or a sender whose process has ended). */
function rollBack(carried: Carried | null, sender: Thread): u32 {
  if (carried === null) return 0;
  if (carried.mode == Transfer.Move && alive(sender)) {
    return sender.process.table.commitHeld(carried.senderSlot, carried.object);
  }
  carried.object.release();
  return 0;
}

/** Moves or copies a message's capability into `slot` of `receiver`'s table: its handle. */
function commitCarried(carried: Carried, sender: Thread, receiver: Thread, slot: i32): u32 {
  const handle = receiver.process.table.commitHeld(slot, carried.object);
  if (carried.mode == Transfer.Move && alive(sender)) sender.process.table.cancel(carried.senderSlot);
  return handle;
}

/** Completes a call with `error`, returning what it carried and freeing its reply slot. */
function failCall(call: PendingCall, error: KernelError): void {
  const caller = call.caller;
  const handle = rollBack(call.carried, caller);
  if (alive(caller)) caller.process.table.cancel(call.replySlot);
  if (caller.state == ThreadState.Ended) return;
  caller.ring.complete(call.userData, -(<i64>error), <u64>handle, Opcode.Call);
  threadNotify(caller);
}

// --- CALL on the owner: make a client -----------------------------------------------------------

export function endpointDecode(process: Process, method: u32): KernelError {
  if (method != EndpointMethod.Client) return KernelError.UnknownMethod;
  decoded.slot = process.table.reserve();
  return decoded.slot < 0 ? KernelError.TableFull : KernelError.None;
}

export function endpointInvoke(object: EndpointObject, thread: Thread, userData: u64): void {
  const handle = thread.process.table.commit(decoded.slot, new EndpointClientObject(object.core));
  thread.ring.complete(userData, <i64>handle, 0, Opcode.Call);
}

// --- CALL on a client: a request ----------------------------------------------------------------

export function clientCallDecode(object: EndpointClientObject, process: Process, entry: usize): KernelError {
  const core = object.core;
  if (!core.open) return KernelError.PeerEnded;
  const sizes = load<u64>(entry + SQE_ARGUMENT1);
  const length = low(sizes), capacity = <u64>high(sizes);
  if (length > MESSAGE_MAXIMUM || capacity > MESSAGE_MAXIMUM) return KernelError.InvalidArgument;
  let error = userRangeCheck(process.space, load<u64>(entry + SQE_ARGUMENT0), length, false);
  if (error == KernelError.None) error = userRangeCheck(process.space, load<u64>(entry + SQE_ARGUMENT2), capacity, true);
  if (error == KernelError.None) error = checkCarried(process, load<u64>(entry + SQE_ARGUMENT3));
  if (error != KernelError.None) return error;
  if (core.queued.length + core.received.length >= ENDPOINT_QUEUE_MAXIMUM) return KernelError.QueueFull;
  decoded.slot = process.table.reserve();   // for a capability the reply may carry
  return decoded.slot < 0 ? KernelError.TableFull : KernelError.None;
}

export function clientCallInvoke(object: EndpointClientObject, thread: Thread, entry: usize, userData: u64): void {
  const core = object.core;
  const length = low(load<u64>(entry + SQE_ARGUMENT1));
  const call = new PendingCall(thread, userData, load<u32>(entry + SQE_METHOD), load<u64>(entry + SQE_ARGUMENT2),
    <u64>high(load<u64>(entry + SQE_ARGUMENT1)), decoded.slot);
  call.id = core.nextId++;
  if (core.nextId == 0) core.nextId = 1;
  call.request = new StaticArray<u8>(<i32>length);
  copyIn(thread.process.space, changetype<usize>(call.request), load<u64>(entry + SQE_ARGUMENT0), length);   // checked
  call.carried = takeCarried(thread.process, load<u64>(entry + SQE_ARGUMENT3));
  while (core.receivers.length > 0) {
    const receive = core.receivers.shift();
    if (receive.thread.state == ThreadState.Ended) continue;
    deliver(core, call, receive);
    return;
  }
  core.queued.push(call);
}

/** Hands `call` to a waiting RECV: header and request into its buffer, the capability into its
 * reserved slot; the call is then received, awaiting RETURN. */
function deliver(core: EndpointCore, call: PendingCall, receive: PendingReceive): void {
  const receiver = receive.thread;
  let handle: u32 = 0;
  const carried = call.carried;
  if (carried !== null) {
    handle = commitCarried(carried, call.caller, receiver, receive.slot);
    call.carried = null;
  } else {
    receiver.process.table.cancel(receive.slot);
  }
  const length = <u64>call.request.length;
  store<u32>(buffer, call.id);
  store<u32>(buffer, call.label, 4);
  store<u32>(buffer, handle, 8);
  store<u32>(buffer, <u32>length, 12);
  memory.copy(buffer + <usize>RECEIVED_HEADER_SIZE, changetype<usize>(call.request), <usize>length);
  copyOut(receiver.process.space, receive.address, buffer, RECEIVED_HEADER_SIZE + length);   // checked at RECV decode
  call.request = new StaticArray<u8>(0);
  call.receiver = receiver;
  core.received.push(call);
  receiver.ring.complete(receive.userData, <i64>length, <u64>call.id, Opcode.Recv);
  threadNotify(receiver);
}

// --- RECV and RETURN on the owner -----------------------------------------------------------------

export function receiveDecode(object: EndpointObject, process: Process, entry: usize): KernelError {
  if (!object.core.open) return KernelError.PeerEnded;
  const error = userRangeCheck(process.space, load<u64>(entry + SQE_ARGUMENT0), RECEIVED_HEADER_SIZE + MESSAGE_MAXIMUM, true);
  if (error != KernelError.None) return error;
  decoded.slot = process.table.reserve();   // for a capability the request may carry
  return decoded.slot < 0 ? KernelError.TableFull : KernelError.None;
}

export function receiveInvoke(object: EndpointObject, thread: Thread, entry: usize, userData: u64): void {
  const core = object.core;
  const receive = new PendingReceive(thread, userData, load<u64>(entry + SQE_ARGUMENT0), decoded.slot);
  if (core.queued.length > 0) {
    deliver(core, core.queued.shift(), receive);
    return;
  }
  core.receivers.push(receive);
}

export function returnDecode(object: EndpointObject, process: Process, entry: usize): KernelError {
  const core = object.core;
  const id = <u32>load<u64>(entry + SQE_ARGUMENT0);
  let call: PendingCall | null = null;
  for (let i = 0; i < core.received.length; i++) if (core.received[i].id == id) call = core.received[i];
  if (call === null) return KernelError.NotFound;
  const length = load<u64>(entry + SQE_ARGUMENT2);
  if (length > call.replyCapacity) return KernelError.InvalidArgument;
  let error = userRangeCheck(process.space, load<u64>(entry + SQE_ARGUMENT1), length, false);
  if (error == KernelError.None) error = userRangeCheck(call.caller.process.space, call.replyAddress, length, true);
  if (error == KernelError.None) error = checkCarried(process, load<u64>(entry + SQE_ARGUMENT3));
  if (error != KernelError.None) return error;
  decoded.call = call;
  return KernelError.None;
}

export function returnInvoke(object: EndpointObject, thread: Thread, entry: usize, userData: u64): void {
  const core = object.core;
  const call = decoded.call!;
  decoded.call = null;
  const caller = call.caller;
  const length = load<u64>(entry + SQE_ARGUMENT2);
  copyIn(thread.process.space, buffer, load<u64>(entry + SQE_ARGUMENT1), length);        // checked
  copyOut(caller.process.space, call.replyAddress, buffer, length);                      // checked
  let handle: u32 = 0;
  const carried = takeCarried(thread.process, load<u64>(entry + SQE_ARGUMENT3));
  if (carried !== null) handle = commitCarried(carried, thread, caller, call.replySlot);
  else caller.process.table.cancel(call.replySlot);
  listRemoveAt(core.received, core.received.indexOf(call));
  caller.ring.complete(call.userData, <i64>length, <u64>handle, Opcode.Call);
  threadNotify(caller);
  thread.ring.complete(userData, 0, 0, Opcode.Return);
}

// --- a thread ends ----------------------------------------------------------------------------------

/** Its calls vanish (queued ones give back what they carried, and their reserved slots),
 * calls it received fail with PeerEnded, and its waiting RECVs go with their slots. Called when a
 * thread ends (processEnd calls it before the table is released). Every list is taken apart
 * first and the consequences run after: a rollback or a failed call can release an endpoint's
 * last capability, whose destroy() changes these very lists. */
export function endpointsThreadEnded(thread: Thread): void {
  const vanished: PendingCall[] = [], failed: PendingCall[] = [], receives: PendingReceive[] = [];
  const cores = state.live.slice(0);
  for (let e = 0; e < cores.length; e++) {
    const core = cores[e];
    for (let i = core.queued.length - 1; i >= 0; i--) {
      if (core.queued[i].caller !== thread) continue;
      vanished.push(core.queued[i]);
      listRemoveAt(core.queued, i);
    }
    for (let i = core.received.length - 1; i >= 0; i--) {
      const call = core.received[i];
      if (call.caller === thread) {
        vanished.push(call);
        listRemoveAt(core.received, i);
      } else if (call.receiver === thread) {
        failed.push(call);
        listRemoveAt(core.received, i);
      }
    }
    for (let i = core.receivers.length - 1; i >= 0; i--) {
      if (core.receivers[i].thread !== thread) continue;
      receives.push(core.receivers[i]);
      listRemoveAt(core.receivers, i);
    }
  }
  for (let i = 0; i < receives.length; i++) if (alive(thread)) thread.process.table.cancel(receives[i].slot);
  for (let i = 0; i < vanished.length; i++) {
    const call = vanished[i];
    if (alive(thread)) thread.process.table.cancel(call.replySlot);
    rollBack(call.carried, thread);
  }
  for (let i = 0; i < failed.length; i++) failCall(failed[i], KernelError.PeerEnded);
}
