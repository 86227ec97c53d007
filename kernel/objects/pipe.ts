// Pipe: one end of a pipe, a one-way byte stream through a 64 KiB ring in the kernel
// (docs/abi/interfaces/pipe.md; the ring and the copies through it: pipe-ring.ts). Each end is a
// capability, and an end closes when its last capability goes: the reader then sees the end of
// the stream once the ring is empty, the writer EPIPE. Native programs reach only `info` through
// the ring so far.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { PipeMethod } from "../../abi/methods";
import { Invocation } from "../cap/invocation";
import { KernelObject } from "../cap/kernel-object";
import { Request } from "../cap/request";
import { PipeRing, pipeRingRelease } from "./pipe-ring";

export class PipeObject extends KernelObject {
  constructor(readonly ring: PipeRing, readonly reading: bool) { super(Interface.Pipe); }

  destroy(): void {
    pipeRingRelease(this.ring, this.reading);
  }

  decodeCall(request: Request): Invocation | null {
    if (request.method != PipeMethod.Info) return request.refuse(KernelError.UnknownMethod);
    return state.info;
  }
}

/** info() -> value: 0 for the read end, 1 for the write end; result: the bytes the ring holds. */
class Info extends Invocation {
  invoke(request: Request): void {
    const pipe = changetype<PipeObject>(request.object);
    request.complete(<i64>pipe.ring.buffered, pipe.reading ? 0 : 1);
  }
}

class PipesState {
  readonly info: Info = new Info();
}
const state = new PipesState();

