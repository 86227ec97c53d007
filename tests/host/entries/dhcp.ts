// Host-test entry for the DHCP wire view and client (kernel/net/wire/dhcp.ts,
// kernel/net/iface/dhcp.ts): tests/host/dhcp.test.ts plays the server. The client's hooks call
// the test's imports ("test" module: transmit, configured, deconfigured, random); the log's two
// hardware imports are faked by the test. A seeded mutation fuzz runs here in wasm: each round
// copies one seed message, gives it the client's current xid most of the time, mutates it, and
// hands it to dhcpReceive flush against the end of linear memory (a read past its length traps);
// now and then the clock jumps and dhcpPoll runs.

import {
  DhcpHooks, dhcpCounter, dhcpDeadline, dhcpMalformedCounter, dhcpPhase, dhcpPoll, dhcpReceive, dhcpStart, dhcpStop, dhcpXid,
  dhcpAddress, dhcpServer, dhcpDnsCount, dhcpDnsServer, dhcpRenewAt, dhcpRebindAt, dhcpExpiresAt, DhcpOutcome, DhcpPhase,
} from "../../../kernel/net/iface/dhcp";
import { DhcpMessage, dhcpParse, DhcpVerdict, dhcpBuildDecline, dhcpBuildRelease } from "../../../kernel/net/wire/dhcp";
import { memoryEnd } from "./top-of-memory";

export { memoryEnd, reserveTop } from "./top-of-memory";

@external("test", "transmit") declare function hostTransmit(payload: usize, length: u32, source: u32, destination: u32): void;
@external("test", "configured") declare function hostConfigured(address: u32, prefix: u32, gateway: u32, dns: u32, lease: u32): void;
@external("test", "deconfigured") declare function hostDeconfigured(): void;
@external("test", "random") declare function hostRandom(): u64;

const MESSAGE_MAXIMUM: u32 = 1024;
const SEEDS: i32 = 8;
const BUFFER = memory.data(<i32>MESSAGE_MAXIMUM, 8);
const CORPUS = memory.data(SEEDS * <i32>MESSAGE_MAXIMUM, 8);
const MAC = memory.data(8, 8);

function transmit(payload: usize, length: u32, source: u32, destination: u32): void { hostTransmit(payload, length, source, destination); }
function configured(address: u32, prefix: u32, gateway: u32, dns: u32, lease: u32): void { hostConfigured(address, prefix, gateway, dns, lease); }
function deconfigured(): void { hostDeconfigured(); }
function random(): u64 { return hostRandom(); }

class World {
  hooks: DhcpHooks = new DhcpHooks(random, transmit, configured, deconfigured);
  message: DhcpMessage = new DhcpMessage();
  lengths: StaticArray<u32> = new StaticArray<u32>(SEEDS);
  random: u64 = 1;
  now: u64 = 0;
}
const world = new World();

export function bufferAddress(): usize { return BUFFER; }
export function macAddress(): usize { return MAC; }
export function corpusAddress(index: i32): usize { return CORPUS + <usize>index * MESSAGE_MAXIMUM; }
export function setCorpusLength(index: i32, length: u32): void { world.lengths[index] = length; }

export function start(now: u64): void { dhcpStart(MAC, now, world.hooks); }
export function stop(now: u64): void { dhcpStop(now); }
export function receive(address: usize, length: u32, now: u64): i32 { return <i32>dhcpReceive(address, length, now); }
export function poll(now: u64): void { dhcpPoll(now); }
export function phase(): i32 { return <i32>dhcpPhase(); }
export function deadline(): u64 { return dhcpDeadline(); }
export function xid(): u32 { return dhcpXid(); }
export function address(): u32 { return dhcpAddress(); }
export function server(): u32 { return dhcpServer(); }
export function dnsCount(): i32 { return dhcpDnsCount(); }
export function dnsServer(index: i32): u32 { return dhcpDnsServer(index); }
export function renewAt(): u64 { return dhcpRenewAt(); }
export function rebindAt(): u64 { return dhcpRebindAt(); }
export function expiresAt(): u64 { return dhcpExpiresAt(); }
export function counter(outcome: i32): u64 { return dhcpCounter(<DhcpOutcome>outcome); }
export function malformedCounter(verdict: i32): u64 { return dhcpMalformedCounter(<DhcpVerdict>verdict); }

/** The wire view alone: parses `length` bytes at `address`; the fields through the getters. */
export function parse(address: usize, length: u32): i32 { return <i32>dhcpParse(address, length, world.message); }
export function messageType(): u32 { return world.message.messageType; }
export function parsedXid(): u32 { return world.message.xid; }
export function yiaddr(): u32 { return world.message.yiaddr; }
export function present(): u32 { return world.message.present; }
export function subnetMask(): u32 { return world.message.subnetMask; }
export function router(): u32 { return world.message.router; }
export function serverId(): u32 { return world.message.serverId; }
export function leaseSeconds(): u32 { return world.message.leaseSeconds; }
export function renewalSeconds(): u32 { return world.message.renewalSeconds; }
export function rebindingSeconds(): u32 { return world.message.rebindingSeconds; }
export function parsedDnsCount(): i32 { return world.message.dnsCount; }
export function parsedDnsServer(index: i32): u32 { return world.message.dnsServers[index]; }
/** The builders the client does not use: into BUFFER; returns the length. */
export function buildDecline(xid: u32, address: u32, server: u32): u32 { return dhcpBuildDecline(BUFFER, xid, MAC, address, server); }
export function buildRelease(xid: u32, address: u32, server: u32): u32 { return dhcpBuildRelease(BUFFER, xid, MAC, address, server); }

function next(): u64 {
  let x = world.random;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  world.random = x;
  return x;
}

/** Hands `rounds` mutations of the seed messages (`seeds` of them) from `seed` to the client,
 * which must have been started; the outcomes are read with counter() and malformedCounter(). */
export function fuzz(seed: u64, rounds: u32, seeds: i32, startAt: u64): void {
  world.random = seed | 1;
  world.now = startAt;
  const end = memoryEnd();
  for (let round: u32 = 0; round < rounds; round++) {
    const base = <i32>(next() % <u64>seeds);
    let length = world.lengths[base];
    memory.copy(BUFFER, CORPUS + <usize>base * MESSAGE_MAXIMUM, <usize>MESSAGE_MAXIMUM);
    if (next() % 8 != 0) {
      const xid = dhcpXid();
      store<u8>(BUFFER + 4, <u8>(xid >>> 24)); store<u8>(BUFFER + 5, <u8>(xid >>> 16));
      store<u8>(BUFFER + 6, <u8>(xid >>> 8)); store<u8>(BUFFER + 7, <u8>xid);
    }
    const mutations: u32 = <u32>(next() % 5);   // 0: the seed itself, which drives the state machine on
    for (let m: u32 = 0; m < mutations; m++) {
      const kind = next() % 6;
      const at = <u32>(next() % <u64>max(length, 1));
      if (kind == 0) store<u8>(BUFFER + <usize>at, load<u8>(BUFFER + <usize>at) ^ <u8>(<u32>1 << <u32>(next() % 8)));
      else if (kind == 1) store<u8>(BUFFER + <usize>at, <u8>next());
      else if (kind == 2) length = <u32>(next() % <u64>(length + 1));
      else if (kind == 3) length = min(MESSAGE_MAXIMUM, length + <u32>(next() % 64));
      else if (kind == 4) store<u8>(BUFFER + <usize>(240 + <u32>(next() % 64)), <u8>next());   // the options, where parsers hurt
      else store<u8>(BUFFER + <usize>(240 + <u32>(next() % 64)), <u8>(next() % 8 == 0 ? 255 : next() % 64));   // small codes and lengths
    }
    const address = end - <usize>length;
    memory.copy(address, BUFFER, <usize>length);
    dhcpReceive(address, length, world.now);
    const step = next() % 16;
    if (step == 0) world.now += next() % (4_000_000_000_000);   // up to 4000 s: T1, T2, expiry
    else if (step < 4) world.now += next() % 70_000_000_000;
    // Bound, nothing is outstanding: move on to T1 most of the time, so replies meet every state.
    const deadline = dhcpDeadline();
    if (dhcpPhase() == DhcpPhase.Bound && deadline != u64.MAX_VALUE && next() % 4 != 0) world.now = max(world.now, deadline);
    dhcpPoll(world.now);
    if (dhcpPhase() == DhcpPhase.Stopped || dhcpDeadline() == u64.MAX_VALUE || next() % 100_000 == 0) dhcpStart(MAC, world.now, world.hooks);
  }
}
export function fuzzNow(): u64 { return world.now; }
