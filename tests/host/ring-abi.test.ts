// The ring ABI is described once, in docs/abi/ring.md and docs/abi/interfaces/*.md, and written
// down again as code: abi/ring.ts (layout, opcodes, system calls), userspace/rt/c/
// ring.h (the C runtime's copy), abi/errors.ts, abi/interfaces.ts, abi/methods.ts
// and the kernel objects. This test parses the documents' tables and the sources (with regexes,
// as layout.test.ts does) and keeps them equal. Document field names are mapped to constant
// names explicitly below, so a renamed field or constant fails here instead of going unchecked.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";

// --- reading sources ------------------------------------------------------------------------------

function source(path: string): string {
  return readFileSync(join(REPOSITORY, path), "utf8");
}

/** A number as written in a source or a document: hex or decimal, `_` separators allowed. */
function parseNumber(text: string): bigint {
  const clean = text.replace(/`/g, "").replace(/_/g, "").trim();
  assert.ok(/^(0x[0-9a-fA-F]+|-?\d+)$/.test(clean), `"${text}" is a number`);
  return BigInt(clean);
}

/** Removes // and /* *\/ comments (the sources read here have no "//" inside strings). */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
}

interface Constant { value: bigint; comment: string }

/** Every `export const NAME: type = number;` of a TS file, with its trailing comment. */
function tsConstants(path: string): Map<string, Constant> {
  const constants = new Map<string, Constant>();
  for (const match of source(path).matchAll(/^export const (\w+): \w+ = (0x[0-9a-fA-F_]+|[\d_]+);(.*)$/gm)) {
    constants.set(match[1], { value: parseNumber(match[2]), comment: match[3] });
  }
  return constants;
}

/** The members of `export enum name { ... }`; every member must have an explicit number. */
function tsEnum(path: string, name: string): Map<string, bigint> {
  const text = stripComments(source(path));
  const body = new RegExp(`export enum ${name} \\{([^}]*)\\}`).exec(text);
  assert.ok(body, `${path} declares enum ${name}`);
  const members = new Map<string, bigint>();
  for (const part of body![1].split(",").map((member) => member.trim()).filter((member) => member !== "")) {
    const match = /^(\w+)\s*=\s*(0x[0-9a-fA-F_]+|[\d_]+)$/.exec(part);
    assert.ok(match, `${name} member "${part}" has an explicit number`);
    members.set(match![1], parseNumber(match![2]));
  }
  assert.ok(members.size > 0, `enum ${name} has members`);
  return members;
}

/** The names of every `export enum` in a TS file. */
function tsEnumNames(path: string): string[] {
  return [...stripComments(source(path)).matchAll(/export enum (\w+) \{/g)].map((match) => match[1]);
}

/** Every `#define NAME value` of a C header (the include guard, which has no value, excepted). */
function cDefines(path: string): Map<string, bigint> {
  const defines = new Map<string, bigint>();
  for (const match of source(path).matchAll(/^#define\s+(\w+)(?:[ \t]+(\S+))?/gm)) {
    if (match[2] === undefined) continue;
    const value = /^(0x[0-9a-fA-F]+|\d+)(?:u|ul|ull|l|ll)?$/i.exec(match[2]);
    assert.ok(value, `${path}: #define ${match[1]} has a numeric value, not "${match[2]}"`);
    defines.set(match[1], BigInt(value![1]));
  }
  return defines;
}

// --- reading documents ----------------------------------------------------------------------------

interface Table { header: string[]; rows: string[][] }

/** The first table after the heading line `heading` (and before the next heading). Cells are
 * trimmed, backticks removed. */
function tableAfter(path: string, heading: string): Table {
  const lines = source(path).split("\n");
  const start = lines.findIndex((line) => line.trim() === heading);
  assert.ok(start >= 0, `${path} has the heading "${heading}"`);
  let index = start + 1;
  while (index < lines.length && !lines[index].startsWith("|")) {
    assert.ok(!lines[index].startsWith("#"), `${path}: a table follows "${heading}" before the next heading`);
    index++;
  }
  assert.ok(index < lines.length, `${path}: a table follows "${heading}"`);
  const tableLines: string[] = [];
  while (index < lines.length && lines[index].startsWith("|")) tableLines.push(lines[index++]);
  const split = (line: string) => line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((cell) => cell.replace(/`/g, "").trim());
  assert.ok(tableLines.length >= 3, `${path}: the table after "${heading}" has a header, a rule and rows`);
  assert.ok(/^\|[-:| ]+\|$/.test(tableLines[1].trim()), `${path}: the table after "${heading}" has a rule line`);
  const header = split(tableLines[0]);
  const rows = tableLines.slice(2).map(split);
  for (const row of rows) assert.is(row.length, header.length, `${path}: row "${row.join(" | ")}" has ${header.length} cells`);
  return { header, rows };
}

/** The table after `heading`, which must have exactly `columns`. */
function table(path: string, heading: string, columns: string[]): Table {
  const found = tableAfter(path, heading);
  assert.equal(found.header, columns, `${path}: the columns of the table after "${heading}"`);
  return found;
}

/** A two-column view: first cell -> the cell of column `column`, no first cell repeated. */
function byName(found: Table, column: number, what: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const row of found.rows) {
    assert.not.ok(map.has(row[0]), `${what}: "${row[0]}" is listed once`);
    map.set(row[0], row[column]);
  }
  return map;
}

function sameMap(actual: Map<string, bigint>, expected: Map<string, bigint>, what: string): void {
  const show = (map: Map<string, bigint>) => [...map].map(([name, value]) => `${name}=${value}`).sort();
  assert.equal(show(actual), show(expected), what);
}

// --- the sources and documents --------------------------------------------------------------------

const RING_LAYOUT = "abi/ring.ts";
const RING_H = "userspace/rt/c/ring.h";
const RING_DOC = "docs/abi/ring.md";

const layout = tsConstants(RING_LAYOUT);

/** The value of a abi/ring.ts constant; records that the test checked it. */
const checkedConstants = new Set<string>();
function constant(name: string): bigint {
  const found = layout.get(name);
  assert.ok(found, `${RING_LAYOUT} exports ${name}`);
  checkedConstants.add(name);
  return found!.value;
}

/** The size in bytes that the trailing comment of a constant states (`// u8`, `// i64: ...`). */
function commentSize(name: string): bigint {
  const match = /\/\/\s*[ui](8|16|32|64)\b/.exec(layout.get(name)?.comment ?? "");
  assert.ok(match, `${RING_LAYOUT}: ${name}'s comment names its type (u8..u64)`);
  return BigInt(match![1]) / 8n;
}

// --- layout ---------------------------------------------------------------------------------------

// Header and startup-block fields are u32 (kernel/cap/ring.ts and kernel/objects/spawn.ts store
// them with store<u32>); the grants array and the queues are sized from the layout's counts.
const RING_FIELDS: Record<string, { offset: string; size: () => bigint }> = {
  sqHead: { offset: "RING_SQ_HEAD", size: () => 4n },
  sqTail: { offset: "RING_SQ_TAIL", size: () => 4n },
  cqHead: { offset: "RING_CQ_HEAD", size: () => 4n },
  cqTail: { offset: "RING_CQ_TAIL", size: () => 4n },
  sqEntries: { offset: "RING_SQ_ENTRIES_FIELD", size: () => 4n },
  cqEntries: { offset: "RING_CQ_ENTRIES_FIELD", size: () => 4n },
  processId: { offset: "RING_PROCESS_ID", size: () => 4n },
  grantCount: { offset: "RING_GRANT_COUNT", size: () => 4n },
  grants: { offset: "RING_GRANTS", size: () => constant("RING_GRANTS_MAXIMUM") * constant("RING_GRANT_SIZE") },
  argument: { offset: "RING_ARGUMENT", size: () => 4n },
  testRingPhysical: { offset: "RING_TEST_RING_PHYSICAL", size: () => 4n },
  textLength: { offset: "RING_TEXT_LENGTH", size: () => 4n },
  text: { offset: "RING_TEXT", size: () => constant("RING_TEXT_MAXIMUM") },
  submissionQueue: { offset: "RING_SQ_OFFSET", size: () => constant("RING_SQ_ENTRIES") * constant("RING_SQE_SIZE") },
  completionQueue: { offset: "RING_CQ_OFFSET", size: () => constant("RING_CQ_ENTRIES") * constant("RING_CQE_SIZE") },
};

const RING_SIZES: Record<string, string> = {
  "ring page size": "RING_SIZE",
  "submission queue entries": "RING_SQ_ENTRIES",
  "completion queue entries": "RING_CQ_ENTRIES",
  "SQE size": "RING_SQE_SIZE",
  "CQE size": "RING_CQE_SIZE",
  "grants maximum": "RING_GRANTS_MAXIMUM",
  "grant entry size": "RING_GRANT_SIZE",
};

const SQE_FIELDS: Record<string, string> = {
  opcode: "SQE_OPCODE",
  flags: "SQE_FLAGS",
  reserved0: "SQE_RESERVED0",
  method: "SQE_METHOD",
  userData: "SQE_USER_DATA",
  handle: "SQE_HANDLE",
  argument0: "SQE_ARGUMENT0",
  argument1: "SQE_ARGUMENT1",
  argument2: "SQE_ARGUMENT2",
  argument3: "SQE_ARGUMENT3",
  reserved1: "SQE_RESERVED1",
};

const GRANT_FIELDS: Record<string, string> = {
  handle: "GRANT_HANDLE",
  interface: "GRANT_INTERFACE",
  reserved: "GRANT_RESERVED",
};

const CQE_FIELDS: Record<string, string> = {
  userData: "CQE_USER_DATA",
  result: "CQE_RESULT",
  value: "CQE_VALUE",
  opcode: "CQE_OPCODE",
  reserved: "CQE_RESERVED",
};

const SYSCALLS: Record<string, string> = {
  cap_enter: "SYSCALL_CAP_ENTER",
  exit: "SYSCALL_EXIT",
};

/** Rows sorted by offset must not overlap; returns the end of the last. */
function checkNoOverlap(rows: { name: string; offset: bigint; size: bigint }[], what: string): bigint {
  const sorted = [...rows].sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  let end = 0n;
  for (const row of sorted) {
    assert.ok(row.offset >= end, `${what}: ${row.name} at ${row.offset} overlaps the field before it (which ends at ${end})`);
    end = row.offset + row.size;
  }
  return end;
}

test("ring.md 'Ring fields' equals the offsets of abi/ring.ts", () => {
  const found = table(RING_DOC, "### Ring fields", ["field", "offset", "size", "written by"]);
  assert.equal(found.rows.map((row) => row[0]).sort(), Object.keys(RING_FIELDS).sort(), "the ring fields listed");
  const rows = found.rows.map((row) => {
    const mapped = RING_FIELDS[row[0]];
    const offset = parseNumber(row[1]), size = parseNumber(row[2]);
    assert.is(offset, constant(mapped.offset), `offset of ${row[0]} (${mapped.offset})`);
    assert.is(size, mapped.size(), `size of ${row[0]}`);
    assert.ok(row[3].length > 0, `${row[0]} says who writes it`);
    return { name: row[0], offset, size };
  });
  assert.is(checkNoOverlap(rows, "ring page"), constant("RING_SIZE"), "the completion queue ends the page");
});

test("ring.md 'Ring sizes' equals abi/ring.ts", () => {
  const found = table(RING_DOC, "### Ring sizes", ["quantity", "value"]);
  const values = byName(found, 1, "ring sizes");
  assert.equal([...values.keys()].sort(), Object.keys(RING_SIZES).sort(), "the quantities listed");
  for (const [quantity, name] of Object.entries(RING_SIZES)) {
    assert.is(parseNumber(values.get(quantity)!), constant(name), `${quantity} (${name})`);
  }
});

test("ring.md's grant entry equals abi/ring.ts, and the kernel and both runtimes index grants by its constants", () => {
  checkEntryTable("### The startup block", GRANT_FIELDS, "RING_GRANT_SIZE");
  // The writers and readers of the grants array: entry i at RING_GRANTS + i * RING_GRANT_SIZE.
  for (const path of ["kernel/sched/threads.ts", "userspace/rt/ring.ts", "userspace/rt/c/runtime.c"]) {
    for (const name of ["RING_GRANT_SIZE", "GRANT_INTERFACE"]) assert.match(source(path), name, `${path} indexes grants with ${name}`);
  }
});

test("ring.md's handle layout equals abi/ring.ts: (generation << HANDLE_SLOT_BITS) | slot, below 2^HANDLE_BITS", () => {
  const text = source(RING_DOC);
  const layoutMatch = /A handle is a u64: `\(generation << (\d+)\) \| slot`/.exec(text);
  assert.ok(layoutMatch, "ring.md states the handle layout");
  assert.is(BigInt(layoutMatch![1]), constant("HANDLE_SLOT_BITS"));
  const bound = /every handle is below 2\^(\d+)/.exec(text);
  assert.ok(bound, "ring.md states the bound");
  assert.is(BigInt(bound![1]), constant("HANDLE_BITS"));
  assert.is(constant("HANDLE_SLOT_BITS") + 32n, constant("HANDLE_BITS"), "a 32-bit generation above the slot bits");
});

function checkEntryTable(heading: string, fields: Record<string, string>, sizeConstant: string): void {
  const found = table(RING_DOC, heading, ["field", "offset", "size", "meaning"]);
  assert.equal(found.rows.map((row) => row[0]).sort(), Object.keys(fields).sort(), `${heading}: the fields listed`);
  const rows = found.rows.map((row) => {
    const name = fields[row[0]];
    const offset = parseNumber(row[1]), size = parseNumber(row[2]);
    assert.is(offset, constant(name), `${heading}: offset of ${row[0]} (${name})`);
    assert.is(size, commentSize(name), `${heading}: size of ${row[0]} (the type in ${name}'s comment)`);
    return { name: row[0], offset, size };
  });
  // The fields tile the entry: each starts where the one before it ends.
  let end = 0n;
  for (const row of [...rows].sort((a, b) => Number(a.offset - b.offset))) {
    assert.is(row.offset, end, `${heading}: ${row.name} starts where the field before it ends`);
    end = row.offset + row.size;
  }
  assert.is(end, constant(sizeConstant), `${heading}: the fields fill ${sizeConstant}`);
}

test("ring.md's SQE table equals abi/ring.ts", () => {
  checkEntryTable("## Submission queue entry (SQE)", SQE_FIELDS, "RING_SQE_SIZE");
});

test("ring.md's CQE table equals abi/ring.ts", () => {
  checkEntryTable("## Completion queue entry (CQE)", CQE_FIELDS, "RING_CQE_SIZE");
});

// --- system calls ---------------------------------------------------------------------------------

test("ring.md's system calls equal abi/ring.ts and ring.h", () => {
  const found = table(RING_DOC, "## System calls", ["system call", "number", "arguments", "result"]);
  const numbers = byName(found, 1, "system calls");
  assert.equal([...numbers.keys()].sort(), Object.keys(SYSCALLS).sort(), "the system calls listed");
  const defines = cDefines(RING_H);
  for (const [call, name] of Object.entries(SYSCALLS)) {
    assert.is(parseNumber(numbers.get(call)!), constant(name), `${call} (${name})`);
    assert.is(defines.get(name), constant(name), `${RING_H}: ${name}`);
  }
  // The errors cap_enter's row names carry their KernelError values.
  const errors = tsEnum("abi/errors.ts", "KernelError");
  const result = found.rows.find((row) => row[0] === "cap_enter")![3];
  const named = [...result.matchAll(/-(\w+) \((-\d+)\)/g)];
  assert.equal(named.map((match) => match[1]).sort(), ["InvalidArgument", "Malformed"], "cap_enter's errors");
  for (const [, name, value] of named) assert.is(BigInt(value), -errors.get(name)!, `cap_enter's -${name}`);
});

test("ring.md's timeout and min_complete limits equal abi/ring.ts", () => {
  const found = table(RING_DOC, "### cap_enter(min_complete, timeout_ns)", ["timeout_ns", "meaning"]);
  const noLimit = found.rows.filter((row) => row[1].startsWith("no limit"));
  assert.is(noLimit.length, 1, "one timeout_ns means 'no limit'");
  assert.is(parseNumber(noLimit[0][0]), constant("CAP_ENTER_NO_TIMEOUT"), "CAP_ENTER_NO_TIMEOUT");
  assert.is(cDefines(RING_H).get("CAP_ENTER_NO_TIMEOUT"), constant("CAP_ENTER_NO_TIMEOUT"), `${RING_H}: CAP_ENTER_NO_TIMEOUT`);
  assert.ok(found.rows.some((row) => row[0] === "0" && row[1].startsWith("never wait")), "timeout_ns 0 never waits");
  // cap_enter refuses a min_complete above the completion queue's size.
  assert.match(source(RING_DOC), `If min_complete is greater than ${constant("RING_CQ_ENTRIES")} (the completion queue's size)`);
  assert.match(source("kernel/syscall/cap-enter.ts"), /minimum > <u64>RING_CQ_ENTRIES\)[^\n]*\n[^\n]*KernelError\.InvalidArgument/,
    "cap-enter.ts refuses min_complete > RING_CQ_ENTRIES with InvalidArgument");
});

test("every constant of abi/ring.ts is checked against the document", () => {
  // Touch every mapping, so this test does not depend on the order the others ran in.
  for (const { offset, size } of Object.values(RING_FIELDS)) { constant(offset); size(); }
  for (const name of [...Object.values(RING_SIZES), ...Object.values(SQE_FIELDS), ...Object.values(CQE_FIELDS), ...Object.values(SYSCALLS),
    ...Object.values(GRANT_FIELDS), "HANDLE_SLOT_BITS", "HANDLE_BITS"]) {
    constant(name);
  }
  constant("CAP_ENTER_NO_TIMEOUT");
  assert.ok(layout.size >= 30, `${RING_LAYOUT}: constants found`);
  const unchecked = [...layout.keys()].filter((name) => !checkedConstants.has(name));
  assert.equal(unchecked, [], `${RING_LAYOUT} constants with no row in ${RING_DOC}`);
});

// --- ring.h ---------------------------------------------------------------------------------------

test("every #define of ring.h equals its twin in abi/ring.ts or the document", () => {
  const defines = cDefines(RING_H);
  assert.ok(defines.size >= 20, `${RING_H}: defines found`);
  const opcodes = byName(table(RING_DOC, "## Opcodes", ["opcode", "value", "meaning"]), 1, "opcodes");
  const interfaces = byName(table(RING_DOC, "## Interfaces", ["interface", "value", "meaning"]), 1, "interfaces");
  const memoryMethods = byName(table("docs/abi/interfaces/memory.md", "## Methods", METHOD_COLUMNS), 1, "memory methods");
  // The defines without a same-named constant: their twin in an enum and in a document table.
  const elsewhere: Record<string, { code: bigint; document: string | undefined }> = {
    OPCODE_CALL: { code: tsEnum(RING_LAYOUT, "Opcode").get("Call")!, document: opcodes.get("CALL") },
    INTERFACE_MEMORY: { code: tsEnum("abi/interfaces.ts", "Interface").get("Memory")!, document: interfaces.get("Memory") },
    MEMORY_METHOD_GROW: { code: tsEnum("abi/methods.ts", "MemoryMethod").get("Grow")!, document: memoryMethods.get("grow") },
    // grow's argument range, "1..64 (GROW_PAGES_MAXIMUM)": the document's upper bound.
    GROW_PAGES_MAXIMUM: { code: tsConstants("abi/methods.ts").get("GROW_PAGES_MAXIMUM")!.value,
      document: /1\.\.(\d+) \(GROW_PAGES_MAXIMUM\)/.exec(readFileSync(join(REPOSITORY, "docs/abi/interfaces/memory.md"), "utf8"))?.[1] },
  };
  for (const [name, value] of defines) {
    if (layout.has(name)) {
      assert.is(value, layout.get(name)!.value, `${RING_H}: ${name} equals ${RING_LAYOUT}`);
    } else {
      assert.ok(name in elsewhere, `${RING_H}: ${name} has a twin this test knows`);
      assert.is(value, elsewhere[name].code, `${RING_H}: ${name} equals the enum`);
      assert.ok(elsewhere[name].document !== undefined, `${RING_H}: ${name} has a row in the documents`);
      assert.is(value, parseNumber(elsewhere[name].document!), `${RING_H}: ${name} equals the document`);
    }
  }
});

// --- opcodes, errors, interfaces ------------------------------------------------------------------

test("ring.md's opcode table equals the Opcode enum", () => {
  const found = table(RING_DOC, "## Opcodes", ["opcode", "value", "meaning"]);
  const documented = new Map([...byName(found, 1, "opcodes")].map(([name, value]) => [name, parseNumber(value)]));
  const code = new Map([...tsEnum(RING_LAYOUT, "Opcode")].map(([name, value]) => [name.toUpperCase(), value]));
  sameMap(documented, code, "opcodes (document names are the enum's, upper case)");
});

test("ring.md's error table equals the KernelError enum exactly", () => {
  const found = table(RING_DOC, "## Errors", ["error", "value", "meaning"]);
  const documented = new Map([...byName(found, 1, "errors")].map(([name, value]) => [name, parseNumber(value)]));
  sameMap(documented, tsEnum("abi/errors.ts", "KernelError"), "KernelError");
  for (const row of found.rows) assert.ok(row[2].length > 0, `error ${row[0]} has a meaning`);
});

const INTERFACE_PAGES: Record<string, { iface: string; methods: string | null }> = {
  "docs/abi/interfaces/console.md": { iface: "Console", methods: "ConsoleMethod" },
  "docs/abi/interfaces/timer.md": { iface: "Timer", methods: "TimerMethod" },
  "docs/abi/interfaces/memory.md": { iface: "Memory", methods: "MemoryMethod" },
  "docs/abi/interfaces/process-spawner.md": { iface: "ProcessSpawner", methods: "ProcessSpawnerMethod" },
  "docs/abi/interfaces/process-handle.md": { iface: "ProcessHandle", methods: "ProcessHandleMethod" },
  "docs/abi/interfaces/endpoint.md": { iface: "Endpoint", methods: "EndpointMethod" },
  // A client's CALL carries a label, not a kernel method: no method enum, no methods table.
  "docs/abi/interfaces/endpoint-client.md": { iface: "EndpointClient", methods: null },
  "docs/abi/interfaces/thread-spawner.md": { iface: "ThreadSpawner", methods: "ThreadSpawnerMethod" },
  "docs/abi/interfaces/thread-handle.md": { iface: "ThreadHandle", methods: "ThreadHandleMethod" },
  "docs/abi/interfaces/thread-control.md": { iface: "ThreadControl", methods: "ThreadControlMethod" },
  "docs/abi/interfaces/park-space.md": { iface: "ParkSpace", methods: "ParkSpaceMethod" },
  "docs/abi/interfaces/random.md": { iface: "Random", methods: "RandomMethod" },
  "docs/abi/interfaces/shared-memory.md": { iface: "SharedMemory", methods: "SharedMemoryMethod" },
  "docs/abi/interfaces/network.md": { iface: "Network", methods: "NetworkMethod" },
  "docs/abi/interfaces/udp-socket.md": { iface: "UdpSocket", methods: "UdpSocketMethod" },
  "docs/abi/interfaces/tcp-listener.md": { iface: "TcpListener", methods: "TcpListenerMethod" },
  "docs/abi/interfaces/tcp-socket.md": { iface: "TcpSocket", methods: "TcpSocketMethod" },
  "docs/abi/interfaces/boot-files.md": { iface: "BootFiles", methods: "BootFilesMethod" },
  "docs/abi/interfaces/pipe.md": { iface: "Pipe", methods: "PipeMethod" },
  "docs/abi/interfaces/namespace.md": { iface: "Namespace", methods: "NamespaceMethod" },
  "docs/abi/interfaces/event-counter.md": { iface: "EventCounter", methods: "EventCounterMethod" },
  "docs/abi/interfaces/event-poll.md": { iface: "EventPoll", methods: "EventPollMethod" },
  "docs/abi/interfaces/unix-socket.md": { iface: "UnixSocket", methods: "UnixSocketMethod" },
  "docs/abi/interfaces/inet-socket.md": { iface: "InetSocket", methods: "InetSocketMethod" },
  "docs/abi/interfaces/unix-endpoint.md": { iface: "UnixEndpoint", methods: "UnixEndpointMethod" },
  "docs/abi/interfaces/file.md": { iface: "File", methods: "FileMethod" },
};
const METHOD_COLUMNS = ["method", "value", "arguments", "result", "value"];

test("ring.md's interface table and each interface page equal the Interface enum", () => {
  const code = tsEnum("abi/interfaces.ts", "Interface");
  const found = table(RING_DOC, "## Interfaces", ["interface", "value", "meaning"]);
  const documented = new Map([...byName(found, 1, "interfaces")].map(([name, value]) => [name, parseNumber(value)]));
  sameMap(documented, code, "Interface");
  // Every interface but None has a page, and each page states its value.
  assert.equal(Object.values(INTERFACE_PAGES).map((page) => page.iface).sort(), [...code.keys()].filter((name) => name !== "None").sort(),
    "one page per interface");
  for (const [path, page] of Object.entries(INTERFACE_PAGES)) {
    const match = /^Interface value: `(\d+)` \(`Interface\.(\w+)`\)/m.exec(source(path));
    assert.ok(match, `${path} states "Interface value: \`N\` (\`Interface.Name\`)"`);
    assert.is(match![2], page.iface, `${path} is the page of ${page.iface}`);
    assert.is(BigInt(match![1]), code.get(page.iface), `${path}: the value of ${page.iface}`);
  }
});

// --- interface pages ------------------------------------------------------------------------------

test("each interface page's method table equals its enum in methods.ts", () => {
  const enums = tsEnumNames("abi/methods.ts").filter((name) => name.endsWith("Method"));
  assert.equal(enums.sort(), Object.values(INTERFACE_PAGES).flatMap((page) => (page.methods !== null ? [page.methods] : [])).sort(),
    "one page per method enum");
  for (const [path, page] of Object.entries(INTERFACE_PAGES)) {
    if (page.methods === null) continue;
    const found = table(path, "## Methods", METHOD_COLUMNS);
    const documented = new Map([...byName(found, 1, `${path} methods`)].map(([name, value]) => [name, parseNumber(value)]));
    const code = new Map([...tsEnum("abi/methods.ts", page.methods!)].map(([name, value]) => [name.toLowerCase(), value]));
    sameMap(documented, code, `${path} (method names are the enum's, lower case)`);
  }
});

test("the documented argument limits equal methods.ts", () => {
  const constants = tsConstants("abi/methods.ts");
  const console = byName(table("docs/abi/interfaces/console.md", "## Methods", METHOD_COLUMNS), 2, "console");
  assert.ok(console.get("write")!.includes(`0..${constants.get("CONSOLE_WRITE_MAXIMUM")!.value}`), "write's length limit is CONSOLE_WRITE_MAXIMUM");
  const spawner = byName(table("docs/abi/interfaces/process-spawner.md", "## Methods", METHOD_COLUMNS), 2, "spawner");
  assert.ok(spawner.get("spawn")!.includes(`handle count 0..${constants.get("SPAWN_GRANTS_MAXIMUM")!.value}`), "spawn's count limit is SPAWN_GRANTS_MAXIMUM");
  // A spawned process's grants fit the startup block.
  assert.ok(constants.get("SPAWN_GRANTS_MAXIMUM")!.value <= constant("RING_GRANTS_MAXIMUM"), "SPAWN_GRANTS_MAXIMUM <= RING_GRANTS_MAXIMUM");
});

test("process-handle.md's ExitKind table equals the ExitKind enum", () => {
  const found = table("docs/abi/interfaces/process-handle.md", "### How a process ends", ["kind", "value", "exit code"]);
  const documented = new Map([...byName(found, 1, "ExitKind")].map(([name, value]) => [name, parseNumber(value)]));
  sameMap(documented, tsEnum("abi/methods.ts", "ExitKind"), "ExitKind");
});

// The errors a CALL on an object can complete with: the generic ones of kernel/cap/dispatch.ts
// (checked before the object sees the entry), every KernelError the object's file names,
// BadAddress when it checks or copies a user buffer (kernel/vm/user-memory.ts), TableFull,
// QuotaExceeded and OutOfMemory when it reserves a slot for a new capability (the table may have to
// grow, which the process's account pays for: kernel/cap/capability-table.ts), and QuotaExceeded
// and OutOfMemory when it charges kernel memory (kernel/memory/quota.ts, kernelFits).
const OBJECT_FILES: Record<string, string> = {
  "docs/abi/interfaces/console.md": "kernel/objects/console.ts",
  "docs/abi/interfaces/timer.md": "kernel/objects/timer.ts",
  "docs/abi/interfaces/memory.md": "kernel/objects/memory.ts",
  "docs/abi/interfaces/process-spawner.md": "kernel/objects/process-spawner.ts",
  "docs/abi/interfaces/process-handle.md": "kernel/objects/process-handle.ts",
  "docs/abi/interfaces/endpoint.md": "kernel/objects/endpoint.ts",
  "docs/abi/interfaces/thread-spawner.md": "kernel/objects/thread-spawner.ts",
  "docs/abi/interfaces/thread-handle.md": "kernel/objects/thread-handle.ts",
  "docs/abi/interfaces/thread-control.md": "kernel/objects/thread-control.ts",
  "docs/abi/interfaces/park-space.md": "kernel/objects/park-space.ts",
  "docs/abi/interfaces/random.md": "kernel/objects/random.ts",
  "docs/abi/interfaces/shared-memory.md": "kernel/objects/shared-memory.ts",
  "docs/abi/interfaces/network.md": "kernel/objects/network.ts",
  "docs/abi/interfaces/udp-socket.md": "kernel/objects/udp-socket.ts",
  "docs/abi/interfaces/tcp-listener.md": "kernel/objects/tcp-listener.ts",
  "docs/abi/interfaces/tcp-socket.md": "kernel/objects/tcp-socket.ts",
  "docs/abi/interfaces/boot-files.md": "kernel/objects/boot-files.ts",
  "docs/abi/interfaces/pipe.md": "kernel/objects/pipe.ts",
  "docs/abi/interfaces/event-counter.md": "kernel/objects/event-counter.ts",
  "docs/abi/interfaces/event-poll.md": "kernel/objects/event-poll.ts",
  "docs/abi/interfaces/unix-socket.md": "kernel/objects/unix-socket.ts",
  "docs/abi/interfaces/inet-socket.md": "kernel/objects/inet-socket.ts",
  "docs/abi/interfaces/unix-endpoint.md": "kernel/objects/unix-endpoint.ts",
  "docs/abi/interfaces/namespace.md": "kernel/objects/namespace.ts",
  "docs/abi/interfaces/file.md": "kernel/objects/file.ts",
};
/** Pages sharing another page's object file: their errors are a subset of the file's. */
const SHARED_OBJECT_FILES: Record<string, string> = {
  "docs/abi/interfaces/endpoint-client.md": "kernel/objects/endpoint.ts",
};
const GENERIC_CALL_ERRORS = ["ReservedNonZero", "InvalidHandle"];

/** The errors a file's code can complete with without naming them: a slot reserved, kernel
 * memory charged. */
function implicitErrors(code: string): string[] {
  const names: string[] = [];
  if (/\.reserveIn\(|\.reserve\(\)/.test(code)) names.push("TableFull", "QuotaExceeded", "OutOfMemory");
  if (/\.kernelFits\(/.test(code)) names.push("QuotaExceeded", "OutOfMemory");
  // kernel/vm/mappings.ts's checks (their errors are documented there).
  if (/\bvm(Map|Unmap|Protect)Check\(/.test(code)) names.push("Unaligned", "InvalidArgument", "OutOfRange", "NotPermitted", "TableFull");
  if (/\bvmMapCheck\(/.test(code)) names.push("AlreadyMapped");
  if (/\bvmMapSharedCheck\(/.test(code)) names.push("Unaligned", "OutOfRange", "AlreadyMapped", "TableFull");
  if (/\bvmProtectCheck\(/.test(code)) names.push("NotFound");
  if (/\bvmCloneCheck\(/.test(code)) names.push("QuotaExceeded");
  return names;
}

test("each interface page's error table lists exactly the errors its object can return", () => {
  const errors = tsEnum("abi/errors.ts", "KernelError");
  const dispatch = stripComments(source("kernel/cap/dispatch.ts"));
  for (const name of GENERIC_CALL_ERRORS) assert.ok(dispatch.includes(`KernelError.${name}`), `dispatch.ts completes entries with ${name}`);
  assert.equal([...Object.keys(OBJECT_FILES), ...Object.keys(SHARED_OBJECT_FILES)].sort(), Object.keys(INTERFACE_PAGES).sort(), "an object file per page");
  for (const [path, file] of Object.entries(SHARED_OBJECT_FILES)) {
    const documented = [...byName(table(path, "## Errors", ["error", "when"]), 1, `${path} errors`).keys()];
    const code = stripComments(source(file));
    const possible = new Set([...GENERIC_CALL_ERRORS, "BadAddress", ...[...code.matchAll(/KernelError\.(\w+)/g)].map((match) => match[1]),
      ...implicitErrors(code)]);
    for (const name of documented) assert.ok(possible.has(name), `${path}: ${name} can come from ${file}`);
    assert.equal(documented.slice(0, 2), GENERIC_CALL_ERRORS, `${path}: ReservedNonZero, then InvalidHandle, come first`);
  }
  for (const [path, file] of Object.entries(OBJECT_FILES)) {
    const found = table(path, "## Errors", ["error", "when"]);
    const documented = [...byName(found, 1, `${path} errors`).keys()];
    for (const name of documented) assert.ok(errors.has(name), `${path}: ${name} is a KernelError`);
    const code = stripComments(source(file));
    const expected = new Set(GENERIC_CALL_ERRORS);
    for (const match of code.matchAll(/KernelError\.(\w+)/g)) if (match[1] !== "None") expected.add(match[1]);
    if (/\b(userRangeCheck|copyIn|copyOut|readUser32)\(/.test(code)) expected.add("BadAddress");
    for (const name of implicitErrors(code)) expected.add(name);
    assert.ok(expected.has("UnknownMethod"), `${file} refuses unknown methods`);
    assert.equal([...documented].sort(), [...expected].sort(), `${path}: the errors of ${file}`);
    // The generic checks come first, in the order dispatch.ts makes them.
    assert.equal(documented.slice(0, 2), GENERIC_CALL_ERRORS, `${path}: ReservedNonZero, then InvalidHandle, come first`);
  }
});

test.run();
