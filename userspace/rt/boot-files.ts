// BootFiles client: the read-only files of the boot package by name (programs, the manifest,
// the data files of userspace/files/; docs/abi/interfaces/boot-files.md). Synchronous: one ring
// entry, waited for; an event loop submits the same entries itself (bootFilesNameAndOffset).

import { Interface } from "../../abi/interfaces";
import { BOOT_FILE_NAME_MAXIMUM, BootFilesMethod } from "../../abi/methods";
import { Opcode } from "../../abi/ring";
import { grant, ringCall, userAddress } from "./ring";

export class BootFiles {
  constructor(readonly handle: u64) {}

  /** The BootFiles the process was started with, or null. */
  static granted(): BootFiles | null {
    const handle = grant(Interface.BootFiles);
    return handle != 0 ? new BootFiles(handle) : null;
  }

  /** The size of the file `name`, or -KernelError (NotFound). */
  size(name: string): i64 {
    const bytes = String.UTF8.encode(name);
    return ringCall(Opcode.Call, this.handle, BootFilesMethod.Size, userAddress(changetype<usize>(bytes)), <u64>bytes.byteLength);
  }

  /** Copies at most `capacity` bytes of `name` from `offset` to linear address `address`: the
   * count (0 at or past the end), or -KernelError. */
  read(name: string, offset: u64, address: usize, capacity: usize): i64 {
    const bytes = String.UTF8.encode(name);
    return this.readBytes(changetype<usize>(bytes), <u32>bytes.byteLength, offset, address, capacity);
  }

  /** read() with the name as `nameLength` bytes at linear address `name` (no allocation). */
  readBytes(name: usize, nameLength: u32, offset: u64, address: usize, capacity: usize): i64 {
    return ringCall(Opcode.Call, this.handle, BootFilesMethod.Read, userAddress(name), bootFilesNameAndOffset(nameLength, offset),
      userAddress(address), <u64>capacity);
  }
}

/** read's argument1: the name's length (at most BOOT_FILE_NAME_MAXIMUM, else the kernel refuses
 * it) and the offset above it. */
export function bootFilesNameAndOffset(nameLength: u32, offset: u64): u64 {
  return min(<u64>nameLength, BOOT_FILE_NAME_MAXIMUM + 1) | (offset << 16);
}
