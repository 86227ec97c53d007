// The in-memory file system (docs/fs.md): a tree of nodes (node.ts) with directories
// (directory.ts) and sparse file data in frames (file-data.ts), charged to the Quota it was made
// with: each frame one page, each node, entry and table its heap bytes (memory/heap-cost.ts).
// Every operation validates its arguments, checks and charges everything it will need before it
// changes anything, and returns a KernelError (or a result with one): none aborts on any input.
// Names are bytes in kernel memory (address, length). Callers: path.ts, unpack.ts (the initrd),
// later the Linux personality and the file capabilities. Not thread-safe: one caller at a time.
// FIXME: work is proportional to the bytes and frames an operation touches, none of it in steps
// (docs/fs.md, "Not supported"): callers bound one call's length.

import { KernelError } from "../../abi/errors";
import { framesFree } from "../memory/frames";
import { instanceBytes, staticArrayBytes } from "../memory/heap-cost";
import { Quota } from "../memory/quota";
import { Directory, directoryBytes, entryBytes } from "./directory";
import { PAGE_SIZE, pagesNeeded, pagesPopulate, pagesRead, pagesTruncate, pagesWrite } from "./file-data";
import {
  FS_FILE_MAXIMUM, FS_NAME_MAXIMUM, FS_NODES_MAXIMUM, FS_SYMLINK_MAXIMUM, Node, NodeType, PERMISSION_BITS, S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, S_IFSOCK,
  S_IFREG,
} from "./node";

/** The clock a file system stamps times with: nanoseconds since the epoch. */
export type FsClock = () => i64;

/** A node, or why there is none. */
export class NodeResult {
  error: KernelError = KernelError.None;
  node: Node | null = null;
}

/** One readdir answer. `name` is valid until the file system changes: copy it out at once. */
export class DirectoryRecord {
  /** No entry at or after the cursor: the other fields are not meaningful. */
  end: bool = false;
  name: usize = 0;
  nameLength: u32 = 0;
  inode: u64 = 0;
  type: NodeType = NodeType.Regular;
  /** The cursor that continues after this entry. */
  next: u64 = 0;
}

/** The file system made by ramfsCreate, or why not. */
export class RamfsResult {
  error: KernelError = KernelError.None;
  fileSystem: Ramfs | null = null;
}

const DOTS = memory.data<u8>([0x2e, 0x2e]); // "." is its first byte, ".." both

class RamfsState {
  /** The next file system's id (Node.fileSystem). */
  nextId: u32 = 1;
}
const state = new RamfsState();

/** Heap bytes of a node of `type` with a target of `targetLength` bytes (symlink()). */
function nodeBytes(type: u32, targetLength: u32): u64 {
  let bytes = instanceBytes<Node>();
  if (type == S_IFDIR) bytes += directoryBytes();
  if (targetLength != 0) bytes += staticArrayBytes<u8>(<u64>targetLength);
  return bytes;
}

/** Whether `length` bytes at `name` are a valid entry name: 1..255 bytes, no '/' or NUL, not "."
 * or "..". InvalidArgument or NameTooLong otherwise. */
export function nameCheck(name: usize, length: u32): KernelError {
  if (length == 0) return KernelError.InvalidArgument;
  if (length > FS_NAME_MAXIMUM) return KernelError.NameTooLong;
  for (let i: u32 = 0; i < length; i++) {
    const byte = load<u8>(name + i);
    if (byte == 0x2f || byte == 0) return KernelError.InvalidArgument;
  }
  if (load<u8>(name) == 0x2e && (length == 1 || (length == 2 && load<u8>(name + 1) == 0x2e))) return KernelError.InvalidArgument;
  return KernelError.None;
}

/** A new file system of one empty root directory (mode 0755, inode 1), charged to `quota` (the
 * file system holds a reference to it until destroyed); QuotaExceeded or OutOfMemory. */
export function ramfsCreate(quota: Quota, clock: FsClock): RamfsResult {
  const result = new RamfsResult();
  const bytes = instanceBytes<Ramfs>() + nodeBytes(S_IFDIR, 0);
  const error = quota.kernelFits(bytes);
  if (error != KernelError.None) {
    result.error = error;
    return result;
  }
  quota.chargeKernel(bytes);
  quota.retain();
  result.fileSystem = new Ramfs(quota, clock, state.nextId++);
  return result;
}

export class Ramfs {
  /** The root directory (its parent is itself). */
  root: Node;
  /** Nodes alive (not freed), the root included. */
  nodes: u32 = 0;
  /** Frames held by every file's data, each charged one page to the quota. */
  frames: u64 = 0;
  /** Heap bytes charged now, the file system's own record included. */
  kernelBytes: u64 = 0;
  /** The most heap bytes it may hold (setHeapLimit): the quota pays for them, and this keeps one
   * file system from taking the whole heap budget every quota shares. No limit by default. */
  heapLimit: u64 = u64.MAX_VALUE;
  /** The directory another file system is seen at (mount-point.ts), or null: resolve hands the
   * rest of a path that enters it over (fs/path.ts, Resolution.crossed). */
  mountPoint: Node | null = null;
  private nextInode: u64 = 1;
  private destroyed: bool = false;

  /** Use ramfsCreate, which charges the record and the root. */
  constructor(readonly quota: Quota, readonly clock: FsClock, readonly id: u32) {
    this.root = new Node();   // replaced at once: makeNode needs `this` whole
    this.kernelBytes = instanceBytes<Ramfs>() + nodeBytes(S_IFDIR, 0);
    const root = this.makeNode(S_IFDIR | 0o755, 0);
    root.parent = root;
    this.root = root;
  }

  /** The clock's time (a function-typed field is called through a local). */
  private now(): i64 {
    const clock = this.clock;
    return clock();
  }

  // --- charges ----------------------------------------------------------------------------------

  /** Whether `bytes` of heap and `pages` frames may be charged now. */
  private fits(bytes: u64, pages: u64): KernelError {
    if (bytes > this.heapLimit - min(this.kernelBytes, this.heapLimit)) return KernelError.QuotaExceeded;
    const error = this.quota.kernelFits(bytes, pages);
    if (error != KernelError.None) return error;
    return pages > framesFree() ? KernelError.OutOfMemory : KernelError.None;
  }
  private chargeBytes(bytes: u64): void {
    this.quota.chargeKernel(bytes);
    this.kernelBytes += bytes;
  }
  private unchargeBytes(bytes: u64): void {
    this.quota.unchargeKernel(bytes);
    this.kernelBytes -= bytes;
  }
  private unchargeFrames(frames: u64): void {
    this.quota.uncharge(frames);
    this.frames -= frames;
  }

  /** A node of `mode` (charged by the caller: nodeBytes), 1 link, times now. */
  private makeNode(mode: u32, targetLength: u32): Node {
    const node = new Node();
    node.inode = this.nextInode++;
    node.mode = mode;
    node.fileSystem = this.id;
    node.links = (mode & S_IFMT) == S_IFDIR ? 2 : 1;
    const now = this.now();
    node.accessed = now;
    node.modified = now;
    node.changed = now;
    if ((mode & S_IFMT) == S_IFDIR) node.directory = new Directory();
    node.chargedBytes = nodeBytes(mode & S_IFMT, targetLength);
    this.nodes++;
    return node;
  }

  /** Frees `node` once nothing names or holds it: its frames and charges go back. */
  private release(node: Node): void {
    if (node.links != 0 || node.opened != 0 || node.freed) return;
    const freed = pagesTruncate(node, 0);
    this.unchargeFrames(freed);
    if (node.frames != 0) abort("Ramfs.release: frames left in a freed file");
    const directory = node.directory;
    if (directory !== null) {
      if (directory.count != 0) abort("Ramfs.release: a directory freed with entries");
      this.unchargeBytes(directory.tableBytes());
      node.directory = null;
    }
    this.unchargeBytes(node.chargedBytes);
    node.chargedBytes = 0;
    node.archive = 0;
    node.target = null;
    node.parent = null;
    node.freed = true;
    this.nodes--;
  }

  /** Stamps a change of `directory`'s entries. */
  private touchDirectory(directory: Node): void {
    const now = this.now();
    directory.modified = now;
    directory.changed = now;
  }

  /** None when `directory` is a live directory of this file system. */
  private directoryCheck(directory: Node): KernelError {
    if (directory.fileSystem != this.id || directory.freed) return KernelError.InvalidArgument;
    if (!directory.isDirectory) return KernelError.NotADirectory;
    return KernelError.None;
  }

  /** Limits the heap bytes the file system may hold from now on (what it holds already stays):
   * past it, what would add a node, an entry or a table says QuotaExceeded. */
  setHeapLimit(bytes: u64): void {
    this.heapLimit = bytes;
  }

  // --- names ------------------------------------------------------------------------------------

  /** The node named `name` in `directory`; "." and ".." name the directory and its parent.
   * NotADirectory, NotFound (no such entry, or the directory was removed), InvalidArgument or
   * NameTooLong for a bad name. */
  lookup(directory: Node, name: usize, length: u32): NodeResult {
    const result = new NodeResult();
    let error = this.directoryCheck(directory);
    if (error == KernelError.None && directory.links == 0) error = KernelError.NotFound;
    if (error == KernelError.None && length != 0 && length <= 2 && memory.compare(name, DOTS, length) == 0) {
      result.node = length == 1 ? directory : directory.parent;
      return result;
    }
    if (error == KernelError.None) error = nameCheck(name, length);
    if (error != KernelError.None) {
      result.error = error;
      return result;
    }
    const index = directory.directory!.find(name, length);
    if (index < 0) result.error = KernelError.NotFound;
    else result.node = directory.directory!.at(index).node;
    return result;
  }

  /** Why `name` cannot be added to `directory` (None when it can). */
  private addCheck(directory: Node, name: usize, length: u32): KernelError {
    let error = this.directoryCheck(directory);
    if (error != KernelError.None) return error;
    error = nameCheck(name, length);
    if (error != KernelError.None) return error;
    if (directory.links == 0) return KernelError.NotFound;   // removed, still open
    if (directory.directory!.find(name, length) >= 0) return KernelError.Exists;
    return KernelError.None;
  }

  /** Adds an entry and its charge (checked and fitted by the caller). */
  private addEntry(directory: Node, name: usize, length: u32, node: Node): void {
    const table = directory.directory!;
    this.chargeBytes(entryBytes(length) + table.growthBytes());
    table.add(name, length, node);
    this.touchDirectory(directory);
  }

  /** Removes entry `index` of `directory` and its charge. */
  private removeEntry(directory: Node, index: i32): void {
    const table = directory.directory!;
    this.unchargeBytes(entryBytes(<u32>table.at(index).name.length));
    table.removeAt(index);
    this.touchDirectory(directory);
  }

  /** Makes a regular file, a directory or a character device (by `mode`'s type; its permission
   * bits kept) named `name` in `directory`. A device keeps its number (rdevMajor, rdevMinor).
   * Exists, NotADirectory, NotFound (a removed directory), InvalidArgument (a bad name or type),
   * NameTooLong, TableFull (FS_NODES_MAXIMUM nodes), QuotaExceeded, OutOfMemory. */
  create(directory: Node, name: usize, length: u32, mode: u32, rdevMajor: u32 = 0, rdevMinor: u32 = 0): NodeResult {
    const result = new NodeResult();
    const type = mode & S_IFMT;
    let error = type == S_IFREG || type == S_IFDIR || type == S_IFCHR || type == S_IFSOCK ? this.addCheck(directory, name, length) : KernelError.InvalidArgument;
    if (error == KernelError.None) error = this.nodeFits(directory, length, nodeBytes(type, 0));
    if (error != KernelError.None) {
      result.error = error;
      return result;
    }
    this.chargeBytes(nodeBytes(type, 0));
    const node = this.makeNode(type | (mode & PERMISSION_BITS), 0);
    if (type == S_IFCHR) {
      node.rdevMajor = rdevMajor;
      node.rdevMinor = rdevMinor;
    }
    if (type == S_IFDIR) {
      node.parent = directory;
      directory.links++;
    }
    this.addEntry(directory, name, length, node);
    result.node = node;
    return result;
  }

  /** Makes a symbolic link named `name` in `directory` to the `targetLength` bytes at `target`
   * (1..4095 bytes, no NUL; copied), mode 0777. Errors as create's; InvalidArgument or
   * NameTooLong for a bad target. */
  symlink(directory: Node, name: usize, length: u32, target: usize, targetLength: u32): NodeResult {
    const result = new NodeResult();
    let error = this.addCheck(directory, name, length);
    if (error == KernelError.None) error = targetCheck(target, targetLength);
    const bytes = nodeBytes(S_IFLNK, targetLength);
    if (error == KernelError.None) error = this.nodeFits(directory, length, bytes);
    if (error != KernelError.None) {
      result.error = error;
      return result;
    }
    this.chargeBytes(bytes);
    const node = this.makeNode(S_IFLNK | 0o777, targetLength);
    const copy = new StaticArray<u8>(<i32>targetLength);
    memory.copy(changetype<usize>(copy), target, targetLength);
    node.target = copy;
    node.size = targetLength;
    this.addEntry(directory, name, length, node);
    result.node = node;
    return result;
  }

  /** Whether a node of `bytes` and its entry of `length` bytes in `directory` fit. */
  private nodeFits(directory: Node, length: u32, bytes: u64): KernelError {
    if (this.nodes >= FS_NODES_MAXIMUM) return KernelError.TableFull;
    return this.fits(bytes + entryBytes(length) + directory.directory!.growthBytes(), 0);
  }

  /** A hard link: `name` in `directory` names `node` too. NotPermitted for a directory (as
   * Linux's EPERM), CrossDevice for a node of another file system, NotFound for a node no longer
   * linked anywhere, and the add errors of create. */
  link(directory: Node, name: usize, length: u32, node: Node): KernelError {
    if (node.freed) return KernelError.InvalidArgument;
    if (node.fileSystem != this.id) return KernelError.CrossDevice;
    if (node.isDirectory) return KernelError.NotPermitted;
    let error = this.addCheck(directory, name, length);
    if (error == KernelError.None && node.links == 0) error = KernelError.NotFound;
    if (error == KernelError.None) error = this.fits(entryBytes(length) + directory.directory!.growthBytes(), 0);
    if (error != KernelError.None) return error;
    this.addEntry(directory, name, length, node);
    node.links++;
    node.changed = this.now();
    return KernelError.None;
  }

  /** Removes the entry `name` of `directory`, which must not name a directory (IsADirectory);
   * the node goes when no name and no opener is left. NotFound, NotADirectory, InvalidArgument,
   * NameTooLong. */
  unlink(directory: Node, name: usize, length: u32): KernelError {
    const index = this.entryIndex(directory, name, length);
    if (index < 0) return <KernelError>(-index);
    const node = directory.directory!.at(index).node;
    if (node.isDirectory) return KernelError.IsADirectory;
    this.removeEntry(directory, index);
    node.links--;
    node.changed = this.now();
    this.release(node);
    return KernelError.None;
  }

  /** Removes the empty directory `name` of `directory`. NotADirectory (not a directory),
   * NotEmpty, and lookup's errors; "." and ".." are InvalidArgument. */
  rmdir(directory: Node, name: usize, length: u32): KernelError {
    const index = this.entryIndex(directory, name, length);
    if (index < 0) return <KernelError>(-index);
    const node = directory.directory!.at(index).node;
    if (!node.isDirectory) return KernelError.NotADirectory;
    if (node.directory!.count != 0) return KernelError.NotEmpty;
    this.removeEntry(directory, index);
    directory.links--;   // the child's ".."
    node.links = 0;
    node.changed = this.now();
    this.release(node);
    return KernelError.None;
  }

  /** The index of entry `name` of `directory`, or -KernelError. */
  private entryIndex(directory: Node, name: usize, length: u32): i32 {
    let error = this.directoryCheck(directory);
    if (error == KernelError.None) error = nameCheck(name, length);
    if (error != KernelError.None) return -(<i32>error);
    const index = directory.directory!.find(name, length);
    return index >= 0 ? index : -(<i32>KernelError.NotFound);
  }

  /** POSIX rename: the entry `fromName` of `fromDirectory` becomes `toName` of `toDirectory`,
   * replacing what that names: a non-directory by a non-directory (else IsADirectory), an empty
   * directory by a directory (else NotADirectory, NotEmpty). Two names of the same node: nothing
   * happens. A directory cannot move into itself or below (InvalidArgument). CrossDevice between
   * file systems; NotFound, NotADirectory, InvalidArgument and NameTooLong for the names;
   * QuotaExceeded or OutOfMemory when the new entry cannot be charged. */
  rename(fromDirectory: Node, fromName: usize, fromLength: u32, toDirectory: Node, toName: usize, toLength: u32): KernelError {
    if (toDirectory.fileSystem != this.id) return KernelError.CrossDevice;
    const fromIndex = this.entryIndex(fromDirectory, fromName, fromLength);
    if (fromIndex < 0) return <KernelError>(-fromIndex);
    let error = this.directoryCheck(toDirectory);
    if (error == KernelError.None) error = nameCheck(toName, toLength);
    if (error != KernelError.None) return error;
    if (toDirectory.links == 0) return KernelError.NotFound;
    const node = fromDirectory.directory!.at(fromIndex).node;
    const toTable = toDirectory.directory!;
    const toIndex = toTable.find(toName, toLength);
    const replaced = toIndex >= 0 ? toTable.at(toIndex).node : null;
    if (replaced === node) return KernelError.None;
    if (node.isDirectory) {
      // toDirectory must not be node or below it.
      for (let up = toDirectory; ; up = up.parent!) {
        if (up === node) return KernelError.InvalidArgument;
        if (up.parent === up) break;
      }
    }
    if (replaced !== null) {
      if (node.isDirectory && !replaced.isDirectory) return KernelError.NotADirectory;
      if (!node.isDirectory && replaced.isDirectory) return KernelError.IsADirectory;
      if (replaced.isDirectory && replaced.directory!.count != 0) return KernelError.NotEmpty;
    } else {
      error = this.fits(entryBytes(toLength) + toTable.growthBytes(), 0);
      if (error != KernelError.None) return error;
    }
    // Nothing fails from here on.
    if (replaced !== null) {
      toTable.at(toIndex).node = node;
      this.touchDirectory(toDirectory);
      if (replaced.isDirectory) {
        replaced.links = 0;
        toDirectory.links--;   // its ".."
      } else {
        replaced.links--;
      }
      replaced.changed = this.now();
    } else {
      this.addEntry(toDirectory, toName, toLength, node);
    }
    // The old entry: adding to the same directory never moves the ones before it.
    this.removeEntry(fromDirectory, fromDirectory.directory!.find(fromName, fromLength));
    if (node.isDirectory && fromDirectory !== toDirectory) {
      fromDirectory.links--;
      toDirectory.links++;
      node.parent = toDirectory;
    }
    node.changed = this.now();
    if (replaced !== null) this.release(replaced);
    return KernelError.None;
  }

  /** Whether directory `node` is `ancestor` or inside it (following parents; O(depth)). Only
   * directories know their parent: any other node is inside only when it is `ancestor`. */
  contains(ancestor: Node, node: Node): bool {
    if (node.fileSystem != ancestor.fileSystem || node.freed) return false;
    let up = node;
    while (true) {
      if (up === ancestor) return true;
      const parent = up.parent;
      if (parent === null || parent === up) return false;
      up = parent;
    }
  }

  // --- opening ----------------------------------------------------------------------------------

  /** One more holder of `node`: it stays (readable, writable) while held, even once unlinked. */
  open(node: Node): void {
    if (node.freed) abort("Ramfs.open: a freed node");
    node.opened++;
  }

  /** Drops a holder; the last of an unlinked node frees it. */
  close(node: Node): void {
    if (node.opened == 0) abort("Ramfs.close: a node not open");
    node.opened--;
    this.release(node);
  }

  // --- data -------------------------------------------------------------------------------------

  /** Copies up to `length` bytes of regular file `node` from `offset` to kernel memory at
   * `destination` (which the caller guarantees); returns the bytes copied (0 at or past the end)
   * or -IsADirectory, -InvalidArgument (not a regular file). Holes read as zeros. */
  read(node: Node, offset: u64, destination: usize, length: u64): i64 {
    if (node.freed) return -(<i64>KernelError.InvalidArgument);
    if (node.isDirectory) return -(<i64>KernelError.IsADirectory);
    if (!node.isRegular) return -(<i64>KernelError.InvalidArgument);
    if (offset >= node.size) return 0;
    const count = min(length, node.size - offset);
    if (node.archive != 0) memory.copy(destination, node.archive + <usize>offset, <usize>count);
    else pagesRead(node, offset, destination, count);
    return <i64>count;
  }

  /** Copies `length` bytes from kernel memory at `source` into regular file `node` at `offset`,
   * growing it (the gap, if any, a hole); returns `length` or -error: IsADirectory,
   * InvalidArgument (not a regular file), FileTooBig (past FS_FILE_MAXIMUM), QuotaExceeded or
   * OutOfMemory (then nothing changed). A file still backed by the archive is copied first. */
  write(node: Node, offset: u64, source: usize, length: u64): i64 {
    if (node.freed) return -(<i64>KernelError.InvalidArgument);
    if (node.isDirectory) return -(<i64>KernelError.IsADirectory);
    if (!node.isRegular) return -(<i64>KernelError.InvalidArgument);
    if (length == 0) return 0;
    if (offset > FS_FILE_MAXIMUM || length > FS_FILE_MAXIMUM - offset) return -(<i64>KernelError.FileTooBig);
    const archive = node.archive;
    if (archive != 0) {
      const error = this.ownData(node);
      if (error != KernelError.None) return -(<i64>error);
    }
    const end = offset + length;
    const first = offset / PAGE_SIZE, last = (end + PAGE_SIZE - 1) / PAGE_SIZE;
    const error = this.populate(node, first, last);
    if (error != KernelError.None) {
      if (archive != 0) {   // back to the archive's bytes: nothing changed
        this.unchargeFrames(pagesTruncate(node, 0));
        node.archive = archive;
      }
      return -(<i64>error);
    }
    pagesWrite(node, offset, source, length);
    if (end > node.size) node.size = end;
    const now = this.now();
    node.modified = now;
    node.changed = now;
    return <i64>length;
  }

  /** Sets regular file `node`'s size: bytes past it go, a growth reads as zeros (a hole).
   * IsADirectory, InvalidArgument (not a regular file), FileTooBig, QuotaExceeded or OutOfMemory
   * (copying a file still backed by the archive; then nothing changed). */
  truncate(node: Node, size: u64): KernelError {
    if (node.freed) return KernelError.InvalidArgument;
    if (node.isDirectory) return KernelError.IsADirectory;
    if (!node.isRegular) return KernelError.InvalidArgument;
    if (size > FS_FILE_MAXIMUM) return KernelError.FileTooBig;
    if (node.archive != 0) {
      if (size == 0) node.archive = 0;
      else {
        const error = this.ownData(node);
        if (error != KernelError.None) return error;
      }
    }
    if (size < node.size) this.unchargeFrames(pagesTruncate(node, size));
    node.size = size;
    const now = this.now();
    node.modified = now;
    node.changed = now;
    return KernelError.None;
  }

  /** Allocates and charges the frames of pages [first, end) of `node` that are missing. */
  private populate(node: Node, first: u64, end: u64): KernelError {
    const needed = pagesNeeded(node, first, end);
    if (needed == 0) return KernelError.None;
    const error = this.fits(0, needed);
    if (error != KernelError.None) return error;
    this.quota.charge(needed);
    this.frames += needed;
    const before = node.frames;
    const complete = pagesPopulate(node, first, end);
    const taken = node.frames - before;
    if (taken > needed) abort("Ramfs.populate: more frames than counted");
    this.unchargeFrames(needed - taken);
    return complete ? KernelError.None : KernelError.OutOfMemory;
  }

  /** Copies an archive-backed file into owned frames (nothing changes when that fails). */
  private ownData(node: Node): KernelError {
    const archive = node.archive;
    node.archive = 0;
    const error = this.populate(node, 0, (node.size + PAGE_SIZE - 1) / PAGE_SIZE);
    if (error != KernelError.None) {
      this.unchargeFrames(pagesTruncate(node, 0));
      node.archive = archive;
      return error;
    }
    pagesWrite(node, 0, archive, node.size);
    return KernelError.None;
  }

  /** Makes regular file `node` (owning no frames) read its `length` bytes from the archive at
   * `address`, which must stay in memory as long as the file system (unpack.ts). */
  attachArchive(node: Node, address: usize, length: u64): void {
    if (!node.isRegular || node.frames != 0) abort("Ramfs.attachArchive: not an empty regular file");
    node.archive = length != 0 ? address : 0;
    node.size = length;
  }

  /** symlink() whose target stays in the archive (zero copy: unpack.ts), which must stay in
   * memory as long as the file system. */
  symlinkArchive(directory: Node, name: usize, length: u32, target: usize, targetLength: u32): NodeResult {
    const result = new NodeResult();
    let error = this.addCheck(directory, name, length);
    if (error == KernelError.None) error = targetCheck(target, targetLength);
    const bytes = nodeBytes(S_IFLNK, 0);
    if (error == KernelError.None) error = this.nodeFits(directory, length, bytes);
    if (error != KernelError.None) {
      result.error = error;
      return result;
    }
    this.chargeBytes(bytes);
    const node = this.makeNode(S_IFLNK | 0o777, 0);
    node.archive = target;
    node.size = targetLength;
    this.addEntry(directory, name, length, node);
    result.node = node;
    return result;
  }

  /** Copies symbolic link `node`'s target (at most `capacity` bytes, no NUL added) to
   * `destination`; the bytes copied, or -InvalidArgument when `node` is not a symbolic link. */
  readlink(node: Node, destination: usize, capacity: u64): i64 {
    if (node.freed || !node.isSymbolicLink) return -(<i64>KernelError.InvalidArgument);
    const count = min(capacity, node.size);
    memory.copy(destination, node.targetAddress(), <usize>count);
    return <i64>count;
  }

  // --- directories ------------------------------------------------------------------------------

  /** The entry of `directory` at `cursor` (0 to start): "." (cursor 0), ".." (1), then the
   * entries in the order they were added; `record.next` continues. Entries added during a walk
   * come later, removed ones are skipped, none comes twice. A removed directory has none.
   * NotADirectory, InvalidArgument (a freed node). */
  readdir(directory: Node, cursor: u64, record: DirectoryRecord): KernelError {
    const error = this.directoryCheck(directory);
    if (error != KernelError.None) return error;
    record.end = false;
    if (directory.links == 0) {
      record.end = true;
      return KernelError.None;
    }
    if (cursor < 2) {
      record.name = DOTS;
      record.nameLength = <u32>cursor + 1;
      const node = cursor == 0 ? directory : directory.parent!;
      record.inode = node.inode;
      record.type = NodeType.Directory;
      record.next = cursor + 1;
      return KernelError.None;
    }
    const table = directory.directory!;
    const index = table.indexFrom(cursor);
    if (index >= table.count) {
      record.end = true;
      return KernelError.None;
    }
    const entry = table.at(index);
    record.name = changetype<usize>(entry.name);
    record.nameLength = <u32>entry.name.length;
    record.inode = entry.node.inode;
    record.type = entry.node.type;
    record.next = entry.serial + 1;
    return KernelError.None;
  }

  // --- attributes -------------------------------------------------------------------------------

  /** chmod: the permission bits (07777) of `node`. */
  setPermissions(node: Node, permissions: u32): void {
    node.mode = (node.mode & S_IFMT) | (permissions & PERMISSION_BITS);
    node.changed = this.now();
  }

  /** chown. */
  setOwner(node: Node, uid: u32, gid: u32): void {
    node.uid = uid;
    node.gid = gid;
    node.changed = this.now();
  }

  /** utimensat: access and modification times in ns. */
  setTimes(node: Node, accessed: i64, modified: i64): void {
    node.accessed = accessed;
    node.modified = modified;
    node.changed = this.now();
  }

  // --- the whole ----------------------------------------------------------------------------------

  /** Removes every entry and the root, iteratively (depth is unbounded). Nodes still open are
   * freed by their last close; then dispose() gives back the rest. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    let directory = this.root;
    while (true) {
      const table = directory.directory!;
      if (table.count != 0) {
        const last = table.count - 1;
        const node = table.at(last).node;
        if (node.isDirectory && node.directory!.count != 0) {
          directory = node;
          continue;
        }
        this.removeEntry(directory, last);
        if (node.isDirectory) {
          directory.links--;
          node.links = 0;
        } else {
          node.links--;
        }
        this.release(node);
        continue;
      }
      if (directory === this.root) break;
      directory = directory.parent!;
    }
    this.root.links = 0;
    this.release(this.root);
  }

  /** Gives back the file system record's own charge and the quota reference; the caller
   * destroyed it and closed every node (else a charge would outlive the quota reference). */
  dispose(): void {
    if (!this.destroyed || this.nodes != 0) abort("Ramfs.dispose: nodes remain");
    this.unchargeBytes(instanceBytes<Ramfs>());
    this.quota.release();
  }
}

/** Whether `length` bytes at `target` may be a symbolic link's target. */
export function targetCheck(target: usize, length: u32): KernelError {
  if (length == 0) return KernelError.InvalidArgument;
  if (length > FS_SYMLINK_MAXIMUM) return KernelError.NameTooLong;
  for (let i: u32 = 0; i < length; i++) if (load<u8>(target + i) == 0) return KernelError.InvalidArgument;
  return KernelError.None;
}
