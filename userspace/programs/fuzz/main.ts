// fuzz: the ring fuzzer (test=user init=fuzz; tests/qemu/processes.test.ts). Mutates valid ring
// entries (FUZZ_ENTRIES of them, seeded; the seed is printed, and `initarg=SEED` on the kernel
// command line replays one; a quarter stay valid) on every capability it holds, its own endpoints,
// their clients and its ParkSpace included, with capabilities copied and moved, submits them in
// random batches, and checks that every consumed entry gets exactly one completion, at once or
// later, whose result its opcode may give. Then it breaks the ring on purpose and provokes, one
// by one, the errors the mutations cannot reach alone (not QueueFull: see REQUIRED). Each step
// prints "fuzz: PASS step" or "fuzz: FAIL step: what was seen"; exits 0 when every step passed.
//
// Entries that complete later (a CALL until its RETURN, a RECV until a call comes, a park, a
// sleep) make the run go in epochs: each makes EPOCH_ENDPOINTS endpoints and a client of each,
// and ends by closing them, which must complete every call and receive still waiting; parks and
// sleeps are bounded (PARK_MAXIMUM, SLEEP_MAXIMUM). While anything is outstanding nothing here
// allocates or uses the runtime's ringCall (userspace/rt/ring.ts): both would meet a completion
// that is not theirs.

import { Completion, grant, ringCall, ringPop, ringPush, userAddress } from "../../rt/ring";
import { Interface } from "../../../abi/interfaces";
import { KernelError, kernelErrorName } from "../../../abi/errors";
import { capEnter } from "../../rt/syscalls";
import {
  CQE_OPCODE, CQE_RESERVED, CQE_RESULT, CQE_USER_DATA, CQE_VALUE, HANDLE_BITS, HANDLE_SLOT_BITS, Opcode, RING_CQ_ENTRIES, RING_CQ_HEAD,
  RING_CQ_OFFSET, RING_CQ_TAIL, RING_CQE_SIZE, RING_GRANT_COUNT, RING_SQ_ENTRIES, RING_SQ_HEAD, RING_SQ_OFFSET, RING_SQ_TAIL,
  RING_SQE_SIZE, SQE_ARGUMENT0, SQE_ARGUMENT1, SQE_ARGUMENT2, SQE_ARGUMENT3, SQE_FLAGS, SQE_HANDLE, SQE_METHOD, SQE_OPCODE,
  SQE_RESERVED0, SQE_RESERVED1, SQE_USER_DATA,
} from "../../../abi/ring";
import {
  CAPABILITY_SLOTS_MAXIMUM, ConsoleMethod, ENDPOINT_PAGES, EndpointMethod, MemoryMethod, MESSAGE_MAXIMUM, ParkSpaceMethod,
  ProcessSpawnerMethod, RECEIVED_CALL_ID, RECEIVED_HANDLE, RECEIVED_HEADER_SIZE, RECEIVED_LENGTH, TimerMethod, Transfer,
  TRANSFER_MODE_SHIFT,
} from "../../../abi/methods";
import { USER_RING_LINEAR } from "../../../abi/layout";
import {
  carry, Console, Memory, park, PARK_CHANGED, PARK_TIMED_OUT, ProcessSpawner, readTsc, startArgument, Timer,
  Steps,
} from "../../rt/index";

const FUZZ_ENTRIES = 100_000;
/** Entries per epoch; an epoch also ends early when outstanding entries leave no room. */
const EPOCH_ENTRIES = 2_000;
const EPOCH_ENDPOINTS = 2;
const CALLS_UNDER_WAY: u32 = 6;
const RECEIVES_UNDER_WAY: u32 = 4;
const PARKS_UNDER_WAY: u32 = 4;
const RING = <usize>USER_RING_LINEAR;
const QUEUE: u32 = RING_SQ_ENTRIES;   // = RING_CQ_ENTRIES
/** Bounds on what a mutated entry may wait for, so that every epoch ends. */
const SLEEP_MAXIMUM: u64 = 20_000_000;
const PARK_MAXIMUM: u64 = 20_000_000;
/** How long the end of an epoch waits for one more completion, and how many empty waits in a row
 * mean that an entry will never complete (a park or sleep is done after PARK_MAXIMUM + a tick). */
const SETTLE_WAIT: u64 = 100_000_000;
const SETTLE_IDLE_LIMIT = 10;
/** Capability slots a process's table can grow to (docs/abi/ring.md, "Handles"). */
const TABLE_SLOTS: u32 = CAPABILITY_SLOTS_MAXIMUM;
/** A handle is (generation << HANDLE_SLOT_BITS) | slot, below 2^HANDLE_BITS (docs/abi/ring.md,
 * "Handles"). The fuzzer looks inside only to tell a plausible handle and to remember the
 * latest per slot; a carried capability is handle | mode << TRANSFER_MODE_SHIFT. */
const SLOT_MASK: u64 = (<u64>1 << HANDLE_SLOT_BITS) - 1;
const HANDLE_MASK: u64 = (<u64>1 << HANDLE_BITS) - 1;
/** How many learned handles learnedHandle() picks among (the rest of the time, a client). */
const LEARNED_PICK: u64 = 64;
/** The RECV header's last word, after the length: u32, 0 (abi/methods.ts names no constant). */
const RECEIVED_RESERVED: u32 = RECEIVED_LENGTH + 4;
/** A user virtual address in linear memory that is never mapped. */
const UNMAPPED: u64 = 0x1_7000_0000;

/** Errors each opcode may complete with, as bit masks (1 << error). QueueFull is not among the
 * CALL's: this program has at most CALLS_UNDER_WAY calls under way, an endpoint holds 64. */
@inline function bit(error: KernelError): u32 { return 1 << <u32>error; }
const NOP_ERRORS = bit(KernelError.ReservedNonZero);
const CALL_ERRORS = bit(KernelError.ReservedNonZero) | bit(KernelError.InvalidHandle) | bit(KernelError.UnknownMethod)
  | bit(KernelError.InvalidArgument) | bit(KernelError.BadAddress) | bit(KernelError.NotFound) | bit(KernelError.QuotaExceeded)
  | bit(KernelError.TableFull) | bit(KernelError.NotPermitted) | bit(KernelError.PeerEnded) | bit(KernelError.TimedOut);
const RECEIVE_ERRORS = bit(KernelError.ReservedNonZero) | bit(KernelError.InvalidHandle) | bit(KernelError.WrongInterface)
  | bit(KernelError.PeerEnded) | bit(KernelError.BadAddress) | bit(KernelError.TableFull);
const RETURN_ERRORS = bit(KernelError.ReservedNonZero) | bit(KernelError.InvalidHandle) | bit(KernelError.WrongInterface)
  | bit(KernelError.NotFound) | bit(KernelError.InvalidArgument) | bit(KernelError.BadAddress);
const RELEASE_ERRORS = bit(KernelError.ReservedNonZero) | bit(KernelError.InvalidHandle);
const UNKNOWN_ERRORS = bit(KernelError.ReservedNonZero) | bit(KernelError.UnknownOpcode);

/** Every error a ring entry or cap_enter can give this program, mutated or provoked below, but
 * QueueFull: 64 calls under way at once would leave 64 call records in the kernel's pool, past
 * what its end-of-run heap check allows (see UnderWay). OutOfMemory and OutOfRange need more
 * memory than the quota. */
const REQUIRED: KernelError[] = [
  KernelError.Malformed, KernelError.NotFound, KernelError.InvalidArgument, KernelError.InvalidHandle, KernelError.WrongInterface,
  KernelError.TableFull, KernelError.BadAddress, KernelError.UnknownOpcode, KernelError.UnknownMethod, KernelError.QuotaExceeded,
  KernelError.NotPermitted, KernelError.ReservedNonZero, KernelError.PeerEnded, KernelError.TimedOut,
];

const seen = new StaticArray<i32>(32);   // index: error value; 0 counts successes
let state: u64 = 0;
function next(): u64 {  // xorshift64*
  state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
  return state * 0x2545_f491_4f6c_dd1d;
}
@inline function below(n: u64): u64 { return next() % n; }

/** Every buffer a mutated entry names is `buffer` (512 bytes: a reply of up to 256 bytes at either
 * half stays inside; it starts with "nosuch", a program name that does not exist) or a RECV area
 * of its own, so the kernel never writes over anything else of this program. */
const BUFFER_SIZE = 512;
const buffer = memory.data(BUFFER_SIZE, 16);
const handles = memory.data(64, 8);      // a valid u64 handle list for spawn
const parkWord = memory.data(4, 4);      // stays 0: a park expecting 0 parks
const RECEIVE_SIZE = <i32>(RECEIVED_HEADER_SIZE + MESSAGE_MAXIMUM);
const AREAS = 2 * <i32>QUEUE;            // entries queued plus entries under way
const areas = memory.data(AREAS * RECEIVE_SIZE, 16);
const areaUsed = new StaticArray<u8>(AREAS);
const completion = new Completion();

class Grants {
  console: u64 = 0; timer: u64 = 0; memory: u64 = 0; spawner: u64 = 0; stale: u64 = 0;
  threadSpawner: u64 = 0; parkSpace: u64 = 0; threadControl: u64 = 0;
}
const grants = new Grants();

// --- what the current epoch holds -------------------------------------------------------------

const endpoints = new StaticArray<u64>(EPOCH_ENDPOINTS);
const clients = new StaticArray<u64>(EPOCH_ENDPOINTS);
/** Handles the kernel put in the table during this epoch, by slot (the latest per slot): new
 * clients, and capabilities that came with a reply, a request, or back from a failed move. A
 * slot holds one capability at a time, so only the latest handle of a slot can still be live.
 * learnedSlots lists the slots that have one, in the order first learned. */
const learned = new StaticArray<u64>(<i32>TABLE_SLOTS);
const learnedSlots = new StaticArray<i32>(<i32>TABLE_SLOTS);
let learnedCount = 0;
/** Calls received and not returned yet: the endpoint handle that received each, and its id. */
const RECEIVED_MAXIMUM = 64;
const receivedHandle = new StaticArray<u64>(RECEIVED_MAXIMUM);
const receivedId = new StaticArray<u32>(RECEIVED_MAXIMUM);
let receivedCount = 0;

/** The grants and this epoch's endpoints: never carried along (a copy of a Timer, Console or
 * endpoint anywhere else would let a mutated entry sleep, print or wait beyond the bounds). */
function isProtected(handle: u64): bool {
  return isGrant(handle) || isEndpoint(handle);
}

function isGrant(handle: u64): bool {
  return handle == grants.console || handle == grants.timer || handle == grants.memory || handle == grants.spawner
    || handle == grants.threadSpawner || handle == grants.parkSpace || handle == grants.threadControl;
}

function isEndpoint(handle: u64): bool {
  for (let i = 0; i < EPOCH_ENDPOINTS; i++) if (handle == endpoints[i]) return true;
  return false;
}

// --- one record per submitted entry, by userData ------------------------------------------------

const FIRST_SEQUENCE: u64 = 1 << 40;   // apart from the runtime's own userData counter
const WINDOW = 4096;                   // more than an epoch's entries: a record is free again by then
const QUEUED: u8 = 1, CONSUMED: u8 = 2;
const recordSequence = new StaticArray<u64>(WINDOW);
const recordState = new StaticArray<u8>(WINDOW);
const recordOpcode = new StaticArray<u8>(WINDOW);
const recordHandle = new StaticArray<u64>(WINDOW);
const recordMethod = new StaticArray<u32>(WINDOW);
const recordArgument0 = new StaticArray<u64>(WINDOW);
const recordCarryMode = new StaticArray<u32>(WINDOW);
const recordArea = new StaticArray<i32>(WINDOW);
const recordEnter = new StaticArray<u32>(WINDOW);
const recordHousekeeping = new StaticArray<u8>(WINDOW);
/** What an entry may hold in the kernel while under way (UnderWay), counted against its bound. */
const recordUnderWay = new StaticArray<u8>(WINDOW);

/** Kernel records an entry may hold while under way. The kernel keeps the records it freed for
 * reuse (kernel/cap/objects/endpoint.ts, park-space.ts), and the end-of-run check allows its heap
 * 4 KiB above where it started (kernel/selftest/user-run.ts): a run with more calls under way at
 * once would fail that check though nothing leaked. */
enum UnderWay { Nothing = 0, Call = 1, Receive = 2, Park = 3 }
const UNDER_WAY_MAXIMUM = new StaticArray<u32>(4);
const underWay = new StaticArray<u32>(4);

enum Failure {
  None, RecordBusy, CapEnterRefused, Consumption, NotConsumedYet, UnknownCompletion, OpcodeMismatch, ReservedNonZero,
  ValueOnFailure, UndocumentedResult, BadSuccess, ReceiveHeader, ReceiveHeaderReserved, ImplausibleHandle, NeverCompleted,
  EndpointSetup, EndpointCharge, ChargeAfterEpoch,
}

class Run {
  sequence: u64 = FIRST_SEQUENCE;   // the next entry's userData
  consumeNext: u64 = FIRST_SEQUENCE; // the oldest entry the kernel has not consumed
  outstanding: u32 = 0;             // consumed, completion not reaped yet
  enters: u32 = 0;
  epochs: i32 = 0;
  failure: Failure = Failure.None;
  failureA: i64 = 0;
  failureB: i64 = 0;
  failureC: i64 = 0;
  // Paths the mutations reached.
  later: i32 = 0;
  receives: i32 = 0;
  returns: i32 = 0;
  clientsMade: i32 = 0;
  /** Capabilities that came with a request or a reply, or back from a move that failed. */
  carried: i32 = 0;
  parksWoken: i32 = 0;
}
const run = new Run();

function fail(failure: Failure, a: i64 = 0, b: i64 = 0, c: i64 = 0): void {
  if (run.failure != Failure.None) return;   // the first one tells
  run.failure = failure;
  run.failureA = a;
  run.failureB = b;
  run.failureC = c;
}

function areaTake(): i32 {
  for (let i = 0; i < AREAS; i++) if (areaUsed[i] == 0) { areaUsed[i] = 1; return i; }
  return -1;
}

@inline function areaAddress(area: i32): usize {
  return areas + <usize>area * <usize>RECEIVE_SIZE;
}

/** Writes one entry at the submission tail with the next sequence number as its userData, and
 * its record. A RECV naming memory of this program gets a receive area of its own instead. The
 * reserved fields are flags (u8 at 1), reserved0 (u16 at 2) and reserved1 (u64 at 56). */
function submit(opcode: u32, handle: u64, method: u32, a0: u64, a1: u64, a2: u64, a3: u64,
  flags: u32 = 0, reserved0: u32 = 0, reserved1: u64 = 0, housekeeping: bool = false): void {
  const sequence = run.sequence++;
  const index = <i32>(sequence % <u64>WINDOW);
  if (recordState[index] != 0) fail(Failure.RecordBusy, <i64>recordSequence[index]);
  let area = -1;
  if (opcode == <u32>Opcode.Recv && (a0 == userAddress(buffer) || a0 == userAddress(parkWord))) {
    area = areaTake();
    a0 = area >= 0 ? userAddress(areaAddress(area)) : UNMAPPED;
  }
  recordSequence[index] = sequence;
  recordState[index] = QUEUED;
  recordOpcode[index] = <u8>opcode;
  recordHandle[index] = handle;
  recordMethod[index] = method;
  recordArgument0[index] = a0;
  recordCarryMode[index] = <u32>(a3 >> TRANSFER_MODE_SHIFT);
  recordArea[index] = area;
  recordHousekeeping[index] = housekeeping ? 1 : 0;
  const kind = underWayKind(opcode, handle, method);
  recordUnderWay[index] = <u8>kind;
  underWay[kind]++;
  const tail = load<u32>(RING + RING_SQ_TAIL);
  const entry = RING + RING_SQ_OFFSET + (tail % QUEUE) * RING_SQE_SIZE;
  store<u8>(entry + SQE_OPCODE, <u8>opcode);
  store<u8>(entry + SQE_FLAGS, <u8>flags);
  store<u16>(entry + SQE_RESERVED0, <u16>reserved0);
  store<u32>(entry + SQE_METHOD, method);
  store<u64>(entry + SQE_USER_DATA, sequence);
  store<u64>(entry + SQE_HANDLE, handle);
  store<u64>(entry + SQE_ARGUMENT0, a0); store<u64>(entry + SQE_ARGUMENT1, a1);
  store<u64>(entry + SQE_ARGUMENT2, a2); store<u64>(entry + SQE_ARGUMENT3, a3);
  store<u64>(entry + SQE_RESERVED1, reserved1);
  store<u32>(RING + RING_SQ_TAIL, tail + 1);
}

/** What the kernel may hold for this entry while it is under way. A CALL on anything but a
 * grant, an endpoint or a handle never live may be a call through a client. */
function underWayKind(opcode: u32, handle: u64, method: u32): UnderWay {
  if (opcode == <u32>Opcode.Recv) return isEndpoint(handle) ? UnderWay.Receive : UnderWay.Nothing;
  if (opcode != <u32>Opcode.Call || handle == 0 || handle == grants.stale) return UnderWay.Nothing;
  if (handle == grants.parkSpace) return method == ParkSpaceMethod.Park ? UnderWay.Park : UnderWay.Nothing;
  return isGrant(handle) || isEndpoint(handle) ? UnderWay.Nothing : UnderWay.Call;
}

@inline function queued(): u32 {
  return load<u32>(RING + RING_SQ_TAIL) - load<u32>(RING + RING_SQ_HEAD);
}

/** A handle the kernel put in the table: remembered by slot, to use and to release later. A
 * plausible handle is below 2^HANDLE_BITS, its generation is not 0 and its slot is in the table. */
function learn(handle: u64): void {
  const slot = handle & SLOT_MASK;
  if (handle > HANDLE_MASK || slot >= <u64>TABLE_SLOTS || handle >> HANDLE_SLOT_BITS == 0) {
    fail(Failure.ImplausibleHandle, <i64>handle);
    return;
  }
  if (learned[<i32>slot] == 0) learnedSlots[learnedCount++] = <i32>slot;
  learned[<i32>slot] = handle;
}

function receivedForget(handle: u64, id: u32): void {
  for (let i = 0; i < receivedCount; i++) {
    if (receivedHandle[i] != handle || receivedId[i] != id) continue;
    receivedCount--;
    receivedHandle[i] = receivedHandle[receivedCount];
    receivedId[i] = receivedId[receivedCount];
    return;
  }
}

/** Checks one completion against its entry's record, counts it and learns from it. */
function completed(userData: u64, result: i64, value: u64, opcode: u32, reserved: u32): void {
  const index = <i32>(userData % <u64>WINDOW);
  if (userData < FIRST_SEQUENCE || userData >= run.sequence || recordSequence[index] != userData) {
    fail(Failure.UnknownCompletion, <i64>userData);
    return;
  }
  if (recordState[index] != CONSUMED) {
    fail(recordState[index] == QUEUED ? Failure.NotConsumedYet : Failure.UnknownCompletion, <i64>userData);
    return;
  }
  recordState[index] = 0;
  run.outstanding--;
  underWay[recordUnderWay[index]]--;
  if (recordEnter[index] != run.enters) run.later++;
  const area = recordArea[index];
  if (area >= 0) areaUsed[area] = 0;
  const entryOpcode = <u32>recordOpcode[index], handle = recordHandle[index], method = recordMethod[index];
  if (opcode != entryOpcode) { fail(Failure.OpcodeMismatch, <i64>entryOpcode, <i64>opcode); return; }
  if (reserved != 0) { fail(Failure.ReservedNonZero, <i64>entryOpcode, <i64>reserved); return; }
  // Only a CALL that moved a capability may fail with a value: the capability's new handle.
  if (result < 0 && value != 0) {
    if (entryOpcode != <u32>Opcode.Call || recordCarryMode[index] != <u32>Transfer.Move) {
      fail(Failure.ValueOnFailure, <i64>entryOpcode, result, <i64>value);
      return;
    }
    learn(value);
    run.carried++;
  }
  let allowed: u32 = UNKNOWN_ERRORS;
  if (entryOpcode == <u32>Opcode.Nop) allowed = NOP_ERRORS;
  else if (entryOpcode == <u32>Opcode.Call) allowed = CALL_ERRORS;
  else if (entryOpcode == <u32>Opcode.Recv) allowed = RECEIVE_ERRORS;
  else if (entryOpcode == <u32>Opcode.Return) allowed = RETURN_ERRORS;
  else if (entryOpcode == <u32>Opcode.Release) allowed = RELEASE_ERRORS;
  if (recordHousekeeping[index] != 0) {
    // The end of an epoch releases what it knows of; some of it may be gone already.
    if (result != 0 && result != -(<i64>KernelError.InvalidHandle)) fail(Failure.UndocumentedResult, <i64>entryOpcode, result);
    return;
  }
  if (result < 0) {
    const error = -result;
    if (error >= 32 || (allowed & (<u32>1 << <u32>error)) == 0) { fail(Failure.UndocumentedResult, <i64>entryOpcode, result); return; }
    seen[<i32>error]++;
    return;
  }
  seen[0]++;
  // Successes: what each opcode must return, and the capabilities that came with them.
  if (entryOpcode >= <u32>Opcode.Release + 1 || ((entryOpcode == <u32>Opcode.Nop || entryOpcode == <u32>Opcode.Return
      || entryOpcode == <u32>Opcode.Release) && result != 0)) {
    fail(Failure.BadSuccess, <i64>entryOpcode, result);
    return;
  }
  if (entryOpcode == <u32>Opcode.Recv) {
    // The header: u64 handle, u32 call id, u32 label, u32 length, u32 0 (RECEIVED_HEADER_SIZE).
    const header = areaAddress(area);
    if (area < 0 || <u64>result > MESSAGE_MAXIMUM || <u64>load<u32>(header + RECEIVED_CALL_ID) != value
        || <i64>load<u32>(header + RECEIVED_LENGTH) != result) {
      fail(Failure.ReceiveHeader, result, <i64>value, area < 0 ? -1 : <i64>load<u32>(header + RECEIVED_CALL_ID));
      return;
    }
    const headerReserved = load<u32>(header + RECEIVED_RESERVED);
    if (headerReserved != 0) { fail(Failure.ReceiveHeaderReserved, <i64>headerReserved); return; }
    run.receives++;
    const carried = load<u64>(header + RECEIVED_HANDLE);
    if (carried != 0) { learn(carried); run.carried++; }
    if (receivedCount < RECEIVED_MAXIMUM) {
      receivedHandle[receivedCount] = handle;
      receivedId[receivedCount] = <u32>value;
      receivedCount++;
    }
    return;
  }
  if (entryOpcode == <u32>Opcode.Return) {
    run.returns++;
    receivedForget(handle, <u32>recordArgument0[index]);
    return;
  }
  if (entryOpcode != <u32>Opcode.Call) return;
  if (isEndpoint(handle) && method == EndpointMethod.Client) { learn(<u64>result); run.clientsMade++; }
  else if (handle == grants.parkSpace && method == ParkSpaceMethod.Park) {
    if (result > 1) fail(Failure.BadSuccess, <i64>entryOpcode, result);
    if (result == 0) run.parksWoken++;
  } else if (value != 0 && handle != grants.memory && handle != grants.spawner) {
    learn(value);   // a reply's capability (Memory.info and spawn have values of their own)
    run.carried++;
  }
}

/** Reaps every completion in the page. */
function reap(): void {
  while (load<u32>(RING + RING_CQ_TAIL) != load<u32>(RING + RING_CQ_HEAD)) {
    const head = load<u32>(RING + RING_CQ_HEAD);
    const entry = RING + RING_CQ_OFFSET + (head % RING_CQ_ENTRIES) * RING_CQE_SIZE;
    completed(load<u64>(entry + CQE_USER_DATA), load<i64>(entry + CQE_RESULT), load<u64>(entry + CQE_VALUE),
      load<u32>(entry + CQE_OPCODE), load<u32>(entry + CQE_RESERVED));
    store<u32>(RING + RING_CQ_HEAD, head + 1);
  }
}

/** cap_enter, then checks what it consumed and reaps. Rule 3: the kernel takes as many queued
 * entries as there are completion slots neither filled nor promised; everything reaped, that is
 * QUEUE less the entries consumed and not reaped. Returns whether anything moved. */
function enter(minimum: u32, timeout: u64): bool {
  const headBefore = load<u32>(RING + RING_SQ_HEAD);
  const pending = queued();
  const free = QUEUE - run.outstanding;
  run.enters++;
  const ready = capEnter(minimum, timeout);
  if (ready < 0) { fail(Failure.CapEnterRefused, ready); return false; }
  const consumed = load<u32>(RING + RING_SQ_HEAD) - headBefore;
  if (consumed != min(pending, free)) fail(Failure.Consumption, consumed, pending, free);
  for (let i: u32 = 0; i < consumed; i++) {
    const index = <i32>(run.consumeNext % <u64>WINDOW);
    if (recordState[index] != QUEUED || recordSequence[index] != run.consumeNext) fail(Failure.Consumption, consumed, pending, free);
    run.consumeNext++;
    recordState[index] = CONSUMED;
    recordEnter[index] = run.enters;
    run.outstanding++;
  }
  const outstandingBefore = run.outstanding;
  reap();
  return consumed != 0 || run.outstanding != outstandingBefore;
}

/** Waits until nothing is queued or under way; a failure when the kernel stops completing. */
function settle(): void {
  let idle = 0;
  while (run.outstanding != 0 || queued() != 0) {
    if (enter(1, SETTLE_WAIT)) idle = 0;
    else if (++idle == SETTLE_IDLE_LIMIT) { fail(Failure.NeverCompleted, run.outstanding, queued()); return; }
    if (run.failure == Failure.CapEnterRefused) return;
  }
}

// --- mutated entries ------------------------------------------------------------------------------

function interesting(): u64 {
  switch (<i32>below(12)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return 4096;
    case 3: return 4097;
    case 4: return 0x1_0000_0000;
    case 5: return 0x8000_0000_0000;                   // first non-canonical address
    case 6: return 0xffff_8000_0010_0000;              // the kernel's direct map
    case 7: return 0xffff_ffff_ffff_fff0;              // wraps with any length > 16
    case 8: return userAddress(buffer);                // valid
    case 9: return UNMAPPED;                           // linear memory never mapped
    case 10: return 0x40_0000;                          // the program's text
  }
  return next();
}

function learnedHandle(): u64 {
  const pick = <i32>below(LEARNED_PICK);
  return pick < learnedCount ? learned[learnedSlots[pick]] : clients[<i32>below(EPOCH_ENDPOINTS)];
}

function someHandle(): u64 {
  switch (<i32>below(12)) {
    case 0: return 0;
    case 1: return below(2) == 0 ? next() : next() & HANDLE_MASK;   // past 2^56, or a random generation
    case 2: return grants.stale;
    case 3: return grants.console;
    case 4: return grants.timer;
    case 5: return grants.memory;
    case 6: return grants.spawner;
    case 7: return grants.parkSpace;
    case 8: return endpoints[<i32>below(EPOCH_ENDPOINTS)];
    case 9: return clients[<i32>below(EPOCH_ENDPOINTS)];
    case 10: return learnedHandle();
  }
  return (below(4) << HANDLE_SLOT_BITS) | below(0x100);   // a low generation and slot: sometimes live
}

/** A capability to send along with a CALL or RETURN: none, a copy, a move (of a client this
 * epoch holds half the time), or a bad mode. */
function someCarried(): u64 {
  switch (<i32>below(4)) {
    case 0: return 0;
    case 1: return carry(below(2) == 0 ? learnedHandle() : someHandle(), Transfer.Copy);
    case 2: return carry(below(2) == 0 ? learnedHandle() : someHandle(), Transfer.Move);
  }
  return (someHandle() & HANDLE_MASK) | (below(6) << TRANSFER_MODE_SHIFT);
}

/** Writes one fuzzed entry at the submission tail. */
function fuzzedEntry(): void {
  let opcode: u32 = Opcode.Call, handle: u64 = grants.timer, method: u32 = TimerMethod.Now;
  let a0: u64 = 0, a1: u64 = 0, a2: u64 = 0, a3: u64 = 0;
  switch (<i32>below(16)) {                           // a valid template
    case 0: opcode = Opcode.Nop; break;
    case 1: break;
    case 2: method = TimerMethod.Sleep; a0 = below(SLEEP_MAXIMUM); break;
    case 3: handle = grants.memory; method = MemoryMethod.Info; break;
    case 4: handle = grants.console; method = ConsoleMethod.Write; a0 = userAddress(buffer); break;
    case 5: handle = grants.spawner; method = ProcessSpawnerMethod.Spawn; a0 = userAddress(buffer); a1 = 6; a2 = userAddress(handles); a3 = 1; break;
    case 6: opcode = Opcode.Recv; break;
    case 7: case 8: case 9:                           // a call through a client, sizes up to 256 each
      handle = below(2) == 0 ? clients[<i32>below(EPOCH_ENDPOINTS)] : learnedHandle(); method = <u32>next();
      a0 = userAddress(buffer); a1 = (below(4) == 0 ? below(MESSAGE_MAXIMUM + 1) : below(17)) | (below(17) << 32);
      a2 = userAddress(buffer + BUFFER_SIZE / 2); a3 = someCarried(); break;
    case 10: opcode = Opcode.Recv; handle = endpoints[<i32>below(EPOCH_ENDPOINTS)]; a0 = userAddress(buffer); break;
    case 11: {
      opcode = Opcode.Return; handle = endpoints[<i32>below(EPOCH_ENDPOINTS)]; a0 = below(8);
      if (receivedCount > 0) { const pick = <i32>below(receivedCount); handle = receivedHandle[pick]; a0 = <u64>receivedId[pick]; }
      a1 = userAddress(buffer); a2 = below(5); a3 = someCarried(); break;
    }
    case 12: handle = endpoints[<i32>below(EPOCH_ENDPOINTS)]; method = EndpointMethod.Client; break;
    case 13: handle = grants.parkSpace; method = ParkSpaceMethod.Park; a0 = userAddress(parkWord); a1 = below(4) == 0 ? 1 : 0; a2 = below(PARK_MAXIMUM); break;
    case 14: handle = grants.parkSpace; method = ParkSpaceMethod.Unpark; a0 = userAddress(parkWord); a1 = below(3); break;
    case 15: opcode = Opcode.Release; handle = below(16) == 0 ? endpoints[<i32>below(EPOCH_ENDPOINTS)] : learnedHandle(); break;
  }
  let flags: u32 = 0, reserved0: u32 = 0, reserved1: u64 = 0;
  const mutations = <i32>below(4);   // a quarter stay valid: calls that go through reach deeper paths
  for (let m = 0; m < mutations; m++) {
    switch (<i32>below(10)) {
      case 0: opcode = <u32>below(8) < 6 ? <u32>below(6) : <u32>below(256); break;
      case 1: handle = someHandle(); break;
      case 2: method = <u32>below(4) == 0 ? <u32>next() : <u32>below(4); break;
      case 3: a0 = interesting(); break;
      case 4: a1 = interesting(); break;
      case 5: a2 = interesting(); break;
      case 6: a3 = below(2) == 0 ? below(40) : interesting(); break;
      case 7: if (below(4) == 0) flags = 1 + <u32>below(255); break;
      case 8: if (below(4) == 0) handle ^= (next() | 1) << 32; break;   // the handle's high half (bits 56-63 included)
      case 9: if (below(4) == 0) { if (below(2) == 0) reserved0 = 1; else reserved1 = next() | 1; } break;
    }
  }
  // Keep the run bounded and quiet: no console output, no wait past the bounds, no memory the C
  // runtime does not know about, no real spawn, no new Memory or endpoint that a random handle
  // could then name, none of this program's own capabilities released or sent away.
  if (opcode == <u32>Opcode.Call) {
    if (handle == grants.console && method == ConsoleMethod.Write && a1 <= 4096) a1 = 0;
    if (handle == grants.timer && method == TimerMethod.Sleep && a0 <= (<u64>1 << 62) && a0 > SLEEP_MAXIMUM) a0 = SLEEP_MAXIMUM;
    if (handle == grants.memory && method == MemoryMethod.Grow && a0 != 0 && a0 <= 0x10_0000) a0 = 5000;
    if (handle == grants.memory && (method == MemoryMethod.Split || method == MemoryMethod.Endpoint)) method = 9;
    if (handle == grants.spawner && method == ProcessSpawnerMethod.Spawn) a3 &= 0xff;  // no argument, bounded count
    if (handle == grants.parkSpace && method == ParkSpaceMethod.Park && a2 > PARK_MAXIMUM) a2 = PARK_MAXIMUM;
    // Its hold on itself (threads, exit) would stop the fuzzer, not test the ring.
    if (handle == grants.threadSpawner || handle == grants.threadControl) handle = grants.stale;
  }
  if (opcode == <u32>Opcode.Call && handle != grants.spawner && a2 == userAddress(handles)) a2 = userAddress(buffer);   // a reply buffer
  if (opcode == <u32>Opcode.Release && isGrant(handle)) handle = grants.stale;
  const kind = underWayKind(opcode, handle, method);
  if (kind != UnderWay.Nothing && underWay[kind] >= UNDER_WAY_MAXIMUM[kind]) handle = grants.stale;
  if ((opcode == <u32>Opcode.Call || opcode == <u32>Opcode.Return) && isProtected(a3 & HANDLE_MASK)
      && (a3 >> TRANSFER_MODE_SHIFT == <u64>Transfer.Copy || a3 >> TRANSFER_MODE_SHIFT == <u64>Transfer.Move)) {
    a3 = (a3 & ~HANDLE_MASK) | clients[<i32>below(EPOCH_ENDPOINTS)];
  }
  submit(opcode, handle, method, a0, a1, a2, a3, flags, reserved0, reserved1);
}

/** Makes this epoch's endpoints and clients (nothing is under way). */
function epochOpen(memoryHandle: u64): bool {
  const usedBefore = ringCall(Opcode.Call, memoryHandle, MemoryMethod.Info);
  for (let i = 0; i < EPOCH_ENDPOINTS; i++) {
    const endpoint = ringCall(Opcode.Call, memoryHandle, MemoryMethod.Endpoint);
    const client = endpoint > 0 ? ringCall(Opcode.Call, <u64>endpoint, EndpointMethod.Client) : 0;
    if (endpoint <= 0 || client <= 0) { fail(Failure.EndpointSetup, endpoint, client); return false; }
    endpoints[i] = <u64>endpoint;
    clients[i] = <u64>client;
  }
  const used = ringCall(Opcode.Call, memoryHandle, MemoryMethod.Info);
  if (used != usedBefore + <i64>(EPOCH_ENDPOINTS * ENDPOINT_PAGES)) { fail(Failure.EndpointCharge, usedBefore, used); return false; }
  return true;
}

/** Closes the endpoints (every call and receive still waiting on them completes), waits for
 * everything under way, releases every handle the epoch got, and checks that the endpoints'
 * pages went back to the quota. */
function epochClose(memoryHandle: u64, usedBefore: i64): void {
  for (let i = 0; i < EPOCH_ENDPOINTS; i++) submit(Opcode.Release, endpoints[i], 0, 0, 0, 0, 0, 0, 0, 0, true);
  settle();
  let batch: u32 = 0;
  for (let i = 0; i < learnedCount + EPOCH_ENDPOINTS; i++) {
    const handle = i < learnedCount ? learned[learnedSlots[i]] : clients[i - learnedCount];
    if (handle == 0 || isGrant(handle)) continue;
    submit(Opcode.Release, handle, 0, 0, 0, 0, 0, 0, 0, 0, true);
    if (++batch == QUEUE) { settle(); batch = 0; }
  }
  settle();
  for (let i = 0; i < learnedCount; i++) learned[learnedSlots[i]] = 0;
  learnedCount = 0;
  for (let i = 0; i < EPOCH_ENDPOINTS; i++) { endpoints[i] = 0; clients[i] = 0; }
  receivedCount = 0;
  if (run.outstanding != 0) return;   // settle failed: ringCall would meet a late completion
  const used = ringCall(Opcode.Call, memoryHandle, MemoryMethod.Info);
  if (used != usedBefore) fail(Failure.ChargeAfterEpoch, usedBefore, used);
}

/** The mutated entries, epoch by epoch, until FUZZ_ENTRIES or the first failure. */
function fuzz(memoryHandle: u64): void {
  let done = 0;
  while (done < FUZZ_ENTRIES && run.failure == Failure.None) {
    const usedBefore = ringCall(Opcode.Call, memoryHandle, MemoryMethod.Info);
    if (!epochOpen(memoryHandle)) return;
    run.epochs++;
    let epochDone = 0;
    while (epochDone < EPOCH_ENTRIES && done < FUZZ_ENTRIES && run.failure == Failure.None) {
      // Room for the batch and for closing the endpoints, whatever is under way: every queued
      // entry can then be consumed (and the closing always can).
      const room = <i32>QUEUE - EPOCH_ENDPOINTS - <i32>run.outstanding - <i32>queued();
      if (room <= 0) break;
      const batch = 1 + <i32>below(<u64>min(room, FUZZ_ENTRIES - done));
      store<u32>(buffer, 0x7573_6f6e); store<u16>(buffer, 0x6863, 4);   // "nosuch", which replies overwrite
      for (let i = 0; i < batch; i++) fuzzedEntry();
      enter(0, 0);
      epochDone += batch;
      done += batch;
    }
    epochClose(memoryHandle, usedBefore);
  }
}

function describeFailure(): string {
  const a = run.failureA.toString(), b = run.failureB.toString(), c = run.failureC.toString();
  switch (run.failure) {
    case Failure.RecordBusy: return "entry " + a + " still had no completion " + WINDOW.toString() + " entries later";
    case Failure.CapEnterRefused: return "cap_enter returned " + a;
    case Failure.Consumption: return "cap_enter consumed " + a + " entries of " + b + " queued with " + c + " completion slots free";
    case Failure.NotConsumedYet: return "a completion for entry " + a + ", which sqHead says was not consumed";
    case Failure.UnknownCompletion: return "a completion for userData " + a + ", never submitted or completed already";
    case Failure.OpcodeMismatch: return "a completion of opcode " + b + " for an entry of opcode " + a;
    case Failure.ReservedNonZero: return "a completion of opcode " + a + " with reserved " + b;
    case Failure.ValueOnFailure: return "opcode " + a + " failed with " + b + " and value " + c + " without moving a capability";
    case Failure.UndocumentedResult: return "opcode " + a + " completed with undocumented result " + b;
    case Failure.BadSuccess: return "opcode " + a + " succeeded with result " + b;
    case Failure.ReceiveHeader: return "RECV result " + a + ", call id " + b + ", but its header says call id " + c;
    case Failure.ReceiveHeaderReserved: return "RECV header's reserved word (after the length) is " + a + ", not 0";
    case Failure.ImplausibleHandle: return "a capability came back as handle " + a;
    case Failure.NeverCompleted: return a + " entries under way and " + b + " queued never completed after the endpoints closed";
    case Failure.EndpointSetup: return "an epoch's Memory.endpoint gave " + a + ", its client " + b;
    case Failure.EndpointCharge: return "making " + EPOCH_ENDPOINTS.toString() + " endpoints took the quota's pages from " + a + " to " + b;
    case Failure.ChargeAfterEpoch: return "the epoch's endpoints closed but the quota's pages went from " + a + " to " + b;
  }
  return "no failure";
}

// --- the ring broken on purpose, and the errors the mutations cannot reach -----------------------

/** One entry, submitted alone, that completes at once; its result. */
function single(opcode: Opcode, handle: u64, method: u32, a0: u64 = 0, a1: u64 = 0, a2: u64 = 0, a3: u64 = 0): i64 {
  ringPush(opcode, handle, method, a0, a1, a2, a3);
  capEnter(1, 0);
  ringPop(completion);
  return completion.result;
}

function record(result: i64): void {
  if (result >= 0) seen[0]++;
  else if (-result < 32) seen[<i32>-result]++;
}


function malformedIndexes(): string {
  // A tail 40 ahead, then a head past the tail: refused whole, nothing consumed.
  const tail = load<u32>(RING + RING_SQ_TAIL), head = load<u32>(RING + RING_SQ_HEAD);
  store<u32>(RING + RING_SQ_TAIL, tail + 40);
  let result: i64 = capEnter(0, 0);
  const headAfter = load<u32>(RING + RING_SQ_HEAD);
  store<u32>(RING + RING_SQ_TAIL, tail);
  record(result);
  if (result != -KernelError.Malformed || headAfter != head) return "sqTail 40 ahead gave " + result.toString() + ", sqHead moved " + (headAfter - head).toString();
  const cqHead = load<u32>(RING + RING_CQ_HEAD);
  store<u32>(RING + RING_CQ_HEAD, load<u32>(RING + RING_CQ_TAIL) + 1);
  result = capEnter(0, 0);
  store<u32>(RING + RING_CQ_HEAD, cqHead);
  record(result);
  if (result != -KernelError.Malformed) return "cqHead past cqTail gave " + result.toString();
  return "";
}

function fullCompletionQueue(timer: Timer): string {
  // 32 NOPs fill the completion queue: the 33rd entry stays queued until completions are reaped.
  for (let i = 0; i < 32; i++) ringPush(Opcode.Nop, 0, 0, 0, 0, 0, 0);
  capEnter(0, 0);
  ringPush(Opcode.Nop, 0, 0, 0, 0, 0, 0);
  let headBefore = load<u32>(RING + RING_SQ_HEAD);
  let result: i64 = capEnter(0, 0);
  const consumedWhenFull = load<u32>(RING + RING_SQ_HEAD) - headBefore;
  for (let i = 0; i < 32; i++) ringPop(completion);
  if (result != 32 || consumedWhenFull != 0) return "with 32 completions unreaped, cap_enter gave " + result.toString() + " and consumed " + consumedWhenFull.toString();
  result = capEnter(1, 0);
  ringPop(completion);
  if (result != 1) return "after reaping, the queued NOP gave " + result.toString() + " completions";
  // A slot promised to a sleep counts as taken: with it and 31 NOPs unreaped, a NOP waits too.
  ringPush(Opcode.Call, timer.handle, TimerMethod.Sleep, 50_000_000, 0, 0, 0);
  for (let i = 0; i < 31; i++) ringPush(Opcode.Nop, 0, 0, 0, 0, 0, 0);
  result = capEnter(0, 0);
  ringPush(Opcode.Nop, 0, 0, 0, 0, 0, 0);
  headBefore = load<u32>(RING + RING_SQ_HEAD);
  const again = capEnter(0, 0);
  const consumedWithSleep = load<u32>(RING + RING_SQ_HEAD) - headBefore;
  for (let i = 0; i < again; i++) ringPop(completion);
  const late = capEnter(2, 1_000_000_000);
  for (let i = 0; i < late; i++) ringPop(completion);
  if (result != 31 || again != 31 || consumedWithSleep != 0 || late != 2) {
    return "a sleep under way and 31 NOPs gave " + result.toString() + " completions, then " + again.toString() + " with "
      + consumedWithSleep.toString() + " more consumed, then " + late.toString() + " after reaping";
  }
  return "";
}

function grantNotAllowed(): string {
  // A grant the manifest does not allow hello (a Timer).
  store<u64>(handles, grants.timer);
  const helloName = String.UTF8.encode("hello");
  const result = single(Opcode.Call, grants.spawner, ProcessSpawnerMethod.Spawn, userAddress(changetype<usize>(helloName)), 5, userAddress(handles), 1);
  record(result);
  return result == -KernelError.NotPermitted ? "" : "a Timer granted to hello gave " + result.toString();
}

/** The clients that fill the table in tableFull. */
const fillers = new StaticArray<u64>(<i32>TABLE_SLOTS);

/** Fills the table to CAPABILITY_SLOTS_MAXIMUM: an endpoint and its clients until client() says
 * TableFull (clients are cheap; that many sleeping children are not). Then one client goes, a
 * sleeper must take its slot, and a spawn after it must find the table full; everything is
 * killed and released after. The table must hold exactly the startup grants: a capability the
 * mutations left behind would show here. */
function tableFull(spawner: ProcessSpawner, memory: Memory): string {
  const list: u64[] = [grants.console, grants.memory, grants.timer];
  const endpoint = ringCall(Opcode.Call, memory.handle, MemoryMethod.Endpoint);
  if (endpoint <= 0) return "filling the table: Memory.endpoint gave " + endpoint.toString();
  let count = 0, refused: i64 = 0;
  while (count < fillers.length) {
    const client = ringCall(Opcode.Call, <u64>endpoint, EndpointMethod.Client);
    if (client <= 0) { refused = client; break; }
    fillers[count++] = <u64>client;
  }
  let problem = "";
  if (refused < 0) record(refused);
  // Handles made until the table was full: the endpoint and its clients.
  const made = count + 1, expected = TABLE_SLOTS - load<u32>(RING + RING_GRANT_COUNT);
  if (refused != -KernelError.TableFull) problem = "filling the table ended with " + refused.toString() + " after " + made.toString() + " handles";
  else if (<u32>made != expected) problem = "table full after " + made.toString() + " handles, expected " + expected.toString();
  if (problem.length == 0) {
    // One slot free again: a sleeper fits, and the spawn after it finds no slot.
    const freed = ringCall(Opcode.Release, fillers[--count], 0);
    const sleeper = spawner.spawn("probe", list, 13);
    const extra = sleeper !== null ? spawner.spawn("probe", list, 13) : null;
    if (freed != 0) problem = "releasing a client of the full table gave " + freed.toString();
    else if (sleeper === null) problem = "a spawn into the one free slot gave " + spawner.lastError.toString();
    else if (extra !== null) problem = "a spawn into the full table succeeded";
    else {
      record(spawner.lastError);
      if (spawner.lastError != -KernelError.TableFull) problem = "a spawn into the full table gave " + spawner.lastError.toString();
    }
    if (sleeper !== null) { sleeper.kill(); sleeper.wait(); sleeper.release(); }
    if (extra !== null) { extra.kill(); extra.wait(); extra.release(); }
  }
  let unreleased = 0;
  for (let i = 0; i < count; i++) if (ringCall(Opcode.Release, fillers[i], 0) != 0) unreleased++;
  if (ringCall(Opcode.Release, <u64>endpoint, 0) != 0) unreleased++;
  if (problem.length == 0 && unreleased != 0) problem = unreleased.toString() + " of the handles that filled the table did not release";
  return problem;
}

const request = memory.data(16, 8);
/** A result slot no completion filled. */
const NO_COMPLETION = i64.MIN_VALUE;
function shown(result: i64): string {
  return result == NO_COMPLETION ? "none" : result.toString();
}

/** An endpoint closes (its last owner capability released) with a call received and not returned
 * and a RECV waiting: both end with PeerEnded, and so does a later call on its client. */
function endpointClosed(memory: Memory): string {
  const endpoint = ringCall(Opcode.Call, memory.handle, MemoryMethod.Endpoint);
  const client = endpoint > 0 ? ringCall(Opcode.Call, <u64>endpoint, EndpointMethod.Client) : 0;
  if (endpoint <= 0 || client <= 0) return "Memory.endpoint " + endpoint.toString() + ", client " + client.toString();
  const sizes: u64 = 4 | (16 << 32);
  const entries = new StaticArray<u64>(5), results = new StaticArray<i64>(5);   // made before the entries: no allocation after
  entries[0] = ringPush(Opcode.Recv, <u64>endpoint, 0, userAddress(areaAddress(0)), 0, 0, 0);   // takes the call
  entries[1] = ringPush(Opcode.Call, <u64>client, 7, userAddress(request), sizes, userAddress(buffer), 0);
  entries[2] = ringPush(Opcode.Recv, <u64>endpoint, 0, userAddress(areaAddress(1)), 0, 0, 0);   // waits
  entries[3] = ringPush(Opcode.Release, <u64>endpoint, 0, 0, 0, 0, 0);
  entries[4] = ringPush(Opcode.Call, <u64>client, 8, userAddress(request), sizes, userAddress(buffer), 0);
  for (let i = 0; i < 5; i++) results[i] = NO_COMPLETION;
  let count = 0;
  for (let round = 0; round < 5 && count < 5; round++) {
    const ready = capEnter(<u32>(5 - count), 1_000_000_000);
    for (let i = 0; i < ready; i++) {
      const userData = ringPop(completion);
      for (let j = 0; j < 5; j++) if (entries[j] == userData) results[j] = completion.result;
      count++;
    }
  }
  ringCall(Opcode.Release, <u64>client, 0);
  for (let i = 1; i < 5; i++) if (results[i] != NO_COMPLETION) record(results[i]);
  const ended = -(<i64>KernelError.PeerEnded);
  if (count != 5 || results[0] != 4 || results[1] != ended || results[2] != ended || results[3] != 0 || results[4] != ended) {
    return count.toString() + " completions: RECV " + shown(results[0]) + ", the call it received " + shown(results[1])
      + ", a RECV waiting " + shown(results[2]) + ", the release " + shown(results[3]) + ", a call after it " + shown(results[4]);
  }
  return "";
}

function timedOut(timer: Timer): string {
  const start = timer.now();
  const result = park(parkWord, 0, 5_000_000);
  const elapsed = timer.now() - start;
  record(result);
  const changed = park(parkWord, 1, 5_000_000);
  if (result != PARK_TIMED_OUT || elapsed < 5_000_000) return "a 5 ms park gave " + result.toString() + " after " + elapsed.toString() + " ns";
  if (changed != PARK_CHANGED) return "a park expecting what the word does not hold gave " + changed.toString();
  return "";
}

export function main(): i32 {
  const console = Console.granted();
  const timer = Timer.granted();
  const memory = Memory.granted();
  const spawner = ProcessSpawner.granted();
  if (console === null || timer === null || memory === null || spawner === null) return 1;
  grants.console = console.handle; grants.timer = timer.handle; grants.memory = memory.handle; grants.spawner = spawner.handle;
  grants.threadSpawner = grant(Interface.ThreadSpawner); grants.parkSpace = grant(Interface.ParkSpace);
  grants.threadControl = grant(Interface.ThreadControl);
  // A stale handle: the Timer's slot under the next generation (that slot is never released).
  grants.stale = grants.timer + (<u64>1 << HANDLE_SLOT_BITS);
  UNDER_WAY_MAXIMUM[UnderWay.Nothing] = QUEUE;
  UNDER_WAY_MAXIMUM[UnderWay.Call] = CALLS_UNDER_WAY;
  UNDER_WAY_MAXIMUM[UnderWay.Receive] = RECEIVES_UNDER_WAY;
  UNDER_WAY_MAXIMUM[UnderWay.Park] = PARKS_UNDER_WAY;
  const seed = startArgument() != 0 ? <u64>startArgument() : (readTsc() ^ 0x9e37_79b9_7f4a_7c15) & 0xffff_ffff;
  state = seed | 1;
  store<u64>(handles, grants.console);
  console.line("fuzz: seed " + seed.toString() + " (replay with initarg=" + seed.toString() + "), " + FUZZ_ENTRIES.toString() + " entries");
  const steps = new Steps(console, "fuzz");

  const started = timer.now();
  fuzz(memory.handle);
  if (run.outstanding != 0) {
    // Entries still under way: anything that waits on the ring from here may meet their completions.
    steps.step("mutated entries", describeFailure());
    return 2;
  }
  const elapsed = timer.now() - started;
  steps.step("mutated entries", run.failure == Failure.None ? "" : describeFailure());
  console.line("fuzz: " + FUZZ_ENTRIES.toString() + " entries in " + (elapsed / 1_000_000).toString() + " ms over " + run.epochs.toString()
    + " epochs; completed later " + run.later.toString() + ", calls received " + run.receives.toString() + ", returned " + run.returns.toString()
    + ", clients made " + run.clientsMade.toString() + ", capabilities carried " + run.carried.toString() + ", parks woken " + run.parksWoken.toString());
  let unreached = "";
  if (run.later == 0) unreached += ", nothing completed later";
  if (run.receives == 0) unreached += ", no call received";
  if (run.returns == 0) unreached += ", no call returned";
  if (run.clientsMade == 0) unreached += ", no client made";
  if (run.carried == 0) unreached += ", no capability carried";
  if (run.parksWoken == 0) unreached += ", no park woken";
  steps.step("endpoint and park paths reached", unreached.length == 0 ? "" : unreached.substring(2));

  steps.step("malformed indexes", malformedIndexes());
  steps.step("full completion queue", fullCompletionQueue(timer));
  const tooMany = capEnter(33, 0);
  record(tooMany);
  steps.step("min_complete past the queue", tooMany == -KernelError.InvalidArgument ? "" : "min_complete 33 gave " + tooMany.toString());
  steps.step("grant the manifest forbids", grantNotAllowed());
  steps.step("table full", tableFull(spawner, memory));
  steps.step("endpoint closed", endpointClosed(memory));
  steps.step("park timed out", timedOut(timer));

  let summary = "fuzz: results: ok " + seen[0].toString();
  for (let i = 1; i < seen.length; i++) if (seen[i] != 0) summary += ", " + kernelErrorName(<KernelError>i) + " " + seen[i].toString();
  console.line(summary);
  let missing = "";
  for (let i = 0; i < REQUIRED.length; i++) if (seen[REQUIRED[i]] == 0) missing += ", " + kernelErrorName(REQUIRED[i]);
  steps.step("every documented error met", missing.length == 0 ? "" : "never saw " + missing.substring(2));
  return steps.failures == 0 ? 0 : 3;
}
