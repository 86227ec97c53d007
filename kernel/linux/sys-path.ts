// Paths and files (docs/linux.md, "Files"): every path resolves inside the process's Namespace
// capability (objects/namespace.ts; fs/path.ts: ".." stops at its root, symbolic links stay in
// it), from the working directory or a directory descriptor; without a Namespace every path is
// ENOENT. An open file is a File capability (objects/file.ts) behind a descriptor. This file
// reads (stat, readlink, access, the working directory, getdents64, read) and holds the path
// helpers the calls that open and change files share (sys-open.ts, sys-write.ts, sys-names.ts,
// sys-attributes.ts).

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { FileObject } from "../objects/file";
import { NamespaceObject } from "../objects/namespace";
import { Node, NodeType, S_IFCHR, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK } from "../fs/node";
import { DirectoryRecord, Ramfs } from "../fs/ramfs";
import { resolve, Resolution, Resolve } from "../fs/path";
import { Thread } from "../sched/thread";
import { copyIn, copyOut } from "../vm/user-memory";
import { Errno, linuxErrno } from "./errno";
import { LinuxProcess } from "./linux-process";
import { traceBacked } from "./trace";
import { deviceRead } from "./sys-dev";
import { fileSystemOfNode, procCrossed, procFind, procForget, procLast, procNodeIs, procReadlink } from "./sys-proc";
import { procDirectoryEntry, procDirectoryPath, procTargetBuffer } from "./proc-contents";

const AT_FDCWD: i32 = -100;
const AT_SYMLINK_NOFOLLOW: u64 = 0x100, AT_EMPTY_PATH: u64 = 0x1000, AT_NO_AUTOMOUNT: u64 = 0x800, AT_EACCESS: u64 = 0x200;
const X_OK: u64 = 1, W_OK: u64 = 2;
/** Bytes a path may have with its NUL (Linux's PATH_MAX). */
const PATH_BUFFER: u64 = 4096;
const STAT_SIZE: u64 = 144;
/** Bytes one read of a file copies at most (a longer read is short, as Linux's may be). */
export const FILE_READ_MAXIMUM: u64 = 1 << 20;

class PathState {
  /** The path being resolved, NUL-terminated. */
  readonly path: usize = memory.data(<i32>PATH_BUFFER, 16);
  /** What is left of a path that entered /proc through the namespace (fs/path.ts's `rest`). */
  readonly rest: usize = memory.data(<i32>PATH_BUFFER, 16);
  /** A struct stat, a dirent or a chunk of a file on its way out. */
  readonly buffer: usize = memory.data(4096, 16);
  readonly record: DirectoryRecord = new DirectoryRecord();
}
const state = new PathState();

/** Where resolve leaves what is left of a path that entered /proc (fs/path.ts's `rest`). */
export function restBuffer(): usize {
  return state.rest;
}

/** Where pathIn leaves a path. */
export function pathBuffer(): usize {
  return state.path;
}

/** The process's Namespace (noted for the trace), or null. */
export function namespaceOf(thread: Thread, linux: LinuxProcess): NamespaceObject | null {
  if (linux.namespaceHandle == 0) return null;
  const object = thread.process.table.lookup(linux.namespaceHandle);
  if (object === null || object.iface != Interface.Namespace) return null;
  traceBacked(linux.namespaceHandle, Interface.Namespace);
  return changetype<NamespaceObject>(object);
}

/** The File `fd` names, or null. */
export function fileOf(thread: Thread, linux: LinuxProcess, fd: u64): FileObject | null {
  const handle = linux.handleOf(<i64>fd);
  if (handle == 0) return null;
  const object = thread.process.table.lookup(handle);
  if (object === null || object.iface != Interface.File) return null;
  traceBacked(handle, Interface.File);
  return changetype<FileObject>(object);
}

/** Copies the NUL-terminated path at `address` into `destination` (PATH_BUFFER bytes; state.path
 * by default): its length, or -errno (EFAULT, ENAMETOOLONG past PATH_MAX). Reads a page at most
 * at a time, never past the NUL's page. */
export function pathIn(thread: Thread, address: u64, destination: usize = 0): i64 {
  const space = thread.process.space;
  const path = destination != 0 ? destination : state.path;
  let length: u64 = 0;
  while (length < PATH_BUFFER) {
    const chunk = min(PATH_BUFFER - length, 4096 - ((address + length) & 4095));
    if (copyIn(space, path + <usize>length, PATH_BUFFER, address + length, chunk) != KernelError.None) {
      // The end of the readable range may hold the NUL: copy byte by byte up to it.
      for (let i: u64 = 0; i < chunk; i++) {
        if (copyIn(space, path + <usize>(length + i), PATH_BUFFER, address + length + i, 1) != KernelError.None) return -(<i64>Errno.EFAULT);
        if (load<u8>(path + <usize>(length + i)) == 0) return <i64>(length + i);
      }
    }
    for (let i: u64 = 0; i < chunk; i++) if (load<u8>(path + <usize>(length + i)) == 0) return <i64>(length + i);
    length += chunk;
  }
  return -(<i64>Errno.ENAMETOOLONG);
}

/** The directory a path starts from: the root for an absolute `path` (its first byte '/'; as
 * Linux, dirfd is then not looked at), the working directory for AT_FDCWD, else the directory
 * `dirfd` names; null with `error` set. */
export function startOf(thread: Thread, linux: LinuxProcess, namespace: NamespaceObject, dirfd: u64, error: StaticArray<i64>,
  path: usize): Node | null {
  if (load<u8>(path) == 0x2f) return namespace.root;
  if (<i32>dirfd == AT_FDCWD) return linux.cwd !== null ? linux.cwd : namespace.root;
  const file = fileOf(thread, linux, <u64><i64><i32>dirfd);
  if (file === null) { error[0] = linux.handleOf(<i64><i32>dirfd) == 0 ? -(<i64>Errno.EBADF) : -(<i64>Errno.ENOTDIR); return null; }
  if (!file.node.isDirectory) { error[0] = -(<i64>Errno.ENOTDIR); return null; }
  return file.node;
}

/** Where a path that does not lead into /proc starts: an absolute one from a procfs directory
 * (the working directory, a dirfd) at the namespace's root (relative ones stay in procfs). */
function outsideProc(namespace: NamespaceObject, start: Node): Node {
  return procNodeIs(start) ? namespace.root : start;
}

/** Resolves the path at `address` from `dirfd` in the process's namespace: the node, or null with
 * -errno in error[0]. An empty path is ENOENT unless `emptyIsDirfd` (AT_EMPTY_PATH): then the
 * descriptor's own node. */
function lookup(thread: Thread, linux: LinuxProcess, dirfd: u64, address: u64, follow: bool, emptyIsDirfd: bool,
  error: StaticArray<i64>): Node | null {
  procForget();
  const length = pathIn(thread, address);
  if (length < 0) { error[0] = length; return null; }
  if (length == 0 && emptyIsDirfd) {
    const file = fileOf(thread, linux, dirfd);
    if (file !== null) return file.node;
    error[0] = linux.handleOf(<i64>dirfd) == 0 ? -(<i64>Errno.EBADF) : -(<i64>Errno.ENOENT);
    return null;
  }
  const namespace = namespaceOf(thread, linux);
  if (namespace === null) { error[0] = -(<i64>Errno.ENOENT); return null; }
  const start = startOf(thread, linux, namespace, dirfd, error, state.path);
  if (start === null) return null;
  const flags: u32 = follow ? Resolve.Follow : Resolve.NoFollow;
  let place = procFind(linux, namespace, start, state.path, <u64>length, follow, flags);
  let found: Resolution | null = null;
  if (place === null) {
    found = resolve(namespace.fileSystem, namespace.root, outsideProc(namespace, start), state.path, <u64>length, flags, state.rest);
    if (found.crossed) place = procCrossed(linux, namespace, state.rest, found.restLength, follow, flags);
  }
  if (place !== null && place.resolution === null) {
    if (place.errno != 0) { error[0] = -(<i64>place.errno); return null; }
    return place.node;
  }
  if (place !== null) found = place.resolution;
  const resolution = found!;
  if (resolution.error != KernelError.None || resolution.node === null) {
    error[0] = -(<i64>(resolution.error != KernelError.None ? linuxErrno(resolution.error) : Errno.ENOENT));
    return null;
  }
  return resolution.node;
}

/** Resolves the path at `address` (copied into `buffer`; 0: state.path) from `dirfd` in the
 * process's namespace under resolve's `flags` (fs/path.ts). The Resolution, whose error is a
 * KernelError, or null with -errno in error[0] for what fails before resolution: EFAULT,
 * ENAMETOOLONG, ENOENT (no namespace), EBADF or ENOTDIR (dirfd). */
export function resolveAt(thread: Thread, linux: LinuxProcess, dirfd: u64, address: u64, flags: u32, buffer: usize,
  error: StaticArray<i64>): Resolution | null {
  procForget();
  const path = buffer != 0 ? buffer : state.path;
  const length = pathIn(thread, address, path);
  if (length < 0) { error[0] = length; return null; }
  const namespace = namespaceOf(thread, linux);
  if (namespace === null) { error[0] = -(<i64>Errno.ENOENT); return null; }
  if (length == 0) { error[0] = -(<i64>Errno.ENOENT); return null; }
  const start = startOf(thread, linux, namespace, dirfd, error, path);
  if (start === null) return null;
  const follow = (flags & Resolve.Follow) != 0 && (flags & Resolve.LastAsIs) == 0;
  let place = procFind(linux, namespace, start, path, <u64>length, follow, flags);
  if (place === null) {
    const found = resolve(namespace.fileSystem, namespace.root, outsideProc(namespace, start), path, <u64>length, flags, state.rest);
    if (!found.crossed) return found;
    place = procCrossed(linux, namespace, state.rest, found.restLength, follow, flags);
  }
  if (place.resolution !== null) return place.resolution;
  if (place.errno != 0) { error[0] = -(<i64>place.errno); return null; }
  if (place.fileSystem === namespace.fileSystem) {   // a link of procfs to a file of the namespace
    const found = new Resolution();
    found.node = place.node;
    return found;
  }
  // procfs's own names change no file: EPERM (sys-open.ts opens them through procLast).
  error[0] = -(<i64>Errno.EPERM);
  return null;
}

/** Fills a struct stat for `node` of `fileSystem` in state.buffer. */
function statFill(node: Node): void {
  const stat = state.buffer;
  memory.fill(stat, 0, <usize>STAT_SIZE);
  store<u64>(stat, <u64>node.fileSystem);                            // st_dev: its file system's id
  store<u64>(stat, node.inode, 8);
  store<u64>(stat, <u64>node.links, 16);
  store<u32>(stat, node.mode, 24);
  store<u32>(stat, node.uid, 28);
  store<u32>(stat, node.gid, 32);
  store<u64>(stat, (<u64>node.rdevMajor << 8) | <u64>(node.rdevMinor & 0xff) | (<u64>(node.rdevMinor & ~0xff) << 12), 40);
  store<u64>(stat, procNodeIs(node) ? 0 : reportedSize(node), 48);   // procfs's sizes are 0, as Linux's
  store<u64>(stat, 4096, 56);                                        // st_blksize
  store<u64>(stat, node.isRegular ? (node.size + 511) / 512 : 0, 64); // st_blocks
  store<i64>(stat, node.accessed / 1_000_000_000, 72);
  store<i64>(stat, node.accessed % 1_000_000_000, 80);
  store<i64>(stat, node.modified / 1_000_000_000, 88);
  store<i64>(stat, node.modified % 1_000_000_000, 96);
  store<i64>(stat, node.changed / 1_000_000_000, 104);
  store<i64>(stat, node.changed % 1_000_000_000, 112);
}

/** The size stat reports: a directory's is tmpfs's, 20 bytes per entry with "." and ".." (as
 * Linux's rootfs says: programs compare it); the others' their bytes. */
export function reportedSize(node: Node): u64 {
  const directory = node.directory;
  if (directory !== null) return node.links == 0 ? 0 : 40 + 20 * <u64>directory.count;
  return node.size;
}

/** fstat of a File. */
export function fileStat(thread: Thread, file: FileObject, buffer: u64): i64 {
  statFill(file.node);
  return copyOut(thread.process.space, buffer, state.buffer, 4096, STAT_SIZE) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** newfstatat, stat and lstat of a path (AT_EMPTY_PATH with "" is the descriptor's; sys-files.ts
 * answers that for descriptors that are not Files). */
export function sysStatAt(thread: Thread, linux: LinuxProcess, dirfd: u64, path: u64, buffer: u64, flags: u64): i64 {
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)) != 0) return -(<i64>Errno.EINVAL);
  const error = new StaticArray<i64>(1);
  const node = lookup(thread, linux, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0, (flags & AT_EMPTY_PATH) != 0, error);
  if (node === null) return error[0];
  const place = procLast();
  if (place !== null && place.followed) {   // /proc/self/fd/N of the console or a pipe: fstat(N)'s answer
    const handle = linux.handleOf(<i64>place.fd);
    descriptorStatFill(state.buffer, handle, thread.process.table.interfaceOf(handle));
  } else statFill(node);
  return copyOut(thread.process.space, buffer, state.buffer, 4096, STAT_SIZE) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** /dev/console: character device 5:1. */
const CONSOLE_DEVICE: u64 = (5 << 8) | 1;

/** A struct stat at `out` for a descriptor that names no File (`iface`: what it names): a pipe's
 * end is a FIFO of mode 0600 whose inode is its handle's slot (unique while it is open), on
 * pipefs's device, and a socket's end a socket of mode 0777 on sockfs's; an eventfd, timerfd or
 * epoll set is Linux's anonymous inode (mode 0600, no file type); the console is the character
 * device /dev/console (5:1), mode crw--w----. */
export function descriptorStatFill(out: usize, handle: u64, iface: Interface): void {
  memory.fill(out, 0, <usize>STAT_SIZE);
  store<u64>(out, 1, 16);                       // st_nlink
  if (iface == Interface.Pipe || iface == Interface.UnixSocket || iface == Interface.InetSocket || iface == Interface.UnixEndpoint) {
    store<u64>(out, iface == Interface.Pipe ? 12 : 8);   // st_dev: pipefs's, sockfs's
    store<u64>(out, handle & 0xffff_ffff, 8);
    store<u32>(out, iface == Interface.Pipe ? S_IFIFO | 0o600 : S_IFSOCK | 0o777, 24);
    store<u64>(out, 4096, 56);
  } else if (iface == Interface.EventCounter || iface == Interface.EventPoll) {
    store<u64>(out, 14);                        // st_dev: the anonymous inode's file system
    store<u64>(out, 1, 8);
    store<u32>(out, 0o600, 24);                 // no file type, as Linux's anonymous inode
    store<u64>(out, 4096, 56);
  } else {
    store<u64>(out, 6);                         // st_dev: devtmpfs's, as /dev/console has on Linux
    store<u64>(out, 5, 8);                      // st_ino
    store<u32>(out, S_IFCHR | 0o620, 24);       // st_mode
    store<u64>(out, CONSOLE_DEVICE, 40);        // st_rdev
    store<u64>(out, 1024, 56);                  // st_blksize
  }
}

/** readlinkat: a symbolic link's target, cut to `capacity`, no NUL; EINVAL for anything else. */
export function sysReadlinkat(thread: Thread, linux: LinuxProcess, dirfd: u64, path: u64, buffer: u64, capacity: u64): i64 {
  if (<i64>capacity <= 0) return -(<i64>Errno.EINVAL);
  const error = new StaticArray<i64>(1);
  const node = lookup(thread, linux, dirfd, path, false, false, error);
  if (node === null) return error[0];
  if (!node.isSymbolicLink) return -(<i64>Errno.EINVAL);
  const namespace = namespaceOf(thread, linux)!;
  const place = procLast();
  if (place !== null && place.resolution === null) return procReadlink(thread, linux, namespace, place, buffer, capacity);
  const length = namespace.fileSystem.readlink(node, state.buffer, min(capacity, 4096));
  if (length < 0) return -(<i64>linuxErrno(<KernelError>(-length)));
  return copyOut(thread.process.space, buffer, state.buffer, 4096, <u64>length) != KernelError.None ? -(<i64>Errno.EFAULT) : length;
}

/** faccessat: whether the path exists; uid 0 may read and write anything (writing is EROFS on
 * the read-only root) and execute what has an execute bit. */
export function sysAccessat(thread: Thread, linux: LinuxProcess, dirfd: u64, path: u64, mode: u64, flags: u64): i64 {
  if ((mode & ~<u64>7) != 0 || (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -(<i64>Errno.EINVAL);
  const error = new StaticArray<i64>(1);
  const node = lookup(thread, linux, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0, (flags & AT_EMPTY_PATH) != 0, error);
  if (node === null) return error[0];
  // A read-only namespace refuses writes to files, directories and links, not to devices (as Linux's read-only mounts).
  const namespace = namespaceOf(thread, linux);   // null: an AT_EMPTY_PATH File, its namespace not held
  if ((mode & W_OK) != 0 && (namespace === null || !namespace.writable) && node.type != NodeType.CharacterDevice) return -(<i64>Errno.EROFS);
  if ((mode & X_OK) != 0 && !node.isDirectory && (node.mode & 0o111) == 0) return -(<i64>Errno.EACCES);
  return 0;
}

/** chdir and fchdir: the working directory (held open) becomes the directory named. */
export function sysChdir(thread: Thread, linux: LinuxProcess, path: u64, fd: i64): i64 {
  let node: Node | null = null;
  let fileSystem: Ramfs | null = null;
  if (fd >= 0) {
    const file = fileOf(thread, linux, <u64>fd);
    if (file === null) return linux.handleOf(fd) == 0 ? -(<i64>Errno.EBADF) : -(<i64>Errno.ENOTDIR);
    node = file.node;
    fileSystem = file.fileSystem;
  } else {
    const error = new StaticArray<i64>(1);
    node = lookup(thread, linux, <u64><i64>AT_FDCWD, path, true, false, error);
    if (node === null) return error[0];
    fileSystem = fileSystemOfNode(node!, namespaceOf(thread, linux)!);
  }
  if (!node!.isDirectory) return -(<i64>Errno.ENOTDIR);
  linux.setCwd(fileSystem!, node!);
  return 0;
}

/** getcwd: the working directory's path from the namespace's root; ERANGE when it does not fit,
 * ENOENT without a namespace or when the directory was removed. */
export function sysGetcwd(thread: Thread, linux: LinuxProcess, buffer: u64, size: u64): i64 {
  const namespace = namespaceOf(thread, linux);
  if (namespace === null) return -(<i64>Errno.ENOENT);
  const fileSystem = namespace.fileSystem, root = namespace.root;
  let node = linux.cwd !== null ? linux.cwd! : root;
  if (procNodeIs(node)) {   // a directory of procfs: its path from its kind
    const length = <u64>procDirectoryPath(linux, node) + 1;
    if (size < length) return -(<i64>Errno.ERANGE);
    return copyOut(thread.process.space, buffer, procTargetBuffer(), length, length) != KernelError.None ? -(<i64>Errno.EFAULT) : <i64>length;
  }
  if (node.links == 0) return -(<i64>Errno.ENOENT);
  // Built backwards from the end of state.path: "/name" per step up to the root.
  let start = <i64>PATH_BUFFER - 1;
  store<u8>(state.path + <usize>start, 0);
  let steps = 0;
  while (node !== root && steps < 2048) {
    const parent = node.parent;
    if (parent === null || parent === node) return -(<i64>Errno.ENOENT);   // outside the namespace's root
    const record = state.record;
    let cursor: u64 = 2, found = false;
    while (!found) {
      if (fileSystem.readdir(parent, cursor, record) != KernelError.None || record.end) break;
      cursor = record.next;
      if (record.inode == node.inode) found = true;
    }
    if (!found) return -(<i64>Errno.ENOENT);
    if (start - <i64>record.nameLength - 1 < 0) return -(<i64>Errno.ENAMETOOLONG);
    start -= <i64>record.nameLength;
    memory.copy(state.path + <usize>start, record.name, record.nameLength);
    start--;
    store<u8>(state.path + <usize>start, 0x2f);
    node = parent;
    steps++;
  }
  if (node === root && start == <i64>PATH_BUFFER - 1) {
    start--;
    store<u8>(state.path + <usize>start, 0x2f);
  }
  const length = <u64>(<i64>PATH_BUFFER - start);   // with the NUL
  if (size < length) return -(<i64>Errno.ERANGE);
  return copyOut(thread.process.space, buffer, state.path + <usize>start, length, length) != KernelError.None ? -(<i64>Errno.EFAULT) : <i64>length;
}

/** getdents64: the directory's entries from its cursor, as struct linux_dirent64 records (d_ino,
 * d_off, d_reclen, d_type, the name and a NUL, 8-byte aligned); 0 at the end; EINVAL when not
 * even one fits. */
export function sysGetdents64(thread: Thread, linux: LinuxProcess, fd: u64, buffer: u64, count: u64): i64 {
  const file = fileOf(thread, linux, fd);
  if (file === null) return linux.handleOf(<i64>fd) == 0 ? -(<i64>Errno.EBADF) : -(<i64>Errno.ENOTDIR);
  if (file.pathOnly) return -(<i64>Errno.EBADF);
  if (!file.node.isDirectory) return -(<i64>Errno.ENOTDIR);
  const space = thread.process.space, record = state.record;
  let written: u64 = 0;
  const snapshot = file.snapshot;
  for (;;) {
    let error = KernelError.None;
    if (snapshot !== null) procDirectoryEntry(snapshot, file.offset, record);
    else error = file.fileSystem.readdir(file.node, file.offset, record);
    if (error != KernelError.None) return written > 0 ? <i64>written : -(<i64>linuxErrno(error));
    if (record.end) break;
    const length = (<u64>19 + <u64>record.nameLength + 1 + 7) & ~<u64>7;
    if (written + length > count) {
      if (written == 0) return -(<i64>Errno.EINVAL);
      break;
    }
    const at = state.buffer;
    memory.fill(at, 0, <usize>length);
    store<u64>(at, record.inode);
    store<i64>(at, <i64>record.next, 8);
    store<u16>(at, <u16>length, 16);
    store<u8>(at, <u8>record.type, 18);
    memory.copy(at + 19, record.name, record.nameLength);
    if (copyOut(space, buffer + written, at, 4096, length) != KernelError.None) return written > 0 ? <i64>written : -(<i64>Errno.EFAULT);
    written += length;
    file.offset = record.next;
  }
  return <i64>written;
}

/** read and pread64 of a File: bytes from `offset` (the File's own for read, which moves),
 * at most FILE_READ_MAXIMUM; EISDIR for a directory; EBADF when opened with O_PATH. */
export function fileRead(thread: Thread, file: FileObject, buffer: u64, count: u64, offset: i64): i64 {
  if (!file.readable) return -(<i64>Errno.EBADF);
  if (file.node.isCharacterDevice) return deviceRead(thread, file, buffer, count);
  if (file.node.isDirectory) return -(<i64>Errno.EISDIR);
  if ((file.node.mode & S_IFMT) != S_IFREG) return -(<i64>Errno.EINVAL);
  const space = thread.process.space;
  const snapshot = file.snapshot;
  if (snapshot !== null) return snapshotRead(thread, file, snapshot, buffer, count, offset);
  let position = offset >= 0 ? <u64>offset : file.offset;
  const total = min(count, FILE_READ_MAXIMUM);
  let done: u64 = 0;
  while (done < total) {
    const read = file.fileSystem.read(file.node, position, state.buffer, min(<u64>4096, total - done));
    if (read < 0) return done > 0 ? <i64>done : -(<i64>linuxErrno(<KernelError>(-read)));
    if (read == 0) break;
    if (copyOut(space, buffer + done, state.buffer, 4096, <u64>read) != KernelError.None) {
      if (done == 0) return -(<i64>Errno.EFAULT);
      break;
    }
    done += <u64>read;
    position += <u64>read;
  }
  if (offset < 0) file.offset = position;
  return <i64>done;
}

/** read and pread of a synthetic file (procfs): bytes of its snapshot from the offset. */
function snapshotRead(thread: Thread, file: FileObject, snapshot: StaticArray<u8>, buffer: u64, count: u64, offset: i64): i64 {
  const position = offset >= 0 ? <u64>offset : file.offset;
  const size = <u64>snapshot.length;
  const length = position >= size ? 0 : min(min(count, FILE_READ_MAXIMUM), size - position);
  if (length > 0 && copyOut(thread.process.space, buffer, changetype<usize>(snapshot) + <usize>position, size - position, length) != KernelError.None) {
    return -(<i64>Errno.EFAULT);
  }
  if (offset < 0) file.offset = position + length;
  return <i64>length;
}

/** lseek of a File: SEEK_SET, SEEK_CUR, SEEK_END (a directory's offset is its cursor: only
 * SEEK_SET, and 0 rewinds it); EINVAL for a negative result or another whence. */
export function fileSeek(file: FileObject, offset: i64, whence: u64): i64 {
  if (file.pathOnly) return -(<i64>Errno.EBADF);
  if (file.node.type == NodeType.CharacterDevice) return 0;   // as Linux's memory devices: the position stays 0
  let base: i64 = 0;
  if (whence == 1) base = <i64>file.offset;
  else if (whence == 2) {
    if (file.node.isDirectory || file.snapshot !== null) return -(<i64>Errno.EINVAL);   // procfs's too, as seq_file's
    base = <i64>file.node.size;
  } else if (whence != 0) return -(<i64>Errno.EINVAL);
  const next = base + offset;
  if ((offset > 0 && next < base) || next < 0) return -(<i64>Errno.EINVAL);
  file.offset = <u64>next;
  return next;
}
