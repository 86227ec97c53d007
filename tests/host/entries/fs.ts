// Host-test entry for the file system layer (kernel/fs/): cpio.ts's reader, ramfs.ts's
// operations, unpack.ts's ramfsFromCpio and path.ts's resolve, driven by tests/host/cpio.test.ts,
// ramfs.test.ts and path.test.ts through flat exports. Nodes are handed out as handles (indexes
// into a table here, which keeps them alive for the garbage collector); names and data pass
// through a scratch buffer the tests write into. setup() boots the kernel's memory over a region
// of the wasm memory (tests/host/entries/boot-memory.ts) so files get real frames.

import { KernelError } from "../../../abi/errors";
import { BootInformation } from "../../../kernel/boot/multiboot2";
import { logSetLevel } from "../../../kernel/log/log";
import { framesFree as kernelFramesFree } from "../../../kernel/memory/frames";
import { heapBudgetSet, heapReserved as kernelHeapReserved, Quota } from "../../../kernel/memory/quota";
import { CpioReader } from "../../../kernel/fs/cpio";
import { Node } from "../../../kernel/fs/node";
import { resolve as fsResolve, Resolution } from "../../../kernel/fs/path";
import { DirectoryRecord, NodeResult, Ramfs, ramfsCreate } from "../../../kernel/fs/ramfs";
import { ramfsFromCpio, RamfsBuild } from "../../../kernel/fs/unpack";
import { devicesCreate } from "../../../kernel/fs/devices";
import { bootMemory } from "./boot-memory";

export { bootTablesAddress } from "./boot-memory";
export { memoryEnd, reserveTop } from "./top-of-memory";

class World {
  quotas: Quota[] = [];
  systems: (Ramfs | null)[] = [];
  nodes: Node[] = [];
  record: DirectoryRecord = new DirectoryRecord();
  resolution: Resolution = new Resolution();
  build: RamfsBuild = new RamfsBuild();
  reader: CpioReader | null = null;
  scratch: usize = 0;
  time: i64 = 1_000_000_000;
}
const world = new World();

function clock(): i64 { return world.time; }
export function setTime(time: i64): void { world.time = time; }

/** Boots the kernel's memory over [regionStart, regionEnd) and makes a 1 MiB scratch buffer;
 * returns the frames free. */
export function setup(regionStart: u32, regionEnd: u32): u64 {
  logSetLevel("error");
  bootMemory(regionStart, regionEnd, new BootInformation());
  heapBudgetSet(<u64>1 << 30);
  world.scratch = heap.alloc(1 << 20);
  return kernelFramesFree();
}
export function scratch(): usize { return world.scratch; }
export function setBudget(bytes: u64): void { heapBudgetSet(bytes); }
export function framesFree(): u64 { return kernelFramesFree(); }
export function heapReserved(): u64 { return kernelHeapReserved(); }

export function quotaCreate(pages: u64): i32 {
  world.quotas.push(new Quota(pages));
  return world.quotas.length - 1;
}
export function quotaUsed(quota: i32): u64 { return world.quotas[quota].used; }
export function quotaKernelBytes(quota: i32): u64 { return world.quotas[quota].kernelBytes; }

function handle(node: Node): i32 {
  const index = world.nodes.indexOf(node);
  if (index >= 0) return index;
  world.nodes.push(node);
  return world.nodes.length - 1;
}
function nodeResult(result: NodeResult): i32 {
  return result.node !== null ? handle(result.node!) : -(<i32>result.error);
}
function fs(index: i32): Ramfs { return world.systems[index]!; }
function node(index: i32): Node { return world.nodes[index]; }

/** A new file system: its index, or -error. */
export function create(quota: i32): i32 {
  const made = ramfsCreate(world.quotas[quota], clock);
  if (made.fileSystem === null) return -(<i32>made.error);
  world.systems.push(made.fileSystem);
  return world.systems.length - 1;
}
/** A file system from an archive: its index, or -error (buildReason() says why). */
export function fromCpio(address: usize, length: u64, quota: i32): i32 {
  world.build = ramfsFromCpio(address, length, world.quotas[quota], clock);
  if (world.build.fileSystem === null) return -(<i32>world.build.error);
  world.systems.push(world.build.fileSystem);
  return world.systems.length - 1;
}
export function buildReason(): string { return world.build.reason; }
export function buildEntries(): u32 { return world.build.entries; }

export function root(system: i32): i32 { return handle(fs(system).root); }
export function nodes(system: i32): u32 { return fs(system).nodes; }
export function frames(system: i32): u64 { return fs(system).frames; }
export function kernelBytes(system: i32): u64 { return fs(system).kernelBytes; }
export function destroy(system: i32): void { fs(system).destroy(); }
export function dispose(system: i32): void {
  fs(system).dispose();
  world.systems[system] = null;
}
/** Forgets every handle (so freed nodes can be collected). */
export function forget(): void { world.nodes = []; }

export function lookup(system: i32, directory: i32, name: usize, length: u32): i32 {
  return nodeResult(fs(system).lookup(node(directory), name, length));
}
export function makeNode(system: i32, directory: i32, name: usize, length: u32, mode: u32, major: u32, minor: u32): i32 {
  return nodeResult(fs(system).create(node(directory), name, length, mode, major, minor));
}
export function symlink(system: i32, directory: i32, name: usize, length: u32, target: usize, targetLength: u32): i32 {
  return nodeResult(fs(system).symlink(node(directory), name, length, target, targetLength));
}
export function link(system: i32, directory: i32, name: usize, length: u32, target: i32): i32 {
  return fs(system).link(node(directory), name, length, node(target));
}
export function unlink(system: i32, directory: i32, name: usize, length: u32): i32 {
  return fs(system).unlink(node(directory), name, length);
}
export function rmdir(system: i32, directory: i32, name: usize, length: u32): i32 {
  return fs(system).rmdir(node(directory), name, length);
}
export function rename(system: i32, from: i32, fromName: usize, fromLength: u32, to: i32, toName: usize, toLength: u32): i32 {
  return fs(system).rename(node(from), fromName, fromLength, node(to), toName, toLength);
}
export function read(system: i32, file: i32, offset: u64, destination: usize, length: u64): i64 {
  return fs(system).read(node(file), offset, destination, length);
}
export function write(system: i32, file: i32, offset: u64, source: usize, length: u64): i64 {
  return fs(system).write(node(file), offset, source, length);
}
export function truncate(system: i32, file: i32, size: u64): i32 { return fs(system).truncate(node(file), size); }
export function readlink(system: i32, file: i32, destination: usize, capacity: u64): i64 {
  return fs(system).readlink(node(file), destination, capacity);
}
export function open(system: i32, file: i32): void { fs(system).open(node(file)); }
export function close(system: i32, file: i32): void { fs(system).close(node(file)); }
export function setPermissions(system: i32, file: i32, permissions: u32): void { fs(system).setPermissions(node(file), permissions); }
export function setOwner(system: i32, file: i32, uid: u32, gid: u32): void { fs(system).setOwner(node(file), uid, gid); }
export function setTimes(system: i32, file: i32, accessed: i64, modified: i64): void { fs(system).setTimes(node(file), accessed, modified); }
export function accessed(file: i32): i64 { return node(file).accessed; }
export function changed(file: i32): i64 { return node(file).changed; }
export function blocks(file: i32): u64 { return node(file).blocks; }
export function contains(system: i32, ancestor: i32, file: i32): bool { return fs(system).contains(node(ancestor), node(file)); }

export function readdir(system: i32, directory: i32, cursor: u64): i32 {
  return fs(system).readdir(node(directory), cursor, world.record);
}
export function recordEnd(): bool { return world.record.end; }
export function recordName(): usize { return world.record.name; }
export function recordNameLength(): u32 { return world.record.nameLength; }
export function recordInode(): u64 { return world.record.inode; }
export function recordType(): i32 { return world.record.type; }
export function recordNext(): u64 { return world.record.next; }

export function inode(file: i32): u64 { return node(file).inode; }
export function mode(file: i32): u32 { return node(file).mode; }
export function links(file: i32): u32 { return node(file).links; }
export function size(file: i32): u64 { return node(file).size; }
export function nodeFrames(file: i32): u64 { return node(file).frames; }
export function freed(file: i32): bool { return node(file).freed; }
export function archived(file: i32): bool { return node(file).archive != 0; }
export function modified(file: i32): i64 { return node(file).modified; }
export function uid(file: i32): u32 { return node(file).uid; }
export function gid(file: i32): u32 { return node(file).gid; }
export function rdevMajor(file: i32): u32 { return node(file).rdevMajor; }
export function rdevMinor(file: i32): u32 { return node(file).rdevMinor; }
export function parentOf(file: i32): i32 { return node(file).parent !== null ? handle(node(file).parent!) : -1; }

export function resolve(system: i32, rootDirectory: i32, cwd: i32, address: usize, length: u64, flags: u32): i32 {
  world.resolution = fsResolve(fs(system), node(rootDirectory), node(cwd), address, length, flags);
  return world.resolution.error;
}
/** resolve with a buffer for the rest of a path that enters the mount point (set with setMountPoint). */
const REST = memory.data(4096, 16);
export function setMountPoint(system: i32, directory: i32): void { fs(system).mountPoint = node(directory); }
export function resolveWithRest(system: i32, rootDirectory: i32, cwd: i32, address: usize, length: u64, flags: u32): i32 {
  world.resolution = fsResolve(fs(system), node(rootDirectory), node(cwd), address, length, flags, REST);
  return world.resolution.error;
}
export function resolvedCrossed(): bool { return world.resolution.crossed; }
export function resolvedRest(): usize { return REST; }
export function resolvedRestLength(): u32 { return world.resolution.restLength; }
export function resolvedNode(): i32 { return world.resolution.node !== null ? handle(world.resolution.node!) : -1; }
export function resolvedParent(): i32 { return world.resolution.parent !== null ? handle(world.resolution.parent!) : -1; }
export function resolvedName(): usize { return world.resolution.name; }
export function resolvedNameLength(): u32 { return world.resolution.nameLength; }
export function resolvedTrailingSlash(): bool { return world.resolution.trailingSlash; }

export function readerStart(address: usize, length: u64): void { world.reader = new CpioReader(address, length); }
export function readerNext(): bool { return world.reader!.next(); }
export function readerError(): i32 { return world.reader!.error; }
export function readerReason(): string { return world.reader!.reason; }
export function entryName(): usize { return world.reader!.entry.name; }
export function entryNameLength(): u32 { return world.reader!.entry.nameLength; }
export function entryMode(): u32 { return world.reader!.entry.mode; }
export function entryInode(): u32 { return world.reader!.entry.inode; }
export function entryLinks(): u32 { return world.reader!.entry.links; }
export function entryMtime(): u32 { return world.reader!.entry.mtime; }
export function entryUid(): u32 { return world.reader!.entry.uid; }
export function entryRdevMajor(): u32 { return world.reader!.entry.rdevMajor; }
export function entryRdevMinor(): u32 { return world.reader!.entry.rdevMinor; }
export function entryData(): usize { return world.reader!.entry.data; }
export function entryDataLength(): u64 { return world.reader!.entry.dataLength; }

/** A plain one-byte load, so a test can show that a read past the end of memory does trap. */
export function peek(address: usize): u8 { return load<u8>(address); }

export const NONE = KernelError.None;

/** devicesCreate on file system `system`: a KernelError. */
export function devices(system: i32): i32 { return <i32>devicesCreate(fs(system)); }
export function setHeapLimit(system: i32, bytes: u64): void { fs(system).setHeapLimit(bytes); }
