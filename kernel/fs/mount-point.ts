// The directory another file system is seen at (docs/fs.md, "Mount points"): /proc (0555) in the
// root file system, made at boot (syscall/start.ts) so that a listing of / names it, as on
// Linux. What lies below it never comes from this file system: resolve hands any path that
// enters it over to its caller (path.ts, Resolution.crossed), and the Linux personality answers
// it (kernel/linux/proc-tree.ts). An entry the archive already has is left as it is.

import { KernelError } from "../../abi/errors";
import { S_IFDIR } from "./node";
import { Ramfs } from "./ramfs";

/** Makes directory `name` (with `permissions`) at the root of `fileSystem` where missing, and
 * the file system's mount point; the error (the quota, the node limit, a non-directory of that
 * name), or None. */
export function mountPointCreate(fileSystem: Ramfs, name: string, permissions: u32): KernelError {
  const bytes = String.UTF8.encode(name);
  const address = changetype<usize>(bytes), length = <u32>bytes.byteLength;
  let found = fileSystem.lookup(fileSystem.root, address, length);
  if (found.node !== null && !found.node!.isDirectory) return KernelError.NotADirectory;
  if (found.node === null) {
    if (found.error != KernelError.NotFound) return found.error;
    found = fileSystem.create(fileSystem.root, address, length, S_IFDIR | permissions);
    if (found.error != KernelError.None) return found.error;
  }
  fileSystem.mountPoint = found.node;
  return KernelError.None;
}
