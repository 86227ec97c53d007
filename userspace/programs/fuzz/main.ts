// fuzz: the ring fuzzer (test=user init=fuzz; tests/qemu/processes.test.ts). Mutates valid ring
// entries (FUZZ_ENTRIES of them, seeded; the seed is printed, and `initarg=SEED` on the kernel
// command line replays one), submits them in random batches, and checks that every consumed
// entry gets exactly one completion whose result is success or a documented error. Then it
// breaks the ring on purpose (indexes, a full completion queue, a full capability table, a grant
// the manifest forbids) and checks each documented outcome. Exits 0 when every documented error
// was seen at least once and nothing went wrong; the kernel must still be running to say so.

import { Completion, grant, ringPop, ringPush, ringReady, userAddress } from "../../rt/ring";
import { Interface } from "../../../abi/interfaces";
import { capEnter } from "../../rt/syscalls";
import { Opcode, RING_CQ_HEAD, RING_CQ_TAIL, RING_SQ_HEAD, RING_SQ_OFFSET, RING_SQ_TAIL, RING_SQE_SIZE } from "../../../abi/ring";
import { ConsoleMethod, MemoryMethod, ProcessSpawnerMethod, TimerMethod } from "../../../abi/methods";
import { USER_RING_LINEAR } from "../../../abi/layout";
import { Console, Memory, ProcessHandle, ProcessSpawner, readTsc, startArgument, Timer } from "../../rt/index";

const FUZZ_ENTRIES = 100_000;
const RING = <usize>USER_RING_LINEAR;

// KernelError values (abi/errors.ts) the ring can produce; index = value.
const ERROR_NAMES: string[] = [
  "none", "malformed", "truncated", "checksum mismatch", "not found", "out of memory", "unaligned", "out of range",
  "not allocated", "already mapped", "invalid argument", "invalid handle", "wrong interface", "table full", "bad address",
  "unknown opcode", "unknown method", "quota exceeded", "not permitted", "reserved field not zero",
];
const MALFORMED = 1, NOT_FOUND = 4, INVALID_ARGUMENT = 10, INVALID_HANDLE = 11, WRONG_INTERFACE = 12, TABLE_FULL = 13,
  BAD_ADDRESS = 14, UNKNOWN_OPCODE = 15, UNKNOWN_METHOD = 16, QUOTA_EXCEEDED = 17, NOT_PERMITTED = 18, RESERVED_NON_ZERO = 19;
/** The errors this run must meet: every error a ring entry or cap_enter can give with these grants. */
const REQUIRED: i32[] = [MALFORMED, NOT_FOUND, INVALID_ARGUMENT, INVALID_HANDLE, WRONG_INTERFACE, TABLE_FULL, BAD_ADDRESS,
  UNKNOWN_OPCODE, UNKNOWN_METHOD, QUOTA_EXCEEDED, NOT_PERMITTED, RESERVED_NON_ZERO];
/** Errors a fuzzed entry may complete with (others mean the kernel broke its contract). */
const ALLOWED: i32[] = [NOT_FOUND, INVALID_ARGUMENT, INVALID_HANDLE, WRONG_INTERFACE, BAD_ADDRESS, UNKNOWN_OPCODE,
  UNKNOWN_METHOD, QUOTA_EXCEEDED, NOT_PERMITTED, RESERVED_NON_ZERO, TABLE_FULL];

const seen = new StaticArray<i32>(32);
let state: u64 = 0;
function next(): u64 {  // xorshift64*
  state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
  return state * 0x2545_f491_4f6c_dd1d;
}
@inline function below(n: u64): u64 { return next() % n; }

const buffer = memory.data(64, 16);      // a valid buffer, holding "nosuch"
const handles = memory.data(64, 8);      // a valid u32 handle list
const completion = new Completion();

class Grants {
  console: u32 = 0; timer: u32 = 0; memory: u32 = 0; spawner: u32 = 0; stale: u32 = 0;
  threadSpawner: u32 = 0; parkSpace: u32 = 0; threadControl: u32 = 0;
}
const grants = new Grants();

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
    case 9: return userAddress(0x7000_0000);           // linear memory never mapped
    case 10: return 0x40_0000;                          // the program's text
  }
  return next();
}

function someHandle(): u32 {
  switch (<i32>below(8)) {
    case 0: return 0;
    case 1: return <u32>next();
    case 2: return grants.stale;
    case 3: return grants.console;
    case 4: return grants.timer;
    case 5: return grants.memory;
    case 6: return grants.spawner;
  }
  return <u32>below(0x400);
}

/** Writes one fuzzed entry at the submission tail. */
function fuzzedEntry(): void {
  let opcode: u32 = Opcode.Call, handle: u32 = grants.timer, method: u32 = TimerMethod.Now;
  let a0: u64 = 0, a1: u64 = 0, a2: u64 = 0, a3: u64 = 0;
  switch (<i32>below(7)) {                            // a valid template
    case 0: opcode = Opcode.Nop; break;
    case 1: break;
    case 2: method = TimerMethod.Sleep; break;
    case 3: handle = grants.memory; method = MemoryMethod.Info; break;
    case 4: handle = grants.console; method = ConsoleMethod.Write; a0 = userAddress(buffer); break;
    case 5: handle = grants.spawner; method = ProcessSpawnerMethod.Spawn; a0 = userAddress(buffer); a1 = 6; a2 = userAddress(handles); a3 = 1; break;
    case 6: opcode = Opcode.Recv; break;
  }
  let flags: u32 = 0, reserved0: u32 = 0, reserved1: u32 = 0, reserved2: u64 = 0;
  const mutations = 1 + <i32>below(3);
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
      case 8: if (below(4) == 0) reserved1 = <u32>next() | 1; break;
      case 9: if (below(4) == 0) { if (below(2) == 0) reserved0 = 1; else reserved2 = next() | 1; } break;
    }
  }
  // Keep the run bounded and quiet: no console output, no sleep past the batch, no memory the
  // C runtime does not know about, no real spawns.
  if (handle == grants.console && method == ConsoleMethod.Write && a1 <= 4096) a1 = 0;
  if (handle == grants.timer && method == TimerMethod.Sleep && a0 <= (<u64>1 << 62)) a0 = 0;
  if (handle == grants.memory && method == MemoryMethod.Grow && a0 != 0 && a0 <= 0x10_0000) a0 = 5000;
  // No new objects from the Memory (a split or an endpoint): a random handle could then name one,
  // and a RECV on an endpoint waits for a call that never comes.
  if (handle == grants.memory && (method == MemoryMethod.Split || method == MemoryMethod.Endpoint)) method = 9;
  if (handle == grants.spawner && method == ProcessSpawnerMethod.Spawn) a3 &= 0xff;  // no argument, bounded count
  if (opcode == <u32>Opcode.Release && (handle == grants.console || handle == grants.timer || handle == grants.memory
      || handle == grants.spawner)) handle = grants.stale;                            // keep our own capabilities
  // Its hold on itself (threads, parking, exit) would stop the fuzzer, not test the ring.
  if (handle == grants.threadSpawner || handle == grants.parkSpace || handle == grants.threadControl) handle = grants.stale;
  const tail = load<u32>(RING + RING_SQ_TAIL);
  const entry = RING + RING_SQ_OFFSET + (tail % 32) * RING_SQE_SIZE;
  store<u64>(entry, 0); store<u64>(entry, 0, 8); store<u64>(entry, 0, 16); store<u64>(entry, 0, 24);
  store<u64>(entry, 0, 32); store<u64>(entry, 0, 40); store<u64>(entry, 0, 48); store<u64>(entry, 0, 56);
  store<u8>(entry, <u8>opcode, 0);
  store<u8>(entry, <u8>flags, 1);
  store<u16>(entry, <u16>reserved0, 2);
  store<u32>(entry, handle, 4);
  store<u64>(entry, <u64>tail, 8);
  store<u32>(entry, method, 16);
  store<u32>(entry, reserved1, 20);
  store<u64>(entry, a0, 24); store<u64>(entry, a1, 32); store<u64>(entry, a2, 40); store<u64>(entry, a3, 48);
  store<u64>(entry, reserved2, 56);
  store<u32>(RING + RING_SQ_TAIL, tail + 1);
}

function record(result: i64, console: Console): bool {
  if (result >= 0) { seen[0]++; return true; }
  const error = <i32>-result;
  if (error < 32) seen[error]++;
  if (!ALLOWED.includes(error)) { console.line("fuzz: FAIL completion with undocumented result " + result.toString()); return false; }
  return true;
}

function fuzz(console: Console): bool {
  let done = 0;
  while (done < FUZZ_ENTRIES) {
    const batch = 1 + <i32>below(32);
    const headBefore = load<u32>(RING + RING_SQ_HEAD);
    for (let i = 0; i < batch; i++) fuzzedEntry();
    const ready = capEnter(0, 0);
    const consumed = load<u32>(RING + RING_SQ_HEAD) - headBefore;
    if (ready < 0 || <u32>ready != consumed || consumed != <u32>batch) {
      console.line("fuzz: FAIL batch of " + batch.toString() + ": cap_enter " + ready.toString() + ", consumed " + consumed.toString());
      return false;
    }
    for (let i = 0; i < batch; i++) {
      ringPop(completion);
      if (!record(completion.result, console)) return false;
    }
    done += batch;
  }
  return true;
}

/** One entry, submitted alone; its result. */
function single(opcode: Opcode, handle: u32, method: u32, a0: u64 = 0, a1: u64 = 0, a2: u64 = 0, a3: u64 = 0): i64 {
  ringPush(opcode, handle, method, a0, a1, a2, a3);
  capEnter(1, 0);
  ringPop(completion);
  return completion.result;
}

function brokenRing(console: Console, spawner: ProcessSpawner): bool {
  let ok = true;
  // A tail 40 ahead, then a head past the tail: refused whole, nothing consumed.
  const tail = load<u32>(RING + RING_SQ_TAIL), head = load<u32>(RING + RING_SQ_HEAD);
  store<u32>(RING + RING_SQ_TAIL, tail + 40);
  let result: i64 = capEnter(0, 0);
  if (result != -MALFORMED || load<u32>(RING + RING_SQ_HEAD) != head) { console.line("fuzz: FAIL sqTail +40 gave " + result.toString()); ok = false; }
  else seen[MALFORMED]++;
  store<u32>(RING + RING_SQ_TAIL, tail);
  const cqHead = load<u32>(RING + RING_CQ_HEAD);
  store<u32>(RING + RING_CQ_HEAD, load<u32>(RING + RING_CQ_TAIL) + 1);
  result = capEnter(0, 0);
  if (result != -MALFORMED) { console.line("fuzz: FAIL cqHead past cqTail gave " + result.toString()); ok = false; }
  store<u32>(RING + RING_CQ_HEAD, cqHead);
  // A full completion queue: the 33rd NOP stays queued until completions are reaped.
  for (let i = 0; i < 32; i++) ringPush(Opcode.Nop, 0, 0, 0, 0, 0, 0);
  capEnter(0, 0);
  ringPush(Opcode.Nop, 0, 0, 0, 0, 0, 0);
  const headBefore = load<u32>(RING + RING_SQ_HEAD);
  result = capEnter(0, 0);
  if (result != 32 || load<u32>(RING + RING_SQ_HEAD) != headBefore) { console.line("fuzz: FAIL full completion queue consumed an entry"); ok = false; }
  for (let i = 0; i < 32; i++) ringPop(completion);
  result = capEnter(1, 0);
  if (result != 1) { console.line("fuzz: FAIL the queued NOP did not run after reaping"); ok = false; }
  ringPop(completion);
  // min_complete past the queue's size.
  if (capEnter(33, 0) != -INVALID_ARGUMENT) { console.line("fuzz: FAIL min_complete 33"); ok = false; }
  // A grant the manifest does not allow hello (a Timer), and a name that does not exist.
  store<u32>(handles, grants.timer);
  const helloName = String.UTF8.encode("hello");
  result = single(Opcode.Call, grants.spawner, ProcessSpawnerMethod.Spawn, userAddress(changetype<usize>(helloName)), 5, userAddress(handles), 1);
  record(result, console);
  if (result != -NOT_PERMITTED) { console.line("fuzz: FAIL timer granted to hello gave " + result.toString()); ok = false; }
  // A full capability table: sleepers until spawn says TableFull, then all killed and released.
  const sleepers: ProcessHandle[] = [];
  const list: u32[] = [grants.console, grants.memory, grants.timer];
  while (true) {
    const child = spawner.spawn("probe", list, 13);
    if (child === null) {
      record(spawner.lastError, console);
      if (spawner.lastError != -TABLE_FULL) { console.line("fuzz: FAIL filling the table ended with " + spawner.lastError.toString()); ok = false; }
      break;
    }
    sleepers.push(child);
  }
  for (let i = 0; i < sleepers.length; i++) { sleepers[i].kill(); sleepers[i].wait(); sleepers[i].release(); }
  console.line("fuzz: table full after " + sleepers.length.toString() + " handles; sleepers killed");
  return ok;
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
  // A stale handle: a Timer's slot after release (the spawn of nothing gives no handle, so use
  // RELEASE on a fresh copy: there is none; the spawner's handle with the generation bumped).
  grants.stale = grants.timer + 0x100;
  const seed = startArgument() != 0 ? <u64>startArgument() : (readTsc() ^ 0x9e37_79b9_7f4a_7c15) & 0xffff_ffff;
  state = seed | 1;
  store<u8>(buffer, 0x6e); store<u8>(buffer, 0x6f, 1); store<u8>(buffer, 0x73, 2);
  store<u8>(buffer, 0x75, 3); store<u8>(buffer, 0x63, 4); store<u8>(buffer, 0x68, 5);   // "nosuch"
  store<u32>(handles, grants.console);
  console.line("fuzz: seed " + seed.toString() + " (replay with initarg=" + seed.toString() + "), " + FUZZ_ENTRIES.toString() + " entries");
  const started = timer.now();
  let ok = fuzz(console);
  const elapsed = timer.now() - started;
  ok = brokenRing(console, spawner) && ok;
  if (ringReady() != 0) { console.line("fuzz: FAIL completions left over"); ok = false; }
  let summary = "fuzz: results: ok " + seen[0].toString();
  for (let i = 1; i < ERROR_NAMES.length; i++) if (seen[i] != 0) summary += ", " + ERROR_NAMES[i] + " " + seen[i].toString();
  console.line(summary);
  for (let i = 0; i < REQUIRED.length; i++) {
    if (seen[REQUIRED[i]] == 0) { console.line("fuzz: FAIL never saw " + ERROR_NAMES[REQUIRED[i]]); ok = false; }
  }
  console.line("fuzz: " + FUZZ_ENTRIES.toString() + " entries in " + (elapsed / 1_000_000).toString() + " ms; " + (ok ? "all documented errors seen, kernel alive" : "FAILED"));
  return ok ? 0 : 2;
}
