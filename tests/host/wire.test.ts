// Host tests of the wire layer (kernel/net/wire/), compiled to wasm from tests/host/entries/wire.ts:
// exact verdicts and fields for frames built here (ARP, ICMP echo, UDP with and without a
// checksum, a fragment, IP options), each broken field dropped with its own reason, and a
// seeded mutation fuzz of a million frames: no abort, every frame accepted or dropped with a
// counted reason (the seed is printed; WIRE_SEED replays one).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";

const wire = suite("network wire layer");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let e: Record<string, any>;
const V = {
  Arp: 0, Icmp: 1, Udp: 2, Fragment: 3, OtherProtocol: 4, TooShort: 5, UnknownEtherType: 6, ArpMalformed: 7, ArpNotIpv4OverEthernet: 8,
  Ipv4NotVersion4: 9, Ipv4HeaderLength: 10, Ipv4TotalLength: 11, Ipv4Checksum: 12, Ipv4Options: 13, Ipv4SourceInvalid: 14,
  IcmpTooShort: 15, IcmpChecksum: 16, UdpLength: 17, UdpChecksum: 18,
};
const VERDICTS = Object.keys(V).length;

wire.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/wire.ts"));
});
wire.before.each(() => {
  wasm = instantiate(module, {});
  e = wasm.exports;
});

function checksum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  let sum = initial;
  for (let i = start; i < end; i += 2) sum += (bytes[i] << 8) | (i + 1 < end ? bytes[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
const MAC_A = [0x52, 0x54, 0x00, 0xc0, 0xff, 0xee], MAC_B = [0x82, 0x7e, 0x9a, 0xac, 0x96, 0x74];
const IP_A = [10, 0, 2, 15], IP_B = [10, 0, 2, 1];
function ethernet(type: number, payload: number[]): Uint8Array {
  const frame = [...MAC_A, ...MAC_B, type >> 8, type & 0xff, ...payload];
  while (frame.length < 60) frame.push(0);
  return Uint8Array.from(frame);
}
function ipv4(protocol: number, payload: number[], options: number[] = [], fragment = 0, source = IP_B): number[] {
  const headerLength = 20 + options.length;
  const total = headerLength + payload.length;
  const header = [0x40 | (headerLength / 4), 0, total >> 8, total & 0xff, 0x12, 0x34, fragment >> 8, fragment & 0xff, 64, protocol, 0, 0,
    ...source, ...IP_A, ...options];
  const sum = checksum(Uint8Array.from(header));
  header[10] = sum >> 8;
  header[11] = sum & 0xff;
  return [...header, ...payload];
}
function icmpEcho(data: number[]): number[] {
  const message = [8, 0, 0, 0, 0x00, 0x01, 0x00, 0x07, ...data];
  const sum = checksum(Uint8Array.from(message));
  message[2] = sum >> 8;
  message[3] = sum & 0xff;
  return message;
}
function udp(sourcePort: number, destinationPort: number, data: number[], withChecksum = true): number[] {
  const length = 8 + data.length;
  const datagram = [sourcePort >> 8, sourcePort & 0xff, destinationPort >> 8, destinationPort & 0xff, length >> 8, length & 0xff, 0, 0, ...data];
  if (withChecksum) {
    const pseudo = [...IP_B, ...IP_A, 0, 17, length >> 8, length & 0xff];
    let sum = 0;
    const all = Uint8Array.from([...pseudo, ...datagram]);
    for (let i = 0; i < all.length; i += 2) sum += (all[i] << 8) | (i + 1 < all.length ? all[i + 1] : 0);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    const value = (~sum & 0xffff) || 0xffff;
    datagram[6] = value >> 8;
    datagram[7] = value & 0xff;
  }
  return datagram;
}
const ARP_REQUEST = [0, 1, 8, 0, 6, 4, 0, 1, ...MAC_B, ...IP_B, 0, 0, 0, 0, 0, 0, ...IP_A];

function parse(frame: Uint8Array, length = frame.length): number {
  new Uint8Array(wasm.memory.buffer, e.bufferAddress(), frame.length).set(frame);
  return e.parse(length);
}
const ip = (bytes: number[]) => ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;

wire("valid frames: ARP, ICMP echo, UDP with and without a checksum, a fragment, IP options, padding after the datagram", () => {
  assert.is(parse(ethernet(0x0806, ARP_REQUEST)), V.Arp);
  assert.equal([e.arpOperation(), e.arpTargetIp() >>> 0], [1, ip(IP_A)]);
  assert.is(parse(ethernet(0x0800, ipv4(1, icmpEcho([1, 2, 3, 4])))), V.Icmp);
  assert.equal([e.icmpType(), e.source() >>> 0, e.destination() >>> 0], [8, ip(IP_B), ip(IP_A)]);
  assert.is(parse(ethernet(0x0800, ipv4(17, udp(5353, 7, [104, 105])))), V.Udp);
  assert.equal([e.sourcePort(), e.destinationPort(), e.payloadLength()], [5353, 7, 10]);
  assert.is(parse(ethernet(0x0800, ipv4(17, udp(1, 2, [9], false)))), V.Udp, "checksum 0: none computed");
  assert.is(parse(ethernet(0x0800, ipv4(17, udp(1, 2, [9]), [], 0x2000 | 0))), V.Fragment, "more fragments");
  assert.is(parse(ethernet(0x0800, ipv4(17, [1, 2, 3, 4, 5, 6, 7, 8], [], 3))), V.Fragment);
  assert.is(e.fragmentOffset(), 24);
  assert.is(parse(ethernet(0x0800, ipv4(1, icmpEcho([]), [0x94, 0x04, 0, 0]))), V.Icmp, "router alert option");
  assert.is(parse(ethernet(0x0800, ipv4(6, new Array(20).fill(0)))), V.OtherProtocol, "TCP: the IP layer accepts it");
  assert.equal(wasm.aborts, []);
});

wire("each broken field is dropped with its own reason", () => {
  assert.is(parse(ethernet(0x0806, ARP_REQUEST), 13), V.TooShort);
  assert.is(parse(ethernet(0x86dd, [])), V.UnknownEtherType);
  assert.is(parse(ethernet(0x0806, [0, 1, 8, 0, 6, 16, 0, 1, ...new Array(40).fill(0)])), V.ArpNotIpv4OverEthernet, "protocol length 16");
  assert.is(parse(ethernet(0x0806, ARP_REQUEST), 14 + 20), V.ArpMalformed, "cut short");
  const bad = (mutate: (frame: Uint8Array) => void, base = ethernet(0x0800, ipv4(1, icmpEcho([1, 2])))) => { mutate(base); return parse(base); };
  assert.is(bad((f) => { f[14] = 0x65; }), V.Ipv4NotVersion4);
  assert.is(bad((f) => { f[14] = 0x44; }), V.Ipv4HeaderLength);
  assert.is(bad((f) => { f[16] = 0x7f; }), V.Ipv4TotalLength);
  assert.is(bad((f) => { f[22] ^= 1; }), V.Ipv4Checksum, "TTL changed, checksum not");
  assert.is(parse(ethernet(0x0800, ipv4(1, icmpEcho([]), [0x07, 0x09, 0, 0]))), V.Ipv4Options, "an option longer than the options");
  assert.is(parse(ethernet(0x0800, ipv4(1, icmpEcho([]), [0x07, 0x01, 0, 0]))), V.Ipv4Options, "an option of length 1");
  assert.is(parse(ethernet(0x0800, ipv4(1, icmpEcho([]), [], 0, [224, 0, 0, 1]))), V.Ipv4SourceInvalid);
  assert.is(bad((f) => { f[34 + 4] ^= 0xff; }), V.IcmpChecksum);
  assert.is(parse(ethernet(0x0800, ipv4(1, [8, 0, 0]))), V.IcmpTooShort);
  assert.is(parse(ethernet(0x0800, ipv4(17, [0, 1, 0, 2, 0, 50, 0, 0]))), V.UdpLength, "UDP length past the datagram");
  assert.is(bad((f) => { f[34 + 8] ^= 1; }, ethernet(0x0800, ipv4(17, udp(1, 2, [3, 4])))), V.UdpChecksum);
  assert.equal(wasm.aborts, []);
});

wire("a frame the device validated (TransportChecksum.Trusted): the UDP and ICMP sums are skipped, the IPv4 header's and every length are not", () => {
  const trusted = (frame: Uint8Array) => {
    new Uint8Array(wasm.memory.buffer, e.bufferAddress(), frame.length).set(frame);
    return e.parseTrusted(frame.length);
  };
  const broken = (frame: Uint8Array, at: number) => { frame[at] ^= 0xff; return frame; };
  assert.is(trusted(broken(ethernet(0x0800, ipv4(17, udp(1, 2, [3, 4]))), 34 + 6)), V.Udp, "a partial UDP checksum, as virtio leaves it");
  assert.equal([e.sourcePort(), e.destinationPort(), e.payloadLength()], [1, 2, 10]);
  assert.is(trusted(broken(ethernet(0x0800, ipv4(1, icmpEcho([1, 2]))), 34 + 2)), V.Icmp);
  assert.is(trusted(broken(ethernet(0x0800, ipv4(17, udp(1, 2, [3, 4]))), 22)), V.Ipv4Checksum, "the IP header is still checked");
  assert.is(trusted(ethernet(0x0800, ipv4(17, [0, 1, 0, 2, 0, 50, 0, 0]))), V.UdpLength, "lengths are still checked");
  assert.is(parse(broken(ethernet(0x0800, ipv4(17, udp(1, 2, [3, 4]))), 34 + 6)), V.UdpChecksum, "unverified, the same frame is dropped");
  assert.equal(wasm.aborts, []);
});

function icmpError(type: number, code: number, quoted: number[]): number[] {
  const message = [type, code, 0, 0, 0, 0, 0, 0, ...quoted];
  const sum = checksum(Uint8Array.from(message));
  message[2] = sum >> 8;
  message[3] = sum & 0xff;
  return message;
}

wire("an ICMP error's quote: the datagram it is about (protocol, addresses, ports), past IP options; refused when short, not IPv4, or a later fragment", () => {
  // What this host (IP_A) sent to IP_B: a UDP datagram from port 40000 to 53, quoted whole.
  const sent = ipv4(17, udp(40000, 53, [1, 2, 3, 4]), [], 0, IP_A);
  sent.splice(12, 8, ...IP_A, ...IP_B);   // source this host, destination the peer
  const quoteOf = (quoted: number[], type = 3, code = 3) => {
    assert.is(parse(ethernet(0x0800, ipv4(1, icmpError(type, code, quoted)))), V.Icmp);
    return e.quote();
  };
  assert.is(quoteOf(sent), 1);
  assert.equal([0, 1, 2, 3, 4].map((i) => e.quoteField(i) >>> 0), [17, ip(IP_A), ip(IP_B), 40000, 53]);
  assert.is(quoteOf(sent.slice(0, 28)), 1, "the IP header and 8 bytes are enough");
  assert.is(quoteOf(sent.slice(0, 27)), 0, "one byte short");
  const withOptions = ipv4(17, udp(40001, 54, []), [0x94, 0x04, 0, 0], 0, IP_A);
  withOptions.splice(12, 8, ...IP_A, ...IP_B);
  assert.is(quoteOf(withOptions), 1);
  assert.equal([3, 4].map((i) => e.quoteField(i)), [40001, 54], "the ports after the options");
  assert.is(quoteOf(withOptions.slice(0, 24 + 7)), 0, "the options leave 7 bytes");
  const notIpv4 = sent.slice();
  notIpv4[0] = 0x65;
  assert.is(quoteOf(notIpv4), 0);
  const shortHeader = sent.slice();
  shortHeader[0] = 0x44;
  assert.is(quoteOf(shortHeader), 0, "an IHL under 5");
  const later = sent.slice();
  later[7] = 0x10;   // fragment offset 16 (8-byte units)
  assert.is(quoteOf(later), 0, "a later fragment quotes no ports");
  const first = sent.slice();
  first[6] = 0x20;   // more fragments, offset 0: the first fragment
  assert.is(quoteOf(first), 1);
  // Which errors a socket is told of, and which are hard (Linux's icmp_err_convert).
  const hard = Array.from({ length: 17 }, (_, code) => e.errorHard(3, code) ? 1 : 0);
  assert.equal(hard, [0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0]);
  assert.equal([e.errorKnown(3, 15), e.errorKnown(3, 16), e.errorKnown(11, 0), e.errorKnown(12, 0), e.errorKnown(4, 0), e.errorKnown(0, 0)].map(Boolean),
    [true, false, true, true, false, false]);
  assert.equal([e.errorHard(11, 0), e.errorHard(12, 0)].map(Boolean), [false, true]);
});

wire("fuzz: a million mutated frames, each accepted or dropped with a counted reason, none aborts", () => {
  const seeds = [
    ethernet(0x0806, ARP_REQUEST), ethernet(0x0800, ipv4(1, icmpEcho(new Array(56).fill(7)))),
    ethernet(0x0800, ipv4(17, udp(53, 33000, new Array(40).fill(1)))), ethernet(0x0800, ipv4(17, udp(1, 2, [5]), [], 0x2000)),
    ethernet(0x0800, ipv4(1, icmpEcho([]), [0x94, 0x04, 0, 0, 0x01, 0x01, 0x01, 0x00])), ethernet(0x0800, ipv4(6, new Array(40).fill(0))),
    ethernet(0x0800, ipv4(17, udp(7, 7, new Array(1400).fill(0x5a)))), ethernet(0x0806, ARP_REQUEST.slice(0, 20)),
    ethernet(0x0800, ipv4(1, icmpError(3, 3, ipv4(17, udp(40000, 53, [1, 2, 3]), [], 0, IP_A)))),
  ];
  seeds.forEach((frame, i) => {
    new Uint8Array(wasm.memory.buffer, e.corpusAddress(i), frame.length).set(frame);
    e.setCorpusLength(i, frame.length);
  });
  const seed = BigInt(process.env.WIRE_SEED ?? Date.now());
  const rounds = 1_000_000;
  console.log(`    wire fuzz: seed ${seed} (replay with WIRE_SEED=${seed}), ${rounds} frames`);
  e.fuzz(seed, rounds, seeds.length);
  assert.equal(wasm.aborts, []);
  let total = 0n;
  const counts: Record<string, number> = {};
  for (const [name, value] of Object.entries(V)) {
    const count = e.count(value) as bigint;
    counts[name] = Number(count);
    total += count;
  }
  assert.is(total, BigInt(rounds), "every frame has a verdict");
  assert.is(Object.keys(counts).length, VERDICTS);
  for (const name of ["Arp", "Icmp", "Udp", "TooShort", "Ipv4Checksum", "UdpChecksum", "IcmpChecksum"]) assert.ok(counts[name] > 0, `some ${name}: ${JSON.stringify(counts)}`);
  assert.ok(e.quotesParsed() > 0n, "some ICMP errors' quotes parsed");
});

wire.run();
