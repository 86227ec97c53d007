// File: an open file or directory of a namespace (docs/abi/interfaces/file.md): the node (held
// open, so it outlives an unlink), an offset (a directory's is its readdir cursor) and what the
// opening allowed. The Linux personality makes one per open and puts it behind a descriptor; dup
// and fork share it, offset included, as Linux's open file descriptions are shared. Native
// programs reach only `info` through the ring so far.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { FileMethod } from "../../abi/methods";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { instanceBytes } from "../memory/heap-cost";
import { Ramfs } from "../fs/ramfs";
import { Node } from "../fs/node";

export class FileObject extends KernelObject {
  offset: u64 = 0;
  /** Whether it was opened through a writable Namespace: its holder may then change the node's
   * size, mode, owner and times (ftruncate, fchmod, fchown, futimens); else EROFS. */
  namespaceWritable: bool = false;
  /** Opened with Linux's O_PATH: it names the node (fstat, fchdir, the *at calls, linkat's
   * AT_EMPTY_PATH) but neither reads, writes nor changes it (EBADF). */
  pathOnly: bool = false;
  /** A synthetic file's contents, made at its open (the Linux personality's procfs): read,
   * pread and lseek work on them, not on the node; a directory's are its entries. Null for a
   * file of the file system. Its bytes are charged with the File. */
  snapshot: StaticArray<u8> | null = null;

  constructor(readonly fileSystem: Ramfs, readonly node: Node, readonly readable: bool, readonly writable: bool) {
    super(Interface.File);
    fileSystem.open(node);
  }

  destroy(): void {
    this.fileSystem.close(this.node);
  }

  decodeCall(request: Request): Invocation | null {
    if (request.method != FileMethod.Info) return request.refuse(KernelError.UnknownMethod);
    return state.info;
  }
}

/** info() -> result: the file's size; value: the offset. */
class Info extends Invocation {
  invoke(request: Request): void {
    const file = changetype<FileObject>(request.object);
    request.complete(<i64>file.node.size, file.offset);
  }
}

class FilesState {
  readonly info: Info = new Info();
}
const state = new FilesState();

/** Heap bytes one open file costs the account of the process that opened it. */
export const FILE_BYTES: u64 = instanceBytes<FileObject>();
