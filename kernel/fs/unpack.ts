// Builds a file system from an initrd (a cpio "newc" archive read by cpio.ts), as Linux's
// initramfs unpacking does: missing parent directories are made (mode 0755), a later entry
// replaces an earlier one of the same name (a directory over a directory only takes its
// attributes; a non-empty directory cannot be replaced: Malformed), hard links are joined, and
// file and link bytes stay in the archive (zero copy: its memory must stay reserved for the file
// system's life). Called at boot for the initrd module; tests/host/cpio.test.ts.

import { KernelError, kernelErrorName } from "../../abi/errors";
import { Quota } from "../memory/quota";
import { CpioEntry, CpioReader } from "./cpio";
import { Node, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from "./node";
import { FsClock, Ramfs, ramfsCreate } from "./ramfs";

/** What ramfsFromCpio made, or why not. */
export class RamfsBuild {
  error: KernelError = KernelError.None;
  /** Why the archive was refused, one line for the log; "" on success. */
  reason: string = "";
  fileSystem: Ramfs | null = null;
  /** Entries read. */
  entries: u32 = 0;
}

/** A regular file with c_nlink > 1, for the entries that name it again. */
class HardLink {
  constructor(readonly inode: u32, readonly devMajor: u32, readonly devMinor: u32, readonly node: Node) {}
}

/** The file system holding the `length`-byte archive at `address`, charged to `quota`; on any
 * refusal (the reader's errors, QuotaExceeded, OutOfMemory, TableFull, Malformed) nothing is left
 * charged. */
export function ramfsFromCpio(address: usize, length: u64, quota: Quota, clock: FsClock): RamfsBuild {
  const build = new RamfsBuild();
  const made = ramfsCreate(quota, clock);
  const fileSystem = made.fileSystem;
  if (fileSystem === null) return refused(build, made.error, "no room for the file system itself");
  ramfsAddCpio(build, fileSystem, address, length);
  if (build.error != KernelError.None) {
    fileSystem.destroy();
    fileSystem.dispose();
    return build;
  }
  build.fileSystem = fileSystem;
  return build;
}

/** Adds the entries of the `length`-byte archive at `address` to `fileSystem`, by the same rules
 * (a later entry replaces an earlier one of its name), into `build` (its error and reason; its
 * entries). Used for a second archive over the root file system (the test boots'
 * `test-initrd`). On a refusal the entries before the bad one stay added. */
export function ramfsAddCpio(build: RamfsBuild, fileSystem: Ramfs, address: usize, length: u64): void {
  const reader = new CpioReader(address, length);
  // Transient, not charged: at most one record per entry of the archive.
  const links = new Map<u32, HardLink[]>();
  while (reader.next()) {
    const error = addEntry(fileSystem, reader.entry, links);
    if (error != KernelError.None) {
      refused(build, error, "entry at offset " + reader.entry.offset.toString() + " (" + printable(reader.entry) + "): " + kernelErrorName(error));
      return;
    }
  }
  build.entries = reader.count;
  if (reader.error != KernelError.None) refused(build, reader.error, reader.reason);
}

/** Adds one checked entry. */
function addEntry(fileSystem: Ramfs, entry: CpioEntry, links: Map<u32, HardLink[]>): KernelError {
  const type = entry.mode & S_IFMT;
  // Walk (and make) the directories before the last component.
  let directory = fileSystem.root;
  let start: u32 = 0, lastStart: u32 = 0, lastLength: u32 = 0;
  const name = entry.name, length = entry.nameLength;
  for (let i: u32 = 0; i <= length; i++) {
    if (i < length && load<u8>(name + i) != 0x2f) continue;
    const componentLength = i - start;
    const component = name + start;
    start = i + 1;
    if (componentLength == 0 || (componentLength == 1 && load<u8>(component) == 0x2e)) continue;
    if (lastLength != 0) {   // the previous component is a directory on the way
      const step = stepInto(fileSystem, directory, name + lastStart, lastLength);
      if (step.error != KernelError.None) return step.error;
      directory = step.node!;
    }
    lastStart = <u32>(component - name);
    lastLength = componentLength;
  }
  const seconds = <i64>entry.mtime * 1_000_000_000;
  if (lastLength == 0) {   // the root itself
    if (type != S_IFDIR) return KernelError.Malformed;
    setAttributes(fileSystem, fileSystem.root, entry, seconds);
    return KernelError.None;
  }
  const last = name + lastStart;
  const existing = fileSystem.lookup(directory, last, lastLength).node;
  if (existing !== null) {
    if (existing.isDirectory && type == S_IFDIR) {
      setAttributes(fileSystem, existing, entry, seconds);
      return KernelError.None;
    }
    const error = existing.isDirectory ? fileSystem.rmdir(directory, last, lastLength) : fileSystem.unlink(directory, last, lastLength);
    if (error == KernelError.NotEmpty) return KernelError.Malformed;
    if (error != KernelError.None) return error;
  }
  // A further name of a hard-linked file: link, and take the data if this entry has it.
  if (type == S_IFREG && entry.links > 1) {
    const key = entry.inode;
    if (links.has(key)) {
      const list = links.get(key);
      for (let i = 0; i < list.length; i++) {
        const link = unchecked(list[i]);
        if (link.devMajor != entry.devMajor || link.devMinor != entry.devMinor || link.node.freed || link.node.links == 0) continue;
        const error = fileSystem.link(directory, last, lastLength, link.node);
        if (error != KernelError.None) return error;
        if (entry.dataLength != 0) {
          fileSystem.truncate(link.node, 0);   // archive-backed: drops the old bytes, never fails
          fileSystem.attachArchive(link.node, entry.data, entry.dataLength);
        }
        return KernelError.None;
      }
    }
  }
  let node: Node;
  if (type == S_IFLNK) {
    const made = fileSystem.symlinkArchive(directory, last, lastLength, entry.data, <u32>entry.dataLength);
    if (made.node === null) return made.error;
    node = made.node!;
  } else {
    const made = fileSystem.create(directory, last, lastLength, entry.mode, entry.rdevMajor, entry.rdevMinor);
    if (made.node === null) return made.error;
    node = made.node!;
    if (type == S_IFREG) fileSystem.attachArchive(node, entry.data, entry.dataLength);
  }
  setAttributes(fileSystem, node, entry, seconds);
  if (type == S_IFREG && entry.links > 1) {
    if (!links.has(entry.inode)) links.set(entry.inode, []);
    links.get(entry.inode).push(new HardLink(entry.inode, entry.devMajor, entry.devMinor, node));
  }
  return KernelError.None;
}

/** The directory `name` in `directory`, made (0755) when missing. */
function stepInto(fileSystem: Ramfs, directory: Node, name: usize, length: u32): StepResult {
  const result = new StepResult();
  const found = fileSystem.lookup(directory, name, length);
  let node = found.node;
  if (node === null) {
    const made = fileSystem.create(directory, name, length, S_IFDIR | 0o755);
    if (made.node === null) {
      result.error = made.error;
      return result;
    }
    node = made.node;
  }
  if (!node!.isDirectory) {
    result.error = KernelError.NotADirectory;
    return result;
  }
  result.node = node;
  return result;
}

class StepResult {
  error: KernelError = KernelError.None;
  node: Node | null = null;
}

function setAttributes(fileSystem: Ramfs, node: Node, entry: CpioEntry, time: i64): void {
  if ((entry.mode & S_IFMT) != S_IFLNK) fileSystem.setPermissions(node, entry.mode);
  fileSystem.setOwner(node, entry.uid, entry.gid);
  node.accessed = time;
  node.modified = time;
  node.changed = time;
}

/** The entry's name for a reason: bytes outside printable ASCII as '?', at most 64. */
function printable(entry: CpioEntry): string {
  let text = "/";
  const length = min<u32>(entry.nameLength, 64);
  for (let i: u32 = 0; i < length; i++) {
    const byte = load<u8>(entry.name + i);
    text += String.fromCharCode(byte >= 0x20 && byte < 0x7f ? byte : 0x3f);
  }
  return text;
}

function refused(build: RamfsBuild, error: KernelError, reason: string): RamfsBuild {
  build.error = error;
  build.reason = reason;
  return build;
}

