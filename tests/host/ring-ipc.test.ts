// Host tests of issue 5's kernel pieces as the ring drives them: Endpoint and EndpointClient
// (kernel/objects/endpoint.ts: queue, handoff, RETURN by call id, capabilities copied and
// moved, what happens when a side ends) and ParkSpace (kernel/objects/park-space.ts:
// compare-and-block, unpark, timed parks). Same entry as tests/host/ring.test.ts
// (tests/host/entries/ring.ts) with the real capEnter, dispatch and objects; here several
// processes and threads each have their own ring, and the test enters the kernel as each of
// them in turn. The contract is docs/abi/interfaces/endpoint.md, endpoint-client.md and
// park-space.md; a seeded random sequence of CALL/RECV/RETURN with transfers is checked against
// a model of them. Tests named "bug:" pin a kernel defect found here (they fail until fixed).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { fakeHardware } from "./fake-hardware";
import { encode, type Cqe, type Sqe, withNumberHandles } from "./ring-entries";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

// --- the ABI, from the documents and abi/errors.ts ---------------------------------------------

/** KernelError values, read from abi/errors.ts so that the two cannot drift apart. */
const ERROR: Record<string, number> = Object.fromEntries(
  [...readFileSync(join(REPOSITORY, "abi/errors.ts"), "utf8").matchAll(/^\s+(\w+) = (\d+),/gm)].map(([, name, value]) => [name, Number(value)]),
);
const failure = (name: string) => {
  assert.ok(ERROR[name] !== undefined, `abi/errors.ts has ${name}`);
  return -BigInt(ERROR[name]);
};

// docs/abi/ring.md.
const SQ_HEAD = 0x000, SQ_TAIL = 0x004, CQ_HEAD = 0x008, CQ_TAIL = 0x00c, GRANT_COUNT = 0x044, GRANTS = 0x050;
const SQ_OFFSET = 0x400, CQ_OFFSET = 0xc00, ENTRIES = 32, SQE_SIZE = 64, CQE_SIZE = 32;
const NOP = 0, CALL = 1, RECV = 2, RETURN = 3, RELEASE = 4;
const NO_TIMEOUT = (1n << 64n) - 1n;
// docs/abi/interfaces/*.md: interface values and methods.
const CONSOLE = 1, TIMER = 2, ENDPOINT = 6, CLIENT = 7, THREAD_CONTROL = 10, PARK_SPACE = 11;
const CONSOLE_WRITE = 0, TIMER_NOW = 0, MEMORY_INFO = 1, MEMORY_ENDPOINT = 3, ENDPOINT_CLIENT = 0, THREAD_EXIT = 0, PARK = 0, UNPARK = 1;
const ENDPOINT_PAGES = 4n, QUEUE_MAXIMUM = 64, MESSAGE_MAXIMUM = 256, HEADER_SIZE = 24;
const COPY = 1n, MOVE = 2n;
/** Thread states (kernel/sched/thread.ts). */
const RUNNABLE = 0, BLOCKED = 1;
/** A table's limit (CAPABILITY_SLOTS_MAXIMUM): free slots count up to it. */
const TABLE_SLOTS = 16384;
const GENERATION_LAST = 0xffff_ffff;

// docs/abi/ring.md, "User address space"; the pages every process gets here.
const PAGE = 0x1000n;
const KERNEL_HALF = 0xffff_8000_0000_0000n, USER_HALF_END = 0x8000_0000_0000n;
const IMAGE_READ = 0x40_0000n, HOLE = 0x40_2000n, DATA = 0x40_3000n, DATA_2 = 0x40_4000n, BUFFERS = 0x40_5000n, BUFFERS_2 = 0x40_6000n;
const READ = 0, READ_WRITE = 1; // UserAccess

const REGION_START = 32 << 20, REGION_END = 56 << 20;
const TSC_START = 1_000_000n;

const u64 = (value: bigint | number) => BigInt.asUintN(64, BigInt(value));
const i64 = (value: bigint | number) => BigInt.asIntN(64, BigInt(value));
const hex = (value: bigint | number) => "0x" + BigInt(value).toString(16);

function errorName(result: bigint): string {
  if (result >= 0n) return `ok ${result}`;
  return Object.entries(ERROR).find(([, value]) => BigInt(value) === -result)?.[0] ?? `unknown error ${-result}`;
}

// --- the fake machine, processes, threads and their rings -----------------------------------------

let module: WebAssembly.Module;

class Machine {
  readonly wasm: AssemblyScriptModule;
  readonly e: Record<string, any>;
  cr3 = 0n;
  tsc = TSC_START;
  readonly msrs = new Map<number, bigint>();
  serial: Buffer[] = [];

  constructor(logLevel = "error") {
    const hw = fakeHardware(this);
    this.wasm = instantiate(module, { hw });
    this.e = withNumberHandles(this.wasm.exports);
    this.cr3 = BigInt(this.e.bootTablesAddress() >>> 0);
    assert.ok(this.e.memoryBytes() <= BigInt(REGION_START), "the heap stays below the frame region");
    const frames = this.e.setup(REGION_START, REGION_END, this.wasm.string(logLevel));
    assert.ok(frames > 5000n, `frames free after setup: ${frames}`);
  }

  /** A process (processCreate) with a read-only page at IMAGE_READ, a hole at HOLE and writable
   * pages at DATA, DATA_2, BUFFERS and BUFFERS_2; returns its index. */
  process(name: string, policyPages = 16): number {
    const index = this.e.processCreate(this.wasm.string(name), policyPages);
    for (const [virtual, access] of [[IMAGE_READ, READ], [DATA, READ_WRITE], [DATA_2, READ_WRITE], [BUFFERS, READ_WRITE], [BUFFERS_2, READ_WRITE]] as [bigint, number][]) {
      assert.ok(u64(this.e.mapUser(index, virtual, access)) !== 0n, `map ${hex(virtual)}: ${this.e.mapError()}`);
    }
    return index;
  }

  /** Thread `thread` of process `index`'s ring. */
  ring(index: number, thread = 0): Ring { return new Ring(this, index, thread); }

  /** A new thread of process `index` (the kernel's threadCreate); its ring and ThreadControl. */
  thread(index: number): { ring: Ring; control: number } {
    const thread = this.e.threadAdd(index);
    const ring = this.ring(index, thread);
    assert.is(ring.get32(GRANT_COUNT), 1, "the new thread's startup block lists its ThreadControl");
    assert.is(ring.get32(GRANTS + 8), THREAD_CONTROL);
    return { ring, control: ring.get32(GRANTS) + ring.get32(GRANTS + 4) * 2 ** 32 };
  }

  private physical(index: number, virtual: bigint): number {
    const physical = i64(this.e.userPhysical(index, virtual));
    assert.ok(physical >= 0n, `user page ${hex(virtual)} of process ${index} is mapped`);
    return Number(physical);
  }
  /** Writes `bytes` at user address `virtual` of process `index`, page by page. */
  poke(index: number, virtual: bigint, bytes: Buffer): void {
    const memory = new Uint8Array(this.wasm.memory.buffer);
    for (let i = 0; i < bytes.length; i++) memory[this.physical(index, virtual + BigInt(i))] = bytes[i];
  }
  peek(index: number, virtual: bigint, length: number): Buffer {
    const memory = new Uint8Array(this.wasm.memory.buffer);
    return Buffer.from(Array.from({ length }, (_, i) => memory[this.physical(index, virtual + BigInt(i))]));
  }
  /** Linear (= physical) memory as it is now. */
  bytes(address: number, length: number): Buffer { return Buffer.from(this.wasm.bytes(address, length)); }
  pokeWord(index: number, virtual: bigint, value: number): void {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32LE(value >>> 0);
    this.poke(index, virtual, bytes);
  }

  /** The tick: deadlines that passed fire. */
  tick(): void { this.e.tick(); }
  live(iface: number): number { return this.e.liveObjects(iface); }
  freeSlots(index: number): number { return this.e.tableFreeSlots(index); }
  count(index: number): number { return this.e.tableCount(index); }
  interfaceOf(index: number, handle: number): number { return this.e.interfaceOf(index, handle); }
  aborts(): string[] { return this.wasm.aborts; }
}


/** One thread's ring, as that thread sees it. */
class Ring {
  readonly page: number;
  constructor(readonly machine: Machine, readonly process: number, readonly thread: number) {
    this.page = Number(u64(machine.e.threadRingPage(process, thread)));
  }
  private view(): DataView { return new DataView(this.machine.wasm.memory.buffer); }
  get32(offset: number): number { return this.view().getUint32(this.page + offset, true); }
  set32(offset: number, value: number): void { this.view().setUint32(this.page + offset, value >>> 0, true); }

  submit(...entries: Sqe[]): void {
    let tail = this.get32(SQ_TAIL);
    for (const entry of entries) {
      new Uint8Array(this.machine.wasm.memory.buffer).set(encode(entry), this.page + SQ_OFFSET + (tail % ENTRIES) * SQE_SIZE);
      tail = (tail + 1) >>> 0;
    }
    this.set32(SQ_TAIL, tail);
  }
  /** cap_enter(minimum, timeout) as this thread: rax as a signed value, null if not written. */
  enter(minimum = 0n, timeout = 0n): bigint | null {
    const rax = u64(this.machine.e.enterAs(this.process, this.thread, minimum, timeout));
    return rax === u64(this.machine.e.raxUntouched()) ? null : i64(rax);
  }
  /** Every completion ready (some may have been posted by other threads' entries). */
  reap(): Cqe[] {
    const out: Cqe[] = [];
    let head = this.get32(CQ_HEAD);
    const tail = this.get32(CQ_TAIL);
    assert.ok(((tail - head) >>> 0) <= ENTRIES, "at most 32 completions ready");
    const view = this.view();
    for (; head !== tail; head = (head + 1) >>> 0) {
      const at = this.page + CQ_OFFSET + (head % ENTRIES) * CQE_SIZE;
      const cqe = {
        userData: view.getBigUint64(at, true), result: view.getBigInt64(at + 8, true), value: view.getBigUint64(at + 16, true),
        opcode: view.getUint32(at + 24, true), reserved: view.getUint32(at + 28, true),
      };
      assert.is(cqe.reserved, 0, "CQE reserved is 0");
      out.push(cqe);
    }
    this.set32(CQ_HEAD, tail);
    return out;
  }
  /** Submits, enters once, and returns every completion ready then (any number). */
  exchange(...entries: Sqe[]): Cqe[] {
    this.submit(...entries);
    const rax = this.enter();
    const completions = this.reap();
    assert.is(rax, BigInt(completions.length), "cap_enter returns the completions ready");
    assert.is(this.get32(SQ_HEAD), this.get32(SQ_TAIL), "every entry consumed");
    return completions;
  }
  /** Submits entries that all complete at once: exactly one completion each, in order. */
  run(...entries: Sqe[]): Cqe[] {
    const completions = this.exchange(...entries);
    assert.is(completions.length, entries.length, "one completion per entry");
    return completions;
  }
  one(entry: Sqe): Cqe { return this.run(entry)[0]; }
  /** Submits an entry that must not complete now (it waits): no completion, one more slot reserved. */
  pend(entry: Sqe): void {
    const before = this.reserved();
    const completions = this.exchange(entry);
    assert.equal(completions.map(describe), [], `${describe1(entry)} waits: no completion now`);
    assert.is(this.reserved(), before + 1, "its completion slot is reserved");
  }
  reserved(): number { return this.machine.e.threadReserved(this.process, this.thread); }
  state(): number { return this.machine.e.threadStateAt(this.process, this.thread); }
}

/** ThreadControl.exit through the ring: cap_enter never returns to the thread (rax untouched). */
function threadExit(ring: Ring, control: number): void {
  ring.submit({ opcode: CALL, handle: control, method: THREAD_EXIT, argument0: 7n });
  assert.is(ring.enter(), null, "exit: cap_enter does not return");
  assert.is(ring.state(), -1, "the thread is gone");
}

const describe = (cqe: Cqe) => `userData ${cqe.userData}: ${errorName(cqe.result)} value ${hex(cqe.value)} opcode ${cqe.opcode}`;
const describe1 = (entry: Sqe) => `opcode ${entry.opcode ?? NOP} userData ${entry.userData ?? 0n}`;

function assertCompletion(cqe: Cqe | undefined, expected: Partial<Cqe>, message: string): void {
  assert.ok(cqe !== undefined, `${message}: a completion`);
  for (const key of Object.keys(expected) as (keyof Cqe)[]) {
    assert.is(cqe![key], expected[key], `${message}: ${key} (${describe(cqe!)})`);
  }
  if (cqe!.result < 0n && expected.value === undefined) assert.is(cqe!.value, 0n, `${message}: value 0 on failure`);
}

// --- endpoint helpers ------------------------------------------------------------------------------

/** argument1 of a client CALL: request length | reply capacity << 32. */
const sizes = (length: number | bigint, capacity: number | bigint) => BigInt(length) | (BigInt(capacity) << 32n);
/** argument3 of CALL and RETURN: handle | mode << 56. */
const carry = (handle: number | bigint, mode: bigint) => BigInt(handle) | (mode << 56n);

interface Call { label?: number; request?: Buffer; requestAt?: bigint; capacity?: number; replyAt?: bigint; carried?: bigint; userData?: bigint }
/** A client CALL; the request bytes are written at requestAt (default DATA) of process `index`. */
function callEntry(machine: Machine, index: number, client: number, call: Call): Sqe {
  const request = call.request ?? Buffer.alloc(0);
  const requestAt = call.requestAt ?? DATA;
  if (request.length > 0 && requestAt === DATA) machine.poke(index, requestAt, request);
  return {
    opcode: CALL, handle: client, method: call.label ?? 0, userData: call.userData ?? 0n, argument0: requestAt,
    argument1: sizes(request.length, call.capacity ?? MESSAGE_MAXIMUM), argument2: call.replyAt ?? DATA_2, argument3: call.carried ?? 0n,
  };
}
const recvEntry = (endpoint: number, buffer: bigint, userData = 0n): Sqe => ({ opcode: RECV, handle: endpoint, argument0: buffer, userData });
function returnEntry(machine: Machine, index: number, endpoint: number, id: bigint, reply: Buffer, options: { at?: bigint; carried?: bigint; userData?: bigint; length?: bigint } = {}): Sqe {
  const at = options.at ?? DATA;
  if (reply.length > 0 && at === DATA) machine.poke(index, at, reply);
  return { opcode: RETURN, handle: endpoint, userData: options.userData ?? 0n, argument0: id, argument1: at, argument2: options.length ?? BigInt(reply.length), argument3: options.carried ?? 0n };
}

interface Header { id: number; label: number; handle: number; length: number; request: Buffer }
/** The header and request RECV wrote at `buffer` of process `index` (docs/abi/interfaces/endpoint.md:
 * u64 handle, u32 call id, u32 label, u32 length, u32 0). */
function header(machine: Machine, index: number, buffer: bigint): Header {
  const head = machine.peek(index, buffer, HEADER_SIZE);
  const length = head.readUInt32LE(16);
  assert.is(head.readUInt32LE(20), 0, "the header's reserved word is 0");
  return { id: head.readUInt32LE(8), label: head.readUInt32LE(12), handle: Number(head.readBigUInt64LE(0)), length,
    request: machine.peek(index, buffer + BigInt(HEADER_SIZE), Math.min(length, MESSAGE_MAXIMUM)) };
}

/** A server (process 0) holding a Memory of 24 pages, an Endpoint made from it and a client
 * facet, and a client process (1) holding the same client facet. */
function ipcWorld() {
  const machine = new Machine();
  const server = machine.process("server", 64), client = machine.process("client", 16);
  assert.is(server, 0);
  const s = machine.ring(server), k = machine.ring(client);
  const memory = Number(machine.e.grantMemory(server, 24n));
  const made = s.one({ opcode: CALL, handle: memory, method: MEMORY_ENDPOINT, userData: 1n });
  assert.ok(made.result > 0n, `Memory.endpoint: ${errorName(made.result)}`);
  const endpoint = Number(made.result);
  const facet = s.one({ opcode: CALL, handle: endpoint, method: ENDPOINT_CLIENT, userData: 2n });
  assert.ok(facet.result > 0n, `Endpoint.client: ${errorName(facet.result)}`);
  const serverClient = Number(facet.result);
  const clientHandle = Number(machine.e.grantSame(client, server, serverClient));
  return { machine, server, client, s, k, memory, endpoint, serverClient, clientHandle };
}

const text = (value: string) => Buffer.from(value, "latin1");

const ipc = suite("ring IPC: Endpoint, EndpointClient, ParkSpace");

ipc.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/ring.ts"));
});

// --- Memory.endpoint and Endpoint.client -----------------------------------------------------------

ipc("Memory.endpoint charges 4 pages while the endpoint lives; client() makes facets; UnknownMethod; TableFull; QuotaExceeded", () => {
  const machine = new Machine();
  const p = machine.process("owner");
  const s = machine.ring(p);
  const memory = Number(machine.e.grantMemory(p, 24n)), small = Number(machine.e.grantMemory(p, 3n));
  const endpoints = machine.live(ENDPOINT), clients = machine.live(CLIENT);
  const made = s.one({ opcode: CALL, handle: memory, method: MEMORY_ENDPOINT, userData: 5n, argument0: 99n });
  assertCompletion(made, { userData: 5n, value: 0n, opcode: CALL }, "Memory.endpoint");
  const endpoint = Number(made.result);
  assert.is(machine.interfaceOf(p, endpoint), ENDPOINT);
  assert.is(machine.e.memoryUsed(p, memory), ENDPOINT_PAGES, "4 pages charged");
  assertCompletion(s.one({ opcode: CALL, handle: memory, method: MEMORY_INFO }), { result: 4n, value: 24n }, "Memory.info sees them");
  assert.is(machine.live(ENDPOINT), endpoints + 1);
  assertCompletion(s.one({ opcode: CALL, handle: small, method: MEMORY_ENDPOINT }), { result: failure("QuotaExceeded") }, "a quota of 3 pages");
  assert.is(machine.live(ENDPOINT), endpoints + 1, "nothing made");

  const facet = s.one({ opcode: CALL, handle: endpoint, method: ENDPOINT_CLIENT, userData: 6n });
  assertCompletion(facet, { userData: 6n, value: 0n, opcode: CALL }, "client()");
  const client = Number(facet.result);
  assert.is(machine.interfaceOf(p, client), CLIENT);
  assert.is(machine.live(CLIENT), clients + 1);
  for (const method of [1, 2, 0xffff_ffff]) {
    assertCompletion(s.one({ opcode: CALL, handle: endpoint, method }), { result: failure("UnknownMethod") }, `Endpoint method ${method}`);
  }
  // RECV and RETURN need the owner's side: a client facet is the wrong interface.
  assertCompletion(s.one(recvEntry(client, BUFFERS)), { result: failure("WrongInterface"), opcode: RECV }, "RECV on a client facet");
  assertCompletion(s.one({ opcode: RETURN, handle: client, argument0: 1n }), { result: failure("WrongInterface"), opcode: RETURN }, "RETURN on a client facet");

  const free = machine.freeSlots(p);
  for (let i = 0; i < free; i++) machine.e.grantTimer(p);
  assertCompletion(s.one({ opcode: CALL, handle: endpoint, method: ENDPOINT_CLIENT }), { result: failure("TableFull") }, "client() with a full table");
  assertCompletion(s.one({ opcode: CALL, handle: memory, method: MEMORY_ENDPOINT }), { result: failure("TableFull") }, "Memory.endpoint with a full table");
  assertCompletion(s.one(recvEntry(endpoint, BUFFERS)), { result: failure("TableFull"), opcode: RECV }, "RECV with a full table");
  assertCompletion(s.one(callEntry(machine, p, client, {})), { result: failure("TableFull") }, "a client CALL with a full table");
  assert.is(machine.live(CLIENT), clients + 1);
  assert.is(machine.e.memoryUsed(p, memory), ENDPOINT_PAGES, "a refused endpoint charges nothing");

  // The last owner capability goes: the pages come back; the facet stays, and its CALLs fail.
  assertCompletion(s.one({ opcode: RELEASE, handle: endpoint }), { result: 0n }, "release the endpoint");
  assert.is(machine.e.memoryUsed(p, memory), 0n, "its pages are given back");
  assert.is(machine.live(ENDPOINT), endpoints);
  assert.is(machine.live(CLIENT), clients + 1);
  assertCompletion(s.one({ opcode: RELEASE, handle: Number(machine.e.handleAt(p, TABLE_SLOTS - 1)) }), { result: 0n }, "a free slot");
  assertCompletion(s.one(callEntry(machine, p, client, { userData: 7n })), { userData: 7n, result: failure("PeerEnded"), value: 0n }, "CALL on a closed endpoint");
  assert.is(s.reserved(), 0);
  assert.equal(machine.aborts(), []);
});

// --- the queue: FIFO, handoff, RETURN by id ----------------------------------------------------------

ipc("queue: CALLs wait in order; RECV takes the oldest; a waiting RECV gets the next CALL at once; RETURN copies the reply and completes the caller", () => {
  const { machine, client, server, s, k, endpoint, clientHandle } = ipcWorld();
  const kFree = machine.freeSlots(client);
  const requests = [text("alpha"), text("bravo!"), text("c")];
  const replyAt = (i: number) => BUFFERS + BigInt(i) * 0x100n;
  for (let i = 0; i < 3; i++) machine.poke(client, replyAt(i), Buffer.alloc(0x100, 0xee));
  // Three CALLs with no receiver: consumed, no completion, three slots reserved in the ring and table.
  for (let i = 0; i < 3; i++) {
    machine.poke(client, DATA + BigInt(i) * 0x100n, requests[i]);
    k.pend(callEntry(machine, client, clientHandle, { label: 10 + i, request: requests[i], requestAt: DATA + BigInt(i) * 0x100n, capacity: 16, replyAt: replyAt(i), userData: 100n + BigInt(i) }));
  }
  assert.is(k.reserved(), 3);
  assert.is(machine.freeSlots(client), kFree - 3, "a table slot reserved per call for the reply's capability");
  assert.is(k.state(), RUNNABLE, "CALL does not block the thread; cap_enter returned");
  // The process rewrites its request buffers: the kernel copied them at CALL.
  machine.poke(client, DATA, Buffer.alloc(0x300, 0x55));

  const ids: number[] = [];
  for (let i = 0; i < 3; i++) {
    const buffer = BUFFERS + BigInt(i) * 0x200n;
    const cqe = s.one(recvEntry(endpoint, buffer, 200n + BigInt(i)));
    assertCompletion(cqe, { userData: 200n + BigInt(i), result: BigInt(requests[i].length), opcode: RECV }, `RECV ${i}: the oldest call`);
    const got = header(machine, server, buffer);
    assert.equal(got, { id: Number(cqe.value), label: 10 + i, handle: 0, length: requests[i].length, request: requests[i] }, `RECV ${i}: header and request`);
    assert.ok(got.id !== 0 && !ids.includes(got.id), "call ids are distinct and not 0");
    ids.push(got.id);
  }
  assert.is(s.reserved(), 0);
  assert.is(k.reserved(), 3, "received calls are still under way");

  // A RECV waiting first: the next CALL is handed over in the caller's cap_enter.
  const sFree = machine.freeSlots(server);
  s.pend(recvEntry(endpoint, BUFFERS_2, 300n));
  assert.is(machine.freeSlots(server), sFree - 1, "RECV reserves a slot for a capability the request may carry");
  const late = text("handed straight over");
  machine.poke(client, replyAt(3), Buffer.alloc(0x100, 0xee));
  k.pend(callEntry(machine, client, clientHandle, { label: 0xffff_ffff, request: late, capacity: 256, replyAt: replyAt(3), userData: 103n }));
  const [handoff, ...more] = s.reap();
  assert.equal(more, []);
  assertCompletion(handoff, { userData: 300n, result: BigInt(late.length), opcode: RECV }, "the waiting RECV");
  const got = header(machine, server, BUFFERS_2);
  assert.equal(got, { id: Number(handoff.value), label: 0xffff_ffff, handle: 0, length: late.length, request: late });
  assert.is(machine.freeSlots(server), sFree, "no capability came: the slot is given back");
  ids.push(got.id);

  // RETURN by id, out of order: the second call first.
  const reply = text("reply-two");
  assertCompletion(s.one(returnEntry(machine, server, endpoint, BigInt(ids[1]), reply, { userData: 400n })), { userData: 400n, result: 0n, value: 0n, opcode: RETURN }, "RETURN");
  const [answered] = k.reap();
  assertCompletion(answered, { userData: 101n, result: BigInt(reply.length), value: 0n, opcode: CALL }, "the caller's CALL completes with the reply length");
  assert.equal(machine.peek(client, replyAt(1), 16), Buffer.concat([reply, Buffer.alloc(16 - reply.length, 0xee)]), "the reply bytes, nothing past them");
  assert.is(k.reserved(), 3);
  assert.is(machine.freeSlots(client), kFree - 3);
  // The same id again, an id never given, and id 0: NotFound.
  for (const id of [BigInt(ids[1]), 0xdeadn, 0n]) {
    assertCompletion(s.one(returnEntry(machine, server, endpoint, id, text("x"), { userData: 401n })), { userData: 401n, result: failure("NotFound"), opcode: RETURN }, `RETURN of id ${id}`);
  }
  // A reply longer than the caller's capacity (16): InvalidArgument, the call stays.
  assertCompletion(s.one(returnEntry(machine, server, endpoint, BigInt(ids[0]), Buffer.alloc(17, 1))), { result: failure("InvalidArgument"), opcode: RETURN }, "17 bytes for a capacity of 16");
  assertCompletion(s.one(returnEntry(machine, server, endpoint, BigInt(ids[0]), Buffer.alloc(1), { length: 1n << 32n })), { result: failure("InvalidArgument"), opcode: RETURN }, "a length of 2^32");
  assert.equal(k.reap(), [], "the caller is not completed by a refused RETURN");
  // Unreadable reply: BadAddress.
  assertCompletion(s.one(returnEntry(machine, server, endpoint, BigInt(ids[0]), Buffer.alloc(0), { at: HOLE, length: 4n })), { result: failure("BadAddress"), opcode: RETURN }, "reply from a hole");
  const full = Buffer.from(Array.from({ length: 16 }, (_, i) => i + 1));
  assertCompletion(s.one(returnEntry(machine, server, endpoint, BigInt(ids[0]), full)), { result: 0n }, "exactly the capacity");
  assertCompletion(k.reap()[0], { userData: 100n, result: 16n, value: 0n }, "call 0");
  assert.equal(machine.peek(client, replyAt(0), 17), Buffer.concat([full, Buffer.from([0xee])]));
  // An empty reply; a reply from a read-only page.
  assertCompletion(s.one(returnEntry(machine, server, endpoint, BigInt(ids[2]), Buffer.alloc(0), { at: 0n })), { result: 0n }, "an empty reply (its address is not checked)");
  assertCompletion(k.reap()[0], { userData: 102n, result: 0n, value: 0n }, "call 2: an empty reply");
  assert.equal(machine.peek(client, replyAt(2), 1), Buffer.from([0xee]), "nothing written");
  const image = machine.peek(server, IMAGE_READ, 256);
  assertCompletion(s.one(returnEntry(machine, server, endpoint, BigInt(ids[3]), Buffer.alloc(0), { at: IMAGE_READ, length: 256n })), { result: 0n }, "a 256-byte reply from a read-only page");
  assertCompletion(k.reap()[0], { userData: 103n, result: 256n, value: 0n }, "call 3");
  assert.equal(machine.peek(client, replyAt(3), 256), image);
  assert.is(k.reserved(), 0, "every call completed");
  assert.is(machine.freeSlots(client), kFree, "every reply slot given back");
  assert.is(s.reserved(), 0);
  assert.equal(machine.aborts(), []);
});

ipc("CALL and RECV arguments: InvalidArgument past 256 bytes, BadAddress for the request, the reply buffer and a RECV buffer that is not 280 writable bytes", () => {
  const { machine, client, server, s, k, endpoint, clientHandle } = ipcWorld();
  const kFree = machine.freeSlots(client);
  const cases: [string, Sqe, string][] = [
    ["a request of 257 bytes", callEntry(machine, client, clientHandle, { request: Buffer.alloc(257, 1) }), "InvalidArgument"],
    ["a request of 2^32 - 1 bytes", { ...callEntry(machine, client, clientHandle, {}), argument1: 0xffff_ffffn }, "InvalidArgument"],
    ["a reply capacity of 257", callEntry(machine, client, clientHandle, { capacity: 257 }), "InvalidArgument"],
    ["a reply capacity of 2^32 - 1", callEntry(machine, client, clientHandle, { capacity: 0xffff_ffff }), "InvalidArgument"],
    ["a request from a hole", callEntry(machine, client, clientHandle, { request: Buffer.alloc(4), requestAt: HOLE }), "BadAddress"],
    ["a request running into a hole", callEntry(machine, client, clientHandle, { request: Buffer.alloc(256), requestAt: BUFFERS_2 + 0xf01n }), "BadAddress"],
    ["a request in the kernel half", callEntry(machine, client, clientHandle, { request: Buffer.alloc(1), requestAt: KERNEL_HALF }), "BadAddress"],
    ["a request wrapping past 2^64", callEntry(machine, client, clientHandle, { request: Buffer.alloc(16), requestAt: NO_TIMEOUT - 7n }), "BadAddress"],
    ["a reply buffer in a read-only page", callEntry(machine, client, clientHandle, { replyAt: IMAGE_READ, capacity: 1 }), "BadAddress"],
    ["a reply buffer running out of user memory", callEntry(machine, client, clientHandle, { replyAt: USER_HALF_END - 8n, capacity: 16 }), "BadAddress"],
    ["a reply buffer running into a hole", callEntry(machine, client, clientHandle, { replyAt: BUFFERS_2 + 0xff0n, capacity: 17 }), "BadAddress"],
    ["transfer mode 3", callEntry(machine, client, clientHandle, { carried: carry(clientHandle, 3n) }), "InvalidArgument"],
    ["transfer mode 2^32 - 1", callEntry(machine, client, clientHandle, { carried: carry(clientHandle, 0xffff_ffffn) }), "InvalidArgument"],
    ["a carried handle that names nothing", callEntry(machine, client, clientHandle, { carried: carry(0xdead_beef, COPY) }), "InvalidHandle"],
    ["a carried handle 0, moved", callEntry(machine, client, clientHandle, { carried: carry(0, MOVE) }), "InvalidHandle"],
  ];
  for (const [name, entry, error] of cases) {
    assertCompletion(k.one({ ...entry, userData: 9n }), { userData: 9n, result: failure(error), value: 0n, opcode: CALL }, name);
  }
  assert.is(k.reserved(), 0, "nothing waits");
  assert.is(machine.freeSlots(client), kFree, "no slot kept");
  // Edge cases that are fine: 256 bytes each way, a read-only request, zero lengths anywhere.
  for (const [name, entry] of [
    ["256 bytes from a read-only page, 256 back", callEntry(machine, client, clientHandle, { request: Buffer.alloc(256), requestAt: IMAGE_READ, capacity: 256 })],
    ["a request ending at its page's end", callEntry(machine, client, clientHandle, { request: Buffer.alloc(256), requestAt: BUFFERS_2 + 0xf00n })],
    ["an empty request from address 0, no reply capacity to a hole", callEntry(machine, client, clientHandle, { requestAt: 0n, capacity: 0, replyAt: HOLE })],
  ] as [string, Sqe][]) {
    k.pend({ ...entry, userData: 10n });
    const cqe = s.one(recvEntry(endpoint, BUFFERS));
    assert.ok(cqe.result >= 0n, `${name}: received (${errorName(cqe.result)})`);
    assertCompletion(s.one(returnEntry(machine, server, endpoint, cqe.value, Buffer.alloc(0))), { result: 0n }, `${name}: returned`);
    assertCompletion(k.reap()[0], { userData: 10n, result: 0n }, name);
  }
  // RECV: 280 writable bytes.
  const recvCases: [string, bigint][] = [
    ["a read-only page", IMAGE_READ], ["a hole", HOLE], ["271 bytes before a hole", BUFFERS_2 + 0x1000n - 271n], ["address 0", 0n],
    ["the kernel half", KERNEL_HALF], ["the end of the user half", USER_HALF_END - 16n], ["wrapping past 2^64", NO_TIMEOUT - 100n],
  ];
  const sFree = machine.freeSlots(server);
  for (const [name, buffer] of recvCases) {
    assertCompletion(s.one(recvEntry(endpoint, buffer, 11n)), { userData: 11n, result: failure("BadAddress"), opcode: RECV }, `RECV into ${name}`);
  }
  assert.is(machine.freeSlots(server), sFree);
  assert.is(s.reserved(), 0);
  s.pend(recvEntry(endpoint, BUFFERS_2 + 0x1000n - 280n, 12n)); // exactly 280 bytes to the end of the page
  k.pend(callEntry(machine, client, clientHandle, { request: Buffer.alloc(256, 0x77), userData: 13n }));
  const [cqe] = s.reap();
  assertCompletion(cqe, { userData: 12n, result: 256n }, "a RECV buffer of exactly 280 bytes");
  assert.equal(header(machine, server, BUFFERS_2 + 0x1000n - 280n).request, Buffer.alloc(256, 0x77));
  assert.equal(machine.aborts(), []);
});

ipc("QueueFull: 64 calls outstanding (queued or received) is the bound; one RETURN makes room", () => {
  const { machine, server, s, endpoint, serverClient } = ipcWorld();
  // A ring holds 32 completions, so the 64 calls come from two client processes of 32 each.
  const callers = [machine.process("caller a"), machine.process("caller b"), machine.process("caller c")].map((index) => ({
    index, ring: machine.ring(index), client: Number(machine.e.grantSame(index, server, serverClient)),
  }));
  const [a, b, c] = callers;
  /** Each request at its own address: the kernel copies it when it consumes the entry. */
  const call = (caller: typeof a, userData: bigint) => {
    const request = text(`call ${userData}`), at = DATA + (userData % 256n) * 16n;
    machine.poke(caller.index, at, request);
    return callEntry(machine, caller.index, caller.client, { request, requestAt: at, userData, capacity: 8 });
  };
  a.ring.submit(...Array.from({ length: 32 }, (_, i) => call(a, BigInt(i))));
  assert.is(a.ring.enter(), 0n, "32 calls queued");
  assert.is(a.ring.reserved(), 32);
  // The server receives 10 of them: received calls still count.
  const received: bigint[] = [];
  for (let i = 0; i < 10; i++) {
    const cqe = s.one(recvEntry(endpoint, BUFFERS));
    assert.is(header(machine, server, BUFFERS).request.toString(), `call ${i}`, "oldest first");
    received.push(cqe.value);
  }
  b.ring.submit(...Array.from({ length: 32 }, (_, i) => call(b, 100n + BigInt(i))));
  assert.is(b.ring.enter(), 0n, "32 more: 64 outstanding");
  const refused = c.ring.one(call(c, 200n));
  assertCompletion(refused, { userData: 200n, result: failure("QueueFull"), value: 0n, opcode: CALL }, "the 65th call");
  assert.is(c.ring.reserved(), 0);
  assert.is(machine.freeSlots(c.index), TABLE_SLOTS - 1, "nothing reserved by a refused call");
  // One RETURN: room for one more.
  assertCompletion(s.one(returnEntry(machine, server, endpoint, received[0], text("ok"))), { result: 0n }, "RETURN one");
  assertCompletion(a.ring.reap()[0], { userData: 0n, result: 2n }, "its caller");
  c.ring.pend(call(c, 201n));
  assertCompletion(c.ring.one(call(c, 202n)), { result: failure("QueueFull") }, "full again");
  // The rest drains in order: a's 22 queued, then b's 32, then c's.
  const order: string[] = [];
  for (let i = 0; i < 55; i++) {
    const cqe = s.one(recvEntry(endpoint, BUFFERS));
    order.push(header(machine, server, BUFFERS).request.toString());
    assertCompletion(s.one(returnEntry(machine, server, endpoint, cqe.value, Buffer.alloc(0))), { result: 0n }, "RETURN");
  }
  assert.equal(order, [...Array.from({ length: 22 }, (_, i) => `call ${i + 10}`), ...Array.from({ length: 32 }, (_, i) => `call ${100 + i}`), "call 201"]);
  for (const [ring, count] of [[a.ring, 22], [b.ring, 32], [c.ring, 1]] as [Ring, number][]) assert.is(ring.reap().length, count);
  for (const id of received.slice(1)) assertCompletion(s.one(returnEntry(machine, server, endpoint, id, Buffer.alloc(0))), { result: 0n }, "the 9 received first");
  assert.is(a.ring.reap().length, 9);
  for (const caller of callers) assert.is(caller.ring.reserved(), 0, "every call completed");
  assert.equal(machine.aborts(), []);
});

// --- transfers -----------------------------------------------------------------------------------

ipc("copy: the sender keeps its handle, the receiver gets a new one to the same object; both work; nothing new is made", () => {
  const { machine, client, server, s, k, endpoint, clientHandle } = ipcWorld();
  const timer = Number(machine.e.grantTimer(client));
  const id = machine.e.objectTrack(client, timer);
  const timers = machine.live(TIMER), references = machine.e.trackedReferences(id);
  // Queued, then received.
  k.pend(callEntry(machine, client, clientHandle, { request: text("q"), carried: carry(timer, COPY), userData: 1n }));
  assert.is(machine.e.trackedReferences(id), references + 1, "the message holds a reference");
  assertCompletion(k.one({ opcode: CALL, handle: timer, method: TIMER_NOW }), { result: 0n }, "the sender's handle still works while the call waits");
  const cqe = s.one(recvEntry(endpoint, BUFFERS));
  const got = header(machine, server, BUFFERS);
  assert.ok(got.handle !== 0, "a handle came with the request");
  assert.is(machine.interfaceOf(server, got.handle), TIMER);
  assert.ok(machine.e.namesTracked(server, got.handle, id), "the same object");
  assert.is(machine.live(TIMER), timers, "no new object");
  assert.is(machine.e.trackedReferences(id), references + 1, "two tables hold it");
  machine.tsc += 1234n;
  assertCompletion(s.one({ opcode: CALL, handle: got.handle, method: TIMER_NOW }), { result: 1234n }, "the receiver's handle works");
  assertCompletion(k.one({ opcode: CALL, handle: timer, method: TIMER_NOW }), { result: 1234n }, "so does the sender's");
  assertCompletion(s.one(returnEntry(machine, server, endpoint, cqe.value, Buffer.alloc(0))), { result: 0n }, "RETURN");
  assertCompletion(k.reap()[0], { userData: 1n, result: 0n, value: 0n }, "no capability in the reply");
  // Handed over to a waiting RECV.
  s.pend(recvEntry(endpoint, BUFFERS_2));
  k.pend(callEntry(machine, client, clientHandle, { carried: carry(timer, COPY), userData: 2n }));
  const [handoff] = s.reap();
  const second = header(machine, server, BUFFERS_2);
  assert.ok(second.handle !== 0 && second.handle !== got.handle, "another new handle");
  assert.ok(machine.e.namesTracked(server, second.handle, id));
  assert.is(machine.e.trackedReferences(id), references + 2);
  // RETURN copies one back: the caller gets a third handle.
  const kCount = machine.count(client);
  assertCompletion(s.one(returnEntry(machine, server, endpoint, handoff.value, Buffer.alloc(0), { carried: carry(second.handle, COPY), userData: 3n })), { userData: 3n, result: 0n, value: 0n }, "RETURN with a copy");
  const [answered] = k.reap();
  assertCompletion(answered, { userData: 2n, result: 0n }, "the CALL");
  const back = Number(answered.value);
  assert.ok(back !== 0 && back !== timer, `the reply's handle ${hex(back)} is new`);
  assert.ok(machine.e.namesTracked(client, back, id));
  assert.is(machine.count(client), kCount + 1, "into the slot reserved for it");
  assert.ok(machine.e.namesTracked(server, second.handle, id), "the server keeps its copy");
  assert.is(machine.e.trackedReferences(id), references + 3);
  assert.is(machine.live(TIMER), timers);
  // Every reference goes with its handle.
  for (const [index, handle] of [[client, timer], [client, back], [server, got.handle], [server, second.handle]] as [number, number][]) {
    machine.ring(index).one({ opcode: RELEASE, handle });
  }
  assert.is(machine.e.trackedReferences(id), 0);
  assert.is(machine.live(TIMER), timers - 1, "destroyed with its last reference");
  assert.equal(machine.aborts(), []);
});

ipc("move: the sender's handle is stale at once; the receiver's new handle names the object; never two holders; RETURN moves back", () => {
  const { machine, client, server, s, k, endpoint, clientHandle } = ipcWorld();
  const consoleHandle = Number(machine.e.grantConsole(client));
  const id = machine.e.objectTrack(client, consoleHandle);
  const consoles = machine.live(CONSOLE), references = machine.e.trackedReferences(id);
  const kCount = machine.count(client), kFree = machine.freeSlots(client);
  k.pend(callEntry(machine, client, clientHandle, { request: text("take it"), carried: carry(consoleHandle, MOVE), userData: 1n }));
  assert.is(machine.count(client), kCount - 1, "the moved capability left the sender's table");
  assert.is(machine.freeSlots(client), kFree - 1, "its slot stays held (for a rollback), and the reply slot is reserved");
  assert.is(machine.e.trackedReferences(id), references, "the table's reference passed to the message");
  for (const entry of [{ opcode: CALL, handle: consoleHandle, method: CONSOLE_WRITE, argument0: IMAGE_READ, argument1: 1n }, { opcode: RELEASE, handle: consoleHandle }] as Sqe[]) {
    assertCompletion(k.one(entry), { result: failure("InvalidHandle") }, `the moved handle is stale (opcode ${entry.opcode})`);
  }
  assertCompletion(k.one(callEntry(machine, client, clientHandle, { carried: carry(consoleHandle, MOVE) })), { result: failure("InvalidHandle") }, "it cannot be moved twice");
  const cqe = s.one(recvEntry(endpoint, BUFFERS));
  const got = header(machine, server, BUFFERS);
  assert.ok(got.handle !== 0);
  assert.ok(machine.e.namesTracked(server, got.handle, id), "the receiver holds the object");
  assert.is(machine.e.trackedReferences(id), references, "one holder: the receiver");
  assert.is(machine.freeSlots(client), kFree, "the sender's held slot is let go; the reply slot stays reserved");
  assert.is(machine.count(client), kCount - 1);
  assert.is(machine.live(CONSOLE), consoles);
  assertCompletion(s.one({ opcode: CALL, handle: got.handle, method: CONSOLE_WRITE, argument0: IMAGE_READ, argument1: 3n }), { result: 3n }, "the receiver uses it");
  // RETURN moves it back.
  assertCompletion(s.one(returnEntry(machine, server, endpoint, cqe.value, text("back"), { carried: carry(got.handle, MOVE), userData: 2n })), { userData: 2n, result: 0n }, "RETURN with a move");
  const [answered] = k.reap();
  assertCompletion(answered, { userData: 1n, result: 4n }, "the CALL");
  const back = Number(answered.value);
  assert.ok(back !== 0 && back !== consoleHandle, "a new handle");
  assert.ok(machine.e.namesTracked(client, back, id));
  assertCompletion(s.one({ opcode: RELEASE, handle: got.handle }), { result: failure("InvalidHandle") }, "the server's handle is stale");
  assert.is(machine.e.trackedReferences(id), references);
  assert.is(machine.count(client), kCount);
  assert.is(machine.freeSlots(client), kFree);
  assert.is(machine.live(CONSOLE), consoles);
  assertCompletion(k.one({ opcode: CALL, handle: back, method: CONSOLE_WRITE, argument0: IMAGE_READ, argument1: 2n }), { result: 2n }, "usable again by the client");
  // A move to a waiting RECV, of the very client facet the CALL goes through.
  const clients = machine.live(CLIENT);
  s.pend(recvEntry(endpoint, BUFFERS_2));
  k.pend(callEntry(machine, client, clientHandle, { carried: carry(clientHandle, MOVE), userData: 3n }));
  const [handoff] = s.reap();
  const facet = header(machine, server, BUFFERS_2).handle;
  assert.is(machine.interfaceOf(server, facet), CLIENT);
  assert.is(machine.interfaceOf(client, clientHandle), 0, "the client gave its only facet away");
  assert.is(machine.live(CLIENT), clients);
  assertCompletion(s.one(returnEntry(machine, server, endpoint, handoff.value, Buffer.alloc(0), { carried: carry(facet, COPY) })), { result: 0n }, "a copy of it back");
  const again = Number(k.reap()[0].value);
  assert.is(machine.interfaceOf(client, again), CLIENT);
  assert.is(machine.live(CLIENT), clients);
  assert.equal(machine.aborts(), []);
});

ipc("RETURN transfers: InvalidArgument for mode 3, InvalidHandle for a dead handle; the call stays; a copy and a move land in the reply slot", () => {
  const { machine, client, server, s, k, endpoint, clientHandle } = ipcWorld();
  const timer = Number(machine.e.grantTimer(server));
  const kFree = machine.freeSlots(client);
  k.pend(callEntry(machine, client, clientHandle, { userData: 1n }));
  const cqe = s.one(recvEntry(endpoint, BUFFERS));
  assertCompletion(s.one(returnEntry(machine, server, endpoint, cqe.value, Buffer.alloc(0), { carried: carry(timer, 3n) })), { result: failure("InvalidArgument"), opcode: RETURN }, "mode 3");
  assertCompletion(s.one(returnEntry(machine, server, endpoint, cqe.value, Buffer.alloc(0), { carried: carry(timer + 0x100, COPY) })), { result: failure("InvalidHandle"), opcode: RETURN }, "a stale handle");
  assert.equal(k.reap(), []);
  assert.is(machine.freeSlots(client), kFree - 1, "still reserved for the reply");
  const id = machine.e.objectTrack(server, timer);
  assertCompletion(s.one(returnEntry(machine, server, endpoint, cqe.value, Buffer.alloc(0), { carried: carry(timer, MOVE) })), { result: 0n }, "RETURN with a move");
  const value = Number(k.reap()[0].value);
  assert.ok(machine.e.namesTracked(client, value, id));
  assert.is(machine.interfaceOf(server, timer), 0, "the server's handle is stale");
  assert.is(machine.freeSlots(client), kFree - 1, "the reply slot is now the capability");
  assert.is(machine.e.trackedReferences(id), 1);
  assert.equal(machine.aborts(), []);
});

ipc("rollback: a moved capability on a call that fails before delivery comes back under a new handle, as the failed CALL's value", () => {
  const { machine, client, server, s, k, endpoint, clientHandle, memory } = ipcWorld();
  const consoleHandle = Number(machine.e.grantConsole(client)), timer = Number(machine.e.grantTimer(client));
  const consoleId = machine.e.objectTrack(client, consoleHandle), timerId = machine.e.objectTrack(client, timer);
  const consoles = machine.live(CONSOLE), timers = machine.live(TIMER), endpoints = machine.live(ENDPOINT);
  const kCount = machine.count(client), kFree = machine.freeSlots(client);
  k.pend(callEntry(machine, client, clientHandle, { carried: carry(consoleHandle, MOVE), userData: 1n }));
  k.pend(callEntry(machine, client, clientHandle, { carried: carry(timer, COPY), userData: 2n }));
  k.pend(callEntry(machine, client, clientHandle, { userData: 3n }));
  // One of them is received (not returned) when the owner side goes.
  s.one(recvEntry(endpoint, BUFFERS));
  assert.is(machine.e.trackedReferences(consoleId), 1, "the received call's capability is the server's now");
  // The server's only Endpoint capability goes.
  assertCompletion(s.one({ opcode: RELEASE, handle: endpoint }), { result: 0n }, "release the owner side");
  assert.is(machine.live(ENDPOINT), endpoints - 1);
  assert.is(machine.e.memoryUsed(server, memory), 0n);
  const completions = k.reap();
  const byUserData = new Map(completions.map((cqe) => [cqe.userData, cqe]));
  assert.equal([...byUserData.keys()].sort(), [1n, 2n, 3n], "one completion per call");
  for (const cqe of completions) assertCompletion(cqe, { result: failure("PeerEnded"), value: 0n, opcode: CALL }, `call ${cqe.userData}: PeerEnded`);
  assert.is(k.reserved(), 0);
  assert.is(byUserData.get(2n)!.value, 0n, "a copied capability is not given back: the sender kept it");
  assert.is(byUserData.get(1n)!.value, 0n, "the received call's capability was delivered");
  assert.is(machine.e.trackedReferences(timerId), 1, "the message's reference to the copy is dropped");
  assert.is(machine.live(TIMER), timers);
  assert.is(machine.live(CONSOLE), consoles);
  assert.is(machine.freeSlots(client), kFree + 1, "every slot given back; the console's slot is free (it went to the server)");
  assert.is(machine.count(client), kCount - 1);

  // A queued move when the endpoint closes.
  const second = ipcSecond(machine, server, s, client);
  const kCount2 = machine.count(client), kFree2 = machine.freeSlots(client);
  k.pend(callEntry(machine, client, second.client, { carried: carry(timer, MOVE), userData: 4n }));
  assert.is(machine.interfaceOf(client, timer), 0);
  assertCompletion(s.one({ opcode: RELEASE, handle: second.endpoint }), { result: 0n }, "release the second endpoint");
  const [failed] = k.reap();
  assert.equal([failed.userData, errorName(failed.result), failed.opcode], [4n, "PeerEnded", CALL], "the queued move fails");
  const back = Number(failed.value);
  assert.ok(back !== 0 && back !== timer, `value: the new handle ${hex(back)}`);
  assert.ok(machine.e.namesTracked(client, back, timerId), "the same object");
  assert.is(machine.interfaceOf(client, timer), 0, "the old handle stays stale");
  assert.is(back & 0xff, timer & 0xff, "back in the sender's slot");
  assert.is(machine.e.trackedReferences(timerId), 1);
  assert.is(machine.count(client), kCount2);
  assert.is(machine.freeSlots(client), kFree2);
  assertCompletion(k.one({ opcode: CALL, handle: back, method: TIMER_NOW }), { result: machine.tsc - TSC_START }, "usable");
  assert.equal(machine.aborts(), []);
});

/** Another endpoint made by the server, its facet in the client's table. */
function ipcSecond(machine: Machine, server: number, s: Ring, client: number) {
  const memory = Number(machine.e.grantMemory(server, 8n));
  const endpoint = Number(s.one({ opcode: CALL, handle: memory, method: MEMORY_ENDPOINT }).result);
  const facet = Number(s.one({ opcode: CALL, handle: endpoint, method: ENDPOINT_CLIENT }).result);
  assert.ok(endpoint > 0 && facet > 0);
  const clientFacet = Number(machine.e.grantSame(client, server, facet));
  s.one({ opcode: RELEASE, handle: facet });
  return { memory, endpoint, client: clientFacet };
}

// CapabilityTable.detach refuses a slot at its last generation (0xffffff: it could never be
// committed again), but clientCallDecode/returnDecode never check it: takeCarried ignores detach's
// -1, drops the table's reference while the table still names the object, and commitCarried
// then cancels slot -1 (kernel/objects/endpoint.ts takeCarried/commitCarried): an abort.
ipc("regression: a move of a handle whose slot is at its last generation is refused, not a kernel abort", () => {
  const { machine, server, s, endpoint, serverClient } = ipcWorld();
  const sender = machine.process("old slots");
  const client = Number(machine.e.grantSame(sender, server, serverClient));
  const k = machine.ring(sender);
  const slot = machine.e.tableAgeNextSlot(sender, GENERATION_LAST);
  // A handle at the last generation is past 2^53: the raw export gives it as a BigInt.
  const consoleHandle = BigInt.asUintN(64, machine.wasm.exports.grantConsole(sender));
  assert.is(consoleHandle, (BigInt(GENERATION_LAST) << 24n) | BigInt(slot), "a handle at the last generation");
  const id = machine.e.objectTrack(sender, consoleHandle);
  s.pend(recvEntry(endpoint, BUFFERS, 1n));
  let completions: Cqe[] = [];
  let thrown = "";
  try {
    completions = k.exchange(callEntry(machine, sender, client, { carried: carry(consoleHandle, MOVE), userData: 2n }));
  } catch (error) {
    thrown = String(error);
  }
  assert.equal(machine.aborts(), [], `no kernel abort (${thrown})`);
  assert.is(completions.length, 1, "the CALL is refused at once");
  assert.ok(completions[0].result < 0n, `refused: ${errorName(completions[0].result)}`);
  assert.ok(machine.e.namesTracked(sender, consoleHandle, id), "the sender keeps its capability");
  assert.is(machine.e.trackedReferences(id), 1, "one reference, the sender's");
});

// --- ends ----------------------------------------------------------------------------------------

ipc("ends: a receiver thread that ends before RETURN fails the call with PeerEnded; a later RETURN finds nothing", () => {
  const { machine, client, server, s, k, endpoint, clientHandle } = ipcWorld();
  const worker = machine.thread(server);
  const kFree = machine.freeSlots(client);
  const consoleHandle = Number(machine.e.grantConsole(client));
  const id = machine.e.objectTrack(client, consoleHandle);
  worker.ring.pend(recvEntry(endpoint, BUFFERS, 1n));
  k.pend(callEntry(machine, client, clientHandle, { request: text("hello"), carried: carry(consoleHandle, MOVE), userData: 2n }));
  const [received] = worker.ring.reap();
  assertCompletion(received, { userData: 1n, result: 5n }, "the worker thread received it");
  const moved = header(machine, server, BUFFERS).handle;
  // The worker exits through its ThreadControl, without returning.
  threadExit(worker.ring, worker.control);
  const [failed] = k.reap();
  assertCompletion(failed, { userData: 2n, result: failure("PeerEnded"), value: 0n, opcode: CALL }, "the caller's CALL");
  assert.is(k.reserved(), 0);
  assert.is(machine.freeSlots(client), kFree, "the reply slot is given back (the moved console went with the request)");
  assert.ok(machine.e.namesTracked(server, moved, id), "the capability delivered to the process stays in its table");
  assert.is(machine.e.trackedReferences(id), 1);
  assertCompletion(s.one(returnEntry(machine, server, endpoint, received.value, text("late"), { userData: 3n })), { userData: 3n, result: failure("NotFound"), opcode: RETURN }, "RETURN after the receiver ended");
  // The endpoint works on.
  k.pend(callEntry(machine, client, clientHandle, { userData: 4n }));
  const again = s.one(recvEntry(endpoint, BUFFERS));
  assertCompletion(s.one(returnEntry(machine, server, endpoint, again.value, Buffer.alloc(0))), { result: 0n }, "another call");
  assertCompletion(k.reap()[0], { userData: 4n, result: 0n }, "completes");
  // A receiver process killed after receiving: its owner side goes too, PeerEnded either way.
  k.pend(callEntry(machine, client, clientHandle, { userData: 5n }));
  s.one(recvEntry(endpoint, BUFFERS));
  machine.e.processKill(server);
  assertCompletion(k.reap()[0], { userData: 5n, result: failure("PeerEnded") }, "the receiver's process was killed");
  assert.is(machine.live(ENDPOINT), 0);
  assertCompletion(k.one(callEntry(machine, client, clientHandle, { userData: 6n })), { userData: 6n, result: failure("PeerEnded") }, "CALL after the owner ended");
  assert.is(machine.freeSlots(client), kFree);
  assert.equal(machine.aborts(), []);
});

ipc("ends: a caller that ends while queued vanishes (RECV never sees it, what it moved is released); one ended after delivery: RETURN is NotFound", () => {
  const { machine, server, s, k, client, endpoint, serverClient, clientHandle } = ipcWorld();
  const doomed = machine.process("doomed");
  const doomedClient = Number(machine.e.grantSame(doomed, server, serverClient));
  const d = machine.ring(doomed);
  const consoleHandle = Number(machine.e.grantConsole(doomed)), timer = Number(machine.e.grantTimer(doomed));
  const consoleId = machine.e.objectTrack(doomed, consoleHandle), timerId = machine.e.objectTrack(doomed, timer);
  const consoles = machine.live(CONSOLE), timers = machine.live(TIMER);
  const shared = Number(machine.e.grantSame(server, doomed, timer)); // the server holds the timer too
  d.pend(callEntry(machine, doomed, doomedClient, { request: text("never seen"), carried: carry(consoleHandle, MOVE), userData: 1n }));
  d.pend(callEntry(machine, doomed, doomedClient, { request: text("never seen either"), carried: carry(timer, MOVE), userData: 2n }));
  machine.e.processKill(doomed);
  assert.is(machine.e.trackedReferences(consoleId), 0, "what it moved went with it");
  assert.is(machine.live(CONSOLE), consoles - 1);
  assert.is(machine.e.trackedReferences(timerId), 1, "the timer, still held by the server");
  assert.ok(machine.e.namesTracked(server, shared, timerId));
  assert.is(machine.live(TIMER), timers);
  s.pend(recvEntry(endpoint, BUFFERS, 3n));
  k.pend(callEntry(machine, client, clientHandle, { request: text("me"), userData: 4n }));
  const [cqe] = s.reap();
  assertCompletion(cqe, { userData: 3n, result: 2n }, "the RECV gets the live caller's call");
  assert.is(header(machine, server, BUFFERS).request.toString(), "me");
  assertCompletion(s.one(returnEntry(machine, server, endpoint, cqe.value, Buffer.alloc(0))), { result: 0n }, "RETURN");
  assert.is(k.reap().length, 1);

  // Ended after its call was received.
  const doomed2 = machine.process("doomed 2");
  const d2 = machine.ring(doomed2);
  d2.pend(callEntry(machine, doomed2, Number(machine.e.grantSame(doomed2, server, serverClient)), { userData: 5n }));
  const received = s.one(recvEntry(endpoint, BUFFERS));
  machine.e.processKill(doomed2);
  assertCompletion(s.one(returnEntry(machine, server, endpoint, received.value, text("too late"), { userData: 6n })), { userData: 6n, result: failure("NotFound"), opcode: RETURN }, "RETURN after the caller ended");
  assert.is(s.reserved(), 0);
  assert.equal(machine.aborts(), []);
});

ipc("ends: the owner side's last capability going completes queued and received calls and waiting RECVs with PeerEnded", () => {
  const { machine, client, server, s, k, endpoint, clientHandle, memory } = ipcWorld();
  const worker = machine.thread(server);
  // Another capability on the owner side keeps it open: only the last one closes it.
  const spare = Number(machine.e.grantSame(server, server, endpoint));
  const sFree = machine.freeSlots(server);
  s.pend(recvEntry(endpoint, BUFFERS, 1n));
  worker.ring.pend(recvEntry(spare, BUFFERS_2, 2n));
  assert.is(machine.freeSlots(server), sFree - 2);
  assertCompletion(s.one({ opcode: RELEASE, handle: endpoint, userData: 3n }), { userData: 3n, result: 0n }, "release one of two");
  assert.equal(s.reap(), [], "still open: nothing completes");
  assert.is(machine.e.memoryUsed(server, memory), ENDPOINT_PAGES);
  const completions = worker.ring.exchange({ opcode: RELEASE, handle: spare, userData: 4n });
  assert.equal(completions.map((cqe) => [cqe.userData, errorName(cqe.result), cqe.opcode]), [[2n, "PeerEnded", RECV], [4n, "ok 0", RELEASE]],
    "the worker's RECV, then its RELEASE");
  assertCompletion(s.reap()[0], { userData: 1n, result: failure("PeerEnded"), value: 0n, opcode: RECV }, "the first thread's RECV");
  assert.is(s.reserved(), 0);
  assert.is(worker.ring.reserved(), 0);
  assert.is(machine.freeSlots(server), sFree + 2, "the RECVs' slots given back, and the two released handles'");
  assert.is(machine.e.memoryUsed(server, memory), 0n);

  // Queued and received calls.
  const second = ipcSecond(machine, server, s, client);
  k.pend(callEntry(machine, client, second.client, { userData: 10n }));
  k.pend(callEntry(machine, client, second.client, { userData: 11n }));
  k.pend(callEntry(machine, client, second.client, { userData: 12n }));
  s.one(recvEntry(second.endpoint, BUFFERS));
  machine.e.processKill(server);
  assert.equal(k.reap().map((cqe) => [cqe.userData, errorName(cqe.result), cqe.value]).sort((a, b) => Number(a[0]) - Number(b[0])),
    [[10n, "PeerEnded", 0n], [11n, "PeerEnded", 0n], [12n, "PeerEnded", 0n]], "the received call and the queued ones");
  assert.is(k.reserved(), 0);
  assert.is(machine.freeSlots(client), TABLE_SLOTS - 2, "the client holds its two facets, nothing reserved");
  assert.is(machine.live(ENDPOINT), 0);
  assertCompletion(k.one(callEntry(machine, client, clientHandle, {})), { result: failure("PeerEnded") }, "later CALLs");
  assert.equal(machine.aborts(), []);
});

// endpointsThreadEnded (kernel/objects/endpoint.ts) handles a thread that ends while its
// process lives on (ThreadControl.exit of one thread of several) like a whole process ending:
// it drops the queued call's moved capability (rollBack releases it since the thread has ended)
// and leaves the reserved slots — the call's reply slot, the moved capability's detached slot,
// a waiting RECV's slot, a received call's reply slot — reserved for ever in a table that lives on.
ipc("regression: a thread that ends (its process lives on) gives back its calls' and RECVs' table slots and its moved capability", () => {
  const { machine, client, server, s, k, endpoint, clientHandle } = ipcWorld();
  const reservedSlots = (index: number) => TABLE_SLOTS - machine.count(index) - machine.freeSlots(index);
  const problems: string[] = [];
  // A thread of the client process CALLs, moving a Timer, and exits while the call is queued.
  const caller = machine.thread(client);
  const timer = Number(machine.e.grantTimer(client));
  const id = machine.e.objectTrack(client, timer);
  const kCount = machine.count(client);
  caller.ring.pend(callEntry(machine, client, clientHandle, { carried: carry(timer, MOVE), userData: 1n }));
  assert.is(reservedSlots(client), 2, "the reply slot and the moved capability's slot are reserved");
  threadExit(caller.ring, caller.control);
  if (reservedSlots(client) !== 0) problems.push(`client: ${reservedSlots(client)} slot(s) still reserved for the ended thread's queued call (reply slot, moved capability's slot)`);
  if (machine.e.trackedReferences(id) !== 1 || machine.count(client) !== kCount) {
    problems.push(`client: the moved Timer was dropped instead of coming back to the live process (references ${machine.e.trackedReferences(id)}, table count ${machine.count(client)}, was ${kCount})`);
  }
  s.pend(recvEntry(endpoint, BUFFERS, 2n)); // the call vanished: nothing to receive
  // A server thread waits in RECV and exits.
  const worker = machine.thread(server);
  const sReserved = reservedSlots(server);
  worker.ring.pend(recvEntry(endpoint, BUFFERS_2, 3n));
  threadExit(worker.ring, worker.control);
  if (reservedSlots(server) !== sReserved) problems.push(`server: ${reservedSlots(server) - sReserved} slot still reserved for the ended thread's RECV`);
  // The client's first thread calls: the first thread of the server receives it.
  k.pend(callEntry(machine, client, clientHandle, { userData: 4n }));
  const [first] = s.reap();
  assertCompletion(first, { userData: 2n, result: 0n }, "the waiting RECV of the live thread");
  assertCompletion(s.one(returnEntry(machine, server, endpoint, first.value, Buffer.alloc(0))), { result: 0n }, "RETURN");
  assert.is(k.reap().length, 1);
  // A thread whose call was received exits before the RETURN.
  const caller2 = machine.thread(client);
  caller2.ring.pend(callEntry(machine, client, clientHandle, { userData: 5n }));
  const received = s.one(recvEntry(endpoint, BUFFERS, 6n));
  const kReserved = reservedSlots(client);
  threadExit(caller2.ring, caller2.control);
  if (reservedSlots(client) !== kReserved - 1) problems.push("client: the received call's reply slot is still reserved after its caller thread ended");
  assertCompletion(s.one(returnEntry(machine, server, endpoint, received.value, Buffer.alloc(0))), { result: failure("NotFound") }, "RETURN after the caller thread ended");
  assert.equal(problems, [], "nothing leaks when a thread ends");
  assert.equal(machine.aborts(), []);
});

// endpointsThreadEnded iterates the live endpoints and each one's queue while rollBack may
// release the last reference to that very endpoint (a call queued on it carrying its own owner
// capability): EndpointObject.destroy() empties core.queued and splices state.live under the
// loops, and the next `core.queued[i]` is out of range: an abort reachable from any process
// that moves its Endpoint into a call on itself and then exits.
ipc("regression: a process ending with calls queued on an endpoint whose last owner capability one of them carries does not abort", () => {
  const machine = new Machine();
  const p = machine.process("self-mover");
  const s = machine.ring(p);
  const memory = Number(machine.e.grantMemory(p, 8n));
  const endpoint = Number(s.one({ opcode: CALL, handle: memory, method: MEMORY_ENDPOINT }).result);
  const client = Number(s.one({ opcode: CALL, handle: endpoint, method: ENDPOINT_CLIENT }).result);
  s.pend(callEntry(machine, p, client, { userData: 1n }));
  s.pend(callEntry(machine, p, client, { carried: carry(endpoint, MOVE), userData: 2n }));
  let thrown = "";
  try {
    machine.e.processKill(p);
  } catch (error) {
    thrown = String(error);
  }
  assert.equal(machine.aborts(), [], `no kernel abort (${thrown})`);
  assert.is(machine.live(ENDPOINT), 0, "the endpoint is gone");
  assert.is(machine.live(CLIENT), 0);
});

// Same root: when rollBack destroys an endpoint inside endpointsThreadEnded's loop over
// state.live, the splice shifts the next endpoint into the index just visited, and the loop
// skips it. The ended thread's calls queued there survive: a RECV then receives a call from a
// dead process, and its RETURN writes the reply and a completion through the dead process's
// freed page tables and ring: into whatever process got those frames next.
ipc("regression: an ended caller's calls vanish from every endpoint, even one after an endpoint destroyed while it ended", () => {
  const machine = new Machine();
  const doomed = machine.process("doomed"), server = machine.process("server");
  const d = machine.ring(doomed), s = machine.ring(server);
  // The doomed process's own endpoint first (state.live index 0), the server's second.
  const own = Number(d.one({ opcode: CALL, handle: Number(machine.e.grantMemory(doomed, 8n)), method: MEMORY_ENDPOINT }).result);
  const ownClient = Number(d.one({ opcode: CALL, handle: own, method: ENDPOINT_CLIENT }).result);
  const endpoint = Number(s.one({ opcode: CALL, handle: Number(machine.e.grantMemory(server, 8n)), method: MEMORY_ENDPOINT }).result);
  const serverClient = Number(s.one({ opcode: CALL, handle: endpoint, method: ENDPOINT_CLIENT }).result);
  const client = Number(machine.e.grantSame(doomed, server, serverClient));
  d.pend(callEntry(machine, doomed, ownClient, { carried: carry(own, MOVE), userData: 1n }));
  d.pend(callEntry(machine, doomed, client, { request: text("from the dead"), capacity: 64, replyAt: DATA_2, userData: 2n }));
  machine.e.processKill(doomed);
  assert.ok(machine.e.processEnded(doomed));
  assert.is(machine.live(ENDPOINT), 1, "the doomed process's endpoint is gone");
  // A new process, which may get the dead one's frames.
  const victim = machine.process("victim");
  const v = machine.ring(victim);
  const victimPages = () => Buffer.concat([machine.peek(victim, DATA, 0x1000), machine.peek(victim, DATA_2, 0x1000), machine.bytes(v.page, 0x1000)]);
  const victimBefore = victimPages();
  const problems: string[] = [];
  const completions = s.exchange(recvEntry(endpoint, BUFFERS, 3n));
  if (completions.length > 0) {
    problems.push(`RECV received a call of the ended process: ${completions.map(describe)}`);
    const returned = s.exchange(returnEntry(machine, server, endpoint, completions[0].value, text("SCRIBBLE"), { userData: 4n }));
    if (returned.some((cqe) => cqe.result === 0n)) problems.push("RETURN to the ended caller succeeded (documented: NotFound)");
    if (!victimPages().equals(victimBefore)) problems.push("the RETURN wrote into another process's pages (its reply and completion through the dead caller's freed frames)");
  }
  assert.equal(problems, [], "the ended caller's call vanished");
  assert.equal(machine.aborts(), []);
});

// --- ParkSpace -----------------------------------------------------------------------------------

/** A process with three threads and its own ParkSpace (in the table all threads share). */
function parkWorld() {
  const machine = new Machine();
  const p = machine.process("parker");
  const space = Number(machine.e.grantParkSpace(p, p));
  const t0 = machine.ring(p), t1 = machine.thread(p), t2 = machine.thread(p);
  const park = (address: bigint, expected: bigint | number, timeout = NO_TIMEOUT, userData = 0n): Sqe =>
    ({ opcode: CALL, handle: space, method: PARK, argument0: address, argument1: BigInt(expected), argument2: timeout, userData });
  const unpark = (address: bigint, count: bigint | number, userData = 0n): Sqe => ({ opcode: CALL, handle: space, method: UNPARK, argument0: address, argument1: BigInt(count), userData });
  return { machine, p, space, t0, t1: t1.ring, t2: t2.ring, c1: t1.control, c2: t2.control, park, unpark };
}

ipc("ParkSpace: park blocks only while the word holds expected; unpark wakes the oldest on that address, at most count, and says how many", () => {
  const { machine, p, t0, t1, t2, park, unpark } = parkWorld();
  machine.pokeWord(p, DATA, 5);
  machine.pokeWord(p, DATA + 4n, 5);
  // A word that does not hold expected: 1 at once, nothing parked.
  assertCompletion(t1.one(park(DATA, 4, NO_TIMEOUT, 1n)), { userData: 1n, result: 1n, value: 0n, opcode: CALL }, "expected 4, the word holds 5");
  assertCompletion(t1.one(park(DATA, 0xffff_fffa, NO_TIMEOUT)), { result: 1n }, "expected 2^32 - 6");
  assert.is(t1.reserved(), 0);
  // Parks: t1 then t2 on DATA, t2 on DATA + 4; expected compares the low 32 bits only.
  t1.pend(park(DATA, 5, NO_TIMEOUT, 11n));
  t2.pend(park(DATA, (7n << 32n) | 5n, NO_TIMEOUT, 21n));
  t2.pend(park(DATA + 4n, 5, NO_TIMEOUT, 22n));
  assert.is(t1.state(), RUNNABLE, "park does not block the thread by itself");
  assert.is(t1.enter(1n, NO_TIMEOUT), 0n, "cap_enter waiting for the park");
  assert.is(t1.state(), BLOCKED);
  // The word changes without an unpark: nobody wakes.
  machine.pokeWord(p, DATA, 6);
  assert.equal(t1.reap(), []);
  assertCompletion(t0.one(unpark(DATA, 1, 1n)), { userData: 1n, result: 1n, value: 0n }, "unpark 1 wakes one");
  assertCompletion(t1.reap()[0], { userData: 11n, result: 0n, value: 0n, opcode: CALL }, "the oldest: t1");
  assert.is(t1.state(), RUNNABLE, "woken from cap_enter");
  assert.is(i64(machine.e.raxOf(p, t1.thread)), 1n, "its cap_enter returns the completion");
  assert.equal(t2.reap(), [], "t2 still parked");
  assertCompletion(t0.one(unpark(DATA, 5)), { result: 1n }, "unpark 5 wakes the one left on DATA");
  assert.equal(t2.reap().map((cqe) => [cqe.userData, cqe.result]), [[21n, 0n]], "only t2's park on DATA");
  assert.is(t2.reserved(), 1, "its park on DATA + 4 remains");
  assertCompletion(t0.one(unpark(DATA, 5)), { result: 0n }, "nobody left on DATA");
  assertCompletion(t0.one(unpark(DATA + 4n, 0)), { result: 0n }, "count 0 wakes nobody");
  assertCompletion(t0.one(unpark(DATA + 8n, 1)), { result: 0n }, "another address");
  assertCompletion(t0.one(unpark(HOLE, 1)), { result: 0n }, "unpark does not read the word: an unmapped address is fine");
  assert.is(t2.reserved(), 1);
  assertCompletion(t0.one(unpark(DATA + 4n, 0xffff_ffff_ffffn)), { result: 1n }, "a huge count");
  assertCompletion(t2.reap()[0], { userData: 22n, result: 0n }, "t2's second park");
  // Oldest first among several, over three threads and two parks of one thread.
  machine.pokeWord(p, DATA, 9);
  t2.pend(park(DATA, 9, NO_TIMEOUT, 31n));
  t1.pend(park(DATA, 9, NO_TIMEOUT, 32n));
  t2.pend(park(DATA, 9, NO_TIMEOUT, 33n));
  t0.pend(park(DATA, 9, NO_TIMEOUT, 34n));
  assertCompletion(t0.one(unpark(DATA, 2)), { result: 2n }, "two of four");
  assert.equal([...t2.reap(), ...t1.reap()].map((cqe) => cqe.userData), [31n, 32n]);
  assertCompletion(t1.one(unpark(DATA, 2)), { result: 2n }, "the other two (one is the unparker's own park)");
  assert.equal(t2.reap().map((cqe) => cqe.userData), [33n]);
  assert.equal(t0.reap().map((cqe) => cqe.userData), [34n]);
  // A park on a read-only page is fine (it only reads).
  const image = machine.peek(p, IMAGE_READ + 0x40n, 4).readUInt32LE(0);
  t1.pend(park(IMAGE_READ + 0x40n, image, NO_TIMEOUT, 41n));
  assertCompletion(t0.one(unpark(IMAGE_READ + 0x40n, 1)), { result: 1n }, "the read-only word");
  assert.is(t1.reap().length, 1);
  for (const ring of [t0, t1, t2]) assert.is(ring.reserved(), 0);
  assert.is(machine.e.timeoutsPending(), 0);
  assert.equal(machine.aborts(), []);
});

ipc("ParkSpace errors: UnknownMethod, NotPermitted on another process's, InvalidArgument unaligned, BadAddress unreadable; nothing parked", () => {
  const { machine, p, space, t0, park, unpark } = parkWorld();
  const other = machine.process("other");
  const foreign = Number(machine.e.grantParkSpace(other, p));
  const o = machine.ring(other);
  const cases: [string, Ring, Sqe, string][] = [
    ["method 2", t0, { opcode: CALL, handle: space, method: 2, argument0: DATA }, "UnknownMethod"],
    ["method 2^32 - 1", t0, { opcode: CALL, handle: space, method: 0xffff_ffff, argument0: 1n }, "UnknownMethod"],
    ["park on another process's ParkSpace", o, { ...park(DATA, 0), handle: foreign }, "NotPermitted"],
    ["unpark on another process's ParkSpace", o, { ...unpark(DATA, 1), handle: foreign }, "NotPermitted"],
    ["park, another process's, unaligned too", o, { ...park(DATA + 1n, 0), handle: foreign }, "NotPermitted"],
    ["park at +1", t0, park(DATA + 1n, 0), "InvalidArgument"],
    ["park at +2", t0, park(DATA + 2n, 0), "InvalidArgument"],
    ["park at +3 in a hole", t0, park(HOLE + 3n, 0), "InvalidArgument"],
    ["unpark at +2", t0, unpark(DATA + 2n, 1), "InvalidArgument"],
    ["park in a hole", t0, park(HOLE, 0), "BadAddress"],
    ["park at address 0", t0, park(0n, 0), "BadAddress"],
    ["park in the kernel half", t0, park(KERNEL_HALF, 0), "BadAddress"],
    ["park at the last user word", t0, park(USER_HALF_END - 4n, 0), "BadAddress"],
    ["park at 2^64 - 4", t0, park(NO_TIMEOUT - 3n, 0), "BadAddress"],
    ["park past a mapped page", t0, park(BUFFERS_2 + PAGE, 0), "BadAddress"],
  ];
  for (const [name, ring, entry, error] of cases) {
    assertCompletion(ring.one({ ...entry, userData: 8n }), { userData: 8n, result: failure(error), value: 0n, opcode: CALL }, name);
  }
  assert.is(t0.reserved(), 0);
  assert.is(o.reserved(), 0);
  assert.is(machine.e.timeoutsPending(), 0, "no deadline left behind");
  assert.equal(machine.aborts(), []);
});

ipc("ParkSpace timed park: -TimedOut on the tick at its deadline and never before; an unpark first wins and drops the deadline", () => {
  const { machine, p, t0, t1, park, unpark } = parkWorld();
  machine.pokeWord(p, DATA, 3);
  t1.pend(park(DATA, 3, 1000n, 1n));
  assert.is(machine.e.timeoutsPending(), 1);
  machine.tsc += 999n;
  machine.tick();
  assert.equal(t1.reap(), [], "not at 999 ns");
  machine.tsc += 1n;
  machine.tick();
  assertCompletion(t1.reap()[0], { userData: 1n, result: failure("TimedOut"), value: 0n, opcode: CALL }, "at 1000 ns");
  assert.is(t1.reserved(), 0);
  assertCompletion(t0.one(unpark(DATA, 1)), { result: 0n }, "the timed-out park is gone");
  // Woken before its deadline: 0, and nothing at the deadline.
  t1.pend(park(DATA, 3, 5000n, 2n));
  machine.tsc += 4999n;
  machine.tick();
  assertCompletion(t0.one(unpark(DATA, 1)), { result: 1n }, "unpark at 4999 ns");
  assertCompletion(t1.reap()[0], { userData: 2n, result: 0n }, "woken, not timed out");
  assert.is(machine.e.timeoutsPending(), 0, "its deadline is dropped");
  machine.tsc += 10_000n;
  machine.tick();
  assert.equal(t1.reap(), [], "no second completion");
  // Timeout 0: parks, and times out on the next tick.
  t1.pend(park(DATA, 3, 0n, 3n));
  machine.tick();
  assertCompletion(t1.reap()[0], { userData: 3n, result: failure("TimedOut") }, "timeout 0");
  // A thread blocked in cap_enter on a timed park wakes with it.
  t1.submit(park(DATA, 3, 700n, 4n));
  assert.is(t1.enter(1n, NO_TIMEOUT), 0n);
  assert.is(t1.state(), BLOCKED);
  machine.tsc += 700n;
  machine.tick();
  assert.is(t1.state(), RUNNABLE);
  assertCompletion(t1.reap()[0], { userData: 4n, result: failure("TimedOut") }, "wakes the blocked thread");
  // A huge timeout does not wrap into the past.
  t1.pend(park(DATA, 3, NO_TIMEOUT - 1n, 5n));
  machine.tsc += 1n << 40n;
  machine.tick();
  assert.equal(t1.reap(), [], "2^64 - 2 ns is far off");
  assertCompletion(t0.one(unpark(DATA, 1)), { result: 1n }, "unpark it");
  assert.is(t1.reap().length, 1);
  assert.is(machine.e.timeoutsPending(), 0);
  assert.equal(machine.aborts(), []);
});

ipc("ParkSpace: a thread that ends drops its parks and their deadlines; a later unpark wakes nobody", () => {
  const { machine, p, t0, t1, t2, c2, park, unpark } = parkWorld();
  machine.pokeWord(p, DATA, 1);
  t2.pend(park(DATA, 1, NO_TIMEOUT, 1n));
  t2.pend(park(DATA, 1, 1000n, 2n));
  t1.pend(park(DATA, 1, NO_TIMEOUT, 3n));
  assert.is(machine.e.timeoutsPending(), 1);
  threadExit(t2, c2);
  assert.is(machine.e.timeoutsPending(), 0, "its deadline went with it");
  assertCompletion(t0.one(unpark(DATA, 10)), { result: 1n }, "only t1 is woken");
  assertCompletion(t1.reap()[0], { userData: 3n, result: 0n }, "t1");
  assertCompletion(t0.one(unpark(DATA, 10)), { result: 0n }, "nobody left");
  // The whole process ends: its parks go too.
  t1.pend(park(DATA, 1, 500n, 4n));
  machine.e.processKill(p);
  assert.is(machine.e.timeoutsPending(), 0);
  machine.tsc += 1000n;
  machine.tick();
  assert.is(machine.live(PARK_SPACE), 0, "the ParkSpace went with its process's table");
  assert.equal(machine.aborts(), []);
});

// parkTimedOut and timeoutForgetPark (kernel/objects/park-space.ts, kernel/sched/timeouts.ts)
// find a park by (thread, userData), but userData is "any value" (docs/abi/ring.md) and two parks
// of one thread may share it: the deadline of one then times out the other, and an unpark of one
// drops the other's deadline.
ipc("regression: two parks of one thread with the same userData: the timed one times out, the other stays parked", () => {
  const { machine, p, t0, t1, park, unpark } = parkWorld();
  machine.pokeWord(p, DATA, 1);
  machine.pokeWord(p, DATA + 4n, 1);
  t1.pend(park(DATA, 1, NO_TIMEOUT, 7n));
  t1.pend(park(DATA + 4n, 1, 1000n, 7n));
  machine.tsc += 1000n;
  machine.tick();
  assertCompletion(t1.reap()[0], { userData: 7n, result: failure("TimedOut") }, "one park times out");
  const untimed = t0.one(unpark(DATA, 1)).result, timed = t0.one(unpark(DATA + 4n, 1)).result;
  assert.equal({ untimed, timed }, { untimed: 1n, timed: 0n }, "the untimed park on DATA is still parked; the timed one on DATA + 4 is gone");
  assert.equal(machine.aborts(), []);
});

// --- documented order of checks ----------------------------------------------------------------------

// endpoint-client.md and endpoint.md list their errors "in the order the kernel checks them",
// with InvalidHandle (the capability to send is not live) before PeerEnded, InvalidArgument and
// BadAddress, and a transfer mode above 2 (InvalidArgument) before BadAddress. clientCallDecode
// and returnDecode check the capability to send last (checkCarried after the buffers; RETURN:
// after NotFound and the reply checks).
// The documented order (endpoint.md, endpoint-client.md) is the kernel's: sizes, then buffers,
// then the capability to send (RETURN: the call id first). The docs were changed to match.
ipc("CALL and RETURN report errors in the documented order (buffers before the capability to send)", () => {
  const { machine, client, server, s, k, endpoint, clientHandle } = ipcWorld();
  const cases: [string, Ring, Sqe, string][] = [
    ["CALL: dead capability to send, request from a hole", k, callEntry(machine, client, clientHandle, { request: Buffer.alloc(4), requestAt: HOLE, carried: carry(0xdead_beef, COPY) }), "BadAddress"],
    ["CALL: dead capability to send, request of 300 bytes", k, callEntry(machine, client, clientHandle, { request: Buffer.alloc(300), carried: carry(0xdead_beef, COPY) }), "InvalidArgument"],
    ["CALL: mode 3, reply buffer read-only", k, callEntry(machine, client, clientHandle, { replyAt: IMAGE_READ, capacity: 4, carried: carry(clientHandle, 3n) }), "BadAddress"],
    ["CALL: dead capability to send, buffers fine", k, callEntry(machine, client, clientHandle, { request: Buffer.alloc(4), carried: carry(0xdead_beef, COPY) }), "InvalidHandle"],
  ];
  k.pend(callEntry(machine, client, clientHandle, { capacity: 4 }));
  const id = s.one(recvEntry(endpoint, BUFFERS)).value;
  cases.push(
    ["RETURN: dead capability to send, unknown id", s, returnEntry(machine, server, endpoint, 0xdeadn, Buffer.alloc(0), { carried: carry(0xdead_beef, COPY) }), "NotFound"],
    ["RETURN: dead capability to send, reply too long", s, returnEntry(machine, server, endpoint, id, Buffer.alloc(5), { carried: carry(0xdead_beef, COPY) }), "InvalidArgument"],
    ["RETURN: mode 3, reply from a hole", s, returnEntry(machine, server, endpoint, id, Buffer.alloc(0), { at: HOLE, length: 2n, carried: carry(endpoint, 3n) }), "BadAddress"],
    ["RETURN: mode 3, reply fine", s, returnEntry(machine, server, endpoint, id, Buffer.alloc(0), { carried: carry(endpoint, 3n) }), "InvalidArgument"],
  );
  const results = cases.map(([name, ring, entry]) => `${name}: ${errorName(ring.one(entry).result)}`);
  assert.equal(results, cases.map(([name, , , error]) => `${name}: ${error}`));
  assert.equal(machine.aborts(), []);
});

// --- a seeded random sequence against a model ----------------------------------------------------------

/** A capability the model follows: its object number (objectTrack) and interface. */
interface Held { id: number; iface: number }
interface ModelCall {
  userData: bigint; label: number; request: Buffer; capacity: number; replyArea: number;
  carried: { id: number; mode: bigint } | null; callId?: number;
}
/** What one entry must produce: a completion in the client's or the server's ring now (in
 * order), with a value known or to be learned (a new handle, a call id). */
interface Expected { ring: "k" | "s"; userData: bigint; result: bigint; value: bigint | "learn"; opcode: number; learn?: (value: bigint) => void }

ipc("random: CALL/RECV/RETURN with random transfers between two threads match a model; one completion per entry; no object duplicated or lost; no abort", () => {
  const seed = Number(process.env.IPC_SEED ?? 0x1bc5);
  const steps = Number(process.env.IPC_STEPS ?? 3000);
  const random = generator(seed);
  const below = (n: number) => Math.floor(random() * n);
  const chance = (p: number) => random() < p;
  const pick = <T>(items: T[]): T => items[below(items.length)];
  const { machine, client, server, s, k, endpoint, clientHandle, memory } = ipcWorld();
  const e = machine.e;
  const rings = { k, s };
  const index = { k: client, s: server };
  /** Each table: its tracked capabilities by handle, handles that died, slots reserved. */
  const tables = {
    k: { held: new Map<number, Held>(), dead: [] as number[], fixed: machine.count(client), reserved: 0 },
    s: { held: new Map<number, Held>(), dead: [] as number[], fixed: machine.count(server), reserved: 0 },
  };
  const references = new Map<number, number>();
  const interfaces = new Map<number, number>();
  const queued: ModelCall[] = [];
  const received = new Map<number, ModelCall>();
  const receivers: { userData: bigint; buffer: number }[] = [];
  /** Entries whose completion has not come yet, by userData. */
  const outstanding = new Map<bigint, string>();
  const freeReplyAreas = Array.from({ length: 32 }, (_, i) => i);      // the client's BUFFERS pages, 256 bytes each
  const freeRecvBuffers = Array.from({ length: 16 }, (_, i) => i);     // the server's BUFFERS pages, 512 bytes each
  const replyArea = (area: number) => BUFFERS + BigInt(area) * 256n;
  const recvBuffer = (slot: number) => BUFFERS + BigInt(slot) * 512n;
  let callsUnderWay = 0;
  /** Entries of the batch being built so far (each has its own part of DATA). */
  let batchSlot = 0;
  let nextUserData = 1n;
  const seen = new Map<string, number>();
  const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
  let where = "";

  const grant = (side: "k" | "s", iface: number) => {
    const handle = Number(iface === CONSOLE ? e.grantConsole(index[side]) : e.grantTimer(index[side]));
    const id = e.objectTrack(index[side], handle);
    tables[side].held.set(handle, { id, iface });
    references.set(id, 1);
    interfaces.set(id, iface);
  };
  const learnHandle = (side: "k" | "s", id: number) => (value: bigint) => {
    const handle = Number(value);
    assert.ok(handle !== 0 && !tables[side].held.has(handle), `${where}: a new handle ${hex(handle)} in ${side}`);
    assert.ok(e.namesTracked(index[side], handle, id), `${where}: ${hex(handle)} names object ${id}`);
    tables[side].held.set(handle, { id, iface: interfaces.get(id)! });
  };
  const addReference = (id: number, delta: number) => references.set(id, references.get(id)! + delta);
  /** A handle of `side` to carry: live mostly, now and then a dead one or garbage. */
  const carriedHandle = (side: "k" | "s"): [number, Held | undefined] => {
    const held = [...tables[side].held.entries()];
    const r = random();
    if (r < 0.9 && held.length > 0) return pick(held);
    if (r < 0.97 && tables[side].dead.length > 0) return [pick(tables[side].dead), undefined];
    return [pick([0, 0xdead_beef, below(0x1_0000_0000)]), undefined];
  };

  /** The server delivers `call` to the waiting or new RECV `receive`: expectation and model. */
  const deliver = (call: ModelCall, receive: { userData: bigint; buffer: number }, out: Expected[]) => {
    const carried = call.carried;
    out.push({
      ring: "s", userData: receive.userData, result: BigInt(call.request.length), value: "learn", opcode: RECV,
      learn: (value) => {
        const callId = Number(value);
        assert.ok(callId !== 0 && !received.has(callId), `${where}: a new call id`);
        call.callId = callId;
        received.set(callId, call);
        const got = header(machine, server, recvBuffer(receive.buffer));
        assert.is(got.id, callId, `${where}: header id`);
        assert.is(got.label, call.label, `${where}: header label`);
        assert.is(got.length, call.request.length, `${where}: header length`);
        assert.equal(got.request, call.request, `${where}: request bytes`);
        if (carried === null) assert.is(got.handle, 0, `${where}: no handle`);
        else learnHandle("s", carried.id)(BigInt(got.handle));
        freeRecvBuffers.push(receive.buffer);
      },
    });
    tables.s.reserved--;                                   // the RECV's slot: committed or cancelled
    if (carried !== null && carried.mode === MOVE) tables.k.reserved--;   // the sender's held slot is let go
    count(carried === null ? "delivered" : carried.mode === MOVE ? "delivered a move" : "delivered a copy");
  };

  /** The client's next entry: mostly a CALL; its expectation appended to `out`. */
  const clientEntry = (out: Expected[]): Sqe | null => {
    const userData = nextUserData++;
    if (chance(0.1)) {
      const [handle, held] = carriedHandle("k");
      if (held !== undefined) {
        tables.k.held.delete(handle);
        tables.k.dead.push(handle);
        addReference(held.id, -1);
      }
      out.push({ ring: "k", userData, result: held !== undefined ? 0n : failure("InvalidHandle"), value: 0n, opcode: RELEASE });
      return { opcode: RELEASE, handle, userData };
    }
    if (callsUnderWay >= 24 || freeReplyAreas.length === 0) return null;
    const length = chance(0.1) ? 0 : chance(0.1) ? MESSAGE_MAXIMUM : below(MESSAGE_MAXIMUM);
    const request = Buffer.from(Array.from({ length }, () => below(256)));
    const capacity = chance(0.1) ? 0 : chance(0.2) ? MESSAGE_MAXIMUM : below(MESSAGE_MAXIMUM + 1);
    const label = chance(0.5) ? below(4) : below(0x1_0000_0000);
    // Each entry of a batch has its own 1 KiB of DATA: the kernel copies requests when it consumes them.
    const offset = BigInt(batchSlot++ * 0x400 + below(0x400 - length + 1));
    machine.poke(client, DATA + offset, request);
    let fault = "";
    let carriedArgument = 0n;
    let carried: ModelCall["carried"] = null;
    const transfer = random();
    if (transfer < 0.4) {
      const [handle, held] = carriedHandle("k");
      const mode = chance(0.5) ? COPY : MOVE;
      carriedArgument = carry(handle, mode);
      if (held === undefined) fault = "InvalidHandle";
      else carried = { id: held.id, mode };
      if (held !== undefined && chance(0.03)) { carriedArgument = carry(handle, 3n); fault = "InvalidArgument"; carried = null; }
    }
    const area = freeReplyAreas[below(freeReplyAreas.length)];
    const entry: Sqe = { opcode: CALL, handle: clientHandle, method: label, userData, argument0: DATA + offset, argument1: sizes(length, capacity), argument2: replyArea(area), argument3: carriedArgument };
    if (fault === "" && chance(0.08)) {
      const faults: [string, () => void][] = [
        ["InvalidArgument", () => { entry.argument1 = sizes(MESSAGE_MAXIMUM + 1 + below(1000), capacity); }],
        ["InvalidArgument", () => { entry.argument1 = sizes(length, MESSAGE_MAXIMUM + 1 + below(1000)); }],
        ["BadAddress", () => { entry.argument0 = HOLE + BigInt(below(0x1000)); entry.argument1 = sizes(1 + below(MESSAGE_MAXIMUM), capacity); }],
        ["BadAddress", () => { entry.argument2 = IMAGE_READ; entry.argument1 = sizes(length, 1 + below(MESSAGE_MAXIMUM)); }],
        ["InvalidHandle", () => { entry.handle = pick([0, 0xdead_beef, ...tables.k.dead]); }],
      ];
      const [name, apply] = pick(faults);
      apply();
      fault = name;
    }
    if (fault !== "") {
      out.push({ ring: "k", userData, result: failure(fault), value: 0n, opcode: CALL });
      count(`CALL ${fault}`);
      return entry;
    }
    freeReplyAreas.splice(freeReplyAreas.indexOf(area), 1);
    machine.poke(client, replyArea(area), Buffer.alloc(256, 0xee));
    const call: ModelCall = { userData, label, request, capacity, replyArea: area, carried };
    callsUnderWay++;
    outstanding.set(userData, "CALL");
    tables.k.reserved++;                                   // the reply slot
    if (carried !== null) {
      addReference(carried.id, 1);                         // the message's reference
      if (carried.mode === MOVE) {
        const handle = Number(carriedArgument & 0xffff_ffffn);
        tables.k.held.delete(handle);
        tables.k.dead.push(handle);
        tables.k.reserved++;                               // its slot, held for a rollback
        addReference(carried.id, -1);                      // the table's reference passed to the message
      }
    }
    if (receivers.length > 0) {
      deliver(call, receivers.shift()!, out);
      count("handed to a waiting RECV");
    } else {
      queued.push(call);
    }
    return entry;
  };

  /** The server's next entry: RECV, RETURN or RELEASE. */
  const serverEntry = (out: Expected[]): Sqe | null => {
    const userData = nextUserData++;
    const r = random();
    if (r < 0.08) {
      const [handle, held] = carriedHandle("s");
      if (held !== undefined) {
        tables.s.held.delete(handle);
        tables.s.dead.push(handle);
        addReference(held.id, -1);
      }
      out.push({ ring: "s", userData, result: held !== undefined ? 0n : failure("InvalidHandle"), value: 0n, opcode: RELEASE });
      return { opcode: RELEASE, handle, userData };
    }
    if (r < 0.5) {
      if (receivers.length >= 8 || freeRecvBuffers.length === 0) return null;
      const slot = freeRecvBuffers.shift()!;
      if (chance(0.05)) {
        freeRecvBuffers.push(slot);
        out.push({ ring: "s", userData, result: failure("BadAddress"), value: 0n, opcode: RECV });
        count("RECV BadAddress");
        return recvEntry(endpoint, pick([IMAGE_READ, HOLE, BUFFERS_2 + 0xf00n]), userData);
      }
      tables.s.reserved++;
      const receive = { userData, buffer: slot };
      outstanding.set(userData, "RECV");
      if (queued.length > 0) deliver(queued.shift()!, receive, out);
      else { receivers.push(receive); count("RECV waits"); }
      return recvEntry(endpoint, recvBuffer(slot), userData);
    }
    // RETURN.
    const calls = [...received.values()];
    if (calls.length === 0 && chance(0.7)) return null;
    if (calls.length === 0 || chance(0.05)) {
      out.push({ ring: "s", userData, result: failure("NotFound"), value: 0n, opcode: RETURN });
      count("RETURN NotFound");
      return returnEntry(machine, server, endpoint, BigInt(pick([0, 0xdead_0000 + below(1000)])), Buffer.alloc(0), { userData });
    }
    const call = pick(calls);
    const length = Math.min(call.capacity, chance(0.2) ? call.capacity : below(call.capacity + 1));
    const reply = Buffer.from(Array.from({ length }, () => below(256)));
    const at = DATA + BigInt(batchSlot++ * 0x400 + below(0x400 - length + 1));
    machine.poke(server, at, reply);
    const entry = returnEntry(machine, server, endpoint, BigInt(call.callId!), reply, { userData, at });
    let fault = "";
    let carried: { handle: number; held: Held; mode: bigint } | null = null;
    if (chance(0.4)) {
      const [handle, held] = carriedHandle("s");
      const mode = chance(0.5) ? COPY : MOVE;
      entry.argument3 = carry(handle, mode);
      if (held === undefined) fault = "InvalidHandle";
      else carried = { handle, held, mode };
    }
    if (fault === "" && chance(0.08)) {
      const faults: [string, () => void][] = [
        ["InvalidArgument", () => { entry.argument2 = BigInt(call.capacity + 1 + below(1000)); }],
        ["InvalidArgument", () => { entry.argument3 = carry(tables.s.held.size > 0 ? [...tables.s.held.keys()][0] : 0, 3n); }],
        ["NotFound", () => { entry.argument0 = BigInt((call.callId! ^ 0x8000_0000) >>> 0); }],
      ];
      if (call.capacity > 0) faults.push(["BadAddress", () => { entry.argument1 = HOLE; entry.argument2 = BigInt(1 + below(call.capacity)); }]);
      const [name, apply] = pick(faults);
      apply();
      fault = name;
    }
    if (fault !== "") {
      out.push({ ring: "s", userData, result: failure(fault), value: 0n, opcode: RETURN });
      count(`RETURN ${fault}`);
      return entry;
    }
    received.delete(call.callId!);
    callsUnderWay--;
    tables.k.reserved--;                                   // the reply slot: committed or cancelled
    const area = call.replyArea;
    if (carried !== null) {
      addReference(carried.held.id, 1);
      if (carried.mode === MOVE) {
        tables.s.held.delete(carried.handle);
        tables.s.dead.push(carried.handle);
        addReference(carried.held.id, -1);
      }
      count(carried.mode === MOVE ? "RETURN a move" : "RETURN a copy");
    }
    const id = carried?.held.id;
    out.push({
      ring: "k", userData: call.userData, result: BigInt(length), value: carried === null ? 0n : "learn", opcode: CALL,
      learn: (value) => {
        assert.equal(machine.peek(client, replyArea(area), 256), Buffer.concat([reply, Buffer.alloc(256 - length, 0xee)]), `${where}: the reply bytes`);
        freeReplyAreas.push(area);
        if (id !== undefined) learnHandle("k", id)(value);
      },
    });
    out.push({ ring: "s", userData, result: 0n, value: 0n, opcode: RETURN });
    count("RETURN");
    return entry;
  };

  /** Reaps both rings and checks them against `expected` (in order per ring); learns. */
  const settle = (expected: Expected[]) => {
    for (const side of ["k", "s"] as const) {
      const got = rings[side].reap();
      const want = expected.filter((item) => item.ring === side);
      assert.equal(got.map(describe), want.map((item) => describe({ userData: item.userData, result: item.result, value: item.value === "learn" ? got[want.indexOf(item)]?.value ?? -1n : item.value, opcode: item.opcode, reserved: 0 })),
        `${where}: the ${side === "k" ? "client" : "server"}'s completions`);
      want.forEach((item, i) => {
        outstanding.delete(item.userData);
        if (item.learn) item.learn(got[i].value);
      });
    }
  };
  const verify = () => {
    for (const side of ["k", "s"] as const) {
      const table = tables[side];
      assert.is(machine.count(index[side]), table.fixed + table.held.size, `${where}: ${side} table count`);
      assert.is(machine.freeSlots(index[side]), TABLE_SLOTS - table.fixed - table.held.size - table.reserved, `${where}: ${side} free slots`);
      for (const [handle, held] of table.held) assert.ok(e.namesTracked(index[side], handle, held.id), `${where}: ${side} ${hex(handle)} names object ${held.id}`);
      for (const handle of table.dead.slice(-4)) assert.is(machine.interfaceOf(index[side], handle), 0, `${where}: ${side} ${hex(handle)} names nothing`);
    }
    for (const [id, expected] of references) assert.is(e.trackedReferences(id), expected, `${where}: references of object ${id}`);
    for (const iface of [CONSOLE, TIMER]) {
      const alive = [...references].filter(([id, refs]) => refs > 0 && interfaces.get(id) === iface).length;
      assert.is(machine.live(iface), alive, `${where}: live objects of interface ${iface}`);
    }
    assert.is(k.reserved(), queued.length + received.size, `${where}: the client's reserved completions`);
    assert.is(s.reserved(), receivers.length, `${where}: the server's reserved completions`);
    assert.equal(machine.aborts(), []);
  };

  try {
    for (let i = 0; i < 3; i++) { grant("k", CONSOLE); grant("k", TIMER); grant("s", TIMER); }
    for (let step = 0; step < steps; step++) {
      where = `seed ${hex(seed)}, step ${step}`;
      for (const side of ["k", "s"] as const) {
        if (tables[side].held.size < 3) grant(side, chance(0.5) ? CONSOLE : TIMER);
        while (tables[side].held.size > 14) {
          // Keep the tables far from full: the model leaves TableFull to the tests above.
          const [handle, held] = [...tables[side].held.entries()][0];
          rings[side].one({ opcode: RELEASE, handle });
          tables[side].held.delete(handle);
          tables[side].dead.push(handle);
          addReference(held.id, -1);
        }
      }
      const side = chance(0.5) ? "k" : "s";
      const expected: Expected[] = [];
      const entries: Sqe[] = [];
      batchSlot = 0;
      for (let n = 1 + below(3); n > 0; n--) {
        const entry = side === "k" ? clientEntry(expected) : serverEntry(expected);
        if (entry !== null) entries.push(entry);
      }
      if (entries.length === 0) continue;
      const ring = rings[side];
      ring.submit(...entries);
      const rax = ring.enter();
      assert.is(rax, BigInt(expected.filter((item) => item.ring === side).length), `${where}: rax`);
      settle(expected);
      verify();
    }
    // The end: the owner side goes; every call under way and every waiting RECV completes.
    where = `seed ${hex(seed)}, the end`;
    const expected: Expected[] = [];
    for (const call of [...queued, ...received.values()]) {
      tables.k.reserved--;
      const carried = call.carried;
      if (carried !== null && received.get(call.callId ?? -1) !== call) {
        if (carried.mode === MOVE) {
          tables.k.reserved--;
          expected.push({ ring: "k", userData: call.userData, result: failure("PeerEnded"), value: "learn", opcode: CALL, learn: learnHandle("k", carried.id) });
          freeReplyAreas.push(call.replyArea);
          continue;
        }
        addReference(carried.id, -1);
      }
      expected.push({ ring: "k", userData: call.userData, result: failure("PeerEnded"), value: 0n, opcode: CALL });
    }
    for (const receive of receivers) {
      tables.s.reserved--;
      expected.push({ ring: "s", userData: receive.userData, result: failure("PeerEnded"), value: 0n, opcode: RECV });
    }
    expected.push({ ring: "s", userData: 0n, result: 0n, value: 0n, opcode: RELEASE });
    queued.length = 0;
    received.clear();
    receivers.length = 0;
    s.submit({ opcode: RELEASE, handle: endpoint });
    tables.s.fixed--;
    s.enter();
    settle(expected);
    verify();
    assert.equal([...outstanding], [], "every entry completed exactly once");
    assert.is(e.memoryUsed(server, memory), 0n, "the endpoint's pages came back");
    assert.is(machine.live(ENDPOINT), 0);
  } catch (error) {
    console.error(`ipc random sequence failed at ${where} (IPC_SEED=${seed} to replay)`);
    throw error;
  }
  for (const key of ["delivered", "handed to a waiting RECV", "delivered a move", "delivered a copy", "RECV waits", "RETURN", "RETURN a move", "RETURN a copy", "RETURN NotFound",
    "CALL InvalidHandle", "CALL BadAddress", "CALL InvalidArgument", "RETURN InvalidArgument", "RETURN BadAddress", "RECV BadAddress"]) {
    assert.ok((seen.get(key) ?? 0) > 0, `the sequence reached ${key}: ${JSON.stringify(Object.fromEntries(seen))}`);
  }
  // Both processes end: every object goes.
  e.processKill(client);
  e.processKill(server);
  for (const iface of [CONSOLE, TIMER, ENDPOINT, CLIENT]) assert.is(machine.live(iface), 0, `no object of interface ${iface} left`);
  assert.equal(machine.aborts(), []);
  console.log(`  ipc random: seed ${hex(seed)}, ${steps} steps, ${JSON.stringify(Object.fromEntries(seen))}`);
});

ipc.run();
