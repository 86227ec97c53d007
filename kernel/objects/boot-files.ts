// BootFiles: read-only access to the files of the boot package, every GRUB module by its name
// (the programs' ELF images, the manifest, and the data files of userspace/files/;
// kernel/loader/boot-package.ts; docs/abi/interfaces/boot-files.md). Any holder may read any
// file. Decode copies the name into static staging, looks the file up and checks the caller's
// buffer; invoke copies straight from the module's bytes into the caller's memory, at most
// BOOT_FILE_READ_MAXIMUM bytes a call (a bound on the time one entry keeps interrupts masked).

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { BOOT_FILE_NAME_MAXIMUM, BOOT_FILE_READ_MAXIMUM, BootFilesMethod } from "../../abi/methods";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { BootFile, bootFileFindBytes } from "../loader/boot-package";
import { callerThread } from "../sched/thread";
import { copyIn, copyOut, userRangeCheck } from "../vm/user-memory";

/** read's argument1: the name's length in its low 16 bits, the offset above. */
const NAME_LENGTH_MASK: u64 = 0xffff;
const OFFSET_SHIFT: u64 = 16;

export class BootFilesObject extends KernelObject {
  constructor() { super(Interface.BootFiles); }

  decodeCall(request: Request): Invocation | null {
    const method = request.method;
    if (method != BootFilesMethod.Size && method != BootFilesMethod.Read) return request.refuse(KernelError.UnknownMethod);
    const nameLength = method == BootFilesMethod.Size ? request.argument1 : request.argument1 & NAME_LENGTH_MASK;
    if (nameLength > BOOT_FILE_NAME_MAXIMUM) return request.refuse(KernelError.InvalidArgument);
    const space = callerThread(request).process.space;
    const error = copyIn(space, state.name, BOOT_FILE_NAME_MAXIMUM, request.argument0, nameLength);
    if (error != KernelError.None) return request.refuse(error);
    const file = bootFileFindBytes(state.name, <u32>nameLength);   // byte for byte, no decoding
    if (file === null) return request.refuse(KernelError.NotFound);
    if (method == BootFilesMethod.Size) {
      state.size.size = file.size;
      return state.size;
    }
    // An offset below 2^48 (the encoding allows no more) at or past the end reads nothing.
    const offset = request.argument1 >> OFFSET_SHIFT;
    const length = offset >= file.size ? 0 : min(min(request.argument3, BOOT_FILE_READ_MAXIMUM), file.size - offset);
    const checked = userRangeCheck(space, request.argument2, length, true);
    if (checked != KernelError.None) return request.refuse(checked);
    const read = state.read;
    read.file = file;
    read.offset = offset;
    read.length = length;
    return read;
  }
}

/** read: the file and the range decode looked up and checked (decode and invoke of one entry run
 * back to back, with nothing in between that could unmap the buffer). */
class Read extends Invocation {
  file: BootFile | null = null;
  offset: u64 = 0;
  length: u64 = 0;

  invoke(request: Request): void {
    const file = this.file!;
    this.file = null;
    if (this.length == 0) { request.complete(0, 0); return; }   // the offset may lie past the end
    const error = copyOut(callerThread(request).process.space, request.argument2, file.address + <usize>this.offset, file.size - this.offset, this.length);
    if (error != KernelError.None) abort("BootFiles.read: decode checked the buffer");
    request.complete(<i64>this.length, 0);
  }
}

/** size: the size decode looked up. */
class Size extends Invocation {
  size: u64 = 0;

  invoke(request: Request): void {
    request.complete(<i64>this.size, 0);
  }
}

class BootFilesState {
  /** Where a caller's file name is staged during decode. */
  readonly name: usize = memory.data(<i32>BOOT_FILE_NAME_MAXIMUM, 8);
  readonly read: Read = new Read();
  readonly size: Size = new Size();
}
const state = new BootFilesState();
