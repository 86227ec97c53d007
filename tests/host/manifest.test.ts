// Host tests of the boot manifest (docs/abi/manifest.md): the compiler tools/manifest.ts (JSON to
// exact bytes, every broken rule refused with a message naming the program), and the kernel's
// parser kernel/loader/manifest.ts compiled to wasm with asc, with each program's network policy
// (the network block of format version 2). Modules are placed flush against the
// end of linear memory, so a read past their length traps: "no trap" means "never read past the
// module". Ends with a seeded mutation fuzz checked against a reference decoder written here.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { GRANTS, ManifestError, compileManifest } from "../../tools/manifest";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

// abi/errors.ts
/** Interface values (abi/interfaces.ts): grant mask bits 1..INTERFACE_COUNT-1 are valid. */
const INTERFACE_COUNT = Number(/INTERFACE_COUNT: i32 = (\d+);/.exec(readFileSync(join(REPOSITORY, "abi/interfaces.ts"), "utf8"))![1]);
const ALL_GRANTS = ((1 << INTERFACE_COUNT) - 1) & ~1;
const NONE = 0, MALFORMED = 1, TRUNCATED = 2;
const TOP_PAGES = 4;
const HEADER = 16, RECORD = 104;
/** The network grant's bit, and where its block lies in a record. */
const NETWORK = 1 << 14, NETWORK_BLOCK = 48, RULES = 56, RULE = 12, RULES_MAXIMUM = 4;
/** The namespace grant bit: flags bit 2 (writable) needs it. */
const NAMESPACE = 1 << 20;
const REAL_MANIFEST = join(REPOSITORY, "userspace/manifest.json");

// --- building modules byte by byte (independent of tools/manifest.ts) ---------------------------

/** A peer rule as written in the block; `padding` fills bytes +5..+7 (byte 5 = its low byte, the
 * u16 at +6 = the rest). */
interface RawRule { address: number; prefix: number; ports: [number, number]; padding?: number }
/** The network block: `count` is written as the rule count (default: rules.length, at most 4
 * slots are written, so rules past count make non-zero unused rules). */
interface RawNetwork { ports: [number, number]; count?: number; rules: RawRule[] }
interface RawProgram { name: string | Buffer; quota: number; mask: number; flags: number; reserved?: number; network?: RawNetwork }
interface RawHeader { magic?: number; version?: number; count?: number; total?: number; reserved?: number }

/** An IPv4 address "A.B.C.D" as the u32 the block holds (10.0.2.15 is 0x0a00020f). */
const ip = (text: string): number => text.split(".").reduce((address, part) => (address * 256) + Number(part), 0);

/** Writes `network` as the block of the record at `record` (which is zero). */
function encodeNetwork(bytes: Buffer, record: number, network: RawNetwork): void {
  bytes.writeUInt16LE(network.ports[0], record + NETWORK_BLOCK);
  bytes.writeUInt16LE(network.ports[1], record + NETWORK_BLOCK + 2);
  bytes.writeUInt32LE((network.count ?? network.rules.length) >>> 0, record + NETWORK_BLOCK + 4);
  network.rules.forEach((rule, index) => {
    const at = record + RULES + RULE * index;
    bytes.writeUInt32LE(rule.address >>> 0, at);
    bytes.writeUInt8(rule.prefix, at + 4);
    bytes.writeUInt8((rule.padding ?? 0) & 0xff, at + 5);
    bytes.writeUInt16LE((rule.padding ?? 0) >>> 8, at + 6);
    bytes.writeUInt16LE(rule.ports[0], at + 8);
    bytes.writeUInt16LE(rule.ports[1], at + 10);
  });
}

/** A module with the given records; header fields are right unless overridden. */
function encode(programs: RawProgram[], header: RawHeader = {}): Buffer {
  const bytes = Buffer.alloc(HEADER + RECORD * programs.length);
  bytes.writeUInt32LE((header.magic ?? 0x464d5043) >>> 0, 0);
  bytes.writeUInt16LE(header.version ?? 2, 4);
  bytes.writeUInt16LE(header.count ?? programs.length, 6);
  bytes.writeUInt32LE((header.total ?? bytes.length) >>> 0, 8);
  bytes.writeUInt32LE((header.reserved ?? 0) >>> 0, 12);
  programs.forEach((program, index) => {
    const record = HEADER + RECORD * index;
    const name = typeof program.name === "string" ? Buffer.from(program.name, "latin1") : program.name;
    name.copy(bytes, record, 0, Math.min(name.length, 32));
    bytes.writeUInt32LE(program.quota >>> 0, record + 32);
    bytes.writeUInt32LE(program.mask >>> 0, record + 36);
    bytes.writeUInt32LE(program.flags >>> 0, record + 40);
    bytes.writeUInt32LE((program.reserved ?? 0) >>> 0, record + 44);
    if (program.network) encodeNetwork(bytes, record, program.network);
  });
  return bytes;
}

/** A well-formed block: local ports 5000..5999, two peers (the slirp subnet, any DNS server). */
const NET: RawNetwork = { ports: [5000, 5999], rules: [{ address: ip("10.0.2.0"), prefix: 24, ports: [1, 65535] }, { address: 0, prefix: 0, ports: [53, 53] }] };

const init = (overrides: Partial<RawProgram> = {}): RawProgram => ({ name: "init", quota: 4096, mask: 0x1e, flags: 1, ...overrides });
const other = (name: string, overrides: Partial<RawProgram> = {}): RawProgram => ({ name, quota: 256, mask: 0x0a, flags: 0, ...overrides });
/** init, hello, probe: the base most rule tests break one field of. */
const base = (hello: Partial<RawProgram> = {}): RawProgram[] => [init(), other("hello", hello), other("probe")];
/** The base with hello holding the network grant and `network` as its block. */
const networked = (network: RawNetwork, hello: Partial<RawProgram> = {}): RawProgram[] => base({ mask: 0x0a | NETWORK, network, ...hello });
const ZERO_RULE: RawRule = { address: 0, prefix: 0, ports: [0, 0] };
/** NET with its rule `index` changed. */
const netRule = (index: number, change: Partial<RawRule>): RawNetwork => ({ ...NET, rules: NET.rules.map((rule, i) => (i === index ? { ...rule, ...change } : rule)) });

// --- a reference decoder, the fuzz loop's oracle ------------------------------------------------

interface Rule { address: number; prefix: number; ports: [number, number] }
interface Network { ports: [number, number]; rules: Rule[] }
/** `linux` is present (true) only for a Linux program (flags bit 1), `namespaceWritable` only
 * for a writable namespace grant (flags bit 2, with the namespace grant bit). */
interface Program {
  name: string; memoryQuotaPages: number; grantMask: number; startAtBoot: boolean; network: Network | null; linux?: true; namespaceWritable?: true;
}
interface Parsed { error: number; reason: string; programs: Program[] | null }

const portRange = (low: number, high: number) => low >= 1 && low <= high; // u16 fields: high <= 65535
const prefixMask = (prefix: number) => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/** The network block of `record` by docs/abi/manifest.md: null without the grant (the block must
 * then be zero), the policy with it, "broken" for a broken rule. */
function referenceNetwork(record: Buffer, grantMask: number): Network | null | "broken" {
  const block = record.subarray(NETWORK_BLOCK, RECORD);
  if ((grantMask & NETWORK) === 0) return block.every((byte) => byte === 0) ? null : "broken";
  const ports: [number, number] = [record.readUInt16LE(NETWORK_BLOCK), record.readUInt16LE(NETWORK_BLOCK + 2)];
  const count = record.readUInt32LE(NETWORK_BLOCK + 4);
  if (!portRange(...ports) || count > RULES_MAXIMUM) return "broken";
  const rules: Rule[] = [];
  for (let index = 0; index < RULES_MAXIMUM; index++) {
    const at = RULES + RULE * index;
    const rule: Rule = { address: record.readUInt32LE(at), prefix: record[at + 4], ports: [record.readUInt16LE(at + 8), record.readUInt16LE(at + 10)] };
    const padding = record[at + 5] | record.readUInt16LE(at + 6);
    if (index >= count) {
      if (record.subarray(at, at + RULE).some((byte) => byte !== 0)) return "broken";
      continue;
    }
    if (padding !== 0 || rule.prefix > 32 || (rule.address & ~prefixMask(rule.prefix)) !== 0 || !portRange(...rule.ports)) return "broken";
    rules.push(rule);
  }
  return { ports, rules };
}

/** The rules of docs/abi/manifest.md, in the parser's order of checks only where that decides the
 * error kind (header fields before the length comparison). */
function reference(bytes: Buffer): { error: number; programs: Program[] | null } {
  const malformed = { error: MALFORMED, programs: null };
  if (bytes.length < HEADER) return { error: TRUNCATED, programs: null };
  const count = bytes.readUInt16LE(6);
  if (bytes.readUInt32LE(0) !== 0x464d5043 || bytes.readUInt16LE(4) !== 2 || count < 1 || count > 128
      || bytes.readUInt32LE(8) !== HEADER + RECORD * count) return malformed;
  if (bytes.length < HEADER + RECORD * count) return { error: TRUNCATED, programs: null };
  if (bytes.length > HEADER + RECORD * count || bytes.readUInt32LE(12) !== 0) return malformed;
  const programs: Program[] = [];
  for (let index = 0; index < count; index++) {
    const record = bytes.subarray(HEADER + RECORD * index, HEADER + RECORD * (index + 1));
    const field = record.subarray(0, 32);
    const end = field.indexOf(0);
    const name = field.subarray(0, end < 0 ? 32 : end).toString("latin1");
    if (!/^[a-z0-9-]{1,31}$/.test(name) || field.subarray(name.length).some((byte) => byte !== 0)) return malformed;
    const grantMask = record.readUInt32LE(36);
    const network = referenceNetwork(record, grantMask);
    if (network === "broken") return malformed;
    const program: Program = { name, memoryQuotaPages: record.readUInt32LE(32), grantMask, startAtBoot: (record.readUInt32LE(40) & 1) === 1, network,
      ...((record.readUInt32LE(40) & 2) !== 0 ? { linux: true as const } : {}),
      ...((record.readUInt32LE(40) & 4) !== 0 ? { namespaceWritable: true as const } : {}) };
    if (programs.some((earlier) => earlier.name === name) || program.memoryQuotaPages < 1 || program.memoryQuotaPages > 262144
        || (program.grantMask & ~ALL_GRANTS) !== 0 || (record.readUInt32LE(40) & ~7) !== 0 || record.readUInt32LE(44) !== 0
        || ((record.readUInt32LE(40) & 4) !== 0 && (grantMask & NAMESPACE) === 0)
        || (program.startAtBoot && name !== "init")) return malformed;
    programs.push(program);
  }
  return programs.some((program) => program.startAtBoot) ? { error: NONE, programs } : malformed;
}

// --- the compiler -------------------------------------------------------------------------------

const compiler = suite("boot manifest compiler (tools/manifest.ts)");

const json = (value: unknown) => JSON.stringify(value);
const INIT = { name: "init", start: true, memoryQuotaPages: 4096, grants: ["console"] };
const HELLO = { name: "hello", memoryQuotaPages: 256, grants: ["console", "memory"] };
const PEER = { prefix: "0.0.0.0/0", ports: [53, 53] };
const NETWORK_KEY = { ports: [5000, 5999], peers: [PEER] };
/** init, then hello with `grants` (default: console and network) and `network` as its network key. */
const net = (network: unknown, grants = ["console", "network"]) => json({ programs: [INIT, { ...HELLO, grants, network }] });
/** `text` with the regular expression's special characters escaped. */
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

compiler("a small manifest compiles to exactly the bytes of the format", () => {
  const bytes = compileManifest(json({ programs: [
    { name: "init", start: true, memoryQuotaPages: 4096, grants: ["console", "process-handle"] },
    { name: "a-1", start: false, memoryQuotaPages: 262144, grants: [] },
  ] }));
  const nul = (count: number) => "00".repeat(count);
  const expected = "43504d46" + "0200" + "0200" + "e0000000" + "00000000"          // CPMF, v2, 2 programs, 224 bytes
    + "696e6974" + nul(28) + "00100000" + "22000000" + "01000000" + "00000000"       // init: 4096, bits 1|5, start
    + nul(56)                                                                        //   no network block
    + "612d31" + nul(29) + "00000400" + "00000000" + "00000000" + "00000000"          // a-1: 262144, no grants
    + nul(56);                                                                       //   no network block
  assert.is(bytes.toString("hex"), expected);
});

compiler("a network key compiles to exactly the bytes of the network block", () => {
  const bytes = compileManifest(json({ programs: [
    { ...INIT, grants: ["console", "network"], network: { ports: [1024, 2047], peers: [
      { prefix: "10.0.2.0/24", ports: [53, 53] }, { prefix: "0.0.0.0/0", ports: [1, 65535] }, { prefix: "192.168.1.7/32", ports: [7, 9] },
    ] } },
  ] }));
  const nul = (count: number) => "00".repeat(count);
  const expected = "43504d46" + "0200" + "0100" + "78000000" + "00000000"           // CPMF, v2, 1 program, 120 bytes
    + "696e6974" + nul(28) + "00100000" + "02400000" + "01000000" + "00000000"       // init: 4096, bits 1|14, start
    + "0004" + "ff07" + "03000000"                                                   // local ports 1024..2047, 3 rules
    + "0002000a" + "18" + "00" + "0000" + "3500" + "3500"                            // 10.0.2.0/24, ports 53..53
    + "00000000" + "00" + "00" + "0000" + "0100" + "ffff"                            // 0.0.0.0/0, ports 1..65535
    + "0701a8c0" + "20" + "00" + "0000" + "0700" + "0900"                            // 192.168.1.7/32, ports 7..9
    + nul(12);                                                                       // the unused fourth rule
  assert.is(bytes.toString("hex"), expected);
  // No peers at all is a grant of local ports only.
  const portsOnly = compileManifest(json({ programs: [{ ...INIT, grants: ["network"], network: { ports: [1, 65535], peers: [] } }] }));
  assert.is(portsOnly.subarray(HEADER + 48).toString("hex"), "0100" + "ffff" + "00000000" + nul(48));
});

compiler("every grant name sets its own bit; grant order does not matter", () => {
  const network = { ports: [1, 65535], peers: [] };
  const mask = (grants: string[]) => compileManifest(json({ programs: [{ ...INIT, grants, ...(grants.includes("network") ? { network } : {}) }] })).readUInt32LE(HEADER + 36);
  assert.is(mask(["console"]), 1 << 1);
  assert.is(mask(["timer"]), 1 << 2);
  assert.is(mask(["memory"]), 1 << 3);
  assert.is(mask(["process-spawner"]), 1 << 4);
  assert.is(mask(["process-handle"]), 1 << 5);
  assert.is(mask(["endpoint"]), 1 << 6);
  assert.is(mask(["endpoint-client"]), 1 << 7);
  assert.is(mask(["shared-memory"]), 1 << 13);
  assert.is(mask(["network"]), 1 << 14);
  assert.is(mask(["udp-socket"]), 1 << 15);
  for (const [name, value] of GRANTS) assert.is(mask([name]), 1 << value, name);
  assert.is(mask([...GRANTS.keys()]), ALL_GRANTS);
  assert.is(mask([...GRANTS.keys()].reverse()), ALL_GRANTS);
  assert.is(mask([]), 0);
});

compiler("the real userspace/manifest.json compiles: init first and starting", () => {
  const bytes = compileManifest(readFileSync(REAL_MANIFEST, "utf8"));
  const decoded = reference(bytes);
  assert.is(decoded.error, NONE);
  assert.is(bytes.length, HEADER + RECORD * decoded.programs!.length);
  assert.equal(decoded.programs!.filter((program) => program.startAtBoot).map((program) => program.name), ["init"]);
});

compiler("network limits are inclusive: ports 1 and 65535, a single port, 4 peers, prefix lengths 0 and 32", () => {
  const network = { ports: [65535, 65535], peers: [
    { prefix: "0.0.0.0/0", ports: [1, 65535] }, { prefix: "255.255.255.255/32", ports: [65535, 65535] },
    { prefix: "128.0.0.0/1", ports: [1, 1] }, { prefix: "10.0.2.2/31", ports: [2, 3] },
  ] };
  const bytes = compileManifest(json({ programs: [INIT, { ...HELLO, grants: ["network"], network }] }));
  const decoded = reference(bytes);
  assert.is(decoded.error, NONE);
  assert.equal(decoded.programs![1].network, { ports: [65535, 65535], rules: [
    { address: 0, prefix: 0, ports: [1, 65535] }, { address: 0xffffffff, prefix: 32, ports: [65535, 65535] },
    { address: 0x80000000, prefix: 1, ports: [1, 1] }, { address: ip("10.0.2.2"), prefix: 31, ports: [2, 3] },
  ] });
  assert.is(decoded.programs![0].network, null);
});

compiler("limits are inclusive: 128 programs, quotas 1 and 262144, a 31-character name", () => {
  const programs = [INIT, ...Array.from({ length: 127 }, (_, index) => ({ name: `p${index}`, memoryQuotaPages: index % 2 ? 1 : 262144, grants: [] }))];
  programs[1] = { name: "a".repeat(31), memoryQuotaPages: 1, grants: [] };
  const bytes = compileManifest(json({ programs }));
  assert.is(bytes.length, HEADER + RECORD * 128);
  assert.is(reference(bytes).error, NONE);
  assert.is(bytes.subarray(HEADER + RECORD, HEADER + RECORD + 32).toString("latin1"), "a".repeat(31) + "\0");
});

const INVALID: [what: string, text: string, message: RegExp][] = [
  ["not JSON", "{ programs: [] }", /^not valid JSON: /],
  ["an array at the top level", json([INIT]), /top level must be an object with a "programs" array/],
  ["null at the top level", "null", /top level must be an object/],
  ["an unknown top-level key", json({ programs: [INIT], kernel: "capsid" }), /^the top level: unknown key "kernel" \(known: programs\)/],
  ["no programs", json({}), /"programs" must be an array/],
  ["programs not an array", json({ programs: { init: INIT } }), /"programs" must be an array/],
  ["zero programs", json({ programs: [] }), /"programs" has 0 entries; 1\.\.128/],
  ["129 programs", json({ programs: [INIT, ...Array.from({ length: 128 }, (_, index) => ({ ...HELLO, name: `p${index}` }))] }), /"programs" has 129 entries/],
  ["a program that is not an object", json({ programs: [INIT, "hello"] }), /^program 1: must be an object/],
  ["an unknown program key", json({ programs: [INIT, { ...HELLO, grant: ["timer"] }] }), /^program 1: unknown key "grant" \(known: name, start, personality, memoryQuotaPages, grants, network\)/],
  ["an unknown personality", json({ programs: [INIT, { ...HELLO, personality: "windows" }] }), /^program 1 \("hello"\): "personality" must be one of native, linux, not "windows"/],
  ["a program without a name", json({ programs: [INIT, { memoryQuotaPages: 1, grants: [] }] }), /^program 1: "name" must be a string/],
  ["a numeric name", json({ programs: [INIT, { ...HELLO, name: 7 }] }), /^program 1: "name" must be a string/],
  ["an empty name", json({ programs: [INIT, { ...HELLO, name: "" }] }), /^program 1: name "" must be 1\.\.31 characters of \[a-z0-9-\]/],
  ["a 32-character name", json({ programs: [INIT, { ...HELLO, name: "a".repeat(32) }] }), /^program 1: name "a{32}" must be 1\.\.31 characters/],
  ["an uppercase name", json({ programs: [INIT, { ...HELLO, name: "Hello" }] }), /^program 1: name "Hello" must be/],
  ["a name with an underscore", json({ programs: [INIT, { ...HELLO, name: "hello_world" }] }), /^program 1: name "hello_world" must be/],
  ["a name with a space", json({ programs: [INIT, { ...HELLO, name: "hello " }] }), /^program 1: name "hello " must be/],
  ["a non-ASCII name", json({ programs: [INIT, { ...HELLO, name: "héllo" }] }), /^program 1: name "héllo" must be/],
  ["a name with a NUL", json({ programs: [INIT, { ...HELLO, name: "he\0llo" }] }), /^program 1: name "he\\u0000llo" must be/],
  ["a duplicate name", json({ programs: [INIT, HELLO, { ...HELLO, memoryQuotaPages: 1 }] }), /^program 2 \("hello"\): name already used by program 1/],
  ["start not a boolean", json({ programs: [{ ...INIT, start: "yes" }] }), /^program 0 \("init"\): "start" must be true or false/],
  ["start on a program not named init", json({ programs: [INIT, { ...HELLO, start: true }] }), /^program 1 \("hello"\): "start" is true, which only "init" may have/],
  ["no program starting", json({ programs: [{ ...INIT, start: false }, HELLO] }), /^no program has "start": true/],
  ["init present but not starting, hello starting", json({ programs: [{ ...HELLO, start: true }, { ...INIT, start: false }] }), /^program 0 \("hello"\): "start" is true/],
  ["no memoryQuotaPages", json({ programs: [INIT, { name: "hello", grants: [] }] }), /^program 1 \("hello"\): "memoryQuotaPages" must be an integer in 1\.\.262144, not undefined/],
  ["memoryQuotaPages 0", json({ programs: [INIT, { ...HELLO, memoryQuotaPages: 0 }] }), /"memoryQuotaPages" must be an integer in 1\.\.262144, not 0/],
  ["memoryQuotaPages 262145", json({ programs: [INIT, { ...HELLO, memoryQuotaPages: 262145 }] }), /not 262145/],
  ["memoryQuotaPages negative", json({ programs: [INIT, { ...HELLO, memoryQuotaPages: -1 }] }), /not -1/],
  ["memoryQuotaPages fractional", json({ programs: [INIT, { ...HELLO, memoryQuotaPages: 2.5 }] }), /not 2\.5/],
  ["memoryQuotaPages a string", json({ programs: [INIT, { ...HELLO, memoryQuotaPages: "256" }] }), /not "256"/],
  ["no grants", json({ programs: [INIT, { name: "hello", memoryQuotaPages: 1 }] }), /^program 1 \("hello"\): "grants" must be an array of interface names/],
  ["grants a string", json({ programs: [INIT, { ...HELLO, grants: "console" }] }), /"grants" must be an array/],
  ["an unknown grant", json({ programs: [INIT, { ...HELLO, grants: ["console", "disk"] }] }), new RegExp(`^program 1 \\("hello"\\): unknown grant "disk" \\(known: ${[...GRANTS.keys(), "namespace-rw"].join(", ")}\\)`)],
  ["namespace and namespace-rw", json({ programs: [INIT, { ...HELLO, grants: ["namespace", "namespace-rw"] }] }), /^program 1 \("hello"\): grant "namespace-rw" is listed twice/],
  ["the grant none", json({ programs: [INIT, { ...HELLO, grants: ["none"] }] }), /unknown grant "none"/],
  ["a grant in the wrong case", json({ programs: [INIT, { ...HELLO, grants: ["Console"] }] }), /unknown grant "Console"/],
  ["a numeric grant", json({ programs: [INIT, { ...HELLO, grants: [1] }] }), /unknown grant 1 /],
  ["a grant listed twice", json({ programs: [INIT, { ...HELLO, grants: ["console", "memory", "console"] }] }), /^program 1 \("hello"\): grant "console" is listed twice/],
  // The network key: present exactly with the network grant, and what it says well-formed.
  ["a network key without the network grant", net({ ports: [1, 2], peers: [] }, ["console"]), /^program 1 \("hello"\): the "network" grant and the "network" key go together/],
  ["the network grant without a network key", json({ programs: [INIT, { ...HELLO, grants: ["console", "network"] }] }), /^program 1 \("hello"\): the "network" grant and the "network" key go together/],
  ["a network key with only the udp-socket grant", net({ ports: [1, 2], peers: [] }, ["udp-socket"]), /^program 1 \("hello"\): the "network" grant and the "network" key go together/],
  ["a null network key", net(null), /^program 1 \("hello"\): "network" must be an object with "ports" and "peers"/],
  ["a network key that is an array", net([[1, 2], []]), /^program 1 \("hello"\): "network" must be an object/],
  ["an unknown key in network", net({ ...NETWORK_KEY, protocol: "udp" }), /^program 1 \("hello"\): network: unknown key "protocol" \(known: ports, peers\)/],
  ["an unknown key in a peer", net({ ...NETWORK_KEY, peers: [{ prefix: "10.0.2.0/24", ports: [1, 2], port: 53 }] }), /^program 1 \("hello"\): network peer 0: unknown key "port" \(known: prefix, ports\)/],
  ["no network ports", net({ peers: [] }), /^program 1 \("hello"\): network: "ports" must be \[low, high\] with 1 <= low <= high <= 65535, not undefined/],
  ["network ports from 0", net({ ...NETWORK_KEY, ports: [0, 10] }), /network: "ports" must be \[low, high\] .*, not \[0,10\]$/],
  ["network ports 0..0", net({ ...NETWORK_KEY, ports: [0, 0] }), /network: "ports" must be .*, not \[0,0\]$/],
  ["network ports reversed", net({ ...NETWORK_KEY, ports: [10, 9] }), /network: "ports" must be .*, not \[10,9\]$/],
  ["network ports past 65535", net({ ...NETWORK_KEY, ports: [1, 65536] }), /network: "ports" must be .*, not \[1,65536\]$/],
  ["network ports fractional", net({ ...NETWORK_KEY, ports: [1.5, 2] }), /network: "ports" must be .*, not \[1\.5,2\]$/],
  ["network ports of one number", net({ ...NETWORK_KEY, ports: [53] }), /network: "ports" must be .*, not \[53\]$/],
  ["network ports of three numbers", net({ ...NETWORK_KEY, ports: [1, 2, 3] }), /network: "ports" must be .*, not \[1,2,3\]$/],
  ["network ports as text", net({ ...NETWORK_KEY, ports: "1-10" }), /network: "ports" must be .*, not "1-10"$/],
  ["no peers", net({ ports: [1, 2] }), /^program 1 \("hello"\): network "peers" must be an array of at most 4 rules/],
  ["peers not an array", net({ ...NETWORK_KEY, peers: { prefix: "10.0.2.0/24", ports: [1, 2] } }), /network "peers" must be an array of at most 4 rules/],
  ["5 peers", net({ ...NETWORK_KEY, peers: Array.from({ length: 5 }, (_, i) => ({ prefix: `10.0.${i}.0/24`, ports: [1, 2] })) }), /^program 1 \("hello"\): network "peers" must be an array of at most 4 rules/],
  ["a peer that is not an object", net({ ...NETWORK_KEY, peers: ["10.0.2.0/24"] }), /^program 1 \("hello"\): network peer 0: must be an object with "prefix" and "ports"/],
  ...([
    ["no length", "10.0.2.0"], ["length 33", "10.0.2.0/33"], ["a part of 256", "256.0.0.0/8"], ["three parts", "10.0.2/24"], ["five parts", "10.0.2.0.1/24"],
    ["a leading space", " 10.0.2.0/24"], ["a three-digit length", "10.0.2.0/024"], ["an empty length", "10.0.2.0/"], ["IPv6", "::1/128"], ["a host name", "gateway/32"],
  ] as const).map(([how, prefix]): [string, string, RegExp] => [
    `a prefix with ${how}`, net({ ...NETWORK_KEY, peers: [{ prefix, ports: [1, 2] }] }),
    new RegExp(`^program 1 \\("hello"\\): network peer 0: "prefix" must be "A\\.B\\.C\\.D/N" with N in 0\\.\\.32, not ${escape(JSON.stringify(prefix))}$`),
  ]),
  ["a numeric prefix", net({ ...NETWORK_KEY, peers: [{ prefix: 167772672, ports: [1, 2] }] }), /network peer 0: "prefix" must be "A\.B\.C\.D\/N" with N in 0\.\.32, not 167772672$/],
  ["no prefix", net({ ...NETWORK_KEY, peers: [{ ports: [1, 2] }] }), /network peer 0: "prefix" must be .*, not undefined$/],
  ["address bits past a /24", net({ ...NETWORK_KEY, peers: [{ prefix: "10.0.2.1/24", ports: [1, 2] }] }), /^program 1 \("hello"\): network peer 0: 10\.0\.2\.1\/24 has address bits set past its prefix$/],
  ["address bits past a /0", net({ ...NETWORK_KEY, peers: [{ prefix: "0.0.0.1/0", ports: [1, 2] }] }), /network peer 0: 0\.0\.0\.1\/0 has address bits set past its prefix$/],
  ["address bits past a /31", net({ ...NETWORK_KEY, peers: [{ prefix: "10.0.2.3/31", ports: [1, 2] }] }), /network peer 0: 10\.0\.2\.3\/31 has address bits set past its prefix$/],
  ["no peer ports", net({ ...NETWORK_KEY, peers: [PEER, { prefix: "10.0.2.0/24" }] }), /^program 1 \("hello"\): network peer 1: "ports" must be \[low, high\] with 1 <= low <= high <= 65535, not undefined$/],
  ["peer ports from 0", net({ ...NETWORK_KEY, peers: [PEER, { prefix: "10.0.2.0/24", ports: [0, 53] }] }), /network peer 1: "ports" must be .*, not \[0,53\]$/],
  ["peer ports reversed", net({ ...NETWORK_KEY, peers: [PEER, { prefix: "10.0.2.0/24", ports: [53, 52] }] }), /network peer 1: "ports" must be .*, not \[53,52\]$/],
  ["peer ports past 65535", net({ ...NETWORK_KEY, peers: [PEER, { prefix: "10.0.2.0/24", ports: [53, 70000] }] }), /network peer 1: "ports" must be .*, not \[53,70000\]$/],
];

compiler("each broken rule is refused with a message naming the program and the rule", () => {
  for (const [what, text, message] of INVALID) {
    let thrown: unknown;
    try {
      compileManifest(text);
    } catch (error) {
      thrown = error;
    }
    assert.ok(thrown instanceof ManifestError, `${what}: refused with a ManifestError (got ${String(thrown)})`);
    assert.match((thrown as ManifestError).message, message, what);
  }
});

compiler("the command line writes the module, or exits 1 with the message and writes nothing", () => {
  const directory = mkdtempSync(join(tmpdir(), "capsid-manifest-"));
  const run = (input: string, output: string) => spawnSync(join(REPOSITORY, "node_modules/.bin/tsx"), ["tools/manifest.ts", input, output], { cwd: REPOSITORY, encoding: "utf8" });
  let result = run(REAL_MANIFEST, join(directory, "user/manifest.bin"));
  assert.is(result.status, 0, result.stderr);
  assert.equal(readFileSync(join(directory, "user/manifest.bin")), compileManifest(readFileSync(REAL_MANIFEST, "utf8")));
  const bad = join(directory, "bad.json");
  writeFileSync(bad, json({ programs: [INIT, { ...HELLO, grants: ["disk"] }] }));
  result = run(bad, join(directory, "bad.bin"));
  assert.is(result.status, 1);
  assert.match(result.stderr, /^manifest: .*bad\.json: program 1 \("hello"\): unknown grant "disk"/);
  assert.not.ok(existsSync(join(directory, "bad.bin")));
});

compiler.run();

// --- the kernel's parser ------------------------------------------------------------------------

const parser = suite("boot manifest parser (kernel/loader/manifest.ts)");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let memoryEnd: number;

parser.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/manifest.ts"));
});
parser.before.each(() => {
  wasm = instantiate(module);
  memoryEnd = wasm.exports.reserveTop(TOP_PAGES);
});

const readString = (address: number) => wasm.readString(address);

const placeAtEnd = (bytes: Buffer) => wasm.placeAtEnd(bytes, memoryEnd);

function parseAt(address: number, length: bigint): Parsed {
  const e = wasm.exports;
  e.parse(address, length);
  assert.equal(wasm.aborts, [], "no abort");
  assert.is(e.memoryEnd(), memoryEnd, "linear memory did not grow (the end-of-memory guard holds)");
  const network = (index: number): Network | null => (e.programHasNetwork(index) !== 1 ? null : {
    ports: [e.programNetworkPortLow(index) >>> 0, e.programNetworkPortHigh(index) >>> 0],
    rules: Array.from({ length: e.programNetworkRuleCount(index) }, (_, rule): Rule => ({
      address: e.programNetworkRuleAddress(index, rule) >>> 0, prefix: e.programNetworkRulePrefix(index, rule) >>> 0,
      ports: [e.programNetworkRulePortLow(index, rule) >>> 0, e.programNetworkRulePortHigh(index, rule) >>> 0],
    })),
  });
  const programs = e.hasManifest()
    ? Array.from({ length: e.programCount() }, (_, index): Program => ({
        name: readString(e.programName(index)), memoryQuotaPages: e.programMemoryQuotaPages(index) >>> 0,
        grantMask: e.programGrantMask(index) >>> 0, startAtBoot: e.programStartAtBoot(index) === 1, network: network(index),
        ...(e.programLinux(index) === 1 ? { linux: true as const } : {}),
        ...(e.programNamespaceWritable(index) === 1 ? { namespaceWritable: true as const } : {}),
      }))
    : null;
  return { error: e.error(), reason: readString(e.reason()), programs };
}

/** Parses `bytes` placed flush against the end of memory, length exactly theirs. */
const parse = (bytes: Buffer): Parsed => parseAt(placeAtEnd(bytes), BigInt(bytes.length));

function assertRefused(parsed: Parsed, error: number, reason: RegExp, what = ""): void {
  assert.is(parsed.error, error, `${what} error kind; reason: ${parsed.reason}`);
  assert.match(parsed.reason, reason, what);
  assert.is(parsed.programs, null, `${what} no manifest when refused`);
}

const findIndex = (name: string): number => wasm.exports.findIndex(wasm.string(name));

parser("the end-of-memory guard works: a load one byte past the end traps", () => {
  assert.is(wasm.exports.peek(memoryEnd - 1), 0);
  assert.throws(() => wasm.exports.peek(memoryEnd), /out of bounds/);
});

parser("the compiler's grant names are the kernel's interface names, every value 1..INTERFACE_COUNT-1, none beyond", () => {
  for (const [name, value] of GRANTS) assert.is(readString(wasm.exports.interfaceNameOf(value)), name);
  assert.equal([...GRANTS.values()], Array.from({ length: INTERFACE_COUNT - 1 }, (_, i) => i + 1));
  assert.is(readString(wasm.exports.interfaceNameOf(0)), "none");
  assert.is(readString(wasm.exports.interfaceNameOf(INTERFACE_COUNT)), "none", "a new interface needs a grant name, a mask bit and docs");
});

/** A "network" key of the JSON source as the policy the kernel should hold. */
const policyOf = (network: { ports: [number, number]; peers: { prefix: string; ports: [number, number] }[] } | undefined): Network | null => (network === undefined ? null : {
  ports: network.ports,
  rules: network.peers.map((peer) => ({ address: ip(peer.prefix.split("/")[0]), prefix: Number(peer.prefix.split("/")[1]), ports: peer.ports })),
});

parser("the real userspace/manifest.json: every program, quota, grant mask, network policy and the start flag", () => {
  type Source = { name: string; start?: boolean; personality?: string; memoryQuotaPages: number; grants: string[]; network?: Parameters<typeof policyOf>[0] };
  const source = JSON.parse(readFileSync(REAL_MANIFEST, "utf8")) as { programs: Source[] };
  const parsed = parse(compileManifest(readFileSync(REAL_MANIFEST, "utf8")));
  assert.is(parsed.error, NONE, parsed.reason);
  assert.is(parsed.reason, "");
  const expected = source.programs.map((program): Program => ({
    name: program.name, memoryQuotaPages: program.memoryQuotaPages,
    grantMask: program.grants.reduce((mask, grant) => mask | (1 << GRANTS.get(grant === "namespace-rw" ? "namespace" : grant)!), 0),
    startAtBoot: program.start === true, network: policyOf(program.network), ...(program.personality === "linux" ? { linux: true as const } : {}),
    ...(program.grants.includes("namespace-rw") ? { namespaceWritable: true as const } : {}),
  }));
  assert.ok(expected.some((program) => program.namespaceWritable), "some real program holds a writable namespace");
  assert.equal(parsed.programs, expected);
  assert.ok(expected.some((program) => program.network !== null), "some real program holds the network grant");
  // What the kernel's boot relies on, pinned literally.
  const initProgram = parsed.programs!.find((program) => program.name === "init");
  assert.equal(initProgram, { name: "init", memoryQuotaPages: 4096, grantMask: 0x1e, startAtBoot: true, network: null });
  assert.equal(parsed.programs!.filter((program) => program.startAtBoot).length, 1);
  assert.equal(parsed.programs!.find((program) => program.name === "hello"), { name: "hello", memoryQuotaPages: 256, grantMask: 0x0a, startAtBoot: false, network: null });
  assert.equal(parsed.programs!.find((program) => program.name === "net-check")!.network,
    { ports: [5000, 5999], rules: [{ address: ip("10.0.2.0"), prefix: 24, ports: [1, 65535] }, { address: ip("127.0.0.0"), prefix: 8, ports: [5000, 5999] }] }, "tests/qemu/udp.test.ts relies on net-check's grant");
  // Manifest.find and grantAllowed.
  source.programs.forEach((program, index) => {
    assert.is(findIndex(program.name), index, `find("${program.name}")`);
    for (let iface = -1; iface <= 40; iface++) {
      const allowed = program.grants.some((grant) => GRANTS.get(grant === "namespace-rw" ? "namespace" : grant) === iface);
      assert.is(wasm.exports.programGrantAllowed(index, iface) === 1, allowed, `${program.name}: grantAllowed(${iface})`);
    }
  });
  for (const absent of ["", "nope", "INIT", "ini", "init2", "hello "]) assert.is(findIndex(absent), -1, `find("${absent}")`);
});

parser("accepted edge cases: 128 programs, quotas 1 and 262144, masks 0 and every grant, names of 1 and 31 characters, init not first", () => {
  const programs = [
    other("a".repeat(31), { quota: 1, mask: 0 }), other("-", { quota: 262144, mask: ALL_GRANTS, network: { ports: [1, 65535], rules: [] } }), other("0"),
    init({ mask: 0 }), ...Array.from({ length: 124 }, (_, index) => other(`p-${index}`)),
  ];
  const parsed = parse(encode(programs));
  assert.is(parsed.error, NONE, parsed.reason);
  assert.is(parsed.programs!.length, 128);
  assert.equal(parsed.programs![0], { name: "a".repeat(31), memoryQuotaPages: 1, grantMask: 0, startAtBoot: false, network: null });
  assert.equal(parsed.programs![1], { name: "-", memoryQuotaPages: 262144, grantMask: ALL_GRANTS, startAtBoot: false, network: { ports: [1, 65535], rules: [] } });
  assert.equal(parsed.programs![3], { name: "init", memoryQuotaPages: 4096, grantMask: 0, startAtBoot: true, network: null });
  assert.is(findIndex("init"), 3);
  assert.is(findIndex("p-59"), 63);
  for (let iface = 0; iface < INTERFACE_COUNT; iface++) assert.is(wasm.exports.programGrantAllowed(3, iface), 0, "init with an empty mask");
});

parser("a network block is accepted with its policy: ports, 0..4 peer rules at their limits, on init and on other programs", () => {
  const four: RawNetwork = { ports: [65535, 65535], rules: [
    { address: 0, prefix: 0, ports: [1, 65535] }, { address: 0xffffffff, prefix: 32, ports: [65535, 65535] },
    { address: 0x80000000, prefix: 1, ports: [1, 1] }, { address: ip("172.16.0.0"), prefix: 12, ports: [1000, 2000] },
  ] };
  const programs = [
    init({ mask: 0x1e | NETWORK, network: NET }), other("four", { mask: NETWORK, network: four }),
    other("ports-only", { mask: 0x0a | NETWORK, network: { ports: [1, 1], rules: [] } }),
    other("socket-only", { mask: 0x0a | (1 << 15) }), other("hello"),
  ];
  const bytes = encode(programs);
  const parsed = parse(bytes);
  assert.is(parsed.error, NONE, parsed.reason);
  const policies = parsed.programs!.map((program) => program.network);
  assert.equal(policies[0], { ports: [5000, 5999], rules: [{ address: 0x0a000200, prefix: 24, ports: [1, 65535] }, { address: 0, prefix: 0, ports: [53, 53] }] });
  assert.equal(policies[1], { ports: [65535, 65535], rules: [
    { address: 0, prefix: 0, ports: [1, 65535] }, { address: 0xffffffff, prefix: 32, ports: [65535, 65535] },
    { address: 0x80000000, prefix: 1, ports: [1, 1] }, { address: 0xac100000, prefix: 12, ports: [1000, 2000] },
  ] });
  assert.equal(policies[2], { ports: [1, 1], rules: [] });
  assert.is(policies[3], null, "the udp-socket grant alone has no network block");
  assert.is(policies[4], null);
  assert.equal(parsed.programs, reference(bytes).programs, "the reference decoder agrees");
  assert.is(wasm.exports.programGrantAllowed(1, 14), 1);
  assert.is(wasm.exports.programGrantAllowed(3, 14), 0);
  assert.is(wasm.exports.programGrantAllowed(3, 15), 1);
});

const name = (text: string, tail: number[] = []) => Buffer.concat([Buffer.from(text, "latin1"), Buffer.from(tail)]);
/** The reason for peer rule `index` that NetworkPolicy.addRule refuses, as a regular expression's text. */
const NOT_A_RULE = (index: number) => `network peer rule ${index} is not a prefix \\(length 0\\.\\.32, no address bits past it\\) with ports within 1\\.\\.65535$`;
/** init and hello in the format before the network block: 48-byte records, version 1. */
const VERSION_1 = (() => {
  const bytes = Buffer.alloc(16 + 48 * 2);
  bytes.writeUInt32LE(0x464d5043, 0);
  bytes.writeUInt16LE(1, 4);
  bytes.writeUInt16LE(2, 6);
  bytes.writeUInt32LE(bytes.length, 8);
  [["init", 4096, 0x1e, 1], ["hello", 256, 0x0a, 0]].forEach(([program, quota, mask, flags], index) => {
    const record = 16 + 48 * index;
    bytes.write(program as string, record, "latin1");
    bytes.writeUInt32LE(quota as number, record + 32);
    bytes.writeUInt32LE(mask as number, record + 36);
    bytes.writeUInt32LE(flags as number, record + 40);
  });
  return bytes;
})();
const VIOLATIONS: [what: string, bytes: Buffer, error: number, reason: RegExp][] = [
  ["wrong magic", encode(base(), { magic: 0x444d5043 }), MALFORMED, /^magic 0x444d5043, not 0x464d5043 \("CPMF"\)$/],
  ["magic byte-swapped", encode(base(), { magic: 0x43504d46 }), MALFORMED, /^magic 0x43504d46/],
  ["version 0", encode(base(), { version: 0 }), MALFORMED, /^version 0, only version 2 is known$/],
  ["version 1", encode(base(), { version: 1 }), MALFORMED, /^version 1, only version 2 is known$/],
  ["version 3", encode(base(), { version: 3 }), MALFORMED, /^version 3, only version 2 is known$/],
  ["a whole version 1 module (48-byte records)", VERSION_1, MALFORMED, /^version 1, only version 2 is known$/],
  ["program count 0", encode([], {}), MALFORMED, /^program count 0 outside 1\.\.128$/],
  ["program count 129", encode(Array.from({ length: 129 }, (_, index) => index ? other(`p${index}`) : init())), MALFORMED, /^program count 129 outside 1\.\.128$/],
  ["program count 0xffff", encode(base(), { count: 0xffff }), MALFORMED, /^program count 65535 outside/],
  ["total length one record short", encode(base(), { total: 16 + 104 * 2 }), MALFORMED, /^total length 224, not 16 \+ 104 \* 3 = 328$/],
  ["total length of version 1's records", encode(base(), { total: 16 + 48 * 3 }), MALFORMED, /^total length 160, not 16 \+ 104 \* 3 = 328$/],
  ["total length 0", encode(base(), { total: 0 }), MALFORMED, /^total length 0, not/],
  ["total length 0xffffffff", encode(base(), { total: 0xffffffff }), MALFORMED, /^total length 4294967295, not/],
  ["count one more than the records", encode(base(), { count: 4, total: 16 + 104 * 4 }), TRUNCATED, /^module of 328 bytes, shorter than its total length 432$/],
  ["count one less than the records", encode(base(), { count: 2, total: 16 + 104 * 2 }), MALFORMED, /^module of 328 bytes, longer than its total length 224$/],
  ["one byte past the total length", Buffer.concat([encode(base()), Buffer.alloc(1)]), MALFORMED, /^module of 329 bytes, longer than its total length 328$/],
  ["header reserved field", encode(base(), { reserved: 1 }), MALFORMED, /^header reserved field 0x1, not 0$/],
  ["header reserved top bit", encode(base(), { reserved: 0x80000000 }), MALFORMED, /^header reserved field 0x80000000/],
  ["an empty name", encode(base({ name: "" })), MALFORMED, /^program 1: name is empty$/],
  ["a name starting with NUL then junk", encode(base({ name: name("", [0, 0x61]) })), MALFORMED, /^program 1: name is empty$/],
  ["an uppercase name", encode(base({ name: "Hello" })), MALFORMED, /^program 1: name has a character outside \[a-z0-9-\] \(0x48 at byte 0\)$/],
  ["a name with an underscore", encode(base({ name: "hel_lo" })), MALFORMED, /^program 1: name has a character outside \[a-z0-9-\] \(0x5f at byte 3\)$/],
  ["a name with a space", encode(base({ name: "hello world" })), MALFORMED, /\(0x20 at byte 5\)/],
  ["a name with a dot", encode(base({ name: "a.b" })), MALFORMED, /\(0x2e at byte 1\)/],
  ["a name with a slash", encode(base({ name: "/boot" })), MALFORMED, /\(0x2f at byte 0\)/],
  ["a name with a byte above 0x7f", encode(base({ name: name("h", [0xc3, 0xa9]) })), MALFORMED, /\(0xc3 at byte 1\)/],
  ["a name with 0xff", encode(base({ name: name("", [0xff]) })), MALFORMED, /\(0xff at byte 0\)/],
  ["a name with a control byte", encode(base({ name: name("a", [0x01]) })), MALFORMED, /\(0x1 at byte 1\)/],
  ["a name of 32 characters, no NUL", encode(base({ name: "b".repeat(32) })), MALFORMED, /^program 1: name has no NUL in its 32 bytes \(at most 31 characters\)$/],
  ["junk after the NUL", encode(base({ name: name("ab", [0, 0x63]) })), MALFORMED, /^program 1: name has a non-NUL byte after its terminating NUL \(at byte 3\)$/],
  ["junk in the last name byte", encode(base({ name: name("ab", [...Array(29).fill(0), 1]) })), MALFORMED, /after its terminating NUL \(at byte 31\)$/],
  ["a duplicate name", encode([init(), other("hello"), other("hello", { quota: 1 })]), MALFORMED, /^program 2 \("hello"\): name already used by program 1$/],
  ["a second init", encode([init(), other("init", { flags: 0 })]), MALFORMED, /^program 1 \("init"\): name already used by program 0$/],
  ["quota 0", encode(base({ quota: 0 })), MALFORMED, /^program 1 \("hello"\): memory quota of 0 pages outside 1\.\.262144$/],
  ["quota 262145", encode(base({ quota: 262145 })), MALFORMED, /memory quota of 262145 pages outside/],
  ["quota 0xffffffff", encode(base({ quota: 0xffffffff })), MALFORMED, /memory quota of 4294967295 pages outside/],
  ["grant bit 0 (None)", encode(base({ mask: 0x0b })), MALFORMED, new RegExp(`^program 1 \\("hello"\\): grant mask 0xb has bits outside 1\\.\\.${INTERFACE_COUNT - 1}$`)],
  ["grant bit past the interfaces", encode(base({ mask: (1 << INTERFACE_COUNT) | 0x0a })), MALFORMED, new RegExp(`grant mask 0x${((1 << INTERFACE_COUNT) | 0x0a).toString(16)} has bits outside 1\\.\\.${INTERFACE_COUNT - 1}$`)],
  ["grant bit 31", encode(base({ mask: 0x80000000 })), MALFORMED, /grant mask 0x80000000 has bits outside/],
  ["flag bit 2 without the namespace grant", encode(base({ flags: 4 })), MALFORMED, /^program 1 \("hello"\): flag 2 \(writable namespace\) without the namespace grant$/],
  ["flag bit 3", encode(base({ flags: 8 })), MALFORMED, /^program 1 \("hello"\): flags 0x8 has bits other than 0 \(start at boot\), 1 \(Linux\) and 2 \(writable namespace\)$/],
  ["flag bit 31 on init", encode([init({ flags: 0x80000001 }), other("hello")]), MALFORMED, /^program 0 \("init"\): flags 0x80000001/],
  ["program reserved field", encode(base({ reserved: 1 })), MALFORMED, /^program 1 \("hello"\): reserved field 0x1, not 0$/],
  ["program reserved top byte", encode(base({ reserved: 0xff000000 })), MALFORMED, /reserved field 0xff000000, not 0$/],
  ["the start flag on hello", encode(base({ flags: 1 })), MALFORMED, /^program 1 \("hello"\): has the start flag, which only "init" may have$/],
  ["the start flag on hello, none on init", encode([init({ flags: 0 }), other("hello", { flags: 1 })]), MALFORMED, /^program 1 \("hello"\): has the start flag/],
  ["no start flag anywhere", encode([init({ flags: 0 }), other("hello")]), MALFORMED, /^no program has the start flag \("init" must\)$/],
  ["no init at all", encode([other("hello"), other("probe")]), MALFORMED, /^no program has the start flag/],
  // The network block (kernel/loader/manifest.ts readNetwork, NetworkPolicy.setPorts/addRule).
  ["a network block without the grant: ports", encode(base({ network: NET })), MALFORMED, /^program 1 \("hello"\): network block byte 48 is not 0 without the network grant$/],
  ["a network block without the grant: only its last byte", encode(base({ network: { ports: [0, 0], count: 0, rules: [ZERO_RULE, ZERO_RULE, ZERO_RULE, { ...ZERO_RULE, ports: [0, 0x100] }] } })), MALFORMED, /^program 1 \("hello"\): network block byte 103 is not 0 without the network grant$/],
  ["a network block without the grant: only a rule's prefix", encode(base({ network: { ports: [0, 0], count: 0, rules: [{ address: 0, prefix: 8, ports: [0, 0] }] } })), MALFORMED, /network block byte 60 is not 0 without the network grant$/],
  ["a network block with the udp-socket grant only", encode(base({ mask: 0x0a | (1 << 15), network: NET })), MALFORMED, /^program 1 \("hello"\): network block byte 48 is not 0 without the network grant$/],
  ["the network grant with a zero block", encode(base({ mask: 0x0a | NETWORK })), MALFORMED, /^program 1 \("hello"\): network ports 0\.\.0 are not a range within 1\.\.65535$/],
  ["network ports from 0", encode(networked({ ...NET, ports: [0, 10] })), MALFORMED, /^program 1 \("hello"\): network ports 0\.\.10 are not a range within 1\.\.65535$/],
  ["network ports reversed", encode(networked({ ...NET, ports: [10, 9] })), MALFORMED, /network ports 10\.\.9 are not a range within 1\.\.65535$/],
  ["network ports 65535..1", encode(networked({ ...NET, ports: [65535, 1] })), MALFORMED, /network ports 65535\.\.1 are not a range/],
  ["network peer rule count 5", encode(networked({ ...NET, count: 5 })), MALFORMED, /^program 1 \("hello"\): network peer rule count 5 outside 0\.\.4$/],
  ["network peer rule count 0xffffffff", encode(networked({ ...NET, count: 0xffffffff })), MALFORMED, /network peer rule count 4294967295 outside 0\.\.4$/],
  ["a prefix length 33", encode(networked(netRule(0, { address: ip("10.0.2.0"), prefix: 33 }))), MALFORMED, new RegExp(`^program 1 \\("hello"\\): ${NOT_A_RULE(0)}`)],
  ["a prefix length 255", encode(networked(netRule(1, { prefix: 255 }))), MALFORMED, new RegExp(NOT_A_RULE(1))],
  ["address bits past a /24", encode(networked(netRule(0, { address: ip("10.0.2.1") }))), MALFORMED, new RegExp(NOT_A_RULE(0))],
  ["address bits past a /0", encode(networked(netRule(1, { address: 1 }))), MALFORMED, new RegExp(NOT_A_RULE(1))],
  ["address bits past a /31", encode(networked(netRule(0, { address: ip("10.0.2.3"), prefix: 31 }))), MALFORMED, new RegExp(NOT_A_RULE(0))],
  ["peer ports 0..0", encode(networked(netRule(1, { ports: [0, 0] }))), MALFORMED, new RegExp(NOT_A_RULE(1))],
  ["peer ports from 0", encode(networked(netRule(0, { ports: [0, 53] }))), MALFORMED, new RegExp(NOT_A_RULE(0))],
  ["peer ports reversed", encode(networked(netRule(1, { ports: [53, 52] }))), MALFORMED, new RegExp(NOT_A_RULE(1))],
  ["non-zero padding at +5", encode(networked(netRule(0, { padding: 0x01 }))), MALFORMED, /^program 1 \("hello"\): network peer rule 0 has non-zero padding$/],
  ["non-zero padding at +6", encode(networked(netRule(1, { padding: 0x0100 }))), MALFORMED, /^program 1 \("hello"\): network peer rule 1 has non-zero padding$/],
  ["non-zero padding at +7", encode(networked(netRule(1, { padding: 0x800000 }))), MALFORMED, /network peer rule 1 has non-zero padding$/],
  ["a non-zero unused rule after the used ones", encode(networked({ ...NET, count: 1 })), MALFORMED, /^program 1 \("hello"\): network peer rule 1 is unused but not zero$/],
  ["a non-zero unused rule with no rules used", encode(networked({ ...NET, count: 0 })), MALFORMED, /network peer rule 0 is unused but not zero$/],
  ["only the padding of the last unused rule", encode(networked({ ...NET, count: 2, rules: [...NET.rules, ZERO_RULE, { ...ZERO_RULE, padding: 0x800000 }] })), MALFORMED, /network peer rule 3 is unused but not zero$/],
  ["only the ports of an unused rule", encode(networked({ ...NET, count: 2, rules: [...NET.rules, { ...ZERO_RULE, ports: [0, 1] }] })), MALFORMED, /network peer rule 2 is unused but not zero$/],
  ["a broken network block on init", encode([init({ mask: 0x1e | NETWORK, network: { ...NET, ports: [0, 0] } }), other("hello")]), MALFORMED, /^program 0 \("init"\): network ports 0\.\.0 are not a range/],
];

parser("every broken rule refuses the whole module with its reason", () => {
  assert.is(parse(encode(base())).error, NONE, "the base every case breaks is valid");
  for (const [what, bytes, error, reason] of VIOLATIONS) {
    assertRefused(parse(bytes), error, reason, `${what}:`);
    assert.is(reference(bytes).error, error, `${what}: the reference decoder agrees`);
  }
});

parser("every truncation length is Truncated, without a read past it", () => {
  const real = compileManifest(readFileSync(REAL_MANIFEST, "utf8"));
  const largest = encode([init(), ...Array.from({ length: 63 }, (_, index) => other(`p${index}`))]);
  for (const whole of [real, largest]) {
    for (let length = 0; length < whole.length; length++) {
      const reason = length < HEADER ? new RegExp(`^module of ${length} bytes, shorter than the 16-byte header$`)
        : new RegExp(`^module of ${length} bytes, shorter than its total length ${whole.length}$`);
      assertRefused(parse(whole.subarray(0, length)), TRUNCATED, reason, `length ${length} of ${whole.length}:`);
    }
    assert.is(parse(whole).error, NONE);
  }
});

parser("the caller's range is respected: null address, a range past 4 GiB, absurd u64 lengths", () => {
  const bytes = encode(base());
  assertRefused(parseAt(0, BigInt(bytes.length)), MALFORMED, /^module at the null address$/);
  assertRefused(parseAt(0, 0n), TRUNCATED, /shorter than the 16-byte header/);
  const address = placeAtEnd(bytes);
  for (const length of [2n ** 32n, 2n ** 32n - BigInt(address) + 1n, 2n ** 63n, 2n ** 64n - 1n]) {
    // i64 parameters arrive from JS as signed: 2^63 and above wrap to negative BigInts.
    assertRefused(parseAt(address, BigInt.asIntN(64, length)), MALFORMED, new RegExp(`^module of ${length} bytes at 0x${address.toString(16)} runs past 4 GiB$`), `length ${length}:`);
  }
  // Exactly up to 4 GiB is a valid range, refused only for its length.
  assertRefused(parseAt(address, 2n ** 32n - BigInt(address)), MALFORMED, /longer than its total length 328$/);
});

// --- fuzzing ------------------------------------------------------------------------------------

const FUZZ_SEED = Number(process.env.MANIFEST_FUZZ_SEED ?? Math.floor(Math.random() * 0xffff_ffff)) >>> 0;
const FUZZ_ITERATIONS = 4000;
const QUOTAS = [0, 1, 2, 255, 256, 4096, 262143, 262144, 262145, 0x8000_0000, 0xffff_ffff];
const WORDS = [0, 1, 2, 4, 5, 16, 48, 64, 65, 104, 120, 536, 640, 744, 0x3e, 0x3f, 0x40, 0x4000, 0xc000, 0x464d5043, 0xffff, 0x1_0000, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff];
const PORTS = [0, 1, 2, 52, 53, 54, 1024, 5000, 5999, 65534, 65535];
const ADDRESSES = [0, 1, 0x0a000200, 0x0a000201, 0x0a00020f, 0x80000000, 0xc0a80107, 0xfffffffe, 0xffffffff];
const PREFIXES = [0, 0, 1, 8, 24, 24, 31, 32, 32, 33, 255];
const NAME_BYTES = Buffer.from("abcxyz019--\0\0\0\0A_. /\x7f\x80\xff", "latin1");

parser(`fuzz: ${FUZZ_ITERATIONS} mutated manifests never abort or read past their length; the accepted ones keep every rule (seed ${FUZZ_SEED}; replay with MANIFEST_FUZZ_SEED=${FUZZ_SEED})`, () => {
  const random = generator(FUZZ_SEED);
  const below = (limit: number) => Math.floor(random() * limit);
  const pick = <T>(values: readonly T[]): T => values[below(values.length)];
  const original = encode([
    other("hello"), other("probe", { mask: 0x0e }), init(), other("bench", { mask: ALL_GRANTS, quota: 262144, network: NET }),
    other("z".repeat(31), { quota: 1, mask: 0 }), other("-", { mask: 0x0a | NETWORK, network: { ports: [1, 65535], rules: [
      { address: 0, prefix: 0, ports: [1, 65535] }, { address: 0xffffffff, prefix: 32, ports: [65535, 65535] },
      { address: 0x80000000, prefix: 1, ports: [1, 1] }, { address: ip("10.0.2.0"), prefix: 24, ports: [53, 54] },
    ] } }),
  ]);
  const originalPolicies = JSON.stringify(reference(original).programs!.map((program) => program.network));
  let accepted = 0, acceptedNewPolicies = 0;
  for (let iteration = 0; iteration < FUZZ_ITERATIONS; iteration++) {
    let bytes = Buffer.from(original);
    const records = () => Math.floor((bytes.length - HEADER) / RECORD);
    const recordAt = () => HEADER + RECORD * below(records());
    const mutations = 1 + below(3);
    for (let m = 0; m < mutations; m++) {
      const choice = below(16);
      if (choice === 0) bytes[below(bytes.length)] ^= 1 << below(8);                               // a bit flip
      else if (choice === 1) bytes[below(bytes.length)] = below(256);                              // a random byte
      else if (choice === 2) bytes.writeUInt32LE(pick(WORDS) >>> 0, 4 * below(bytes.length / 4));  // a field-like word
      else if (choice === 3) bytes.writeUInt32LE(pick(QUOTAS) >>> 0, recordAt() + 32);             // a quota
      else if (choice === 4) bytes.writeUInt32LE(random() < 0.7 ? below(64) : (1 << below(32)) >>> 0, recordAt() + 36); // a mask
      else if (choice === 5) bytes.writeUInt32LE(pick([0, 0, 1, 1, 2, 3, 4, 6]), recordAt() + 40);      // flags
      else if (choice === 6) bytes[recordAt() + below(32)] = pick([...NAME_BYTES]);                // a name byte
      else if (choice === 7) bytes.copy(bytes, recordAt(), recordAt(), undefined);                 // a record (and what follows) over another
      else if (choice === 8) {                                                                      // two records swapped
        const [a, b] = [recordAt(), recordAt()];
        const saved = Buffer.from(bytes.subarray(a, a + RECORD));
        bytes.copy(bytes, a, b, b + RECORD);
        saved.copy(bytes, b);
      } else if (choice === 9 && records() > 1) {                                                   // the last record dropped
        bytes = bytes.subarray(0, bytes.length - RECORD);
        bytes.writeUInt16LE(records(), 6);
        bytes.writeUInt32LE(bytes.length, 8);
      } else if (choice === 10) {                                                                   // a record appended
        const start = recordAt();
        bytes = Buffer.concat([bytes, bytes.subarray(start, start + RECORD)]);
        bytes.writeUInt16LE(records(), 6);
        bytes.writeUInt32LE(bytes.length, 8);
      } else if (choice === 11) {                                                                   // a name replaced
        const start = recordAt();
        bytes.fill(0, start, start + 32);
        bytes.write(pick(["init", "hello", "a", "new-1", "x".repeat(31), "y".repeat(32)]), start, "latin1");
      } else if (choice === 12) bytes.writeUInt16LE(pick(PORTS), recordAt() + NETWORK_BLOCK + 2 * below(2)); // a local port
      else if (choice === 13) bytes.writeUInt32LE(pick([0, 1, 2, 3, 4, 4, 5, 0xffff_ffff]) >>> 0, recordAt() + NETWORK_BLOCK + 4); // a rule count
      else if (choice === 14) {                                                                     // a field of a peer rule
        const rule = recordAt() + RULES + RULE * below(RULES_MAXIMUM);
        const field = below(4);
        if (field === 0) bytes.writeUInt32LE(pick(ADDRESSES) >>> 0, rule);
        else if (field === 1) bytes[rule + 4] = pick(PREFIXES);
        else if (field === 2) bytes[rule + 5 + below(3)] = pick([0, 0, 1, 0x80]);
        else bytes.writeUInt16LE(pick(PORTS), rule + 8 + 2 * below(2));
      } else if (choice === 15) {                                                                   // the network grant toggled
        const at = recordAt() + 36;
        bytes.writeUInt32LE((bytes.readUInt32LE(at) ^ NETWORK) >>> 0, at);
      }
    }
    if (random() < 0.1) bytes = bytes.subarray(0, below(bytes.length)); // cut short
    const context = `seed ${FUZZ_SEED}, iteration ${iteration}, module ${bytes.toString("hex")}`;
    let parsed: Parsed;
    try {
      parsed = parse(bytes);
    } catch (error) {
      assert.unreachable(`the parser trapped or aborted (${(error as Error).message}); ${context}`);
      return;
    }
    const expected = reference(bytes);
    assert.is(parsed.error, expected.error, `error kind as the reference decoder (reason: ${parsed.reason}); ${context}`);
    assert.is(parsed.error === NONE, parsed.reason === "", `a reason exactly when refused; ${context}`);
    assert.equal(parsed.programs, expected.programs, `the programs as the reference decoder; ${context}`);
    if (parsed.programs === null) continue;
    accepted++;
    const programs = parsed.programs;
    if (JSON.stringify(programs.map((program) => program.network)) !== originalPolicies) acceptedNewPolicies++;
    // The invariants a caller may rely on, checked directly.
    assert.ok(programs.length >= 1 && programs.length <= 128, context);
    assert.equal(programs.filter((program) => program.startAtBoot).map((program) => program.name), ["init"], context);
    assert.is(new Set(programs.map((program) => program.name)).size, programs.length, `unique names; ${context}`);
    for (const program of programs) {
      assert.match(program.name, /^[a-z0-9-]{1,31}$/, context);
      assert.ok(program.memoryQuotaPages >= 1 && program.memoryQuotaPages <= 262144, context);
      assert.is(program.grantMask & ~ALL_GRANTS, 0, context);
      assert.is(program.network !== null, (program.grantMask & NETWORK) !== 0, `a network policy exactly with the grant; ${context}`);
      if (program.network === null) continue;
      const { ports, rules } = program.network;
      assert.ok(ports[0] >= 1 && ports[0] <= ports[1] && ports[1] <= 65535 && rules.length <= RULES_MAXIMUM, context);
      for (const rule of rules) {
        assert.ok(rule.prefix <= 32 && (rule.address & ~prefixMask(rule.prefix)) === 0, `a rule is a prefix; ${context}`);
        assert.ok(rule.ports[0] >= 1 && rule.ports[0] <= rule.ports[1] && rule.ports[1] <= 65535, `a rule's ports; ${context}`);
      }
    }
    // Every bit is checked: what was accepted re-encodes to exactly the module.
    const reencoded = encode(programs.map((program) => ({
      name: program.name, quota: program.memoryQuotaPages, mask: program.grantMask,
      flags: (program.startAtBoot ? 1 : 0) | (program.linux ? 2 : 0) | (program.namespaceWritable ? 4 : 0),
      network: program.network ?? undefined,
    })));
    assert.ok(reencoded.equals(bytes), `an accepted module is canonical; ${context}`);
  }
  assert.ok(accepted > FUZZ_ITERATIONS / 20, `the mutations keep enough modules valid to test acceptance (${accepted} accepted)`);
  assert.ok(acceptedNewPolicies > FUZZ_ITERATIONS / 40, `enough accepted modules have network policies the original has not (${acceptedNewPolicies})`);
});

parser.run();
