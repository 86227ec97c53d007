// The ELF64 program-image parser: the trust boundary between a user program (a boot module) and
// the process loader. Checks an image in kernel linear memory once against the rules below and
// returns its entry point and loadable segments, so the loader copies them without checks of its
// own. Pure (no log, no hardware imports): the process loader calls it and logs `reason`;
// tests/host/elf.test.ts runs it under Node. System V gABI chapters 4-5, ELF-64 Object File Format.

import { KernelError } from "../../abi/errors";
import { USER_IMAGE_END, USER_IMAGE_START } from "../../abi/layout";

// The fields read (gABI "ELF Header" and "Program Header", ELF-64 sections 3 and 6; offsets in
// bytes, little-endian as EI_DATA must say):
//
//   ELF header, 64 bytes
//   +0  e_ident: 7f 'E' 'L' 'F' | +4 EI_CLASS (2 = 64-bit) | +5 EI_DATA (1 = little-endian)
//       | +6 EI_VERSION (1) | +7 EI_OSABI, EI_ABIVERSION, padding (not read)
//   +16 u16 e_type (2 = ET_EXEC) | +18 u16 e_machine (62 = EM_X86_64) | +20 u32 e_version (1)
//   +24 u64 e_entry | +32 u64 e_phoff | +40 u64 e_shoff, +48 u32 e_flags (not read)
//   +52 u16 e_ehsize | +54 u16 e_phentsize (56) | +56 u16 e_phnum | +58 section fields (not read)
//
//   program header, 56 bytes, e_phnum of them at e_phoff
//   +0 u32 p_type | +4 u32 p_flags (PF_X 1, PF_W 2, PF_R 4) | +8 u64 p_offset | +16 u64 p_vaddr
//   +24 u64 p_paddr (not read) | +32 u64 p_filesz | +40 u64 p_memsz | +48 u64 p_align (not read)
//
// Policy (never an abort, never a read outside [address, address + length), every sum checked):
// - Native programs (ElfPolicy.Native): static ET_EXEC x86_64 images only. PT_INTERP and
//   PT_DYNAMIC, PT_TLS, ET_DYN (position-independent) and writable-and-executable segments are
//   NotPermitted: valid ELF, not allowed. Every PT_LOAD lies in [USER_IMAGE_START, USER_IMAGE_END).
// - Linux programs (ElfPolicy.Linux, run by kernel/linux/): ET_EXEC with every PT_LOAD in
//   [LINUX_IMAGE_START, LINUX_IMAGE_END), or ET_DYN (static-pie: PT_DYNAMIC allowed, the program
//   relocates itself) with every PT_LOAD in [0, LINUX_PIE_SPAN) from its load base. PT_TLS is
//   allowed (the C library reads it through AT_PHDR). PT_INTERP is recorded, not refused: the
//   loader answers ENOENT for an interpreter not in the process's namespace, as Linux does. An
//   executable PT_GNU_STACK and writable-and-executable segments are NotPermitted (a page here is
//   read, read-write or read-execute). `programHeaders` is where the table lies in memory
//   (PT_PHDR's address, else inside the PT_LOAD that holds file offset e_phoff), 0 when no
//   segment holds it; AT_PHDR needs it.
// - Under both, no two PT_LOADs share a 4 KiB page, since
//   a page has one set of permissions. p_offset need not be congruent with p_vaddr: the loader
//   copies file bytes, it does not map the file. Every other segment type (PT_NOTE, PT_PHDR,
//   PT_GNU_STACK, PT_GNU_PROPERTY, PT_GNU_RELRO, unknown ones) is ignored: the stack is never
//   executable whatever PT_GNU_STACK asks.
// - The first rule broken refuses the whole image; Truncated when a range runs past the end of
//   the image, Malformed for bad fields and sums that wrap past 2^64.
// - Total size is not limited here beyond the user image range: the loader charges the quota.

@inline const ELF_HEADER_SIZE: u64 = 64;
@inline const PROGRAM_HEADER_SIZE: u64 = 56;
@inline const PAGE_SIZE: u64 = 4096;
@inline const LINEAR_MEMORY_END: u64 = <u64>1 << 32; // wasm32: an image ends below 4 GiB

@inline const E_MAGIC: usize = 0;
@inline const E_CLASS: usize = 4;
@inline const E_DATA: usize = 5;
@inline const E_IDENT_VERSION: usize = 6;
@inline const E_TYPE: usize = 16;
@inline const E_MACHINE: usize = 18;
@inline const E_VERSION: usize = 20;
@inline const E_ENTRY: usize = 24;
@inline const E_PHOFF: usize = 32;
@inline const E_EHSIZE: usize = 52;
@inline const E_PHENTSIZE: usize = 54;
@inline const E_PHNUM: usize = 56;
@inline const P_TYPE: usize = 0;
@inline const P_FLAGS: usize = 4;
@inline const P_OFFSET: usize = 8;
@inline const P_VADDR: usize = 16;
@inline const P_FILESZ: usize = 32;
@inline const P_MEMSZ: usize = 40;

@inline const ELF_MAGIC: u32 = 0x464c_457f; // 7f 'E' 'L' 'F' read as a little-endian u32
@inline const ELFCLASS64: u8 = 2;
@inline const ELFDATA2LSB: u8 = 1;
@inline const EV_CURRENT: u32 = 1;
@inline const ET_EXEC: u16 = 2;
@inline const ET_DYN: u16 = 3;
@inline const EM_X86_64: u16 = 62;
@inline const PT_LOAD: u32 = 1;
@inline const PT_DYNAMIC: u32 = 2;
@inline const PT_INTERP: u32 = 3;
@inline const PT_PHDR: u32 = 6;
@inline const PT_TLS: u32 = 7;
@inline const PT_GNU_STACK: u32 = 0x6474_e551;
@inline const P_VADDR_OF_PHDR: usize = 16;
@inline const PF_X: u32 = 1;
@inline const PF_W: u32 = 2;

// The user image range, [USER_IMAGE_START, USER_IMAGE_END): see arch/x86_64/layout.h.
export { USER_IMAGE_END, USER_IMAGE_START } from "../../abi/layout";
/** Linux ET_EXEC segments lie in [LINUX_IMAGE_START, LINUX_IMAGE_END) (Linux's default
 * vm.mmap_min_addr is 64 KiB; the personality's mmap area starts above 4 GiB); a static-pie's in
 * [0, LINUX_PIE_SPAN) from its base. */
export const LINUX_IMAGE_START: u64 = 0x1_0000;
export const LINUX_IMAGE_END: u64 = 0x1_0000_0000;
export const LINUX_PIE_SPAN: u64 = 0x4000_0000;
/** The longest PT_INTERP path kept (Linux's PATH_MAX). */
export const ELF_INTERPRETER_MAXIMUM: u64 = 4096;

export enum ElfPolicy { Native = 0, Linux = 1 }

/** At most this many program headers (of any type) in an image. */
export const ELF_MAXIMUM_SEGMENTS: i32 = 16;

/** One PT_LOAD segment, checked: file bytes [fileOffset, fileOffset + fileSize) lie in the image
 * and go to [virtual, virtual + fileSize); the rest up to memorySize is zero. The virtual range is
 * inside the user image range, shares no page with another segment, and is not both writable and
 * executable. */
export class ElfSegment {
  fileOffset: u64 = 0;
  fileSize: u64 = 0;
  virtual: u64 = 0;
  memorySize: u64 = 0;
  writable: bool = false;
  executable: bool = false;
}

/** A checked image: `entry` lies inside an executable segment; segments in program header order. */
export class ElfImage {
  entry: u64 = 0;
  segments: ElfSegment[] = [];
  /** ET_DYN (a static-pie, Linux only): addresses are relative to the base the loader picks. */
  positionIndependent: bool = false;
  /** The program header table's address in memory (relative, like the segments), 0 if none. */
  programHeaders: u64 = 0;
  programHeaderCount: u32 = 0;
  /** PT_INTERP's path (Linux only), "" when there is none. */
  interpreter: string = "";
}

export class ElfParseResult {
  /** None, or Truncated, Malformed or NotPermitted (see the policy above). */
  error: KernelError = KernelError.None;
  /** Why the image was refused, one line for the log; "" on success. */
  reason: string = "";
  /** The checked image; null exactly when `error` is not None. */
  image: ElfImage | null = null;
}

/** Checks the ELF image of `length` bytes at `address`. The caller guarantees that those bytes are
 * in linear memory; nothing else about them is trusted. Never aborts. `fileLength` (at least
 * `length`) is the whole file's when only its first `length` bytes are at `address` (an execve
 * reads the first page): the headers and the interpreter's path must lie in those, the
 * segments in the file. */
export function elfParse(address: usize, length: u64, policy: ElfPolicy = ElfPolicy.Native, fileLength: u64 = 0): ElfParseResult {
  const linux = policy == ElfPolicy.Linux;
  const segmentsEnd = max(fileLength, length);
  if (length > LINEAR_MEMORY_END - <u64>address) {
    return refuse(KernelError.Malformed, "image of " + length.toString() + " bytes at " + hex(address) + " runs past the end of linear memory");
  }
  if (length < ELF_HEADER_SIZE) {
    return refuse(KernelError.Truncated, "image of " + length.toString() + " bytes is shorter than the 64-byte ELF header");
  }
  if (load<u32>(address + E_MAGIC) != ELF_MAGIC) return refuse(KernelError.Malformed, "not an ELF image (bad magic)");
  const elfClass = load<u8>(address + E_CLASS);
  if (elfClass != ELFCLASS64) return refuse(KernelError.Malformed, "ELF class " + elfClass.toString() + " is not 64-bit (2)");
  const data = load<u8>(address + E_DATA);
  if (data != ELFDATA2LSB) return refuse(KernelError.Malformed, "ELF data encoding " + data.toString() + " is not little-endian (1)");
  const identVersion = load<u8>(address + E_IDENT_VERSION);
  if (identVersion != EV_CURRENT) return refuse(KernelError.Malformed, "ELF identification version " + identVersion.toString() + " is not 1");
  const type = load<u16>(address + E_TYPE);
  if (type == ET_DYN && !linux) return refuse(KernelError.NotPermitted, "position-independent (ET_DYN) executables are not supported");
  if (type != ET_EXEC && type != ET_DYN) return refuse(KernelError.Malformed, "ELF type " + type.toString() + " is not an executable (ET_EXEC, 2)");
  const machine = load<u16>(address + E_MACHINE);
  if (machine != EM_X86_64) return refuse(KernelError.Malformed, "ELF machine " + machine.toString() + " is not x86_64 (62)");
  const version = load<u32>(address + E_VERSION);
  if (version != EV_CURRENT) return refuse(KernelError.Malformed, "ELF version " + version.toString() + " is not 1");
  const headerSize = load<u16>(address + E_EHSIZE);
  if (<u64>headerSize < ELF_HEADER_SIZE) return refuse(KernelError.Malformed, "ELF header size " + headerSize.toString() + " is below 64");
  const entrySize = load<u16>(address + E_PHENTSIZE);
  if (<u64>entrySize != PROGRAM_HEADER_SIZE) return refuse(KernelError.Malformed, "program header size " + entrySize.toString() + " is not 56");
  const count = <i32>load<u16>(address + E_PHNUM);
  if (count == 0) return refuse(KernelError.Malformed, "no program headers");
  if (count > ELF_MAXIMUM_SEGMENTS) {
    return refuse(KernelError.Malformed, count.toString() + " program headers (at most " + ELF_MAXIMUM_SEGMENTS.toString() + ")");
  }
  const tableOffset = load<u64>(address + E_PHOFF);
  const tableSize = <u64>count * PROGRAM_HEADER_SIZE; // at most 16 * 56: no overflow
  if (tableOffset + tableSize < tableOffset) return refuse(KernelError.Malformed, "program header table offset " + hex(tableOffset) + " wraps past 2^64");
  if (tableOffset + tableSize > length) return refuse(KernelError.Truncated, "program header table runs past the end of the file");

  const image = new ElfImage();
  image.entry = load<u64>(address + E_ENTRY);
  image.positionIndependent = type == ET_DYN;
  image.programHeaderCount = <u32>count;
  let phdrSegment: u64 = u64.MAX_VALUE;   // PT_PHDR's p_vaddr, when there is one
  const headerIndex = new StaticArray<i32>(ELF_MAXIMUM_SEGMENTS); // of each segment, for reasons
  let entryFound = false;
  for (let index = 0; index < count; index++) {
    // tableOffset + tableSize <= length <= 4 GiB - address: the header lies in the image.
    const header = address + <usize>(tableOffset + <u64>index * PROGRAM_HEADER_SIZE);
    const where = "program header " + index.toString() + ": ";
    const segmentType = load<u32>(header + P_TYPE);
    if (!linux && (segmentType == PT_INTERP || segmentType == PT_DYNAMIC)) return refuse(KernelError.NotPermitted, where + "dynamic executables are not supported");
    if (!linux && segmentType == PT_TLS) return refuse(KernelError.NotPermitted, where + "thread-local storage is not supported");
    if (linux && segmentType == PT_INTERP) {
      const interpreter = interpreterOf(address, length, header, where);
      if (interpreter.image === null) return interpreter;
      image.interpreter = interpreter.reason;
      continue;
    }
    if (linux && segmentType == PT_GNU_STACK && (load<u32>(header + P_FLAGS) & PF_X) != 0) {
      return refuse(KernelError.NotPermitted, where + "an executable stack (PT_GNU_STACK with PF_X) is not supported");
    }
    if (segmentType == PT_PHDR) phdrSegment = load<u64>(header + P_VADDR_OF_PHDR);
    if (segmentType != PT_LOAD) continue;

    const segment = new ElfSegment();
    segment.fileOffset = load<u64>(header + P_OFFSET);
    segment.fileSize = load<u64>(header + P_FILESZ);
    segment.virtual = load<u64>(header + P_VADDR);
    segment.memorySize = load<u64>(header + P_MEMSZ);
    const flags = load<u32>(header + P_FLAGS);
    segment.writable = (flags & PF_W) != 0;
    segment.executable = (flags & PF_X) != 0;
    const refusal = checkSegment(segment, segmentsEnd, where, linux ? (image.positionIndependent ? 0 : LINUX_IMAGE_START) : USER_IMAGE_START,
      linux ? (image.positionIndependent ? LINUX_PIE_SPAN : LINUX_IMAGE_END) : USER_IMAGE_END);
    if (refusal != null) return refusal;

    const segments = image.segments;
    const first = pageDown(segment.virtual);
    const end = pageUp(segment.virtual + segment.memorySize); // <= USER_IMAGE_END: no overflow
    for (let other = 0; other < segments.length; other++) {
      const otherSegment = unchecked(segments[other]);
      if (first < pageUp(otherSegment.virtual + otherSegment.memorySize) && pageDown(otherSegment.virtual) < end) {
        return refuse(KernelError.Malformed, where + "segment shares a 4 KiB page with program header " + unchecked(headerIndex[other]).toString());
      }
    }
    unchecked(headerIndex[segments.length] = index); // segments.length < count <= 16
    segments.push(segment);
    if (segment.executable && image.entry >= segment.virtual && image.entry - segment.virtual < segment.memorySize) entryFound = true;
    // The table in memory: where the segment holding file offset e_phoff puts it.
    if (tableOffset >= segment.fileOffset && tableOffset + tableSize <= segment.fileOffset + segment.fileSize) {
      image.programHeaders = segment.virtual + (tableOffset - segment.fileOffset);
    }
  }
  if (phdrSegment != u64.MAX_VALUE) image.programHeaders = phdrSegment;
  if (image.segments.length == 0) return refuse(KernelError.Malformed, "no loadable (PT_LOAD) segment");
  if (!entryFound) return refuse(KernelError.Malformed, "entry point " + hex(image.entry) + " is not inside an executable segment");

  const result = new ElfParseResult();
  result.image = image;
  return result;
}

/** Checks one PT_LOAD segment's own fields against the image `length`; returns the refusal, or
 * null when the segment is acceptable on its own. */
function checkSegment(segment: ElfSegment, length: u64, where: string, rangeStart: u64, rangeEnd: u64): ElfParseResult | null {
  if (segment.memorySize == 0) return refuse(KernelError.Malformed, where + "empty segment (memory size 0)");
  if (segment.fileSize > segment.memorySize) {
    return refuse(KernelError.Malformed, where + "file size " + hex(segment.fileSize) + " is above the memory size " + hex(segment.memorySize));
  }
  const fileEnd = segment.fileOffset + segment.fileSize;
  if (fileEnd < segment.fileOffset) return refuse(KernelError.Malformed, where + "file offset " + hex(segment.fileOffset) + " plus file size wraps past 2^64");
  if (fileEnd > length) return refuse(KernelError.Truncated, where + "segment runs past the end of the file");
  const virtualEnd = segment.virtual + segment.memorySize;
  if (virtualEnd < segment.virtual) return refuse(KernelError.Malformed, where + "virtual address " + hex(segment.virtual) + " plus memory size wraps past 2^64");
  if (segment.virtual < rangeStart || virtualEnd > rangeEnd) {
    return refuse(KernelError.NotPermitted, where + "segment [" + hex(segment.virtual) + ", " + hex(virtualEnd) + ") is outside the user image range ["
      + hex(rangeStart) + ", " + hex(rangeEnd) + ")");
  }
  if (segment.writable && segment.executable) return refuse(KernelError.NotPermitted, where + "segment is both writable and executable");
  return null;
}

/** PT_INTERP's path, NUL-terminated inside the file and at most ELF_INTERPRETER_MAXIMUM bytes, as
 * a result whose `reason` is the path and `image` non-null; or the refusal. */
function interpreterOf(address: usize, length: u64, header: usize, where: string): ElfParseResult {
  const offset = load<u64>(header + P_OFFSET), size = load<u64>(header + P_FILESZ);
  if (size == 0 || size > ELF_INTERPRETER_MAXIMUM) return refuse(KernelError.Malformed, where + "interpreter path of " + size.toString() + " bytes");
  if (offset > length || size > length - offset) return refuse(KernelError.Truncated, where + "interpreter path runs past the end of the file");
  const start = address + <usize>offset;
  if (load<u8>(start + <usize>(size - 1)) != 0) return refuse(KernelError.Malformed, where + "interpreter path is not NUL-terminated");
  let text = "";
  for (let i: usize = 0; i + 1 < <usize>size; i++) {
    const byte = load<u8>(start + i);
    if (byte == 0) break;
    text += String.fromCharCode(byte >= 0x20 && byte < 0x7f ? byte : 0x3f);   // printable for the log
  }
  const result = new ElfParseResult();
  result.reason = text;
  result.image = new ElfImage();
  return result;
}

function refuse(error: KernelError, reason: string): ElfParseResult {
  const result = new ElfParseResult();
  result.error = error;
  result.reason = reason;
  return result;
}

@inline function pageDown(value: u64): u64 { return value & ~(PAGE_SIZE - 1); }
/** `value` must be at most 2^64 - 4096 (here: at most USER_IMAGE_END). */
@inline function pageUp(value: u64): u64 { return (value + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }

function hex(value: u64): string {
  return "0x" + value.toString(16);
}
