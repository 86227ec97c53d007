// Device files (docs/fs.md, "Devices"): what a character device node of the namespace does when
// a Linux process opens it. The memory devices (1:3 null, 1:5 zero, 1:7 full, 1:8 random, 1:9
// urandom) are Files on their node whose reads and writes are answered here; /dev/tty (5:0) and
// /dev/console (5:1) open to the process's own Console capability, and only when it holds one
// (sys-open.ts). Callers: sys-open.ts, sys-write.ts, sys-files.ts (read of a File).

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { Node } from "../fs/node";
import { FileObject } from "../objects/file";
import { generatorFill } from "../random/generator";
import { Thread } from "../sched/thread";
import { copyIn, copyOut } from "../vm/user-memory";
import { Errno } from "./errno";

/** The devices a node may name, by its number (Linux's Documentation/admin-guide/devices.txt). */
export enum Device {
  /** A number no driver answers: opening it is ENXIO. */
  None = 0,
  Null = 1,
  Zero = 2,
  Full = 3,
  Random = 4,
  /** /dev/tty and /dev/console: the process's Console capability. */
  Tty = 5,
  Console = 6,
}

/** Bytes one read or write of a device moves at most (a longer one is short). */
const DEVICE_CALL_MAXIMUM: u64 = 1 << 20;

class DevicesState {
  readonly buffer: usize = memory.data(4096, 16);
}
const state = new DevicesState();

/** The device character device `node` names. */
export function deviceOf(node: Node): Device {
  const major = node.rdevMajor, minor = node.rdevMinor;
  if (major == 1) {
    if (minor == 3) return Device.Null;
    if (minor == 5) return Device.Zero;
    if (minor == 7) return Device.Full;
    if (minor == 8 || minor == 9) return Device.Random;
  }
  if (major == 5 && minor == 0) return Device.Tty;
  if (major == 5 && minor == 1) return Device.Console;
  return Device.None;
}

/** The handle of a Console capability the process holds (the first in its table), or 0. */
export function consoleHandleOf(thread: Thread): u64 {
  const table = thread.process.table;
  for (let slot = 0; slot < table.capacity; slot++) {
    const handle = table.handleAt(slot);
    if (handle != 0 && table.interfaceOf(handle) == Interface.Console) return handle;
  }
  return 0;
}

/** read of a memory device: null gives 0 (end of file), zero and full zeros, random and urandom
 * the kernel's ChaCha20 generator (as getrandom); at most DEVICE_CALL_MAXIMUM bytes; EFAULT when
 * nothing could be copied. */
export function deviceRead(thread: Thread, file: FileObject, buffer: u64, count: u64): i64 {
  const device = deviceOf(file.node);
  if (device == Device.Null) return 0;
  const total = min(count, DEVICE_CALL_MAXIMUM);
  if (device != Device.Random) memory.fill(state.buffer, 0, 4096);
  let done: u64 = 0;
  while (done < total) {
    const chunk = min(<u64>4096, total - done);
    if (device == Device.Random) generatorFill(state.buffer, <u32>chunk);
    if (copyOut(thread.process.space, buffer + done, state.buffer, 4096, chunk) != KernelError.None) {
      return done > 0 ? <i64>done : -(<i64>Errno.EFAULT);
    }
    done += chunk;
  }
  return <i64>done;
}

/** write to a memory device: null and zero take everything without reading it (as Linux's);
 * full says ENOSPC; random and urandom read the bytes (EFAULT for a bad buffer) and drop them:
 * the kernel's generator is not fed from user space (FIXME: Linux mixes them into its pool
 * without crediting entropy). At most DEVICE_CALL_MAXIMUM bytes for random. */
export function deviceWrite(thread: Thread, file: FileObject, buffer: u64, count: u64): i64 {
  const device = deviceOf(file.node);
  if (device == Device.Full) return -(<i64>Errno.ENOSPC);
  if (device != Device.Random) return <i64>count;
  const total = min(count, DEVICE_CALL_MAXIMUM);
  let done: u64 = 0;
  while (done < total) {
    const chunk = min(<u64>4096, total - done);
    if (copyIn(thread.process.space, state.buffer, 4096, buffer + done, chunk) != KernelError.None) {
      return done > 0 ? <i64>done : -(<i64>Errno.EFAULT);
    }
    done += chunk;
  }
  return <i64>done;
}
