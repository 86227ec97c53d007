// A pipe's ring (objects/pipe.ts has its two ends): 64 KiB in 16 frames, what was written and read,
// how many ends of each kind are open, and the waits to tell when it changes (a blocked read or
// write looks again: Wait.wake). pipeCreate makes a pipe for the Linux personality's pipe and
// pipe2, charged to a quota until both ends are gone; pipeRead and pipeWrite copy between the
// ring and a process's memory, as much as there is (bytes or room) and no more.

import { KernelError } from "../../abi/errors";
import { arrayBytes, instanceBytes } from "../memory/heap-cost";
import { frameAllocateZeroed, frameFree, framesFree } from "../memory/frames";
import { PAGE_SIZE } from "../memory/page-table";
import { Quota } from "../memory/quota";
import { WaitList } from "../sched/wait";
import { AddressSpace } from "../vm/address-space";
import { copyIn, copyOut } from "../vm/user-memory";
import { KernelObject } from "../cap/kernel-object";
import { PipeObject } from "./pipe";

/** The ring's size (Linux's default pipe capacity) and its frames. */
export const PIPE_CAPACITY: u64 = 65536;
export const PIPE_PAGES: u64 = PIPE_CAPACITY / PAGE_SIZE;
/** Writes of at most this many bytes are atomic: all or nothing (POSIX's PIPE_BUF). */
export const PIPE_ATOMIC: u64 = 4096;

/** Capabilities in flight with a stretch [start, end) of a socket's stream (SCM_RIGHTS,
 * linux/sys-socket.ts): they go to whoever reads the stretch's first byte, and a read stops at its
 * end. Each object is retained while in flight; `statusFlags` are the sending descriptors' status
 * flags (O_NONBLOCK, O_APPEND), which travel with them as Linux's open file description's do. */
export class RingRights {
  constructor(readonly start: u64, public end: u64, readonly objects: KernelObject[], readonly statusFlags: u8[]) {}

  /** Gives back the references of the objects not yet handed over, from `first` on. */
  releaseFrom(first: i32): void {
    for (let i = first; i < this.objects.length; i++) this.objects[i].release();
    this.objects.length = first;
  }
}

/** What the two ends share. */
export class PipeRing {
  readonly frames: StaticArray<u64> = new StaticArray<u64>(<i32>PIPE_PAGES);
  /** Bytes written and read since the pipe was made (their difference is what the ring holds). */
  written: u64 = 0;
  read: u64 = 0;
  readers: i32 = 1;
  writers: i32 = 1;
  /** Waits to tell when the ring changes (a blocked read or write, a poll). */
  readonly waiting: WaitList = new WaitList();
  /** A socket's capabilities in flight, in stream order, and how many objects they hold. */
  readonly rights: RingRights[] = [];
  rightsObjects: i32 = 0;

  constructor(readonly quota: Quota) {}

  /** Drops every capability in flight (no reader is left to take them). */
  dropRights(): void {
    for (let i = 0; i < this.rights.length; i++) this.rights[i].releaseFrom(0);
    this.rights.length = 0;
    this.rightsObjects = 0;
  }

  get buffered(): u64 { return this.written - this.read; }
  get room(): u64 { return PIPE_CAPACITY - this.buffered; }

  /** Tells every wait that the ring changed (each looks again). */
  wakeAll(): void {
    this.waiting.wakeAll();
  }
}

/** Heap bytes a pipe's records take (both ends and the ring), charged to its quota's kernel bytes. */
export const PIPE_BYTES: u64 = 2 * instanceBytes<PipeObject>() + instanceBytes<PipeRing>() + instanceBytes<WaitList>() + arrayBytes<u64>(PIPE_PAGES)
  + arrayBytes<usize>(8);

/** Whether `quota` can pay for a pipe now: None, QuotaExceeded or OutOfMemory. */
export function pipeFits(quota: Quota): KernelError {
  if (framesFree() < PIPE_PAGES) return KernelError.OutOfMemory;
  return quota.kernelFits(PIPE_BYTES, PIPE_PAGES);
}

/** A new ring with one reader and one writer, its frames charged to `quota` (the caller checked
 * that they fit: pipeFits). Its ends give it back with pipeRingRelease. */
export function pipeRingCreate(quota: Quota): PipeRing {
  const ring = new PipeRing(quota);
  for (let i = 0; i < <i32>PIPE_PAGES; i++) {
    const frame = frameAllocateZeroed();
    if (frame == 0) abort("pipeRingCreate: the caller counted the frames");
    ring.frames[i] = frame;
  }
  quota.retain();
  quota.charge(PIPE_PAGES);
  return ring;
}

/** One end of `ring` goes (a reader when `reading`): whoever waits looks again, and the frames go
 * back once neither readers nor writers are left. */
export function pipeRingRelease(ring: PipeRing, reading: bool): void {
  if (reading) ring.readers--;
  else ring.writers--;
  if (ring.readers == 0) ring.dropRights();
  ring.wakeAll();
  if (ring.readers == 0 && ring.writers == 0) {
    for (let i = 0; i < <i32>PIPE_PAGES; i++) frameFree(ring.frames[i]);
    ring.quota.uncharge(PIPE_PAGES);
    ring.quota.release();
  }
}

/** A new pipe's two ends, [read, write], charged to `quota` (pipeFits passed). Each is retained
 * by whoever stores it (a capability table's insert). */
export function pipeCreate(quota: Quota): PipeObject[] {
  const ring = pipeRingCreate(quota);
  const reader = new PipeObject(ring, true), writer = new PipeObject(ring, false);
  reader.chargeTo(quota, PIPE_BYTES / 2);
  writer.chargeTo(quota, PIPE_BYTES - PIPE_BYTES / 2);
  return [reader, writer];
}

/** Copies up to `length` bytes from the ring into `space` at `address`: the count (0 when the ring
 * is empty), or -BadAddress with nothing taken. Wakes the ring's waiters when it took some. */
export function pipeRead(ring: PipeRing, space: AddressSpace, address: u64, length: u64): i64 {
  const count = min(length, ring.buffered);
  let done: u64 = 0;
  while (done < count) {
    const at = (ring.read + done) % PIPE_CAPACITY;
    const chunk = min(count - done, PAGE_SIZE - at % PAGE_SIZE);
    const frame = <usize>ring.frames[<i32>(at / PAGE_SIZE)] + <usize>(at % PAGE_SIZE);
    if (copyOut(space, address + done, frame, chunk, chunk) != KernelError.None) {
      if (done == 0) return -(<i64>KernelError.BadAddress);
      break;
    }
    done += chunk;
  }
  ring.read += done;
  if (done > 0) ring.wakeAll();
  return <i64>done;
}

/** Copies up to `length` bytes from `space` at `address` into the ring: the count (0 when it is
 * full), or -BadAddress with nothing put. Wakes the ring's waiters when it put some. */
export function pipeWrite(ring: PipeRing, space: AddressSpace, address: u64, length: u64): i64 {
  const count = min(length, ring.room);
  let done: u64 = 0;
  while (done < count) {
    const at = (ring.written + done) % PIPE_CAPACITY;
    const chunk = min(count - done, PAGE_SIZE - at % PAGE_SIZE);
    const frame = <usize>ring.frames[<i32>(at / PAGE_SIZE)] + <usize>(at % PAGE_SIZE);
    if (copyIn(space, frame, chunk, address + done, chunk) != KernelError.None) {
      if (done == 0) return -(<i64>KernelError.BadAddress);
      break;
    }
    done += chunk;
  }
  ring.written += done;
  if (done > 0) ring.wakeAll();
  return <i64>done;
}

/** Copies up to `length` bytes from the ring, `skip` bytes past what is next to read, into `space`
 * at `address` without taking them (a socket's MSG_PEEK): the count, or -BadAddress. */
export function pipePeek(ring: PipeRing, space: AddressSpace, address: u64, length: u64, skip: u64 = 0): i64 {
  if (skip >= ring.buffered) return 0;
  const count = min(length, ring.buffered - skip);
  let done: u64 = 0;
  while (done < count) {
    const at = (ring.read + skip + done) % PIPE_CAPACITY;
    const chunk = min(count - done, PAGE_SIZE - at % PAGE_SIZE);
    const frame = <usize>ring.frames[<i32>(at / PAGE_SIZE)] + <usize>(at % PAGE_SIZE);
    if (copyOut(space, address + done, frame, chunk, chunk) != KernelError.None) return done > 0 ? <i64>done : -(<i64>KernelError.BadAddress);
    done += chunk;
  }
  return <i64>done;
}

/** The u32 `skip` bytes past what is next to read (a message's length; the caller checked that
 * the ring holds it). */
export function pipeWordAt(ring: PipeRing, skip: u64): u32 {
  let word: u32 = 0;
  for (let i: u64 = 0; i < 4; i++) {
    const at = (ring.read + skip + i) % PIPE_CAPACITY;
    word |= <u32>load<u8>(<usize>ring.frames[<i32>(at / PAGE_SIZE)] + <usize>(at % PAGE_SIZE)) << (<u32>i * 8);
  }
  return word;
}

/** Puts the u32 `word` in the ring (a message's length; the caller checked the room). */
export function pipeWordPut(ring: PipeRing, word: u32): void {
  for (let i: u64 = 0; i < 4; i++) {
    const at = (ring.written + i) % PIPE_CAPACITY;
    store<u8>(<usize>ring.frames[<i32>(at / PAGE_SIZE)] + <usize>(at % PAGE_SIZE), <u8>(word >> (<u32>i * 8)));
  }
  ring.written += 4;
}

/** Takes `count` bytes without copying them (the rest of a message too long for the reader). */
export function pipeSkip(ring: PipeRing, count: u64): void {
  ring.read += min(count, ring.buffered);
  ring.wakeAll();
}
