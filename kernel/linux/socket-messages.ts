// Messages on a local socket's ring (docs/linux.md, "Sockets"): what socketpair's SOCK_DGRAM and
// SOCK_SEQPACKET ends (sys-socket.ts) and named datagram sockets (sys-unix-dgram.ts) share. A
// message is one record in a pipe's ring (objects/pipe-ring.ts): its length (4 bytes), on an
// addressed ring the length of its sender's address (4 bytes) and that address (a struct
// sockaddr_un's bytes, none for an unnamed sender), then its bytes. Descriptors passed with it
// (SCM_RIGHTS) travel as the record's RingRights and go to whoever reads it.

import { KernelError } from "../../abi/errors";
import { PAGE_SIZE } from "../memory/page-table";
import { KernelObject } from "../cap/kernel-object";
import { PIPE_CAPACITY, PipeRing, pipePeek, pipeSkip, pipeWordAt, pipeWordPut, pipeWrite, RingRights } from "../objects/pipe-ring";
import { Thread } from "../sched/thread";
import { copyIn, copyOut, userRangeCheck } from "../vm/user-memory";
import { blockForCall } from "./socket-timeout";
import { BLOCKED, Errno } from "./errno";
import { FD_CLOEXEC, LinuxProcess } from "./linux-process";
import { segmentAt, segmentBase, segmentLength, STATUS_NONBLOCK, vectorTotal } from "./sys-pipe";

const MSG_PEEK: u64 = 2, MSG_TRUNC: u64 = 0x20, MSG_DONTWAIT: u64 = 0x40;
const SOL_SOCKET: i32 = 1, SCM_RIGHTS: i32 = 1;
/** Descriptors one message carries at most (Linux's SCM_MAX_FD), and the control data sendmsg
 * reads at most. */
export const RIGHTS_PER_MESSAGE: i32 = 253;
/** Capabilities one ring holds in flight at most (more: ETOOMANYREFS). */
export const RIGHTS_IN_FLIGHT_MAXIMUM: i32 = 1024;
export const CONTROL_MAXIMUM: u64 = 4096;
/** struct cmsghdr: len (8 bytes), level, type; then the data. */
export const CMSG_HEADER: u64 = 16;
/** The largest sender's address a record holds: a struct sockaddr_un. */
export const SENDER_MAXIMUM: u32 = 110;

class Sending {
  readonly objects: KernelObject[] = [];
  readonly statusFlags: u8[] = [];
}

class SocketMessagesState {
  readonly control: usize = memory.data(<i32>CONTROL_MAXIMUM, 16);
  /** The sender's address of the last message read from an addressed ring, and its length (0:
   * unnamed). */
  readonly sender: usize = memory.data(<i32>SENDER_MAXIMUM + 2, 16);
  senderLength: u32 = 0;
  /** What the last read handed over: the new descriptors, and whether some were closed; and
   * whether the message it read was cut to the buffers (MSG_TRUNC). */
  readonly delivered: i32[] = [];
  truncated: bool = false;
  messageCut: bool = false;
  /** The capabilities a sendmsg is passing, while it checks them. */
  readonly sending: Sending = new Sending();
}
const state = new SocketMessagesState();

/** What the last read delivered (the descriptors made for passed capabilities) and whether it
 * closed some or cut the message. */
export function deliveredDescriptors(): i32[] { return state.delivered; }
export function rightsTruncated(): bool { return state.truncated; }
export function messageWasCut(): bool { return state.messageCut; }
/** The last addressed read's sender: its address bytes at senderAddress(), senderLength() long. */
export function senderAddress(): usize { return state.sender; }
export function senderLength(): u32 { return state.senderLength; }

/** Forgets what the last read handed over, before a new one. */
export function readBegin(): void {
  state.delivered.length = 0;
  state.truncated = false;
  state.messageCut = false;
  state.senderLength = 0;
}

/** Puts the capabilities of `rights` in the caller's table behind new descriptors, at most
 * `capacity` of them; the rest are closed and rightsTruncated() says so (MSG_CTRUNC). */
export function deliver(thread: Thread, linux: LinuxProcess, rights: RingRights, capacity: i32, closeOnExec: bool): void {
  const table = thread.process.table;
  let given = 0;
  for (; given < rights.objects.length && given < capacity; given++) {
    const fd = linux.lowestFree(0);
    const slot = fd < 0 ? -1 : table.reserve();
    if (slot < 0) break;
    const object = rights.objects[given];
    linux.descriptors[fd] = table.commit(slot, object);
    object.release();   // the table holds it now, not the stream
    linux.descriptorFlags[fd] = rights.statusFlags[given] | (closeOnExec ? FD_CLOEXEC : 0);
    state.delivered.push(fd);
  }
  if (given < rights.objects.length) state.truncated = true;
  rights.releaseFrom(given);
}

/** Reads sendmsg's control messages at `control` (`length` bytes): the capabilities SCM_RIGHTS
 * names and their descriptors' status flags, as a RingRights to attach (null: none). EINVAL for
 * a malformed control message, another SOL_SOCKET type or more than 253 descriptors; EBADF for
 * one not open; ENOBUFS for more than 4 KiB; EFAULT. Sets `error` (0 or -errno). */
export function rightsIn(thread: Thread, linux: LinuxProcess, control: u64, length: u64, error: StaticArray<i64>): RingRights | null {
  error[0] = 0;
  const sending = state.sending;
  sending.objects.length = 0;
  sending.statusFlags.length = 0;
  if (length == 0) return null;
  if (length > CONTROL_MAXIMUM) {
    error[0] = -(<i64>Errno.ENOBUFS);
    return null;
  }
  const at = state.control;
  if (copyIn(thread.process.space, at, CONTROL_MAXIMUM, control, length) != KernelError.None) {
    error[0] = -(<i64>Errno.EFAULT);
    return null;
  }
  let offset: u64 = 0;
  while (offset + CMSG_HEADER <= length) {
    const size = load<u64>(at + <usize>offset), level = load<i32>(at + <usize>offset, 8), type = load<i32>(at + <usize>offset, 12);
    if (size < CMSG_HEADER || size > length - offset) {
      error[0] = -(<i64>Errno.EINVAL);
      return null;
    }
    if (level == SOL_SOCKET) {
      if (type != SCM_RIGHTS) {   // SCM_CREDENTIALS and the rest: not supported
        error[0] = -(<i64>Errno.EINVAL);
        return null;
      }
      const count = <i32>((size - CMSG_HEADER) / 4);
      if (sending.objects.length + count > RIGHTS_PER_MESSAGE) {
        error[0] = -(<i64>Errno.EINVAL);
        return null;
      }
      for (let i = 0; i < count; i++) {
        const passed = load<i32>(at + <usize>(offset + CMSG_HEADER + <u64>i * 4));
        const object = thread.process.table.lookup(linux.handleOf(<i64>passed));
        if (object === null) {
          error[0] = -(<i64>Errno.EBADF);
          return null;
        }
        sending.objects.push(object);
        sending.statusFlags.push(linux.descriptorFlags[passed] & ~FD_CLOEXEC);
      }
    }
    offset += (size + 7) & ~<u64>7;
  }
  if (sending.objects.length == 0) return null;
  return new RingRights(0, 0, sending.objects.slice(0), sending.statusFlags.slice(0));
}

/** Writes the SCM_RIGHTS control message for the descriptors the last read delivered to
 * `control` (room for `capacity` bytes): the bytes used (0 when none), or -EFAULT. */
export function rightsOut(thread: Thread, control: u64, capacity: u64): i64 {
  const delivered = state.delivered;
  if (delivered.length == 0) return 0;
  const out = state.control;
  store<u64>(out, CMSG_HEADER + <u64>delivered.length * 4);
  store<i32>(out, SOL_SOCKET, 8);
  store<i32>(out, SCM_RIGHTS, 12);
  for (let i = 0; i < delivered.length; i++) store<i32>(out + <usize>(CMSG_HEADER + <u64>i * 4), delivered[i]);
  const used = min((CMSG_HEADER + <u64>delivered.length * 4 + 7) & ~<u64>7, capacity);
  return copyOut(thread.process.space, control, out, CONTROL_MAXIMUM, used) != KernelError.None ? -(<i64>Errno.EFAULT) : <i64>used;
}

/** Descriptors recvmsg's control buffer of `length` bytes has room for. */
export function rightsCapacity(length: u64): i32 {
  return length >= CMSG_HEADER ? <i32>min((length - CMSG_HEADER) / 4, <u64>RIGHTS_PER_MESSAGE) : 0;
}

/** Writes one message to `ring`: the whole message or nothing, once there is room for it and
 * `full` (the caller's own limit, a datagram queue's length) is false; until then a wait on the
 * ring, or EAGAIN with MSG_DONTWAIT or O_NONBLOCK. EMSGSIZE for a message the ring could never
 * hold, EINVAL for more than 1,024 buffers, EFAULT before any byte goes in. On an addressed ring
 * the sender's address goes first: `senderLength` bytes at `sender` (0: unnamed; -1: a ring
 * without addresses). `rights` travel with it. The length, or -errno, or BLOCKED. */
export function messageWrite(thread: Thread, linux: LinuxProcess, ring: PipeRing, fd: i32, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, flags: u64, rights: RingRights | null, sender: usize, senderLength: i32, full: bool): i64 {
  const space = thread.process.space;
  if (vectors != 0 && vectorCount > 1024) return -(<i64>Errno.EINVAL);
  const total = vectors != 0 ? vectorTotal(thread, vectors, vectorCount) : <i64>count;
  if (total < 0) return total;
  const header: u64 = senderLength < 0 ? 4 : 8 + <u64>senderLength;
  if (<u64>total > PIPE_CAPACITY - header) return -(<i64>Errno.EMSGSIZE);
  // Every byte must be readable before any goes in: a fault half way would break the framing.
  const segments = vectors != 0 ? vectorCount : 1;
  for (let i: u64 = 0; i < segments; i++) {
    if (!segmentAt(thread, buffer, count, vectors, i)) return -(<i64>Errno.EFAULT);
    const base = segmentBase(), length = segmentLength();
    if (length > 0 && userRangeCheck(space, base, length, false) != KernelError.None) return -(<i64>Errno.EFAULT);
  }
  if (full || ring.room < <u64>total + header) {
    if ((flags & MSG_DONTWAIT) != 0 || (linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0) return -(<i64>Errno.EAGAIN);
    return blockForCall(thread, linux.threadOf(thread), ring.waiting, number);
  }
  if (rights !== null) {
    const attached = new RingRights(ring.written, ring.written + header + <u64>total, rights.objects, rights.statusFlags);
    for (let i = 0; i < attached.objects.length; i++) attached.objects[i].retain();
    ring.rights.push(attached);
    ring.rightsObjects += attached.objects.length;
  }
  pipeWordPut(ring, <u32>total);
  if (senderLength >= 0) {
    pipeWordPut(ring, <u32>senderLength);
    for (let i = 0; i < senderLength; i++) pipeBytePut(ring, load<u8>(sender + <usize>i));
  }
  for (let i: u64 = 0; i < segments; i++) {
    segmentAt(thread, buffer, count, vectors, i);   // read once already: it is there
    const base = segmentBase(), length = segmentLength();
    if (length > 0 && pipeWrite(ring, space, base, length) != <i64>length) abort("messageWrite: a checked range faulted");
  }
  ring.wakeAll();
  return total;
}

/** Puts one byte in the ring (the caller checked the room). */
function pipeBytePut(ring: PipeRing, byte: u8): void {
  const at = ring.written % PIPE_CAPACITY;
  store<u8>(<usize>ring.frames[<i32>(at / PAGE_SIZE)] + <usize>(at % PAGE_SIZE), byte);
  ring.written += 1;
}

/** The byte `skip` past what is next to read (the caller checked that the ring holds it). */
function pipeByteAt(ring: PipeRing, skip: u64): u8 {
  const at = (ring.read + skip) % PIPE_CAPACITY;
  return load<u8>(<usize>ring.frames[<i32>(at / PAGE_SIZE)] + <usize>(at % PAGE_SIZE));
}

/** Reads one whole message from `ring`, cut to the buffers (the rest of it is dropped;
 * messageWasCut() says so; with MSG_TRUNC in `flags` the answer is the message's length);
 * MSG_PEEK leaves it. Nothing to read: 0 when `ended`, else a wait on the ring or EAGAIN (MSG_DONTWAIT, O_NONBLOCK). On an
 * addressed ring the sender's address is kept for senderAddress(). Capabilities sent with it go
 * behind new descriptors, at most `capacity` (deliveredDescriptors()). The caller called
 * readBegin(). */
export function messageRead(thread: Thread, linux: LinuxProcess, ring: PipeRing, fd: i32, number: u64, buffer: u64, count: u64,
  vectors: u64, vectorCount: u64, flags: u64, capacity: i32, closeOnExec: bool, ended: bool, addressed: bool): i64 {
  const space = thread.process.space;
  if (vectors != 0 && vectorCount > 1024) return -(<i64>Errno.EINVAL);
  const room = vectors != 0 ? vectorTotal(thread, vectors, vectorCount) : <i64>count;
  if (room < 0) return room;
  if (ring.buffered == 0) {
    if (ended) return 0;
    if ((flags & MSG_DONTWAIT) != 0 || (linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0) return -(<i64>Errno.EAGAIN);
    return blockForCall(thread, linux.threadOf(thread), ring.waiting, number);
  }
  const length = <u64>pipeWordAt(ring, 0), take = min(length, <u64>room);
  let header: u64 = 4;
  if (addressed) {
    const named = min(pipeWordAt(ring, 4), SENDER_MAXIMUM);
    for (let i: u32 = 0; i < named; i++) store<u8>(state.sender + <usize>i, pipeByteAt(ring, 8 + <u64>i));
    state.senderLength = named;
    header = 8 + <u64>pipeWordAt(ring, 4);
  }
  let copied: u64 = 0;
  const segments = vectors != 0 ? vectorCount : 1;
  for (let i: u64 = 0; i < segments && copied < take; i++) {
    if (!segmentAt(thread, buffer, count, vectors, i)) return -(<i64>Errno.EFAULT);
    const base = segmentBase(), size = segmentLength();
    const part = min(size, take - copied);
    if (part == 0) continue;
    if (pipePeek(ring, space, base, part, header + copied) != <i64>part) return -(<i64>Errno.EFAULT);
    copied += part;
  }
  state.messageCut = take < length;
  if ((flags & MSG_PEEK) == 0) {
    const before = ring.read;
    pipeSkip(ring, header + length);
    const next = ring.rights.length > 0 ? ring.rights[0] : null;
    if (next !== null && next.start >= before && next.start < ring.read) {
      ring.rights.shift();
      ring.rightsObjects -= next.objects.length;
      deliver(thread, linux, next, capacity, closeOnExec);
    }
  }
  return (flags & MSG_TRUNC) != 0 ? <i64>length : <i64>copied;
}
