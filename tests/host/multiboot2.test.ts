// Host tests of the multiboot2 boot information parser (kernel/boot/multiboot2.ts), compiled to
// wasm with asc and run under Node. Images are built here byte by byte and, unless a test needs
// otherwise, placed flush against the end of linear memory: a read past total_size then traps,
// so "no trap" means "never read past the structure". Ends with a seeded fuzz loop.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

// abi/errors.ts
const NONE = 0, MALFORMED = 1, TRUNCATED = 2, OUT_OF_MEMORY = 5, INVALID_ARGUMENT = 10;
const TOP_PAGES = 32; // 2 MiB above the heap for images
const MAXIMUM_PROBLEM_LINES = 17;

// --- building images (multiboot2 specification 2.0, section 3.6) -------------------------------

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value >>> 0);
  return bytes;
}
function u64(value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return bytes;
}
function cString(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, "utf8"), Buffer.from([0])]);
}

/** A tag: header, payload, then padding to 8 bytes (filled with `padding`). `size` overrides the
 * size field, which otherwise is 8 + the payload's length. */
function tag(type: number, payload: Buffer = Buffer.alloc(0), size?: number, padding = 0): Buffer {
  const body = Buffer.concat([u32(type), u32(size ?? 8 + payload.length), payload]);
  return Buffer.concat([body, Buffer.alloc((8 - (body.length % 8)) % 8, padding)]);
}
const END_TAG = tag(0);

/** The fixed header, the tags and (unless `end` is false) the end tag; total_size is the length
 * unless `total` says otherwise. */
function image(tags: Buffer[], options: { end?: boolean; total?: number } = {}): Buffer {
  const body = Buffer.concat([Buffer.alloc(8), ...tags, ...(options.end === false ? [] : [END_TAG])]);
  body.writeUInt32LE((options.total ?? body.length) >>> 0, 0);
  return body;
}

type MemoryEntry = [base: bigint, length: bigint, type: number];
const commandLineTag = (text: string) => tag(1, cString(text));
const bootloaderNameTag = (text: string) => tag(2, cString(text));
const moduleTag = (start: number, end: number, text: string) => tag(3, Buffer.concat([u32(start), u32(end), cString(text)]));
function memoryMapTag(entries: MemoryEntry[], entrySize = 24, version = 0, extra = Buffer.alloc(0)): Buffer {
  const encoded = entries.map(([base, length, type]) =>
    Buffer.concat([u64(base), u64(length), u32(type), Buffer.alloc(entrySize - 20, 0xee)]));
  return tag(6, Buffer.concat([u32(entrySize), u32(version), ...encoded, extra]));
}
function framebufferTag(address: bigint, pitch: number, width: number, height: number, bitsPerPixel: number,
                        type: number, colourInformation: Buffer, size?: number): Buffer {
  const common = Buffer.concat([u64(address), u32(pitch), u32(width), u32(height), Buffer.from([bitsPerPixel, type, 0, 0])]);
  return tag(8, Buffer.concat([common, colourInformation]), size);
}

/** An RSDP as QEMU's firmware builds it, checksums included (ACPI 6.5 section 5.2.5.3). */
function rsdp(revision: number): Buffer {
  const bytes = Buffer.alloc(revision >= 2 ? 36 : 20);
  bytes.write("RSD PTR ", 0, "latin1");
  bytes.write("BOCHS ", 9, "latin1");
  bytes[15] = revision;
  bytes.writeUInt32LE(0x0ffe2345, 16);
  if (revision >= 2) {
    bytes.writeUInt32LE(36, 20);
    bytes.writeBigUInt64LE(0x0ffe2400n, 24);
  }
  const sum = (end: number) => bytes.subarray(0, end).reduce((total, byte) => total + byte, 0);
  bytes[8] = (256 - (sum(20) % 256)) % 256;
  if (revision >= 2) bytes[32] = (256 - (sum(36) % 256)) % 256;
  return bytes;
}

// Captured from the kernel's own report of the map QEMU 7.2 gives GRUB with -m 256M (SeaBIOS).
const SEABIOS_256M: MemoryEntry[] = [
  [0x0n, 0x9fc00n, 1], [0x9fc00n, 0x400n, 2], [0xf0000n, 0x10000n, 2], [0x100000n, 0xfee0000n, 1],
  [0xffe0000n, 0x20000n, 2], [0xfffc0000n, 0x40000n, 2],
];
const RSDP_OLD = rsdp(0);
const RSDP_NEW = rsdp(2);
const RGB_888 = Buffer.from([16, 8, 8, 8, 0, 8]); // red, green, blue: field position and mask size

/** What GRUB 2.06 hands over, in its order: load base address (21), command line, boot loader
 * name, a module, basic memory information (4), BIOS boot device (5), memory map, framebuffer,
 * ACPI old and new RSDP, end. Tags 21, 4 and 5 are not parsed and must be skipped. */
function grubTags(): Buffer[] {
  return [
    tag(21, u32(0x100000)),
    commandLineTag("test=boot console=ttyS0"),
    bootloaderNameTag("GRUB 2.06-13+deb12u1"),
    moduleTag(0x124000, 0x1263a1, "/boot/init.elf --verbose"),
    tag(4, Buffer.concat([u32(639), u32(261_120)])),
    tag(5, Buffer.concat([u32(0xe0), u32(0xffffffff), u32(0xffffffff)])),
    memoryMapTag(SEABIOS_256M),
    framebufferTag(0xfd000000n, 4096, 1024, 768, 32, 1, RGB_888),
    tag(14, RSDP_OLD),
    tag(15, RSDP_NEW),
  ];
}

// --- running the parser -------------------------------------------------------------------------

const multiboot2 = suite("multiboot2 boot information");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let memoryEnd: number;

multiboot2.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/multiboot2.ts"));
});
multiboot2.before.each(() => {
  wasm = instantiate(module);
  memoryEnd = wasm.exports.reserveTop(TOP_PAGES);
});

const readString = (address: number) => wasm.readString(address);

const placeAtEnd = (bytes: Buffer) => wasm.placeAtEnd(bytes, memoryEnd);

interface Parsed {
  error: number; problems: string[]; commandLine: string; bootloaderName: string;
  memoryMap: MemoryEntry[]; memoryMapEntryVersion: number;
  modules: { start: number; end: number; commandLine: string }[];
  framebuffer: { address: bigint; pitch: number; width: number; height: number; bitsPerPixel: number; type: number } | null;
  rsdpAddress: number; rsdpLength: number; rsdpVersion: number;
}

function parseAt(address: number): Parsed {
  const e = wasm.exports;
  e.parse(address);
  assert.equal(wasm.aborts, [], "no abort");
  assert.is(e.memoryEnd(), memoryEnd, "linear memory did not grow (the end-of-memory guard holds)");
  const range = (count: number) => Array.from({ length: count }, (_, index) => index);
  // wasm has no unsigned types: i64 results arrive as signed BigInts, i32 ones as signed numbers.
  const unsigned64 = (value: bigint) => BigInt.asUintN(64, value);
  return {
    error: e.error(),
    problems: range(e.problemCount()).map((index) => readString(e.problem(index))),
    commandLine: readString(e.commandLine()),
    bootloaderName: readString(e.bootloaderName()),
    memoryMap: range(e.memoryMapCount()).map((index): MemoryEntry => [unsigned64(e.memoryMapBase(index)), unsigned64(e.memoryMapLength(index)), e.memoryMapType(index) >>> 0]),
    memoryMapEntryVersion: e.memoryMapEntryVersion() >>> 0,
    modules: range(e.moduleCount()).map((index) => ({ start: e.moduleStart(index) >>> 0, end: e.moduleEnd(index) >>> 0, commandLine: readString(e.moduleCommandLine(index)) })),
    framebuffer: e.hasFramebuffer()
      ? { address: unsigned64(e.framebufferAddress()), pitch: e.framebufferPitch() >>> 0, width: e.framebufferWidth() >>> 0, height: e.framebufferHeight() >>> 0,
          bitsPerPixel: e.framebufferBitsPerPixel(), type: e.framebufferType() }
      : null,
    rsdpAddress: e.rsdpAddress() >>> 0, rsdpLength: e.rsdpLength() >>> 0, rsdpVersion: e.rsdpVersion(),
  };
}

const parse = (bytes: Buffer): Parsed => parseAt(placeAtEnd(bytes));

function assertProblem(parsed: Parsed, error: number, pattern: RegExp): void {
  assert.is(parsed.error, error, `error kind; problems: ${JSON.stringify(parsed.problems)}`);
  assert.ok(parsed.problems.some((line) => pattern.test(line)), `a problem matching ${pattern} in ${JSON.stringify(parsed.problems)}`);
}

// --- tests --------------------------------------------------------------------------------------

multiboot2("the end-of-memory guard works: a load one byte past the end traps", () => {
  assert.is(wasm.exports.peek(memoryEnd - 1), 0);
  assert.throws(() => wasm.exports.peek(memoryEnd), /out of bounds/);
});

multiboot2("a GRUB-like structure: every field right, unknown tags skipped, no problem", () => {
  const bytes = image(grubTags());
  const address = placeAtEnd(bytes);
  const parsed = parseAt(address);
  assert.is(parsed.error, NONE);
  assert.equal(parsed.problems, []);
  assert.is(parsed.commandLine, "test=boot console=ttyS0");
  assert.is(parsed.bootloaderName, "GRUB 2.06-13+deb12u1");
  assert.equal(parsed.modules, [{ start: 0x124000, end: 0x1263a1, commandLine: "/boot/init.elf --verbose" }]);
  assert.equal(parsed.memoryMap, SEABIOS_256M);
  assert.is(parsed.memoryMapEntryVersion, 0);
  assert.equal(parsed.framebuffer, { address: 0xfd000000n, pitch: 4096, width: 1024, height: 768, bitsPerPixel: 32, type: 1 });
  assert.is(parsed.rsdpVersion, 2, "the ACPI 2.0 copy wins over the ACPI 1.0 one");
  assert.is(parsed.rsdpLength, 36);
  assert.is(parsed.rsdpAddress, address + bytes.indexOf(RSDP_NEW), "the address of the copy inside tag 15");
  assert.equal(Buffer.from(wasm.bytes(parsed.rsdpAddress, parsed.rsdpLength)), RSDP_NEW);
});

multiboot2("bootCommandLine: the command line, \"\" without one or when the structure is unusable", () => {
  const text = (bytes: Buffer) => readString(wasm.exports.commandLineOnly(placeAtEnd(bytes)));
  assert.is(text(image(grubTags())), "test=boot console=ttyS0");
  assert.is(text(image([bootloaderNameTag("GRUB")])), "");
  assert.is(text(image([commandLineTag("quiet")], { total: 12 })), "");
  assert.is(text(image([commandLineTag("kept"), tag(7, Buffer.alloc(0), 3)])), "kept", "parsed before a broken tag");
  assert.equal(wasm.aborts, []);
});

multiboot2("ACPI 1.0 only; an ACPI 1.0 copy after the 2.0 one does not replace it; short copies ignored", () => {
  let bytes = image([tag(14, RSDP_OLD)]);
  let parsed = parse(bytes);
  assert.is(parsed.error, NONE);
  assert.is(parsed.rsdpVersion, 1);
  assert.is(parsed.rsdpLength, 20);
  assert.equal(Buffer.from(wasm.bytes(parsed.rsdpAddress, 20)), RSDP_OLD);

  bytes = image([tag(15, RSDP_NEW), tag(14, RSDP_OLD)]);
  parsed = parse(bytes);
  assert.is(parsed.error, NONE);
  assert.is(parsed.rsdpVersion, 2);
  assert.is(parsed.rsdpAddress, memoryEnd - bytes.length + 16);

  parsed = parse(image([tag(15, RSDP_NEW.subarray(0, 35)), tag(14, RSDP_OLD.subarray(0, 19))]));
  assertProblem(parsed, TRUNCATED, /RSDP copy of 35 bytes/);
  assert.ok(parsed.problems.some((line) => /RSDP copy of 19 bytes/.test(line)));
  assert.is(parsed.rsdpVersion, 0);
  assert.is(parsed.rsdpAddress, 0);
  assert.is(parsed.rsdpLength, 0);
});

multiboot2("overlapping, unordered, unaligned, zero-length and extreme memory map entries are kept verbatim", () => {
  const entries: MemoryEntry[] = [
    [0x100000n, 0x800000n, 1], [0x400000n, 0x100000n, 2], // overlap
    [0x123n, 0x7ffn, 1],                                   // unaligned, below the previous ones
    [0x200000n, 0n, 1], [0n, 0n, 0],                      // zero length, zero type
    [0xfffffffffffff000n, 0x2000n, 1],                    // wraps past 2^64
    [0xffffffffffffffffn, 0xffffffffffffffffn, 0xffffffff],
    [0x100000n, 0x800000n, 1],                             // an exact duplicate
  ];
  const parsed = parse(image([memoryMapTag(entries)]));
  assert.is(parsed.error, NONE);
  assert.equal(parsed.memoryMap, entries);
});

multiboot2("a larger entry_size (32, version 1) is stepped over, its extra bytes ignored", () => {
  const parsed = parse(image([memoryMapTag(SEABIOS_256M, 32, 1)]));
  assert.is(parsed.error, NONE);
  assert.equal(parsed.memoryMap, SEABIOS_256M);
  assert.is(parsed.memoryMapEntryVersion, 1);
});

multiboot2("a truncated memory map: the partial last entry is dropped, the whole ones kept", () => {
  const parsed = parse(image([memoryMapTag(SEABIOS_256M.slice(0, 3), 24, 0, Buffer.alloc(23, 0xab)), commandLineTag("after")]));
  assertProblem(parsed, TRUNCATED, /partial entry/);
  assert.equal(parsed.memoryMap, SEABIOS_256M.slice(0, 3));
  assert.is(parsed.commandLine, "after", "parsing goes on after the tag");
});

multiboot2("a bad entry_size (16, 20, 0, 28) refuses the memory map tag; later tags are still parsed", () => {
  for (const entrySize of [16, 20, 0, 28]) {
    const entries = Buffer.alloc(3 * 24, 0x11);
    const bytes = image([tag(6, Buffer.concat([u32(entrySize), u32(0), entries])), moduleTag(0x200000, 0x201000, "m")]);
    const parsed = parse(bytes);
    assertProblem(parsed, MALFORMED, new RegExp(`memory map entry size ${entrySize} `));
    assert.equal(parsed.memoryMap, [], `entry size ${entrySize}`);
    assert.is(parsed.modules.length, 1);
  }
  const parsed = parse(image([tag(6, u32(24))])); // no room for entry_version
  assertProblem(parsed, TRUNCATED, /memory map tag of size 12/);
});

multiboot2("a zero-length tag (size 0) stops parsing without an abort; earlier tags stay", () => {
  const parsed = parse(image([commandLineTag("before"), tag(9, Buffer.alloc(8), 0), bootloaderNameTag("after")]));
  assertProblem(parsed, MALFORMED, /offset 24: tag 9 has size 0/);
  assert.is(parsed.commandLine, "before");
  assert.is(parsed.bootloaderName, "", "nothing after the broken tag is parsed");
});

multiboot2("a tag of size below 8 stops parsing; earlier tags stay", () => {
  for (const size of [1, 4, 7]) {
    const parsed = parse(image([moduleTag(0x300000, 0x301000, "one"), tag(3, Buffer.alloc(8), size)]));
    assertProblem(parsed, MALFORMED, new RegExp(`has size ${size} \\(below 8\\)`));
    assert.is(parsed.modules.length, 1);
  }
});

multiboot2("a tag running past total_size stops parsing; earlier tags stay", () => {
  const bytes = image([commandLineTag("kept"), tag(6, Buffer.alloc(16), 0x7fff_fff0)]);
  let parsed = parse(bytes);
  assertProblem(parsed, TRUNCATED, /runs past the total size/);
  assert.is(parsed.commandLine, "kept");
  assert.equal(parsed.memoryMap, []);
  // A structure cut short: total_size ends 8 bytes inside the last tag, and so does memory.
  const whole = image([commandLineTag("kept"), memoryMapTag(SEABIOS_256M)], { end: false });
  const cut = Buffer.from(whole.subarray(0, whole.length - 8));
  cut.writeUInt32LE(cut.length, 0);
  parsed = parse(cut);
  assertProblem(parsed, TRUNCATED, /tag 6 of size 160 runs past the total size/);
  assert.equal(parsed.memoryMap, []);
  assert.is(parsed.commandLine, "kept");
});

multiboot2("total_size past what the boot loader wrote (scratch area): no abort, earlier tags stay", () => {
  const scratch = wasm.exports.scratch() as number;
  for (const fill of [0x00, 0xff, 0x08]) {
    const bytes = image([commandLineTag("scratch"), moduleTag(0x500000, 0x500100, "m")], { end: false, total: 200 * 1024 });
    const view = new Uint8Array(wasm.memory.buffer);
    view.fill(fill, scratch, scratch + 65536);
    view.set(bytes, scratch);
    const parsed = parseAt(scratch);
    assert.ok(parsed.error !== NONE, `fill 0x${fill.toString(16)}: an error is recorded`);
    assert.is(parsed.commandLine, "scratch");
    assert.is(parsed.modules.length, 1);
  }
});

multiboot2("total_size below 16 or above 1 MiB: nothing parsed, an error recorded", () => {
  for (const total of [0, 4, 8, 15]) {
    // Only the total_size field exists: anything more read would trap.
    const parsed = parse(u32(total));
    assertProblem(parsed, TRUNCATED, new RegExp(`total size ${total} below 16`));
  }
  for (const total of [0x10_0001, 0xffff_ffff]) {
    const parsed = parse(image([commandLineTag("never")], { total }));
    assertProblem(parsed, MALFORMED, /above 1 MiB/);
    assert.is(parsed.commandLine, "");
  }
  const parsed = parse(image([])); // exactly 16: the header and the end tag
  assert.is(parsed.error, NONE);
  assert.equal(parsed.problems, []);
});

multiboot2("a null address is refused without a read", () => {
  const parsed = parseAt(0);
  assertProblem(parsed, INVALID_ARGUMENT, /null address/);
});

multiboot2("strings without a NUL are cut at the tag's end, not the padding's", () => {
  const parsed = parse(image([
    tag(1, Buffer.from("console=tty"), undefined, 0x58), // padded with 'X'
    tag(2, Buffer.from("GRUB"), undefined, 0x58),
    tag(3, Buffer.concat([u32(0x400000), u32(0x401000), Buffer.from("/boot/x")]), undefined, 0x58),
    tag(3, Buffer.concat([u32(0x402000), u32(0x403000)])), // no string at all
  ]));
  assertProblem(parsed, TRUNCATED, /string without a NUL/);
  assert.is(parsed.problems.length, 4);
  assert.is(parsed.commandLine, "console=tty");
  assert.is(parsed.bootloaderName, "GRUB");
  assert.equal(parsed.modules.map((m) => m.commandLine), ["/boot/x", ""]);
});

multiboot2("a string stops at its first NUL; bytes after it in the tag are ignored", () => {
  const parsed = parse(image([tag(1, Buffer.from("first\0second\0"))]));
  assert.is(parsed.error, NONE);
  assert.is(parsed.commandLine, "first");
});

multiboot2("a module whose end is below its start is refused; the others are kept", () => {
  const parsed = parse(image([
    moduleTag(0x200000, 0x1fffff, "reversed"), moduleTag(0x300000, 0x300000, "empty"), moduleTag(0x400000, 0x480000, "init"),
    tag(3, u32(0x500000)), // too short for mod_end
  ]));
  assertProblem(parsed, MALFORMED, /module ends \(0x1fffff\) below its start \(0x200000\)/);
  assert.ok(parsed.problems.some((line) => /module tag of size 12/.test(line)));
  assert.equal(parsed.modules, [
    { start: 0x300000, end: 0x300000, commandLine: "empty" }, { start: 0x400000, end: 0x480000, commandLine: "init" },
  ]);
});

multiboot2("a missing end tag is recorded; everything before stays usable", () => {
  let parsed = parse(image(grubTags(), { end: false }));
  assertProblem(parsed, TRUNCATED, /no end tag/);
  assert.is(parsed.problems.length, 1);
  assert.is(parsed.commandLine, "test=boot console=ttyS0");
  assert.equal(parsed.memoryMap, SEABIOS_256M);
  assert.is(parsed.rsdpVersion, 2);
  // total_size not a multiple of 8: the tail too short for a tag header is not read.
  const withTail = Buffer.concat([image([commandLineTag("odd")], { end: false }), Buffer.alloc(5)]);
  withTail.writeUInt32LE(withTail.length, 0);
  parsed = parse(withTail);
  assertProblem(parsed, TRUNCATED, /no end tag/);
  assert.is(parsed.commandLine, "odd");
});

multiboot2("an end tag of the wrong size still ends the structure, with a problem", () => {
  const bytes = image([commandLineTag("x"), tag(0, Buffer.alloc(8)), commandLineTag("after the end")], { end: false });
  const parsed = parse(bytes);
  assertProblem(parsed, MALFORMED, /end tag of size 16/);
  assert.is(parsed.commandLine, "x");
});

multiboot2("a second copy of a single tag is ignored", () => {
  const parsed = parse(image([commandLineTag("first"), commandLineTag("second"), memoryMapTag(SEABIOS_256M), memoryMapTag([[0n, 1n, 1]])]));
  assertProblem(parsed, MALFORMED, /second tag 1; ignored/);
  assert.is(parsed.commandLine, "first");
  assert.equal(parsed.memoryMap, SEABIOS_256M);
});

multiboot2("framebuffer: colour information is bounds-checked, the common part kept; a short tag is ignored", () => {
  const palette = Buffer.concat([Buffer.from([4, 0]), Buffer.alloc(12, 0x7f)]); // u16 count 4, 4 colours
  let parsed = parse(image([framebufferTag(0xb8000n, 160, 80, 25, 16, 2, Buffer.alloc(0))]));
  assert.is(parsed.error, NONE, "EGA text has no colour information");
  assert.equal(parsed.framebuffer, { address: 0xb8000n, pitch: 160, width: 80, height: 25, bitsPerPixel: 16, type: 2 });
  parsed = parse(image([framebufferTag(0xa0000n, 320, 320, 200, 8, 0, palette)]));
  assert.is(parsed.error, NONE, "an indexed palette that fits");
  parsed = parse(image([framebufferTag(0xa0000n, 320, 320, 200, 8, 0, palette.subarray(0, 13))]));
  assertProblem(parsed, TRUNCATED, /colour information runs past the tag/);
  assert.is(parsed.framebuffer?.width, 320);
  parsed = parse(image([framebufferTag(0xfd000000n, 4096, 1024, 768, 32, 1, RGB_888)]));
  assert.is(wasm.exports.framebufferColours(), 0x08_00_08_08_08_10n, "RGB positions and sizes kept");
  parsed = parse(image([framebufferTag(0xfd000000n, 4096, 1024, 768, 32, 1, RGB_888.subarray(0, 5))]));
  assert.is(wasm.exports.framebufferColours(), 0n, "a short colour field keeps none of it");
  assertProblem(parsed, TRUNCATED, /colour information runs past the tag/);
  parsed = parse(image([framebufferTag(0xfd000000n, 4096, 1024, 768, 32, 0, Buffer.alloc(0))]));
  assertProblem(parsed, TRUNCATED, /colour information runs past the tag/);
  parsed = parse(image([tag(8, Buffer.alloc(23))]));
  assertProblem(parsed, TRUNCATED, /framebuffer tag of size 31/);
  assert.is(parsed.framebuffer, null);
});

multiboot2("problems are capped: a flood of bad modules yields at most 17 lines", () => {
  const modules = Array.from({ length: 300 }, () => moduleTag(2, 1, "bad"));
  const parsed = parse(image(modules));
  assert.is(parsed.error, MALFORMED);
  assert.is(parsed.problems.length, MAXIMUM_PROBLEM_LINES);
  assert.is(parsed.problems[16], "further problems not recorded");
});

multiboot2("counts are capped: 300 modules keep 256, a 2000-entry map keeps 1024", () => {
  const modules = Array.from({ length: 300 }, (_, index) => moduleTag(index * 0x1000, index * 0x1000 + 0x800, ""));
  let parsed = parse(image(modules));
  assertProblem(parsed, OUT_OF_MEMORY, /more than 256 modules/);
  assert.is(parsed.modules.length, 256);
  const entries = Array.from({ length: 2000 }, (_, index): MemoryEntry => [BigInt(index) << 12n, 0x1000n, 1]);
  parsed = parse(image([memoryMapTag(entries)]));
  assertProblem(parsed, OUT_OF_MEMORY, /memory map of 2000 entries/);
  assert.equal(parsed.memoryMap, entries.slice(0, 1024));
});

// --- fuzzing ------------------------------------------------------------------------------------


const FUZZ_SEED = Number(process.env.MULTIBOOT2_FUZZ_SEED ?? Math.floor(Math.random() * 0xffff_ffff)) >>> 0;
const FUZZ_ITERATIONS = 2000;
const INTERESTING_SIZES = [0, 1, 7, 8, 9, 12, 15, 16, 20, 23, 24, 31, 32, 36, 0x7fff_ffff, 0x8000_0000, 0xffff_fff8, 0xffff_ffff];

multiboot2(`fuzz: ${FUZZ_ITERATIONS} mutated GRUB-like images never abort or read past total_size (seed ${FUZZ_SEED}; replay with MULTIBOOT2_FUZZ_SEED=${FUZZ_SEED})`, () => {
  const random = generator(FUZZ_SEED);
  const below = (limit: number) => Math.floor(random() * limit);
  const original = image([
    ...grubTags(), moduleTag(0x130000, 0x140000, "second"),
    framebufferTag(0xa0000n, 320, 320, 200, 8, 0, Buffer.concat([Buffer.from([2, 0]), Buffer.alloc(6, 1)])),
  ]);
  for (let iteration = 0; iteration < FUZZ_ITERATIONS; iteration++) {
    const bytes = Buffer.from(original);
    const mutations = 1 + below(6);
    for (let m = 0; m < mutations; m++) {
      const choice = random();
      if (choice < 0.5) bytes[4 + below(bytes.length - 4)] ^= 1 << below(8);             // a bit flip
      else if (choice < 0.8) bytes[4 + below(bytes.length - 4)] = below(256);              // a random byte
      else bytes.writeUInt32LE(INTERESTING_SIZES[below(INTERESTING_SIZES.length)] >>> 0, 4 + 4 * below((bytes.length - 4) / 4)); // a size-like word
    }
    // total_size: kept, cut anywhere (the bytes past it are then absent), or out of range.
    const choice = random();
    const total = choice < 0.4 ? bytes.length : choice < 0.95 ? below(bytes.length + 1) : 0x10_0000 + 1 + below(0x1000);
    bytes.writeUInt32LE(total, 0);
    const present = bytes.subarray(0, Math.max(4, Math.min(total, bytes.length)));
    const context = `seed ${FUZZ_SEED}, iteration ${iteration}, total ${total}, image ${present.toString("hex")}`;
    let parsed: Parsed;
    try {
      parsed = parse(present);
    } catch (error) {
      assert.unreachable(`the parser trapped or aborted (${(error as Error).message}); ${context}`);
      return;
    }
    const address = memoryEnd - present.length;
    assert.is(parsed.error === NONE, parsed.problems.length === 0, `error set exactly when a problem is recorded; ${context}`);
    assert.ok(parsed.problems.length <= MAXIMUM_PROBLEM_LINES, context);
    if (parsed.rsdpVersion !== 0) {
      assert.ok(parsed.rsdpAddress >= address + 16 && parsed.rsdpAddress + parsed.rsdpLength <= address + present.length, `RSDP inside the structure; ${context}`);
      assert.ok(parsed.rsdpLength >= (parsed.rsdpVersion === 2 ? 36 : 20), context);
    }
    for (const m of parsed.modules) assert.ok(m.end >= m.start, context);
  }
});

multiboot2.run();
