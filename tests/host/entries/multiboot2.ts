// Host-test entry for kernel/boot/multiboot2.ts: exposes BootInformation to
// tests/host/multiboot2.test.ts through flat getters. `reserveTop` sets aside the top of linear
// memory, outside the heap, so a test can put an image flush against the end of memory: any read
// past its total_size is then an out-of-bounds trap, not a silent read of other bytes.

import { BootInformation, bootCommandLine } from "../../../kernel/boot/multiboot2";

const SCRATCH_BYTES: u32 = 65536;
const scratchArea = memory.data(SCRATCH_BYTES, 8);
let parsed = BootInformation.parse(0); // the null-address result until a test parses something

export function scratch(): usize {
  return scratchArea;
}

export { memoryEnd, reserveTop } from "./top-of-memory";

export function parse(address: usize): void {
  parsed = BootInformation.parse(address);
}

export function commandLineOnly(address: usize): string {
  return bootCommandLine(address);
}

export function error(): i32 { return parsed.error; }
export function problemCount(): i32 { return parsed.problems.length; }
export function problem(index: i32): string { return parsed.problems[index]; }
export function commandLine(): string { return parsed.commandLine; }
export function bootloaderName(): string { return parsed.bootloaderName; }

export function memoryMapCount(): i32 { return parsed.memoryMap.length; }
export function memoryMapEntryVersion(): u32 { return parsed.memoryMapEntryVersion; }
export function memoryMapBase(index: i32): u64 { return parsed.memoryMap[index].base; }
export function memoryMapLength(index: i32): u64 { return parsed.memoryMap[index].length; }
export function memoryMapType(index: i32): u32 { return parsed.memoryMap[index].type; }

export function moduleCount(): i32 { return parsed.modules.length; }
export function moduleStart(index: i32): u32 { return parsed.modules[index].start; }
export function moduleEnd(index: i32): u32 { return parsed.modules[index].end; }
export function moduleCommandLine(index: i32): string { return parsed.modules[index].commandLine; }

export function hasFramebuffer(): bool { return parsed.framebuffer != null; }
export function framebufferAddress(): u64 { return parsed.framebuffer!.address; }
export function framebufferPitch(): u32 { return parsed.framebuffer!.pitch; }
export function framebufferWidth(): u32 { return parsed.framebuffer!.width; }
export function framebufferHeight(): u32 { return parsed.framebuffer!.height; }
export function framebufferBitsPerPixel(): u32 { return parsed.framebuffer!.bitsPerPixel; }
export function framebufferType(): u32 { return parsed.framebuffer!.type; }
/** Red, green, blue: position and size, a byte each (red position lowest). */
export function framebufferColours(): u64 {
  const f = parsed.framebuffer!;
  return <u64>f.redPosition | <u64>f.redSize << 8 | <u64>f.greenPosition << 16 | <u64>f.greenSize << 24
    | <u64>f.bluePosition << 32 | <u64>f.blueSize << 40;
}

export function rsdpAddress(): usize { return parsed.rsdpAddress; }
export function rsdpLength(): u32 { return parsed.rsdpLength; }
export function rsdpVersion(): i32 { return parsed.rsdpVersion; }

/** A plain one-byte load, so a test can show that a read past the end of memory does trap. */
export function peek(address: usize): u8 { return load<u8>(address); }
