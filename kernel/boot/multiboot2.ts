// The multiboot2 boot information parser: the trust boundary between the boot loader and the
// kernel. Reads the structure GRUB leaves at a physical address (which is its linear-memory
// address) once, checks every length, and keeps the parsed form. Pure (no log, no hardware
// imports), so host tests run it under Node (tests/host/multiboot2.test.ts); kernel/main.ts
// calls it and logs `problems`. Multiboot2 specification 2.0, section 3.6 "Boot information".

import { KernelError } from "../../abi/errors";

// The structure (§3.6 "Boot information format", "Basic tags structure"); offsets are from its
// start, tags are 8-byte aligned relative to that start, and nothing past total_size is read.
//
//   +0 u32 total_size (header, tags and end tag) | +4 u32 reserved | +8 tags...
//   tag:  +0 u32 type | +4 u32 size (header included, padding not) | +8 payload
//   the last tag is the end tag: type 0, size 8
//
// The tags read here (offsets from the tag's start):
//   1  boot command line   +8 string, NUL-terminated inside the tag
//   2  boot loader name    +8 string, NUL-terminated inside the tag
//   3  module              +8 u32 mod_start | +12 u32 mod_end | +16 string
//   6  memory map          +8 u32 entry_size | +12 u32 entry_version | +16 entries, each:
//                            +0 u64 base_addr | +8 u64 length | +16 u32 type | +20 u32 reserved
//   8  framebuffer info    +8 u64 addr | +16 u32 pitch | +20 u32 width | +24 u32 height
//                          | +28 u8 bpp | +29 u8 type | +30 u16 reserved | +32 colour info:
//                          type 0 u16 count then count × 3 bytes, type 1 six bytes (red
//                          position, red size, green position, green size, blue position, blue
//                          size), type 2 none
//                          (the spec's text says a u32 count; GRUB writes and declares a u16)
//   14 ACPI old RSDP       +8 copy of the ACPI 1.0 RSDP (20 bytes)
//   15 ACPI new RSDP       +8 copy of the ACPI 2.0+ RSDP (36 bytes or more)
// Every other tag is skipped.
//
// Policy for bad input (never an abort, never a read past total_size or past a tag's size):
// - total_size below 16 or above 1 MiB: nothing is parsed. total_size need not be a multiple of
//   8 and the start need not be 8-aligned (x86 and wasm loads need no alignment); a tail shorter
//   than a tag header is ignored.
// - A tag with size below 8, or running past total_size, stops parsing; a missing end tag is
//   recorded. What was parsed before stays in the result either way.
// - A tag shorter than its fixed fields, a module whose end is below its start, a memory map
//   whose entry_size is below 24 or not a multiple of 8, and a second copy of a tag that comes
//   once (all above but modules) are ignored, with a problem; a string without a NUL is cut at the
//   tag's end, and a partial last memory map entry dropped, with a problem.
// - Counts are capped (MAXIMUM_*), so a hostile structure cannot fill the kernel heap.

@inline const INFORMATION_HEADER_SIZE: u32 = 8;
@inline const TAG_HEADER_SIZE: u32 = 8;
@inline const MINIMUM_TOTAL_SIZE: u32 = 16; // the header and an end tag
@inline const MAXIMUM_TOTAL_SIZE: u32 = 0x10_0000; // as BOOT_INFORMATION_MAX_SIZE, boot_information.h
@inline const ADDRESS_SPACE_END: u64 = <u64>1 << 32; // wasm32 linear memory

@inline const TAG_TYPE: usize = 0;
@inline const TAG_SIZE: usize = 4;
@inline const TAG_END: u32 = 0;
@inline const TAG_COMMAND_LINE: u32 = 1;
@inline const TAG_BOOTLOADER_NAME: u32 = 2;
@inline const TAG_MODULE: u32 = 3;
@inline const TAG_MEMORY_MAP: u32 = 6;
@inline const TAG_FRAMEBUFFER: u32 = 8;
@inline const TAG_ACPI_OLD_RSDP: u32 = 14;
@inline const TAG_ACPI_NEW_RSDP: u32 = 15;
/** Tags that come at most once; a second copy is ignored. */
@inline const SINGLE_TAGS: u32 = (1 << TAG_COMMAND_LINE) | (1 << TAG_BOOTLOADER_NAME) | (1 << TAG_MEMORY_MAP)
  | (1 << TAG_FRAMEBUFFER) | (1 << TAG_ACPI_OLD_RSDP) | (1 << TAG_ACPI_NEW_RSDP);

@inline const TAG_STRING: usize = 8; // command line, boot loader name
@inline const MODULE_START: usize = 8;
@inline const MODULE_END: usize = 12;
@inline const MODULE_STRING: u32 = 16;
@inline const MEMORY_MAP_ENTRY_SIZE: usize = 8;
@inline const MEMORY_MAP_ENTRY_VERSION: usize = 12;
@inline const MEMORY_MAP_ENTRIES: u32 = 16;
@inline const ENTRY_BASE: usize = 0;
@inline const ENTRY_LENGTH: usize = 8;
@inline const ENTRY_TYPE: usize = 16;
@inline const MINIMUM_ENTRY_SIZE: u32 = 24;
@inline const FRAMEBUFFER_ADDRESS: usize = 8;
@inline const FRAMEBUFFER_PITCH: usize = 16;
@inline const FRAMEBUFFER_WIDTH: usize = 20;
@inline const FRAMEBUFFER_HEIGHT: usize = 24;
@inline const FRAMEBUFFER_BITS_PER_PIXEL: usize = 28;
@inline const FRAMEBUFFER_TYPE: usize = 29;
@inline const FRAMEBUFFER_COLOUR_INFORMATION: u32 = 32;
@inline const PALETTE_COUNT_SIZE: u32 = 2;
@inline const PALETTE_COLOUR_SIZE: u32 = 3;
@inline const RGB_COLOUR_INFORMATION_SIZE: u32 = 6;
@inline const RSDP_COPY: u32 = 8;
@inline const RSDP_ACPI1_SIZE: u32 = 20; // ACPI 6.5 §5.2.5.3: the ACPI 1.0 fields
@inline const RSDP_ACPI2_SIZE: u32 = 36; // the whole ACPI 2.0+ structure

/** Caps on what one structure may make the parser allocate. */
@inline const MAXIMUM_MEMORY_MAP_ENTRIES: i32 = 1024;
@inline const MAXIMUM_MODULES: i32 = 256;
/** At most this many problems are kept, then one line saying that more were dropped. */
@inline const MAXIMUM_PROBLEMS: i32 = 16;

/** One memory map entry, copied verbatim: overlapping, unordered, unaligned and zero-length
 * entries are kept; what they mean is the frame allocator's decision. */
export class MemoryMapEntry {
  base: u64 = 0;
  length: u64 = 0;
  /** 1 available, 3 ACPI reclaimable, 4 ACPI NVS (hibernation), 5 defective, other reserved. */
  type: u32 = 0;
}

/** A boot module (GRUB's `module2`): physical [start, end) and its string (GRUB: the path and
 * arguments). Nothing checks that the range is RAM or clear of the kernel: the caller must. */
export class BootModule {
  start: u32 = 0;
  end: u32 = 0;
  commandLine: string = "";
}

export enum FramebufferType { Indexed = 0, Rgb = 1, EgaText = 2 }

/** The framebuffer's common fields, and for RGB the position and size of each colour's bits (the
 * palette of an indexed framebuffer is checked for length, not kept). */
export class Framebuffer {
  address: u64 = 0;
  /** Bytes per line. */
  pitch: u32 = 0;
  /** Pixels, or characters for EGA text. */
  width: u32 = 0;
  height: u32 = 0;
  bitsPerPixel: u8 = 0;
  /** A FramebufferType value, or an unknown one, kept as given. */
  type: u8 = 0;
  /** RGB only (all 0 otherwise, or when the tag is too short to hold them). */
  redPosition: u8 = 0;
  redSize: u8 = 0;
  greenPosition: u8 = 0;
  greenSize: u8 = 0;
  bluePosition: u8 = 0;
  blueSize: u8 = 0;
}

export enum RsdpVersion { None = 0, Acpi1 = 1, Acpi2 = 2 }

/** The parsed boot information. Every field is usable whatever `error` says: it holds what was
 * parsed before the structure went wrong (empty when nothing could be). */
export class BootInformation {
  /** None when every tag made sense; otherwise the kind of the first problem. */
  error: KernelError = KernelError.None;
  /** One line per problem for the caller to log; at most MAXIMUM_PROBLEMS + 1 lines. */
  problems: string[] = [];
  commandLine: string = "";
  bootloaderName: string = "";
  /** The firmware's map, in its order; empty when the tag is absent or was refused. */
  memoryMap: MemoryMapEntry[] = [];
  memoryMapEntryVersion: u32 = 0;
  modules: BootModule[] = [];
  framebuffer: Framebuffer | null = null;
  /** Where the RSDP copy lies inside the structure, its length in the tag (at least 20 bytes for
   * ACPI 1, 36 for ACPI 2; not yet checksummed) and which tag it came from. The ACPI 2 copy wins
   * over the ACPI 1 one. */
  rsdpAddress: usize = 0;
  rsdpLength: u32 = 0;
  rsdpVersion: RsdpVersion = RsdpVersion.None;
  private seen: u32 = 0;

  /** Parses the structure at `address`; never null and never aborts (see the policy above). */
  static parse(address: usize): BootInformation {
    const information = new BootInformation();
    if (address == 0) {
      information.problem(KernelError.InvalidArgument, 0, "no boot information (null address)");
      return information;
    }
    const total = load<u32>(address);
    if (total < MINIMUM_TOTAL_SIZE) {
      information.problem(KernelError.Truncated, 0, "total size " + total.toString() + " below 16; nothing parsed");
      return information;
    }
    if (total > MAXIMUM_TOTAL_SIZE || <u64>address + total > ADDRESS_SPACE_END) {
      information.problem(KernelError.Malformed, 0, "total size " + total.toString() + " above 1 MiB or past 4 GiB; nothing parsed");
      return information;
    }
    let offset = INFORMATION_HEADER_SIZE;
    while (offset <= total - TAG_HEADER_SIZE) {
      const tag = address + offset;
      const type = load<u32>(tag + TAG_TYPE);
      const size = load<u32>(tag + TAG_SIZE);
      if (size < TAG_HEADER_SIZE) {
        information.problem(KernelError.Malformed, offset, "tag " + type.toString() + " has size " + size.toString() + " (below 8); parsing stopped");
        return information;
      }
      if (size > total - offset) {
        information.problem(KernelError.Truncated, offset, "tag " + type.toString() + " of size " + size.toString() + " runs past the total size " + total.toString() + "; parsing stopped");
        return information;
      }
      if (type == TAG_END) {
        if (size != TAG_HEADER_SIZE) information.problem(KernelError.Malformed, offset, "end tag of size " + size.toString() + " (not 8)");
        return information;
      }
      information.tag(type, tag, size, offset);
      offset += (size + 7) & ~7; // size <= total - offset <= 1 MiB: no overflow
    }
    information.problem(KernelError.Truncated, offset, "no end tag before the total size " + total.toString());
    return information;
  }

  /** Reads one tag; `tag + size` lies within the structure, `size` >= 8. */
  private tag(type: u32, tag: usize, size: u32, offset: u32): void {
    if (type < 32 && (SINGLE_TAGS & (<u32>1 << type)) != 0) {
      if ((this.seen & (<u32>1 << type)) != 0) {
        this.problem(KernelError.Malformed, offset, "second tag " + type.toString() + "; ignored");
        return;
      }
      this.seen |= <u32>1 << type;
    }
    switch (type) {
      case TAG_COMMAND_LINE: this.commandLine = this.string(tag + TAG_STRING, tag + size, offset); break;
      case TAG_BOOTLOADER_NAME: this.bootloaderName = this.string(tag + TAG_STRING, tag + size, offset); break;
      case TAG_MODULE: this.module(tag, size, offset); break;
      case TAG_MEMORY_MAP: this.memoryMapTag(tag, size, offset); break;
      case TAG_FRAMEBUFFER: this.framebufferTag(tag, size, offset); break;
      case TAG_ACPI_OLD_RSDP: this.rsdp(RsdpVersion.Acpi1, RSDP_ACPI1_SIZE, tag, size, offset); break;
      case TAG_ACPI_NEW_RSDP: this.rsdp(RsdpVersion.Acpi2, RSDP_ACPI2_SIZE, tag, size, offset); break;
    }
  }

  private module(tag: usize, size: u32, offset: u32): void {
    if (size < MODULE_STRING) {
      this.problem(KernelError.Truncated, offset, "module tag of size " + size.toString() + " (below 16); ignored");
      return;
    }
    const start = load<u32>(tag + MODULE_START);
    const end = load<u32>(tag + MODULE_END);
    if (end < start) {
      this.problem(KernelError.Malformed, offset, "module ends (0x" + end.toString(16) + ") below its start (0x" + start.toString(16) + "); ignored");
      return;
    }
    if (this.modules.length >= MAXIMUM_MODULES) {
      this.problem(KernelError.OutOfMemory, offset, "more than 256 modules; ignored");
      return;
    }
    const module = new BootModule();
    module.start = start;
    module.end = end;
    module.commandLine = this.string(tag + MODULE_STRING, tag + size, offset);
    this.modules.push(module);
  }

  private memoryMapTag(tag: usize, size: u32, offset: u32): void {
    if (size < MEMORY_MAP_ENTRIES) {
      this.problem(KernelError.Truncated, offset, "memory map tag of size " + size.toString() + " (below 16); ignored");
      return;
    }
    const entrySize = load<u32>(tag + MEMORY_MAP_ENTRY_SIZE);
    if (entrySize < MINIMUM_ENTRY_SIZE || (entrySize & 7) != 0) {
      this.problem(KernelError.Malformed, offset, "memory map entry size " + entrySize.toString() + " (not a multiple of 8 from 24); ignored");
      return;
    }
    this.memoryMapEntryVersion = load<u32>(tag + MEMORY_MAP_ENTRY_VERSION);
    const bytes = size - MEMORY_MAP_ENTRIES;
    if (bytes % entrySize != 0) this.problem(KernelError.Truncated, offset, "memory map ends in a partial entry; dropped");
    let count = <i32>(bytes / entrySize);
    if (count > MAXIMUM_MEMORY_MAP_ENTRIES) {
      this.problem(KernelError.OutOfMemory, offset, "memory map of " + count.toString() + " entries; only the first 1024 kept");
      count = MAXIMUM_MEMORY_MAP_ENTRIES;
    }
    for (let index = 0; index < count; index++) {
      const entry = tag + MEMORY_MAP_ENTRIES + <usize>index * entrySize;
      const kept = new MemoryMapEntry();
      kept.base = load<u64>(entry + ENTRY_BASE);
      kept.length = load<u64>(entry + ENTRY_LENGTH);
      kept.type = load<u32>(entry + ENTRY_TYPE);
      this.memoryMap.push(kept);
    }
  }

  private framebufferTag(tag: usize, size: u32, offset: u32): void {
    if (size < FRAMEBUFFER_COLOUR_INFORMATION) {
      this.problem(KernelError.Truncated, offset, "framebuffer tag of size " + size.toString() + " (below 32); ignored");
      return;
    }
    const framebuffer = new Framebuffer();
    framebuffer.address = load<u64>(tag + FRAMEBUFFER_ADDRESS);
    framebuffer.pitch = load<u32>(tag + FRAMEBUFFER_PITCH);
    framebuffer.width = load<u32>(tag + FRAMEBUFFER_WIDTH);
    framebuffer.height = load<u32>(tag + FRAMEBUFFER_HEIGHT);
    framebuffer.bitsPerPixel = load<u8>(tag + FRAMEBUFFER_BITS_PER_PIXEL);
    framebuffer.type = load<u8>(tag + FRAMEBUFFER_TYPE);
    const room = size - FRAMEBUFFER_COLOUR_INFORMATION;
    let needed: u32 = 0;
    if (framebuffer.type == FramebufferType.Indexed) {
      needed = PALETTE_COUNT_SIZE;
      if (room >= PALETTE_COUNT_SIZE) needed += PALETTE_COLOUR_SIZE * load<u16>(tag + FRAMEBUFFER_COLOUR_INFORMATION);
    } else if (framebuffer.type == FramebufferType.Rgb) {
      needed = RGB_COLOUR_INFORMATION_SIZE;
      if (room >= RGB_COLOUR_INFORMATION_SIZE) {
        const colours = tag + FRAMEBUFFER_COLOUR_INFORMATION;
        framebuffer.redPosition = load<u8>(colours);
        framebuffer.redSize = load<u8>(colours, 1);
        framebuffer.greenPosition = load<u8>(colours, 2);
        framebuffer.greenSize = load<u8>(colours, 3);
        framebuffer.bluePosition = load<u8>(colours, 4);
        framebuffer.blueSize = load<u8>(colours, 5);
      }
    }
    if (needed > room) this.problem(KernelError.Truncated, offset, "framebuffer colour information runs past the tag; framebuffer kept");
    this.framebuffer = framebuffer;
  }

  private rsdp(version: RsdpVersion, minimum: u32, tag: usize, size: u32, offset: u32): void {
    if (size - RSDP_COPY < minimum) {
      this.problem(KernelError.Truncated, offset, "RSDP copy of " + (size - RSDP_COPY).toString() + " bytes (below " + minimum.toString() + "); ignored");
      return;
    }
    if (this.rsdpVersion == RsdpVersion.Acpi2) return; // only an ACPI 1 copy can come after it
    this.rsdpAddress = tag + RSDP_COPY;
    this.rsdpLength = size - RSDP_COPY;
    this.rsdpVersion = version;
  }

  /** The NUL-terminated string in [start, end); without a NUL it is cut at `end`, with a problem. */
  private string(start: usize, end: usize, offset: u32): string {
    let length: usize = 0;
    while (start + length < end && load<u8>(start + length) != 0) length++;
    if (start + length == end) this.problem(KernelError.Truncated, offset, "string without a NUL; cut at the tag's end");
    return String.UTF8.decodeUnsafe(start, length, false);
  }

  /** Records a problem at `offset` in the structure; `error` keeps the first one's kind. */
  private problem(error: KernelError, offset: u32, text: string): void {
    if (this.error == KernelError.None) this.error = error;
    const count = this.problems.length;
    if (count < MAXIMUM_PROBLEMS) this.problems.push("offset " + offset.toString() + ": " + text);
    else if (count == MAXIMUM_PROBLEMS) this.problems.push("further problems not recorded");
  }
}

/** The boot command line, or "" when there is none or the structure is unusable. */
export function bootCommandLine(information: usize): string {
  return BootInformation.parse(information).commandLine;
}
