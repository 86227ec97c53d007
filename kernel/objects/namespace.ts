// Namespace: a subtree of a file system (kernel/fs/) that a process's paths resolve in, and
// whether it may change it (docs/abi/interfaces/namespace.md). Paths never lead out of it: ".."
// at its root stays there, and symbolic links resolve inside it (fs/path.ts). The root file
// system is the boot's initrd, unpacked once (namespaceRootInit); init gets a Namespace on its
// root when its manifest grants `namespace` (read-only) or `namespace-rw` (writable), and passes
// it on; a spawner may pass a writable one only to a program granted `namespace-rw`. Native
// programs reach only `info` through the ring so far; the Linux personality resolves its paths in
// it.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { NamespaceMethod } from "../../abi/methods";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { Ramfs } from "../fs/ramfs";
import { Node } from "../fs/node";

export class NamespaceObject extends KernelObject {
  /** `root` is held open while the object lives. */
  constructor(readonly fileSystem: Ramfs, readonly root: Node, readonly writable: bool) {
    super(Interface.Namespace);
    fileSystem.open(root);
  }

  destroy(): void {
    this.fileSystem.close(this.root);
  }

  decodeCall(request: Request): Invocation | null {
    if (request.method != NamespaceMethod.Info) return request.refuse(KernelError.UnknownMethod);
    return state.info;
  }
}

/** info() -> result: the nodes of its file system; value: 1 when writable, else 0. */
class Info extends Invocation {
  invoke(request: Request): void {
    const namespace = changetype<NamespaceObject>(request.object);
    request.complete(<i64>namespace.fileSystem.nodes, namespace.writable ? 1 : 0);
  }
}

class NamespacesState {
  readonly info: Info = new Info();
  /** The root file system (the initrd's), once unpacked; null when the boot had none. */
  root: Ramfs | null = null;
}
const state = new NamespacesState();

/** The boot's root file system (syscall/start.ts unpacks it). */
export function namespaceRootSet(fileSystem: Ramfs): void {
  state.root = fileSystem;
}

export function namespaceRoot(): Ramfs | null {
  return state.root;
}
