// Programs execve loads from a file system (docs/linux.md, "execve"): the ELF file is checked
// from its first page (elfParse with the whole file's length), then its pages are copied into
// frames laid out as in memory: every page of a read-only segment (mapped shared, read-only, by
// each process, as the boot package's are), and the file part of each writable one (copied into
// each process). A file whose bytes are still the initrd's (never written: /bin/busybox) is
// prepared once and kept in a small cache keyed by those bytes, so an exec of it copies only its
// data pages and TCG translates its code once. Any other file is prepared per exec.

import { KernelError } from "../../abi/errors";
import { frameAllocateZeroed, frameRelease, framesFree } from "../memory/frames";
import { PAGE_SIZE } from "../memory/page-table";
import { Node } from "../fs/node";
import { Ramfs } from "../fs/ramfs";
import { BootProgram } from "./boot-package";
import { elfParse, ElfPolicy } from "./elf";
import { ManifestProgram } from "./manifest";

/** Programs the cache keeps, and the frames it may hold over all of them. */
const CACHE_PROGRAMS: i32 = 8;
const CACHE_FRAMES_MAXIMUM: u64 = 16384;   // 64 MiB
/** Frames an exec leaves free for the rest of the system at least. */
const FRAMES_RESERVE: u64 = 256;

export class ExecProgramResult {
  error: KernelError = KernelError.None;
  /** Why it was refused (for the log), or a dynamic program's interpreter. */
  reason: string = "";
  /** A dynamically linked program: its PT_INTERP path (no program is made). */
  interpreter: string = "";
  program: BootProgram | null = null;
  /** Whether the cache keeps `program`'s frames (else the caller releases them once mapped:
   * execProgramRelease). */
  cached: bool = false;
}

class CacheEntry {
  constructor(readonly archive: usize, readonly size: u64, readonly program: BootProgram, readonly frames: u64) {}
  used: u64 = 0;
}

class ExecState {
  readonly cache: CacheEntry[] = [];
  cacheFrames: u64 = 0;
  clock: u64 = 0;
}
const state = new ExecState();

@inline function pageDown(value: u64): u64 { return value & ~(PAGE_SIZE - 1); }
@inline function pageUp(value: u64): u64 { return (value + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }

/** The program in regular file `node` of `fileSystem`, named `name`, under `policy` (the manifest
 * entry of the process that runs it: its quotas stay). `head` holds the file's first
 * `headLength` bytes (its first page, or all of a shorter file). Never aborts on the file's
 * contents: a refusal is Malformed, Truncated or NotPermitted (ENOEXEC), OutOfMemory. */
export function execProgram(fileSystem: Ramfs, node: Node, name: string, policy: ManifestProgram, head: usize, headLength: u64): ExecProgramResult {
  const result = new ExecProgramResult();
  const parsed = elfParse(head, headLength, ElfPolicy.Linux, node.size);
  if (parsed.image === null) {
    result.error = parsed.error;
    result.reason = parsed.reason;
    return result;
  }
  const image = parsed.image!;
  if (image.interpreter.length > 0) {
    result.interpreter = image.interpreter;
    return result;
  }
  if (node.archive != 0) {
    const entry = cacheFind(node.archive, node.size);
    if (entry !== null) {
      entry.used = ++state.clock;
      result.program = sharing(entry.program, name, policy);
      result.cached = true;
      return result;
    }
  }
  // Each segment's pages must sit at the same offset in the file as in memory (ELF's rule, which
  // Linux's mmap of the file enforces).
  let needed: u64 = 0;
  for (let i = 0; i < image.segments.length; i++) {
    const segment = image.segments[i];
    if ((segment.fileOffset & (PAGE_SIZE - 1)) != (segment.virtual & (PAGE_SIZE - 1))) {
      result.error = KernelError.Malformed;
      result.reason = "a segment's file offset and address differ within their page";
      return result;
    }
    const end = segment.writable ? segment.virtual + segment.fileSize : segment.virtual + segment.memorySize;
    if (end > segment.virtual) needed += (pageUp(end) - pageDown(segment.virtual)) / PAGE_SIZE;
  }
  if (framesFree() < needed + FRAMES_RESERVE) {
    result.error = KernelError.OutOfMemory;
    result.reason = "no frames for its " + needed.toString() + " pages";
    return result;
  }
  const program = new BootProgram(name, policy, 0, image);
  for (let i = 0; i < image.segments.length; i++) {
    const segment = image.segments[i];
    const frames: u64[] = [];
    const empty: u64[] = [];
    program.sharedFrames.push(segment.writable ? empty : frames);
    program.dataFrames.push(segment.writable ? frames : empty);
    const fileEnd = segment.virtual + segment.fileSize;
    const end = segment.writable ? fileEnd : segment.virtual + segment.memorySize;
    for (let page = pageDown(segment.virtual); page < end; page += PAGE_SIZE) {
      const frame = frameAllocateZeroed();
      if (frame == 0) abort("execProgram: frames counted were not there");
      frames.push(frame);
      const from = max(page, segment.virtual), to = min(page + PAGE_SIZE, fileEnd);
      if (from < to) {
        const read = fileSystem.read(node, segment.fileOffset + (from - segment.virtual), <usize>(frame + (from - page)), to - from);
        if (read != <i64>(to - from)) {   // the file changed under the exec: nothing is kept
          execProgramRelease(program);
          result.error = KernelError.Truncated;
          result.reason = "the file is shorter than its segments";
          return result;
        }
      }
    }
  }
  result.program = program;
  if (node.archive != 0 && needed <= CACHE_FRAMES_MAXIMUM / 4) {
    cacheInsert(new CacheEntry(node.archive, node.size, program, needed));
    result.program = sharing(program, name, policy);
    result.cached = true;
  }
  return result;
}

/** A program of `name` under `policy` mapping the cached `program`'s frames (each process keeps
 * its own manifest entry: its quotas). */
function sharing(program: BootProgram, name: string, policy: ManifestProgram): BootProgram {
  const copy = new BootProgram(name, policy, 0, program.image);
  copy.sharedFrames = program.sharedFrames;
  copy.dataFrames = program.dataFrames;
  return copy;
}

/** Drops the preparer's hold on an uncached program's frames (each process that maps them holds
 * its own). */
export function execProgramRelease(program: BootProgram): void {
  for (let i = 0; i < program.sharedFrames.length; i++) {
    const frames = program.sharedFrames[i];
    for (let p = 0; p < frames.length; p++) frameRelease(frames[p]);
    frames.length = 0;
  }
  for (let i = 0; i < program.dataFrames.length; i++) {
    const frames = program.dataFrames[i];
    for (let p = 0; p < frames.length; p++) frameRelease(frames[p]);
    frames.length = 0;
  }
}

/** The read-only pages an exec of `program` maps shared (what its process pays for when the
 * program is not cached). */
export function execProgramSharedPages(program: BootProgram): u64 {
  let pages: u64 = 0;
  for (let i = 0; i < program.sharedFrames.length; i++) pages += <u64>program.sharedFrames[i].length;
  return pages;
}

function cacheFind(archive: usize, size: u64): CacheEntry | null {
  for (let i = 0; i < state.cache.length; i++) {
    const entry = state.cache[i];
    if (entry.archive == archive && entry.size == size) return entry;
  }
  return null;
}

/** Keeps `entry`, first dropping the least recently used programs past the cache's bounds. */
function cacheInsert(entry: CacheEntry): void {
  entry.used = ++state.clock;
  while (state.cache.length > 0 && (state.cache.length >= CACHE_PROGRAMS || state.cacheFrames + entry.frames > CACHE_FRAMES_MAXIMUM)) {
    let oldest = 0;
    for (let i = 1; i < state.cache.length; i++) if (state.cache[i].used < state.cache[oldest].used) oldest = i;
    const evicted = state.cache[oldest];
    state.cache[oldest] = state.cache[state.cache.length - 1];
    state.cache.pop();
    state.cacheFrames -= evicted.frames;
    execProgramRelease(evicted.program);
  }
  state.cache.push(entry);
  state.cacheFrames += entry.frames;
}
