// Pipes (docs/linux.md, "Pipes"): pipe and pipe2 make a pipe (objects/pipe.ts) whose two ends are
// capabilities in the caller's table behind two descriptors; read, readv, write and writev on
// them move bytes through its ring, blocking (block.ts) while there is nothing to read or no room,
// unless the descriptor is O_NONBLOCK. A write of at most 4096 bytes is atomic; a longer blocking
// write returns only once all of it is in, its progress kept across the restarts of its call.

import { KernelError } from "../../abi/errors";
import { PIPE_ATOMIC, pipeCreate, pipeFits, pipeRead, PipeRing, pipeWrite } from "../objects/pipe-ring";
import { CONTEXT_RIP, contextRead } from "../arch/context";
import { Thread } from "../sched/thread";
import { copyIn, copyOut, userRangeCheck } from "../vm/user-memory";
import { blockForCall } from "./socket-timeout";
import { BLOCKED, Errno } from "./errno";
import { FD_CLOEXEC, LinuxProcess } from "./linux-process";
import { Sys } from "./numbers";
import { Scope, SI_USER, SIGPIPE, signalSend } from "./signal";

const O_NONBLOCK: u64 = 0o4000, O_CLOEXEC: u64 = 0o2000000;
/** Descriptor flag bits (linux-process.ts FD_CLOEXEC is bit 0): O_NONBLOCK is kept in bit 2. */
export const STATUS_NONBLOCK: u8 = 4;
const IOV_MAXIMUM: u64 = 1024;

class PipeCallsState {
  readonly buffer: usize = memory.data(16, 16);
  /** The buffer segmentAt found last. */
  segmentBase: u64 = 0;
  segmentLength: u64 = 0;
}
const state = new PipeCallsState();

/** pipe(fds) and pipe2(fds, flags): O_CLOEXEC and O_NONBLOCK on both descriptors. The pipe is
 * charged to the process's account; ENFILE-like failures say EMFILE (no descriptor) or ENOMEM. */
export function sysPipe2(thread: Thread, linux: LinuxProcess, fds: u64, flags: u64): i64 {
  if ((flags & ~(O_CLOEXEC | O_NONBLOCK)) != 0) return -(<i64>Errno.EINVAL);
  const process = thread.process;
  if (userRangeCheck(process.space, fds, 8, true) != KernelError.None) return -(<i64>Errno.EFAULT);
  const readFd = linux.lowestFree(0);
  const writeFd = readFd < 0 ? -1 : linux.lowestFree(readFd + 1);
  if (writeFd < 0) return -(<i64>Errno.EMFILE);
  if (pipeFits(process.account) != KernelError.None) return -(<i64>Errno.ENOMEM);
  const table = process.table;
  const first = table.reserve();
  if (first < 0) return -(<i64>Errno.ENOMEM);
  const second = table.reserve();
  if (second < 0) {
    table.cancel(first);
    return -(<i64>Errno.ENOMEM);
  }
  const ends = pipeCreate(process.account);
  const flagBits = ((flags & O_CLOEXEC) != 0 ? FD_CLOEXEC : 0) | ((flags & O_NONBLOCK) != 0 ? STATUS_NONBLOCK : 0);
  linux.descriptors[readFd] = table.commit(first, ends[0]);
  linux.descriptors[writeFd] = table.commit(second, ends[1]);
  linux.descriptorFlags[readFd] = flagBits;
  linux.descriptorFlags[writeFd] = flagBits;
  store<i32>(state.buffer, readFd);
  store<i32>(state.buffer, writeFd, 4);
  if (copyOut(process.space, fds, state.buffer, 16, 8) != KernelError.None) abort("pipe2: the checked range");
  return 0;
}

/** The address of the SYSCALL the thread is in: a blocking write's progress is kept for it. */
export function callAddress(thread: Thread): u64 {
  return contextRead(<usize>thread.context, CONTEXT_RIP) - 2;
}

/** read and readv from a pipe's read end: what the ring holds, up to the buffers' size; 0 at the
 * end of the stream (no writer left); blocks while it is empty, or EAGAIN when O_NONBLOCK. */
export function pipeReadCall(thread: Thread, linux: LinuxProcess, ring: PipeRing, fd: i32, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, nonblocking: bool = false, limit: u64 = u64.MAX_VALUE): i64 {
  const own = linux.threadOf(thread);
  const space = thread.process.space;
  if (vectors != 0 && vectorCount > IOV_MAXIMUM) return -(<i64>Errno.EINVAL);
  const total = vectors != 0 ? vectorTotal(thread, vectors, vectorCount) : <i64>count;
  if (total < 0) return total;
  if (total == 0) return 0;
  if (ring.buffered == 0) {
    if (ring.writers == 0) return 0;
    if (nonblocking || (linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0) return -(<i64>Errno.EAGAIN);
    return blockForCall(thread, own, ring.waiting, number);
  }
  if (vectors == 0) {
    const read = pipeRead(ring, space, buffer, min(count, limit));
    return read < 0 ? -(<i64>Errno.EFAULT) : read;
  }
  let done: i64 = 0;
  for (let i: u64 = 0; i < vectorCount && ring.buffered > 0 && <u64>done < limit; i++) {
    if (copyIn(space, state.buffer, 16, vectors + i * 16, 16) != KernelError.None) return done > 0 ? done : -(<i64>Errno.EFAULT);
    const read = pipeRead(ring, space, load<u64>(state.buffer), min(load<u64>(state.buffer, 8), limit - <u64>done));
    if (read < 0) return done > 0 ? done : -(<i64>Errno.EFAULT);
    done += read;
  }
  return done;
}

/** A stream socket's read with MSG_WAITALL (sys-socket.ts): as pipeReadCall, but it blocks until
 * the buffers are full, the writers are gone, or it read into a stretch that carries
 * capabilities (`stretch` bytes on, `limit` its end: the caller hands them over now, as Linux's
 * unix_stream_read_generic stops once it took descriptors); its progress is kept across restarts (own.readAt,
 * own.readDone), and a signal ends it with the bytes that came (signal-deliver.ts). */
export function pipeReadAllCall(thread: Thread, linux: LinuxProcess, ring: PipeRing, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, limit: u64, stretch: u64): i64 {
  const own = linux.threadOf(thread), space = thread.process.space, at = callAddress(thread);
  if (vectors != 0 && vectorCount > IOV_MAXIMUM) return -(<i64>Errno.EINVAL);
  const total = vectors != 0 ? vectorTotal(thread, vectors, vectorCount) : <i64>count;
  if (total <= 0) return total;
  let done: u64 = own.readAt == at ? own.readDone : 0, skip = done, moved: u64 = 0;
  own.readAt = 0;
  own.readDone = 0;
  const segments = vectors != 0 ? vectorCount : 1;
  for (let i: u64 = 0; i < segments && ring.buffered > 0 && moved < limit; i++) {
    if (!segmentAt(thread, buffer, count, vectors, i)) return done > 0 ? <i64>done : -(<i64>Errno.EFAULT);
    skip = segmentSkip(skip);   // what a run before this restart filled
    const base = segmentBase(), length = segmentLength();
    if (length == 0) continue;
    const read = pipeRead(ring, space, base, min(length, limit - moved));
    if (read < 0) return done > 0 ? <i64>done : -(<i64>Errno.EFAULT);
    done += <u64>read;
    moved += <u64>read;
    if (<u64>read < length) break;
  }
  if (done >= <u64>total || moved >= limit || moved > stretch || ring.writers == 0) return <i64>done;
  const blocked = blockForCall(thread, own, ring.waiting, number);
  if (blocked != BLOCKED) return done > 0 ? <i64>done : blocked;   // a socket's SO_RCVTIMEO passed
  own.readAt = at;
  own.readDone = done;
  return BLOCKED;
}

/** Buffer `i` of a call's: its one buffer (`vectors` 0: `buffer` and `count`) or its i-th iovec,
 * then in segmentBase() and segmentLength(); false when the iovec cannot be read (EFAULT). */
export function segmentAt(thread: Thread, buffer: u64, count: u64, vectors: u64, i: u64): bool {
  if (vectors == 0) {
    state.segmentBase = buffer;
    state.segmentLength = count;
    return true;
  }
  if (copyIn(thread.process.space, state.buffer, 16, vectors + i * 16, 16) != KernelError.None) return false;
  state.segmentBase = load<u64>(state.buffer);
  state.segmentLength = load<u64>(state.buffer, 8);
  return true;
}

/** Moves the start of the buffer segmentAt found past up to `skip` bytes (those a restarted call
 * filled before): the bytes still to skip after it (its length is 0 when all of it went). */
export function segmentSkip(skip: u64): u64 {
  const length = state.segmentLength, taken = min(skip, length);
  state.segmentBase += taken;
  state.segmentLength = length - taken;
  return skip - taken;
}

/** Copies a call's bytes (its buffer, or its iovecs in turn) to `area`, at most `capacity`: how
 * many, or -EFAULT, or -EMSGSIZE past `capacity` (the iovecs changed since they were summed). */
export function gatherIn(thread: Thread, buffer: u64, count: u64, vectors: u64, vectorCount: u64, area: usize, capacity: u64): i64 {
  const space = thread.process.space, segments = vectors != 0 ? vectorCount : 1;
  let done: u64 = 0;
  for (let i: u64 = 0; i < segments; i++) {
    if (!segmentAt(thread, buffer, count, vectors, i)) return -(<i64>Errno.EFAULT);
    const base = segmentBase(), length = segmentLength();
    if (length == 0) continue;
    if (length > capacity - done) return -(<i64>Errno.EMSGSIZE);
    if (copyIn(space, area + <usize>done, capacity - done, base, length) != KernelError.None) return -(<i64>Errno.EFAULT);
    done += length;
  }
  return <i64>done;
}

export function segmentBase(): u64 { return state.segmentBase; }
export function segmentLength(): u64 { return state.segmentLength; }

/** The sum of an iovec array's lengths, or -errno (EFAULT, EINVAL for a negative one or a sum
 * past 2^63). */
export function vectorTotal(thread: Thread, vectors: u64, count: u64): i64 {
  let total: u64 = 0;
  for (let i: u64 = 0; i < count; i++) {
    if (copyIn(thread.process.space, state.buffer, 16, vectors + i * 16, 16) != KernelError.None) return -(<i64>Errno.EFAULT);
    const length = load<u64>(state.buffer, 8);
    if (<i64>length < 0 || total + length < total || <i64>(total + length) < 0) return -(<i64>Errno.EINVAL);
    total += length;
  }
  return <i64>total;
}

/** write and writev to a pipe's write end. SIGPIPE and EPIPE without a reader;
 * at most 4096 bytes go in whole or wait; more go in as room allows, the call blocking until all
 * are in (or returning what went in when O_NONBLOCK, EAGAIN for none). */
export function pipeWriteCall(thread: Thread, linux: LinuxProcess, ring: PipeRing, fd: i32, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, nonblockingCall: bool = false, signal: bool = true): i64 {
  const own = linux.threadOf(thread);
  const space = thread.process.space;
  if (vectors != 0 && vectorCount > IOV_MAXIMUM) return -(<i64>Errno.EINVAL);
  const total = vectors != 0 ? vectorTotal(thread, vectors, vectorCount) : <i64>count;
  if (total < 0) return total;
  const at = callAddress(thread);
  let done: u64 = own.writeAt == at ? own.writeDone : 0;   // a restarted write goes on from here
  own.writeAt = 0;
  own.writeDone = 0;
  if (ring.readers == 0) {   // SIGPIPE first (Linux's send_sig: si_code SI_USER, the writer's pid)
    if (signal) signalSend(linux, SIGPIPE, Scope.Process, SI_USER, thread.process.id, 0);
    return done > 0 ? <i64>done : -(<i64>Errno.EPIPE);
  }
  if (<u64>total == done) return <i64>done;
  const nonblocking = nonblockingCall || (linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0;
  if (<u64>total <= PIPE_ATOMIC && ring.room < <u64>total) {   // all or nothing: wait for room for all
    if (nonblocking) return -(<i64>Errno.EAGAIN);
    return block(thread, linux, ring, number, at, 0);
  }
  // Copy what fits, from `done` on through the buffers.
  let skip = done;
  const segments = vectors != 0 ? vectorCount : 1;
  for (let i: u64 = 0; i < segments && ring.room > 0; i++) {
    let base = buffer, length = count;
    if (vectors != 0) {
      if (copyIn(space, state.buffer, 16, vectors + i * 16, 16) != KernelError.None) return done > 0 ? <i64>done : -(<i64>Errno.EFAULT);
      base = load<u64>(state.buffer);
      length = load<u64>(state.buffer, 8);
    }
    if (skip >= length) { skip -= length; continue; }
    const want = length - skip;
    const wrote = pipeWrite(ring, space, base + skip, want);
    if (wrote < 0) return done > 0 ? <i64>done : -(<i64>Errno.EFAULT);
    done += <u64>wrote;
    skip = 0;
    if (<u64>wrote < want) break;   // the ring is full
  }
  if (done == <u64>total) return <i64>done;
  if (nonblocking) return done > 0 ? <i64>done : -(<i64>Errno.EAGAIN);
  return block(thread, linux, ring, number, at, done);
}

function block(thread: Thread, linux: LinuxProcess, ring: PipeRing, number: u64, at: u64, done: u64): i64 {
  const own = linux.threadOf(thread);
  const blocked = blockForCall(thread, own, ring.waiting, number);
  if (blocked != BLOCKED) return done > 0 ? <i64>done : blocked;   // a socket's SO_SNDTIMEO passed
  own.writeAt = at;
  own.writeDone = done;
  return BLOCKED;
}
