// The boot package: the programs GRUB loaded as multiboot2 modules (command line = program name)
// and the manifest module that says which exist and what each may hold (docs/abi/manifest.md).
// Each image is checked once here, at boot; a bad one is logged and left out, never a crash.
// The spawner looks programs up by name. Every module is also a file by its name (programs, the
// manifest, and data files such as userspace/files/, which are never run): BootFiles reads them
// (kernel/objects/boot-files.ts).

import { BootInformation } from "../boot/multiboot2";
import { kernelErrorName } from "../../abi/errors";
import { logEnd, LogLevel, logLine } from "../log/log";
import { frameAllocateZeroed } from "../memory/frames";
import { PAGE_SIZE } from "../memory/page-table";
import { ElfImage, elfParse, ElfPolicy } from "./elf";
import { linuxLayout, nativeLayout, ProcessLayout } from "./layout";
import { Manifest, ManifestProgram, manifestParse } from "./manifest";

export const MANIFEST_MODULE_NAME = "manifest";

/** One program ready to spawn: its manifest entry, its checked image, and one copy of each of
 * its read-only pages (text, rodata) that every process of it maps: copied once at boot, so a
 * spawn copies only writable pages, and TCG translates the code once, not per process. */
export class BootProgram {
  /** Per segment: its pages' frames when the segment is read-only, else an empty array. */
  sharedFrames: Array<u64[]> = [];
  /** A program loaded from a file (execve; loader/exec-program.ts, `imageAddress` 0): per
   * writable segment, the frames holding its file bytes in place (page-aligned as in memory),
   * copied into each process; else an empty array. */
  dataFrames: Array<u64[]> = [];
  /** Where Memory.map may not put a region in its processes (the loader's choice). */
  readonly layout: ProcessLayout;

  constructor(readonly name: string, readonly policy: ManifestProgram, readonly imageAddress: usize, readonly image: ElfImage) {
    this.layout = policy.linux ? linuxLayout() : nativeLayout();
  }

  /** Makes the shared copies; false when frames ran out (the program is then left out). */
  prepareShared(): bool {
    const segments = this.image.segments;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      const frames: u64[] = [];
      this.sharedFrames.push(frames);
      if (segment.writable) continue;
      const fileEnd = segment.virtual + segment.fileSize;
      for (let page = segment.virtual & ~(PAGE_SIZE - 1); page < segment.virtual + segment.memorySize; page += PAGE_SIZE) {
        const frame = frameAllocateZeroed();
        if (frame == 0) return false;
        frames.push(frame);
        const from = max(page, segment.virtual), to = min(page + PAGE_SIZE, fileEnd);
        if (from < to) {
          memory.copy(<usize>(frame + (from - page)), this.imageAddress + <usize>(segment.fileOffset + (from - segment.virtual)), <usize>(to - from));
        }
      }
    }
    return true;
  }
}

/** One module of the boot package as a read-only file: physical bytes GRUB loaded, kept out of
 * the frame allocator for good (memory/frames.ts). */
export class BootFile {
  constructor(readonly name: string, readonly address: usize, readonly size: u64) {}
}

/** The longest file name kept (abi/methods.ts BOOT_FILE_NAME_MAXIMUM). */
const FILE_NAME_MAXIMUM = 255;

class BootPackageState {
  programs: BootProgram[] = [];
  files: BootFile[] = [];
  manifest: Manifest | null = null;
}
const state = new BootPackageState();

/** Parses the manifest and every image it names; logs each problem. Returns the program to
 * start (init), or null when there is none (no manifest: a kernel without user space). */
export function bootPackageInit(information: BootInformation): BootProgram | null {
  const modules = information.modules;
  filesKeep(information);
  let manifestIndex = -1;
  for (let i = 0; i < modules.length; i++) if (modules[i].commandLine == MANIFEST_MODULE_NAME) manifestIndex = i;
  if (manifestIndex < 0) {
    if (modules.length > 0) warn("boot package: no manifest module; no program started");
    return null;
  }
  const manifestModule = modules[manifestIndex];
  const parsed = manifestParse(<usize>manifestModule.start, <u64>(manifestModule.end - manifestModule.start));
  const manifest = parsed.manifest;
  if (manifest === null) {
    warn("boot package: manifest rejected (" + kernelErrorName(parsed.error) + "): " + parsed.reason);
    return null;
  }
  state.manifest = manifest;
  let start: BootProgram | null = null;
  for (let p = 0; p < manifest.programs.length; p++) {
    const policy = manifest.programs[p];
    let found = -1;
    for (let i = 0; i < modules.length; i++) if (modules[i].commandLine == policy.name) found = i;
    if (found < 0) {
      warn("boot package: program '" + policy.name + "' is in the manifest but not on the boot medium");
      continue;
    }
    const module = modules[found];
    const result = elfParse(<usize>module.start, <u64>(module.end - module.start), policy.linux ? ElfPolicy.Linux : ElfPolicy.Native);
    const image = result.image;
    if (image === null) {
      warn("boot package: program '" + policy.name + "' rejected (" + kernelErrorName(result.error) + "): " + result.reason);
      continue;
    }
    if (image.interpreter.length != 0) {   // execve would say ENOENT: there is no file system to find it in yet
      warn("boot package: program '" + policy.name + "' left out: it is dynamically linked, and its interpreter " + image.interpreter
        + " is not in its namespace (ENOENT)");
      continue;
    }
    const program = new BootProgram(policy.name, policy, <usize>module.start, image);
    if (!program.prepareShared()) {
      warn("boot package: program '" + policy.name + "' left out: no memory for its read-only pages");
      continue;
    }
    state.programs.push(program);
    if (policy.startAtBoot) start = program;
  }
  logLine().text("boot package: ").decimal(state.programs.length).text(" programs");
  logEnd();
  return start;
}

/** The program called `name`, or null. */
export function bootProgramFind(name: string): BootProgram | null {
  for (let i = 0; i < state.programs.length; i++) if (state.programs[i].name == name) return state.programs[i];
  return null;
}

/** The program whose name is exactly the `length` bytes at `address` (names are ASCII, so a
 * byte compare is exact: no decoding can make other bytes match), or null. */
export function bootProgramFindBytes(address: usize, length: u32): BootProgram | null {
  for (let p = 0; p < state.programs.length; p++) if (nameIsBytes(state.programs[p].name, address, length)) return state.programs[p];
  return null;
}

/** Keeps every module as a file named by its command line: names of printable ASCII (so that a
 * byte compare with a caller's name is exact), at most FILE_NAME_MAXIMUM long, the first of
 * duplicates. Others are logged and left out. */
function filesKeep(information: BootInformation): void {
  const modules = information.modules;
  for (let i = 0; i < modules.length; i++) {
    const name = modules[i].commandLine;
    let printable = name.length > 0 && name.length <= FILE_NAME_MAXIMUM;
    for (let c = 0; c < name.length && printable; c++) printable = name.charCodeAt(c) > 0x20 && name.charCodeAt(c) < 0x7f;
    if (!printable) {
      warn("boot package: a module named '" + name + "' is no file (a name is 1.." + FILE_NAME_MAXIMUM.toString() + " printable ASCII bytes)");
      continue;
    }
    if (bootFileFind(name) !== null) {
      warn("boot package: a second module named '" + name + "' left out");
      continue;
    }
    state.files.push(new BootFile(name, <usize>modules[i].start, <u64>(modules[i].end - modules[i].start)));
  }
}

function bootFileFind(name: string): BootFile | null {
  for (let i = 0; i < state.files.length; i++) if (state.files[i].name == name) return state.files[i];
  return null;
}

/** The file whose name is exactly the `length` bytes at `address` (names are printable ASCII, so
 * a byte compare is exact), or null. */
export function bootFileFindBytes(address: usize, length: u32): BootFile | null {
  for (let f = 0; f < state.files.length; f++) if (nameIsBytes(state.files[f].name, address, length)) return state.files[f];
  return null;
}

/** Whether `name` is exactly the `length` bytes at `address`. */
function nameIsBytes(name: string, address: usize, length: u32): bool {
  if (<u32>name.length != length) return false;
  for (let i: u32 = 0; i < length; i++) if (<u32>load<u8>(address + <usize>i) != <u32>name.charCodeAt(<i32>i)) return false;
  return true;
}

function warn(message: string): void {
  logLine(LogLevel.Warning).text(message);
  logEnd();
}
