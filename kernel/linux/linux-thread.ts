// A Linux thread's own state (docs/linux.md, "Threads"): its thread id, its signal mask and the
// signals sent to it alone, its alternate signal stack, the one wait its blocking calls use and
// what a restarted call remembers, the words the C library registered (set_tid_address,
// set_robust_list), and its futex wait (futex.ts). The process-wide rest (descriptors, memory,
// dispositions, process-directed signals) is LinuxProcess's. One per live thread of a Linux
// process, at the thread's index in LinuxProcess.threads.

import { instanceBytes, staticArrayBytes } from "../memory/heap-cost";
import { Thread } from "../sched/thread";
import { LinuxWait } from "./block";
import { FutexWait } from "./futex";

/** Signals 1..64 (linux-process.ts's SIGNALS, repeated to keep this file below it). */
const SIGNALS: i32 = 64;

export class LinuxThread {
  /** Its blocking calls' wait (block.ts) and its futex wait (futex.ts). */
  readonly wait: LinuxWait = new LinuxWait();
  readonly futex: FutexWait;
  /** Blocked signals (rt_sigprocmask). */
  signalMask: u64 = 0;
  /** Signals sent to this thread (tkill, tgkill, its faults), and each one's siginfo (two words:
   * si_code | si_pid << 32, and the address, status or 0). */
  pending: u64 = 0;
  readonly information: StaticArray<u64> = new StaticArray<u64>(SIGNALS * 2);
  /** sigsuspend's mask to put back once its handler returns (Linux's TIF_RESTORE_SIGMASK). */
  savedMask: u64 = 0;
  maskSaved: bool = false;
  /** sigaltstack: base, size, and whether it is disabled (SS_DISABLE). */
  alternateBase: u64 = 0;
  alternateSize: u64 = 0;
  alternateDisabled: bool = true;
  /** Woken from a blocking call for a signal: its context holds the call's restart (block.ts). */
  interrupted: bool = false;
  /** rt_sigtimedwait's set while it waits (those signals wake it although blocked). */
  waitSet: u64 = 0;
  /** rt_sigtimedwait's deadline across its restarts and the SYSCALL that set it (0: none). */
  waitDeadline: u64 = 0;
  waitAt: u64 = 0;
  /** The last fault's vector, error code and address (the frame's trapno, err and cr2). */
  trapNumber: u64 = 0;
  errorCode: u64 = 0;
  faultAddress: u64 = 0;
  /** A sleep's state across its restarts: the deadline (monotonic ns, 0: none) and the address of
   * the SYSCALL that set it. */
  sleepDeadline: u64 = 0;
  sleepAt: u64 = 0;
  /** The blocking limit of the AF_UNIX call running (ns; 0: none): its socket's SO_RCVTIMEO or
   * SO_SNDTIMEO, for the ring code it runs (socket-timeout.ts). */
  callTimeout: u64 = 0;
  /** A blocking write's progress across its restarts: the SYSCALL's address and the bytes in. */
  writeAt: u64 = 0;
  writeDone: u64 = 0;
  /** A blocking MSG_WAITALL receive's progress across its restarts: the same, bytes out. */
  readAt: u64 = 0;
  readDone: u64 = 0;
  /** set_tid_address's (or CLONE_CHILD_CLEARTID's) word, cleared and woken when the thread ends,
   * and set_robust_list's head, walked then. */
  clearChildTid: u64 = 0;
  robustList: u64 = 0;
  /** Taken off the run queue by a group stop (signal.ts), to be made runnable by SIGCONT. */
  stopped: bool = false;

  constructor(
    /** Its thread: the process's own id for the first one, a fresh id from the same sequence
     * for each thread clone makes (gettid; tgkill names it). */
    readonly thread: Thread,
    public tid: u32,
  ) {
    this.futex = new FutexWait(thread);
  }
}

/** Heap bytes one LinuxThread costs its process's account. */
export const LINUX_THREAD_BYTES: u64 = instanceBytes<LinuxThread>() + instanceBytes<LinuxWait>() + instanceBytes<FutexWait>()
  + staticArrayBytes<u64>(<u64>SIGNALS * 2);
