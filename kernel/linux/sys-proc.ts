// procfs at the system call edge (docs/linux.md, "procfs"): the path calls ask procFind whether
// a path leads into /proc (sys-path.ts's lookups, and so open, stat, readlink, access, chdir and
// the calls that change names, which procfs refuses); open makes a File on the name's template
// node whose snapshot proc-contents.ts writes, charged to the opener's account with the File.
// Only a process with a Namespace sees /proc, at the Namespace's root.

import { Interface } from "../../abi/interfaces";
import { KernelError } from "../../abi/errors";
import { Node } from "../fs/node";
import { Ramfs } from "../fs/ramfs";
import { staticArrayBytes } from "../memory/heap-cost";
import { FILE_BYTES, FileObject } from "../objects/file";
import { NamespaceObject } from "../objects/namespace";
import { Thread } from "../sched/thread";
import { copyOut } from "../vm/user-memory";
import { Errno } from "./errno";
import { FD_CLOEXEC, LinuxProcess } from "./linux-process";
import { procLinkTarget, procSnapshot, procTargetBuffer } from "./proc-contents";
import { procEntry, procFileSystem, procIsDirectory, ProcKind, procKindOf, ProcPlace, procResolve } from "./proc-tree";
import { traceBacked } from "./trace";

const O_ACCMODE: u64 = 3, O_WRONLY: u64 = 1, O_RDWR: u64 = 2;
const O_CREAT: u64 = 0o100, O_EXCL: u64 = 0o200, O_TRUNC: u64 = 0o1000, O_NONBLOCK: u64 = 0o4000;
const O_DIRECTORY: u64 = 0o200000, O_CLOEXEC: u64 = 0o2000000, O_PATH: u64 = 0o10000000;
/** The descriptor flag F_GETFL reports as O_NONBLOCK (sys-pipe.ts's STATUS_NONBLOCK). */
const STATUS_NONBLOCK: u8 = 4;

class SysProcState {
  /** The last lookup's procfs place, null when its path did not lead into /proc. */
  last: ProcPlace | null = null;
}
const state = new SysProcState();

/** Where the path at `address` (`length` bytes of kernel memory) from `start` leads in procfs,
 * or null when it does not enter /proc; kept for procLast. `flags` (fs/path.ts's Resolve) are
 * for the rest of a path that leaves procfs again. */
export function procFind(linux: LinuxProcess, namespace: NamespaceObject, start: Node, address: usize, length: u64, follow: bool,
  flags: u32): ProcPlace | null {
  state.last = null;
  const entry = procEntry(namespace, start, address, length);
  if (entry < 0) return null;
  const startKind = entry == 0 ? procKindOf(start) : ProcKind.Root;
  const place = procResolve(linux, namespace, startKind, address, <u64>entry, length, follow, flags);
  state.last = place;
  return place;
}

/** Where the rest of a path that entered /proc through the namespace (resolve stopped at the
 * mount point: a relative path climbing to it, a link leading into it) leads in procfs, from
 * its root; kept for procLast. */
export function procCrossed(linux: LinuxProcess, namespace: NamespaceObject, rest: usize, length: u32, follow: bool, flags: u32): ProcPlace {
  const place = procResolve(linux, namespace, ProcKind.Root, rest, 0, <u64>length, follow, flags);
  state.last = place;
  return place;
}

/** Forgets the last place (a lookup that never reaches procFind starts with this). */
export function procForget(): void {
  state.last = null;
}

/** The place of the last procFind, or null. */
export function procLast(): ProcPlace | null {
  return state.last;
}

/** Whether `node` is one of procfs's, and so its File's bytes are a snapshot. */
export function procNodeIs(node: Node): bool {
  return procKindOf(node) != ProcKind.None;
}

/** The file system a node found by a lookup belongs to: procfs's skeleton or the namespace's. */
export function fileSystemOfNode(node: Node, namespace: NamespaceObject): Ramfs {
  return procNodeIs(node) ? procFileSystem() : namespace.fileSystem;
}

/** open of a procfs name (`place`, found, on the skeleton): a File whose snapshot is made now;
 * a link (reached with O_NOFOLLOW) ELOOP unless O_PATH; a descriptor that is not a File, reached
 * through /proc/self/fd/N, a new descriptor naming its capability. A file opens for writing
 * too, as Linux lets uid 0 do, and its writes fail (procWrite); O_TRUNC does nothing;
 * O_CREAT|O_EXCL EEXIST; a directory for writing EISDIR. */
export function procOpen(thread: Thread, linux: LinuxProcess, namespace: NamespaceObject, place: ProcPlace, flags: u64): i64 {
  const node = place.node!;
  const kind = procKindOf(node);
  const process = thread.process;
  const pathOnly = (flags & O_PATH) != 0;
  const access = flags & O_ACCMODE;
  const writing = !pathOnly && (access == O_WRONLY || access == O_RDWR || access == O_ACCMODE || (flags & O_TRUNC) != 0);
  if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) return -(<i64>Errno.EEXIST);
  if (place.followed) {
    // The console or a pipe: what the descriptor names, again.
    const handle = linux.handleOf(<i64>place.fd);
    if (handle == 0) return -(<i64>Errno.ENOENT);
    const fd = linux.lowestFree(0);
    if (fd < 0) return -(<i64>Errno.EMFILE);
    linux.descriptors[fd] = handle;
    linux.descriptorFlags[fd] = ((flags & O_CLOEXEC) != 0 ? FD_CLOEXEC : 0) | ((flags & O_NONBLOCK) != 0 ? STATUS_NONBLOCK : 0);
    return fd;
  }
  const directory = procIsDirectory(kind);
  if ((flags & O_DIRECTORY) != 0 && !directory) return -(<i64>Errno.ENOTDIR);
  if (!pathOnly && node.isSymbolicLink) return -(<i64>Errno.ELOOP);
  if (writing && directory) return -(<i64>Errno.EISDIR);
  const fd = linux.lowestFree(0);
  if (fd < 0) return -(<i64>Errno.EMFILE);
  const snapshot: StaticArray<u8> | null = pathOnly ? null : procSnapshot(linux, namespace, kind, fd);
  const bytes = FILE_BYTES + (snapshot !== null ? staticArrayBytes<u8>(<u64>snapshot!.length) : 0);
  if (process.account.kernelFits(bytes) != KernelError.None) return -(<i64>Errno.ENOMEM);
  const slot = process.table.reserve();
  if (slot < 0) return -(<i64>Errno.ENFILE);
  const file = new FileObject(procFileSystem(), node, !pathOnly && access != O_WRONLY && access != O_ACCMODE,
    !pathOnly && (access == O_WRONLY || access == O_RDWR));
  file.pathOnly = pathOnly;
  file.snapshot = snapshot;
  file.chargeTo(process.account, bytes);
  linux.descriptors[fd] = process.table.commit(slot, file);
  linux.descriptorFlags[fd] = ((flags & O_CLOEXEC) != 0 ? FD_CLOEXEC : 0) | ((flags & O_NONBLOCK) != 0 ? STATUS_NONBLOCK : 0);
  traceBacked(linux.descriptors[fd], Interface.File);
  return fd;
}

/** write to a procfs file opened for writing: nothing is written. meminfo, uptime, cpuinfo and
 * /proc/net's files have no write operation at all (Linux's proc_reg_write: EIO); a pid directory's files none
 * either (vfs_write: EINVAL). FIXME: comm sets the name on Linux. */
export function procWrite(file: FileObject): i64 {
  const kind = procKindOf(file.node);
  const noWrite = kind == ProcKind.Meminfo || kind == ProcKind.Uptime || kind == ProcKind.Cpuinfo || (kind >= ProcKind.ResolvConf && kind <= ProcKind.NetRaw6);
  return -(<i64>(noWrite ? Errno.EIO : Errno.EINVAL));
}

/** readlink of a procfs link (`place`, not followed): its target, cut to `capacity`, no NUL. */
export function procReadlink(thread: Thread, linux: LinuxProcess, namespace: NamespaceObject, place: ProcPlace, buffer: u64, capacity: u64): i64 {
  const kind = procKindOf(place.node!);
  const length = procLinkTarget(linux, namespace, kind, place.fd);
  if (length < 0) return -(<i64>Errno.ENOENT);
  const count = min(<u64>length, capacity);
  return copyOut(thread.process.space, buffer, procTargetBuffer(), <u64>length, count) != KernelError.None ? -(<i64>Errno.EFAULT) : <i64>count;
}
