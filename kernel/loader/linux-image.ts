// A Linux program's address space as Linux lays it out (docs/linux.md, "Loading"): the image at
// its link address (a static-pie at LINUX_PIE_BASE), the program break after it, the stack at the
// top, holding argc, argv, envp and the auxiliary vector, and mmap's area growing down below the
// stack's reservation. Read-only segments map the boot package's one copy (Image regions, as for
// native programs); writable ones are Anonymous regions filled from the file, so the C library
// may mprotect its RELRO part. The caller (objects/spawn.ts) checked the frames and the quota:
// nothing here can fail but the stack's size (E2BIG), which it checks first.

import { KernelError } from "../../abi/errors";
import { cpuid } from "../arch/hw";
import { PAGE_SIZE } from "../memory/page-table";
import { Quota } from "../memory/quota";
import { AddressSpace, KernelErrorCell, UserAccess } from "../vm/address-space";
import { vmMap, vmMapCheck } from "../vm/mappings";
import { Backing } from "../vm/regions";
import { copyOut } from "../vm/user-memory";
import { BootProgram } from "./boot-package";

/** Where a static-pie is loaded: Linux's ELF_ET_DYN_BASE on x86-64 without address randomisation. */
export const LINUX_PIE_BASE: u64 = 0x5555_5555_4000;
/** The stack's top (Linux's STACK_TOP without randomisation: the last page below 2^47 is left
 * unmapped, as Linux leaves it) and its size: LINUX_STACK_INITIAL mapped, growing on faults to
 * LINUX_STACK_MAXIMUM (RLIMIT_STACK's default, 8 MiB). */
export const LINUX_STACK_TOP: u64 = 0x7fff_ffff_f000;
export const LINUX_STACK_INITIAL: u64 = 128 * 1024;
export const LINUX_STACK_MAXIMUM: u64 = 8 * 1024 * 1024;
/** mmap's area grows down from here: below the stack's largest extent and a guard gap, as Linux's
 * mmap_base (TASK_SIZE minus the stack limit, at least 128 MiB, without randomisation). */
export const LINUX_MMAP_TOP: u64 = LINUX_STACK_TOP - 128 * 1024 * 1024;
/** The most bytes argv, envp and their strings may take on the new stack (Linux allows a quarter
 * of the stack limit; this is smaller, and says E2BIG past it). */
export const LINUX_ARGUMENTS_MAXIMUM: u64 = 64 * 1024;

// Auxiliary vector tags (linux/auxvec.h, asm/auxvec.h).
const AT_NULL: u64 = 0, AT_PHDR: u64 = 3, AT_PHENT: u64 = 4, AT_PHNUM: u64 = 5, AT_PAGESZ: u64 = 6, AT_BASE: u64 = 7;
const AT_FLAGS: u64 = 8, AT_ENTRY: u64 = 9, AT_UID: u64 = 11, AT_EUID: u64 = 12, AT_GID: u64 = 13, AT_EGID: u64 = 14;
const AT_PLATFORM: u64 = 15, AT_HWCAP: u64 = 16, AT_CLKTCK: u64 = 17, AT_SECURE: u64 = 23, AT_RANDOM: u64 = 25;
const AT_HWCAP2: u64 = 26, AT_EXECFN: u64 = 31;
/** sysconf(_SC_CLK_TCK): Linux's USER_HZ. */
export const LINUX_CLOCK_TICKS: u64 = 100;
const PROGRAM_HEADER_SIZE: u64 = 56;

/** Where a loaded program starts, and where its break begins. */
export class LinuxImage {
  entry: u64 = 0;
  stackPointer: u64 = 0;
  /** The first byte after the image, page-aligned: the program break starts here. */
  breakStart: u64 = 0;
  /** What was added to every segment address (0 for ET_EXEC). */
  base: u64 = 0;
  /** Where argv's strings are on the first stack, one after the other with their NULs
   * ([argumentsStart, argumentsEnd): /proc/PID/cmdline). */
  argumentsStart: u64 = 0;
  argumentsEnd: u64 = 0;
}

/** The bytes argv and envp need on the stack, with their pointers: E2BIG's measure. Each string
 * is its bytes with the terminating NUL (linuxStrings). */
export function linuxArgumentsBytes(argv: ArrayBuffer[], envp: ArrayBuffer[]): u64 {
  let bytes: u64 = 0;
  for (let i = 0; i < argv.length; i++) bytes += <u64>argv[i].byteLength + 8;
  for (let i = 0; i < envp.length; i++) bytes += <u64>envp[i].byteLength + 8;
  return bytes;
}

/** The environment Linux's kernel gives init, and Capsid every Linux process it starts. */
export const LINUX_ENVIRONMENT: string[] = ["HOME=/", "TERM=linux"];

/** `texts` as NUL-terminated UTF-8, what the first stack holds (execve passes bytes as they are). */
export function linuxStrings(texts: string[]): ArrayBuffer[] {
  const list: ArrayBuffer[] = [];
  for (let i = 0; i < texts.length; i++) list.push(String.UTF8.encode(texts[i], true));
  return list;
}

/** The base a program's segments are moved by. */
export function linuxImageBase(program: BootProgram): u64 {
  return program.image.positionIndependent ? LINUX_PIE_BASE : 0;
}

/** Maps `program` into the empty `space` and builds its first stack; Anonymous pages are charged
 * to `quota` (the caller checked it can pay for the writable segments' file pages, the stack's
 * first page and their tables, and that linuxArgumentsBytes(argv, envp) is within
 * LINUX_ARGUMENTS_MAXIMUM). `random` is 16 bytes from the kernel's generator (AT_RANDOM). */
export function linuxImageMap(space: AddressSpace, program: BootProgram, quota: Quota, argv: ArrayBuffer[], envp: ArrayBuffer[], random: usize,
  filename: ArrayBuffer | null = null): LinuxImage {
  const image = program.image, base = linuxImageBase(program);
  const error = new KernelErrorCell();
  let end: u64 = 0;
  for (let i = 0; i < image.segments.length; i++) {
    const segment = image.segments[i];
    const first = pageDown(base + segment.virtual), last = pageUp(base + segment.virtual + segment.memorySize);
    end = max(end, last);
    const access = segment.executable ? UserAccess.ReadExecute : segment.writable ? UserAccess.ReadWrite : UserAccess.Read;
    if (!segment.writable) {
      const shared = program.sharedFrames[i];
      let page = first;
      for (let p = 0; p < shared.length; p++, page += PAGE_SIZE) {
        if (space.mapShared(page, shared[p], access, error) == 0) abort("linuxImageMap: shared page not mapped");
      }
      space.addRegion(first, page, access, Backing.Image);
      continue;
    }
    if (vmMapCheck(space, first, (last - first) / PAGE_SIZE, access) != KernelError.None) abort("linuxImageMap: segments overlap");
    vmMap(space, first, (last - first) / PAGE_SIZE, access, quota);
    // The file's bytes, through the checked copy (it fills the demand-zero pages they land on):
    // from the boot package's copy, or page by page from a file program's data frames.
    if (segment.fileSize == 0) continue;
    if (program.imageAddress != 0) {
      if (copyOut(space, base + segment.virtual, program.imageAddress + <usize>segment.fileOffset,
        segment.fileSize, segment.fileSize) != KernelError.None) abort("linuxImageMap: a writable segment not filled");
      continue;
    }
    const frames = program.dataFrames[i], fileEnd = base + segment.virtual + segment.fileSize;
    for (let p = 0; p < frames.length; p++) {
      const page = first + <u64>p * PAGE_SIZE;
      const from = max(page, base + segment.virtual), to = min(page + PAGE_SIZE, fileEnd);
      if (from < to && copyOut(space, from, <usize>(frames[p] + (from - page)), to - from, to - from) != KernelError.None) {
        abort("linuxImageMap: a writable segment not filled");
      }
    }
  }
  const stackPages = LINUX_STACK_INITIAL / PAGE_SIZE;
  const stackBottom = LINUX_STACK_TOP - LINUX_STACK_INITIAL;
  if (vmMapCheck(space, stackBottom, stackPages, UserAccess.ReadWrite, (LINUX_STACK_MAXIMUM - LINUX_STACK_INITIAL) / PAGE_SIZE) != KernelError.None) {
    abort("linuxImageMap: the stack's range is taken");
  }
  vmMap(space, stackBottom, stackPages, UserAccess.ReadWrite, quota, (LINUX_STACK_MAXIMUM - LINUX_STACK_INITIAL) / PAGE_SIZE);

  const loaded = new LinuxImage();
  loaded.base = base;
  loaded.entry = base + image.entry;
  loaded.breakStart = end;
  loaded.stackPointer = stackWrite(space, program, base, argv, envp, random, filename, loaded);
  return loaded;
}

/** Writes the initial stack (System V x86-64 psABI, 3.4.1: argc at the stack pointer, 16-byte
 * aligned; then argv, NULL, envp, NULL, the auxiliary vector; the strings above) and returns the
 * stack pointer. */
function stackWrite(space: AddressSpace, program: BootProgram, base: u64, argv: ArrayBuffer[], envp: ArrayBuffer[], random: usize,
  filename: ArrayBuffer | null, loaded: LinuxImage): u64 {
  const image = program.image;
  const strings = new Array<ArrayBuffer>();
  for (let i = 0; i < argv.length; i++) strings.push(argv[i]);
  for (let i = 0; i < envp.length; i++) strings.push(envp[i]);
  if (filename !== null) strings.push(filename);   // AT_EXECFN: the path execve was given
  const platform = String.UTF8.encode("x86_64", true);
  // The block from its lowest byte (the stack pointer) up to LINUX_STACK_TOP.
  let stringBytes: u64 = 16 + <u64>platform.byteLength;
  for (let i = 0; i < strings.length; i++) stringBytes += <u64>strings[i].byteLength;
  const auxiliary: u64[] = [
    AT_PHDR, image.programHeaders != 0 ? base + image.programHeaders : 0, AT_PHENT, PROGRAM_HEADER_SIZE,
    AT_PHNUM, <u64>image.programHeaderCount, AT_PAGESZ, PAGE_SIZE, AT_BASE, 0, AT_FLAGS, 0,
    AT_ENTRY, base + image.entry, AT_UID, 0, AT_EUID, 0, AT_GID, 0, AT_EGID, 0, AT_SECURE, 0,
    AT_CLKTCK, LINUX_CLOCK_TICKS, AT_HWCAP, hardwareCapabilities(), AT_HWCAP2, 0,
    AT_RANDOM, 0, AT_PLATFORM, 0, AT_EXECFN, 0, AT_NULL, 0,
  ];
  const words = 1 + <u64>argv.length + 1 + <u64>envp.length + 1 + <u64>auxiliary.length;
  const stringsStart = (LINUX_STACK_TOP - stringBytes) & ~15;
  const pointer = (stringsStart - words * 8) & ~15;
  const size = LINUX_STACK_TOP - pointer;
  const block = new ArrayBuffer(<i32>size);
  const at = changetype<usize>(block);
  // Strings: random bytes, platform, then argv's and envp's, in order.
  let place = stringsStart;
  memory.copy(at + <usize>(place - pointer), random, 16);
  const randomAddress = place;
  place += 16;
  const platformAddress = place;
  memory.copy(at + <usize>(place - pointer), changetype<usize>(platform), platform.byteLength);
  place += <u64>platform.byteLength;
  const addresses: u64[] = [];
  for (let i = 0; i < strings.length; i++) {
    addresses.push(place);
    memory.copy(at + <usize>(place - pointer), changetype<usize>(strings[i]), strings[i].byteLength);
    place += <u64>strings[i].byteLength;
    if (i == 0) loaded.argumentsStart = addresses[0];
    if (i < argv.length) loaded.argumentsEnd = place;
  }
  // The words.
  let word = at;
  store<u64>(word, <u64>argv.length); word += 8;
  for (let i = 0; i < argv.length; i++) { store<u64>(word, addresses[i]); word += 8; }
  store<u64>(word, 0); word += 8;
  for (let i = 0; i < envp.length; i++) { store<u64>(word, addresses[argv.length + i]); word += 8; }
  store<u64>(word, 0); word += 8;
  for (let i = 0; i + 1 < auxiliary.length; i += 2) {
    const tag = auxiliary[i];
    let value = auxiliary[i + 1];
    if (tag == AT_RANDOM) value = randomAddress;
    else if (tag == AT_PLATFORM) value = platformAddress;
    else if (tag == AT_EXECFN) value = filename !== null ? addresses[strings.length - 1] : argv.length > 0 ? addresses[0] : platformAddress;
    store<u64>(word, tag);
    store<u64>(word, value, 8);
    word += 16;
  }
  if (copyOut(space, pointer, at, size, size) != KernelError.None) abort("linuxImageMap: the first stack not written");
  return pointer;
}

/** AT_HWCAP: CPUID leaf 1's EDX, as Linux gives it on x86. */
function hardwareCapabilities(): u64 {
  const registers = memory.data(16, 16);
  cpuid(1, 0, registers);
  return <u64>load<u32>(registers, 12);
}

@inline function pageDown(value: u64): u64 { return value & ~(PAGE_SIZE - 1); }
@inline function pageUp(value: u64): u64 { return (value + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }
