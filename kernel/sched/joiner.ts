// A join not yet completed: a ThreadHandle.join or a ProcessHandle.wait. It is a wait of the
// joining thread and sits in the chain of the thread or process it waits for; when that one
// ends, joinersComplete posts each completion. If the joiner ends first, its cancel leaves the
// chain.

import { Opcode } from "../../abi/ring";
import { Chain } from "../collections/lists";
import { Pool } from "../collections/pool";
import { threadNotify } from "./blocking";
import { Thread } from "./thread";
import { Wait } from "./wait";
import { instanceBytes } from "../memory/heap-cost";

export class Joiner extends Wait {
  /** Its place in the target's chain. */
  next: Joiner | null = null;
  userData: u64 = 0;
  chain: Chain<Joiner> | null = null;

  cancel(): void {
    this.chain!.remove(this);
    this.chain = null;
    state.pool.give(this);
  }
}

class JoinersState {
  pool: Pool<Joiner> = new Pool<Joiner>(16);
}
const state = new JoinersState();

/** `thread` waits in `chain` (a thread's or a process's joiners) for its completion `userData`. */
export function joinerAdd(chain: Chain<Joiner>, thread: Thread, userData: u64): void {
  const joiner = state.pool.take();
  joiner.userData = userData;
  joiner.chain = chain;
  chain.push(joiner);
  joiner.begin(thread);
}

/** The target ended: every joiner in `chain` completes with result 0 and `value`. */
export function joinersComplete(chain: Chain<Joiner>, value: u64): void {
  let joiner = chain.shift();
  while (joiner !== null) {
    const thread = joiner.waiter!;
    joiner.end();
    joiner.chain = null;
    thread.ring.complete(joiner.userData, 0, value, Opcode.Call);
    threadNotify(thread);
    state.pool.give(joiner);
    joiner = chain.shift();
  }
}

/** Heap bytes of the record one join or process wait in flight holds. */
export const JOINER_BYTES: u64 = instanceBytes<Joiner>();
