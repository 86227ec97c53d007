// Host-test entry for kernel/loader/elf.ts: exposes elfParse() to tests/host/elf.test.ts through
// flat getters. `reserveTop` sets aside the top of linear memory, outside the heap, so a test can
// put an image flush against the end of memory: any read past its length is then an
// out-of-bounds trap, not a silent read of other bytes.

import {
  elfParse, ElfParseResult, ElfPolicy, ElfSegment, ELF_MAXIMUM_SEGMENTS, LINUX_IMAGE_END, LINUX_IMAGE_START, LINUX_PIE_SPAN, USER_IMAGE_END,
  USER_IMAGE_START,
} from "../../../kernel/loader/elf";

let parsed = new ElfParseResult(); // an empty success-shaped result until a test parses something

export { memoryEnd, reserveTop } from "./top-of-memory";

export function parse(address: usize, length: u64): void {
  parsed = elfParse(address, length);
}

/** The Linux policy (kernel/linux/'s programs). */
export function parseLinux(address: usize, length: u64): void {
  parsed = elfParse(address, length, ElfPolicy.Linux);
}

export function interpreter(): string { return parsed.image!.interpreter; }
export function positionIndependent(): bool { return parsed.image!.positionIndependent; }
export function programHeaders(): u64 { return parsed.image!.programHeaders; }
export function programHeaderCount(): u32 { return parsed.image!.programHeaderCount; }
export function linuxImageStart(): u64 { return LINUX_IMAGE_START; }
export function linuxImageEnd(): u64 { return LINUX_IMAGE_END; }
export function linuxPieSpan(): u64 { return LINUX_PIE_SPAN; }

export function error(): i32 { return parsed.error; }
export function reason(): string { return parsed.reason; }
export function hasImage(): bool { return parsed.image != null; }
export function entry(): u64 { return parsed.image!.entry; }
export function segmentCount(): i32 { return parsed.image!.segments.length; }
function segment(index: i32): ElfSegment { return parsed.image!.segments[index]; }
export function segmentFileOffset(index: i32): u64 { return segment(index).fileOffset; }
export function segmentFileSize(index: i32): u64 { return segment(index).fileSize; }
export function segmentVirtual(index: i32): u64 { return segment(index).virtual; }
export function segmentMemorySize(index: i32): u64 { return segment(index).memorySize; }
export function segmentWritable(index: i32): bool { return segment(index).writable; }
export function segmentExecutable(index: i32): bool { return segment(index).executable; }

export function userImageStart(): u64 { return USER_IMAGE_START; }
export function userImageEnd(): u64 { return USER_IMAGE_END; }
export function maximumSegments(): i32 { return ELF_MAXIMUM_SEGMENTS; }

/** A plain one-byte load, so a test can show that a read past the end of memory does trap. */
export function peek(address: usize): u8 { return load<u8>(address); }
