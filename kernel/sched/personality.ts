// A process's personality: the ABI it speaks besides Capsid's own. A native program has none
// (null); a Linux program's is kernel/linux/linux-process.ts's LinuxProcess, made at spawn through
// the hook objects/spawn.ts keeps (the Linux layer sits above this one). Its state (descriptors,
// the program break, signal dispositions) lives and ends with the process. The scheduler and the
// fault path reach it only through these methods (Linux signals: kernel/linux/signal*.ts).

import { schedulerReady } from "./scheduler";
import { Thread } from "./thread";

export class Personality {
  /** The process ended: give back what the personality holds outside the capability table. */
  ended(): void {}

  /** `thread` is about to return to user mode (after any kernel entry: a call, an interrupt, a
   * fault): the personality may change its registers (deliver a signal), stop it (it is then no
   * longer Runnable) or end its process. */
  returning(thread: Thread): void {}

  /** A fault or trap `thread` took in user mode that the regions did not resolve: true when the
   * personality takes it (a Linux signal handler will run), false to end the process as usual. */
  fault(thread: Thread, vector: u32, errorCode: u64, address: u64): bool { return false; }

  /** `thread`, blocked in a call of the personality's, was woken: it goes back on the run queue,
   * unless the personality holds it (a stopped Linux process's threads wait for SIGCONT). */
  resume(thread: Thread): void {
    schedulerReady(thread);
  }
}
