// Host tests of the ELF64 program-image parser (kernel/loader/elf.ts), compiled to wasm with asc and
// run under Node. Images are built here field by field and placed flush against the end of linear
// memory: a read past the image then traps, so "no trap" means "never read outside the image".
// Every rule is refused with its error kind and a reason naming it; every prefix of a valid image
// is refused cleanly; a seeded fuzz loop checks the invariants of every image it lets through.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

// abi/errors.ts
const NONE = 0, MALFORMED = 1, TRUNCATED = 2, NOT_PERMITTED = 18;
const TOP_PAGES = 4; // 256 KiB above the heap for images

// System V gABI, "ELF Header" and "Program Header".
const ELF_MAGIC = 0x464c457f; // 7f 'E' 'L' 'F', little-endian
const ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, EM_386 = 3, EM_X86_64 = 62;
const PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_PHDR = 6, PT_TLS = 7;
const PT_GNU_EH_FRAME = 0x6474e550, PT_GNU_STACK = 0x6474e551, PT_GNU_RELRO = 0x6474e552, PT_GNU_PROPERTY = 0x6474e553;
const PF_X = 1, PF_W = 2, PF_R = 4;
const HEADER_SIZE = 64, PROGRAM_HEADER_SIZE = 56;
const USER_IMAGE_START = 0x40_0000n, USER_IMAGE_END = 0x4000_0000n;
const PAGE = 0x1000n;
const U64_MAX = (1n << 64n) - 1n;

// --- building images ----------------------------------------------------------------------------

interface Header {
  magic: number; elfClass: number; data: number; identVersion: number; type: number; machine: number;
  version: number; entry: bigint; phoff: bigint; ehsize: number; phentsize: number;
  /** e_phnum; the number of program headers given when absent. */
  phnum?: number;
}
interface ProgramHeader { type: number; flags: number; offset: bigint; vaddr: bigint; filesz: bigint; memsz: bigint; align?: bigint }
interface Spec { header: Header; programHeaders: ProgramHeader[]; length: number }

/** The file: a byte pattern, the ELF header at 0 and the program headers at e_phoff (those that
 * fit inside `length`). */
function build(spec: Spec): Buffer {
  const bytes = Buffer.alloc(spec.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) & 0xff;
  const h = spec.header;
  if (bytes.length >= HEADER_SIZE) {
    bytes.writeUInt32LE(h.magic >>> 0, 0);
    bytes[4] = h.elfClass; bytes[5] = h.data; bytes[6] = h.identVersion;
    bytes.fill(0, 7, 16);
    bytes.writeUInt16LE(h.type, 16);
    bytes.writeUInt16LE(h.machine, 18);
    bytes.writeUInt32LE(h.version >>> 0, 20);
    bytes.writeBigUInt64LE(h.entry, 24);
    bytes.writeBigUInt64LE(h.phoff, 32);
    bytes.writeBigUInt64LE(0n, 40); // e_shoff: no section headers
    bytes.writeUInt32LE(0, 48);
    bytes.writeUInt16LE(h.ehsize, 52);
    bytes.writeUInt16LE(h.phentsize, 54);
    bytes.writeUInt16LE(h.phnum ?? spec.programHeaders.length, 56);
    bytes.fill(0, 58, 64);
  }
  spec.programHeaders.forEach((p, index) => {
    const at = Number(h.phoff) + index * PROGRAM_HEADER_SIZE;
    if (h.phoff > BigInt(spec.length) || at + PROGRAM_HEADER_SIZE > spec.length) return;
    bytes.writeUInt32LE(p.type >>> 0, at);
    bytes.writeUInt32LE(p.flags >>> 0, at + 4);
    bytes.writeBigUInt64LE(p.offset, at + 8);
    bytes.writeBigUInt64LE(p.vaddr, at + 16);
    bytes.writeBigUInt64LE(p.vaddr, at + 24); // p_paddr
    bytes.writeBigUInt64LE(p.filesz, at + 32);
    bytes.writeBigUInt64LE(p.memsz, at + 40);
    bytes.writeBigUInt64LE(p.align ?? PAGE, at + 48);
  });
  return bytes;
}

/** A static executable as ld lays one out: a text segment (R+X) covering the headers and 24 bytes
 * of code, a data segment (R+W) with 0x20 file bytes and a bss up to 0x403000, and PT_GNU_STACK.
 * The data's file offset is congruent with its address modulo the page size. 0x120 bytes. */
function valid(): Spec {
  return {
    header: {
      magic: ELF_MAGIC, elfClass: 2, data: 1, identVersion: 1, type: ET_EXEC, machine: EM_X86_64, version: 1,
      entry: 0x4000e8n, phoff: 64n, ehsize: 64, phentsize: 56,
    },
    programHeaders: [
      { type: PT_LOAD, flags: PF_R | PF_X, offset: 0n, vaddr: 0x400000n, filesz: 0x100n, memsz: 0x100n },
      { type: PT_LOAD, flags: PF_R | PF_W, offset: 0x100n, vaddr: 0x401100n, filesz: 0x20n, memsz: 0x1f00n },
      { type: PT_GNU_STACK, flags: PF_R | PF_W, offset: 0n, vaddr: 0n, filesz: 0n, memsz: 0n, align: 16n },
    ],
    length: 0x120,
  };
}
const text = (spec: Spec) => spec.programHeaders[0];
const data = (spec: Spec) => spec.programHeaders[1];
const other = (type: number, flags = PF_R): ProgramHeader => ({ type, flags, offset: 0xe8n, vaddr: 0x4000e8n, filesz: 0x10n, memsz: 0x10n, align: 1n });

// --- running the parser -------------------------------------------------------------------------

const elf = suite("ELF64 program images");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let memoryEnd: number;

elf.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/elf.ts"));
});
elf.before.each(() => {
  wasm = instantiate(module);
  memoryEnd = wasm.exports.reserveTop(TOP_PAGES);
});

const readString = (address: number) => wasm.readString(address);
// wasm has no unsigned types: i64 results arrive as signed BigInts.
const unsigned64 = (value: bigint) => BigInt.asUintN(64, value);

interface Segment { fileOffset: bigint; fileSize: bigint; virtual: bigint; memorySize: bigint; writable: boolean; executable: boolean }
interface Parsed { error: number; reason: string; image: { entry: bigint; segments: Segment[] } | null }

function parseAt(address: number, length: bigint): Parsed {
  const e = wasm.exports;
  e.parse(address, length);
  assert.equal(wasm.aborts, [], "no abort");
  assert.is(e.memoryEnd(), memoryEnd, "linear memory did not grow (the end-of-memory guard holds)");
  return parseAtResult();
}

/** Copies `bytes` so that they end exactly at the end of linear memory and parses them. */
function parse(bytes: Buffer): Parsed {
  const address = memoryEnd - bytes.length;
  new Uint8Array(wasm.memory.buffer).set(bytes, address);
  return parseAt(address, BigInt(bytes.length));
}

function assertRefused(parsed: Parsed, error: number, pattern: RegExp): void {
  assert.is(parsed.error, error, `error kind; reason: ${parsed.reason}`);
  assert.ok(pattern.test(parsed.reason), `reason "${parsed.reason}" matches ${pattern}`);
  assert.is(parsed.image, null, "no image on failure");
}
function assertAccepted(parsed: Parsed): NonNullable<Parsed["image"]> {
  assert.is(parsed.error, NONE, `accepted; reason: ${parsed.reason}`);
  assert.is(parsed.reason, "");
  assert.ok(parsed.image !== null);
  return parsed.image!;
}

// --- tests --------------------------------------------------------------------------------------

elf("the end-of-memory guard works: a load one byte past the end traps", () => {
  assert.is(wasm.exports.peek(memoryEnd - 1), 0);
  assert.throws(() => wasm.exports.peek(memoryEnd), /out of bounds/);
});

elf("the exported limits are the ones the kernel's user layout expects", () => {
  assert.is(unsigned64(wasm.exports.userImageStart()), USER_IMAGE_START);
  assert.is(unsigned64(wasm.exports.userImageEnd()), USER_IMAGE_END);
  assert.is(wasm.exports.maximumSegments(), 16);
});

elf("a static executable: entry and both loadable segments exact, PT_GNU_STACK skipped", () => {
  const image = assertAccepted(parse(build(valid())));
  assert.is(image.entry, 0x4000e8n);
  assert.equal(image.segments, [
    { fileOffset: 0n, fileSize: 0x100n, virtual: 0x400000n, memorySize: 0x100n, writable: false, executable: true },
    { fileOffset: 0x100n, fileSize: 0x20n, virtual: 0x401100n, memorySize: 0x1f00n, writable: true, executable: false },
  ]);
});

/** One rule: a change to the valid image, the error it must give and what the reason must say. */
type Rule = [name: string, change: (spec: Spec) => void, error: number, reason: RegExp];
const RULES: Rule[] = [
  // The ELF header.
  ["bad magic", (s) => { s.header.magic = 0x464c457e; }, MALFORMED, /bad magic/],
  ["ELFCLASS32", (s) => { s.header.elfClass = 1; }, MALFORMED, /class 1 is not 64-bit/],
  ["big-endian (ELFDATA2MSB)", (s) => { s.header.data = 2; }, MALFORMED, /encoding 2 is not little-endian/],
  ["EI_VERSION 0", (s) => { s.header.identVersion = 0; }, MALFORMED, /identification version 0/],
  ["ET_REL", (s) => { s.header.type = ET_REL; }, MALFORMED, /type 1 is not an executable/],
  ["ET_DYN (position-independent)", (s) => { s.header.type = ET_DYN; }, NOT_PERMITTED, /position-independent/],
  ["EM_386", (s) => { s.header.machine = EM_386; }, MALFORMED, /machine 3 is not x86_64/],
  ["e_version 0", (s) => { s.header.version = 0; }, MALFORMED, /ELF version 0 is not 1/],
  ["e_ehsize 52 (an ELF32 header's)", (s) => { s.header.ehsize = 52; }, MALFORMED, /header size 52 is below 64/],
  ["e_phentsize 32 (ELF32)", (s) => { s.header.phentsize = 32; }, MALFORMED, /program header size 32 is not 56/],
  ["e_phentsize 64", (s) => { s.header.phentsize = 64; }, MALFORMED, /program header size 64/],
  ["e_phnum 0", (s) => { s.header.phnum = 0; }, MALFORMED, /no program headers/],
  ["e_phnum 17", (s) => { s.header.phnum = 17; }, MALFORMED, /17 program headers \(at most 16\)/],
  ["e_phnum 0xffff (PN_XNUM)", (s) => { s.header.phnum = 0xffff; }, MALFORMED, /65535 program headers/],
  ["program header table past the end", (s) => { s.header.phoff = BigInt(s.length - 100); }, TRUNCATED, /program header table runs past the end/],
  ["e_phoff far past the end", (s) => { s.header.phoff = 1n << 63n; }, TRUNCATED, /program header table runs past the end/],
  ["e_phoff + table size wrapping u64", (s) => { s.header.phoff = U64_MAX - 55n; }, MALFORMED, /table offset 0xffffffffffffffc8 wraps/],
  // PT_LOAD fields.
  ["p_filesz above p_memsz", (s) => { data(s).filesz = 0x1f01n; }, MALFORMED, /program header 1: file size 0x1f01 is above the memory size 0x1f00/],
  ["segment past the end of the file", (s) => { data(s).filesz = 0x21n; }, TRUNCATED, /program header 1: segment runs past the end of the file/],
  ["empty segment's offset past the end", (s) => { data(s).offset = 0x121n; data(s).filesz = 0n; }, TRUNCATED, /program header 1: .*past the end of the file/],
  ["p_offset + p_filesz wrapping u64", (s) => { data(s).offset = U64_MAX - 0xfn; }, MALFORMED, /program header 1: file offset 0xfffffffffffffff0 plus file size wraps/],
  ["p_memsz 0", (s) => { data(s).filesz = 0n; data(s).memsz = 0n; }, MALFORMED, /program header 1: empty segment/],
  ["p_vaddr below the user image", (s) => { text(s).vaddr = 0x3ff000n; }, NOT_PERMITTED, /program header 0: segment \[0x3ff000, 0x3ff100\) is outside the user image range \[0x400000, 0x40000000\)/],
  ["p_vaddr 0", (s) => { text(s).vaddr = 0n; }, NOT_PERMITTED, /program header 0: .*outside the user image range/],
  ["segment ending one byte past the user image", (s) => { data(s).vaddr = USER_IMAGE_END - 0x1f00n + 1n; }, NOT_PERMITTED, /program header 1: .*outside the user image range/],
  ["segment in the kernel half", (s) => { data(s).vaddr = 0xffff_8000_0000_0000n; }, NOT_PERMITTED, /program header 1: .*outside the user image range/],
  ["p_vaddr + p_memsz wrapping u64", (s) => { data(s).vaddr = U64_MAX - 0xfffn; }, MALFORMED, /program header 1: virtual address 0xfffffffffffff000 plus memory size wraps/],
  ["writable and executable (W^X)", (s) => { data(s).flags = PF_R | PF_W | PF_X; }, NOT_PERMITTED, /program header 1: segment is both writable and executable/],
  ["writable and executable without PF_R", (s) => { text(s).flags = PF_W | PF_X; }, NOT_PERMITTED, /program header 0: .*writable and executable/],
  ["two segments sharing the last page of one", (s) => { data(s).vaddr = 0x400f00n; }, MALFORMED, /program header 1: segment shares a 4 KiB page with program header 0/],
  ["a segment containing another", (s) => { data(s).vaddr = 0x400000n; data(s).memsz = 0x10000n; }, MALFORMED, /shares a 4 KiB page/],
  ["identical ranges", (s) => { data(s).vaddr = 0x400000n; data(s).memsz = 0x100n; data(s).filesz = 0x20n; }, MALFORMED, /shares a 4 KiB page/],
  ["a page shared with an earlier header, across an ignored one", (s) => {
    s.programHeaders = [other(PT_NOTE), text(s), { ...data(s), vaddr: 0x400800n }];
  }, MALFORMED, /program header 2: segment shares a 4 KiB page with program header 1/],
  // Segment types.
  ["PT_INTERP", (s) => { s.programHeaders.unshift(other(PT_INTERP)); }, NOT_PERMITTED, /program header 0: dynamic executables are not supported/],
  ["PT_DYNAMIC", (s) => { s.programHeaders[2] = other(PT_DYNAMIC, PF_R | PF_W); }, NOT_PERMITTED, /program header 2: dynamic executables are not supported/],
  ["PT_TLS", (s) => { s.programHeaders[2] = other(PT_TLS); }, NOT_PERMITTED, /program header 2: thread-local storage is not supported/],
  ["no PT_LOAD", (s) => { text(s).type = PT_NOTE; data(s).type = PT_PHDR; }, MALFORMED, /no loadable \(PT_LOAD\) segment/],
  // The entry point.
  ["entry in the writable data segment", (s) => { s.header.entry = 0x401100n; }, MALFORMED, /entry point 0x401100 is not inside an executable segment/],
  ["entry 0", (s) => { s.header.entry = 0n; }, MALFORMED, /entry point 0x0 is not inside/],
  ["entry one past the text segment", (s) => { s.header.entry = 0x400100n; }, MALFORMED, /entry point 0x400100/],
  ["entry below the text segment", (s) => { s.header.entry = 0x3fffffn; }, MALFORMED, /entry point 0x3fffff/],
  ["entry in an executable PT_NOTE, not a PT_LOAD", (s) => {
    s.programHeaders[2] = { ...other(PT_NOTE, PF_R | PF_X), vaddr: 0x500000n }; s.header.entry = 0x500000n;
  }, MALFORMED, /entry point 0x500000/],
];

for (const [name, change, error, reason] of RULES) {
  elf(`refused: ${name}`, () => {
    const spec = valid();
    change(spec);
    assertRefused(parse(build(spec)), error, reason);
  });
}

elf("accepted at the edges: first and last user pages, adjacent pages, entry on a segment's last byte", () => {
  const spec = valid();
  text(spec).memsz = 0x1000n; // text ends at 0x401000, where the data's page starts
  data(spec).vaddr = 0x401000n;
  data(spec).offset = 0x100n;
  spec.header.entry = 0x400fffn; // in text's zero-filled tail
  let image = assertAccepted(parse(build(spec)));
  assert.is(image.entry, 0x400fffn);
  assert.equal(image.segments.map((s) => [s.virtual, s.memorySize]), [[0x400000n, 0x1000n], [0x401000n, 0x1f00n]]);
  data(spec).vaddr = USER_IMAGE_END - 0x1f00n; // ends exactly at USER_IMAGE_END
  spec.header.entry = 0x400000n;
  image = assertAccepted(parse(build(spec)));
  assert.is(image.segments[1].virtual + image.segments[1].memorySize, USER_IMAGE_END);
});

elf("ignored segment types (PT_NULL, PT_NOTE, PT_PHDR, GNU stack/property/RELRO/EH frame, unknown) do not count or refuse", () => {
  const spec = valid();
  spec.programHeaders = [
    other(PT_PHDR), other(PT_NULL), text(spec), other(PT_NOTE), other(PT_GNU_PROPERTY), data(spec),
    { ...other(PT_GNU_STACK, PF_R | PF_W | PF_X), vaddr: 0n, memsz: 0n }, other(PT_GNU_RELRO), other(PT_GNU_EH_FRAME),
    { ...other(0x7000_0001, PF_R | PF_W | PF_X), vaddr: U64_MAX, memsz: U64_MAX, offset: U64_MAX, filesz: U64_MAX },
  ];
  spec.header.phoff = 0x200n;
  spec.length = 0x200 + spec.programHeaders.length * PROGRAM_HEADER_SIZE; // the table at the end of the file
  const image = assertAccepted(parse(build(spec)));
  assert.equal(image.segments.map((s) => s.virtual), [0x400000n, 0x401100n]);
});

elf("sixteen program headers are accepted, the segments kept in program header order", () => {
  const spec = valid();
  spec.programHeaders = [data(spec), ...Array.from({ length: 14 }, () => other(PT_NOTE)), text(spec)];
  spec.header.phoff = 0x120n;
  spec.length = 0x120 + 16 * PROGRAM_HEADER_SIZE;
  spec.header.ehsize = 0x100; // larger than 64 is allowed
  const image = assertAccepted(parse(build(spec)));
  assert.equal(image.segments.map((s) => s.executable), [false, true]);
});

elf("a bss-only segment (p_filesz 0, p_offset at the end of the file) is accepted", () => {
  const spec = valid();
  spec.programHeaders.push({ type: PT_LOAD, flags: PF_R | PF_W, offset: 0x120n, vaddr: 0x800000n, filesz: 0n, memsz: 0x10_0000n });
  spec.header.phnum = 4;
  const image = assertAccepted(parse(build(spec)));
  assert.equal(image.segments[2], { fileOffset: 0x120n, fileSize: 0n, virtual: 0x800000n, memorySize: 0x10_0000n, writable: true, executable: false });
});

elf("every prefix of a valid image is refused as truncated without reading past it; the whole one parses", () => {
  const bytes = build(valid());
  for (let length = 0; length <= bytes.length; length++) {
    const parsed = parse(bytes.subarray(0, length));
    if (length === bytes.length) {
      assertAccepted(parsed);
    } else {
      // For this image every prefix cuts the header, the table or the data segment: Truncated.
      assert.is(parsed.error, TRUNCATED, `length ${length}: ${parsed.reason}`);
      assert.is(parsed.image, null);
      assert.ok(parsed.reason.length > 0);
    }
  }
  assertRefused(parse(bytes.subarray(0, 10)), TRUNCATED, /image of 10 bytes is shorter than the 64-byte ELF header/);
});

elf("a length reaching past 4 GiB is refused before any read", () => {
  assertRefused(parseAt(memoryEnd, U64_MAX), MALFORMED, /runs past the end of linear memory/);
  assertRefused(parseAt(memoryEnd - 0x120, 0x1_0000_0000n), MALFORMED, /image of 4294967296 bytes at 0x[0-9a-f]+ runs past the end of linear memory/);
  assertRefused(parseAt(memoryEnd, 0n), TRUNCATED, /shorter than the 64-byte ELF header/);
});

// --- fuzzing ------------------------------------------------------------------------------------

const FUZZ_SEED = Number(process.env.ELF_FUZZ_SEED ?? Math.floor(Math.random() * 0xffff_ffff)) >>> 0;
const FUZZ_ITERATIONS = 4000;
const INTERESTING_64 = [
  0n, 1n, 0x20n, 0x100n, 0x11fn, 0x120n, 0x121n, 0xfffn, 0x1000n, 0x3ff000n, 0x3fffffn, 0x400000n, 0x4000e8n, 0x400fffn,
  0x401000n, 0x401100n, 0x3fff_f000n, 0x3fff_ffffn, 0x4000_0000n, 0x1_0000_0000n, 1n << 63n, U64_MAX - 0xfffn, U64_MAX,
];
const INTERESTING_32 = [PT_NULL, PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE, PT_PHDR, PT_TLS, PT_GNU_STACK, 0, 1, 2, 3, 4, 5, 6, 7, 0xffff_ffff];
const INTERESTING_16 = [0, 1, 2, 3, 16, 17, 52, 56, 62, 64, 0xffff];

/** What the image's own bytes say, for checking an accepted image against. */
function loadHeaders(bytes: Buffer): { entry: bigint; types: number[]; loads: Segment[] } {
  const phoff = Number(bytes.readBigUInt64LE(32));
  const types: number[] = [];
  const loads: Segment[] = [];
  for (let index = 0; index < bytes.readUInt16LE(56); index++) {
    const at = phoff + index * PROGRAM_HEADER_SIZE;
    const type = bytes.readUInt32LE(at);
    types.push(type);
    if (type !== PT_LOAD) continue;
    const flags = bytes.readUInt32LE(at + 4);
    loads.push({
      fileOffset: bytes.readBigUInt64LE(at + 8), fileSize: bytes.readBigUInt64LE(at + 32),
      virtual: bytes.readBigUInt64LE(at + 16), memorySize: bytes.readBigUInt64LE(at + 40),
      writable: (flags & PF_W) !== 0, executable: (flags & PF_X) !== 0,
    });
  }
  return { entry: bytes.readBigUInt64LE(24), types, loads };
}

elf(`fuzz: ${FUZZ_ITERATIONS} mutated images never abort or read outside, and what is accepted is loadable (seed ${FUZZ_SEED}; replay with ELF_FUZZ_SEED=${FUZZ_SEED})`, () => {
  const random = generator(FUZZ_SEED);
  const below = (limit: number) => Math.floor(random() * limit);
  const pick = <T>(values: T[]): T => values[below(values.length)];
  const original = build(valid());
  const tableEnd = HEADER_SIZE + 3 * PROGRAM_HEADER_SIZE;
  let accepted = 0;
  for (let iteration = 0; iteration < FUZZ_ITERATIONS; iteration++) {
    const whole = Buffer.from(original);
    const mutations = 1 + below(3);
    for (let m = 0; m < mutations; m++) {
      const choice = random();
      const at = random() < 0.9 ? below(tableEnd) : below(whole.length);
      if (choice < 0.3) whole[at] ^= 1 << below(8);                                                        // a bit flip
      else if (choice < 0.4) whole[at] = below(256);                                                       // a random byte
      else if (choice < 0.8) whole.writeBigUInt64LE(pick(INTERESTING_64), random() < 0.15 ? pick([24, 32])  // e_entry, e_phoff
        : HEADER_SIZE + below(3) * PROGRAM_HEADER_SIZE + pick([8, 16, 32, 40]));                           // an offset, address or size
      else if (choice < 0.9) whole.writeUInt32LE(pick(INTERESTING_32) >>> 0, HEADER_SIZE + below(3) * PROGRAM_HEADER_SIZE + pick([0, 4])); // a type or flags
      else whole.writeUInt16LE(pick(INTERESTING_16), pick([16, 18, 52, 54, 56]));                         // a header field
    }
    const length = random() < 0.9 ? whole.length : below(whole.length);
    const bytes = whole.subarray(0, length);
    const context = `seed ${FUZZ_SEED}, iteration ${iteration}, image ${bytes.toString("hex")}`;
    let parsed: Parsed;
    try {
      parsed = parse(bytes);
    } catch (error) {
      assert.unreachable(`the parser trapped or aborted (${(error as Error).message}); ${context}`);
      return;
    }
    if (parsed.error !== NONE) {
      assert.ok([MALFORMED, TRUNCATED, NOT_PERMITTED].includes(parsed.error), `error kind ${parsed.error}; ${context}`);
      assert.ok(parsed.reason.length > 0 && parsed.image === null, context);
      continue;
    }
    accepted++;
    const image = assertAccepted(parsed);
    const expected = loadHeaders(bytes);
    assert.equal(image.segments, expected.loads, `the segments are the PT_LOAD headers, in order; ${context}`);
    assert.is(image.entry, expected.entry, context);
    assert.ok(expected.types.length >= 1 && expected.types.length <= 16, context);
    assert.ok(!expected.types.some((type) => type === PT_INTERP || type === PT_DYNAMIC || type === PT_TLS), `no dynamic or TLS header; ${context}`);
    assert.ok(image.segments.length >= 1, context);
    for (const s of image.segments) {
      assert.ok(s.memorySize > 0n && s.fileSize <= s.memorySize, `sizes; ${context}`);
      assert.ok(s.fileOffset + s.fileSize <= BigInt(length), `within the file; ${context}`);
      assert.ok(s.virtual >= USER_IMAGE_START && s.virtual + s.memorySize <= USER_IMAGE_END, `inside the user image; ${context}`);
      assert.ok(!(s.writable && s.executable), `W^X; ${context}`);
    }
    const pages = image.segments.map((s) => [s.virtual / PAGE, (s.virtual + s.memorySize + PAGE - 1n) / PAGE]);
    for (let i = 0; i < pages.length; i++) {
      for (let j = i + 1; j < pages.length; j++) {
        assert.ok(pages[i][1] <= pages[j][0] || pages[j][1] <= pages[i][0], `segments ${i} and ${j} share no page; ${context}`);
      }
    }
    assert.ok(image.segments.some((s) => s.executable && image.entry >= s.virtual && image.entry < s.virtual + s.memorySize),
      `entry inside an executable segment; ${context}`);
  }
  // Field-aimed mutations of a valid image are often harmless: if none got through, the invariant
  // checks above never ran and the loop tested nothing.
  assert.ok(accepted >= FUZZ_ITERATIONS / 10, `only ${accepted} of ${FUZZ_ITERATIONS} mutated images accepted (seed ${FUZZ_SEED})`);
});

// --- the Linux policy (kernel/linux/'s programs) ------------------------------------------------

const LINUX_IMAGE_START = 0x1_0000n, LINUX_IMAGE_END = 0x1_0000_0000n, LINUX_PIE_SPAN = 0x4000_0000n;

interface LinuxParsed extends Parsed { interpreter: string; positionIndependent: boolean; programHeaders: bigint; programHeaderCount: number }

function parseLinux(bytes: Buffer): LinuxParsed {
  const address = memoryEnd - bytes.length;
  new Uint8Array(wasm.memory.buffer).set(bytes, address);
  const e = wasm.exports;
  e.parseLinux(address, BigInt(bytes.length));
  assert.equal(wasm.aborts, [], "no abort");
  const parsed = parseAtResult();
  return e.hasImage()
    ? { ...parsed, interpreter: readString(e.interpreter()), positionIndependent: e.positionIndependent() === 1,
        programHeaders: unsigned64(e.programHeaders()), programHeaderCount: e.programHeaderCount() }
    : { ...parsed, interpreter: "", positionIndependent: false, programHeaders: 0n, programHeaderCount: 0 };
}

/** The result of the last parse (either policy). */
function parseAtResult(): Parsed {
  const e = wasm.exports;
  const image = e.hasImage()
    ? {
        entry: unsigned64(e.entry()),
        segments: Array.from({ length: e.segmentCount() }, (_, index): Segment => ({
          fileOffset: unsigned64(e.segmentFileOffset(index)), fileSize: unsigned64(e.segmentFileSize(index)),
          virtual: unsigned64(e.segmentVirtual(index)), memorySize: unsigned64(e.segmentMemorySize(index)),
          writable: e.segmentWritable(index) === 1, executable: e.segmentExecutable(index) === 1,
        })),
      }
    : null;
  return { error: e.error(), reason: readString(e.reason()), image };
}

/** `valid()` with an interpreter path at file offset 0x140 (after the four program headers) and a
 * PT_INTERP naming it. */
function withInterpreter(path: Buffer, size = BigInt(path.length)): Buffer {
  const spec = valid();
  spec.programHeaders.push({ type: PT_INTERP, flags: PF_R, offset: 0x140n, vaddr: 0x401140n, filesz: size, memsz: size, align: 1n });
  spec.length = 0x140 + path.length;
  const bytes = build(spec);
  path.copy(bytes, 0x140);
  return bytes;
}

elf("Linux: the limits are the personality's", () => {
  assert.is(unsigned64(wasm.exports.linuxImageStart()), LINUX_IMAGE_START);
  assert.is(unsigned64(wasm.exports.linuxImageEnd()), LINUX_IMAGE_END);
  assert.is(unsigned64(wasm.exports.linuxPieSpan()), LINUX_PIE_SPAN);
});

elf("Linux: a static executable is accepted with its program headers' address (inside the segment at file offset 0)", () => {
  const parsed = parseLinux(build(valid()));
  assertAccepted(parsed);
  assert.is(parsed.programHeaders, 0x400040n);
  assert.is(parsed.programHeaderCount, 3);
  assert.is(parsed.positionIndependent, false);
  assert.is(parsed.interpreter, "");
});

elf("Linux: PT_PHDR's address wins; PT_TLS, PT_DYNAMIC and PT_GNU_RELRO are accepted (the native policy refuses TLS)", () => {
  const spec = valid();
  spec.programHeaders.push({ type: PT_PHDR, flags: PF_R, offset: 64n, vaddr: 0x400048n, filesz: 0xa8n, memsz: 0xa8n, align: 8n });
  spec.programHeaders.push(other(PT_TLS));
  spec.programHeaders.push(other(PT_DYNAMIC));
  spec.programHeaders.push(other(PT_GNU_RELRO));
  spec.length = 0x300;
  spec.header.phoff = 0x120n;   // the table moves after the data (the first segment no longer holds it)
  const parsed = parseLinux(build(spec));
  assertAccepted(parsed);
  assert.is(parsed.programHeaders, 0x400048n);
  assertRefused(parse(build(spec)), NOT_PERMITTED, /dynamic executables are not supported|thread-local storage/);
});

elf("Linux: a static-pie (ET_DYN) is accepted with addresses from 0; past LINUX_PIE_SPAN it is refused", () => {
  const spec = valid();
  spec.header.type = ET_DYN;
  spec.header.entry = 0xe8n;
  text(spec).vaddr = 0n;
  data(spec).vaddr = 0x1100n;
  const parsed = parseLinux(build(spec));
  const image = assertAccepted(parsed);
  assert.is(parsed.positionIndependent, true);
  assert.is(image.segments[0].virtual, 0n);
  assert.is(parsed.programHeaders, 0x40n);
  data(spec).vaddr = LINUX_PIE_SPAN - 0x1000n;
  assertRefused(parseLinux(build(spec)), NOT_PERMITTED, /outside the user image range \[0x0, 0x40000000\)/);
});

elf("Linux: an ET_EXEC segment below 64 KiB or above 4 GiB is refused", () => {
  const low = valid();
  text(low).vaddr = 0x8000n;
  low.header.entry = 0x80e8n;
  assertRefused(parseLinux(build(low)), NOT_PERMITTED, /outside the user image range \[0x10000, 0x100000000\)/);
  const high = valid();
  data(high).vaddr = LINUX_IMAGE_END - 0x1000n;
  assertRefused(parseLinux(build(high)), NOT_PERMITTED, /outside the user image range/);
});

elf("Linux: PT_INTERP is recorded (the loader says ENOENT); a path not NUL-terminated, empty, too long or past the end is refused", () => {
  const path = Buffer.from("/lib64/ld-linux-x86-64.so.2\0", "latin1");
  const parsed = parseLinux(withInterpreter(path));
  assertAccepted(parsed);
  assert.is(parsed.interpreter, "/lib64/ld-linux-x86-64.so.2");
  assertRefused(parseLinux(withInterpreter(Buffer.from("/lib64/ld.so", "latin1"))), MALFORMED, /not NUL-terminated/);
  assertRefused(parseLinux(withInterpreter(Buffer.from("\0", "latin1"), 0n)), MALFORMED, /interpreter path of 0 bytes/);
  assertRefused(parseLinux(withInterpreter(Buffer.from("\0", "latin1"), 4097n)), MALFORMED, /interpreter path of 4097 bytes/);
  assertRefused(parseLinux(withInterpreter(Buffer.from("/x\0", "latin1"), 0x1000n)), TRUNCATED, /interpreter path runs past the end/);
  assertRefused(parse(withInterpreter(path)), NOT_PERMITTED, /dynamic executables are not supported/);
});

elf("Linux: an executable stack (PT_GNU_STACK with PF_X) and a writable-and-executable segment are refused", () => {
  const stack = valid();
  stack.programHeaders[2].flags = PF_R | PF_W | PF_X;
  assertRefused(parseLinux(build(stack)), NOT_PERMITTED, /executable stack/);
  const wx = valid();
  data(wx).flags = PF_R | PF_W | PF_X;
  assertRefused(parseLinux(build(wx)), NOT_PERMITTED, /both writable and executable/);
});

elf(`Linux fuzz: ${FUZZ_ITERATIONS} mutated images never abort or read outside, and what is accepted is loadable (seed ${FUZZ_SEED})`, () => {
  const random = generator(FUZZ_SEED ^ 0x5a5a5a5a);
  const below = (limit: number) => Math.floor(random() * limit);
  const pick = <T>(values: T[]): T => values[below(values.length)];
  const original = withInterpreter(Buffer.from("/lib/ld.so\0", "latin1"));
  const tableEnd = HEADER_SIZE + 4 * PROGRAM_HEADER_SIZE;
  let accepted = 0;
  for (let iteration = 0; iteration < FUZZ_ITERATIONS; iteration++) {
    const whole = Buffer.from(original);
    for (let m = 1 + below(3); m > 0; m--) {
      const choice = random();
      const at = random() < 0.9 ? below(tableEnd) : below(whole.length);
      if (choice < 0.3) whole[at] ^= 1 << below(8);
      else if (choice < 0.4) whole[at] = below(256);
      else if (choice < 0.8) whole.writeBigUInt64LE(pick(INTERESTING_64), random() < 0.15 ? pick([24, 32])
        : HEADER_SIZE + below(4) * PROGRAM_HEADER_SIZE + pick([8, 16, 32, 40]));
      else if (choice < 0.9) whole.writeUInt32LE(pick(INTERESTING_32) >>> 0, HEADER_SIZE + below(4) * PROGRAM_HEADER_SIZE + pick([0, 4]));
      else whole.writeUInt16LE(pick([...INTERESTING_16, ET_DYN]), pick([16, 18, 52, 54, 56]));
    }
    const bytes = whole.subarray(0, random() < 0.9 ? whole.length : below(whole.length));
    const context = `seed ${FUZZ_SEED}, iteration ${iteration}, image ${bytes.toString("hex")}`;
    let parsed: LinuxParsed;
    try {
      parsed = parseLinux(bytes);
    } catch (error) {
      assert.unreachable(`the parser trapped or aborted (${(error as Error).message}); ${context}`);
      return;
    }
    if (parsed.error !== NONE) {
      assert.ok([MALFORMED, TRUNCATED, NOT_PERMITTED].includes(parsed.error) && parsed.image === null, context);
      continue;
    }
    accepted++;
    const image = parsed.image!;
    const [low, high] = parsed.positionIndependent ? [0n, LINUX_PIE_SPAN] : [LINUX_IMAGE_START, LINUX_IMAGE_END];
    for (const s of image.segments) {
      assert.ok(s.memorySize > 0n && s.fileSize <= s.memorySize && s.fileOffset + s.fileSize <= BigInt(bytes.length), `sizes; ${context}`);
      assert.ok(s.virtual >= low && s.virtual + s.memorySize <= high, `inside the Linux image range; ${context}`);
      assert.ok(!(s.writable && s.executable), `W^X; ${context}`);
    }
    assert.ok(image.segments.some((s) => s.executable && image.entry >= s.virtual && image.entry < s.virtual + s.memorySize), context);
    assert.ok(parsed.interpreter.length <= 4095, context);
  }
  assert.ok(accepted >= FUZZ_ITERATIONS / 20, `only ${accepted} of ${FUZZ_ITERATIONS} mutated images accepted (seed ${FUZZ_SEED})`);
});

elf.run();
