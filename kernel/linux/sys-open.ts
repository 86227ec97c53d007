// open, openat and creat (docs/linux.md, "Files"): a path of the process's Namespace becomes a
// File capability behind the lowest free descriptor, created when O_CREAT asks and the namespace
// is writable (a read-only one says EROFS for anything that would change a file), truncated by
// O_TRUNC. A character device opens to what it names (sys-dev.ts): the memory devices to a File,
// /dev/tty and /dev/console to the process's own Console capability. The checks come in Linux's
// order (fs/namei.c: open_last_lookups, do_open, may_open), so each error is the one Linux gives.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { FS_SYMLINKS_FOLLOWED_MAXIMUM, PERMISSION_BITS, S_IFREG } from "../fs/node";
import { resolve, Resolve } from "../fs/path";
import { FILE_BYTES, FileObject } from "../objects/file";
import { Thread } from "../sched/thread";
import { Errno, linuxErrno, linuxFsErrno } from "./errno";
import { FD_CLOEXEC, LinuxProcess, STATUS_CONSOLE } from "./linux-process";
import { consoleHandleOf, Device, deviceOf } from "./sys-dev";
import { namespaceOf, resolveAt } from "./sys-path";
import { procLast, procOpen } from "./sys-proc";
import { STATUS_NONBLOCK } from "./sys-pipe";
import { traceBacked } from "./trace";

const O_ACCMODE: u64 = 3, O_WRONLY: u64 = 1, O_RDWR: u64 = 2;
const O_CREAT: u64 = 0o100, O_EXCL: u64 = 0o200, O_TRUNC: u64 = 0o1000, O_APPEND: u64 = 0o2000, O_NONBLOCK: u64 = 0o4000;
const O_DIRECTORY: u64 = 0o200000, O_NOFOLLOW: u64 = 0o400000, O_CLOEXEC: u64 = 0o2000000, O_PATH: u64 = 0o10000000;
/** O_TMPFILE without its O_DIRECTORY bit. */
const O_TMPFILE_BIT: u64 = 0o20000000;
/** The descriptor flag F_GETFL reports as O_APPEND (sys-files.ts's STATUS_APPEND). */
const STATUS_APPEND: u8 = 2;

/** openat (open is openat from the working directory; creat is O_CREAT|O_WRONLY|O_TRUNC). */
export function sysOpenat(thread: Thread, linux: LinuxProcess, dirfd: u64, path: u64, flagsArgument: u64, modeArgument: u64): i64 {
  let flags = flagsArgument & 0xffff_ffff;   // an int
  if ((flags & O_PATH) != 0) flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;   // Linux ignores the others
  if ((flags & O_TMPFILE_BIT) != 0) return -(<i64>Errno.EOPNOTSUPP);   // FIXME: unnamed temporary files
  const creating = (flags & O_CREAT) != 0;
  const follow = (flags & O_NOFOLLOW) == 0 && (!creating || (flags & O_EXCL) == 0);
  const error = new StaticArray<i64>(1);
  // O_CREAT looks at the last name as it is first (Linux's open_last_lookups): "/", "." and ".."
  // are EEXIST under O_EXCL, else EISDIR, "name/" EISDIR, before any last link is followed.
  let found = resolveAt(thread, linux, dirfd, path, creating ? Resolve.Parent | Resolve.LastAsIs : follow ? Resolve.Follow : Resolve.NoFollow, 0, error);
  if (found === null) {
    // A name of procfs is opened there (a missing one is ENOENT, even under O_CREAT, as Linux says).
    const place = procLast(), namespace = namespaceOf(thread, linux);
    if (place !== null && place.resolution === null && namespace !== null && place.errno == 0 && place.fileSystem !== namespace.fileSystem) {
      return procOpen(thread, linux, namespace, place, flags);
    }
    return error[0];
  }
  if (found.error != KernelError.None) return -(<i64>linuxErrno(found.error));
  const namespace = namespaceOf(thread, linux)!;
  if (creating) {
    // Each last name met, the path's and then each link body's, is checked as it is before the
    // link is followed (even a dangling one): "/", "." and ".." end it, "name/" is EISDIR.
    for (let links = 0; ; links++) {
      if (found.parent === null) return -(<i64>((flags & O_EXCL) != 0 ? Errno.EEXIST : Errno.EISDIR));   // O_EXCL follows no link
      if (found.trailingSlash) return -(<i64>Errno.EISDIR);
      const last = found.node;
      if (last === null || !last.isSymbolicLink || !follow) break;
      if (links >= <i32>FS_SYMLINKS_FOLLOWED_MAXIMUM) return -(<i64>Errno.ELOOP);
      // The body resolves from the link's directory (an absolute one from the namespace's root).
      found = resolve(namespace.fileSystem, namespace.root, found.parent!, last.targetAddress(), last.size, Resolve.Parent | Resolve.LastAsIs);
      if (found.error != KernelError.None) return -(<i64>linuxErrno(found.error));
    }
  }
  const fileSystem = namespace.fileSystem;
  let node = found.node;
  let created = false;
  if (creating) {
    if (node !== null && (flags & O_EXCL) != 0) return -(<i64>Errno.EEXIST);
    if (node === null) {
      if (found.parent!.links == 0) return -(<i64>Errno.ENOENT);   // a removed directory
      if (!namespace.writable) return -(<i64>Errno.EROFS);
      const made = fileSystem.create(found.parent!, found.name, found.nameLength, S_IFREG | (<u32>modeArgument & PERMISSION_BITS & ~linux.umask));
      if (made.error != KernelError.None) return -(<i64>linuxFsErrno(made.error));
      node = made.node;
      created = true;
    }
  }
  const opened = node!;
  const access = flags & O_ACCMODE;
  const writing = access == O_WRONLY || access == O_RDWR || access == O_ACCMODE;
  if (creating && opened.isDirectory) return -(<i64>Errno.EISDIR);
  if ((flags & O_DIRECTORY) != 0 && !opened.isDirectory) return -(<i64>Errno.ENOTDIR);
  if ((flags & O_PATH) == 0) {
    if (opened.isSymbolicLink) return -(<i64>Errno.ELOOP);   // O_NOFOLLOW
    if (opened.isDirectory && (writing || (flags & O_TRUNC) != 0)) return -(<i64>Errno.EISDIR);
    const device = opened.isCharacterDevice ? deviceOf(opened) : Device.None;
    if (opened.isCharacterDevice && device == Device.None) return -(<i64>Errno.ENXIO);   // no driver for that number
    if (device == Device.Tty || device == Device.Console) return openConsole(thread, linux, device, flags);
    if (!opened.isCharacterDevice && (writing || (flags & O_TRUNC) != 0) && !namespace.writable) return -(<i64>Errno.EROFS);
  }
  const process = thread.process;
  const fd = linux.lowestFree(0);
  if (fd < 0) return -(<i64>Errno.EMFILE);
  if (process.account.kernelFits(FILE_BYTES) != KernelError.None) return -(<i64>Errno.ENOMEM);
  if ((flags & O_TRUNC) != 0 && (flags & O_PATH) == 0 && opened.isRegular && !created) {
    const truncated = fileSystem.truncate(opened, 0);
    if (truncated != KernelError.None) return -(<i64>linuxFsErrno(truncated));
  }
  const slot = process.table.reserve();
  if (slot < 0) return -(<i64>Errno.ENFILE);
  const pathOnly = (flags & O_PATH) != 0;
  const file = new FileObject(fileSystem, opened, !pathOnly && access != O_WRONLY && access != O_ACCMODE, !pathOnly && (access == O_WRONLY || access == O_RDWR));
  file.namespaceWritable = namespace.writable;
  file.pathOnly = pathOnly;
  file.chargeTo(process.account, FILE_BYTES);
  linux.descriptors[fd] = process.table.commit(slot, file);
  linux.descriptorFlags[fd] = ((flags & O_CLOEXEC) != 0 ? FD_CLOEXEC : 0) | ((flags & O_NONBLOCK) != 0 ? STATUS_NONBLOCK : 0)
    | ((flags & O_APPEND) != 0 ? STATUS_APPEND : 0);
  traceBacked(linux.descriptors[fd], Interface.File);
  return fd;
}

/** /dev/tty and /dev/console: a descriptor naming the process's Console capability, as its
 * descriptors 0, 1 and 2 do; without one ENXIO (/dev/tty: no controlling terminal) or ENODEV
 * (/dev/console: no console), as Linux says. */
function openConsole(thread: Thread, linux: LinuxProcess, device: Device, flags: u64): i64 {
  const handle = consoleHandleOf(thread);
  if (handle == 0) return -(<i64>(device == Device.Tty ? Errno.ENXIO : Errno.ENODEV));
  const fd = linux.lowestFree(0);
  if (fd < 0) return -(<i64>Errno.EMFILE);
  linux.descriptors[fd] = handle;
  linux.descriptorFlags[fd] = ((flags & O_CLOEXEC) != 0 ? FD_CLOEXEC : 0) | ((flags & O_NONBLOCK) != 0 ? STATUS_NONBLOCK : 0)
    | ((flags & O_APPEND) != 0 ? STATUS_APPEND : 0) | (device == Device.Console ? STATUS_CONSOLE : 0);
  traceBacked(handle, Interface.Console);
  return fd;
}
