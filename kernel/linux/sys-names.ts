// Changing names (docs/linux.md, "Files"): mkdir, rmdir, unlink, rename, link and symlink and
// their *at forms, in the process's Namespace (kernel/fs/ramfs.ts does the work). A read-only
// namespace says EROFS. The checks come in Linux's order (fs/namei.c: filename_create,
// do_rmdir, do_unlinkat, do_renameat2, do_linkat), so each error is the one Linux gives: a name
// that exists is EEXIST before a read-only namespace is EROFS for the calls that create, while
// the calls that remove say EROFS before they look the name up.

import { KernelError } from "../../abi/errors";
import { Node, S_IFDIR, S_IFSOCK } from "../fs/node";
import { Resolution, Resolve } from "../fs/path";
import { Thread } from "../sched/thread";
import { Errno, linuxErrno, linuxFsErrno } from "./errno";
import { LinuxProcess } from "./linux-process";
import { fileOf, namespaceOf, pathIn, resolveAt } from "./sys-path";

const AT_REMOVEDIR: u64 = 0x200, AT_SYMLINK_FOLLOW: u64 = 0x400, AT_EMPTY_PATH: u64 = 0x1000;
const RENAME_NOREPLACE: u64 = 1;

class NamesState {
  /** The first and second paths of a call (4096 bytes each, Linux's PATH_MAX). */
  readonly first: usize = memory.data(4096, 16);
  readonly second: usize = memory.data(4096, 16);
}
const state = new NamesState();

/** What a path with no last name ends with (fs/path.ts gives no parent for these). */
enum Last { Root, Dot, DotDot }

/** How the NUL-terminated path at `path` ends: "/" (only slashes), "." or "..". */
function lastOf(path: usize): Last {
  let end = path;
  while (load<u8>(end) != 0) end++;
  while (end > path && load<u8>(end - 1) == 0x2f) end--;
  if (end == path) return Last.Root;
  let start = end;
  while (start > path && load<u8>(start - 1) != 0x2f) start--;
  return end - start == 1 ? Last.Dot : Last.DotDot;   // resolve gave no last name: "." or ".."
}

/** The resolution of `path` from `dirfd` for a call that creates or removes its last name, into
 * `buffer`; null with -errno in error[0] when it failed. */
function parentOf(thread: Thread, linux: LinuxProcess, dirfd: u64, path: u64, buffer: usize, error: StaticArray<i64>): Resolution | null {
  const found = resolveAt(thread, linux, dirfd, path, Resolve.Parent | Resolve.NoFollow | Resolve.LastAsIs, buffer, error);
  if (found === null) return null;
  if (found.error != KernelError.None) {
    error[0] = -(<i64>linuxErrno(found.error));
    return null;
  }
  return found;
}

/** Whether the process's namespace may be changed (it has one: the caller resolved a path). */
function writable(thread: Thread, linux: LinuxProcess): bool {
  return namespaceOf(thread, linux)!.writable;
}

/** Why a new name cannot be made where `found` points (0 when it can): EEXIST for one that
 * exists or a path with no last name, ENOENT for "name/" of what is not a directory or for a
 * removed directory, EROFS. */
function createCheck(thread: Thread, linux: LinuxProcess, found: Resolution, directory: bool): i64 {
  if (found.parent === null || found.node !== null) return -(<i64>Errno.EEXIST);
  if (found.trailingSlash && !directory) return -(<i64>Errno.ENOENT);
  if (!writable(thread, linux)) return -(<i64>Errno.EROFS);
  if (found.parent!.links == 0) return -(<i64>Errno.ENOENT);
  return 0;
}

/** mkdir and mkdirat: a directory of mode & 01777 & ~umask. */
export function sysMkdirat(thread: Thread, linux: LinuxProcess, dirfd: u64, path: u64, mode: u64): i64 {
  const error = new StaticArray<i64>(1);
  const found = parentOf(thread, linux, dirfd, path, state.first, error);
  if (found === null) return error[0];
  const refused = createCheck(thread, linux, found, true);
  if (refused != 0) return refused;
  const made = namespaceOf(thread, linux)!.fileSystem.create(found.parent!, found.name, found.nameLength,
    S_IFDIR | (<u32>mode & 0o1777 & ~linux.umask));
  return made.error != KernelError.None ? -(<i64>linuxFsErrno(made.error)) : 0;
}

/** A socket file at the path at `address` (bind of an AF_UNIX socket): mode 0777 less the umask;
 * its node, or null with -errno in error[0]: EADDRINUSE for a name that exists (as Linux), EROFS,
 * ENOENT, ENOTDIR, ENOSPC. */
export function socketFileMake(thread: Thread, linux: LinuxProcess, address: u64, error: StaticArray<i64>): Node | null {
  const found = parentOf(thread, linux, <u64><i64>-100, address, state.first, error);   // AT_FDCWD
  if (found === null) return null;
  const refused = createCheck(thread, linux, found, false);
  if (refused != 0) {
    error[0] = refused == -(<i64>Errno.EEXIST) ? -(<i64>Errno.EADDRINUSE) : refused;
    return null;
  }
  const made = namespaceOf(thread, linux)!.fileSystem.create(found.parent!, found.name, found.nameLength, S_IFSOCK | (0o777 & ~linux.umask));
  if (made.error != KernelError.None) {
    error[0] = -(<i64>linuxFsErrno(made.error));
    return null;
  }
  return made.node;
}

/** rmdir (and unlinkat with AT_REMOVEDIR): EINVAL for ".", ENOTEMPTY for "..", EBUSY for "/",
 * EROFS, ENOENT, ENOTDIR, ENOTEMPTY. */
export function sysRmdirat(thread: Thread, linux: LinuxProcess, dirfd: u64, path: u64): i64 {
  const error = new StaticArray<i64>(1);
  const found = parentOf(thread, linux, dirfd, path, state.first, error);
  if (found === null) return error[0];
  if (found.parent === null) {
    const last = lastOf(state.first);
    return -(<i64>(last == Last.Dot ? Errno.EINVAL : last == Last.DotDot ? Errno.ENOTEMPTY : Errno.EBUSY));
  }
  if (!writable(thread, linux)) return -(<i64>Errno.EROFS);
  if (found.node === null) return -(<i64>Errno.ENOENT);
  const removed = namespaceOf(thread, linux)!.fileSystem.rmdir(found.parent!, found.name, found.nameLength);
  return removed != KernelError.None ? -(<i64>linuxFsErrno(removed)) : 0;
}

/** unlink and unlinkat: EISDIR for a directory (or a path with no last name), EROFS, ENOENT;
 * unlinkat's AT_REMOVEDIR is rmdir, other flags EINVAL. */
export function sysUnlinkat(thread: Thread, linux: LinuxProcess, dirfd: u64, path: u64, flags: u64): i64 {
  if ((flags & ~AT_REMOVEDIR) != 0) return -(<i64>Errno.EINVAL);
  if (flags != 0) return sysRmdirat(thread, linux, dirfd, path);
  const error = new StaticArray<i64>(1);
  const found = parentOf(thread, linux, dirfd, path, state.first, error);
  if (found === null) return error[0];
  if (found.parent === null) return -(<i64>Errno.EISDIR);
  if (!writable(thread, linux)) return -(<i64>Errno.EROFS);
  if (found.node === null) return -(<i64>Errno.ENOENT);
  if (found.trailingSlash && !found.node!.isDirectory) return -(<i64>Errno.ENOTDIR);   // "file/", "link/"
  const removed = namespaceOf(thread, linux)!.fileSystem.unlink(found.parent!, found.name, found.nameLength);
  return removed != KernelError.None ? -(<i64>linuxFsErrno(removed)) : 0;
}

/** rename, renameat, renameat2 with flags 0 or RENAME_NOREPLACE (RENAME_EXCHANGE and
 * RENAME_WHITEOUT: EINVAL). EBUSY for a path with no last name (EEXIST for the new one under
 * NOREPLACE), EROFS, ENOENT, ENOTDIR for "name/" of what is not a directory, EEXIST under
 * NOREPLACE, EINVAL for a directory into itself, EISDIR, ENOTDIR, ENOTEMPTY, ENOSPC. */
export function sysRenameat2(thread: Thread, linux: LinuxProcess, fromDirfd: u64, fromPath: u64, toDirfd: u64, toPath: u64, flags: u64): i64 {
  if (((flags & 0xffff_ffff) & ~RENAME_NOREPLACE) != 0) return -(<i64>Errno.EINVAL);
  const noReplace = (flags & RENAME_NOREPLACE) != 0;
  const error = new StaticArray<i64>(1);
  const from = parentOf(thread, linux, fromDirfd, fromPath, state.first, error);
  if (from === null) return error[0];
  const to = parentOf(thread, linux, toDirfd, toPath, state.second, error);
  if (to === null) return error[0];
  if (from.parent === null) return -(<i64>Errno.EBUSY);
  if (to.parent === null) return -(<i64>(noReplace ? Errno.EEXIST : Errno.EBUSY));
  if (!writable(thread, linux)) return -(<i64>Errno.EROFS);
  if (from.node === null) return -(<i64>Errno.ENOENT);
  if (noReplace && to.node !== null) return -(<i64>Errno.EEXIST);
  if (!from.node!.isDirectory && (from.trailingSlash || to.trailingSlash)) return -(<i64>Errno.ENOTDIR);
  // Linux's two ancestry checks (lock_rename's trap), before the kinds are compared: the source
  // above the target's directory is EINVAL, the target above the source's directory ENOTEMPTY.
  const fileSystem = namespaceOf(thread, linux)!.fileSystem;
  if (from.node!.isDirectory && fileSystem.contains(from.node!, to.parent!)) return -(<i64>Errno.EINVAL);
  if (to.node !== null && to.node!.isDirectory && to.node !== from.node && fileSystem.contains(to.node!, from.parent!)) return -(<i64>Errno.ENOTEMPTY);
  const renamed = fileSystem.rename(from.parent!, from.name, from.nameLength, to.parent!, to.name, to.nameLength);
  return renamed != KernelError.None ? -(<i64>linuxFsErrno(renamed)) : 0;
}

/** link and linkat: `toPath` names what `fromPath` names (a symbolic link itself unless
 * AT_SYMLINK_FOLLOW; with AT_EMPTY_PATH and "", the File `fromDirfd` names). EINVAL for other
 * flags; the old path's errors, then EEXIST, ENOENT, EROFS; EPERM for a directory. */
export function sysLinkat(thread: Thread, linux: LinuxProcess, fromDirfd: u64, fromPath: u64, toDirfd: u64, toPath: u64, flags: u64): i64 {
  if ((flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) != 0) return -(<i64>Errno.EINVAL);
  const error = new StaticArray<i64>(1);
  let node: Node | null = null;
  if ((flags & AT_EMPTY_PATH) != 0) {
    const length = pathIn(thread, fromPath, state.first);
    if (length < 0) return length;
    if (length == 0) {
      const file = fileOf(thread, linux, fromDirfd);
      if (file === null) return linux.handleOf(<i64>fromDirfd) == 0 ? -(<i64>Errno.EBADF) : -(<i64>Errno.ENOENT);
      node = file.node;
    }
  }
  if (node === null) {
    const found = resolveAt(thread, linux, fromDirfd, fromPath, (flags & AT_SYMLINK_FOLLOW) != 0 ? Resolve.Follow : Resolve.NoFollow,
      state.first, error);
    if (found === null) return error[0];
    if (found.error != KernelError.None) return -(<i64>linuxErrno(found.error));
    node = found.node;
  }
  const to = parentOf(thread, linux, toDirfd, toPath, state.second, error);
  if (to === null) return error[0];
  const refused = createCheck(thread, linux, to, false);
  if (refused != 0) return refused;
  if (node!.links == 0) return -(<i64>Errno.ENOENT);
  const linked = namespaceOf(thread, linux)!.fileSystem.link(to.parent!, to.name, to.nameLength, node!);
  return linked != KernelError.None ? -(<i64>linuxFsErrno(linked)) : 0;
}

/** symlink and symlinkat: `linkPath` becomes a symbolic link to the bytes of `target` (ENOENT
 * when empty, ENAMETOOLONG past 4095); then as the other calls that create. */
export function sysSymlinkat(thread: Thread, linux: LinuxProcess, target: u64, dirfd: u64, linkPath: u64): i64 {
  const targetLength = pathIn(thread, target, state.first);
  if (targetLength < 0) return targetLength;
  if (targetLength == 0) return -(<i64>Errno.ENOENT);
  const error = new StaticArray<i64>(1);
  const found = parentOf(thread, linux, dirfd, linkPath, state.second, error);
  if (found === null) return error[0];
  const refused = createCheck(thread, linux, found, false);
  if (refused != 0) return refused;
  const made = namespaceOf(thread, linux)!.fileSystem.symlink(found.parent!, found.name, found.nameLength, state.first, <u32>targetLength);
  return made.error != KernelError.None ? -(<i64>linuxFsErrno(made.error)) : 0;
}
