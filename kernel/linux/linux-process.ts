// A Linux process's personality state (docs/linux.md): its file descriptors, each naming a
// capability in the process's own table (the personality holds no authority of its own); the
// Memory capability its break and mmap are charged to; its program break; the calls it made
// that are not supported (each logged once); whether its calls are traced. Made at spawn
// (objects/spawn.ts calls linuxPersonality through the hook linux.ts registers).

import { vmWriteBack } from "../vm/mappings";
import { Interface } from "../../abi/interfaces";
import { ExitKind } from "../../abi/methods";
import { LINUX_THREADS_MAXIMUM } from "../../abi/layout";
import { staticArrayBytes, instanceBytes } from "../memory/heap-cost";
import { LinuxImage } from "../loader/linux-image";
import { Personality } from "../sched/personality";
import { Node } from "../fs/node";
import { Ramfs } from "../fs/ramfs";
import { Process, processWidenThreads } from "../sched/process";
import { upcallEnabled, upcallMap } from "./upcall";
import { linuxWake } from "./block";
import { LINUX_THREAD_BYTES, LinuxThread } from "./linux-thread";
import { ttyRelease, ttySession } from "./tty";
import { logEnd, LogLevel, logLine } from "../log/log";
import { Thread, ThreadState } from "../sched/thread";
import { schedulerReady } from "../sched/scheduler";
import { monotonicNanos } from "../time/clock";
import { LINUX_SIGNALS_BYTES, LinuxSignals, linuxSignalsEnded, linuxSignalsStart, signalGroupInSession } from "./signal";
import { linuxSignalFault, linuxSignalsReturning } from "./signal-deliver";

/** Descriptors a Linux process may hold: RLIMIT_NOFILE, soft and hard (Linux's soft default is
 * 1024; this table is fixed-size, paid for at spawn). */
export const LINUX_DESCRIPTORS: i32 = 1024;
/** System call numbers the once-only ENOSYS log tells apart; larger ones share the last bit. */
export const LINUX_SYSCALL_NUMBERS: i32 = 512;

/** Signals 1..64. */
export const SIGNALS: i32 = 64;

/** Descriptor flags (F_GETFD): FD_CLOEXEC. */
export const FD_CLOEXEC: u8 = 1;
/** A descriptor flag: it names the console as /dev/console (init's 0, 1 and 2, and opens of
 * /dev/console), Linux's redirected console, whose reads and writes are outside job control
 * (sys-tty.ts); /dev/tty's are not. */
export const STATUS_CONSOLE: u8 = 16;

export class LinuxProcess extends Personality {
  /** Per descriptor, the handle of the capability it names (0: closed). Several descriptors may
   * name one handle (dup); the capability leaves the table when the last of them closes. */
  readonly descriptors: StaticArray<u64> = new StaticArray<u64>(LINUX_DESCRIPTORS);
  /** Per descriptor, its FD_ flags. */
  readonly descriptorFlags: StaticArray<u8> = new StaticArray<u8>(LINUX_DESCRIPTORS);
  /** The Namespace capability its paths resolve in (0: none, every path ENOENT), and its working
   * directory (held open; null: the namespace's root). */
  namespaceHandle: u64 = 0;
  /** The Network grant its AF_INET sockets are made from (0: none; socket says EACCES). */
  networkHandle: u64 = 0;
  cwd: Node | null = null;
  private cwdFileSystem: Ramfs | null = null;
  /** The file its program came from (held open; /proc/self/exe), null for a boot package's
   * program, which is no file of a namespace. */
  exe: Node | null = null;
  exeFileSystem: Ramfs | null = null;
  /** When it was made (monotonic ns; /proc/self/stat's starttime). */
  startNanos: u64 = 0;
  /** Where its program's argv strings are in its memory (/proc/self/cmdline reads them there). */
  argumentsStart: u64 = 0;
  argumentsEnd: u64 = 0;
  /** The Memory capability (a handle in the table) the break and mmap's pages are charged to; 0
   * when the process was granted none (they then fail with ENOMEM). */
  memoryHandle: u64 = 0;
  /** The program break: where it started (after the image), where it is, and the end of the
   * pages mapped for it (page-aligned; the region [breakStart, breakMapped) is Anonymous). */
  breakStart: u64 = 0;
  breakCurrent: u64 = 0;
  breakMapped: u64 = 0;
  /** Frames of the program's read-only pages its account pays for: an execve of a file the exec
   * cache does not keep (loader/exec-program.ts) maps its own copy. */
  imagePages: u64 = 0;
  /** Its threads' own state (linux-thread.ts: the tid, the signal mask, the wait its blocking
   * calls use), at each live thread's index. */
  readonly threads: StaticArray<LinuxThread | null> = new StaticArray<LinuxThread | null>(<i32>LINUX_THREADS_MAXIMUM);
  /** rt_sigaction's records, 4 words per signal 1..64 (handler, flags, restorer, mask). The rest
   * of its signal state (process-directed pending signals, process group and session) is
   * `signals` (signal.ts); each thread's mask and own pending signals are its LinuxThread's. */
  readonly signalActions: StaticArray<u64> = new StaticArray<u64>(SIGNALS * 4);
  readonly signals: LinuxSignals = new LinuxSignals();
  /** The file mode creation mask (umask; sys-attributes.ts): Linux's init starts with 022. */
  umask: u32 = 0o022;
  /** RLIMIT_NOFILE (sys-limits.ts): descriptors open at or above the soft limit are refused. */
  descriptorLimit: i32 = LINUX_DESCRIPTORS;
  descriptorHardLimit: i32 = LINUX_DESCRIPTORS;
  /** RLIMIT_CORE, kept only to be read back (no core dumps are written). */
  coreLimit: u64 = 0;
  coreHardLimit: u64 = u64.MAX_VALUE;
  /** Supplementary groups (sys-ids.ts): how many, each of them group 0 (the only id there is). */
  groups: u32 = 0;
  /** CPU time of its reaped children and theirs (sys-usage.ts), for times and RUSAGE_CHILDREN. */
  childrenCpuNanos: u64 = 0;
  /** prctl(PR_SET_NAME): 15 bytes and a NUL, as Linux's task comm. */
  name: string = "";
  /** Unsupported numbers logged so far (syscall.ts stops at its maximum). */
  unsupportedLogs: u32 = 0;
  /** Bit per system call number already logged as not supported. */
  readonly unsupportedLogged: StaticArray<u32> = new StaticArray<u32>(LINUX_SYSCALL_NUMBERS / 32);
  /** The Linux process that forked it (null: started by the kernel or a native spawner, or its
   * parent ended and there was no init to adopt it), and its children, live or ended but not
   * yet waited for (zombies). */
  parent: LinuxProcess | null = null;
  readonly children: LinuxProcess[] = [];
  /** A vfork child's parent, suspended until this process execs or ends (sys-fork.ts), and
   * whether this process is such a parent now. */
  vforkParent: LinuxProcess | null = null;
  vforkWaiting: bool = false;
  /** Once ended: its wait status as wait4 reports it (exit code << 8, or the signal). */
  ended_: bool = false;
  waitStatus: i32 = 0;
  /** The upcall prototype's frame page (physical), 0 when the kernel runs the calls (upcall.ts). */
  upcallFrame: u64 = 0;
  /** strace-like log of every call (the `strace=` command-line switch). */
  trace: bool = false;

  constructor(readonly process: Process) { super(); }

  /** The LinuxThread of `thread`, one of its threads. Inline: every call of the personality and
   * every return to one of its threads asks; the failure is apart, to keep the copies small. */
  @inline threadOf(thread: Thread): LinuxThread {
    const own = unchecked(this.threads[thread.index]);
    if (own === null || own.thread !== thread) notOneOfItsThreads();
    return own!;
  }

  /** Its first live thread's state (the process's mask where Linux looks at the thread group's
   * leader: whether a signal sent to the process is ignored, /proc's SigBlk), or null once every
   * thread ended. */
  firstThread(): LinuxThread | null {
    for (let i = 0; i < this.threads.length; i++) {
      const own = unchecked(this.threads[i]);
      if (own !== null && own.thread.state != ThreadState.Ended) return own;
    }
    return null;
  }

  /** Wakes each of its threads blocked in a call that runs again (block.ts): something a wait4,
   * a vfork parent or a pause may be waiting for changed. A restarted call that finds nothing
   * new blocks again. */
  wakeAll(): void {
    for (let i = 0; i < this.threads.length; i++) {
      const own = unchecked(this.threads[i]);
      if (own !== null) linuxWake(own.wait);
    }
  }

  /** Its thread returns to user mode: pending signals are acted on (signal-deliver.ts). */
  returning(thread: Thread): void {
    linuxSignalsReturning(thread, this);
  }

  /** A user fault: a signal for its handler, if one is installed and unblocked (signal-deliver.ts). */
  fault(thread: Thread, vector: u32, errorCode: u64, address: u64): bool {
    return linuxSignalFault(thread, this, vector, errorCode, address);
  }

  /** A thread woken from a call while the process is stopped stays off the run queue until
   * SIGCONT puts it back (signal.ts), as Linux holds a stopped group's threads. */
  resume(thread: Thread): void {
    if (this.signals.stopped) {
      this.threadOf(thread).stopped = true;
      return;
    }
    schedulerReady(thread);
  }

  /** Makes `node` of `fileSystem` the working directory (held open), closing the one before. */
  setCwd(fileSystem: Ramfs, node: Node): void {
    fileSystem.open(node);
    const old = this.cwd, oldFileSystem = this.cwdFileSystem;
    this.cwd = node;
    this.cwdFileSystem = fileSystem;
    if (old !== null) oldFileSystem!.close(old);
  }

  /** Makes `node` of `fileSystem` its program's file (held open), closing the one before. */
  setExe(fileSystem: Ramfs, node: Node): void {
    fileSystem.open(node);
    const old = this.exe, oldFileSystem = this.exeFileSystem;
    this.exe = node;
    this.exeFileSystem = fileSystem;
    if (old !== null) oldFileSystem!.close(old);
  }

  /** The process ended (sched/process.ts calls this in processEnd): its status is kept for its
   * parent's wait4, which is woken; its children go to the Linux init, or are let go. */
  ended(): void {
    this.ended_ = true;
    this.writeBackToVforkParent();
    this.releaseVforkParent();
    if (this.cwd !== null) {
      this.cwdFileSystem!.close(this.cwd!);
      this.cwd = null;
    }
    if (this.exe !== null) {
      this.exeFileSystem!.close(this.exe!);
      this.exe = null;
    }
    this.waitStatus = this.signals.killedBy != 0 ? this.signals.killedBy : waitStatusOf(this.process);
    const adopter = state.init !== null && state.init !== this && !state.init!.ended_ ? state.init : null;
    for (let i = 0; i < this.children.length; i++) {
      const child = this.children[i];
      child.parent = null;
      if (adopter !== null && !child.ended_) {
        child.parent = adopter;
        adopter!.children.push(child);
      }
    }
    this.children.length = 0;
    linuxSignalsEnded(this);   // SIGCHLD; a parent that ignores it keeps no zombie
    const parent = this.parent;
    if (parent !== null && !parent.ended_) parent.wakeAll();
    else this.parent = null;   // no one will wait for it: nothing is kept
    if (state.init === this) state.init = null;
    if (ttySession() == <i32>this.process.id) {   // the console's session ends with its leader: say so
      const status = this.waitStatus;
      const line = logLine(LogLevel.Info).text("linux: process ").decimal(this.process.id).text(" (").text(this.process.program.name)
        .text("), the console's session leader, ");
      if ((status & 0x7f) == 0) line.text("exited with code ").decimal((status >> 8) & 0xff);
      else line.text("ended by signal ").decimal(status & 0x7f);
      logEnd();
      ttyRelease(<i32>this.process.id);
    }
  }

  /** Its session (setsid; 0 for the Linux init's, as on Linux). */
  sessionOf(): i32 {
    return this.signals.session;
  }

  /** Whether process group `group` exists in its session. */
  groupInSession(group: i32): bool {
    return signalGroupInSession(this.signals.family, group, this.signals.session);
  }

  /** A vfork child is about to exec or end, its memory still the copy-on-write clone it got:
   * what it wrote is copied into its parent's memory (vmWriteBack), which it would have shared
   * on Linux (the parent, suspended, has changed nothing since). */
  writeBackToVforkParent(): void {
    const parent = this.vforkParent;
    if (parent !== null && !parent.ended_) vmWriteBack(this.process.space, parent.process.space);
  }

  /** A vfork child execs or ends: its parent goes on. */
  releaseVforkParent(): void {
    const parent = this.vforkParent;
    if (parent === null) return;
    this.vforkParent = null;
    parent.vforkWaiting = false;
    if (!parent.ended_) parent.wakeAll();
  }

  /** The lowest closed descriptor at or above `from` and below RLIMIT_NOFILE, or -1 (EMFILE). */
  lowestFree(from: i32): i32 {
    for (let fd = max(from, 0); fd < this.descriptorLimit; fd++) if (unchecked(this.descriptors[fd]) == 0) return fd;
    return -1;
  }

  /** The handle descriptor `fd` names, 0 when it is closed or out of range. */
  handleOf(fd: i64): u64 {
    if (fd < 0 || fd >= <i64>LINUX_DESCRIPTORS) return 0;
    return unchecked(this.descriptors[<i32>fd]);
  }

  /** How many descriptors name `handle`. */
  namingCount(handle: u64): i32 {
    let count = 0;
    for (let fd = 0; fd < LINUX_DESCRIPTORS; fd++) if (unchecked(this.descriptors[fd]) == handle) count++;
    return count;
  }

  /** Whether `number`'s ENOSYS was logged, marking it logged. */
  firstUnsupported(number: u64): bool {
    const bit = <i32>min(number, <u64>(LINUX_SYSCALL_NUMBERS - 1));
    const word = unchecked(this.unsupportedLogged[bit >> 5]), mask = <u32>1 << <u32>(bit & 31);
    unchecked(this.unsupportedLogged[bit >> 5] = word | mask);
    return (word & mask) == 0;
  }
}

/** Heap bytes one LinuxProcess costs its account: with its threads' records, the Process's wider
 * thread array (processWidenThreads). */
export const LINUX_PROCESS_BYTES: u64 = instanceBytes<LinuxProcess>() + LINUX_THREAD_BYTES + 2 * staticArrayBytes<usize>(<u64>LINUX_THREADS_MAXIMUM)
  + staticArrayBytes<u64>(<u64>LINUX_DESCRIPTORS)
  + staticArrayBytes<u8>(<u64>LINUX_DESCRIPTORS) + staticArrayBytes<u32>(<u64>(LINUX_SYSCALL_NUMBERS / 32))
  + staticArrayBytes<u64>(<u64>SIGNALS * 4) + LINUX_SIGNALS_BYTES + 64;

class LinuxState {
  /** Program names whose processes trace their calls (`strace=NAME[,NAME…]`). */
  traced: string[] = [];
  /** The first Linux process started without a Linux parent, while it lives: it adopts orphans. */
  init: LinuxProcess | null = null;
}
const state = new LinuxState();

/** The Linux init (the first Linux process started without a Linux parent, while it lives):
 * signals whose action is SIG_DFL do not reach it, as on Linux (signal.ts). */
export function linuxInitProcess(): LinuxProcess | null {
  return state.init;
}

export function linuxTraceSet(names: string[]): void {
  state.traced = names;
}

/** The personality of a Linux process just loaded: descriptors 0, 1 and 2 name its Console
 * capability when it holds one (else they are closed: writes say EBADF); its first Memory
 * capability backs the break and mmap. */
export function linuxPersonality(process: Process, image: LinuxImage): Personality {
  const linux = new LinuxProcess(process);
  process.accountCharge(LINUX_PROCESS_BYTES, 0);
  processWidenThreads(process, <i32>LINUX_THREADS_MAXIMUM);
  const grants = process.startupGrants;
  for (let i = 0; i + 1 < grants.length; i += 2) {
    const iface = <Interface>grants[i + 1];
    if (iface == Interface.Console && linux.descriptors[0] == 0) {
      for (let fd = 0; fd < 3; fd++) {
        linux.descriptors[fd] = grants[i];
        linux.descriptorFlags[fd] = STATUS_CONSOLE;
      }
    }
    if (iface == Interface.Memory && linux.memoryHandle == 0) linux.memoryHandle = grants[i];
    if (iface == Interface.Namespace && linux.namespaceHandle == 0) linux.namespaceHandle = grants[i];
    if (iface == Interface.Network && linux.networkHandle == 0) linux.networkHandle = grants[i];
  }
  linux.breakStart = image.breakStart;
  linux.breakCurrent = image.breakStart;
  linux.breakMapped = image.breakStart;
  linux.startNanos = monotonicNanos();
  linux.argumentsStart = image.argumentsStart;
  linux.argumentsEnd = image.argumentsEnd;
  linux.name = process.program.name.length > 15 ? process.program.name.substring(0, 15) : process.program.name;
  for (let i = 0; i < state.traced.length; i++) if (state.traced[i] == process.program.name) linux.trace = true;
  if (upcallEnabled()) linux.upcallFrame = upcallMap(process);
  linux.threads[0] = new LinuxThread(process.threads[0]!, process.id);
  if (state.init === null) state.init = linux;
  linuxSignalsStart(linux, null);
  return linux;
}

/** The personality of `child`, forked from `parent`: the same descriptors and flags, naming the
 * child's own handles for the same capabilities (`handles` maps the parent's to the child's, as
 * pairs), the same break, signal dispositions and mask, name and trace; `parent` its parent. */
export function linuxPersonalityForked(child: Process, parent: LinuxProcess, from: LinuxThread, handles: u64[]): LinuxProcess {
  const linux = new LinuxProcess(child);
  child.accountCharge(LINUX_PROCESS_BYTES, 0);
  processWidenThreads(child, <i32>LINUX_THREADS_MAXIMUM);
  for (let fd = 0; fd < LINUX_DESCRIPTORS; fd++) {
    const handle = parent.descriptors[fd];
    if (handle == 0) continue;
    linux.descriptors[fd] = mapped(handles, handle);
    linux.descriptorFlags[fd] = parent.descriptorFlags[fd];
  }
  linux.memoryHandle = parent.memoryHandle != 0 ? mapped(handles, parent.memoryHandle) : 0;
  linux.namespaceHandle = parent.namespaceHandle != 0 ? mapped(handles, parent.namespaceHandle) : 0;
  linux.networkHandle = parent.networkHandle != 0 ? mapped(handles, parent.networkHandle) : 0;
  if (parent.cwd !== null) linux.setCwd(parent.cwdFileSystem!, parent.cwd!);
  if (parent.exe !== null) linux.setExe(parent.exeFileSystem!, parent.exe!);
  linux.startNanos = monotonicNanos();
  linux.argumentsStart = parent.argumentsStart;
  linux.argumentsEnd = parent.argumentsEnd;
  linux.breakStart = parent.breakStart;
  linux.breakCurrent = parent.breakCurrent;
  linux.breakMapped = parent.breakMapped;
  for (let i = 0; i < SIGNALS * 4; i++) linux.signalActions[i] = parent.signalActions[i];
  // The child's one thread is a copy of the caller: its mask and alternate stack (its memory is
  // copied too); pending signals and timers are the parent's alone.
  const own = new LinuxThread(child.threads[0]!, child.id);
  own.signalMask = from.signalMask;
  own.alternateBase = from.alternateBase;
  own.alternateSize = from.alternateSize;
  own.alternateDisabled = from.alternateDisabled;
  linux.threads[0] = own;
  linux.name = parent.name;
  linux.umask = parent.umask;
  linux.groups = parent.groups;
  linux.descriptorLimit = parent.descriptorLimit;
  linux.descriptorHardLimit = parent.descriptorHardLimit;
  linux.coreLimit = parent.coreLimit;
  linux.coreHardLimit = parent.coreHardLimit;
  linux.trace = parent.trace;
  linux.parent = parent;
  parent.children.push(linux);
  linuxSignalsStart(linux, parent);
  child.personality = linux;
  return linux;
}

function mapped(handles: u64[], handle: u64): u64 {
  for (let i = 0; i + 1 < handles.length; i += 2) if (handles[i] == handle) return handles[i + 1];
  abort("linuxPersonalityForked: a descriptor's handle was not carried over");
  return 0;
}

/** Linux's wait status: exit code << 8; a signal's number for a process ended by one (a fault is
 * the signal Linux sends for it, a kill SIGKILL). */
function waitStatusOf(process: Process): i32 {
  if (process.exitKind == ExitKind.Exited) return (process.exitCode & 0xff) << 8;
  if (process.exitKind == ExitKind.Killed) return 9;   // SIGKILL
  switch (process.exitCode) {   // the vector of the fault that ended it
    case 0: case 16: case 19: return 8;   // #DE, #MF, #XM: SIGFPE
    case 1: case 3: return 5;             // #DB (a single step), #BP (int3): SIGTRAP
    case 6: return 4;                     // #UD: SIGILL
    case 12: case 17: return 7;           // #SS (a non-canonical stack address), #AC: SIGBUS
    default: return 11;                   // #GP, #PF and the rest: SIGSEGV
  }
}

/** LinuxProcess.threadOf's failure: a kernel bug. */
function notOneOfItsThreads(): void {
  abort("LinuxProcess.threadOf: not one of its threads");
}
