// Host tests of the DNS messages of the user runtime (userspace/rt/dns.ts), compiled to wasm from
// tests/host/entries/dns.ts: the query's bytes and its name checks; responses laid out as servers
// send them (the owner names compressed to the question, an EDNS OPT record in the additional
// section), a CNAME chain with compression inside the CNAMEs' data, the rcode and the TC bit
// reported; compression loops (a pointer to itself, two pointers at each other, a forward
// pointer, a pointer into its own run, 65 jumps), names past 255 bytes, records past the end,
// every cut of a response; and a seeded fuzz of 250,000 mutated responses, each placed flush
// against the end of memory: no abort, each with a counted verdict (DNS_SEED replays one).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";

const dns = suite("dns messages (user runtime)");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let e: Record<string, any>;
let memoryEnd: number;

const V = {
  Answered: 0, NoAddress: 1, ServerError: 2, Truncated: 3, TooShort: 4, NotResponse: 5, WrongId: 6, WrongOpcode: 7, QuestionCount: 8,
  QuestionMismatch: 9, NameMalformed: 10, PointerLoop: 11, RecordOverrun: 12, RecordMalformed: 13, CnameChainTooLong: 14,
};
const INVALID_ARGUMENT = 10, OUT_OF_RANGE = 7;   // abi/errors.ts
const ID = 0x1234;
const NAME = "www.example.com";

dns.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/dns.ts"));
});
dns.before.each(() => {
  wasm = instantiate(module, {});
  e = wasm.exports;
  memoryEnd = e.reserveTop(1);
  assert.ok(query(NAME) > 0);
});

const be16 = (value: number) => [(value >> 8) & 0xff, value & 0xff];
const be32 = (value: number) => [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
const labels = (text: string) => [...text.split(".").filter((label) => label).flatMap((label) => [label.length, ...Buffer.from(label, "latin1")]), 0];
const pointer = (offset: number) => [0xc0 | (offset >> 8), offset & 0xff];
const ip = (text: string) => text.split(".").reduce((value, part) => value * 256 + Number(part), 0);
const A = 1, CNAME = 5, IN = 1;

function query(name: string, capacity = 512, id = ID): number {
  return e.buildQuery(id, wasm.string(name), capacity);
}
function queryBytes(length: number): number[] {
  return [...wasm.bytes(e.queryAddress(), length)];
}

/** A response being laid out: `at()` is where the next bytes go, for pointers to them. */
class Response {
  bytes: number[];
  constructor(flags = 0x8180, counts: [number, number, number, number] = [1, 0, 0, 0], id = ID, question = [...labels(NAME), 0, A, 0, IN]) {
    this.bytes = [...be16(id), ...be16(flags), ...counts.flatMap(be16), ...question];
  }
  at(): number { return this.bytes.length; }
  record(owner: number[], type: number, data: number[], ttl = 300, klass = IN): this {
    this.bytes.push(...owner, ...be16(type), ...be16(klass), ...be32(ttl), ...be16(data.length), ...data);
    return this;
  }
  /** Sets the answer count. */
  answers(count: number): this { this.bytes.splice(6, 2, ...be16(count)); return this; }
  build(): Uint8Array { return Uint8Array.from(this.bytes); }
}

function parse(bytes: Uint8Array | number[]): number {
  const message = Uint8Array.from(bytes);
  const verdict = e.parse(wasm.placeAtEnd(message, memoryEnd), message.length);
  assert.equal(wasm.aborts, []);
  return verdict;
}
const addresses = () => Array.from({ length: e.addressCount() }, (_, i) => e.address(i) >>> 0);

// --- the query -------------------------------------------------------------------------------------

dns("the query: id, RD, one question, the name's labels, type A, class IN", () => {
  const length = query(NAME);
  assert.equal(queryBytes(length), [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...labels(NAME), 0, 1, 0, 1]);
  assert.is(query("www.example.com."), length, "one trailing dot: the same query");
  assert.equal(queryBytes(length), [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...labels(NAME), 0, 1, 0, 1]);
  const longest = ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61)].join(".");
  assert.is(query(longest), 12 + 255 + 4, "a name of 255 bytes on the wire");
  assert.is(query(longest + "d"), -INVALID_ARGUMENT, "256 bytes");
  assert.is(query("x".repeat(63) + ".com") > 0, true, "a label of 63");
  for (const bad of ["", ".", "a..b", ".a", "a.b..", "x".repeat(64) + ".com", "a b.com", "caf\u00e9.fr", "tab\t.com", "a.\u0100"]) {
    assert.is(query(bad), -INVALID_ARGUMENT, JSON.stringify(bad));
  }
  assert.is(query(NAME, 12 + 17 + 4 - 1), -OUT_OF_RANGE, "one byte short");
  assert.is(query(NAME, 12 + 17 + 4), 33);
  assert.equal(wasm.aborts, []);
});

// --- responses -------------------------------------------------------------------------------------

dns("a response as servers send it: owners compressed to the question, EDNS in the additional section", () => {
  const r = new Response(0x8580, [1, 2, 0, 1])
    .record(pointer(12), A, be32(ip("93.184.216.34")), 3600)
    .record(pointer(12), A, be32(ip("93.184.216.35")), 60);
  r.bytes.push(0, ...be16(41), ...be16(1232), 0, 0, 0, 0, 0, 0);   // OPT
  assert.is(parse(r.build()), V.Answered);
  assert.equal(addresses(), [ip("93.184.216.34"), ip("93.184.216.35")]);
  assert.equal([e.ttl(0), e.ttl(1), e.rcode(), e.truncated(), e.cnames(), e.id()], [3600, 60, 0, 0, 0, ID]);
});

dns("the question is matched case-insensitively; a pointer in it must point backwards", () => {
  const r = new Response(0x8180, [1, 1, 0, 0], ID, [...labels("WWW.Example.COM"), 0, A, 0, IN]).record(pointer(12), A, be32(ip("10.0.0.1")));
  assert.is(parse(r.build()), V.Answered);
  const forward = new Response(0x8180, [1, 0, 0, 0], ID, [3, 0x77, 0x77, 0x77, ...pointer(18), 0, A, 0, IN]);
  assert.is(parse(forward.build()), V.PointerLoop, "the question's suffix pointing forwards");
});

dns("records of other names, classes and types are skipped; more than 8 addresses keep the first 8", () => {
  const r = new Response(0x8180, [1, 0, 0, 0])
    .record(labels("other.example.com"), A, be32(1))
    .record(pointer(12), A, be32(2), 300, 3)   // class CH
    .record(pointer(12), 28, new Array(16).fill(0));   // AAAA
  for (let i = 0; i < 10; i++) r.record(pointer(12), A, be32(ip(`10.0.0.${i}`)));
  assert.is(parse(r.answers(13).build()), V.Answered);
  assert.equal(addresses(), Array.from({ length: 8 }, (_, i) => ip(`10.0.0.${i}`)));
  assert.is(parse(new Response(0x8180, [1, 1, 0, 0]).record(pointer(12), 28, new Array(16).fill(0)).build()), V.NoAddress, "NODATA");
});

dns("a CNAME chain, with pointers inside the CNAMEs' data, in any order of records", () => {
  const r = new Response(0x8180, [1, 4, 0, 0]);
  // www.example.com CNAME web.example.com (its suffix a pointer to the question's "example.com")
  r.record(pointer(12), CNAME, [3, ...Buffer.from("web"), ...pointer(16)]);
  const web = r.at() - 6;   // the CNAME's data: "web" + pointer
  const cdnData = r.at() + 2 + 10;
  // web.example.com CNAME cdn.example.org
  r.record(pointer(web), CNAME, labels("cdn.example.org"));
  // two A records of cdn.example.org, before them an A of web.example.com's that is not the chain's end
  r.record(pointer(cdnData), A, be32(ip("192.0.2.7")));
  r.record(pointer(cdnData), A, be32(ip("192.0.2.8")));
  assert.is(parse(r.build()), V.Answered);
  assert.equal(addresses(), [ip("192.0.2.7"), ip("192.0.2.8")]);
  assert.is(e.cnames(), 2);

  // The A records first, then the CNAMEs pointing at names laid out later than them: still found.
  const reversed = new Response(0x8180, [1, 3, 0, 0]);
  reversed.record(labels("target.example.net"), A, be32(ip("198.51.100.1")));
  reversed.record(pointer(12), CNAME, labels("middle.example.net"));
  reversed.record(labels("middle.example.net"), CNAME, labels("target.example.net"));
  assert.is(parse(reversed.build()), V.Answered);
  assert.equal([addresses(), e.cnames()], [[ip("198.51.100.1")], 2]);

  const dangling = new Response(0x8180, [1, 1, 0, 0]).record(pointer(12), CNAME, labels("nowhere.example"));
  assert.is(parse(dangling.build()), V.NoAddress, "a CNAME whose target has no record here");
});

dns("a CNAME loop, or a chain longer than 8, is refused", () => {
  const loop = new Response(0x8180, [1, 2, 0, 0])
    .record(pointer(12), CNAME, labels("a.example"))
    .record(labels("a.example"), CNAME, labels(NAME));
  assert.is(parse(loop.build()), V.CnameChainTooLong);
  const chain = (length: number) => {
    const r = new Response(0x8180, [1, length + 1, 0, 0]);
    r.record(pointer(12), CNAME, labels("n1.example"));
    for (let i = 1; i < length; i++) r.record(labels(`n${i}.example`), CNAME, labels(`n${i + 1}.example`));
    r.record(labels(`n${length}.example`), A, be32(ip("203.0.113.9")));
    return r.build();
  };
  assert.is(parse(chain(8)), V.Answered);
  assert.is(e.cnames(), 8);
  assert.is(parse(chain(9)), V.CnameChainTooLong);
});

/** Adds a record of an unknown type (skipped by the parser) holding `data`; returns where its
 * data lie, for pointers into them. */
function holder(r: Response, data: number[]): number {
  r.record(pointer(12), 99, data);
  return r.at() - data.length;
}

dns("compression loops: a pointer to itself, two pointers at each other, forward, into its own run, 65 jumps", () => {
  const at = new Response(0x8180, [1, 1, 0, 0]).at();
  // The owner name is a pointer to itself.
  assert.is(parse(new Response(0x8180, [1, 1, 0, 0]).record(pointer(at), A, be32(1)).build()), V.PointerLoop);
  // Two pointers at each other: the owner (after the holder) points back into the holder's data,
  // which points to the owner again.
  const pair = new Response(0x8180, [1, 2, 0, 0]);
  const holderData = at + 2 + 10;
  const owner = holderData + 2;
  holder(pair, pointer(owner));
  pair.record(pointer(holderData), A, be32(1));
  assert.is(parse(pair.build()), V.PointerLoop);
  // A pointer forwards (to a valid name after it).
  const forward = new Response(0x8180, [1, 1, 0, 0]).record(pointer(at + 16), A, be32(1));
  forward.bytes.push(...labels("www.example.com"));
  assert.is(parse(forward.build()), V.PointerLoop);
  // A label, then a pointer back to that label: backwards, but into its own run. (A rule of
  // "before the pointer" would loop here until the name passed 255 bytes: NameMalformed.)
  const run = new Response(0x8180, [1, 1, 0, 0]);
  run.bytes.push(10, ...new Array(10).fill(0x61), ...pointer(at), ...be16(A), ...be16(IN), ...be32(1), ...be16(4), ...be32(1));
  assert.is(parse(run.build()), V.PointerLoop);
  // A chain of pointers, each to the one before it, the first to the question's name.
  const jumps = (count: number) => {
    const r = new Response(0x8180, [1, 2, 0, 0]);
    const first = at + 2 + 10;
    const chain = [...pointer(12)];
    for (let i = 1; i < count; i++) chain.push(...pointer(first + 2 * (i - 1)));
    holder(r, chain);
    r.record(pointer(first + 2 * (count - 1)), A, be32(ip("10.9.9.9")));
    return r.build();
  };
  assert.is(parse(jumps(63)), V.Answered, "64 jumps");
  assert.is(parse(jumps(64)), V.PointerLoop, "65 jumps");
});

dns("names past 255 bytes (through pointers too), reserved label types, records past the end", () => {
  const long = new Response(0x8180, [1, 3, 0, 0]);
  const base = holder(long, [63, ...new Array(63).fill(0x61), 63, ...new Array(63).fill(0x62), 63, ...new Array(63).fill(0x63), 0]);
  const tail = holder(long, [63, ...new Array(63).fill(0x64), ...pointer(base)]);   // 64 + 192 + 1 = 257 bytes
  long.record(pointer(tail), A, be32(1));
  assert.is(parse(long.build()), V.NameMalformed);
  const fits = new Response(0x8180, [1, 3, 0, 0]);
  const three = holder(fits, [63, ...new Array(63).fill(0x61), 63, ...new Array(63).fill(0x62), 63, ...new Array(63).fill(0x63), 0]);
  const last = holder(fits, [61, ...new Array(61).fill(0x64), ...pointer(three)]);   // 62 + 192 + 1 = 255 bytes
  fits.record(pointer(last), A, be32(1));
  assert.is(parse(fits.build()), V.NoAddress, "255 bytes: a name, not this one");
  const reserved = new Response(0x8180, [1, 1, 0, 0]).record([0x41, 0x61, 0], A, be32(1));
  assert.is(parse(reserved.build()), V.NameMalformed, "label type 01");
  assert.is(parse(new Response(0x8180, [1, 1, 0, 0]).record(pointer(12), A, [1, 2, 3, 4, 5]).build()), V.RecordMalformed, "an A of 5 bytes");
  const cname = new Response(0x8180, [1, 1, 0, 0]).record(pointer(12), CNAME, [...labels("a.example"), 0]);
  assert.is(parse(cname.build()), V.RecordMalformed, "a CNAME with a byte after its name");
  const past = new Response(0x8180, [1, 1, 0, 0]).record(pointer(12), A, be32(1));
  past.bytes.splice(past.at() - 6, 2, ...be16(40));
  assert.is(parse(past.build()), V.RecordOverrun, "data length past the end");
  assert.is(parse(new Response(0x8180, [1, 2, 0, 0]).record(pointer(12), A, be32(1)).build()), V.RecordOverrun, "two records counted, one there");
});

dns("the header: id, QR, opcode, question count and question must match; rcode and TC are reported", () => {
  const answer = () => new Response(0x8180, [1, 1, 0, 0]).record(pointer(12), A, be32(ip("10.1.1.1")));
  assert.is(parse(new Response(0x8183, [1, 0, 1, 0]).build()), V.ServerError);
  assert.is(e.rcode(), 3, "NXDOMAIN");
  assert.is(parse(new Response(0x8182, [1, 0, 0, 0]).build()), V.ServerError);
  assert.is(e.rcode(), 2, "SERVFAIL");
  assert.is(parse(new Response(0x8380, [1, 0, 0, 0]).build()), V.Truncated);
  assert.ok(e.truncated());
  assert.is(parse(new Response(0x8380, [1, 0, 0, 0]).build().subarray(0, 12)), V.Truncated, "TC with the question cut away");
  assert.is(parse(new Response(0x0100, [1, 0, 0, 0]).build()), V.NotResponse);
  assert.is(parse(new Response(0x8180, [1, 1, 0, 0], 0x4321).record(pointer(12), A, be32(1)).build()), V.WrongId);
  assert.is(parse(new Response(0x8980, [1, 0, 0, 0]).build()), V.WrongOpcode, "opcode 1");
  assert.is(parse(new Response(0x8180, [2, 0, 0, 0]).build()), V.QuestionCount);
  assert.is(parse(new Response(0x8180, [0, 0, 0, 0], ID, []).build()), V.QuestionCount);
  assert.is(parse(new Response(0x8180, [1, 0, 0, 0], ID, [...labels("www.example.org"), 0, A, 0, IN]).build()), V.QuestionMismatch);
  assert.is(parse(new Response(0x8180, [1, 0, 0, 0], ID, [...labels(NAME), 0, 28, 0, IN]).build()), V.QuestionMismatch, "AAAA");
  assert.is(parse(answer().build()), V.Answered);
  const full = answer().build();
  for (let cut = 0; cut < full.length; cut++) {
    const verdict = parse(full.subarray(0, cut));
    assert.ok(verdict >= V.TooShort, `cut at ${cut}: dropped, got ${verdict}`);
  }
});

// --- hostile input ------------------------------------------------------------------------------------

dns("fuzz: 250,000 mutated responses, none aborts, each with a counted verdict", () => {
  const chain = new Response(0x8180, [1, 3, 0, 0]);
  chain.record(pointer(12), CNAME, labels("b.example.net"));
  const b = chain.at() - labels("b.example.net").length;
  chain.record(pointer(b), CNAME, [1, 0x63, ...pointer(b + 2)]);
  const c = chain.at() - 4;
  chain.record(pointer(c), A, be32(ip("10.2.3.4")));
  const seeds = [
    new Response(0x8180, [1, 2, 0, 0]).record(pointer(12), A, be32(1)).record(pointer(12), A, be32(2)).build(),
    chain.build(),
    new Response(0x8183, [1, 0, 1, 0]).build(),
    new Response(0x8380, [1, 0, 0, 0]).build(),
    new Response(0x8180, [1, 1, 0, 0]).record(labels(NAME), A, be32(3)).build(),
    new Response(0x8180, [1, 2, 0, 0]).record(pointer(12), CNAME, labels("x.example")).record(labels("x.example"), CNAME, labels(NAME)).build(),
    new Response(0x8180, [1, 1, 0, 1]).record(pointer(12), 28, new Array(16).fill(1)).build(),
    new Response(0x8180, [1, 3, 0, 0]).record(pointer(12), A, be32(5)).record(pointer(12), A, be32(6)).record(pointer(12), A, be32(7)).build(),
  ];
  seeds.forEach((message, i) => {
    new Uint8Array(wasm.memory.buffer, e.corpusAddress(i), message.length).set(message);
    e.setCorpusLength(i, message.length);
  });
  const seed = BigInt(process.env.DNS_SEED ?? Date.now());
  const rounds = 250_000;
  console.log(`    dns fuzz: seed ${seed} (replay with DNS_SEED=${seed}), ${rounds} responses`);
  try {
    e.fuzz(seed, rounds, seeds.length);
  } finally {
    assert.equal(wasm.aborts, [], `seed ${seed}`);
  }
  let total = 0n;
  const counts: Record<string, number> = {};
  for (const [name, value] of Object.entries(V)) {
    const count = e.count(value) as bigint;
    counts[name] = Number(count);
    total += count;
  }
  console.log(`    dns fuzz verdicts: ${JSON.stringify(counts)}`);
  assert.is(total, BigInt(rounds), `every response has a verdict (seed ${seed})`);
  for (const name of ["Answered", "NoAddress", "ServerError", "Truncated", "PointerLoop", "NameMalformed", "RecordOverrun", "CnameChainTooLong"]) {
    assert.ok(counts[name] > 0, `some ${name} (seed ${seed}): ${JSON.stringify(counts)}`);
  }
});

dns.run();
