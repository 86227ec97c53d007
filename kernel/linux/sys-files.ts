// Descriptor calls (docs/linux.md, "Descriptors"): each descriptor names a capability in the
// process's table, and a call acts on that capability or fails with the errno documented there.
// A descriptor names the Console (written, stat'ed, asked tty questions), a pipe's end
// (sys-pipe.ts) or a File (read here through sys-path.ts, written through sys-write.ts).

import { procNetGranted } from "./proc-net";
import { ifreqIoctl, ifreqRequest } from "./sys-ifreq";
import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { CONSOLE_USER_WRITE_MAXIMUM, consoleWriteFrom } from "../objects/console";
import { Thread } from "../sched/thread";
import { copyIn, copyOut } from "../vm/user-memory";
import { Errno, linuxErrno } from "./errno";
import { FD_CLOEXEC, LINUX_DESCRIPTORS, LinuxProcess, STATUS_CONSOLE } from "./linux-process";
import { traceBacked } from "./trace";
import { PipeObject } from "../objects/pipe";
import { pipeReadCall, pipeWriteCall } from "./sys-pipe";
import { Sys } from "./numbers";
import { FileObject } from "../objects/file";
import { descriptorStatFill, fileOf, fileRead, fileSeek, fileStat, sysStatAt } from "./sys-path";
import { UNSUPPORTED } from "./errno";
import { ttyIoctl, ttyReadCall, ttyWriteCheck } from "./sys-tty";
import { fileVectors, fileWrite } from "./sys-write";
import { EventCounterObject } from "../objects/event-counter";
import { eventfdRead, eventfdWrite } from "./sys-eventfd";
import { UnixSocketObject } from "../objects/unix-socket";
import { socketRead, socketWrite, unixReadable } from "./sys-socket";
import { UnixEndpointObject } from "../objects/unix-endpoint";
import { unixDatagramReadable, unixDatagramReceive, unixDatagramSend } from "./sys-unix-dgram";
import { inetReadable, inetReceive, inetSend, inetSendfile } from "./sys-inet";
import { InetSocketObject } from "../objects/inet-socket";
import { S_IFMT, S_IFREG } from "../fs/node";

const AT_EMPTY_PATH: u64 = 0x1000;
const O_CLOEXEC: u64 = 0x80000;
const O_RDONLY: i64 = 0, O_WRONLY: i64 = 1, O_RDWR: i64 = 2, O_PATH: i64 = 0o10000000;
const F_DUPFD: u64 = 0, F_GETFD: u64 = 1, F_SETFD: u64 = 2, F_GETFL: u64 = 3, F_SETFL: u64 = 4, F_DUPFD_CLOEXEC: u64 = 1030;
/** The status flags F_SETFL keeps (O_APPEND, O_NONBLOCK), per descriptor in the bits above
 * FD_CLOEXEC, reported by F_GETFL. */
const STATUS_APPEND: u8 = 2, STATUS_NONBLOCK: u8 = 4;
/** iovecs one writev takes (Linux's UIO_MAXIOV). */
const IOV_MAXIMUM: u64 = 1024;
const FIONREAD: u64 = 0x541b;
/** The requests Linux answers for every descriptor before its device's own (do_vfs_ioctl). */
const FIONBIO: u64 = 0x5421, FIONCLEX: u64 = 0x5450, FIOCLEX: u64 = 0x5451;
/** F_GETFL's O_LARGEFILE: Linux's 64-bit open sets it on every file it opens (and on the console
 * it opens for init), not on pipes. */
const O_LARGEFILE: i64 = 0o100000;
const STAT_SIZE: u64 = 144;

class FilesState {
  readonly buffer: usize = memory.data(256, 16);
}
const state = new FilesState();

/** The handle `fd` names (noted for the trace), or -EBADF. */
function descriptorHandle(thread: Thread, linux: LinuxProcess, fd: u64): i64 {
  const handle = linux.handleOf(<i64>fd);
  if (handle == 0) return -(<i64>Errno.EBADF);
  const iface = thread.process.table.interfaceOf(handle);
  if (iface == Interface.None) return -(<i64>Errno.EBADF);   // the capability went (cannot happen while a descriptor names it)
  traceBacked(handle, iface);
  return <i64>handle;
}

/** sendfile(out, in, offset, count): `in` a regular file opened for reading (EBADF when not
 * readable, EINVAL for another kind), `out` a connected TCP socket (sys-inet.ts, inetSendfile;
 * EINVAL for any other descriptor, which Linux takes too: the C libraries and busybox then copy
 * with read and write); *offset (EFAULT, EINVAL when negative) is read and written back, else the
 * file's offset advances. */
export function sysSendfile(thread: Thread, linux: LinuxProcess, out: u64, input: u64, offsetAt: u64, count: u64): i64 {
  const source = descriptorHandle(thread, linux, input);
  if (source < 0) return source;
  const destination = descriptorHandle(thread, linux, out);
  if (destination < 0) return destination;
  const table = thread.process.table;
  const from = table.lookup(<u64>source)!, to = table.lookup(<u64>destination)!;
  if (from.iface != Interface.File) return -(<i64>Errno.EINVAL);
  const file = changetype<FileObject>(from);
  if (!file.readable || file.pathOnly) return -(<i64>Errno.EBADF);
  if ((file.node.mode & S_IFMT) != S_IFREG || file.snapshot !== null) return -(<i64>Errno.EINVAL);
  if (to.iface != Interface.InetSocket) return -(<i64>Errno.EINVAL);
  if (<i64>count < 0) return -(<i64>Errno.EINVAL);
  const space = thread.process.space;
  let position = file.offset;
  if (offsetAt != 0) {
    if (copyIn(space, state.buffer, 256, offsetAt, 8) != KernelError.None) return -(<i64>Errno.EFAULT);
    if (load<i64>(state.buffer) < 0) return -(<i64>Errno.EINVAL);
    position = load<u64>(state.buffer);
  }
  const result = inetSendfile(thread, linux, changetype<InetSocketObject>(to), <i32>out, <u64>Sys.sendfile, file, position, min(count, 0x7fff_f000));
  if (result < 0) return result;
  if (offsetAt == 0) file.offset = position + <u64>result;
  else {
    store<u64>(state.buffer, position + <u64>result);
    if (copyOut(space, offsetAt, state.buffer, 256, 8) != KernelError.None) return -(<i64>Errno.EFAULT);
  }
  return result;
}

export function sysWrite(thread: Thread, linux: LinuxProcess, fd: u64, buffer: u64, count: u64): i64 {
  const handle = descriptorHandle(thread, linux, fd);
  if (handle < 0) return handle;
  const object = thread.process.table.lookup(<u64>handle)!;
  if (object.iface == Interface.Pipe) {
    const pipe = changetype<PipeObject>(object);
    if (pipe.reading) return -(<i64>Errno.EBADF);
    if (<i64>count < 0) return -(<i64>Errno.EINVAL);
    return pipeWriteCall(thread, linux, pipe.ring, <i32>fd, <u64>Sys.write, buffer, count, 0, 0);
  }
  if (object.iface == Interface.File) return fileWrite(thread, linux, changetype<FileObject>(object), fd, buffer, count, -1);
  if (object.iface == Interface.UnixSocket) return socketWrite(thread, linux, changetype<UnixSocketObject>(object), <i32>fd, <u64>Sys.write, buffer, count, 0, 0);
  if (object.iface == Interface.InetSocket) return inetSend(thread, linux, changetype<InetSocketObject>(object), <i32>fd, <u64>Sys.write, buffer, count, 0, 0, 0, false, 0, 0);
  if (object.iface == Interface.UnixEndpoint) return endpointWrite(thread, linux, changetype<UnixEndpointObject>(object), <i32>fd, <u64>Sys.write, buffer, count, 0, 0);
  if (object.iface == Interface.EventCounter && changetype<EventCounterObject>(object).timer !== null) return -(<i64>Errno.EINVAL);   // a timerfd
  if (object.iface == Interface.EventCounter) return eventfdWrite(thread, linux, changetype<EventCounterObject>(object), <i32>fd, <u64>Sys.write, buffer, count);
  if (object.iface != Interface.Console) return -(<i64>Errno.EINVAL);
  if (<i64>count < 0) return -(<i64>Errno.EINVAL);
  const background = ttyWriteCheck(thread, linux, <i32>fd, <u64>Sys.write);
  if (background != 0) return background;
  const length = min(count, CONSOLE_USER_WRITE_MAXIMUM);
  const error = consoleWriteFrom(thread.process.space, buffer, length);
  return error != KernelError.None ? -(<i64>linuxErrno(error)) : <i64>length;
}

/** write and writev of an AF_UNIX socket not connected: a datagram endpoint sends to its peer
 * (sys-unix-dgram.ts); a stream's says ENOTCONN. */
function endpointWrite(thread: Thread, linux: LinuxProcess, endpoint: UnixEndpointObject, fd: i32, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64): i64 {
  if (endpoint.kind != 2) return -(<i64>Errno.ENOTCONN);
  return unixDatagramSend(thread, linux, endpoint, fd, number, buffer, count, vectors, vectorCount, 0, 0, 0, null);
}

/** writev: each iovec in turn, up to CONSOLE_USER_WRITE_MAXIMUM bytes in all; a bad buffer after
 * some bytes ends the call with what was written (EFAULT when none was). */
export function sysWritev(thread: Thread, linux: LinuxProcess, fd: u64, vectors: u64, count: u64): i64 {
  const handle = descriptorHandle(thread, linux, fd);
  if (handle < 0) return handle;
  const object = thread.process.table.lookup(<u64>handle)!;
  if (object.iface == Interface.Pipe) {
    const pipe = changetype<PipeObject>(object);
    if (pipe.reading) return -(<i64>Errno.EBADF);
    return pipeWriteCall(thread, linux, pipe.ring, <i32>fd, <u64>Sys.writev, 0, 0, vectors, count);
  }
  if (object.iface == Interface.File) return fileVectors(thread, linux, changetype<FileObject>(object), fd, vectors, count, true);
  if (object.iface == Interface.UnixSocket) return socketWrite(thread, linux, changetype<UnixSocketObject>(object), <i32>fd, <u64>Sys.writev, 0, 0, vectors, count);
  if (object.iface == Interface.InetSocket) return inetSend(thread, linux, changetype<InetSocketObject>(object), <i32>fd, <u64>Sys.writev, 0, 0, vectors, count, 0, false, 0, 0);
  if (object.iface == Interface.UnixEndpoint) return endpointWrite(thread, linux, changetype<UnixEndpointObject>(object), <i32>fd, <u64>Sys.writev, 0, 0, vectors, count);
  if (object.iface != Interface.Console) return -(<i64>Errno.EINVAL);
  if (count > IOV_MAXIMUM) return -(<i64>Errno.EINVAL);
  const background = ttyWriteCheck(thread, linux, <i32>fd, <u64>Sys.writev);
  if (background != 0) return background;
  const space = thread.process.space;
  let written: u64 = 0;
  for (let i: u64 = 0; i < count; i++) {
    if (copyIn(space, state.buffer, 256, vectors + i * 16, 16) != KernelError.None) return written > 0 ? <i64>written : -(<i64>Errno.EFAULT);
    const base = load<u64>(state.buffer), length = load<u64>(state.buffer, 8);
    if (<i64>length < 0) return -(<i64>Errno.EINVAL);
    const chunk = min(length, CONSOLE_USER_WRITE_MAXIMUM - written);
    if (chunk == 0) continue;
    if (consoleWriteFrom(space, base, chunk) != KernelError.None) return written > 0 ? <i64>written : -(<i64>Errno.EFAULT);
    written += chunk;
    if (written == CONSOLE_USER_WRITE_MAXIMUM) break;
  }
  return <i64>written;
}

/** read and readv: a pipe's read end (sys-pipe.ts). The Console capability has no input yet (the
 * tty step adds it), so a descriptor naming it is not open for reading: EBADF, as Linux says for
 * a write-only descriptor; so is a pipe's write end. */
export function sysRead(thread: Thread, linux: LinuxProcess, fd: u64, buffer: u64, count: u64, vectors: bool = false): i64 {
  const handle = descriptorHandle(thread, linux, fd);
  if (handle < 0) return handle;
  const object = thread.process.table.lookup(<u64>handle)!;
  if (object.iface == Interface.File) {
    if (vectors) return fileVectors(thread, linux, changetype<FileObject>(object), fd, buffer, count, false);
    return fileRead(thread, changetype<FileObject>(object), buffer, count, -1);
  }
  if (object.iface == Interface.UnixSocket) {
    const socket = changetype<UnixSocketObject>(object);
    return vectors ? socketRead(thread, linux, socket, <i32>fd, <u64>Sys.readv, 0, 0, buffer, count)
      : socketRead(thread, linux, socket, <i32>fd, <u64>Sys.read, buffer, count, 0, 0);
  }
  if (object.iface == Interface.UnixEndpoint) {
    const endpoint = changetype<UnixEndpointObject>(object);
    if (endpoint.kind != 2) return -(<i64>Errno.EINVAL);   // as Linux's unix_stream_recvmsg, not connected
    return vectors ? unixDatagramReceive(thread, linux, endpoint, <i32>fd, <u64>Sys.readv, 0, 0, buffer, count, 0, 0, false)
      : unixDatagramReceive(thread, linux, endpoint, <i32>fd, <u64>Sys.read, buffer, count, 0, 0, 0, 0, false);
  }
  if (object.iface == Interface.InetSocket) {
    const socket = changetype<InetSocketObject>(object);
    return vectors ? inetReceive(thread, linux, socket, <i32>fd, <u64>Sys.readv, 0, 0, buffer, count, 0)
      : inetReceive(thread, linux, socket, <i32>fd, <u64>Sys.read, buffer, count, 0, 0, 0);
  }
  if (object.iface == Interface.EventCounter) {
    return vectors ? -(<i64>Errno.EINVAL) : eventfdRead(thread, linux, changetype<EventCounterObject>(object), <i32>fd, <u64>Sys.read, buffer, count);
  }
  if (object.iface == Interface.Console) {
    return vectors ? ttyReadCall(thread, linux, <i32>fd, <u64>Sys.readv, 0, 0, buffer, count)
      : ttyReadCall(thread, linux, <i32>fd, <u64>Sys.read, buffer, count, 0, 0);
  }
  if (object.iface != Interface.Pipe || !changetype<PipeObject>(object).reading) return -(<i64>Errno.EBADF);
  if (!vectors && <i64>count < 0) return -(<i64>Errno.EINVAL);
  const ring = changetype<PipeObject>(object).ring;
  return vectors ? pipeReadCall(thread, linux, ring, <i32>fd, <u64>Sys.readv, 0, 0, buffer, count)
    : pipeReadCall(thread, linux, ring, <i32>fd, <u64>Sys.read, buffer, count, 0, 0);
}

/** close: the descriptor goes; the capability leaves the table when no descriptor names it. */
export function sysClose(thread: Thread, linux: LinuxProcess, fd: u64): i64 {
  const handle = descriptorHandle(thread, linux, fd);
  if (handle < 0) return handle;
  closeDescriptor(thread, linux, <i32>fd);
  return 0;
}

/** Closes descriptor `fd` (open): its capability leaves the table with its last descriptor. */
export function closeDescriptor(thread: Thread, linux: LinuxProcess, fd: i32): void {
  const handle = linux.descriptors[fd];
  linux.descriptors[fd] = 0;
  linux.descriptorFlags[fd] = 0;
  if (linux.namingCount(handle) == 0) thread.process.table.release(handle);
}

export function sysDup(thread: Thread, linux: LinuxProcess, fd: u64): i64 {
  const handle = descriptorHandle(thread, linux, fd);
  if (handle < 0) return handle;
  const next = linux.lowestFree(0);
  if (next < 0) return -(<i64>Errno.EMFILE);
  linux.descriptors[next] = <u64>handle;
  linux.descriptorFlags[next] = linux.descriptorFlags[<i32>fd] & ~FD_CLOEXEC;
  return next;
}

/** dup3 (and dup2 with two descriptors): `to` is closed first if open; O_CLOEXEC the one flag. */
export function sysDup3(thread: Thread, linux: LinuxProcess, from: u64, to: u64, flags: u64): i64 {
  if ((flags & ~O_CLOEXEC) != 0) return -(<i64>Errno.EINVAL);
  const handle = descriptorHandle(thread, linux, from);
  if (handle < 0) return handle;
  if (from == to) return -(<i64>Errno.EINVAL);
  if (to >= <u64>linux.descriptorLimit) return -(<i64>Errno.EBADF);   // RLIMIT_NOFILE
  if (linux.descriptors[<i32>to] != 0) closeDescriptor(thread, linux, <i32>to);
  linux.descriptors[<i32>to] = <u64>handle;
  linux.descriptorFlags[<i32>to] = (linux.descriptorFlags[<i32>from] & ~FD_CLOEXEC) | ((flags & O_CLOEXEC) != 0 ? FD_CLOEXEC : 0);
  return <i64>to;
}

export function sysFcntl(thread: Thread, linux: LinuxProcess, fd: u64, command: u64, argument: u64): i64 {
  const handle = descriptorHandle(thread, linux, fd);
  if (handle < 0) return handle;
  const opened = fileOf(thread, linux, fd);   // O_PATH allows only these, as Linux
  if (opened !== null && opened.pathOnly && command != F_DUPFD && command != F_DUPFD_CLOEXEC && command != F_GETFD && command != F_SETFD
    && command != F_GETFL) return -(<i64>Errno.EBADF);
  const index = <i32>fd;
  if (command == F_DUPFD || command == F_DUPFD_CLOEXEC) {
    if (argument >= <u64>linux.descriptorLimit) return -(<i64>Errno.EINVAL);   // RLIMIT_NOFILE
    const next = linux.lowestFree(<i32>argument);
    if (next < 0) return -(<i64>Errno.EMFILE);
    linux.descriptors[next] = <u64>handle;
    linux.descriptorFlags[next] = (linux.descriptorFlags[index] & ~FD_CLOEXEC) | (command == F_DUPFD_CLOEXEC ? FD_CLOEXEC : 0);
    return next;
  }
  if (command == F_GETFD) return <i64>(linux.descriptorFlags[index] & FD_CLOEXEC);
  if (command == F_SETFD) {
    linux.descriptorFlags[index] = (linux.descriptorFlags[index] & ~FD_CLOEXEC) | ((argument & 1) != 0 ? FD_CLOEXEC : 0);
    return 0;
  }
  if (command == F_GETFL) {
    const flags = linux.descriptorFlags[index];
    const object = thread.process.table.lookup(<u64>handle)!;
    const access = object.iface == Interface.Pipe ? (changetype<PipeObject>(object).reading ? O_RDONLY : O_WRONLY)
      : object.iface == Interface.File ? fileAccess(changetype<FileObject>(object)) : O_RDWR | O_LARGEFILE;
    return access | ((flags & STATUS_APPEND) != 0 ? 0o2000 : 0) | ((flags & STATUS_NONBLOCK) != 0 ? 0o4000 : 0);
  }
  if (command == F_SETFL) {
    // The console never blocks a write, so O_NONBLOCK changes nothing it does; both are reported back.
    const kept = linux.descriptorFlags[index] & (FD_CLOEXEC | STATUS_CONSOLE);
    linux.descriptorFlags[index] = kept | ((argument & 0o2000) != 0 ? STATUS_APPEND : 0) | ((argument & 0o4000) != 0 ? STATUS_NONBLOCK : 0);
    return 0;   // as Linux, the other bits are ignored
  }
  return -(<i64>Errno.EINVAL);
}

/** A File's access mode as F_GETFL reports it. */
function fileAccess(file: FileObject): i64 {
  if (file.pathOnly) return O_PATH;
  return (file.writable ? (file.readable ? O_RDWR : O_WRONLY) : O_RDONLY) | O_LARGEFILE;
}

/** fstat: the console is the character device /dev/console (5:1), mode crw--w----; a pipe a FIFO
 * of mode 0600 whose inode is its handle's slot (unique while it is open). */
export function sysFstat(thread: Thread, linux: LinuxProcess, fd: u64, buffer: u64): i64 {
  const handle = descriptorHandle(thread, linux, fd);
  if (handle < 0) return handle;
  const object = thread.process.table.lookup(<u64>handle)!;
  if (object.iface == Interface.File) return fileStat(thread, changetype<FileObject>(object), buffer);
  const stat = state.buffer;
  descriptorStatFill(stat, <u64>handle, thread.process.table.interfaceOf(<u64>handle));
  const error = copyOut(thread.process.space, buffer, stat, 256, STAT_SIZE);
  return error != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** newfstatat: with AT_EMPTY_PATH and "", fstat of the descriptor (a console or a pipe here; a
 * File through sys-path.ts); any other path is resolved in the namespace (sys-path.ts). */
export function sysNewfstatat(thread: Thread, linux: LinuxProcess, directory: u64, path: u64, buffer: u64, flags: u64): i64 {
  if (copyIn(thread.process.space, state.buffer, 256, path, 1) != KernelError.None) return -(<i64>Errno.EFAULT);
  if (load<u8>(state.buffer) == 0 && (flags & AT_EMPTY_PATH) != 0 && fileOf(thread, linux, directory) === null) {
    return sysFstat(thread, linux, directory, buffer);
  }
  return sysStatAt(thread, linux, directory, path, buffer, flags);
}

export function sysIoctl(thread: Thread, linux: LinuxProcess, fd: u64, request: u64, argument: u64): i64 {
  const handle = descriptorHandle(thread, linux, fd);
  if (handle < 0) return handle;
  const space = thread.process.space;
  const object = thread.process.table.lookup(<u64>handle)!;
  if (object.iface == Interface.File && changetype<FileObject>(object).pathOnly) return -(<i64>Errno.EBADF);
  const index = <i32>fd;
  if (request == FIOCLEX || request == FIONCLEX) {
    linux.descriptorFlags[index] = (linux.descriptorFlags[index] & ~FD_CLOEXEC) | (request == FIOCLEX ? FD_CLOEXEC : 0);
    return 0;
  }
  if (request == FIONBIO) {   // an int: nonzero sets O_NONBLOCK, zero clears it (as F_SETFL)
    if (copyIn(space, state.buffer, 256, argument, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
    const on = load<u32>(state.buffer) != 0;
    linux.descriptorFlags[index] = (linux.descriptorFlags[index] & ~STATUS_NONBLOCK) | (on ? STATUS_NONBLOCK : 0);
    return 0;
  }
  if (request == FIONREAD && (object.iface == Interface.Pipe || object.iface == Interface.UnixSocket || object.iface == Interface.InetSocket
    || object.iface == Interface.UnixEndpoint)) {
    // What a read would find: a pipe's or stream's bytes, a message socket's next message.
    let waiting: i64 = 0;
    if (object.iface == Interface.Pipe) waiting = <i64>changetype<PipeObject>(object).ring.buffered;
    else if (object.iface == Interface.UnixSocket) waiting = unixReadable(changetype<UnixSocketObject>(object));
    else if (object.iface == Interface.UnixEndpoint) waiting = unixDatagramReadable(changetype<UnixEndpointObject>(object));
    else waiting = inetReadable(changetype<InetSocketObject>(object));
    if (waiting < 0) return waiting;
    store<u32>(state.buffer, <u32>min(<u64>waiting, <u64>u32.MAX_VALUE));
    return copyOut(space, argument, state.buffer, 256, 4) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
  }
  const socket = object.iface == Interface.InetSocket || object.iface == Interface.UnixSocket || object.iface == Interface.UnixEndpoint;
  if (socket && ifreqRequest(request)) return ifreqIoctl(thread, request, argument, procNetGranted(linux));
  if (object.iface != Interface.Console) return -(<i64>Errno.ENOTTY);
  return ttyIoctl(thread, linux, request, argument);
}

/** lseek: a File moves its offset (sys-path.ts); the console and pipes are not seekable. */
export function sysLseek(thread: Thread, linux: LinuxProcess, fd: u64, offset: u64, whence: u64): i64 {
  const file = fileOf(thread, linux, fd);
  if (file !== null) return fileSeek(file, <i64>offset, whence);
  return linux.handleOf(<i64>fd) == 0 ? -(<i64>Errno.EBADF) : -(<i64>Errno.ESPIPE);
}

/** pread64: a File's bytes at `offset`, its own offset unchanged; ESPIPE for pipes and the console. */
export function sysPread(thread: Thread, linux: LinuxProcess, fd: u64, buffer: u64, count: u64, offset: u64): i64 {
  const file = fileOf(thread, linux, fd);
  if (file === null) return linux.handleOf(<i64>fd) == 0 ? -(<i64>Errno.EBADF) : -(<i64>Errno.ESPIPE);
  if (<i64>offset < 0) return -(<i64>Errno.EINVAL);
  return fileRead(thread, file, buffer, count, <i64>offset);
}
