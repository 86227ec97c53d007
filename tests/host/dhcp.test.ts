// Host tests of the DHCPv4 wire view (kernel/net/wire/dhcp.ts) and client
// (kernel/net/iface/dhcp.ts), compiled to wasm from tests/host/entries/dhcp.ts; the test plays
// the server with messages built here. A full exchange (offer, request, ack, bound), T1 renewal
// by unicast, T2 rebinding by broadcast, expiry, NAKs, replies with the wrong xid, chaddr or
// server ignored, the retransmission times; each malformed message dropped with its own reason;
// and a seeded fuzz of 250,000 mutated messages through the parser and the state machine: no
// abort, every message accepted or dropped with a counted reason (the seed is printed;
// DHCP_SEED replays one).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

const dhcp = suite("dhcp client");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let e: Record<string, any>;
let memoryEnd: number;

const SECOND = 1_000_000_000n;
const NEVER = 0xffff_ffff_ffff_ffffn;
const u64 = (value: bigint) => BigInt.asUintN(64, value);
const MAC = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
const BROADCAST = 0xffff_ffff;
const ip = (text: string) => text.split(".").reduce((value, part) => value * 256 + Number(part), 0);
const ADDRESS = ip("10.0.2.15"), SERVER = ip("10.0.2.2"), OTHER_SERVER = ip("10.0.2.9"), ROUTER = ip("10.0.2.1");
const DNS = [ip("10.0.2.3"), ip("10.0.2.4"), ip("10.0.2.5"), ip("10.0.2.6")];

const V = {
  Valid: 0, TooShort: 1, NotReply: 2, NotEthernet: 3, BadCookie: 4, OptionOverrun: 5, Overload: 6, OptionLength: 7, MaskNotContiguous: 8,
  NoMessageType: 9, UnknownMessageType: 10,
};
const O = {
  Offered: 0, Acknowledged: 1, Refused: 2, Malformed: 3, NotWaiting: 4, WrongTransaction: 5, WrongHardwareAddress: 6, WrongServer: 7,
  Unexpected: 8, NoServerIdentifier: 9, BadLeaseTime: 10, UnusableAddress: 11, UnusablePrefix: 12,
};
const P = { Stopped: 0, Init: 1, Selecting: 2, Requesting: 3, Bound: 4, Renewing: 5, Rebinding: 6 };
const T = { Discover: 1, Offer: 2, Request: 3, Decline: 4, Ack: 5, Nak: 6, Release: 7 };

interface Sent { bytes: Uint8Array; source: number; destination: number }
let sent: Sent[];
let configured: number[][];
let deconfigured: number;
let serial: string;
let random: () => number;

dhcp.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/dhcp.ts"));
});
dhcp.before.each(() => {
  sent = [];
  configured = [];
  deconfigured = 0;
  serial = "";
  random = generator(Number(process.env.DHCP_SEED ?? 1));
  wasm = instantiate(module, {
    hw: {
      serialWrite: (address: number, length: number) => { serial += Buffer.from(wasm.memory.buffer, address, length).toString("latin1"); },
      bootClockNanos: () => 0n,
    },
    test: {
      transmit: (payload: number, length: number, source: number, destination: number) => {
        sent.push({ bytes: wasm.bytes(payload, length), source: source >>> 0, destination: destination >>> 0 });
      },
      configured: (...values: number[]) => { configured.push(values.map((value) => value >>> 0)); },
      deconfigured: () => { deconfigured++; },
      random: () => (BigInt(Math.floor(random() * 2 ** 32)) << 32n) | BigInt(Math.floor(random() * 2 ** 32)),
    },
  });
  e = wasm.exports;
  memoryEnd = e.reserveTop(1);
  new Uint8Array(wasm.memory.buffer, e.macAddress(), 6).set(MAC);
});

// --- the server's side -------------------------------------------------------------------------

interface Reply {
  xid?: number; yiaddr?: number; server?: number | null; lease?: number | null; t1?: number; t2?: number; mask?: number | null;
  router?: number[]; dns?: number[]; chaddr?: number[]; op?: number; cookie?: number; options?: number[]; end?: boolean;
}
const be32 = (value: number) => [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];

/** A server's message of `type`: the fixed fields, the cookie, then the options asked for. */
function reply(type: number, r: Reply = {}): Uint8Array {
  const fixed = new Array(236).fill(0);
  fixed[0] = r.op ?? 2; fixed[1] = 1; fixed[2] = 6;
  fixed.splice(4, 4, ...be32(r.xid ?? e.xid()));
  fixed.splice(16, 4, ...be32(r.yiaddr ?? (type === T.Nak ? 0 : ADDRESS)));
  fixed.splice(28, 6, ...(r.chaddr ?? MAC));
  const options: number[] = [...be32(r.cookie ?? 0x63825363), 53, 1, type];
  const server = r.server === undefined ? SERVER : r.server;
  if (server !== null) options.push(54, 4, ...be32(server));
  if (type !== T.Nak) {
    const lease = r.lease === undefined ? 3600 : r.lease;
    if (lease !== null) options.push(51, 4, ...be32(lease));
    if (r.t1 !== undefined) options.push(58, 4, ...be32(r.t1));
    if (r.t2 !== undefined) options.push(59, 4, ...be32(r.t2));
    const mask = r.mask === undefined ? 0xffffff00 : r.mask;
    if (mask !== null) options.push(1, 4, ...be32(mask));
    const routers = r.router ?? [ROUTER];
    if (routers.length) options.push(3, 4 * routers.length, ...routers.flatMap(be32));
    const dns = r.dns ?? DNS;
    if (dns.length) options.push(6, 4 * dns.length, ...dns.flatMap(be32));
  }
  options.push(...(r.options ?? []));
  if (r.end !== false) options.push(255);
  const message = [...fixed, ...options];
  while (r.end !== false && message.length < 300) message.push(0);
  return Uint8Array.from(message);
}

/** Hands `bytes` to the client flush against the end of memory; returns the outcome. */
function give(bytes: Uint8Array, now: bigint): number {
  const outcome = e.receive(wasm.placeAtEnd(bytes, memoryEnd), bytes.length, now);
  assert.equal(wasm.aborts, []);
  return outcome;
}
function parse(bytes: Uint8Array): number {
  const verdict = e.parse(wasm.placeAtEnd(bytes, memoryEnd), bytes.length);
  assert.equal(wasm.aborts, []);
  return verdict;
}

/** A client's message as the server reads it. */
interface ClientMessage { op: number; xid: number; secs: number; flags: number; ciaddr: number; chaddr: number[]; cookie: number; options: Map<number, number[]> }
function decode(bytes: Uint8Array): ClientMessage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const options = new Map<number, number[]>();
  for (let at = 240; at < bytes.length;) {
    const code = bytes[at];
    if (code === 255) break;
    if (code === 0) { at++; continue; }
    options.set(code, [...bytes.subarray(at + 2, at + 2 + bytes[at + 1])]);
    at += 2 + bytes[at + 1];
  }
  return {
    op: bytes[0], xid: view.getUint32(4), secs: view.getUint16(8), flags: view.getUint16(10), ciaddr: view.getUint32(12),
    chaddr: [...bytes.subarray(28, 34)], cookie: view.getUint32(236), options,
  };
}
const lastSent = () => sent[sent.length - 1];

/** Starts the client at 0 and answers its DISCOVER at 1 s and its REQUEST at 1.5 s. */
function bind(ack: Reply = {}): void {
  e.start(0n);
  assert.is(give(reply(T.Offer), 1n * SECOND), O.Offered);
  assert.is(give(reply(T.Ack, ack), 1n * SECOND + SECOND / 2n), O.Acknowledged);
  assert.is(e.phase(), P.Bound);
}

// --- the exchange --------------------------------------------------------------------------------

dhcp("offer, request, ack: the messages of RFC 2131 table 5, then bound with the lease's values", () => {
  e.start(0n);
  assert.is(e.phase(), P.Selecting);
  assert.is(sent.length, 1);
  const discover = decode(sent[0].bytes);
  assert.equal([sent[0].source, sent[0].destination, sent[0].bytes.length], [0, BROADCAST, 300], "from 0.0.0.0 to the broadcast address");
  assert.equal([discover.op, discover.xid, discover.flags, discover.ciaddr, discover.chaddr, discover.cookie], [1, e.xid() >>> 0, 0x8000, 0, MAC, 0x63825363]);
  assert.equal(discover.options.get(53), [T.Discover]);
  assert.equal(discover.options.get(61), [1, ...MAC], "client id: Ethernet, the MAC");
  assert.equal(discover.options.get(55), [1, 3, 6, 51, 58, 59]);
  assert.not.ok(discover.options.has(50) || discover.options.has(54), "no requested address, no server id");

  assert.is(give(reply(T.Offer), 1n * SECOND), O.Offered);
  assert.is(e.phase(), P.Requesting);
  const request = decode(lastSent().bytes);
  assert.equal([lastSent().source, lastSent().destination], [0, BROADCAST]);
  assert.equal([request.xid, request.flags, request.ciaddr, request.secs], [discover.xid, 0x8000, 0, 1], "the offer's xid; 1 s since the start");
  assert.equal(request.options.get(53), [T.Request]);
  assert.equal(request.options.get(50), be32(ADDRESS));
  assert.equal(request.options.get(54), be32(SERVER));
  assert.equal(request.options.get(61), [1, ...MAC]);

  assert.is(give(reply(T.Ack), 1n * SECOND + SECOND / 2n), O.Acknowledged);
  assert.is(e.phase(), P.Bound);
  assert.equal(configured, [[ADDRESS, 24, ROUTER, DNS[0], 3600]]);
  assert.equal([e.dnsCount(), e.dnsServer(0) >>> 0, e.dnsServer(2) >>> 0, e.dnsServer(3)], [3, DNS[0], DNS[2], 0], "the first three DNS servers");
  assert.is(e.renewAt(), 1n * SECOND + 1800n * SECOND, "T1: half the lease, from when the request was sent");
  assert.is(e.rebindAt(), 1n * SECOND + 3150n * SECOND, "T2: 7/8");
  assert.is(e.expiresAt(), 1n * SECOND + 3600n * SECOND);
  assert.match(serial, "dhcp: bound to 10.0.2.15/24, gateway 10.0.2.1, dns 10.0.2.3, lease 3600 s from 10.0.2.2");
  assert.is(sent.length, 2);
  e.poll(1800n * SECOND);
  assert.is(sent.length, 2, "nothing to send while bound before T1");
});

dhcp("T1: a unicast REQUEST to the server with a new xid; its ACK extends the lease", () => {
  bind({ t1: 1000, t2: 2000 });
  const boundXid = e.xid() >>> 0;
  assert.is(e.renewAt(), 1001n * SECOND, "T1 from option 58");
  e.poll(1001n * SECOND - 1n);
  assert.is(sent.length, 2);
  e.poll(1001n * SECOND);
  assert.is(e.phase(), P.Renewing);
  const renew = decode(lastSent().bytes);
  assert.equal([lastSent().source, lastSent().destination], [ADDRESS, SERVER], "unicast from the leased address");
  assert.equal([renew.ciaddr, renew.flags, renew.secs], [ADDRESS, 0, 0]);
  assert.ok(renew.xid !== boundXid, "a new xid");
  assert.not.ok(renew.options.has(50) || renew.options.has(54), "no requested address, no server id while renewing");
  // §4.4.5: the retransmission after half the time left to T2 (1000 s left: 500 s).
  assert.is(e.deadline(), 1501n * SECOND);
  e.poll(1501n * SECOND);
  assert.is(sent.length, 4);
  assert.is(decode(lastSent().bytes).xid, renew.xid, "a retransmission keeps the xid");
  assert.is(decode(lastSent().bytes).secs, 500);
  assert.is(give(reply(T.Ack, { server: OTHER_SERVER }), 1502n * SECOND), O.WrongServer, "while renewing only the lease's server");
  assert.is(give(reply(T.Ack, { yiaddr: ip("10.0.2.16") }), 1502n * SECOND), O.UnusableAddress, "another address is not a renewal");
  assert.is(give(reply(T.Ack, { lease: 7200 }), 1502n * SECOND), O.Acknowledged);
  assert.is(e.phase(), P.Bound);
  assert.is(e.expiresAt(), 1001n * SECOND + 7200n * SECOND, "the lease counts from the first REQUEST of the renewal");
  assert.equal(configured.length, 2, "configured() again on a renewal");
  assert.is(deconfigured, 0);
  assert.match(serial, "dhcp: renewed 10.0.2.15/24");
});

dhcp("T2: a broadcast REQUEST from the leased address; any server may answer", () => {
  bind();
  e.poll(1801n * SECOND);
  const renewXid = e.xid() >>> 0;
  assert.is(e.phase(), P.Renewing);
  // Retransmissions: 1349 s left to T2 -> 674.5 s, then 337.25, 168.6, 84.3, then at least 60 s, never past T2.
  let transmissions = 1;
  while (e.deadline() < e.rebindAt()) {
    e.poll(e.deadline());
    transmissions++;
    assert.ok(transmissions < 10, "a bounded number of retransmissions before T2");
  }
  assert.is(transmissions, 6);
  e.poll(e.rebindAt());
  assert.is(e.phase(), P.Rebinding);
  const rebind = decode(lastSent().bytes);
  assert.equal([lastSent().source, lastSent().destination, rebind.ciaddr, rebind.flags], [ADDRESS, BROADCAST, ADDRESS, 0]);
  assert.ok(rebind.xid !== renewXid, "a new xid");
  assert.is(give(reply(T.Ack, { server: OTHER_SERVER, xid: renewXid }), 3200n * SECOND), O.WrongTransaction, "the renewal's xid is over");
  assert.is(give(reply(T.Ack, { server: OTHER_SERVER }), 3200n * SECOND), O.Acknowledged, "while rebinding any server");
  assert.is(e.server() >>> 0, OTHER_SERVER, "the new server is the lease's");
  assert.is(configured.length, 2);
});

dhcp("expiry: no answer while rebinding, the lease ends: deconfigured, then a DISCOVER", () => {
  bind();
  e.poll(1801n * SECOND);
  e.poll(3151n * SECOND);
  assert.is(e.phase(), P.Rebinding);
  const before = sent.length;
  e.poll(3601n * SECOND - 1n);
  assert.is(e.phase(), P.Rebinding);
  assert.is(deconfigured, 0);
  e.poll(3601n * SECOND);
  assert.is(deconfigured, 1);
  assert.is(e.phase(), P.Selecting);
  assert.ok(sent.length > before);
  assert.equal([decode(lastSent().bytes).options.get(53), lastSent().source], [[T.Discover], 0]);
  assert.match(serial, "dhcp: lease on 10.0.2.15 expired");
});

dhcp("a poll long after T1, T2 and the expiry goes straight to the end of the lease", () => {
  bind();
  e.poll(10_000n * SECOND);
  assert.is(deconfigured, 1);
  assert.is(e.phase(), P.Selecting);
});

dhcp("NAK: while requesting back to INIT, then a new DISCOVER within 1-10 s; while renewing the address goes", () => {
  e.start(0n);
  give(reply(T.Offer), 1n * SECOND);
  const xid = e.xid() >>> 0;
  assert.is(give(reply(T.Nak, { server: OTHER_SERVER }), 2n * SECOND), O.WrongServer, "a NAK from another server");
  assert.is(give(reply(T.Nak), 2n * SECOND), O.Refused);
  assert.is(e.phase(), P.Init);
  assert.is(deconfigured, 0, "nothing was configured");
  const deadline = e.deadline();
  assert.ok(deadline >= 3n * SECOND && deadline <= 12n * SECOND, `INIT for 1-10 s: ${deadline}`);
  const before = sent.length;
  e.poll(deadline - 1n);
  assert.is(sent.length, before);
  e.poll(deadline);
  assert.is(e.phase(), P.Selecting);
  assert.is(decode(lastSent().bytes).options.get(53)![0], T.Discover);
  assert.ok(e.xid() >>> 0 !== xid, "a new exchange, a new xid");

  wasm.exports.start(0n);
  configured = [];
  bind();
  e.poll(1801n * SECOND);
  assert.is(give(reply(T.Nak), 1802n * SECOND), O.Refused);
  assert.is(deconfigured, 1);
  assert.is(e.phase(), P.Init);
});

dhcp("replies with the wrong xid, chaddr, server or type, or in the wrong state, change nothing", () => {
  assert.is(give(reply(T.Offer, { xid: 5 }), 0n), O.NotWaiting, "not started");
  e.start(0n);
  const xid = e.xid() >>> 0;
  assert.is(give(reply(T.Offer, { xid: (xid ^ 1) >>> 0 }), 1n), O.WrongTransaction);
  assert.is(give(reply(T.Offer, { chaddr: [0x52, 0x54, 0, 0x12, 0x34, 0x57] }), 1n), O.WrongHardwareAddress);
  assert.is(give(reply(T.Ack), 1n), O.Unexpected, "an ACK while selecting");
  assert.is(give(reply(T.Request), 1n), O.Unexpected, "a client's message type");
  assert.is(give(reply(T.Offer, { server: null }), 1n), O.NoServerIdentifier);
  assert.is(give(reply(T.Offer, { lease: null }), 1n), O.BadLeaseTime);
  assert.is(give(reply(T.Offer, { lease: 0 }), 1n), O.BadLeaseTime);
  assert.is(give(reply(T.Offer, { yiaddr: 0 }), 1n), O.UnusableAddress);
  assert.is(give(reply(T.Offer, { yiaddr: ip("10.0.2.255") }), 1n), O.UnusableAddress, "the subnet's broadcast address");
  assert.is(give(reply(T.Offer, { yiaddr: ip("127.0.0.5") }), 1n), O.UnusableAddress);
  assert.is(give(reply(T.Offer, { yiaddr: ip("224.0.0.5") }), 1n), O.UnusableAddress);
  assert.is(give(reply(T.Offer, { mask: 0xfffffffe }), 1n), O.UnusablePrefix, "/31");
  assert.is(give(reply(T.Offer, { mask: 0 }), 1n), O.UnusablePrefix, "/0");
  assert.is(give(reply(T.Offer, { op: 1 }), 1n), O.Malformed);
  assert.is(e.phase(), P.Selecting);
  assert.equal([sent.length, e.xid() >>> 0], [1, xid], "nothing sent, the same exchange");
  assert.is(give(reply(T.Offer), 1n * SECOND), O.Offered);
  assert.is(give(reply(T.Offer), 1n * SECOND), O.Unexpected, "a second offer while requesting");
  assert.is(give(reply(T.Ack, { server: OTHER_SERVER }), 1n * SECOND), O.WrongServer, "an ACK from a server not chosen");
  assert.is(give(reply(T.Ack, { yiaddr: ip("10.0.2.16") }), 1n * SECOND), O.UnusableAddress, "not the address offered");
  assert.is(give(reply(T.Ack), 2n * SECOND), O.Acknowledged);
  assert.is(give(reply(T.Ack), 2n * SECOND), O.NotWaiting, "a duplicate ACK while bound");
  for (const [name, value] of Object.entries(O)) if (name !== "Refused") assert.ok(e.counter(value) > 0n, `counted: ${name}`);
  assert.is(e.malformedCounter(V.NotReply), 1n);
});

dhcp("lease values: no mask gives the class's prefix, a router off the subnet is none, an infinite lease never renews, bad T1/T2 are replaced", () => {
  bind({ mask: null, router: [ip("192.168.0.1")], dns: [], lease: 0xffffffff });
  assert.equal(configured[0], [ADDRESS, 8, 0, 0, 0xffffffff], "10/8 by class; no gateway; no DNS server");
  assert.equal([e.renewAt(), e.rebindAt(), e.expiresAt(), e.deadline()].map(u64), [NEVER, NEVER, NEVER, NEVER]);
  e.poll(NEVER - 1n);
  assert.is(e.phase(), P.Bound);

  e.start(0n);
  assert.is(deconfigured, 1, "a restart drops the lease held");
  give(reply(T.Offer), 1n * SECOND);
  assert.is(give(reply(T.Ack, { t1: 3000, t2: 2000 }), 2n * SECOND), O.Acknowledged);
  assert.is(e.renewAt(), 1801n * SECOND, "T1 > T2: the defaults");
});

dhcp("retransmission: DISCOVER after 4, 8, 16, 32, 64, 64 s +-1 s; REQUEST five times, then INIT", () => {
  e.start(0n);
  let last = 0n;
  const waits: bigint[] = [];
  for (const base of [4n, 8n, 16n, 32n, 64n, 64n, 64n]) {
    const deadline = e.deadline();
    const wait = deadline - last;
    assert.ok(wait >= (base - 1n) * SECOND && wait <= (base + 1n) * SECOND, `wait ${wait} for ${base} s`);
    waits.push(wait);
    const before = sent.length;
    e.poll(deadline - 1n);
    assert.is(sent.length, before, "not a nanosecond early");
    e.poll(deadline);
    assert.is(sent.length, before + 1);
    assert.is(decode(lastSent().bytes).xid, e.xid() >>> 0, "the same xid");
    last = deadline;
  }
  assert.ok(waits.some((wait) => wait % SECOND !== 0n), "jittered");
  assert.is(decode(lastSent().bytes).secs, Number(last / SECOND));

  give(reply(T.Offer), last);
  const requestAt = last;
  last = requestAt;
  for (const base of [4n, 8n, 16n, 32n]) {
    const wait = e.deadline() - last;
    assert.ok(wait >= (base - 1n) * SECOND && wait <= (base + 1n) * SECOND, `request wait ${wait} for ${base} s`);
    last = e.deadline();
    e.poll(last);
    assert.is(decode(lastSent().bytes).options.get(53)![0], T.Request);
  }
  assert.is(e.phase(), P.Requesting);
  const wait = e.deadline() - last;
  assert.ok(wait >= 63n * SECOND && wait <= 65n * SECOND);
  const before = sent.length;
  e.poll(e.deadline());
  assert.is(e.phase(), P.Init, "five requests unanswered: INIT");
  assert.is(sent.length, before);
  assert.match(serial, "no answer to the request for 10.0.2.15");
});

dhcp("stop: a RELEASE unicast to the server, then deconfigured; DECLINE and RELEASE as table 5 says", () => {
  bind();
  e.stop(100n * SECOND);
  assert.is(e.phase(), P.Stopped);
  assert.is(deconfigured, 1);
  const release = decode(lastSent().bytes);
  assert.equal([lastSent().source, lastSent().destination, release.ciaddr], [ADDRESS, SERVER, ADDRESS]);
  assert.equal(release.options.get(53), [T.Release]);
  assert.equal(release.options.get(54), be32(SERVER));
  assert.not.ok(release.options.has(50) || release.options.has(55));
  const length = e.buildDecline(7, ADDRESS, SERVER);
  const decline = decode(wasm.bytes(e.bufferAddress(), length));
  assert.equal([decline.xid, decline.ciaddr, decline.options.get(53), decline.options.get(50), decline.options.get(54)],
    [7, 0, [T.Decline], be32(ADDRESS), be32(SERVER)]);
  assert.not.ok(decline.options.has(55));
  e.poll(NEVER - 1n);
  assert.is(sent.length, 3, "stopped: nothing more");
});

// --- the wire view -----------------------------------------------------------------------------------

dhcp("wire: fields and options; options split in two are concatenated (RFC 3396); no end option is accepted", () => {
  assert.is(parse(reply(T.Ack, { xid: 0x01020304, t1: 100, t2: 200 })), V.Valid);
  assert.equal([e.messageType(), e.parsedXid() >>> 0, e.yiaddr() >>> 0, e.serverId() >>> 0, e.leaseSeconds(), e.renewalSeconds(), e.rebindingSeconds()],
    [T.Ack, 0x01020304, ADDRESS, SERVER, 3600, 100, 200]);
  assert.equal([e.subnetMask() >>> 0, e.router() >>> 0, e.parsedDnsCount()], [0xffffff00, ROUTER, 3]);
  assert.is(e.present(), 0x3f);
  // Lease time in two pieces of 2 bytes, DNS servers in two options.
  assert.is(parse(reply(T.Ack, { lease: null, dns: [DNS[0]], options: [51, 2, 0, 0, 51, 2, 0x0e, 0x10, 6, 4, ...be32(DNS[1])] })), V.Valid);
  assert.equal([e.leaseSeconds(), e.parsedDnsCount(), e.parsedDnsServer(1) >>> 0], [3600, 2, DNS[1]]);
  assert.is(parse(reply(T.Ack, { end: false })), V.Valid, "the options end with the message");
  assert.is(parse(reply(T.Ack, { options: [255, 52, 1, 3] })), V.Valid, "after the end option nothing is read");
  assert.is(parse(reply(T.Ack, { router: [ROUTER, DNS[0]] })), V.Valid);
  assert.is(e.router() >>> 0, ROUTER, "the first router");
});

dhcp("wire: each broken field is dropped with its own reason", () => {
  const good = reply(T.Offer);
  assert.is(parse(good.subarray(0, 239)), V.TooShort);
  assert.is(parse(reply(T.Offer, { op: 1 })), V.NotReply);
  const ethernet = reply(T.Offer); ethernet[2] = 16;
  assert.is(parse(ethernet), V.NotEthernet);
  assert.is(parse(reply(T.Offer, { cookie: 0x63825364 })), V.BadCookie);
  assert.is(parse(reply(T.Offer, { options: [12, 40, 1, 2], end: false })), V.OptionOverrun, "a host name longer than the message");
  assert.is(parse(reply(T.Offer, { options: [12], end: false })), V.OptionOverrun, "a code without its length");
  assert.is(parse(reply(T.Offer, { options: [52, 1, 3] })), V.Overload);
  assert.is(parse(reply(T.Offer, { options: [51, 1, 0] })), V.OptionLength, "a lease time of 5 bytes after concatenation");
  assert.is(parse(reply(T.Offer, { options: [53, 1, 2] })), V.OptionLength, "two message types: 2 bytes");
  assert.is(parse(reply(T.Offer, { router: [], options: [3, 3, 1, 2, 3] })), V.OptionLength, "a router of 3 bytes");
  assert.is(parse(reply(T.Offer, { dns: [], options: [6, 5, 1, 2, 3, 4, 5] })), V.OptionLength);
  assert.is(parse(reply(T.Offer, { mask: null, options: [1, 3, 255, 255, 255] })), V.OptionLength);
  assert.is(parse(reply(T.Offer, { mask: 0xff00ff00 })), V.MaskNotContiguous);
  assert.is(parse(reply(T.Offer, { mask: 0x00ffffff })), V.MaskNotContiguous);
  const bootp = reply(T.Offer); bootp[240] = 0; bootp[241] = 0; bootp[242] = 0;   // the message type option padded away
  assert.is(parse(bootp), V.NoMessageType);
  assert.is(parse(reply(9)), V.UnknownMessageType);
  assert.is(parse(reply(0)), V.UnknownMessageType);
});

// --- hostile input ------------------------------------------------------------------------------------

dhcp("fuzz: 250,000 mutated messages through the parser and the state machine, none aborts, each counted", () => {
  e.start(0n);
  const xid = e.xid();
  const seeds = [
    reply(T.Offer), reply(T.Ack), reply(T.Nak), reply(T.Ack, { server: OTHER_SERVER, t1: 60, t2: 90, lease: 120 }),
    reply(T.Offer, { options: [51, 2, 0, 0, 51, 2, 0, 60, 12, 4, 0x63, 0x61, 0x70, 0x73] }), reply(T.Ack, { mask: null, dns: [], end: false }),
    reply(T.Offer, { lease: 10 }), reply(T.Ack, { router: [ROUTER, ROUTER, ROUTER], dns: [...DNS, ...DNS] }),
  ];
  assert.is(xid, e.xid());
  seeds.forEach((message, i) => {
    new Uint8Array(wasm.memory.buffer, e.corpusAddress(i), message.length).set(message);
    e.setCorpusLength(i, message.length);
  });
  const seed = BigInt(process.env.DHCP_SEED ?? Date.now());
  const rounds = 250_000;
  console.log(`    dhcp fuzz: seed ${seed} (replay with DHCP_SEED=${seed}), ${rounds} messages`);
  random = generator(Number(seed % 0xffffffffn));
  const counts: Record<string, number> = {};
  try {
    e.fuzz(seed, rounds, seeds.length, 1n);
  } finally {
    assert.equal(wasm.aborts, [], `seed ${seed}`);
  }
  let total = 0n;
  for (const [name, value] of Object.entries(O)) {
    const count = e.counter(value) as bigint;
    counts[name] = Number(count);
    total += count;
  }
  assert.is(total, BigInt(rounds), `every message has an outcome (seed ${seed})`);
  let malformed = 0n;
  for (const value of Object.values(V)) malformed += e.malformedCounter(value) as bigint;
  assert.is(malformed, BigInt(counts.Malformed), "every malformed message has a wire verdict");
  console.log(`    dhcp fuzz outcomes: ${JSON.stringify(counts)}`);
  for (const name of ["Offered", "Acknowledged", "Refused", "Malformed", "WrongTransaction", "Unexpected", "WrongServer", "NotWaiting"]) {
    assert.ok(counts[name] > 0, `some ${name} (seed ${seed}): ${JSON.stringify(counts)}`);
  }
  assert.ok(configured.length > 0 && deconfigured > 0, "leases were bound and lost");
});

dhcp.run();
