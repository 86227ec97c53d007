// fork and wait (docs/linux.md, "Processes"): fork, vfork and clone without CLONE_THREAD copy the
// process (objects/spawn.ts processForkLinux: a copy-on-write clone of its memory, the same
// capabilities in a table of its own, the calling thread's registers); wait4 and waitid reap
// ended children and report their status as Linux does, blocking (block.ts) until one ends.

import { KernelError } from "../../abi/errors";
import { CONTEXT_RAX, CONTEXT_RSP, contextWrite } from "../arch/context";
import { KernelObject } from "../cap/kernel-object";
import { framesFree } from "../memory/frames";
import { forkBytesNeeded, forkFramesNeeded, grantsFit, processForkLinux } from "../objects/spawn";
import { listRemoveAt } from "../collections/lists";
import { Thread } from "../sched/thread";
import { vmCloneCheck } from "../vm/mappings";
import { copyOut } from "../vm/user-memory";
import { linuxBlock, linuxSuspend } from "./block";
import { BLOCKED, Errno, UNSUPPORTED } from "./errno";
import { LINUX_DESCRIPTORS, LINUX_PROCESS_BYTES, LinuxProcess, linuxPersonalityForked } from "./linux-process";
import { Sys } from "./numbers";
import { childCpuNanos, rusageOut, usageReaped } from "./sys-usage";

/** Children (running or ended and not yet waited for) one process may have: fork says EAGAIN
 * past it (Linux's RLIMIT_NPROC, per process here), so zombies cannot pile up without bound. */
export const LINUX_CHILDREN_MAXIMUM: i32 = 256;

const CLONE_VM: u64 = 0x100, CLONE_FS: u64 = 0x200, CLONE_FILES: u64 = 0x400, CLONE_SIGHAND: u64 = 0x800;
const CLONE_VFORK: u64 = 0x4000, CLONE_PARENT_SETTID: u64 = 0x10_0000, CLONE_CHILD_CLEARTID: u64 = 0x20_0000;
const CLONE_CHILD_SETTID: u64 = 0x100_0000, CLONE_THREAD: u64 = 0x1_0000, CLONE_SETTLS: u64 = 0x8_0000;
const CSIGNAL: u64 = 0xff, SIGCHLD: u64 = 17;
const WNOHANG: u64 = 1, WUNTRACED: u64 = 2, WEXITED: u64 = 4, WCONTINUED: u64 = 8, WNOWAIT: u64 = 0x0100_0000;
const WALL_FLAGS: u64 = 0x4000_0000 | 0x8000_0000 | 0x2000_0000;   // __WNOTHREAD, __WALL, __WCLONE
const P_ALL: u64 = 0, P_PID: u64 = 1, P_PGID: u64 = 2;
const CLD_EXITED: i32 = 1, CLD_KILLED: i32 = 2, CLD_STOPPED: i32 = 5, CLD_CONTINUED: i32 = 6, SIGCONT_NUMBER: i32 = 18;
const SIGINFO_SIZE: u64 = 128;

class ForkState {
  readonly buffer: usize = memory.data(144, 16);
}
const state = new ForkState();

/** fork, vfork (the parent suspended until the child execs or exits, the child's writes then
 * copied into the parent's memory) and clone with only fork's flags: the child's pid to the
 * parent, 0 to the child. */
export function sysFork(thread: Thread, linux: LinuxProcess, flags: u64, stack: u64, parentTid: u64, childTid: u64): i64 {
  // Combinations Linux refuses before anything else (copy_process): EINVAL, not ENOSYS.
  if ((flags & CLONE_SIGHAND) != 0 && (flags & CLONE_VM) == 0) return -(<i64>Errno.EINVAL);
  if ((flags & CLONE_THREAD) != 0 && (flags & CLONE_SIGHAND) == 0) return -(<i64>Errno.EINVAL);
  if ((flags & (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SETTLS)) != 0) {
    // CLONE_VM with CLONE_VFORK alone (musl's posix_spawn) is a vfork: run as a fork on the given
    // stack. CLONE_THREAD is sys-thread.ts's; a process sharing its memory without being a thread
    // of it is not supported.
    const vforkOnly = (flags & ~(CSIGNAL | CLONE_VM | CLONE_VFORK | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) == 0
      && (flags & CLONE_VFORK) != 0;
    return vforkOnly ? forkAs(thread, linux, flags & ~CLONE_VM, stack, parentTid, childTid) : UNSUPPORTED;
  }
  if ((flags & ~(CSIGNAL | CLONE_VFORK | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID)) != 0) return -(<i64>Errno.EINVAL);
  return forkAs(thread, linux, flags, stack, parentTid, childTid);
}

function forkAs(thread: Thread, linux: LinuxProcess, flags: u64, stack: u64, parentTid: u64, childTid: u64): i64 {
  const process = thread.process;
  if (linux.children.length >= LINUX_CHILDREN_MAXIMUM) return -(<i64>Errno.EAGAIN);
  // The capabilities the child gets: each its descriptors name, its Network grant, Namespace and
  // Memory capability.
  const handles: u64[] = [];
  const grants: KernelObject[] = [];
  for (let fd = -3; fd < LINUX_DESCRIPTORS; fd++) {
    const handle = fd == -3 ? linux.networkHandle : fd == -2 ? linux.namespaceHandle : fd == -1 ? linux.memoryHandle : linux.descriptors[fd];
    if (handle == 0 || handles.includes(handle)) continue;
    const object = process.table.lookup(handle);
    if (object === null) continue;
    handles.push(handle);
    grants.push(object);
  }
  if (!grantsFit(grants.length)) return -(<i64>Errno.EAGAIN);
  const frames = forkFramesNeeded(process);
  if (framesFree() < frames) return -(<i64>Errno.ENOMEM);
  if (process.account.kernelFits(forkBytesNeeded(process, grants.length) + LINUX_PROCESS_BYTES, frames) != KernelError.None) return -(<i64>Errno.ENOMEM);
  if (vmCloneCheck(process.space) != KernelError.None) return -(<i64>Errno.ENOMEM);
  const child = processForkLinux(process, thread, grants, process.account);
  const pairs: u64[] = [];
  for (let i = 0; i < handles.length; i++) {
    pairs.push(handles[i]);
    pairs.push(child.startupGrants[i * 2]);
  }
  const childLinux = linuxPersonalityForked(child, linux, linux.threadOf(thread), pairs);
  const pid = <u64>child.id;
  if (stack != 0) contextStack(child.threads[0]!, stack);
  store<u32>(state.buffer, <u32>pid);
  // The tid words: in the parent's memory and in the child's (its own copy after the clone).
  if ((flags & CLONE_PARENT_SETTID) != 0) {
    copyOut(process.space, parentTid, state.buffer, 144, 4);
    // A vfork child's writes go back to the parent (vmWriteBack): its copy of the word says the
    // same, as the one memory they would share on Linux would.
    if ((flags & CLONE_VFORK) != 0) copyOut(child.space, parentTid, state.buffer, 144, 4);
  }
  if ((flags & CLONE_CHILD_SETTID) != 0) copyOut(child.space, childTid, state.buffer, 144, 4);
  if ((flags & CLONE_CHILD_CLEARTID) != 0) childLinux.threads[0]!.clearChildTid = childTid;
  if ((flags & CLONE_VFORK) == 0) return <i64>pid;
  // vfork: the parent waits, its answer already given, until the child execs or ends
  // (LinuxProcess.releaseVforkParent). The child's memory is a copy-on-write copy; what it
  // writes there reaches the parent's memory when it execs or ends (writeBackToVforkParent), so
  // the parent finds it as if they had shared the memory, as on Linux.
  contextWrite(<usize>thread.context, CONTEXT_RAX, pid);
  childLinux.vforkParent = linux;
  linux.vforkWaiting = true;
  linuxSuspend(thread, linux.threadOf(thread).wait);
  return BLOCKED;
}

/** The child starts on `stack` (clone's newsp). */
function contextStack(thread: Thread, stack: u64): void {
  contextWrite(<usize>thread.context, CONTEXT_RSP, stack);
}

/** Which children a wait selects: Select.Any, one pid, or a process group. */
enum Select { Any = 0, Pid = 1, Group = 2 }

/** What a wait may report of a child: its end, or (WUNTRACED, WCONTINUED) a stop or a continue. */
enum Report { None = 0, Ended = 1, Stopped = 2, Continued = 3 }

function reportOf(child: LinuxProcess, options: u64): Report {
  if (child.ended_) return (options & WEXITED) != 0 ? Report.Ended : Report.None;
  if ((options & WUNTRACED) != 0 && child.signals.stopReport != 0) return Report.Stopped;
  if ((options & WCONTINUED) != 0 && child.signals.continueReport) return Report.Continued;
  return Report.None;
}

/** The index in `linux.children` of the first child `select`/`id` names that has something to
 * report under `options`, or -1; sets `found` when any child matches at all. */
function reportingChild(linux: LinuxProcess, select: Select, id: i64, options: u64, found: StaticArray<bool>): i32 {
  found[0] = false;
  for (let i = 0; i < linux.children.length; i++) {
    const child = linux.children[i];
    if (select == Select.Pid && <i64>child.process.id != id) continue;
    if (select == Select.Group && <i64>child.signals.processGroup != id) continue;
    found[0] = true;
    if (reportOf(child, options) != Report.None) return i;
  }
  return -1;
}

/** wait4(pid, status, options, rusage): pid > 0 that child, -1 any, 0 the caller's process group,
 * < -1 the group -pid. The child's status (Linux's encoding: exit code << 8, the signal, a stop
 * as signal << 8 | 0x7f with WUNTRACED, 0xffff for a continue with WCONTINUED) to `status`, its
 * CPU time and its reaped children's to `rusage` (sys-usage.ts). ECHILD without a matching child. */
export function sysWait4(thread: Thread, linux: LinuxProcess, pid: u64, status: u64, options: u64, usage: u64): i64 {
  options &= 0xffff_ffff;   // an int, as pid: the register's upper half is not the caller's
  if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | WALL_FLAGS)) != 0) return -(<i64>Errno.EINVAL);
  options |= WEXITED;   // wait4 always reports an end
  const value = <i32>pid;
  const select = value > 0 ? Select.Pid : value == -1 ? Select.Any : Select.Group;
  const id: i64 = value > 0 ? <i64>value : value == 0 ? <i64>linux.signals.processGroup : -(<i64>value);
  const found = new StaticArray<bool>(1);
  const index = reportingChild(linux, select, id, options, found);
  if (!found[0]) return -(<i64>Errno.ECHILD);
  if (index < 0) {
    if ((options & WNOHANG) != 0) return 0;
    linuxBlock(thread, linux.threadOf(thread).wait, <u64>Sys.wait4, 0);
    return BLOCKED;
  }
  const child = linux.children[index];
  const report = reportOf(child, options);
  const space = thread.process.space;
  if (status != 0) {
    const word = report == Report.Stopped ? (child.signals.stopReport << 8) | 0x7f : report == Report.Continued ? 0xffff : child.waitStatus;
    store<i32>(state.buffer, word);
    if (copyOut(space, status, state.buffer, 144, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
  }
  if (usage != 0 && rusageOut(thread, usage, childCpuNanos(child)) != 0) return -(<i64>Errno.EFAULT);
  if (report == Report.Stopped) child.signals.stopReport = 0;
  else if (report == Report.Continued) child.signals.continueReport = false;
  else reaped(linux, index);
  return <i64>child.process.id;
}

/** waitid(idtype, id, infop, options): P_ALL, P_PID and P_PGID (0: the caller's group); one of
 * WEXITED, WSTOPPED and WCONTINUED must be asked; WNOWAIT leaves what it reports to be waited for
 * again. The siginfo: SIGCHLD, CLD_EXITED, CLD_KILLED, CLD_STOPPED or CLD_CONTINUED, the pid,
 * uid 0, the status; zeroed when WNOHANG finds none. */
export function sysWaitid(thread: Thread, linux: LinuxProcess, idType: u64, id: u64, information: u64, options: u64): i64 {
  options &= 0xffff_ffff;   // ints: the registers' upper halves are not the caller's
  idType &= 0xffff_ffff;
  id &= 0xffff_ffff;
  if ((options & ~(WNOHANG | WEXITED | WUNTRACED | WCONTINUED | WNOWAIT | WALL_FLAGS)) != 0 || (options & (WEXITED | WUNTRACED | WCONTINUED)) == 0) {
    return -(<i64>Errno.EINVAL);
  }
  if (idType != P_ALL && idType != P_PID && idType != P_PGID) return -(<i64>Errno.EINVAL);
  const select = idType == P_PID ? Select.Pid : idType == P_PGID ? Select.Group : Select.Any;
  const selected: i64 = idType == P_PGID && id == 0 ? <i64>linux.signals.processGroup : <i64>id;
  const found = new StaticArray<bool>(1);
  const index = reportingChild(linux, select, selected, options, found);
  if (!found[0]) return -(<i64>Errno.ECHILD);
  const space = thread.process.space;
  memory.fill(state.buffer, 0, <usize>SIGINFO_SIZE);
  if (index < 0) {
    if ((options & WNOHANG) == 0) {
      linuxBlock(thread, linux.threadOf(thread).wait, <u64>Sys.waitid, 0);
      return BLOCKED;
    }
    return information != 0 && copyOut(space, information, state.buffer, 144, SIGINFO_SIZE) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
  }
  const child = linux.children[index];
  const report = reportOf(child, options);
  const exited = (child.waitStatus & 0x7f) == 0;
  const code = report == Report.Stopped ? CLD_STOPPED : report == Report.Continued ? CLD_CONTINUED : exited ? CLD_EXITED : CLD_KILLED;
  const value = report == Report.Stopped ? child.signals.stopReport : report == Report.Continued ? SIGCONT_NUMBER
    : exited ? (child.waitStatus >> 8) & 0xff : child.waitStatus & 0x7f;
  store<i32>(state.buffer, <i32>SIGCHLD);                                            // si_signo
  store<i32>(state.buffer, code, 8);                                                 // si_code
  store<i32>(state.buffer, <i32>child.process.id, 16);                               // si_pid
  store<i32>(state.buffer, 0, 20);                                                   // si_uid
  store<i32>(state.buffer, value, 24);                                               // si_status
  // si_utime and si_stime stay 0: Linux's waitid has not filled them since 4.13.
  if (information != 0 && copyOut(space, information, state.buffer, 144, SIGINFO_SIZE) != KernelError.None) return -(<i64>Errno.EFAULT);
  if ((options & WNOWAIT) == 0) {
    if (report == Report.Stopped) child.signals.stopReport = 0;
    else if (report == Report.Continued) child.signals.continueReport = false;
    else reaped(linux, index);
  }
  return 0;
}

/** The ended child at `index` of `linux`'s children is reaped: gone from the list, its CPU time
 * added to the children's total. */
function reaped(linux: LinuxProcess, index: i32): void {
  const child = linux.children[index];
  usageReaped(linux, child);
  listRemoveAt(linux.children, index);
  child.parent = null;
}

/** getppid: the Linux parent's pid; 0 for a process with none (its spawner is no Linux process). */
export function sysGetppid(linux: LinuxProcess): i64 {
  const parent = linux.parent;
  return parent !== null ? <i64>parent.process.id : 0;
}
