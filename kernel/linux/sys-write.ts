// Writing files (docs/linux.md, "Files"): write, pwrite64, writev and readv on a File, truncate
// and ftruncate, fsync, fdatasync, sync and syncfs. Bytes go into the namespace's ramfs
// (kernel/fs/ramfs.ts), which charges every frame and record to the file system's own quota:
// running out of it is ENOSPC, as a full tmpfs says, and never touches the kernel's own memory.
// A File opened for writing exists only through a writable Namespace (sys-open.ts), so these
// calls need no other right. Callers: syscall.ts, and sys-files.ts for write, writev and readv
// of a descriptor that names a File.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { FS_FILE_MAXIMUM } from "../fs/node";
import { Resolve } from "../fs/path";
import { FileObject } from "../objects/file";
import { Thread } from "../sched/thread";
import { copyIn } from "../vm/user-memory";
import { procWrite } from "./sys-proc";
import { Errno, linuxErrno, linuxFsErrno } from "./errno";
import { LinuxProcess } from "./linux-process";
import { deviceWrite } from "./sys-dev";
import { fileOf, fileRead, namespaceOf, resolveAt } from "./sys-path";

/** Bytes one write to a file copies at most (a longer write is short; Linux caps one at
 * 0x7ffff000). Bounds the work of one kernel entry. */
export const FILE_WRITE_MAXIMUM: u64 = 1 << 20;
/** iovecs one readv or writev takes (Linux's UIO_MAXIOV). */
const IOV_MAXIMUM: u64 = 1024;
/** The descriptor flag set by O_APPEND (sys-files.ts's STATUS_APPEND). */
const STATUS_APPEND: u8 = 2;

class WriteState {
  /** A chunk of user bytes on its way into a file. */
  readonly buffer: usize = memory.data(4096, 16);
  /** One iovec. */
  readonly vector: usize = memory.data(16, 16);
}
const state = new WriteState();

/** write (offset -1: the File's own, which moves) and pwrite64 (at `offset`) of `file`, which
 * descriptor `fd` names: at most FILE_WRITE_MAXIMUM bytes; O_APPEND writes at the end, pwrite too
 * (as Linux). EBADF when not opened for writing; a memory device answers for itself (sys-dev.ts);
 * EFAULT for a bad buffer, ENOSPC when the file system is full, EFBIG past the largest file, each
 * only when nothing was written (else the count written). */
export function fileWrite(thread: Thread, linux: LinuxProcess, file: FileObject, fd: u64, buffer: u64, count: u64, offset: i64): i64 {
  if (!file.writable) return -(<i64>Errno.EBADF);
  if (file.snapshot !== null) return procWrite(file);   // procfs
  const node = file.node;
  if (node.isCharacterDevice) return deviceWrite(thread, file, buffer, count);
  if (node.isDirectory) return -(<i64>Errno.EISDIR);
  if (!node.isRegular) return -(<i64>Errno.EINVAL);
  if (count == 0) return 0;
  const append = (linux.descriptorFlags[<i32>fd] & STATUS_APPEND) != 0;
  let position = append ? node.size : offset >= 0 ? <u64>offset : file.offset;
  if (position >= FS_FILE_MAXIMUM) return -(<i64>Errno.EFBIG);
  const total = min(min(count, FILE_WRITE_MAXIMUM), FS_FILE_MAXIMUM - position);
  const space = thread.process.space;
  let done: u64 = 0;
  while (done < total) {
    const chunk = min(<u64>4096 - (position & 4095), total - done);
    if (copyIn(space, state.buffer, 4096, buffer + done, chunk) != KernelError.None) {
      if (done == 0) return -(<i64>Errno.EFAULT);
      break;
    }
    const written = file.fileSystem.write(node, position, state.buffer, chunk);
    if (written < 0) {
      if (done == 0) return -(<i64>linuxFsErrno(<KernelError>(-written)));
      break;
    }
    done += chunk;
    position += chunk;
  }
  if (offset < 0) file.offset = position;
  return <i64>done;
}

/** pwrite64: ESPIPE for what is not a File, EINVAL for a negative offset. */
export function sysPwrite(thread: Thread, linux: LinuxProcess, fd: u64, buffer: u64, count: u64, offset: u64): i64 {
  const file = fileOf(thread, linux, fd);
  if (file === null) return linux.handleOf(<i64>fd) == 0 ? -(<i64>Errno.EBADF) : -(<i64>Errno.ESPIPE);
  if (<i64>offset < 0) return -(<i64>Errno.EINVAL);
  if (!file.writable) return -(<i64>Errno.EBADF);
  return fileWrite(thread, linux, file, fd, buffer, count, <i64>offset);
}

/** readv and writev of a File: each iovec in turn through read or write, stopping at a short one;
 * EINVAL for more than 1024 iovecs or a negative length; EFAULT for a bad vector when nothing
 * moved yet (else the count so far). */
export function fileVectors(thread: Thread, linux: LinuxProcess, file: FileObject, fd: u64, vectors: u64, count: u64, writing: bool): i64 {
  if (count > IOV_MAXIMUM) return -(<i64>Errno.EINVAL);
  if (writing ? !file.writable : !file.readable) return -(<i64>Errno.EBADF);
  const space = thread.process.space;
  let moved: u64 = 0;
  for (let i: u64 = 0; i < count; i++) {
    if (copyIn(space, state.vector, 16, vectors + i * 16, 16) != KernelError.None) return moved > 0 ? <i64>moved : -(<i64>Errno.EFAULT);
    const base = load<u64>(state.vector), length = load<u64>(state.vector, 8);
    if (<i64>length < 0) return -(<i64>Errno.EINVAL);
    if (length == 0) continue;
    const result = writing ? fileWrite(thread, linux, file, fd, base, length, -1) : fileRead(thread, file, base, length, -1);
    if (result < 0) return moved > 0 ? <i64>moved : result;
    moved += <u64>result;
    if (<u64>result < length) break;
  }
  return <i64>moved;
}

/** truncate: the regular file the path names gets `length` bytes (a growth reads as zeros);
 * EINVAL for a negative length or what is not a regular file, EISDIR, EROFS through a read-only
 * namespace, ENOSPC, EFBIG, and the path's errors. */
export function sysTruncate(thread: Thread, linux: LinuxProcess, path: u64, length: u64): i64 {
  if (<i64>length < 0) return -(<i64>Errno.EINVAL);
  const error = new StaticArray<i64>(1);
  const found = resolveAt(thread, linux, <u64><i64>-100, path, Resolve.Follow, 0, error);
  if (found === null) return error[0];
  if (found.error != KernelError.None) return -(<i64>linuxErrno(found.error));
  const node = found.node!;
  if (node.isDirectory) return -(<i64>Errno.EISDIR);
  if (!node.isRegular) return -(<i64>Errno.EINVAL);
  const namespace = namespaceOf(thread, linux)!;
  if (!namespace.writable) return -(<i64>Errno.EROFS);
  const truncated = namespace.fileSystem.truncate(node, length);
  return truncated != KernelError.None ? -(<i64>linuxFsErrno(truncated)) : 0;
}

/** ftruncate: as truncate on the File `fd` names, which must be a regular file open for writing
 * (else EINVAL, as Linux); EBADF. */
export function sysFtruncate(thread: Thread, linux: LinuxProcess, fd: u64, length: u64): i64 {
  if (<i64>length < 0) return -(<i64>Errno.EINVAL);
  if (linux.handleOf(<i64>fd) == 0) return -(<i64>Errno.EBADF);
  const file = fileOf(thread, linux, fd);
  if (file !== null && file.pathOnly) return -(<i64>Errno.EBADF);
  if (file === null || !file.node.isRegular || !file.writable) return -(<i64>Errno.EINVAL);
  const truncated = file.fileSystem.truncate(file.node, length);
  return truncated != KernelError.None ? -(<i64>linuxFsErrno(truncated)) : 0;
}

/** fsync, fdatasync and syncfs: a File's bytes are in memory, which is all the storage there is
 * (as tmpfs): 0; EBADF for a closed descriptor or an O_PATH one; EINVAL for a pipe or the console (as Linux, which
 * has no fsync for them), except syncfs, which takes any descriptor. */
export function sysFsync(thread: Thread, linux: LinuxProcess, fd: u64, anyDescriptor: bool): i64 {
  const handle = linux.handleOf(<i64>fd);
  if (handle == 0) return -(<i64>Errno.EBADF);
  const file = fileOf(thread, linux, fd);
  if (file !== null && file.pathOnly) return -(<i64>Errno.EBADF);
  if (anyDescriptor) return 0;
  return file !== null ? 0 : -(<i64>Errno.EINVAL);
}
