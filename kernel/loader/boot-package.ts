// The boot package: the programs, the manifest (docs/abi/manifest.md) and the data files GRUB
// loaded. They come as entries of cpio archive modules (boot-archive.ts checks them; the
// `package` module is the user's, `test-package` holds the test programs and data files and is
// loaded only for test runs, iso/grub.cfg), read in place; a plain module is a file too, named by
// its command line. The manifest says which programs exist and what each may hold. Each image is
// checked once here, at boot; a bad one is logged and left out, never a crash. The spawner looks
// programs up by name. Every file (programs, the manifest, data files such as userspace/files/,
// which are never run) can be read through BootFiles (kernel/objects/boot-files.ts).

import { BootInformation } from "../boot/multiboot2";
import { KernelError, kernelErrorName } from "../../abi/errors";
import { logEnd, LogLevel, logLine } from "../log/log";
import { frameAllocateZeroed } from "../memory/frames";
import { PAGE_SIZE } from "../memory/page-table";
import { bootArchiveRead } from "./boot-archive";
import { ElfImage, elfParse, ElfPolicy } from "./elf";
import { linuxLayout, nativeLayout, ProcessLayout } from "./layout";
import { Manifest, ManifestProgram, manifestParse } from "./manifest";

/** The manifest's file name. */
export const MANIFEST_FILE_NAME = "manifest";
/** The module holding the user's archive: the manifest and the programs a user boots with. */
export const PACKAGE_MODULE_NAME = "package";
/** The module holding the test programs' archive (and the data files they read). */
export const TEST_PACKAGE_MODULE_NAME = "test-package";

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

/** One file of the boot package, read-only: physical bytes GRUB loaded (a module, or an entry
 * inside an archive module), kept out of the frame allocator for good (memory/frames.ts). */
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
  const manifestFile = bootFileFind(MANIFEST_FILE_NAME);
  if (manifestFile === null) {
    if (modules.length > 0) warn("boot package: no manifest; no program started");
    return null;
  }
  const parsed = manifestParse(manifestFile.address, manifestFile.size);
  const manifest = parsed.manifest;
  if (manifest === null) {
    warn("boot package: manifest rejected (" + kernelErrorName(parsed.error) + "): " + parsed.reason);
    return null;
  }
  state.manifest = manifest;
  const testPackage = moduleFind(information, TEST_PACKAGE_MODULE_NAME) >= 0;
  let absent = 0;
  let start: BootProgram | null = null;
  for (let p = 0; p < manifest.programs.length; p++) {
    const policy = manifest.programs[p];
    const file = bootFileFind(policy.name);
    if (file === null) {
      // Without the test package most of the manifest's programs are absent by design.
      if (testPackage) warn("boot package: program '" + policy.name + "' is in the manifest but not on the boot medium");
      absent++;
      continue;
    }
    const result = elfParse(file.address, file.size, policy.linux ? ElfPolicy.Linux : ElfPolicy.Native);
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
    const program = new BootProgram(policy.name, policy, file.address, image);
    if (!program.prepareShared()) {
      warn("boot package: program '" + policy.name + "' left out: no memory for its read-only pages");
      continue;
    }
    state.programs.push(program);
    if (policy.startAtBoot) start = program;
  }
  const line = logLine().text("boot package: ").decimal(state.programs.length).text(" programs");
  if (absent > 0 && !testPackage) line.text(" (").decimal(absent).text(" more of the manifest not on the boot medium: no ").text(TEST_PACKAGE_MODULE_NAME).text(" module)");
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

/** Keeps the files: every plain module, named by its command line, then the entries of the
 * archive modules, `package` before `test-package` (so a test package never replaces a user's
 * program or manifest: the first of duplicate names is kept). Names are printable ASCII (so that
 * a byte compare with a caller's name is exact), at most FILE_NAME_MAXIMUM long. Others, and
 * refused archives, are logged and left out. */
function filesKeep(information: BootInformation): void {
  const modules = information.modules;
  for (let i = 0; i < modules.length; i++) {
    const name = modules[i].commandLine;
    if (name == PACKAGE_MODULE_NAME || name == TEST_PACKAGE_MODULE_NAME) continue;
    if (!nameIsPrintable(name)) {
      warn("boot package: a module named '" + name + "' is no file (a name is 1.." + FILE_NAME_MAXIMUM.toString() + " printable ASCII bytes)");
      continue;
    }
    fileKeep(new BootFile(name, <usize>modules[i].start, <u64>(modules[i].end - modules[i].start)));
  }
  archiveKeep(information, PACKAGE_MODULE_NAME);
  archiveKeep(information, TEST_PACKAGE_MODULE_NAME);
}

/** Keeps the entries of the archive module `moduleName` as files: all of them, or none when
 * the archive breaks a rule (boot-archive.ts). A second module of that name is left out. */
function archiveKeep(information: BootInformation, moduleName: string): void {
  const index = moduleFind(information, moduleName);
  if (index < 0) return;
  const modules = information.modules;
  for (let i = index + 1; i < modules.length; i++) {
    if (modules[i].commandLine == moduleName) warn("boot package: a second module named '" + moduleName + "' left out");
  }
  const module = modules[index];
  const length = <u64>(module.end - module.start);
  const read = bootArchiveRead(<usize>module.start, length);
  if (read.error != KernelError.None) {
    warn("boot package: archive '" + moduleName + "' refused (" + kernelErrorName(read.error) + "): " + read.reason);
    return;
  }
  const entries = read.entries;
  for (let i = 0; i < entries.length; i++) fileKeep(new BootFile(entries[i].name, entries[i].data, entries[i].length));
  logLine().text("boot package: ").text(moduleName).text(": ").decimal(entries.length).text(" files, ").decimal(length >> 10).text(" KiB");
  logEnd();
}

/** Keeps `file` unless one of its name is kept already (logged). */
function fileKeep(file: BootFile): void {
  if (bootFileFind(file.name) !== null) {
    warn("boot package: a second file named '" + file.name + "' left out");
    return;
  }
  state.files.push(file);
}

/** The index of the first module whose command line is `name`, or -1. */
function moduleFind(information: BootInformation, name: string): i32 {
  const modules = information.modules;
  for (let i = 0; i < modules.length; i++) if (modules[i].commandLine == name) return i;
  return -1;
}

/** Whether `name` is 1..FILE_NAME_MAXIMUM printable ASCII characters. */
function nameIsPrintable(name: string): bool {
  if (name.length == 0 || name.length > FILE_NAME_MAXIMUM) return false;
  for (let c = 0; c < name.length; c++) if (name.charCodeAt(c) <= 0x20 || name.charCodeAt(c) >= 0x7f) return false;
  return true;
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
