// Host tests of the memory plan (arch/x86_64/memory_plan.c): which physical ranges the direct
// map covers and how, and the kernel module's memory bounds, on real firmware maps (SeaBIOS and
// OVMF under QEMU) and hostile ones (overlapping, unaligned, zero-length, wrapping, too many).
// The C runs natively through tests/host/memory_plan_driver.c under ASan and UBSan.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";

const DRIVER = join(REPOSITORY, "build/host/memory-plan-driver");
const HEAP_START = 0x100_0000; // arch/x86_64/layout.h
const HEAP_END = 0x180_0000;
const MiB = 0x10_0000;
const OK = 0, NO_RAM_BELOW_4G = 1, HEAP_NOT_IN_RAM = 2, TOO_MANY_EDGE_CHUNKS = 3;

interface Plan {
  result: number; pages: number; size: number; ramBelow4G: number; ramAbove4G: number;
  ramCounted: number;                // memory_plan_ram_below_4g without a plan: must equal ramBelow4G
  rangesDropped: number; edgeChunksDropped: number;
  chunks: string;                    // one character per 2 MiB chunk: '-' unmapped, 'H' 2 MiB page, 'E' 4 KiB pages
  edges: Record<string, string>;     // chunk index -> 512 characters, '1' mapped
}

type Range = [start: number | bigint, length: number | bigint, type: number];

function plan(ranges: Range[], heapStart = HEAP_START, heapEnd = HEAP_END): Plan {
  const input = ranges.map(([start, length, type]) => `0x${start.toString(16)} 0x${length.toString(16)} ${type}`).join("\n");
  const output = execFileSync(DRIVER, [String(heapStart), String(heapEnd)], { input, encoding: "utf8" });
  const result: Plan = JSON.parse(output);
  // Every plan a test makes also checks the count the heap is sized from, before any plan exists.
  assert.is(result.ramCounted, result.ramBelow4G, "memory_plan_ram_below_4g agrees with the plan");
  return result;
}

/** Is the 4 KiB page at `address` mapped by the plan? */
function mapped(p: Plan, address: number): boolean {
  const chunk = Math.floor(address / (2 * MiB));
  if (p.chunks[chunk] === "H") return true;
  if (p.chunks[chunk] === "E") return p.edges[String(chunk)][Math.floor((address % (2 * MiB)) / 4096)] === "1";
  return false;
}

// Captured from the kernel's own report of the maps QEMU 7.2 gives GRUB with -m 256M.
const SEABIOS_256M: Range[] = [
  [0x0, 0x9fc00, 1], [0x9fc00, 0x400, 2], [0xf0000, 0x10000, 2], [0x100000, 0xfee0000, 1],
  [0xffe0000, 0x20000, 2], [0xfffc0000, 0x40000, 2],
];
const OVMF_256M: Range[] = [
  [0x0, 0xa0000, 1], [0x100000, 0x700000, 1], [0x800000, 0x8000, 4], [0x808000, 0x3000, 1],
  [0x80b000, 0x1000, 4], [0x80c000, 0x4000, 1], [0x810000, 0xf0000, 4], [0x900000, 0xe1bb000, 1],
  [0xeabb000, 0xc1000, 2], [0xeb7c000, 0x971000, 1], [0xf4ed000, 0x100000, 2], [0xf5ed000, 0x100000, 20],
  [0xf6ed000, 0x80000, 2], [0xf76d000, 0x12000, 3], [0xf77f000, 0x80000, 4], [0xf7ff000, 0x759000, 1],
  [0xff58000, 0x20000, 2], [0xff78000, 0x88000, 4], [0xffe00000, 0x200000, 2],
];

const memoryPlan = suite("memory plan");

memoryPlan.before(() => {
  mkdirSync(join(REPOSITORY, "build/host"), { recursive: true });
  execFileSync("gcc", [
    "-std=gnu11", "-O1", "-g", "-Wall", "-Wextra", "-Werror", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
    "-I", join(REPOSITORY, "arch/x86_64"), join(REPOSITORY, "tests/host/memory_plan_driver.c"),
    join(REPOSITORY, "arch/x86_64/memory_plan.c"), "-o", DRIVER,
  ]);
});

memoryPlan("SeaBIOS 256 MiB: page 0 and the 640 KiB-1 MiB hole unmapped, RAM mapped, size is the top of RAM", () => {
  const p = plan(SEABIOS_256M);
  assert.is(p.result, OK);
  assert.is(p.pages, HEAP_END / 65536);
  assert.is(p.size, 0xffe0000);
  assert.is(p.ramBelow4G, 0x9fc00 + 0xfee0000);
  assert.not.ok(mapped(p, 0), "page 0 is never mapped");
  assert.ok(mapped(p, 0x1000));
  assert.ok(mapped(p, 0x9e000));
  assert.not.ok(mapped(p, 0x9f000), "a page partly reserved (EBDA) is not mapped");
  assert.not.ok(mapped(p, 0xa0000), "VGA memory is not RAM");
  assert.not.ok(mapped(p, 0xf0000), "the BIOS area is reserved");
  assert.ok(mapped(p, 0x100000));
  assert.is(p.chunks.slice(1, 0x7f), "H".repeat(0x7e), "whole chunks use 2 MiB pages");
  assert.is(p.chunks[0x7f], "E");
  assert.ok(mapped(p, 0xffdf000));
  assert.not.ok(mapped(p, 0xffe0000));
  assert.not.ok(mapped(p, 0xfffff000), "firmware ROM below 4 GiB is not mapped");
  assert.is(p.chunks.slice(0x80).replace(/-/g, ""), "", "nothing above RAM is mapped");
});

memoryPlan("OVMF 256 MiB: ACPI NVS mapped (read by the kernel later), reserved ranges not", () => {
  const p = plan(OVMF_256M);
  assert.is(p.result, OK);
  assert.ok(mapped(p, 0x800000), "ACPI NVS is mapped");
  assert.ok(mapped(p, 0xf76d000), "ACPI reclaimable is mapped");
  assert.not.ok(mapped(p, 0xeabb000), "reserved is not mapped");
  assert.not.ok(mapped(p, 0xf5ed000), "unknown types are treated as reserved");
  assert.is(p.size, 0x10000000, "top of mappable memory, ACPI NVS included");
});

memoryPlan("regression: heap at 8 MiB overlapped OVMF's ACPI NVS and GRUB loaded over it", () => {
  assert.is(plan(OVMF_256M, 0x80_0000, 0x100_0000).result, HEAP_NOT_IN_RAM);
  assert.is(plan(OVMF_256M).result, OK, "the heap range in layout.h is RAM under OVMF");
});

memoryPlan("a machine too small for the heap range is refused", () => {
  assert.is(plan([[0, 16 * MiB, 1]]).result, HEAP_NOT_IN_RAM);
  assert.is(plan([]).result, NO_RAM_BELOW_4G);
  assert.is(plan([[0x1_0000_0000, 64 * MiB, 1]]).result, NO_RAM_BELOW_4G);
});

memoryPlan("overlapping entries: reserved wins over available, whatever the order", () => {
  for (const ranges of [
    [[0, 64 * MiB, 1], [MiB + 0x800, 0x800, 2]],
    [[MiB + 0x800, 0x800, 2], [0, 64 * MiB, 1]],
  ] as Range[][]) {
    const p = plan(ranges);
    assert.is(p.result, OK);
    assert.not.ok(mapped(p, MiB), "the page holding the reserved bytes");
    assert.ok(mapped(p, MiB - 0x1000));
    assert.ok(mapped(p, MiB + 0x1000));
    assert.is(p.ramBelow4G, 64 * MiB - 0x800);
  }
});

memoryPlan("unaligned entries are shrunk to whole pages inside them", () => {
  const p = plan([[0x1234, 0x3fdeef, 1], [4 * MiB, 60 * MiB, 1]]); // [0x1234, 0x3ff123)
  assert.not.ok(mapped(p, 0x1000), "partial first page");
  assert.ok(mapped(p, 0x2000));
  assert.ok(mapped(p, 0x3fe000));
  assert.not.ok(mapped(p, 0x3ff000), "partial last page");
  assert.ok(mapped(p, 0x400000));
});

memoryPlan("adjacent mappable ranges of different types make one 2 MiB page", () => {
  const p = plan([[0, 64 * MiB, 1], [64 * MiB, MiB, 1], [65 * MiB, MiB, 3]]);
  assert.is(p.chunks[32], "H");
});

memoryPlan("zero-length, wrapping and above-4-GiB entries", () => {
  const p = plan([[0, 64 * MiB, 1], [128 * MiB, 0, 1], [0xffff_ffff_ffff_f000n, 0x2000, 2], [0x1_0000_0000, 512 * MiB, 1]]);
  assert.is(p.result, OK);
  assert.is(p.ramBelow4G, 64 * MiB);
  assert.is(p.ramAbove4G, 512 * MiB, "counted, never mapped");
  assert.not.ok(mapped(p, 128 * MiB));
});

memoryPlan("RAM up to 4 GiB: size is clamped below the 32-bit wrap", () => {
  const p = plan([[0, 0x1_0000_0000, 1], [0x1_0000_0000, 0x1_0000_0000, 1]]);
  assert.is(p.size, 0xffff0000);
  assert.is(p.chunks.replace(/H/g, "").length, 1, "every chunk but 0 (page 0) is a 2 MiB page");
});

memoryPlan("too many partly-RAM chunks: the extra ones stay unmapped and are counted", () => {
  const islands: Range[] = [[0, 32 * MiB, 1]];
  for (let i = 0; i < 40; i++) islands.push([64 * MiB + i * 4 * MiB, 0x10000, 1]);
  const p = plan(islands);
  assert.is(p.result, TOO_MANY_EDGE_CHUNKS);
  assert.is(Object.keys(p.edges).length, 32);
  assert.is(p.edgeChunksDropped, 40 + 1 - 32, "chunk 0 takes a table too");
});

memoryPlan("more entries than the plan keeps are dropped and counted", () => {
  const many: Range[] = [[0, 32 * MiB, 1]];
  for (let i = 0; i < 200; i++) many.push([64 * MiB + i * 0x10000, 0x8000, 2]);
  const p = plan(many);
  assert.is(p.rangesDropped, 201 - 128);
  assert.is(p.result, OK);
});

memoryPlan("boot information overlapping the heap range is detected, including ranges that wrap", () => {
  const overlaps = (start: bigint, length: bigint) =>
    execFileSync(DRIVER, ["overlaps", String(start), String(length), String(HEAP_START), String(HEAP_END)], { encoding: "utf8" }).trim() === "1";
  assert.not.ok(overlaps(0x10_0000n, 0x1000n), "below");
  assert.not.ok(overlaps(BigInt(HEAP_START - 0x1000), 0x1000n), "ends exactly at the start");
  assert.ok(overlaps(BigInt(HEAP_START - 0x1000), 0x1001n), "one byte in");
  assert.ok(overlaps(BigInt(HEAP_END - 1), 0x1000n), "starts on the last byte");
  assert.not.ok(overlaps(BigInt(HEAP_END), 0x1000n), "starts at the end");
  assert.not.ok(overlaps(BigInt(HEAP_START), 0n), "empty");
  assert.ok(overlaps(0x10_0000n, 0xffff_ffff_ffff_ffffn), "wrapping past 2^64 reaches the heap");
});

/** The heap's end memory_plan_heap_end chooses (0: the kernel would not start). */
function heapEnd(ranges: Range[], limit: bigint = 0xffff_ffff_ffff_ffffn): number {
  const input = ranges.map(([start, length, type]) => `0x${start.toString(16)} 0x${length.toString(16)} ${type}`).join("\n");
  return Number(execFileSync(DRIVER, ["heapend", String(HEAP_START), String(limit), "-"], { input, encoding: "utf8" }).trim());
}

memoryPlan("the heap is sized from RAM: a 16th below 4 GiB in whole 2 MiB, 8 to 256 MiB, cut at holes and boot modules", () => {
  const ram = (bytes: number | bigint): Range[] => [[0, 0x9_f000, 1], [0x10_0000, BigInt(bytes) - 0x10_0000n, 1]];
  assert.is(heapEnd(ram(128 * MiB)), HEAP_START + 8 * MiB, "128 MiB: the 8 MiB minimum");
  assert.is(heapEnd(ram(256 * MiB)), HEAP_START + 14 * MiB, "256 MiB: 16 MiB less the first MiB, in whole 2 MiB");
  assert.is(heapEnd(ram(1024 * MiB)), HEAP_START + 62 * MiB, "1 GiB");
  assert.is(heapEnd([...ram(3 * 1024 * MiB), [0x1_0000_0000n, 0x10_0000_0000n, 1]]), HEAP_START + 190 * MiB, "RAM above 4 GiB does not count");
  assert.is(heapEnd(ram(0xf000_0000n)), HEAP_START + 238 * MiB, "3.75 GiB");
  assert.is(heapEnd([[0x10_0000, 0xff00_0000, 1]]), HEAP_START + 254 * MiB, "close to 4 GiB: under the 256 MiB maximum");
  // A reserved hole, or the end of the run of RAM, cuts it short (64 KiB boundaries).
  assert.is(heapEnd([...ram(1024 * MiB), [0x150_8000, 0x1000, 2]]), 0x150_0000, "a reserved page at 21 MiB + 32 KiB");
  assert.is(heapEnd([[0x10_0000, 0x150_0000, 1], [0x200_0000, 0x1000_0000, 1]]), 0x160_0000, "RAM stops at 22 MiB");
  assert.is(heapEnd([...ram(1024 * MiB), [0x120_0000, 0x1000, 2]]), 0, "a hole 2 MiB in: less than the 4 MiB floor");
  // Boot modules GRUB placed above the start.
  assert.is(heapEnd(ram(1024 * MiB), 0x1a0_0000n), 0x1a0_0000, "a module at 26 MiB");
  assert.is(heapEnd(ram(1024 * MiB), 0x1a1_2345n), 0x1a1_0000, "rounded down to 64 KiB");
  assert.is(heapEnd(ram(1024 * MiB), 0x130_0000n), 0, "a module 3 MiB in");
  // Overlapping and unordered maps: reserved wins over available.
  assert.is(heapEnd([[0x800_0000, 0x3800_0000, 1], [0x10_0000, 0x800_0000, 1], [0x200_0000, 0x10_0000, 2]]), 0x200_0000, "unordered, a reserved range inside");
});

memoryPlan.run();
