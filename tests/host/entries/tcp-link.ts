// Host-test entry for the TCP core (kernel/net/socket/tcp/) end to end: two stacks on one
// virtual clock, joined by a seeded link that loses, duplicates, corrupts and delays segments
// (jitter reorders them), optionally through a bottleneck of a given rate with a bounded queue
// (tail drop), so congestion control has something to react to. Each run draws its settings
// from its seed (loss, duplication, corruption, latency, jitter, rate, MSS, buffer sizes, SACK,
// timestamps, window scaling, Nagle, NewReno or CUBIC, receive buffers that may grow, with the
// growth paid or refused), opens a connection (B connects to A's
// listener), sends a patterned stream each way, half-closes, reads to the end, closes; the run
// passes when both streams arrived intact and both ends reached CLOSED without a failure.
// tests/host/tcp-link.test.ts runs a thousand of them; `fuzz` injects mutated segments into a
// live connection instead (options and fields), checking it stays consistent.

import { KernelError } from "../../../abi/errors";
import { CongestionKind, TcpConfig } from "../../../kernel/net/socket/tcp/config";
import { Nagle, TcpConnection, TcpFailure, TcpState } from "../../../kernel/net/socket/tcp/connection";
import { TCP_COUNTERS } from "../../../kernel/net/socket/tcp/context";
import { TcpHost } from "../../../kernel/net/socket/tcp/host";
import { TcpListener } from "../../../kernel/net/socket/tcp/listener";
import { TcpStack } from "../../../kernel/net/socket/tcp/stack";
import { SeededRandom } from "../../../kernel/net/phy/seeded-random";
import { TCP_VERDICTS, tcpEmit, tcpHeaderLength, tcpParse, TcpSegment, TcpVerdict } from "../../../kernel/net/wire/tcp";
import { seqLe, seqLt } from "../../../kernel/net/socket/tcp/seq";

const SLOTS: i32 = 4096;
const SLOT_BYTES: i32 = 2048;
const CHUNK: u32 = 16384;
const APP = memory.data(<i32>CHUNK, 16);
const ADDRESS_A: u32 = 0x0a000001, ADDRESS_B: u32 = 0x0a000002;
const MILLISECOND: u64 = 1_000_000;
const SECOND: u64 = 1_000_000_000;

/** The faults and shape of the link, per direction alike. */
class LinkSettings {
  lossBasisPoints: u32 = 0;
  duplicateBasisPoints: u32 = 0;
  corruptBasisPoints: u32 = 0;
  latency: u64 = 10 * MILLISECOND;
  jitter: u64 = 0;
  /** Bytes a second through the bottleneck; 0 for none. */
  rate: u64 = 0;
  /** The longest a segment may wait in the bottleneck's queue before it is dropped. */
  queueLimit: u64 = 50 * MILLISECOND;
}

/** Segments in flight: slots of bytes, and a min-heap of them by delivery time. */
class Link {
  readonly bytes: StaticArray<u8> = new StaticArray<u8>(SLOTS * SLOT_BYTES);
  readonly lengths: StaticArray<u32> = new StaticArray<u32>(SLOTS);
  readonly times: StaticArray<u64> = new StaticArray<u64>(SLOTS);
  readonly orders: StaticArray<u64> = new StaticArray<u64>(SLOTS);
  readonly directions: StaticArray<i32> = new StaticArray<i32>(SLOTS);
  readonly free: StaticArray<i32> = new StaticArray<i32>(SLOTS);
  freeCount: i32 = SLOTS;
  readonly heap: StaticArray<i32> = new StaticArray<i32>(SLOTS);
  heapSize: i32 = 0;
  order: u64 = 0;
  readonly busyUntil: StaticArray<u64> = new StaticArray<u64>(2);
  dropped: u64 = 0;

  constructor() {
    for (let i = 0; i < SLOTS; i++) this.free[i] = SLOTS - 1 - i;
  }

  address(slot: i32): usize {
    return changetype<usize>(this.bytes) + <usize>slot * <usize>SLOT_BYTES;
  }

  private before(a: i32, b: i32): bool {
    const ta = this.times[a], tb = this.times[b];
    return ta < tb || (ta == tb && this.orders[a] < this.orders[b]);
  }

  push(direction: i32, segment: usize, length: u32, time: u64): void {
    if (this.freeCount == 0 || length > <u32>SLOT_BYTES) {
      this.dropped++;
      return;
    }
    const slot = this.free[--this.freeCount];
    memory.copy(this.address(slot), segment, <usize>length);
    this.lengths[slot] = length;
    this.times[slot] = time;
    this.orders[slot] = this.order++;
    this.directions[slot] = direction;
    let at = this.heapSize++;
    this.heap[at] = slot;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.before(this.heap[at], this.heap[parent])) break;
      const swap = this.heap[at];
      this.heap[at] = this.heap[parent];
      this.heap[parent] = swap;
      at = parent;
    }
  }

  /** The delivery time of the next segment, or 0. */
  nextTime(): u64 {
    return this.heapSize == 0 ? 0 : this.times[this.heap[0]];
  }

  /** Removes the next segment's slot (the caller frees it with release). */
  pop(): i32 {
    const top = this.heap[0];
    this.heap[0] = this.heap[--this.heapSize];
    let at = 0;
    while (true) {
      const left = 2 * at + 1, right = left + 1;
      let smallest = at;
      if (left < this.heapSize && this.before(this.heap[left], this.heap[smallest])) smallest = left;
      if (right < this.heapSize && this.before(this.heap[right], this.heap[smallest])) smallest = right;
      if (smallest == at) break;
      const swap = this.heap[at];
      this.heap[at] = this.heap[smallest];
      this.heap[smallest] = swap;
      at = smallest;
    }
    return top;
  }

  release(slot: i32): void {
    this.free[this.freeCount++] = slot;
  }
}

/** One side: its stack, its connection, and its application's progress. */
class Endpoint extends TcpHost {
  stack: TcpStack | null = null;
  connection: TcpConnection | null = null;
  listener: TcpListener | null = null;
  written: u64 = 0;
  received: u64 = 0;
  goal: u64 = 0;
  expected: u64 = 0;
  shut: bool = false;
  closed: bool = false;
  atEnd: bool = false;
  readonly scratch: StaticArray<u8> = new StaticArray<u8>(SLOT_BYTES);
  /** The last segment this side sent (the fuzz mutates it into the other side). */
  readonly last: StaticArray<u8> = new StaticArray<u8>(SLOT_BYTES);
  lastLength: u32 = 0;

  constructor(readonly direction: i32, readonly salt: u32) {
    super();
  }

  now(): u64 {
    return world.now;
  }

  /** Receive-buffer autotuning asks for `bytes` more (autotune.ts): paid or refused as the run
   * says. */
  receiveGrow(connection: TcpConnection, bytes: u64): bool {
    if (!world.growPaid) world.growRefused++;
    return world.growPaid;
  }

  transmit(segment: usize, length: u32, source: u32, destination: u32): bool {
    const settings = world.settings, random = world.random;
    world.sent++;
    if (length <= <u32>SLOT_BYTES) {
      memory.copy(changetype<usize>(this.last), segment, <usize>length);
      this.lastLength = length;
    }
    if (random.below(10000) < settings.lossBasisPoints) {
      if (tracing) traceSegment(world.now, this.direction, 1, segment, length);
      return true;
    }
    let data = segment;
    if (random.below(10000) < settings.corruptBasisPoints && length > 0) {
      data = changetype<usize>(this.scratch);
      memory.copy(data, segment, <usize>length);
      const at = data + <usize>random.below(length);
      store<u8>(at, load<u8>(at) ^ <u8>(1 + random.below(255)));
    }
    let time = world.now;
    if (settings.rate != 0) {
      const start = max(time, world.link.busyUntil[this.direction]);
      if (start - time > settings.queueLimit) {
        world.link.dropped++;
        if (tracing) traceSegment(world.now, this.direction, 2, segment, length);
        return true;
      }
      const busy = start + <u64>length * SECOND / settings.rate;
      world.link.busyUntil[this.direction] = busy;
      time = busy;
    }
    const jitter = settings.jitter == 0 ? 0 : <u64>random.below(<u32>(settings.jitter / 1000)) * 1000;
    world.link.push(this.direction, data, length, time + settings.latency + jitter);
    if (random.below(10000) < settings.duplicateBasisPoints) {
      world.link.push(this.direction, data, length, time + settings.latency + <u64>random.below(<u32>(settings.latency / 1000 + 1)) * 1000);
    }
    return true;
  }
}

class World {
  now: u64 = SECOND;
  random: SeededRandom = new SeededRandom(1);
  settings: LinkSettings = new LinkSettings();
  link: Link = new Link();
  a: Endpoint = new Endpoint(0, 0x5a);
  b: Endpoint = new Endpoint(1, 0xa5);
  sent: u64 = 0;
  injected: u64 = 0;
  fuzzSegment: TcpSegment = new TcpSegment();
  error: i32 = 0;
  detail: u64 = 0;
  /** Whether the hosts pay for receive buffers to grow; the growths they refused. */
  growPaid: bool = false;
  growRefused: u64 = 0;
}
let world = new World();
let faultMask: u32 = 31;
let injectBasisPoints: u32 = 0;
let tracing = false;
/** Receive-buffer autotuning: -1 drawn from the seed; 0 buffers that do not grow (their limit is
 * their size); 1 buffers that may grow to 1 MiB, paid; 2 the same, every growth refused. */
let autotuneMode: i32 = -1;
const GROWTH_LIMIT: u32 = 1 << 20;

/** Debugging: each segment as it is sent (what: 0 sent, 1 lost, 2 queue drop, 3 delivered). */
@external("env", "traceSegment")
declare function traceSegment(time: u64, direction: i32, what: i32, segment: usize, length: u32): void;
export function setTracing(on: bool): void { tracing = on; }
const results = new StaticArray<u64>(16);
const counters = new StaticArray<u64>(TCP_COUNTERS * 2);
const verdicts = new StaticArray<u64>(TCP_VERDICTS);

@inline function patternByte(offset: u64, salt: u32): u8 {
  return <u8>((<u32>offset * 131) ^ <u32>(offset >> 9) ^ salt);
}

function stackOf(endpoint: Endpoint): TcpStack { return changetype<TcpStack>(endpoint.stack); }

/** Writes what fits of the endpoint's stream; reads what arrived, checking every byte. */
function application(endpoint: Endpoint, peer: Endpoint): void {
  const c = endpoint.connection;
  if (c === null || world.error != 0) return;
  const stack = stackOf(endpoint);
  while (endpoint.written < endpoint.goal && c.writable > 0) {
    const count = <u32>min(<u64>min(c.writable, CHUNK), endpoint.goal - endpoint.written);
    for (let i: u32 = 0; i < count; i++) store<u8>(APP + <usize>i, patternByte(endpoint.written + <u64>i, endpoint.salt));
    const result = stack.send(c, APP, count);
    if (result <= 0) {
      fail(10, <u64>(-result));
      return;
    }
    endpoint.written += <u64>result;
  }
  if (endpoint.written == endpoint.goal && !endpoint.shut && (c.state == TcpState.Established || c.state == TcpState.CloseWait)) {
    endpoint.shut = true;
    const error = stack.shutdown(c);
    if (error != KernelError.None) fail(11, <u64>error);
  }
  while (!endpoint.atEnd) {
    const result = stack.receive(c, APP, CHUNK);
    if (result == 0) {
      endpoint.atEnd = true;
      if (endpoint.received != endpoint.expected) fail(12, endpoint.received);
      break;
    }
    if (result < 0) {
      if (result != -(<i64>KernelError.QueueFull)) fail(13, <u64>(-result));
      break;
    }
    for (let i: i64 = 0; i < result; i++) {
      if (load<u8>(APP + <usize>i) != patternByte(endpoint.received + <u64>i, peer.salt)) {
        fail(14, endpoint.received + <u64>i);
        return;
      }
    }
    endpoint.received += <u64>result;
  }
  if (endpoint.atEnd && endpoint.shut && !endpoint.closed) {
    endpoint.closed = true;
    stack.close(c);
  }
}

function fail(code: i32, detail: u64): void {
  if (world.error == 0) {
    world.error = code;
    world.detail = detail;
  }
}

function configFor(random: SeededRandom): TcpConfig {
  const config = new TcpConfig();
  const mssChoices: StaticArray<u32> = [536, 1000, 1220, 1460];
  config.mss = mssChoices[random.below(4)];
  config.msl = 2 * SECOND;
  config.sack = random.below(4) != 0;
  config.timestamps = random.below(3) != 0;
  config.windowScaling = random.below(4) != 0;
  config.congestion = random.below(2) == 0 ? CongestionKind.NewReno : CongestionKind.Cubic;
  config.delayedAck = <u64>(10 + random.below(190)) * MILLISECOND;
  config.challengeAcksPerSecond = 1000;
  return config;
}

/** One run from `seed`: returns 0 when both streams arrived and both ends closed cleanly, else
 * an error code (detail() tells more). `a`/`b` bytes each way, in at most `limit` virtual ns. */
export function run(seed: u64, bytesA: u32, bytesB: u32, limit: u64, faults: bool): i32 {
  injectBasisPoints = 0;
  return runWith(seed, bytesA, bytesB, limit, faults);
}

/** A run as `run` makes it, with a mutated segment injected into one side or the other at a
 * share `basisPoints` of the steps, and the invariants checked after every step: 70 + the
 * invariant when one breaks; else what the run came to (injected data or a RST may end it). */
export function fuzzRun(seed: u64, bytesA: u32, bytesB: u32, limit: u64, basisPoints: u32): i32 {
  injectBasisPoints = basisPoints;
  return runWith(seed, bytesA, bytesB, limit, false);
}
export function injected(): u64 { return world.injected; }

function runWith(seed: u64, bytesA: u32, bytesB: u32, limit: u64, faults: bool): i32 {
  world = new World();
  const random = new SeededRandom(seed);
  world.random = random;
  const settings = world.settings;
  if (faults) {
    settings.lossBasisPoints = random.below(500);          // up to 5 %
    settings.duplicateBasisPoints = random.below(200);     // up to 2 %
    settings.corruptBasisPoints = random.below(100);       // up to 1 %
    settings.latency = <u64>(1 + random.below(50)) * MILLISECOND;
    settings.jitter = <u64>random.below(20) * MILLISECOND;
    const rates: StaticArray<u64> = [0, 250_000, 1_250_000, 12_500_000];
    settings.rate = rates[random.below(4)];
    settings.queueLimit = <u64>(5 + random.below(100)) * MILLISECOND;
    if ((faultMask & 1) == 0) settings.lossBasisPoints = 0;
    if ((faultMask & 2) == 0) settings.duplicateBasisPoints = 0;
    if ((faultMask & 4) == 0) settings.corruptBasisPoints = 0;
    if ((faultMask & 8) == 0) settings.jitter = 0;
    if ((faultMask & 16) == 0) settings.rate = 0;
  }
  const a = world.a, b = world.b;
  a.stack = new TcpStack(a, configFor(random), random.next(), random.next());
  b.stack = new TcpStack(b, configFor(random), random.next(), random.next());
  const bufferSizes: StaticArray<u32> = [4096, 16384, 65536, 262144];
  const autotune = autotuneMode >= 0 ? autotuneMode : <i32>random.below(3);
  world.growPaid = autotune == 1;
  const growth = autotune == 0 ? 0 : GROWTH_LIMIT;
  const listener = new TcpListener(4, 4, bufferSizes[random.below(4)], bufferSizes[random.below(4)], growth);
  a.listener = listener;
  if (stackOf(a).listen(listener, ADDRESS_A, 80) != KernelError.None) return 20;
  const client = stackOf(b).createConnection(bufferSizes[random.below(4)], bufferSizes[random.below(4)]);
  client.receiveLimit = max(growth, client.receiveCapacity);
  b.connection = client;
  if (random.below(2) == 0) stackOf(b).setNagle(client, Nagle.Off);
  a.goal = <u64>bytesA;
  b.goal = <u64>bytesB;
  a.expected = <u64>bytesB;
  b.expected = <u64>bytesA;
  const port = 1024 + random.below(60000);
  if (stackOf(b).connect(client, ADDRESS_B, port, ADDRESS_A, 80) != KernelError.None) return 21;
  const end = world.now + limit;
  for (let step = 0; step < 5_000_000; step++) {
    if (a.connection === null) {
      const accepted = stackOf(a).accept(listener);
      if (accepted !== null) {
        a.connection = accepted;
        if (random.below(2) == 0) stackOf(a).setNagle(accepted, Nagle.Off);
      }
    }
    application(a, b);
    application(b, a);
    if (world.error != 0) return world.error;
    const ca = a.connection, cb = b.connection;
    if (ca !== null && cb !== null && a.closed && b.closed && ca.state == TcpState.Closed && cb.state == TcpState.Closed) {
      if (ca.failure != TcpFailure.None || cb.failure != TcpFailure.None) return 30 + <i32>ca.failure * 8 + <i32>cb.failure;
      return finish(0);
    }
    if (ca !== null && ca.failure != TcpFailure.None) return finish(40 + <i32>ca.failure);
    if (cb !== null && cb.failure != TcpFailure.None) return finish(50 + <i32>cb.failure);
    // The next event: a delivery or a timer.
    let next = world.link.nextTime();
    const da = stackOf(a).nextDeadline(), db = stackOf(b).nextDeadline();
    if (da != 0 && (next == 0 || da < next)) next = da;
    if (db != 0 && (next == 0 || db < next)) next = db;
    if (next == 0) return finish(60);
    if (next > end) return finish(61);
    if (next > world.now) world.now = next;
    while (world.link.heapSize > 0 && world.link.nextTime() <= world.now) {
      const slot = world.link.pop();
      const to = world.link.directions[slot] == 0 ? b : a;
      const source = to === b ? ADDRESS_A : ADDRESS_B, destination = to === b ? ADDRESS_B : ADDRESS_A;
      if (tracing) traceSegment(world.now, world.link.directions[slot], 3, world.link.address(slot), world.link.lengths[slot]);
      stackOf(to).input(world.link.address(slot), world.link.lengths[slot], source, destination);
      world.link.release(slot);
    }
    stackOf(a).poll();
    stackOf(b).poll();
    if (injectBasisPoints != 0 && random.below(10000) < injectBasisPoints) {
      const target = random.below(2) == 0 ? a : b;
      inject(random, target, target === a ? b : a);
    }
    if (injectBasisPoints != 0) {
      const broken = max(invariants(a.connection), invariants(b.connection));
      if (broken != 0) return finish(70 + broken);
    }
  }
  return finish(62);
}

const FUZZ = memory.data(<i32>SLOT_BYTES + 64, 16);
const FUZZ_PAYLOAD = memory.data(<i32>SLOT_BYTES, 16);

/** Mutates the last segment `from` sent and hands it to `to`: fields and options drawn near the
 * connection's own numbers (so that they reach the deep checks), sometimes raw bytes. Usually
 * without data: injected data at a valid place would rightly enter the stream. */
function inject(random: SeededRandom, to: Endpoint, from: Endpoint): void {
  if (from.lastLength < 20) return;
  const source = from === world.a ? ADDRESS_A : ADDRESS_B, destination = to === world.a ? ADDRESS_A : ADDRESS_B;
  memory.copy(FUZZ, changetype<usize>(from.last), <usize>from.lastLength);
  let length = from.lastLength;
  const segment = world.fuzzSegment;
  if (tcpParse(FUZZ, length, source, destination, segment) != TcpVerdict.Accepted) return;
  const c = to.connection;
  const mutations: u32 = 1 + random.below(3);
  for (let m: u32 = 0; m < mutations; m++) {
    const kind = random.below(10);
    if (kind == 0) segment.sequence = near(random, segment.sequence, 70000);
    else if (kind == 1) segment.acknowledgment = near(random, segment.acknowledgment, 70000);
    else if (kind == 2) segment.flags = (random.below(4) == 0 ? random.below(256) : (segment.flags ^ (<u32>1 << random.below(8)))) & 0xff;
    else if (kind == 3) segment.window = random.below(4) == 0 ? 0 : random.below(65536);
    else if (kind == 4) segment.timestamps = !segment.timestamps;
    else if (kind == 5) {
      segment.timestampValue = near(random, segment.timestampValue, random.below(2) == 0 ? 10 : 0x80000000);
      segment.timestampEcho = near(random, segment.timestampEcho, 1000);
    } else if (kind == 6 && c !== null) {
      const count: u32 = 1 + random.below(segment.timestamps ? 3 : 4);
      for (let i: u32 = 0; i < count; i++) {
        const start = near(random, c.sndUna, 20000);
        segment.sackStarts[i] = start;
        segment.sackEnds[i] = random.below(8) == 0 ? near(random, start, 5) : start + random.below(5000);
      }
      segment.sackCount = <i32>count;
    } else if (kind == 7) {
      segment.mss = random.below(3) == 0 ? 0 : random.below(70000) & 0xffff;
      segment.windowScale = <i32>random.below(20) - 1;
      segment.sackPermitted = random.below(2) == 0;
    } else if (kind == 8) {
      segment.urgent = random.below(65536);
    }
  }
  let payload = segment.payloadLength;
  if (random.below(16) != 0) payload = 0;
  while (tcpHeaderLength(segment) > 60) segment.sackCount--;
  const header = tcpHeaderLength(segment);
  memory.copy(FUZZ_PAYLOAD, FUZZ + <usize>(length - segment.payloadLength), <usize>payload);
  memory.copy(FUZZ + <usize>header, FUZZ_PAYLOAD, <usize>payload);
  segment.payloadLength = payload;
  length = tcpEmit(FUZZ, segment, source, destination);
  if (random.below(8) == 0) {   // raw damage after the checksum: the wire layer must catch it
    const at = FUZZ + <usize>random.below(length);
    store<u8>(at, load<u8>(at) ^ <u8>(1 + random.below(255)));
  }
  world.injected++;
  stackOf(to).input(FUZZ, length, source, destination);
}

/** A number within `span` of `base`, either way. */
function near(random: SeededRandom, base: u32, span: u32): u32 {
  return base + random.below(2 * span + 1) - span;
}

/** The control block's invariants: 0 when they hold, else which one broke. */
function invariants(c: TcpConnection | null): i32 {
  if (c === null) return 0;
  if (<i32>c.state < 0 || <i32>c.state > <i32>TcpState.TimeWait) return 1;
  if (c.send.length > c.send.capacity || c.receive.length > c.receive.capacity) return 2;
  if ((c.receive.capacity != 0 && c.receive.capacity != c.receiveCapacity) || c.receiveCapacity > max(c.receiveLimit, GROWTH_LIMIT)) return 10;
  if (c.state == TcpState.Closed || !c.established) return 0;
  if (!seqLe(c.sndUna, c.sndNxt) || !seqLe(c.sndNxt, c.sndMax)) return 3;
  if (c.sndMax - c.sndUna > c.send.length + 1) return 4;
  const assembler = c.assembler;
  for (let i = 0; i < assembler.count; i++) {
    if (assembler.starts[i] >= assembler.ends[i] || (i > 0 && assembler.starts[i] <= assembler.ends[i - 1])) return 5;
  }
  if (assembler.count > 0 && assembler.ends[assembler.count - 1] > c.receive.free) return 6;
  const board = c.scoreboard;
  for (let i = 0; i < board.count; i++) {
    if (!seqLt(c.sndUna, board.ends[i]) || !seqLe(board.ends[i], c.sndMax) || !seqLt(board.starts[i], board.ends[i])) return 7;
  }
  if (c.congestion.cwnd == 0 || c.sndMss < 64) return 8;
  if (c.state != TcpState.TimeWait && c.retransmitAt == 0 && c.sndMax != c.sndUna) return 9;
  return 0;
}

function finish(code: i32): i32 {
  results[0] = world.now - SECOND;
  results[1] = world.sent;
  results[2] = world.a.received;
  results[3] = world.b.received;
  for (let i = 0; i < TCP_COUNTERS; i++) {
    counters[i] += stackOf(world.a).context.counters[i];
    counters[TCP_COUNTERS + i] += stackOf(world.b).context.counters[i];
  }
  for (let i = 0; i < TCP_VERDICTS; i++) verdicts[i] += stackOf(world.a).verdicts[i] + stackOf(world.b).verdicts[i];
  return code;
}

/** Receive-buffer autotuning for the runs that follow (autotuneMode). */
export function setAutotune(mode: i32): void { autotuneMode = mode; }
/** The receive buffer's size a side's connection ended with (-1: it had none). */
export function receiveCapacityOf(side: i32): i64 {
  const c = side == 0 ? world.a.connection : world.b.connection;
  return c === null ? -1 : <i64>c.receiveCapacity;
}
export function growthsRefused(): u64 { return world.growRefused; }

/** Which faults runs may draw (bits: 1 loss, 2 duplication, 4 corruption, 8 jitter, 16 rate). */
export function setFaultMask(mask: u32): void { faultMask = mask; }
export function detail(): u64 { return world.detail; }
/** 0: virtual ns the run took; 1: segments sent; 2, 3: bytes A and B received. */
export function result(index: i32): u64 { return results[index]; }
/** Sums over the runs so far: a counter of A (side 0) or B (side 1). */
export function counter(side: i32, index: i32): u64 { return counters[side * TCP_COUNTERS + index]; }
export function verdict(index: i32): u64 { return verdicts[index]; }
export function stateOf(side: i32): i32 {
  const c = side == 0 ? world.a.connection : world.b.connection;
  return c === null ? -1 : <i32>c.state;
}
