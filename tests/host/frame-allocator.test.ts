// Host tests of the physical frame allocator (kernel/memory/frame-allocator.ts), compiled to wasm
// with asc and run under Node: QEMU's firmware maps, hostile ones (overlapping, unaligned,
// zero-length, wrapping), the errors of create() and free(), contiguous runs, and a seeded random
// sequence checked against a model. Expected frames come from a per-frame reference below.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate, type AssemblyScriptModule } from "./assemblyscript";
import { generator } from "./random";

const FRAME = 0x1000;
const MiB = 0x10_0000;
const GiB = 0x4000_0000;
const FOUR_GIB = 0x1_0000_0000;
const U64_MAX = 0xffff_ffff_ffff_ffffn;
const HEAP_START = 0x100_0000; // arch/x86_64/layout.h
const HEAP_END = 0x180_0000;

type Entry = [base: number | bigint, length: number | bigint, type: number];
type Range = [start: number | bigint, end: number | bigint];

/** KernelError values, read from abi/errors.ts so that the two cannot drift apart. */
const ERROR: Record<string, number> = Object.fromEntries(
  [...readFileSync(join(REPOSITORY, "abi/errors.ts"), "utf8").matchAll(/^\s+(\w+) = (\d+),/gm)].map(([, name, value]) => [name, Number(value)]),
);

// Firmware maps of QEMU 7.2 (pc machine): SeaBIOS and OVMF with -m 256M captured from the kernel's
// own report (as in memory-plan.test.ts); the others follow SeaBIOS's pattern for that RAM size,
// with RAM from 3 GiB up relocated above 4 GiB.
const SEABIOS_LOW: Entry[] = [[0x0, 0x9fc00, 1], [0x9fc00, 0x400, 2], [0xf0000, 0x10000, 2]];
const SEABIOS_TOP: Entry = [0xfffc0000, 0x40000, 2];
const SEABIOS_64M: Entry[] = [...SEABIOS_LOW, [0x100000, 0x3ee0000, 1], [0x3fe0000, 0x20000, 2], SEABIOS_TOP];
const SEABIOS_256M: Entry[] = [...SEABIOS_LOW, [0x100000, 0xfee0000, 1], [0xffe0000, 0x20000, 2], SEABIOS_TOP];
const SEABIOS_512M: Entry[] = [...SEABIOS_LOW, [0x100000, 0x1fee0000, 1], [0x1ffe0000, 0x20000, 2], SEABIOS_TOP];
const SEABIOS_4G: Entry[] = [
  ...SEABIOS_LOW, [0x100000, 0xbfee0000, 1], [0xbffe0000, 0x20000, 2], [0xfeffc000, 0x4000, 2], SEABIOS_TOP,
  [0x100000000, 0x40000000, 1],
];
const OVMF_256M: Entry[] = [
  [0x0, 0xa0000, 1], [0x100000, 0x700000, 1], [0x800000, 0x8000, 4], [0x808000, 0x3000, 1],
  [0x80b000, 0x1000, 4], [0x80c000, 0x4000, 1], [0x810000, 0xf0000, 4], [0x900000, 0xe1bb000, 1],
  [0xeabb000, 0xc1000, 2], [0xeb7c000, 0x971000, 1], [0xf4ed000, 0x100000, 2], [0xf5ed000, 0x100000, 20],
  [0xf6ed000, 0x80000, 2], [0xf76d000, 0x12000, 3], [0xf77f000, 0x80000, 4], [0xf7ff000, 0x759000, 1],
  [0xff58000, 0x20000, 2], [0xff78000, 0x88000, 4], [0xffe00000, 0x200000, 2],
];
const KERNEL_IMAGE: Range = [0x100000, 0x200000];
const HEAP: Range = [HEAP_START, HEAP_END];
/** Low memory as SeaBIOS reports it: synthetic maps start with it, since the test entry's
 * storage (a static area of the wasm module, at a low address) must be available memory. */
const LOW: Entry = [0x0, 0x9fc00, 1];

/** The frames the allocator must manage, frame by frame: a frame counts when available entries
 * cover all of it, no other entry and no exclusion shares a byte with it, and it is not page 0. */
function expectedFrames(map: Entry[], exclusions: Range[]): number[] {
  const clip = (value: bigint) => Number(value > BigInt(FOUR_GIB) * 2n ? BigInt(FOUR_GIB) * 2n : value);
  const entries = map.filter(([, length]) => BigInt(length) !== 0n).map(([base, length, type]) => {
    const end = BigInt(base) + BigInt(length);
    return { start: clip(BigInt(base)), end: clip(end > U64_MAX ? U64_MAX : end), available: type === 1 };
  });
  const available = entries.filter((entry) => entry.available).sort((a, b) => a.start - b.start);
  const others = entries.filter((entry) => !entry.available);
  const excluded = exclusions.map(([start, end]) => ({ start: clip(BigInt(start)), end: clip(BigInt(end)) }));
  const top = Math.min(FOUR_GIB, Math.max(0, ...available.map((entry) => entry.end)));
  const frames: number[] = [];
  for (let start = FRAME; start + FRAME <= top; start += FRAME) {
    const end = start + FRAME;
    if (others.some((entry) => entry.start < end && start < entry.end)) continue;
    if (excluded.some((range) => range.start < range.end && range.start < end && start < range.end)) continue;
    let covered = start;
    for (const entry of available) {
      if (entry.start > covered) break;
      if (entry.end > covered) covered = entry.end;
      if (covered >= end) break;
    }
    if (covered >= end) frames.push(start);
  }
  return frames;
}

const allocator = suite("frame allocator");
let module: WebAssembly.Module;
let wasm: AssemblyScriptModule;
let storage: number;

allocator.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/frame-allocator.ts"));
});
allocator.before.each(() => {
  wasm = instantiate(module);
  storage = wasm.exports.storageAddress();
  assert.ok(storage >= FRAME && storage + wasm.exports.storageCapacity() <= 0x9f000, "the storage area lies in LOW");
});
allocator.after.each(() => {
  assert.equal(wasm.aborts, [], "no abort");
});

function describe(map: Entry[], exclusions: Range[] = []): void {
  wasm.exports.reset();
  for (const [base, length, type] of map) wasm.exports.addEntry(BigInt(base), BigInt(length), type);
  for (const [start, end] of exclusions) wasm.exports.addExclusion(BigInt(start), BigInt(end));
}

/** Describes the input and creates the allocator with its storage at the static area; returns
 * create()'s error. */
function create(map: Entry[], exclusions: Range[] = [], at = storage): number {
  describe(map, exclusions);
  return wasm.exports.create(at);
}

/** The frames the storage takes, as an exclusion for expectedFrames. */
function storageRange(): Range {
  return [storage, storage + Math.ceil(wasm.exports.storageBytes() / FRAME) * FRAME];
}

const allocate = (): number => Number(wasm.exports.allocate());
const allocateContiguous = (count: number, alignment: number): number => Number(wasm.exports.allocateContiguous(count, alignment));
const free = (address: number | bigint): number => wasm.exports.free(BigInt(address));

/** On a fresh allocator, whether the frame at `address` is managed: free() of a managed frame
 * that is not allocated says NotAllocated, of any other frame OutOfRange. */
function managed(address: number): boolean {
  const error = free(address);
  assert.ok(error === ERROR.NotAllocated || error === ERROR.OutOfRange, `free(0x${address.toString(16)}) probe`);
  return error === ERROR.NotAllocated;
}

function assertCounters(used: number, message = ""): void {
  const total = wasm.exports.totalFrames(), freeFrames = wasm.exports.freeFrames();
  assert.is(wasm.exports.usedFrames(), used, `used frames ${message}`);
  assert.is(freeFrames, total - used, `free frames ${message}`);
}

allocator("SeaBIOS 256 MiB: the exact frames, lowest first, never page 0 or an exclusion, then OutOfMemory", () => {
  assert.is(create(SEABIOS_256M, [KERNEL_IMAGE, HEAP]), ERROR.None);
  assert.is(wasm.exports.storageBytes(), 16 * 1024, "2 bits for each of the 0xffe0 frames below the top of RAM");
  const expected = expectedFrames(SEABIOS_256M, [KERNEL_IMAGE, HEAP, storageRange()]);
  // [0x1000, 0x9f000) and [0x100000, 0xffe0000), less the image, the heap and 4 storage frames.
  assert.is(expected.length, 0x9e + 0xfee0 - 0x100 - 0x800 - 4);
  assert.is(wasm.exports.totalFrames(), expected.length);
  assert.is(wasm.exports.framesAbove4G(), 0n);
  assertCounters(0);

  const handedOut: number[] = [];
  for (let address = allocate(); address !== 0; address = allocate()) {
    assert.is(wasm.exports.lastError(), ERROR.None);
    handedOut.push(address);
    if (handedOut.length > expected.length) break;
  }
  assert.equal(handedOut, expected, "every managed frame once, in address order");
  assert.is(new Set(handedOut).size, handedOut.length, "unique");
  assert.ok(handedOut.every((address) => address % FRAME === 0), "aligned");
  for (const never of [0, 0x9f000, 0xf0000, KERNEL_IMAGE[0] as number, 0x1ff000, HEAP_START, HEAP_END - FRAME, storage, 0xffe0000]) {
    assert.not.ok(handedOut.includes(never), `0x${never.toString(16)} never handed out`);
  }
  assert.ok(handedOut.includes(0x200000) && handedOut.includes(HEAP_END) && handedOut.includes(0xffdf000));

  assert.is(allocate(), 0, "exhausted");
  assert.is(wasm.exports.lastError(), ERROR.OutOfMemory);
  assert.is(allocateContiguous(1, 1), 0);
  assert.is(wasm.exports.lastError(), ERROR.OutOfMemory);
  assertCounters(expected.length, "when exhausted");
  for (const address of handedOut) assert.is(free(address), ERROR.None);
  assertCounters(0, "after freeing everything");
  assert.is(allocate(), expected[0], "the lowest frame again");
});

allocator("QEMU maps of 64 MiB to 4 GiB: frames below 4 GiB managed, frames above counted", () => {
  const cases: [name: string, map: Entry[], total: number, above: bigint][] = [
    ["SeaBIOS 64 MiB", SEABIOS_64M, 0x9e + 0x3ee0 - 0x100 - 0x800 - 1, 0n],
    ["SeaBIOS 512 MiB", SEABIOS_512M, 0x9e + 0x1fee0 - 0x100 - 0x800 - 8, 0n],
    ["SeaBIOS 4 GiB", SEABIOS_4G, 0x9e + 0xbfee0 - 0x100 - 0x800 - 48, 0x40000n],
    ["OVMF 256 MiB", OVMF_256M, 0x9f + 0x700 + 3 + 4 + 0xe1bb + 0x971 + 0x759 - 0x100 - 0x800 - 4, 0n],
  ];
  for (const [name, map, total, above] of cases) {
    assert.is(create(map, [KERNEL_IMAGE, HEAP]), ERROR.None, name);
    assert.is(wasm.exports.totalFrames(), total, `${name}: frames below 4 GiB`);
    assert.is(wasm.exports.totalFrames(), expectedFrames(map, [KERNEL_IMAGE, HEAP, storageRange()]).length, `${name}: reference`);
    assert.is(wasm.exports.framesAbove4G(), above, `${name}: frames above 4 GiB`);
    assertCounters(0, name);
  }
  assert.is(create(SEABIOS_4G, [KERNEL_IMAGE, HEAP]), ERROR.None);
  assert.is(wasm.exports.storageBytes(), Math.ceil(0xbffe0 / 64) * 16, "storage for RAM up to 3 GiB");
  assert.is(Number(wasm.exports.framesAbove4G()) * FRAME / MiB, 1024, "the kernel logs 1024 MiB above 4 GiB ignored");
  assert.ok(managed(0xbffdf000));
  assert.not.ok(managed(0xbffe0000));
  assert.is(free(FOUR_GIB), ERROR.OutOfRange, "a frame above 4 GiB is never managed");
});

allocator("RAM across 4 GiB in one entry: split at 4 GiB, the largest storage", () => {
  const map: Entry[] = [[0, 2 * FOUR_GIB, 1]];
  assert.is(create(map), ERROR.None);
  assert.is(wasm.exports.storageBytes(), 256 * 1024);
  assert.is(wasm.exports.totalFrames(), 0x100000 - 1 - 64, "all but page 0 and the storage");
  assert.is(wasm.exports.framesAbove4G(), 0x100000n);
  assert.ok(managed(FOUR_GIB - FRAME));
});

allocator("overlapping entries: reserved, ACPI, bad and unknown types win over available, in either order", () => {
  const overlapping: Entry[] = [
    [MiB + 0x800, 0x800, 2], [2 * MiB, FRAME, 3], [3 * MiB, FRAME, 4], [4 * MiB + 0x10, 0x10, 5], [5 * MiB, FRAME, 20],
    [32 * MiB, 4 * MiB, 2], [33 * MiB, MiB, 1], // available inside reserved
  ];
  const orders = [[LOW, [MiB, 63 * MiB, 1], ...overlapping], [...[...overlapping].reverse(), [MiB, 63 * MiB, 1], LOW]] as Entry[][];
  const totals: number[] = [];
  for (const map of orders) {
    assert.is(create(map), ERROR.None);
    assert.is(wasm.exports.totalFrames(), expectedFrames(map, [storageRange()]).length);
    totals.push(wasm.exports.totalFrames());
    for (const address of [MiB, 2 * MiB, 3 * MiB, 4 * MiB, 5 * MiB, 32 * MiB, 33 * MiB, 35 * MiB]) {
      assert.not.ok(managed(address), `0x${address.toString(16)} is not available`);
    }
    for (const address of [0x9e000, MiB + FRAME, 2 * MiB + FRAME, 4 * MiB + FRAME, 32 * MiB - FRAME, 36 * MiB]) {
      assert.ok(managed(address), `0x${address.toString(16)} is available`);
    }
  }
  assert.is(totals[0], totals[1], "the order of the entries does not matter");
  assert.is(totals[0], 0x9e + 63 * 256 - 1 - 1 - 1 - 1 - 1 - 4 * 256 - 1, "one frame per small entry, 4 MiB reserved, 1 storage frame");
});

allocator("unaligned entries shrink to whole frames; available entries that meet mid-frame join", () => {
  const map: Entry[] = [LOW, [0x10_1234, 0x3fdeef, 1], [8 * MiB, 0x1800, 1], [8 * MiB + 0x1800, 0x2800, 1]];
  assert.is(create(map), ERROR.None);
  assert.not.ok(managed(0x10_1000), "partial first frame");
  assert.ok(managed(0x10_2000));
  assert.ok(managed(0x4fe000));
  assert.not.ok(managed(0x4ff000), "partial last frame ([.., 0x4ff123))");
  assert.ok(managed(8 * MiB + FRAME), "a frame made of two entries' halves");
  assert.is(wasm.exports.totalFrames(), expectedFrames(map, [storageRange()]).length);
  assert.is(wasm.exports.totalFrames(), 0x9e - 1 + (0x4fe000 - 0x102000) / FRAME + 1 + 4);
});

allocator("zero-length entries change nothing; wrapping entries end at 2^64 - 1", () => {
  const map: Entry[] = [
    LOW, [MiB, 63 * MiB, 1], [8 * MiB, 0, 2], [128 * MiB, 0, 1],
    [0xffff_ffff_ffff_f000n, 0x2000n, 2], [0xffff_ffff_fff0_0000n, 0x20_0000n, 1],
  ];
  assert.is(create(map), ERROR.None);
  assert.ok(managed(8 * MiB), "a zero-length reserved entry reserves nothing");
  assert.not.ok(managed(128 * MiB), "a zero-length available entry adds nothing");
  assert.is(wasm.exports.totalFrames(), 0x9e + 63 * 256 - 1);
  assert.is(wasm.exports.framesAbove4G(), 0xffn, "up to 2^64 - 1: the last frame is partial, the wrapped part dropped");

  const reservedToTheTop: Entry[] = [LOW, [MiB, 63 * MiB, 1], [32 * MiB, U64_MAX, 2], [FOUR_GIB, GiB, 1]];
  assert.is(create(reservedToTheTop), ERROR.None);
  assert.ok(managed(32 * MiB - FRAME));
  assert.not.ok(managed(32 * MiB), "a reserved entry that wraps reserves up to the top");
  assert.is(wasm.exports.framesAbove4G(), 0n);
  assert.is(wasm.exports.totalFrames(), expectedFrames(reservedToTheTop, [storageRange()]).length);
});

allocator("exclusions take every frame they touch; empty ones nothing; reversed ones are refused", () => {
  const map: Entry[] = [LOW, [MiB, 63 * MiB, 1], [FOUR_GIB, MiB, 1]];
  const exclusions: Range[] = [[2 * MiB + 1, 2 * MiB + 2], [3 * MiB, 3 * MiB], [4 * MiB + 0x800, 4 * MiB + 0x1800], [FOUR_GIB, FOUR_GIB + MiB], [60 * MiB, U64_MAX]];
  assert.is(create(map, exclusions), ERROR.None);
  assert.not.ok(managed(2 * MiB), "two bytes take the frame");
  assert.ok(managed(2 * MiB + FRAME));
  assert.ok(managed(3 * MiB), "an empty exclusion");
  assert.not.ok(managed(4 * MiB));
  assert.not.ok(managed(4 * MiB + FRAME));
  assert.ok(managed(4 * MiB + 2 * FRAME));
  assert.ok(managed(60 * MiB - FRAME));
  assert.not.ok(managed(60 * MiB), "an exclusion to the top of the address space");
  assert.is(wasm.exports.totalFrames(), expectedFrames(map, [...exclusions, storageRange()]).length);
  assert.is(wasm.exports.framesAbove4G(), 0x100n, "exclusions do not apply above 4 GiB");

  describe(map, [[5 * MiB, 4 * MiB]]);
  assert.is(wasm.exports.check(storage), ERROR.InvalidArgument);
  assert.is(wasm.exports.create(storage), ERROR.InvalidArgument);
  assert.is(wasm.exports.findStorage(0n), 0);
});

allocator("create() refuses unusable input with an error, writes nothing, never aborts", () => {
  const bytes = () => new Uint8Array(wasm.memory.buffer, storage, wasm.exports.storageCapacity()); // the heap may grow
  bytes().fill(0xa5);
  const untouched = () => bytes().every((byte) => byte === 0xa5);

  assert.is(create([]), ERROR.OutOfMemory, "an empty map");
  assert.is(create([[FOUR_GIB, GiB, 1]]), ERROR.OutOfMemory, "RAM above 4 GiB only");
  assert.is(wasm.exports.storageBytes(), 0);
  assert.is(create([[0, FRAME, 1], [0x9f000, 0x1000, 2]]), ERROR.OutOfMemory, "page 0 alone is no frame");
  assert.is(create(SEABIOS_256M, [], storage + 4), ERROR.Unaligned);
  assert.is(create(SEABIOS_256M, [], 8), ERROR.OutOfRange, "storage in page 0");
  assert.is(create([[MiB, 63 * MiB, 1]]), ERROR.OutOfRange, "storage outside available memory");
  assert.is(create([LOW, [MiB, 63 * MiB, 1], [storage + 0x800, 0x10, 2]]), ERROR.OutOfRange, "storage over a reserved entry");
  assert.is(create(SEABIOS_256M, [[storage + 0x3fff, storage + 0x4000]]), ERROR.OutOfRange, "storage over an exclusion");
  assert.is(create(SEABIOS_256M, [], 0x9e000), ERROR.OutOfRange, "storage running into the EBDA");
  assert.is(create(SEABIOS_4G, [], 0xffff_f000), ERROR.OutOfRange, "storage at the top of the address space");
  const tooMany: Entry[] = [LOW];
  for (let i = 0; i < 1024; i++) tooMany.push([MiB + i * FRAME, FRAME, 1]);
  assert.is(create(tooMany), ERROR.Malformed, "1025 entries");
  assert.is(wasm.exports.storageBytes(), 0);
  assert.ok(untouched(), "no refused create() wrote its storage");
  assert.is(create(tooMany.slice(0, 1024)), ERROR.None, "1024 entries");
  assert.is(wasm.exports.totalFrames(), 0x9e - 1 + 1023);
  assert.not.ok(untouched());
});

allocator("findStorage: the lowest fit at or above a floor, clear of exclusions, accepted by check()", () => {
  describe(SEABIOS_256M, [KERNEL_IMAGE, HEAP]);
  assert.is(wasm.exports.findStorage(0n), FRAME);
  assert.is(wasm.exports.findStorage(BigInt(MiB)), 0x200000, "past the kernel image");
  assert.is(wasm.exports.findStorage(BigInt(HEAP_START - FRAME)), HEAP_END, "the heap range does not fit one frame of it");
  assert.is(wasm.exports.findStorage(BigInt(HEAP_END + 1)), HEAP_END + FRAME, "the floor rounds up");
  assert.is(wasm.exports.findStorage(0xffdc000n), 0xffdc000, "the last four frames of RAM");
  assert.is(wasm.exports.findStorage(0xffdd000n), 0);
  assert.is(wasm.exports.check(0x200000), ERROR.None, "what findStorage returns is accepted");
  assert.is(wasm.exports.check(HEAP_END), ERROR.None);

  describe(SEABIOS_256M, [KERNEL_IMAGE, [0x200000, 0x200800], [0x202000, 0x203000], HEAP]);
  assert.is(wasm.exports.findStorage(BigInt(MiB)), 0x203000, "the first gap of four frames");

  const holes: Entry[] = [[0x1000, 0x10000, 1], [MiB, 3 * GiB - MiB, 1]];
  describe(holes);
  assert.is(wasm.exports.storageBytes(), 0xc0000 / 64 * 16);
  assert.is(wasm.exports.findStorage(0n), MiB, "48 frames do not fit in a 16-frame run");
});

allocator("free: Unaligned, OutOfRange, NotAllocated; a freed frame comes back; counters after every step", () => {
  assert.is(create(SEABIOS_256M, [KERNEL_IMAGE, HEAP]), ERROR.None);
  const first = allocate();
  assert.is(first, storage + 4 * FRAME, "the lowest frame past the storage");
  assertCounters(1);
  const second = allocate();
  assert.is(second, first + FRAME);
  assertCounters(2);
  const cases: [address: number | bigint, error: string][] = [
    [first + 1, "Unaligned"], [first + 0x800, "Unaligned"], [U64_MAX, "Unaligned"],
    [0, "OutOfRange"], [storage, "OutOfRange"], [0x9f000, "OutOfRange"], [0xa0000, "OutOfRange"],
    [KERNEL_IMAGE[0], "OutOfRange"], [HEAP_START, "OutOfRange"], [HEAP_END - FRAME, "OutOfRange"],
    [0xffe0000, "OutOfRange"], [256 * MiB, "OutOfRange"], [FOUR_GIB - FRAME, "OutOfRange"], [FOUR_GIB, "OutOfRange"],
    [U64_MAX - 0xfffn, "OutOfRange"], [0x300000, "NotAllocated"], [HEAP_END, "NotAllocated"],
  ];
  for (const [address, error] of cases) {
    assert.is(free(address), ERROR[error], `free(0x${address.toString(16)})`);
    assertCounters(2, `after free(0x${address.toString(16)})`);
  }
  assert.is(free(first), ERROR.None);
  assertCounters(1);
  assert.is(free(first), ERROR.NotAllocated, "double free");
  assertCounters(1);
  assert.is(allocate(), first, "the freed frame is the lowest again");
  assertCounters(2);
  assert.is(allocate(), second + FRAME);
  assertCounters(3);
});

/** The lowest aligned run of `count` frames in `freeFrames`, as allocateContiguous must find. */
function lowestRun(freeFrames: Set<number>, managedFrames: number[], count: number, alignment: number): number {
  for (const start of managedFrames) {
    if ((start / FRAME) % alignment !== 0) continue;
    let run = 0;
    while (run < count && freeFrames.has(start + run * FRAME)) run++;
    if (run === count) return start;
  }
  return 0;
}

allocator("allocateContiguous: aligned, lowest fit, across no hole; InvalidArgument; OutOfMemory", () => {
  const map: Entry[] = [LOW, [MiB, 15 * MiB, 1]];
  assert.is(create(map), ERROR.None);
  const frames = expectedFrames(map, [storageRange()]);
  const freeSet = new Set(frames);
  const take = (address: number, count: number) => { for (let i = 0; i < count; i++) freeSet.delete(address + i * FRAME); };

  const single = allocate();
  take(single, 1);
  for (const [count, alignment] of [[3, 16], [1, 1], [2, 2], [200, 1], [5, 256], [1, 4096]]) {
    const expected = lowestRun(freeSet, frames, count, alignment);
    const address = allocateContiguous(count, alignment);
    assert.is(address, expected, `${count} frames aligned to ${alignment}`);
    assert.is(wasm.exports.lastError(), expected ? ERROR.None : ERROR.OutOfMemory);
    assert.is(address % (alignment * FRAME), 0);
    take(address, count);
    assertCounters(frames.length - freeSet.size);
  }
  const run = lowestRun(new Set(frames), frames, 200, 1);
  assert.ok(run >= MiB, "200 frames do not fit below the 640 KiB hole");

  const block = allocateContiguous(4, 4);
  for (let i = 0; i < 4; i++) assert.is(free(block + i * FRAME), ERROR.None, "a run is freed frame by frame");
  assert.is(free(block), ERROR.NotAllocated);

  for (const [count, alignment] of [[0, 1], [1, 0], [1, 3], [2, 12]]) {
    assert.is(allocateContiguous(count, alignment), 0);
    assert.is(wasm.exports.lastError(), ERROR.InvalidArgument, `count ${count}, alignment ${alignment}`);
  }
  assert.is(allocateContiguous(wasm.exports.freeFrames() + 1, 1), 0);
  assert.is(wasm.exports.lastError(), ERROR.OutOfMemory, "more frames than are free");
  assert.is(allocateContiguous(1, 0x100000), 0, "only frame 0 is 4 GiB aligned");
  assert.is(wasm.exports.lastError(), ERROR.OutOfMemory);

  // Fragmented: every frame allocated, then every other one freed: no two neighbours are free.
  const all: number[] = [];
  for (let address = allocate(); address !== 0; address = allocate()) all.push(address);
  for (let i = 0; i < all.length; i += 2) free(all[i]);
  assert.is(allocateContiguous(2, 1), 0);
  assert.is(wasm.exports.lastError(), ERROR.OutOfMemory, "fragmented");
  let middle = 1;
  while (!(all[middle - 1] + FRAME === all[middle] && all[middle] + FRAME === all[middle + 1])) middle += 2;
  assert.is(free(all[middle]), ERROR.None);
  assert.is(allocateContiguous(3, 1), all[middle - 1], "the one run of three");
});


allocator("20000 random allocations and frees agree with a model", () => {
  const seed = Number(process.env.FRAME_ALLOCATOR_SEED ?? 0x5eed);
  const random = generator(seed);
  const map: Entry[] = [LOW, [MiB, 3 * MiB, 1], [2 * MiB + 0x800, 0x1000, 2]];
  const exclusions: Range[] = [[MiB, MiB + 0x80000]];
  assert.is(create(map, exclusions), ERROR.None);
  const frames = expectedFrames(map, [...exclusions, storageRange()]);
  const managedSet = new Set(frames);
  assert.is(wasm.exports.totalFrames(), frames.length, `seed ${seed}`);
  const held = new Set<number>();
  const freeSet = new Set(frames);
  const unmanaged = [0, storage, 0x9f000, MiB, 2 * MiB, 4 * MiB, FOUR_GIB];
  const seen = { exhausted: 0, contiguous: 0, contiguousRefused: 0 };

  for (let step = 0; step < 20000; step++) {
    const at = `seed ${seed}, step ${step}`;
    const choice = random();
    if (choice < 0.45) {
      const expected = frames.find((address) => freeSet.has(address)) ?? 0;
      assert.is(allocate(), expected, `allocate, ${at}`);
      if (expected === 0) {
        seen.exhausted++;
        assert.is(wasm.exports.lastError(), ERROR.OutOfMemory, at);
      } else {
        held.add(expected);
        freeSet.delete(expected);
      }
    } else if (choice < 0.75) {
      if (held.size === 0) continue;
      const victims = [...held];
      const victim = victims[Math.floor(random() * victims.length)];
      assert.is(free(victim), ERROR.None, `free 0x${victim.toString(16)}, ${at}`);
      held.delete(victim);
      freeSet.add(victim);
    } else if (choice < 0.85) {
      const count = 1 + Math.floor(random() * 8), alignment = 2 ** Math.floor(random() * 5);
      const expected = lowestRun(freeSet, frames, count, alignment);
      assert.is(allocateContiguous(count, alignment), expected, `allocateContiguous(${count}, ${alignment}), ${at}`);
      if (expected === 0) seen.contiguousRefused++;
      else seen.contiguous++;
      for (let i = 0; expected !== 0 && i < count; i++) {
        held.add(expected + i * FRAME);
        freeSet.delete(expected + i * FRAME);
      }
    } else {
      const kind = Math.floor(random() * 3);
      if (kind === 0 && freeSet.size > 0) {
        const victims = [...freeSet];
        assert.is(free(victims[Math.floor(random() * victims.length)]), ERROR.NotAllocated, `double free, ${at}`);
      } else if (kind === 1) {
        assert.is(free(frames[Math.floor(random() * frames.length)] + 8), ERROR.Unaligned, `unaligned, ${at}`);
      } else {
        const address = unmanaged[Math.floor(random() * unmanaged.length)];
        assert.not.ok(managedSet.has(address));
        assert.is(free(address), ERROR.OutOfRange, `unmanaged 0x${address.toString(16)}, ${at}`);
      }
    }
    assertCounters(held.size, at);
  }
  assert.ok(seen.exhausted > 0 && seen.contiguous > 0 && seen.contiguousRefused > 0, `every path taken: ${JSON.stringify(seen)}, seed ${seed}`);
});

/** A 4 GiB machine described in about 100 entries, shuffled: RAM from 1 MiB to 0xff000000 in
 * chunks of up to 176 MiB, some ending mid-frame (so every later boundary is unaligned), some
 * abutting the next, most followed by a hole of 1 byte to 16 KiB of a random non-available type,
 * some holes overlapping the chunk before; reserved blocks with available RAM inside; zero-length
 * entries; above 4 GiB, 1 GiB of RAM with a reserved MiB inside and an unaligned MiB after a gap. */
function manyEntryMap(seed: number): Entry[] {
  const random = generator(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const types = [2, 3, 4, 5, 20];
  const map: Entry[] = [LOW, [0x9fc00, 0x400, 2], [0xf0000, 0x10000, 2]];
  let address = MiB;
  while (address < 0xf000_0000) {
    const length = (1 + pick(176)) * MiB + (pick(3) === 0 ? pick(FRAME) : 0);
    map.push([address, length, 1]);
    address += length;
    const kind = pick(4);
    if (kind === 0) continue; // the next chunk abuts
    const hole = 1 + pick(4 * FRAME), overlap = kind === 1 ? pick(2 * FRAME) : 0;
    map.push([address - overlap, hole + overlap, types[pick(types.length)]]);
    address += hole;
  }
  map.push([address, 0xff00_0000 - address, 1]);
  for (let i = 0; i < 6; i++) {
    const base = (16 + pick(3000)) * MiB + pick(FRAME);
    map.push([base, 2 * MiB, types[pick(types.length)]], [base + MiB / 2, MiB / 4, 1]);
  }
  map.push([200 * MiB, 0, 2], [0xff80_0000, 0, 1], [0xfffc_0000, 0x40000, 2]);
  map.push([FOUR_GIB, GiB, 1], [FOUR_GIB + GiB / 2, MiB, 2], [FOUR_GIB + GiB + 0x800, MiB, 1]);
  for (let i = map.length - 1; i > 0; i--) {
    const j = pick(i + 1);
    [map[i], map[j]] = [map[j], map[i]];
  }
  return map;
}

allocator("a 4 GiB map of ~100 shuffled entries: storage, counts and every frame agree with the per-frame reference", () => {
  const seed = 0x4b1d;
  const map = manyEntryMap(seed);
  assert.ok(map.length >= 90 && map.length <= 120, `${map.length} entries`);
  const exclusions: Range[] = [KERNEL_IMAGE, HEAP, [0x7654_3210, 0x7700_0001], [3 * GiB + 5, 3 * GiB + 6], [0xfe00_0000, U64_MAX]];
  const available = expectedFrames(map, []);
  const usable = expectedFrames(map, exclusions);
  const top = available[available.length - 1] + FRAME;
  assert.ok(top > 0xfd00_0000, "RAM up to just below 4 GiB");

  describe(map, exclusions);
  const bytes = wasm.exports.storageBytes();
  assert.is(bytes, Math.ceil(top / FRAME / 64) * 16, "2 bits for each frame below the top of RAM, exclusions or not");
  // findStorage: the lowest run of that many usable frames at or above the floor.
  const frames = Math.ceil(bytes / FRAME);
  const usableSet = new Set(usable);
  const lowestFit = (floor: number) => usable.find((start) => start >= floor && start + (frames - 1) * FRAME <= usable[usable.length - 1] &&
    usableSet.has(start + (frames - 1) * FRAME) && Array.from({ length: frames }, (_, i) => start + i * FRAME).every((f) => usableSet.has(f))) ?? 0;
  for (const floor of [0, MiB, GiB + 0x123, 3 * GiB + 17, 0xfe00_0000 - (frames - 1) * FRAME]) {
    const found = wasm.exports.findStorage(BigInt(floor)) >>> 0; // a wasm32 usize: unsigned
    assert.is(found, lowestFit(Math.ceil(floor / FRAME) * FRAME), `findStorage(0x${floor.toString(16)}), seed ${seed}`);
    if (found !== 0) assert.is(wasm.exports.check(found), ERROR.None, `check(0x${found.toString(16)})`);
  }

  assert.is(create(map, exclusions), ERROR.None, "create completes");
  const [storageStart, storageEnd] = storageRange() as [number, number];
  const expected = usable.filter((frame) => frame < storageStart || frame >= storageEnd);
  assert.is(wasm.exports.totalFrames(), expected.length, `frames below 4 GiB, seed ${seed}`);
  assert.is(wasm.exports.framesAbove4G(), BigInt(GiB / FRAME - MiB / FRAME + (MiB / FRAME - 1)), "1 GiB less a reserved MiB, and 255 whole frames of the unaligned MiB");
  assertCounters(0);
  const handedOut: number[] = [];
  for (let address = allocate(); address !== 0 && handedOut.length <= expected.length; address = allocate()) handedOut.push(address);
  assert.is(handedOut.length, expected.length, "every managed frame handed out once");
  const mismatch = handedOut.findIndex((address, i) => address !== expected[i]);
  assert.is(mismatch, -1, mismatch < 0 ? "" : `frame ${mismatch}: 0x${handedOut[mismatch].toString(16)}, expected 0x${expected[mismatch].toString(16)}`);
  assert.is(wasm.exports.lastError(), ERROR.OutOfMemory);
});

allocator.run();
