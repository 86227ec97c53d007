// Endpoints: synchronous IPC (docs/abi/interfaces/endpoint.md, endpoint-client.md). A client
// facet CALLs: the request is copied into the kernel and queued, or handed straight to a thread
// waiting in RECV on the owner's side; the owner RETURNs by call id and the reply is copied into
// the caller's buffer. A capability may travel each way, copied or moved. A move detaches the
// sender's slot at once (its handle is stale) and either commits into the receiver's reserved
// slot or goes back into the sender's slot under a new handle: authority is never lost or
// duplicated. Every slot and completion a transfer needs is reserved at decode.

import { KernelError } from "../../abi/errors";
import { Process, ProcessState } from "../sched/process";
import { Thread, ThreadState } from "../sched/thread";
import { copyIn, copyOut, userRangeCheck } from "../vm/user-memory";
import { threadNotify } from "../syscall/cap-enter";
import { Interface } from "../../abi/interfaces";
import { KernelObject } from "../cap/kernel-object";
import { ENDPOINT_QUEUE_MAXIMUM, EndpointMethod, MESSAGE_MAXIMUM, RECEIVED_HEADER_SIZE, Transfer } from "../../abi/methods";
import { Opcode, SQE_ARGUMENT0, SQE_ARGUMENT1, SQE_ARGUMENT2, SQE_ARGUMENT3, SQE_METHOD } from "../../abi/ring";
import { MemoryObject } from "./memory";
import { Chain, listRemoveAt } from "../collections/lists";

/** A call in flight: queued, or received and awaiting RETURN. Records are reused through a free
 * list (at most CALLS_FREE_MAXIMUM kept) with their request storage, so a warm call allocates
 * nothing. The capability a call carries is a reference the call holds, plus the sender's
 * detached slot for a move. */
class PendingCall {
  /** The next call in its endpoint's queued or received chain, or in the free list. */
  next: PendingCall | null = null;
  id: u32 = 0;
  caller: Thread | null = null;
  /** Set once delivered. */
  receiver: Thread | null = null;
  userData: u64 = 0;
  label: u32 = 0;
  replyAddress: u64 = 0;
  replyCapacity: u64 = 0;
  replySlot: i32 = -1;
  carried: KernelObject | null = null;
  carriedMode: Transfer = Transfer.None;
  senderSlot: i32 = -1;
  /** Bytes of `request` in use while queued. */
  length: u32 = 0;
  readonly request: StaticArray<u8> = new StaticArray<u8>(<i32>MESSAGE_MAXIMUM);
}

/** A RECV waiting for a call (reused like PendingCall). */
class PendingReceive {
  next: PendingReceive | null = null;
  thread: Thread | null = null;
  userData: u64 = 0;
  address: u64 = 0;
  slot: i32 = -1;
}

const CALLS_FREE_MAXIMUM: i32 = 64;
const RECEIVES_FREE_MAXIMUM: i32 = 16;

/** What both facets share: the queues. */
class EndpointCore {
  open: bool = true;
  nextId: u32 = 1;
  queued: Chain<PendingCall> = new Chain<PendingCall>();
  received: Chain<PendingCall> = new Chain<PendingCall>();
  receivers: Chain<PendingReceive> = new Chain<PendingReceive>();
}

class EndpointsState {
  live: EndpointCore[] = [];
  freeCalls: Chain<PendingCall> = new Chain<PendingCall>();
  freeReceives: Chain<PendingReceive> = new Chain<PendingReceive>();
}
const state = new EndpointsState();

function callTake(): PendingCall {
  const call = state.freeCalls.shift();
  return call !== null ? call : new PendingCall();
}

/** Recycles a call that is in no chain and holds no capability any more. */
function callGive(call: PendingCall): void {
  call.caller = null;
  call.receiver = null;
  call.carried = null;
  if (state.freeCalls.length < CALLS_FREE_MAXIMUM) state.freeCalls.push(call);
}

function receiveTake(): PendingReceive {
  const receive = state.freeReceives.shift();
  return receive !== null ? receive : new PendingReceive();
}

function receiveGive(receive: PendingReceive): void {
  receive.thread = null;
  if (state.freeReceives.length < RECEIVES_FREE_MAXIMUM) state.freeReceives.push(receive);
}

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
    while (core.queued.length > 0) failCall(core.queued.shift()!, KernelError.PeerEnded);
    while (core.received.length > 0) failCall(core.received.shift()!, KernelError.PeerEnded);
    while (core.receivers.length > 0) {
      const receive = core.receivers.shift()!;
      const thread = receive.thread!;
      receiveGive(receive);
      if (thread.state == ThreadState.Ended) continue;
      thread.process.table.cancel(receive.slot);
      thread.ring.complete(receive.userData, -(<i64>KernelError.PeerEnded), 0, Opcode.Recv);
      threadNotify(thread);
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

/** Takes the capability decode checked out of `process` into `call`: a reference, and for a move
 * the detached slot. Nothing when the argument carries none. */
function takeCarried(call: PendingCall, process: Process, argument: u64): void {
  const object = decoded.carried;
  call.carried = object;
  call.senderSlot = -1;
  if (object === null) return;
  const mode = <Transfer>high(argument);
  call.carriedMode = mode;
  object.retain();
  if (mode == Transfer.Move) {
    call.senderSlot = process.table.detach(<u32>low(argument));
    object.release();   // the table's reference passes to the call, which holds one already
  }
}

/** Gives the capability `call` carries back to `sender`'s process (a move rolls back into its
 * slot under a new handle, which is returned; the process may outlive the calling thread), or
 * drops the call's reference (a copy, or a sender whose process has ended). */
function rollBack(call: PendingCall, sender: Thread): u32 {
  const object = call.carried;
  if (object === null) return 0;
  call.carried = null;
  if (call.carriedMode == Transfer.Move && alive(sender)) return sender.process.table.commitHeld(call.senderSlot, object);
  object.release();
  return 0;
}

/** Moves or copies the capability `call` carries into `slot` of `receiver`'s table: its handle. */
function commitCarried(call: PendingCall, sender: Thread, receiver: Thread, slot: i32): u32 {
  const object = call.carried!;
  call.carried = null;
  const handle = receiver.process.table.commitHeld(slot, object);
  if (call.carriedMode == Transfer.Move && alive(sender)) sender.process.table.cancel(call.senderSlot);
  return handle;
}

/** Completes a call (in no chain) with `error`, returning what it carried and freeing its reply
 * slot, and recycles it. */
function failCall(call: PendingCall, error: KernelError): void {
  const caller = call.caller!;
  const handle = rollBack(call, caller);
  if (alive(caller)) caller.process.table.cancel(call.replySlot);
  const userData = call.userData;
  callGive(call);
  if (caller.state == ThreadState.Ended) return;
  caller.ring.complete(userData, -(<i64>error), <u64>handle, Opcode.Call);
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
  const sizes = load<u64>(entry + SQE_ARGUMENT1);
  const length = low(sizes);
  const call = callTake();
  call.caller = thread;
  call.userData = userData;
  call.label = load<u32>(entry + SQE_METHOD);
  call.replyAddress = load<u64>(entry + SQE_ARGUMENT2);
  call.replyCapacity = <u64>high(sizes);
  call.replySlot = decoded.slot;
  call.id = core.nextId++;
  if (core.nextId == 0) core.nextId = 1;
  takeCarried(call, thread.process, load<u64>(entry + SQE_ARGUMENT3));
  const receive = core.receivers.shift();
  if (receive !== null) {
    // A receiver waits: the request goes straight to it, through the kernel's staging buffer.
    copyIn(thread.process.space, buffer + <usize>RECEIVED_HEADER_SIZE, load<u64>(entry + SQE_ARGUMENT0), length);   // checked
    const receiver = receive.thread!;
    deliver(core, call, receiver, receive.userData, receive.address, receive.slot, length);
    receiveGive(receive);
    return;
  }
  call.length = <u32>length;
  copyIn(thread.process.space, changetype<usize>(call.request), load<u64>(entry + SQE_ARGUMENT0), length);   // checked
  core.queued.push(call);
}

/** Hands `call`, whose `length` request bytes are in the staging buffer after the header, to a
 * RECV of `receiver` (completion `userData`, buffer `address`, reserved `slot`): header and
 * request into its buffer, the capability into the slot; the call is then received, awaiting
 * RETURN. */
function deliver(core: EndpointCore, call: PendingCall, receiver: Thread, userData: u64, address: u64, slot: i32, length: u64): void {
  let handle: u32 = 0;
  if (call.carried !== null) handle = commitCarried(call, call.caller!, receiver, slot);
  else receiver.process.table.cancel(slot);
  store<u32>(buffer, call.id);
  store<u32>(buffer, call.label, 4);
  store<u32>(buffer, handle, 8);
  store<u32>(buffer, <u32>length, 12);
  copyOut(receiver.process.space, address, buffer, RECEIVED_HEADER_SIZE + length);   // checked at RECV decode
  call.receiver = receiver;
  core.received.push(call);
  receiver.ring.complete(userData, <i64>length, <u64>call.id, Opcode.Recv);
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
  const address = load<u64>(entry + SQE_ARGUMENT0);
  const call = core.queued.shift();
  if (call !== null) {
    const length = <usize>call.length;
    memory.copy(buffer + <usize>RECEIVED_HEADER_SIZE, changetype<usize>(call.request), length);
    deliver(core, call, thread, userData, address, decoded.slot, <u64>length);
    return;
  }
  const receive = receiveTake();
  receive.thread = thread;
  receive.userData = userData;
  receive.address = address;
  receive.slot = decoded.slot;
  core.receivers.push(receive);
}

export function returnDecode(object: EndpointObject, process: Process, entry: usize): KernelError {
  const core = object.core;
  const id = <u32>load<u64>(entry + SQE_ARGUMENT0);
  let call = core.received.head;
  while (call !== null && call.id != id) call = call.next;
  if (call === null) return KernelError.NotFound;
  const length = load<u64>(entry + SQE_ARGUMENT2);
  if (length > call.replyCapacity) return KernelError.InvalidArgument;
  let error = userRangeCheck(process.space, load<u64>(entry + SQE_ARGUMENT1), length, false);
  if (error == KernelError.None) error = userRangeCheck(call.caller!.process.space, call.replyAddress, length, true);
  if (error == KernelError.None) error = checkCarried(process, load<u64>(entry + SQE_ARGUMENT3));
  if (error != KernelError.None) return error;
  decoded.call = call;
  return KernelError.None;
}

export function returnInvoke(object: EndpointObject, thread: Thread, entry: usize, userData: u64): void {
  const core = object.core;
  const call = decoded.call!;
  decoded.call = null;
  const caller = call.caller!;
  const length = load<u64>(entry + SQE_ARGUMENT2);
  copyIn(thread.process.space, buffer, load<u64>(entry + SQE_ARGUMENT1), length);        // checked
  copyOut(caller.process.space, call.replyAddress, buffer, length);                      // checked
  takeCarried(call, thread.process, load<u64>(entry + SQE_ARGUMENT3));
  let handle: u32 = 0;
  if (call.carried !== null) handle = commitCarried(call, thread, caller, call.replySlot);
  else caller.process.table.cancel(call.replySlot);
  core.received.remove(call);
  const callerData = call.userData;
  callGive(call);
  caller.ring.complete(callerData, <i64>length, <u64>handle, Opcode.Call);
  threadNotify(caller);
  thread.ring.complete(userData, 0, 0, Opcode.Return);
}

// --- a thread ends ----------------------------------------------------------------------------------

/** Its calls vanish (queued ones give back what they carried, and their reserved slots),
 * calls it received fail with PeerEnded, and its waiting RECVs go with their slots. Called when a
 * thread ends (processEnd calls it before the table is released). Every chain is taken apart
 * first and the consequences run after: a rollback or a failed call can release an endpoint's
 * last capability, whose destroy() changes these very chains. */
export function endpointsThreadEnded(thread: Thread): void {
  const vanished: PendingCall[] = [], failed: PendingCall[] = [], receives: PendingReceive[] = [];
  const cores = state.live.slice(0);
  for (let e = 0; e < cores.length; e++) {
    const core = cores[e];
    takeCalls(core.queued, thread, vanished, null);
    takeCalls(core.received, thread, vanished, failed);
    let previous: PendingReceive | null = null;
    let receive = core.receivers.head;
    while (receive !== null) {
      const next = receive.next;
      if (receive.thread === thread) {
        core.receivers.unlinkAfter(previous, receive);
        receives.push(receive);
      } else {
        previous = receive;
      }
      receive = next;
    }
  }
  for (let i = 0; i < receives.length; i++) {
    if (alive(thread)) thread.process.table.cancel(receives[i].slot);
    receiveGive(receives[i]);
  }
  for (let i = 0; i < vanished.length; i++) {
    const call = vanished[i];
    if (alive(thread)) thread.process.table.cancel(call.replySlot);
    rollBack(call, thread);
    callGive(call);
  }
  for (let i = 0; i < failed.length; i++) failCall(failed[i], KernelError.PeerEnded);
}

/** Unlinks from `chain` the calls `thread` made (into `vanished`) and, when `failed` is given,
 * the calls it received (into `failed`). */
function takeCalls(chain: Chain<PendingCall>, thread: Thread, vanished: PendingCall[], failed: PendingCall[] | null): void {
  let previous: PendingCall | null = null;
  let call = chain.head;
  while (call !== null) {
    const next = call.next;
    if (call.caller === thread) {
      chain.unlinkAfter(previous, call);
      vanished.push(call);
    } else if (failed !== null && call.receiver === thread) {
      chain.unlinkAfter(previous, call);
      failed.push(call);
    } else {
      previous = call;
    }
    call = next;
  }
}
