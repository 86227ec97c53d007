// Who submits ring entries, as the capability core sees it: the capability table its handles
// name and the ring its completions go to. The core sits below scheduling, so it names this
// base class; sched/thread.ts's Thread is its one subclass, and the objects layer, which sits
// above scheduling, gets the Thread back with callerThread().

import { CapabilityTable } from "./capability-table";
import { Request } from "./request";
import { Ring } from "./ring";

export class Caller {
  /** The request its entries are handled through (one at a time: the kernel is one thread). */
  request!: Request;

  constructor(
    /** The table of the caller's process: handles in its entries are looked up here. */
    readonly table: CapabilityTable,
    /** The caller's own ring: its completions are posted here. */
    readonly ring: Ring,
  ) {
    this.request = new Request(this);
  }
}
