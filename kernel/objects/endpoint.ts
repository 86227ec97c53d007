// Endpoints: synchronous IPC (docs/abi/interfaces/endpoint.md, endpoint-client.md). A client
// facet CALLs: the request is copied into the kernel and queued, or handed straight to a thread
// waiting in RECV on the owner's side; the owner RETURNs by call id and the reply is copied into
// the caller's buffer. A capability may travel each way, copied or moved. A move detaches the
// sender's slot at once (its handle is stale) and either commits into the receiver's reserved
// slot or goes back into the sender's slot under a new handle: authority is never lost or
// duplicated. Every slot and completion a transfer needs is reserved at decode.
//
// Ends are waits (sched/wait.ts): a call is a wait of its caller (if the caller ends, the call
// vanishes), and once received its `held` wait belongs to the receiver (if the receiver ends,
// the call fails with PeerEnded); a waiting RECV is a wait of its thread.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import {
  ENDPOINT_QUEUE_MAXIMUM, EndpointMethod, MESSAGE_MAXIMUM, RECEIVED_CALL_ID, RECEIVED_HANDLE, RECEIVED_HEADER_SIZE, RECEIVED_LABEL,
  RECEIVED_LENGTH, Transfer, TRANSFER_MODE_SHIFT,
} from "../../abi/methods";
import { Opcode } from "../../abi/ring";
import { CapabilityTable } from "../cap/capability-table";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { MakesCapability } from "../cap/makes-capability";
import { Request } from "../cap/request";
import { Chain } from "../collections/lists";
import { Pool } from "../collections/pool";
import { heapRelease, heapReserve, Quota } from "../memory/quota";
import { threadNotify } from "../sched/blocking";
import { ProcessState } from "../sched/process";
import { callerThread, Thread, ThreadState } from "../sched/thread";
import { Wait } from "../sched/wait";
import { copyIn, copyOut, userRangeCheck, userRangeResolve } from "../vm/user-memory";
import { instanceBytes, staticArrayBytes } from "../memory/heap-cost";

/** Bytes of the staging buffer: a RECV's header and the longest request or reply. */
const STAGING_BYTES: u64 = RECEIVED_HEADER_SIZE + MESSAGE_MAXIMUM;

@inline function low(value: u64): u64 { return value & 0xffff_ffff; }
@inline function high(value: u64): u32 { return <u32>(value >> 32); }

@inline function alive(thread: Thread): bool {
  return thread.process.state == ProcessState.Running;
}

/** What both facets share: the queues. */
class EndpointCore {
  open: bool = true;
  nextId: u32 = 1;
  queued: Chain<PendingCall> = new Chain<PendingCall>();
  received: Chain<PendingCall> = new Chain<PendingCall>();
  receivers: Chain<PendingReceive> = new Chain<PendingReceive>();
}

/** The owner's side: RECV, RETURN, and making clients. Charges its pages to `quota` while it lives. */
export class EndpointObject extends KernelObject {
  readonly core: EndpointCore = new EndpointCore();

  /** Charges `pages` to `quota` (the caller checked they are available, and that ENDPOINT_BYTES
   * fit the heap budget), which the endpoint's records take from the heap budget. */
  constructor(readonly quota: Quota, readonly pages: u64) {
    super(Interface.Endpoint);
    quota.retain();
    quota.charge(pages);
    heapReserve(ENDPOINT_BYTES);
  }

  destroy(): void {
    const core = this.core;
    core.open = false;
    let call = core.queued.shift();
    while (call !== null) { call.fail(KernelError.PeerEnded); call = core.queued.shift(); }
    call = core.received.shift();
    while (call !== null) { call.fail(KernelError.PeerEnded); call = core.received.shift(); }
    let receive = core.receivers.shift();
    while (receive !== null) { receive.fail(KernelError.PeerEnded); receive = core.receivers.shift(); }
    this.quota.uncharge(this.pages);
    heapRelease(ENDPOINT_BYTES);
    this.quota.release();
  }

  /** client(): a new client facet, into a slot reserved now. */
  decodeCall(request: Request): Invocation | null {
    if (request.method != EndpointMethod.Client) return request.refuse(KernelError.UnknownMethod);
    const client = state.clients.take();
    let error = client.reserveIn(request.caller.table);
    if (error != KernelError.None) {
      state.clients.give(client);
      return request.refuse(error);
    }
    error = callerThread(request).process.account.kernelFits(ENDPOINT_CLIENT_BYTES);
    if (error == KernelError.None) return client;
    client.rollback();
    return request.refuse(error);
  }

  /** RECV: the buffer must take a header and the longest request; a slot is reserved for a
   * capability the request may carry. */
  decodeReceive(request: Request): Invocation | null {
    if (!this.core.open) return request.refuse(KernelError.PeerEnded);
    const thread = callerThread(request);
    const error = userRangeCheck(thread.process.space, request.argument0, STAGING_BYTES, true);
    if (error != KernelError.None) return request.refuse(error);
    const slot = thread.table.reserve();
    if (slot < 0) return request.refuse(thread.table.lastError);
    const receive = state.receiveCalls.take();
    receive.table = thread.table;
    receive.slot = slot;
    return receive;
  }

  /** RETURN: the call by id, the reply's length and both buffers, then the capability to send. */
  decodeReturn(request: Request): Invocation | null {
    const id = <u32>request.argument0;
    let previous: PendingCall | null = null;
    let call = this.core.received.head;
    while (call !== null && call.id != id) {
      previous = call;
      call = call.next;
    }
    if (call === null) return request.refuse(KernelError.NotFound);
    const length = request.argument2;
    if (length > call.replyCapacity) return request.refuse(KernelError.InvalidArgument);
    const thread = callerThread(request);
    const source = userRangeResolve(thread.process.space, request.argument1, length, false);
    if (source < 0) return request.refuse(<KernelError>-source);
    const destination = userRangeResolve(call.caller!.process.space, call.replyAddress, length, true);
    if (destination < 0) return request.refuse(<KernelError>-destination);
    const answer = state.returns.take();
    answer.source = <usize>source;
    answer.destination = <usize>destination;
    const error = answer.carried.check(thread.table, request.argument3);
    if (error != KernelError.None) {
      answer.rollback();
      return request.refuse(error);
    }
    answer.call = call;
    answer.previous = previous;
    return answer;
  }
}

/** A client's side: CALL only. */
export class EndpointClientObject extends KernelObject {
  constructor(readonly core: EndpointCore) { super(Interface.EndpointClient); }

  /** A request: its sizes and buffers, the capability it carries, a place in the queue, and a
   * slot for a capability the reply may carry. */
  decodeCall(request: Request): Invocation | null {
    const core = this.core;
    if (!core.open) return request.refuse(KernelError.PeerEnded);
    const sizes = request.argument1;
    const length = low(sizes), capacity = <u64>high(sizes);
    if (length > MESSAGE_MAXIMUM || capacity > MESSAGE_MAXIMUM) return request.refuse(KernelError.InvalidArgument);
    const thread = callerThread(request);
    const source = userRangeResolve(thread.process.space, request.argument0, length, false);
    if (source < 0) return request.refuse(<KernelError>-source);
    const error0 = userRangeCheck(thread.process.space, request.argument2, capacity, true);
    if (error0 != KernelError.None) return request.refuse(error0);
    const send = state.sends.take();
    send.source = <usize>source;
    let error = send.carried.check(thread.table, request.argument3);
    if (error == KernelError.None && core.queued.length + core.received.length >= ENDPOINT_QUEUE_MAXIMUM) error = KernelError.QueueFull;
    if (error == KernelError.None) {
      send.replySlot = thread.table.reserve();
      if (send.replySlot < 0) error = thread.table.lastError;
    }
    if (error != KernelError.None) {
      send.rollback();
      return request.refuse(error);
    }
    send.table = thread.table;
    return send;
  }
}

// --- the capability a request or reply carries ----------------------------------------------------

/** A capability named by a CALL's or RETURN's argument (handle | mode << TRANSFER_MODE_SHIFT), as
 * decode found it. */
class Carried {
  object: KernelObject | null = null;
  mode: Transfer = Transfer.None;
  handle: u64 = 0;

  /** Checks the argument against `table`; None, InvalidArgument (mode, or a move at the last
   * generation: the slot could never take the capability back) or InvalidHandle. */
  check(table: CapabilityTable, argument: u64): KernelError {
    const mode = <u32>(argument >> TRANSFER_MODE_SHIFT);
    this.object = null;
    this.mode = Transfer.None;
    if (mode == <u32>Transfer.None) return KernelError.None;
    if (mode > <u32>Transfer.Move) return KernelError.InvalidArgument;
    const handle = argument & ((<u64>1 << TRANSFER_MODE_SHIFT) - 1);
    const object = table.lookup(handle);
    if (object === null) return KernelError.InvalidHandle;
    if (mode == <u32>Transfer.Move && !table.detachable(handle)) return KernelError.InvalidArgument;
    this.object = object;
    this.mode = <Transfer>mode;
    this.handle = handle;
    return KernelError.None;
  }

  /** Hands the capability to `call`: a reference, and for a move the sender's detached slot. */
  takeInto(call: PendingCall, table: CapabilityTable): void {
    const object = this.object;
    call.carried = object;
    call.carriedMode = this.mode;
    call.senderSlot = -1;
    this.object = null;
    if (object === null) return;
    object.retain();
    if (this.mode == Transfer.Move) {
      call.senderSlot = table.detach(this.handle);
      object.release();   // the table's reference passes to the call, which holds one already
    }
  }
}

// --- calls in flight --------------------------------------------------------------------------------

/** A call in flight: queued, or received and awaiting RETURN. As a wait it belongs to its caller;
 * once received, `held` belongs to the receiver. Records are pooled with their request storage,
 * so a warm call allocates nothing. The capability a call carries is a reference the call holds,
 * plus the sender's detached slot for a move. */
class PendingCall extends Wait {
  /** The next call in its endpoint's queued or received chain, or in the pool. */
  next: PendingCall | null = null;
  core: EndpointCore | null = null;
  caller: Thread | null = null;
  received: bool = false;
  id: u32 = 0;
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
  /** The receiver's hold on the call, while received. */
  held!: ReceivedCall;

  constructor() {
    super();
    this.held = new ReceivedCall(this);
  }

  /** The caller ended: the call vanishes (a later RETURN finds nothing), giving back what it
   * carried and its reply slot. */
  cancel(): void {
    const caller = this.caller!;
    this.leaveChains();
    if (alive(caller)) caller.table.cancel(this.replySlot);
    this.rollBack();
    this.recycle();
  }

  /** Completes the call with `error` (its endpoint closed, or its receiver ended), giving back
   * what it carried (its handle is the completion's value) and its reply slot. */
  fail(error: KernelError): void {
    const caller = this.caller!;
    this.leaveChains();
    this.end();
    const handle = this.rollBack();
    if (alive(caller)) caller.table.cancel(this.replySlot);
    const userData = this.userData;
    this.recycle();
    if (caller.state == ThreadState.Ended) return;
    caller.ring.complete(userData, -(<i64>error), <u64>handle, Opcode.Call);
    threadNotify(caller);
  }

  /** Out of its endpoint's chain and out of its receiver's waits. */
  leaveChains(): void {
    const core = this.core!;
    if (this.received) {
      core.received.remove(this);
      this.held.end();
    } else {
      core.queued.remove(this);
    }
  }

  /** Gives the capability back to the caller's process (a move rolls back into its slot under a
   * new handle, which is returned; the process may outlive the calling thread), or drops the
   * call's reference (a copy, or a caller whose process has ended). */
  rollBack(): u64 {
    const object = this.carried;
    if (object === null) return 0;
    this.carried = null;
    const caller = this.caller!;
    if (this.carriedMode == Transfer.Move && alive(caller)) return caller.table.commitHeld(this.senderSlot, object);
    object.release();
    return 0;
  }

  /** Moves or copies the capability into `slot` of `receiver`'s table (the sender is the thread
   * that sent it, the caller or the returner): its handle. */
  commitCarried(sender: Thread, receiver: Thread, slot: i32): u64 {
    const object = this.carried!;
    this.carried = null;
    const handle = receiver.table.commitHeld(slot, object);
    if (this.carriedMode == Transfer.Move && alive(sender)) sender.table.cancel(this.senderSlot);
    return handle;
  }

  recycle(): void {
    this.core = null;
    this.caller = null;
    this.carried = null;
    this.received = false;
    state.calls.give(this);
  }
}

/** A receiver's hold on a call it received: if the receiver ends first, the call fails. */
class ReceivedCall extends Wait {
  constructor(readonly call: PendingCall) { super(); }

  cancel(): void {
    this.call.fail(KernelError.PeerEnded);
  }
}

/** A RECV waiting for a call: a wait of the receiving thread (pooled like calls). */
class PendingReceive extends Wait {
  next: PendingReceive | null = null;
  core: EndpointCore | null = null;
  /** The receiving thread (also its waiter while the wait lasts). */
  thread: Thread | null = null;
  userData: u64 = 0;
  address: u64 = 0;
  slot: i32 = -1;

  /** The receiver ended: its reserved slot goes back (if its process lives on). */
  cancel(): void {
    const thread = this.thread!;
    this.core!.receivers.remove(this);
    if (alive(thread)) thread.table.cancel(this.slot);
    this.recycle();
  }

  /** The endpoint closed: the RECV completes with `error`. */
  fail(error: KernelError): void {
    const thread = this.thread!;
    this.end();
    const userData = this.userData, slot = this.slot;
    this.recycle();
    if (alive(thread)) thread.table.cancel(slot);
    if (thread.state == ThreadState.Ended) return;
    thread.ring.complete(userData, -(<i64>error), 0, Opcode.Recv);
    threadNotify(thread);
  }

  recycle(): void {
    this.core = null;
    this.thread = null;
    state.receives.give(this);
  }
}

/** Hands `call`, whose `length` request bytes are in the staging buffer after the header, to a
 * RECV of `receiver` (completion `userData`, buffer `address`, reserved `slot`): header and
 * request into its buffer, the capability into the slot; the call is then received, awaiting
 * RETURN, and held by the receiver, in the place of `waiting` (the RECV's wait, off its chain)
 * when the RECV had to wait. */
function deliver(core: EndpointCore, call: PendingCall, receiver: Thread, userData: u64, address: u64, slot: i32, length: u64,
                 waiting: PendingReceive | null): void {
  let handle: u64 = 0;
  if (call.carried !== null) handle = call.commitCarried(call.caller!, receiver, slot);
  else receiver.table.cancel(slot);
  const buffer = state.staging;
  store<u64>(buffer + RECEIVED_HANDLE, handle);
  store<u32>(buffer + RECEIVED_CALL_ID, call.id);
  store<u32>(buffer + RECEIVED_LABEL, call.label);
  store<u32>(buffer + RECEIVED_LENGTH, <u32>length);
  store<u32>(buffer + RECEIVED_LENGTH + 4, 0);
  const error = copyOut(receiver.process.space, address, buffer, STAGING_BYTES, RECEIVED_HEADER_SIZE + length);
  if (error != KernelError.None) abort("endpoint deliver: RECV decode checked the buffer");
  call.received = true;
  core.received.push(call);
  if (waiting !== null) {
    waiting.handOver(call.held);
    waiting.recycle();
  } else {
    call.held.begin(receiver);
  }
  receiver.ring.complete(userData, <i64>length, <u64>call.id, Opcode.Recv);
  threadNotify(receiver);
}

// --- the invocations --------------------------------------------------------------------------------

/** client(): the slot reserved for the new facet. */
class MakeClient extends MakesCapability {
  next: MakeClient | null = null;

  invoke(request: Request): void {
    const client = new EndpointClientObject(changetype<EndpointObject>(request.object).core);
    client.chargeTo(callerThread(request).process.account, ENDPOINT_CLIENT_BYTES);
    this.deliver(request, client, 0);
  }

  protected recycle(): void {
    state.clients.give(this);
  }
}

/** A client's CALL: the capability it carries and the slot reserved for the reply's. */
class Send extends Invocation {
  next: Send | null = null;
  readonly carried: Carried = new Carried();
  table: CapabilityTable | null = null;
  replySlot: i32 = -1;
  /** Where the request's bytes are in linear memory, or 0 (userRangeResolve). */
  source: usize = 0;

  invoke(request: Request): void {
    const core = changetype<EndpointClientObject>(request.object).core;
    const thread = callerThread(request);
    const sizes = request.argument1;
    const length = low(sizes);
    const call = state.calls.take();
    call.core = core;
    call.caller = thread;
    call.userData = request.userData;
    call.label = request.method;
    call.replyAddress = request.argument2;
    call.replyCapacity = <u64>high(sizes);
    call.replySlot = this.replySlot;
    call.id = core.nextId++;
    if (core.nextId == 0) core.nextId = 1;
    this.carried.takeInto(call, thread.table);
    const source = this.source;
    this.recycle();
    call.begin(thread);
    const receive = core.receivers.shift();
    // A receiver waits: the request goes straight to it, through the kernel's staging buffer.
    const destination = receive !== null ? state.staging + <usize>RECEIVED_HEADER_SIZE : changetype<usize>(call.request);
    if (source != 0) {
      memory.copy(destination, source, <usize>length);
    } else if (copyIn(thread.process.space, destination, MESSAGE_MAXIMUM, request.argument0, length) != KernelError.None) {
      abort("endpoint CALL: decode checked the request");
    }
    if (receive !== null) {
      deliver(core, call, receive.thread!, receive.userData, receive.address, receive.slot, length, receive);
      return;
    }
    call.length = <u32>length;
    core.queued.push(call);
  }

  rollback(): void {
    if (this.replySlot >= 0) this.table!.cancel(this.replySlot);
    this.carried.object = null;
    this.recycle();
  }

  private recycle(): void {
    this.table = null;
    this.replySlot = -1;
    state.sends.give(this);
  }
}

/** RECV: the slot reserved for a capability the request may carry. */
class Receive extends Invocation {
  next: Receive | null = null;
  table: CapabilityTable | null = null;
  slot: i32 = -1;

  invoke(request: Request): void {
    const core = changetype<EndpointObject>(request.object).core;
    const thread = callerThread(request);
    const slot = this.slot;
    this.recycle();
    const call = core.queued.shift();
    if (call !== null) {
      const length = <usize>call.length;
      memory.copy(state.staging + <usize>RECEIVED_HEADER_SIZE, changetype<usize>(call.request), length);
      deliver(core, call, thread, request.userData, request.argument0, slot, <u64>length, null);
      return;
    }
    const receive = state.receives.take();
    receive.core = core;
    receive.thread = thread;
    receive.userData = request.userData;
    receive.address = request.argument0;
    receive.slot = slot;
    core.receivers.push(receive);
    receive.begin(thread);
  }

  rollback(): void {
    this.table!.cancel(this.slot);
    this.recycle();
  }

  private recycle(): void {
    this.table = null;
    state.receiveCalls.give(this);
  }
}

/** RETURN: the call found by id and the capability the reply carries. */
class Answer extends Invocation {
  next: Answer | null = null;
  readonly carried: Carried = new Carried();
  call: PendingCall | null = null;
  /** The call before it in the received chain (null: it is the head), so it unlinks at once. */
  previous: PendingCall | null = null;
  /** Where the reply's bytes are, and where they go, in linear memory, or 0 (userRangeResolve). */
  source: usize = 0;
  destination: usize = 0;

  invoke(request: Request): void {
    const call = this.call!;
    const thread = callerThread(request);
    const caller = call.caller!;
    const length = request.argument2;
    if (this.source != 0 && this.destination != 0) {
      memory.copy(this.destination, this.source, <usize>length);   // both in one page each
    } else {
      let error = copyIn(thread.process.space, state.staging, STAGING_BYTES, request.argument1, length);
      if (error == KernelError.None) error = copyOut(caller.process.space, call.replyAddress, state.staging, STAGING_BYTES, length);
      if (error != KernelError.None) abort("endpoint RETURN: decode checked both buffers");
    }
    this.carried.takeInto(call, thread.table);
    const previous = this.previous;
    this.recycle();
    let handle: u64 = 0;
    if (call.carried !== null) handle = call.commitCarried(thread, caller, call.replySlot);
    else caller.table.cancel(call.replySlot);
    call.core!.received.unlinkAfter(previous, call);
    call.held.end();
    call.end();
    const callerData = call.userData;
    call.recycle();
    caller.ring.complete(callerData, <i64>length, <u64>handle, Opcode.Call);
    threadNotify(caller);
    request.complete(0, 0);
  }

  rollback(): void {
    this.carried.object = null;
    this.recycle();
  }

  private recycle(): void {
    this.call = null;
    this.previous = null;
    state.returns.give(this);
  }
}

class EndpointsState {
  /** Where requests and replies pass between two address spaces (one kernel thread). */
  readonly staging: usize = memory.data(<i32>STAGING_BYTES, 16);
  calls: Pool<PendingCall> = new Pool<PendingCall>(64);
  receives: Pool<PendingReceive> = new Pool<PendingReceive>(16);
  clients: Pool<MakeClient> = new Pool<MakeClient>(4);
  sends: Pool<Send> = new Pool<Send>(4);
  receiveCalls: Pool<Receive> = new Pool<Receive>(4);
  returns: Pool<Answer> = new Pool<Answer>(4);
}
const state = new EndpointsState();

/** Heap bytes of the records one call in flight can hold (charged with its caller's thread:
 * objects/costs.ts). */
export const PENDING_CALL_BYTES: u64 = instanceBytes<PendingCall>() + staticArrayBytes<u8>(MESSAGE_MAXIMUM)
  + instanceBytes<ReceivedCall>();
/** Heap bytes of the record one RECV in flight holds. */
export const PENDING_RECEIVE_BYTES: u64 = instanceBytes<PendingReceive>();
/** Heap bytes of an endpoint (both queues' heads), charged to the Memory quota that made it. */
export const ENDPOINT_BYTES: u64 = instanceBytes<EndpointObject>() + instanceBytes<EndpointCore>()
  + 3 * instanceBytes<Chain<PendingCall>>();
/** Heap bytes of a client facet, charged to the account of the process that made it. */
export const ENDPOINT_CLIENT_BYTES: u64 = instanceBytes<EndpointClientObject>();
