// The boot manifest compiler (build time): checks userspace/manifest.json against every rule of
// docs/abi/manifest.md and writes the binary module GRUB loads next to the kernel, which
// kernel/loader/manifest.ts checks again at boot. Called by the build and, through compileManifest,
// by tests/host/manifest.test.ts. A broken rule is an error naming the program; nothing is written.
// Usage: tsx tools/manifest.ts <manifest.json> <manifest.bin>

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export const MANIFEST_MAGIC = 0x464d5043; // "CPMF" as a little-endian u32
export const MANIFEST_VERSION = 2;
export const HEADER_SIZE = 16;
export const PROGRAM_SIZE = 104;
export const NETWORK_PEER_RULES_MAXIMUM = 4;
export const MAXIMUM_PROGRAMS = 128;
export const MAXIMUM_MEMORY_QUOTA_PAGES = 262144; // 1 GiB of 4 KiB pages
export const NAME_SIZE = 32; // NUL-padded; the last byte is always NUL
export const FLAG_START_AT_BOOT = 1;
/** The program is a static Linux x86-64 ELF run by the Linux personality (kernel/linux/). */
export const FLAG_LINUX = 2;
/** The Namespace grant is writable (the grant `namespace-rw`): init's is made writable, and a
 * spawner may pass this program a writable one. Set only with the namespace grant bit. */
export const FLAG_NAMESPACE_WRITABLE = 4;
/** The grant name that sets the namespace bit and FLAG_NAMESPACE_WRITABLE. */
export const NAMESPACE_WRITABLE_GRANT = "namespace-rw";
export const PERSONALITIES = ["native", "linux"];
export const START_PROGRAM_NAME = "init";

/** Grant names and their Interface values (abi/interfaces.ts; the host test checks them
 * against the kernel's interfaceName). The mask bit is 1 << value. */
export const GRANTS: ReadonlyMap<string, number> = new Map([
  ["console", 1], ["timer", 2], ["memory", 3], ["process-spawner", 4], ["process-handle", 5], ["endpoint", 6], ["endpoint-client", 7],
  ["thread-spawner", 8], ["thread-handle", 9], ["thread-control", 10], ["park-space", 11], ["random", 12], ["shared-memory", 13],
  ["network", 14], ["udp-socket", 15], ["tcp-listener", 16], ["tcp-socket", 17], ["boot-files", 18], ["pipe", 19], ["namespace", 20], ["file", 21],
  ["event-counter", 22], ["event-poll", 23], ["unix-socket", 24], ["inet-socket", 25], ["unix-endpoint", 26],
]);

const TOP_LEVEL_KEYS = ["programs"];
const PROGRAM_KEYS = ["name", "start", "personality", "memoryQuotaPages", "grants", "network"];
const NETWORK_KEYS = ["ports", "peers"];
const PEER_KEYS = ["prefix", "ports"];
const NAME_PATTERN = /^[a-z0-9-]{1,31}$/;

/** A rule of the manifest is broken; the message names the program and the rule. */
export class ManifestError extends Error {}

/** The manifest JSON text compiled to the binary module. Throws ManifestError on any broken rule
 * (bad JSON, unknown key or grant name, a field out of range, duplicate names, no or a second
 * start program, a start program not named "init"). */
export function compileManifest(text: string): Buffer {
  let source: unknown;
  try {
    source = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(source)) throw new ManifestError('the top level must be an object with a "programs" array');
  checkKeys(source, TOP_LEVEL_KEYS, "the top level");
  const programs = source.programs;
  if (!Array.isArray(programs)) throw new ManifestError('"programs" must be an array');
  if (programs.length < 1 || programs.length > MAXIMUM_PROGRAMS) {
    throw new ManifestError(`"programs" has ${programs.length} entries; 1..${MAXIMUM_PROGRAMS} are allowed`);
  }

  const bytes = Buffer.alloc(HEADER_SIZE + PROGRAM_SIZE * programs.length);
  bytes.writeUInt32LE(MANIFEST_MAGIC, 0);
  bytes.writeUInt16LE(MANIFEST_VERSION, 4);
  bytes.writeUInt16LE(programs.length, 6);
  bytes.writeUInt32LE(bytes.length, 8);
  // +12 reserved: left zero

  const indexByName = new Map<string, number>();
  let startIndex = -1;
  programs.forEach((program: unknown, index: number) => {
    if (!isObject(program)) throw new ManifestError(`program ${index}: must be an object`);
    checkKeys(program, PROGRAM_KEYS, `program ${index}`);
    const name = program.name;
    if (typeof name !== "string") throw new ManifestError(`program ${index}: "name" must be a string`);
    if (!NAME_PATTERN.test(name)) {
      throw new ManifestError(`program ${index}: name ${JSON.stringify(name)} must be 1..31 characters of [a-z0-9-]`);
    }
    const where = `program ${index} (${JSON.stringify(name)})`;
    const earlier = indexByName.get(name);
    if (earlier !== undefined) throw new ManifestError(`${where}: name already used by program ${earlier}`);
    indexByName.set(name, index);

    const start = program.start ?? false;
    if (typeof start !== "boolean") throw new ManifestError(`${where}: "start" must be true or false`);
    if (start) {
      if (name !== START_PROGRAM_NAME) throw new ManifestError(`${where}: "start" is true, which only "init" may have`);
      startIndex = index; // names are unique: only one program can get here
    }

    const personality = program.personality ?? "native";
    if (typeof personality !== "string" || !PERSONALITIES.includes(personality)) {
      throw new ManifestError(`${where}: "personality" must be one of ${PERSONALITIES.join(", ")}, not ${JSON.stringify(personality)}`);
    }

    const quota = program.memoryQuotaPages;
    if (typeof quota !== "number" || !Number.isInteger(quota) || quota < 1 || quota > MAXIMUM_MEMORY_QUOTA_PAGES) {
      throw new ManifestError(`${where}: "memoryQuotaPages" must be an integer in 1..${MAXIMUM_MEMORY_QUOTA_PAGES}, not ${JSON.stringify(quota)}`);
    }

    const grants = program.grants;
    if (!Array.isArray(grants)) throw new ManifestError(`${where}: "grants" must be an array of interface names`);
    let grantMask = 0;
    let namespaceWritable = false;
    for (const grant of grants) {
      const value = grant === NAMESPACE_WRITABLE_GRANT ? GRANTS.get("namespace") : typeof grant === "string" ? GRANTS.get(grant) : undefined;
      if (value === undefined) {
        throw new ManifestError(`${where}: unknown grant ${JSON.stringify(grant)} (known: ${[...GRANTS.keys(), NAMESPACE_WRITABLE_GRANT].join(", ")})`);
      }
      if ((grantMask & (1 << value)) !== 0) {
        throw new ManifestError(`${where}: grant "${grant}" is listed twice (or with "namespace" and "namespace-rw" both)`);
      }
      if (grant === NAMESPACE_WRITABLE_GRANT) namespaceWritable = true;
      grantMask |= 1 << value;
    }

    const network = program.network;
    const granted = (grantMask & (1 << GRANTS.get("network")!)) !== 0;
    if (granted !== (network !== undefined)) {
      throw new ManifestError(`${where}: the "network" grant and the "network" key go together (the key says what the grant allows)`);
    }

    const record = HEADER_SIZE + PROGRAM_SIZE * index;
    if (network !== undefined) writeNetwork(bytes, record, network, where);
    bytes.write(name, record, "latin1"); // ASCII by NAME_PATTERN; the rest of the 32 bytes stays NUL
    bytes.writeUInt32LE(quota, record + 32);
    bytes.writeUInt32LE(grantMask, record + 36);
    bytes.writeUInt32LE((start ? FLAG_START_AT_BOOT : 0) | (personality === "linux" ? FLAG_LINUX : 0)
      | (namespaceWritable ? FLAG_NAMESPACE_WRITABLE : 0), record + 40);
    // +44 reserved: left zero
  });
  if (startIndex < 0) throw new ManifestError('no program has "start": true (the program named "init" must)');
  return bytes;
}

/** A port range [low, high] within 1..65535. */
function portRange(value: unknown, where: string): [number, number] {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((port) => Number.isInteger(port) && port >= 1 && port <= 65535) || value[0] > value[1]) {
    throw new ManifestError(`${where}: "ports" must be [low, high] with 1 <= low <= high <= 65535, not ${JSON.stringify(value)}`);
  }
  return [value[0], value[1]];
}

/** Writes the network block (+48..+104) of the program record at `record`. */
function writeNetwork(bytes: Buffer, record: number, network: unknown, where: string): void {
  if (!isObject(network)) throw new ManifestError(`${where}: "network" must be an object with "ports" and "peers"`);
  checkKeys(network, NETWORK_KEYS, `${where}: network`);
  const [low, high] = portRange(network.ports, `${where}: network`);
  const peers = network.peers;
  if (!Array.isArray(peers) || peers.length > NETWORK_PEER_RULES_MAXIMUM) {
    throw new ManifestError(`${where}: network "peers" must be an array of at most ${NETWORK_PEER_RULES_MAXIMUM} rules`);
  }
  bytes.writeUInt16LE(low, record + 48);
  bytes.writeUInt16LE(high, record + 50);
  bytes.writeUInt32LE(peers.length, record + 52);
  peers.forEach((peer: unknown, index: number) => {
    const at = `${where}: network peer ${index}`;
    if (!isObject(peer)) throw new ManifestError(`${at}: must be an object with "prefix" and "ports"`);
    checkKeys(peer, PEER_KEYS, at);
    const match = typeof peer.prefix === "string" ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(peer.prefix) : null;
    const parts = match ? match.slice(1, 5).map(Number) : [];
    const length = match ? Number(match[5]) : -1;
    if (!match || parts.some((part) => part > 255) || length > 32) {
      throw new ManifestError(`${at}: "prefix" must be "A.B.C.D/N" with N in 0..32, not ${JSON.stringify(peer.prefix)}`);
    }
    const address = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
    const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
    if ((address & ~mask) >>> 0 !== 0) throw new ManifestError(`${at}: ${peer.prefix} has address bits set past its prefix`);
    const [portLow, portHigh] = portRange(peer.ports, at);
    const rule = record + 56 + 12 * index;
    bytes.writeUInt32LE(address, rule);
    bytes.writeUInt8(length, rule + 4);
    bytes.writeUInt16LE(portLow, rule + 8);
    bytes.writeUInt16LE(portHigh, rule + 10);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkKeys(object: Record<string, unknown>, known: string[], where: string): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      throw new ManifestError(`${where}: unknown key ${JSON.stringify(key)} (known: ${known.join(", ")})`);
    }
  }
}

function main(): void {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error("usage: tsx tools/manifest.ts <manifest.json> <manifest.bin>");
    process.exit(2);
  }
  let bytes: Buffer;
  try {
    bytes = compileManifest(readFileSync(input, "utf8"));
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    console.error(`manifest: ${input}: ${error.message}`);
    process.exit(1);
  }
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, bytes);
  console.log(`manifest: ${bytes.readUInt16LE(6)} programs -> ${output} (${bytes.length} bytes)`);
}

// Not when imported (tests/host/manifest.test.ts would match a bare "manifest.ts" suffix).
if (/[\\/]tools[\\/]manifest\.ts$/.test(process.argv[1] ?? "")) main();
