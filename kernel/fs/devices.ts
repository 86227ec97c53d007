// The device nodes of the root file system (docs/fs.md, "Devices"): /dev and its character
// devices, made at boot in the ramfs unpacked from the initrd (syscall/start.ts), with Linux's
// numbers and modes. A node only names a device; what opening it does belongs to the Linux
// personality (kernel/linux/sys-dev.ts). An entry the archive already has is left as it is.

import { KernelError } from "../../abi/errors";
import { S_IFCHR, S_IFDIR } from "./node";
import { Ramfs } from "./ramfs";

/** Name, mode and number of each node, as Linux's devtmpfs makes them (drivers/char/mem.c,
 * drivers/tty/tty_io.c). */
class DeviceNode {
  constructor(readonly name: string, readonly mode: u32, readonly major: u32, readonly minor: u32) {}
}

function deviceNodes(): DeviceNode[] {
  return [
    new DeviceNode("null", 0o666, 1, 3),
    new DeviceNode("zero", 0o666, 1, 5),
    new DeviceNode("full", 0o666, 1, 7),
    new DeviceNode("random", 0o666, 1, 8),
    new DeviceNode("urandom", 0o666, 1, 9),
    new DeviceNode("tty", 0o666, 5, 0),
    new DeviceNode("console", 0o600, 5, 1),
  ];
}

/** Makes /dev (0755) and its device nodes in `fileSystem` where missing; the first error (the
 * file system's quota or node limit, or a /dev that is not a directory), or None. */
export function devicesCreate(fileSystem: Ramfs): KernelError {
  const dev = String.UTF8.encode("dev");
  let found = fileSystem.lookup(fileSystem.root, changetype<usize>(dev), <u32>dev.byteLength);
  if (found.error == KernelError.NotFound) found = fileSystem.create(fileSystem.root, changetype<usize>(dev), <u32>dev.byteLength, S_IFDIR | 0o755);
  if (found.error != KernelError.None) return found.error;
  const directory = found.node!;
  if (!directory.isDirectory) return KernelError.NotADirectory;
  const nodes = deviceNodes();
  for (let i = 0; i < nodes.length; i++) {
    const name = String.UTF8.encode(nodes[i].name);
    const address = changetype<usize>(name), length = <u32>name.byteLength;
    if (fileSystem.lookup(directory, address, length).node !== null) continue;
    const made = fileSystem.create(directory, address, length, S_IFCHR | nodes[i].mode, nodes[i].major, nodes[i].minor);
    if (made.error != KernelError.None) return made.error;
  }
  return KernelError.None;
}
