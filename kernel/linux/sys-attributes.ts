// A node's attributes (docs/linux.md, "Files"): chmod, chown, utimensat and their path, *at and
// descriptor forms, umask, statfs and fstatfs, statx. Changes need a writable Namespace (the
// path's, or the one a File was opened through): else EROFS. Every caller is uid 0, so no
// permission is checked; owners are stored and reported as given. Callers: syscall.ts.

import { KernelError } from "../../abi/errors";
import { FS_NAME_MAXIMUM, FS_NODES_MAXIMUM, Node, PERMISSION_BITS, S_ISGID, S_ISUID, S_IXGRP } from "../fs/node";
import { Resolve } from "../fs/path";
import { Ramfs } from "../fs/ramfs";
import { Thread } from "../sched/thread";
import { copyIn, copyOut } from "../vm/user-memory";
import { Errno, linuxErrno, UNSUPPORTED } from "./errno";
import { LinuxProcess } from "./linux-process";
import { fileOf, namespaceOf, pathIn, reportedSize, resolveAt } from "./sys-path";
import { procLast } from "./sys-proc";
import { procFileSystem } from "./proc-tree";

const AT_FDCWD: i32 = -100;
const AT_SYMLINK_NOFOLLOW: u64 = 0x100, AT_NO_AUTOMOUNT: u64 = 0x800, AT_EMPTY_PATH: u64 = 0x1000;
const AT_STATX_SYNC_TYPE: u64 = 0x6000;
const UTIME_NOW: i64 = 0x3fffffff, UTIME_OMIT: i64 = 0x3ffffffe;
/** statfs's f_type for tmpfs (include/uapi/linux/magic.h): what the ramfs is to programs. */
const TMPFS_MAGIC: u64 = 0x01021994;
/** procfs's (docs/linux.md, "procfs"), and its mount's flags as /proc/mounts names them: nosuid,
 * nodev, noexec, relatime. */
const PROC_SUPER_MAGIC: u64 = 0x9fa0, PROC_MOUNT_FLAGS: u64 = 2 | 4 | 8 | 0x1000;
const ST_RDONLY: u64 = 1, ST_VALID: u64 = 0x20, ST_NOATIME: u64 = 0x400;
const STATFS_SIZE: u64 = 120, STATX_SIZE: u64 = 256;
/** statx's STATX_BASIC_STATS: type, mode, nlink, uid, gid, atime, mtime, ctime, ino, size, blocks. */
const STATX_BASIC_STATS: u32 = 0x7ff;
const STATX_RESERVED: u64 = 0x8000_0000;

/** Whether a call names its node by a path or by a descriptor (fchmod, fchown, fstatfs). */
export enum Via { Path, Descriptor }

class AttributesState {
  readonly buffer: usize = memory.data(256, 16);
}
const state = new AttributesState();

/** The node a path (from `dirfd`, following a last link when `follow`) or, with `emptyIsDirfd`
 * and "", `dirfd`'s File names, with its file system and whether it may change; null with
 * -errno in error[0]. */
class Target {
  node: Node | null = null;
  fileSystem: Ramfs | null = null;
  writable: bool = false;
}

function targetOf(thread: Thread, linux: LinuxProcess, dirfd: u64, path: u64, follow: bool, emptyIsDirfd: bool, error: StaticArray<i64>): Target | null {
  const target = new Target();
  if (emptyIsDirfd) {
    const length = pathIn(thread, path);
    if (length < 0) { error[0] = length; return null; }
    if (length == 0) return descriptorTarget(thread, linux, dirfd, error, Errno.ENOENT, false);
  }
  const found = resolveAt(thread, linux, dirfd, path, follow ? Resolve.Follow : Resolve.NoFollow, 0, error);
  if (found === null) {
    // A name of procfs: looked at (statx, statfs), never changed (EROFS, as a read-only mount).
    const place = procLast();
    if (place === null || place.errno != 0 || place.resolution !== null || place.node === null) return null;
    target.node = place.node;
    target.fileSystem = procFileSystem();
    return target;
  }
  if (found.error != KernelError.None) { error[0] = -(<i64>linuxErrno(found.error)); return null; }
  const namespace = namespaceOf(thread, linux)!;
  target.node = found.node;
  target.fileSystem = namespace.fileSystem;
  target.writable = namespace.writable;
  return target;
}

/** The File `fd` names as a Target: EBADF when closed (or, when `changing`, opened with O_PATH),
 * `other` when it names no File. */
function descriptorTarget(thread: Thread, linux: LinuxProcess, fd: u64, error: StaticArray<i64>, other: Errno, changing: bool = true): Target | null {
  const file = fileOf(thread, linux, fd);
  if (file === null) { error[0] = -(<i64>(linux.handleOf(<i64>fd) == 0 ? Errno.EBADF : other)); return null; }
  if (changing && file.pathOnly) { error[0] = -(<i64>Errno.EBADF); return null; }
  const target = new Target();
  target.node = file.node;
  target.fileSystem = file.fileSystem;
  target.writable = file.namespaceWritable;
  return target;
}

/** chmod, fchmodat (its flags are not a system call argument) and fchmod (a File; EPERM for the
 * console and pipes, whose modes are not kept): the permission bits become mode & 07777. */
export function sysChmod(thread: Thread, linux: LinuxProcess, dirfd: u64, path: u64, mode: u64, via: Via): i64 {
  const error = new StaticArray<i64>(1);
  const target = via == Via.Descriptor ? descriptorTarget(thread, linux, dirfd, error, Errno.EPERM) : targetOf(thread, linux, dirfd, path, true, false, error);
  if (target === null) return error[0];
  if (!target.writable) return -(<i64>Errno.EROFS);
  target.fileSystem!.setPermissions(target.node!, <u32>mode & PERMISSION_BITS);
  return 0;
}

/** chown, lchown, fchownat (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH) and fchown: uid and gid stored
 * (-1 keeps one); as Linux, a non-directory loses its set-user-ID bit, and its set-group-ID bit
 * when group-executable. EINVAL for other flags; EROFS. */
export function sysChown(thread: Thread, linux: LinuxProcess, dirfd: u64, path: u64, uid: u64, gid: u64, flags: u64, via: Via): i64 {
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -(<i64>Errno.EINVAL);
  const error = new StaticArray<i64>(1);
  const target = via == Via.Descriptor ? descriptorTarget(thread, linux, dirfd, error, Errno.EPERM)
    : targetOf(thread, linux, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0, (flags & AT_EMPTY_PATH) != 0, error);
  if (target === null) return error[0];
  if (!target.writable) return -(<i64>Errno.EROFS);
  const node = target.node!;
  const newUid = <u32>uid == 0xffff_ffff ? node.uid : <u32>uid, newGid = <u32>gid == 0xffff_ffff ? node.gid : <u32>gid;
  const fileSystem = target.fileSystem!;
  fileSystem.setOwner(node, newUid, newGid);
  if (!node.isDirectory) {
    let mode = node.mode & PERMISSION_BITS & ~S_ISUID;
    if ((mode & S_IXGRP) != 0) mode &= ~S_ISGID;
    if (mode != (node.mode & PERMISSION_BITS)) fileSystem.setPermissions(node, mode);
  }
  return 0;
}

/** utimensat (and futimens: a null path with a descriptor): access and modification times from
 * two timespecs, UTIME_NOW and UTIME_OMIT; null times: both now. Both UTIME_OMIT: 0 without
 * looking at the path (as Linux). EFAULT, EINVAL for a bad tv_nsec or flags, EROFS. */
export function sysUtimensat(thread: Thread, linux: LinuxProcess, dirfd: u64, path: u64, times: u64, flags: u64): i64 {
  let accessed: i64 = UTIME_NOW, modified: i64 = UTIME_NOW;
  let accessedSeconds: i64 = 0, modifiedSeconds: i64 = 0;
  if (times != 0) {
    if (copyIn(thread.process.space, state.buffer, 256, times, 32) != KernelError.None) return -(<i64>Errno.EFAULT);
    accessedSeconds = load<i64>(state.buffer);
    accessed = load<i64>(state.buffer, 8);
    modifiedSeconds = load<i64>(state.buffer, 16);
    modified = load<i64>(state.buffer, 24);
    if (accessed == UTIME_OMIT && modified == UTIME_OMIT) return 0;
    if (!nanosecondsValid(accessed) || !nanosecondsValid(modified)) return -(<i64>Errno.EINVAL);
  }
  return timesSet(thread, linux, dirfd, path, flags, accessedSeconds, accessed, modifiedSeconds, modified);
}

/** utimes and futimesat: two timevals (microseconds 0..999999, else EINVAL); null: both now. */
export function sysFutimesat(thread: Thread, linux: LinuxProcess, dirfd: u64, path: u64, times: u64): i64 {
  if (times == 0) return timesSet(thread, linux, dirfd, path, 0, 0, UTIME_NOW, 0, UTIME_NOW);
  if (copyIn(thread.process.space, state.buffer, 256, times, 32) != KernelError.None) return -(<i64>Errno.EFAULT);
  const accessedMicro = load<i64>(state.buffer, 8), modifiedMicro = load<i64>(state.buffer, 24);
  if (accessedMicro < 0 || accessedMicro >= 1_000_000 || modifiedMicro < 0 || modifiedMicro >= 1_000_000) return -(<i64>Errno.EINVAL);
  return timesSet(thread, linux, dirfd, path, 0, load<i64>(state.buffer), accessedMicro * 1000, load<i64>(state.buffer, 16), modifiedMicro * 1000);
}

/** Seconds and nanoseconds (0..999999999) as the nanoseconds a node keeps: a time outside
 * 1677..2262 (what 64 bits of nanoseconds hold) is clamped to the nearest end, never wrapped. */
function nanosecondsOf(seconds: i64, nanoseconds: i64): i64 {
  const limit: i64 = i64.MAX_VALUE / 1_000_000_000 - 1;
  if (seconds > limit) return i64.MAX_VALUE;
  if (seconds < -limit) return i64.MIN_VALUE + 1_000_000_000;
  return seconds * 1_000_000_000 + nanoseconds;
}

function nanosecondsValid(nanoseconds: i64): bool {
  return nanoseconds == UTIME_NOW || nanoseconds == UTIME_OMIT || (nanoseconds >= 0 && nanoseconds < 1_000_000_000);
}

function timesSet(thread: Thread, linux: LinuxProcess, dirfd: u64, path: u64, flags: u64, accessedSeconds: i64, accessed: i64,
  modifiedSeconds: i64, modified: i64): i64 {
  const error = new StaticArray<i64>(1);
  let target: Target | null = null;
  if (path == 0 && <i32>dirfd != AT_FDCWD) {
    if (flags != 0) return -(<i64>Errno.EINVAL);
    target = descriptorTarget(thread, linux, <u64><i64><i32>dirfd, error, Errno.EPERM);
  } else {
    if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -(<i64>Errno.EINVAL);
    if (path == 0) return -(<i64>Errno.EFAULT);
    target = targetOf(thread, linux, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0, (flags & AT_EMPTY_PATH) != 0, error);
  }
  if (target === null) return error[0];
  if (!target.writable) return -(<i64>Errno.EROFS);
  const node = target.node!, fileSystem = target.fileSystem!;
  const clock = fileSystem.clock;
  const now = clock();
  const newAccessed = accessed == UTIME_OMIT ? node.accessed : accessed == UTIME_NOW ? now : nanosecondsOf(accessedSeconds, accessed);
  const newModified = modified == UTIME_OMIT ? node.modified : modified == UTIME_NOW ? now : nanosecondsOf(modifiedSeconds, modified);
  fileSystem.setTimes(node, newAccessed, newModified);
  return 0;
}

/** umask: the new mask (& 0777); returns the old one. */
export function sysUmask(linux: LinuxProcess, mask: u64): i64 {
  const old = linux.umask;
  linux.umask = <u32>mask & 0o777;
  return <i64>old;
}

/** statfs and fstatfs: the file system as tmpfs reports itself: its quota's pages as blocks of
 * 4 KiB, its node limit as files, names of 255 bytes, ST_RDONLY through a read-only namespace,
 * ST_NOATIME (reads do not stamp atime). fstatfs of the console or a pipe: ENOSYS (logged). */
export function sysStatfs(thread: Thread, linux: LinuxProcess, fd: u64, path: u64, buffer: u64, via: Via): i64 {
  const error = new StaticArray<i64>(1);
  let target: Target | null = null;
  if (via == Via.Descriptor) {
    if (linux.handleOf(<i64><i32>fd) == 0) return -(<i64>Errno.EBADF);
    if (fileOf(thread, linux, <u64><i64><i32>fd) === null) return UNSUPPORTED;
    target = descriptorTarget(thread, linux, <u64><i64><i32>fd, error, Errno.EBADF, false);
  } else {
    target = targetOf(thread, linux, <u64><i64>AT_FDCWD, path, true, false, error);
  }
  if (target === null) return error[0];
  const fileSystem = target.fileSystem!, quota = fileSystem.quota;
  const out = state.buffer;
  memory.fill(out, 0, <usize>STATFS_SIZE);
  if (fileSystem === procFileSystem()) {   // procfs: its magic, no blocks, no files, as Linux's
    store<u64>(out, PROC_SUPER_MAGIC);
    store<u64>(out, 4096, 8);
    store<u64>(out, <u64>FS_NAME_MAXIMUM, 64);
    store<u64>(out, 4096, 72);
    store<u64>(out, ST_VALID | PROC_MOUNT_FLAGS, 80);
    return copyOut(thread.process.space, buffer, out, 256, STATFS_SIZE) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
  }
  store<u64>(out, TMPFS_MAGIC);
  store<u64>(out, 4096, 8);                                   // f_bsize
  store<u64>(out, quota.limit, 16);                           // f_blocks
  store<u64>(out, quota.available, 24);                       // f_bfree
  store<u64>(out, quota.available, 32);                       // f_bavail
  store<u64>(out, <u64>FS_NODES_MAXIMUM, 40);                 // f_files
  store<u64>(out, <u64>(FS_NODES_MAXIMUM - fileSystem.nodes), 48);
  store<u32>(out, fileSystem.id, 56);                         // f_fsid
  store<u64>(out, <u64>FS_NAME_MAXIMUM, 64);                  // f_namelen
  store<u64>(out, 4096, 72);                                  // f_frsize
  store<u64>(out, ST_VALID | ST_NOATIME | (target.writable ? 0 : ST_RDONLY), 80);
  return copyOut(thread.process.space, buffer, out, 256, STATFS_SIZE) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** statx: the basic stats of a path or (AT_EMPTY_PATH and "") of a File; EINVAL for unknown
 * flags, both sync types or the reserved mask bit. A descriptor of the console or a pipe:
 * ENOSYS (logged; fstat answers for them). */
export function sysStatx(thread: Thread, linux: LinuxProcess, dirfd: u64, path: u64, flags: u64, mask: u64, buffer: u64): i64 {
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)) != 0) return -(<i64>Errno.EINVAL);
  if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & STATX_RESERVED) != 0) return -(<i64>Errno.EINVAL);
  const error = new StaticArray<i64>(1);
  if ((flags & AT_EMPTY_PATH) != 0) {
    const length = pathIn(thread, path);
    if (length == 0 && linux.handleOf(<i64><i32>dirfd) != 0 && fileOf(thread, linux, <u64><i64><i32>dirfd) === null) return UNSUPPORTED;
  }
  const target = targetOf(thread, linux, <u64><i64><i32>dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0, (flags & AT_EMPTY_PATH) != 0, error);
  if (target === null) return error[0];
  const node = target.node!;
  const out = state.buffer;
  memory.fill(out, 0, <usize>STATX_SIZE);
  store<u32>(out, STATX_BASIC_STATS);                          // stx_mask
  store<u32>(out, 4096, 4);                                    // stx_blksize
  store<u32>(out, node.links, 16);
  store<u32>(out, node.uid, 20);
  store<u32>(out, node.gid, 24);
  store<u16>(out, <u16>node.mode, 28);
  store<u64>(out, node.inode, 32);
  store<u64>(out, reportedSize(node), 40);
  store<u64>(out, node.isRegular ? (node.size + 511) / 512 : 0, 48);   // as fstat's st_blocks
  timestamp(out + 64, node.accessed);
  timestamp(out + 96, node.changed);
  timestamp(out + 112, node.modified);
  store<u32>(out, node.rdevMajor, 128);
  store<u32>(out, node.rdevMinor, 132);
  store<u32>(out, 0, 136);                                     // stx_dev: 0:id, as fstat's st_dev
  store<u32>(out, target.fileSystem!.id, 140);
  return copyOut(thread.process.space, buffer, out, 256, STATX_SIZE) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** A struct statx_timestamp (i64 seconds, u32 nanoseconds) of `nanoseconds` since the epoch. */
function timestamp(at: usize, nanoseconds: i64): void {
  let seconds = nanoseconds / 1_000_000_000, rest = nanoseconds % 1_000_000_000;
  if (rest < 0) { seconds--; rest += 1_000_000_000; }
  store<i64>(at, seconds);
  store<u32>(at, <u32>rest, 8);
}
