// Host-test entry for the TCP core (kernel/net/socket/tcp/) driven by segment scripts
// (tests/host/tcp-script.ts runs tests/host/tcp-scripts/*.pkt): one stack on a virtual clock
// the test sets, whose host records every segment it transmits (with the time) for the test to
// read; the test injects segments it builds and makes the user calls on a few connection slots.

import { TcpConfig, CongestionKind } from "../../../kernel/net/socket/tcp/config";
import { KeepAlive, Nagle, TcpConnection } from "../../../kernel/net/socket/tcp/connection";
import { TcpHost } from "../../../kernel/net/socket/tcp/host";
import { TcpListener } from "../../../kernel/net/socket/tcp/listener";
import { TcpStack } from "../../../kernel/net/socket/tcp/stack";

const LOG_BYTES: i32 = 1 << 22;
const LOG_ENTRIES: i32 = 8192;
const SLOTS: i32 = 8;
const BUFFER = memory.data(65536 + 64, 16);

/** Records what the stack transmits. */
class RecordingHost extends TcpHost {
  clock: u64 = 0;
  readonly bytes: StaticArray<u8> = new StaticArray<u8>(LOG_BYTES);
  readonly offsets: StaticArray<u32> = new StaticArray<u32>(LOG_ENTRIES);
  readonly lengths: StaticArray<u32> = new StaticArray<u32>(LOG_ENTRIES);
  readonly times: StaticArray<u64> = new StaticArray<u64>(LOG_ENTRIES);
  readonly sources: StaticArray<u32> = new StaticArray<u32>(LOG_ENTRIES);
  readonly destinations: StaticArray<u32> = new StaticArray<u32>(LOG_ENTRIES);
  count: i32 = 0;
  used: u32 = 0;
  refuse: bool = false;
  room: u32 = u32.MAX_VALUE;

  now(): u64 {
    return this.clock;
  }

  transmitRoom(destination: u32): u32 {
    return this.room;
  }

  transmit(segment: usize, length: u32, source: u32, destination: u32): bool {
    if (this.refuse) return false;
    if (this.count == LOG_ENTRIES || this.used + length > <u32>LOG_BYTES) abort("RecordingHost: the log is full");
    memory.copy(changetype<usize>(this.bytes) + <usize>this.used, segment, <usize>length);
    this.offsets[this.count] = this.used;
    this.lengths[this.count] = length;
    this.times[this.count] = this.clock;
    this.sources[this.count] = source;
    this.destinations[this.count] = destination;
    this.used += length;
    this.count++;
    return true;
  }
}

class World {
  host: RecordingHost = new RecordingHost();
  config: TcpConfig = new TcpConfig();
  stack: TcpStack | null = null;
  slots: StaticArray<TcpConnection | null> = new StaticArray<TcpConnection | null>(SLOTS);
  listener: TcpListener | null = null;
}
let world = new World();

function stack(): TcpStack { return changetype<TcpStack>(world.stack); }
function slot(index: i32): TcpConnection { return changetype<TcpConnection>(world.slots[index]); }

/** Starts again: a new host and configuration (set them with configure, then create). */
export function reset(): void { world = new World(); }
/** Sets configuration item `item` (see CONFIG in tcp-script.ts). */
export function configure(item: i32, value: u64): void {
  const c = world.config;
  switch (item) {
    case 0: c.mss = <u32>value; break;
    case 1: c.msl = value; break;
    case 2: c.rtoInitial = value; break;
    case 3: c.rtoMinimum = value; break;
    case 4: c.rtoMaximum = value; break;
    case 5: c.delayedAck = value; break;
    case 6: c.synRetries = <u32>value; break;
    case 7: c.dataRetries = <u32>value; break;
    case 8: c.windowScaling = value != 0; break;
    case 9: c.timestamps = value != 0; break;
    case 10: c.sack = value != 0; break;
    case 11: c.congestion = value == 0 ? CongestionKind.NewReno : CongestionKind.Cubic; break;
    case 12: c.challengeAcksPerSecond = <u32>value; break;
    case 13: c.synCookies = value != 0; break;
    case 14: c.finWait2Timeout = value; break;
    case 15: c.persistMaximum = value; break;
    case 16: c.deviceRetry = value; break;
    case 17: c.deviceReserve = <u32>value; break;
    default: abort("configure: unknown item");
  }
}
export function create(key0: u64, key1: u64): void {
  world.stack = new TcpStack(world.host, world.config, key0, key1);
}
export function setNow(now: u64): void { world.host.clock = now; }
export function poll(): void { stack().poll(); }
export function nextDeadline(): u64 { return stack().nextDeadline(); }
export function bufferAddress(): usize { return BUFFER; }
export function inject(length: u32, source: u32, destination: u32): i32 { return <i32>stack().input(BUFFER, length, source, destination); }
export function refuseTransmit(refuse: bool): void { world.host.refuse = refuse; }
export function setRoom(room: u32): void { world.host.room = room; }
export function deferOutput(defer: bool): void { stack().deferOutput(defer); }
export function flushOutput(): void { stack().flushOutput(); }

export function outputCount(): i32 { return world.host.count; }
export function outputAddress(i: i32): usize { return changetype<usize>(world.host.bytes) + <usize>world.host.offsets[i]; }
export function outputLength(i: i32): u32 { return world.host.lengths[i]; }
export function outputTime(i: i32): u64 { return world.host.times[i]; }
export function outputSource(i: i32): u32 { return world.host.sources[i]; }
export function outputDestination(i: i32): u32 { return world.host.destinations[i]; }
export function counter(index: i32): u64 { return stack().context.counters[index]; }

/** An ICMP error of `type` and `code` quoting a segment of connection `index` whose sequence
 * number is its ISS plus `offset`: whether it ended the connection. */
export function icmpError(index: i32, offset: u32, type: u32, code: u32): bool {
  const c = slot(index);
  return stack().icmpError(c.localAddress, c.localPort, c.remoteAddress, c.remotePort, c.iss + offset, type, code);
}

export function connect(index: i32, localAddress: u32, localPort: u32, remoteAddress: u32, remotePort: u32, sendCapacity: u32, receiveCapacity: u32): i32 {
  const c = stack().createConnection(sendCapacity, receiveCapacity);
  world.slots[index] = c;
  return <i32>stack().connect(c, localAddress, localPort, remoteAddress, remotePort);
}
export function listen(address: u32, port: u32, backlog: i32, halfOpenLimit: i32, sendCapacity: u32, receiveCapacity: u32): i32 {
  const listener = new TcpListener(backlog, halfOpenLimit, sendCapacity, receiveCapacity);
  world.listener = listener;
  return <i32>stack().listen(listener, address, port);
}
export function closeListener(): void { stack().closeListener(changetype<TcpListener>(world.listener)); }
export function pendingAccepts(): i32 { return changetype<TcpListener>(world.listener).ready.length; }
export function halfOpen(): i32 { return changetype<TcpListener>(world.listener).halfOpen; }
/** Accepts into slot `index`: 1 when a connection was there, else 0. */
export function accept(index: i32): i32 {
  const c = stack().accept(changetype<TcpListener>(world.listener));
  if (c === null) return 0;
  world.slots[index] = c;
  return 1;
}
export function send(index: i32, length: u32): i64 { return stack().send(slot(index), BUFFER, length); }
export function receive(index: i32, length: u32): i64 { return stack().receive(slot(index), BUFFER, length); }
export function shutdown(index: i32): i32 { return <i32>stack().shutdown(slot(index)); }
export function close(index: i32): i32 { return <i32>stack().close(slot(index)); }
export function abortConnection(index: i32): void { stack().abort(slot(index)); }
export function setNagle(index: i32, on: bool): void { stack().setNagle(slot(index), on ? Nagle.On : Nagle.Off); }
export function setKeepAlive(index: i32, on: bool, idle: u64, interval: u64, count: u32): void {
  stack().setKeepAlive(slot(index), on ? KeepAlive.On : KeepAlive.Off, idle, interval, count);
}
export function state(index: i32): i32 { return <i32>slot(index).state; }
export function failure(index: i32): i32 { return <i32>slot(index).failure; }
export function readable(index: i32): u32 { return slot(index).readable; }
export function writable(index: i32): u32 { return slot(index).writable; }
export function atEnd(index: i32): bool { return slot(index).atEnd; }
/** A control-block field for the test's checks (see FIELDS in tcp-script.ts). */
export function field(index: i32, item: i32): u64 {
  const c = slot(index);
  switch (item) {
    case 0: return c.iss;
    case 1: return c.sndUna;
    case 2: return c.sndNxt;
    case 3: return c.sndMax;
    case 4: return c.sndWnd;
    case 5: return c.rcvNxt;
    case 6: return c.congestion.cwnd;
    case 7: return c.congestion.ssthresh;
    case 8: return c.rtt.srtt;
    case 9: return c.rtt.rto;
    case 10: return c.sndMss;
    case 11: return <u64>c.recovery;
    case 12: return c.irs;
    case 13: return c.send.length;
    case 14: return c.sndScale;
    case 15: return c.rcvScale;
    case 16: return c.retries;
  }
  return 0xdead;
}
