// The Linux system call entry (docs/linux.md): a Linux thread's SYSCALL comes here from
// syscall/syscall.ts with its registers in its context (rax the number; rdi, rsi, rdx, r10, r8,
// r9 the arguments; the result, or -errno, back in rax; rcx and r11 are the CPU's). Each call
// acts only on capabilities the process holds: its descriptors name them, its Memory capability
// pays for its memory. A number not supported answers ENOSYS and is logged once per number per
// process; a process traced (`strace=NAME`) logs every call, its result and the capability
// behind it.

import { CONTEXT_R10, CONTEXT_R8, CONTEXT_R9, CONTEXT_RAX, CONTEXT_RDI, CONTEXT_RDX, CONTEXT_RSI, contextRead, contextWrite } from "../arch/context";
import { interfaceName } from "../../abi/interfaces";
import { logEnd, LogLevel, logLine } from "../log/log";
import { Thread, ThreadState } from "../sched/thread";
import { BLOCKED, Errno, errnoName, UNSUPPORTED } from "./errno";
import { LinuxProcess } from "./linux-process";
import { Sys, sysName } from "./numbers";
import { sysClose, sysDup, sysDup3, sysFcntl, sysFstat, sysIoctl, sysLseek, sysNewfstatat, sysPread, sysRead, sysSendfile, sysWrite, sysWritev } from "./sys-files";
import { sysAccessat, sysChdir, sysGetcwd, sysGetdents64, sysReadlinkat, sysStatAt } from "./sys-path";
import { sysOpenat } from "./sys-open";
import { sysFsync, sysFtruncate, sysPwrite, sysTruncate } from "./sys-write";
import { sysLinkat, sysMkdirat, sysRenameat2, sysRmdirat, sysSymlinkat, sysUnlinkat } from "./sys-names";
import { sysChmod, sysChown, sysFutimesat, sysStatfs, sysStatx, sysUmask, sysUtimensat, Via } from "./sys-attributes";

/** openat's "the working directory" (an int, as the register holds it). */
const AT_FDCWD: u64 = 0xffff_ff9c;
const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
/** An int argument (a descriptor) as Linux reads it: the register's low 32 bits, sign-extended. */
@inline function int(value: u64): u64 { return <u64><i64><i32>value; }
/** creat's flags as open's. */
const O_CREAT_WRONLY_TRUNC: u64 = 0o1101;
import { sysBrk, sysMadvise, sysMmap, sysMprotect, sysMremap, sysMsync, sysMunmap } from "./sys-memory";
import { sysArchPrctl, sysGetRobustList, sysPrctl, sysSetRobustList, sysSetTidAddress, sysSigaction, sysSigprocmask } from "./sys-process";
import { sysClockGetres, sysClockGettime, sysGetrandom, sysGettimeofday, sysSchedGetaffinity, sysSysinfo, sysTime,
  sysUname } from "./sys-system";
import { traceBacking, traceReset } from "./trace";
import { sysClockNanosleep, sysNanosleep } from "./sys-sleep";
import { sysFork, sysGetppid, sysWait4, sysWaitid } from "./sys-fork";
import { sysPipe2 } from "./sys-pipe";
import { sysExecve } from "./sys-exec";
import { sysPoll, sysSelect } from "./sys-poll";
import { sysGetgroups, sysGetResIds, sysSetFsId, sysSetgroups, sysSetId, sysSetIds } from "./sys-ids";
import { sysGetrusage, sysTimes } from "./sys-usage";
import { sysPrlimit, sysSetrlimit } from "./sys-limits";
import { CLONE_THREAD, sysCloneThread, sysExitGroup, sysExitThread } from "./sys-thread";
import { sysFutex } from "./futex";
import { sysEpollCreate, sysEpollCtl, sysEpollWait } from "./sys-epoll";
import { sysEventfd } from "./sys-eventfd";
import { sysGetsockopt, sysMessage, sysRecvfrom, sysSendto, sysShutdown, sysRecvmmsg, sysSendmmsg, sysSocket, sysSocketCall, sysSocketpair } from "./sys-socket";
import { sysTimerfdCreate, sysTimerfdGettime, sysTimerfdSettime } from "./sys-timerfd";

/** Unsupported numbers one process logs at most (a program probing hundreds would flood the
 * console); past them, one line says so. */
const UNSUPPORTED_LOGS_MAXIMUM: u32 = 16;

/** fork's flags as clone's: the exit signal SIGCHLD, nothing shared. */
const SIGCHLD_ONLY: u64 = 17;
const CLONE_VFORK: u64 = 0x4000;
import { LINUX_DIRECT, upcall } from "./upcall";
// Signals and process groups (signal*.ts).
import { RESTORED, sysAlarm, sysGetitimer, sysKill, sysPause, sysSetitimer, sysSigpending, sysSigqueueinfo, sysSigreturn, sysSigsuspend, sysSigtimedwait,
  sysTgkill } from "./sys-signal";
import { sysSigaltstack } from "./signal-stack";
import { sysGetpgid, sysGetsid, sysSetpgid, sysSetsid } from "./sys-process-group";

/** Runs the Linux system call the current `thread` made; leaves the result in its rax, or ends it. */
export function linuxSyscall(thread: Thread): void {
  const linux = changetype<LinuxProcess>(thread.process.personality);
  const context = <usize>thread.context;
  let number = contextRead(context, CONTEXT_RAX);
  if (linux.upcallFrame != 0) {   // the measured prototype (upcall.ts): the adapter runs the call
    if (number < LINUX_DIRECT || number >= LINUX_DIRECT + 1024) {
      upcall(thread, linux.upcallFrame);
      return;
    }
    number -= LINUX_DIRECT;
  }
  const a0 = contextRead(context, CONTEXT_RDI), a1 = contextRead(context, CONTEXT_RSI), a2 = contextRead(context, CONTEXT_RDX);
  const a3 = contextRead(context, CONTEXT_R10), a4 = contextRead(context, CONTEXT_R8), a5 = contextRead(context, CONTEXT_R9);
  if (linux.trace) {
    traceReset();
    if (number == <u64>Sys.exit || number == <u64>Sys.exit_group) trace(linux, number, a0, a1, a2, a3, a4, a5, 0, false);
  }
  let result = call(thread, linux, number, a0, a1, a2, a3, a4, a5);
  if (thread.state == ThreadState.Ended) return;   // exit, exit_group
  if (result == BLOCKED) return;                    // it runs again when woken (block.ts)
  if (result == RESTORED) {                         // rt_sigreturn: rax is the frame's
    if (linux.trace) trace(linux, number, a0, a1, a2, a3, a4, a5, <i64>contextRead(context, CONTEXT_RAX), true);
    return;
  }
  if (result == UNSUPPORTED) {
    if (linux.firstUnsupported(number) && linux.unsupportedLogs++ < UNSUPPORTED_LOGS_MAXIMUM) {
      logLine(probed(number) ? LogLevel.Debug : LogLevel.Warning).text("linux: process ").decimal(thread.process.id).text(" (").text(thread.process.program.name)
        .text("): ").text(sysName(number)).text(" (").decimal(number).text(") is not supported: ENOSYS");
      logEnd();
      if (linux.unsupportedLogs == UNSUPPORTED_LOGS_MAXIMUM) {
        logLine(LogLevel.Warning).text("linux: process ").decimal(thread.process.id).text(": further unsupported calls are not logged");
        logEnd();
      }
    }
    result = -(<i64>Errno.ENOSYS);
  }
  contextWrite(context, CONTEXT_RAX, <u64>result);
  if (linux.trace) trace(linux, number, a0, a1, a2, a3, a4, a5, result, true);
}

function call(thread: Thread, linux: LinuxProcess, number: u64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64): i64 {
  if (number > 1000) return UNSUPPORTED;
  switch (<i32>number) {
    // Descriptors (sys-files.ts).
    case Sys.read: return sysRead(thread, linux, a0, a1, a2);
    case Sys.readv: return sysRead(thread, linux, a0, a1, a2, true);
    case Sys.pipe: return sysPipe2(thread, linux, a0, 0);
    case Sys.pipe2: return sysPipe2(thread, linux, a0, a1);
    case Sys.write: return sysWrite(thread, linux, a0, a1, a2);
    case Sys.writev: return sysWritev(thread, linux, a0, a1, a2);
    case Sys.close: return sysClose(thread, linux, a0);
    case Sys.fstat: return sysFstat(thread, linux, a0, a1);
    case Sys.newfstatat: return sysNewfstatat(thread, linux, a0, a1, a2, a3);
    case Sys.ioctl: return sysIoctl(thread, linux, a0, a1, a2);
    case Sys.lseek: return sysLseek(thread, linux, a0, a1, a2);
    case Sys.pread64: return sysPread(thread, linux, a0, a1, a2, a3);
    case Sys.fcntl: return sysFcntl(thread, linux, a0, a1, a2);
    case Sys.dup: return sysDup(thread, linux, a0);
    case Sys.dup2: return a0 == a1 ? (linux.handleOf(<i64>a0) != 0 ? <i64>a0 : -(<i64>Errno.EBADF)) : sysDup3(thread, linux, a0, a1, 0);
    case Sys.dup3: return sysDup3(thread, linux, a0, a1, a2);
    // Paths and files (sys-path.ts).
    case Sys.stat: return sysStatAt(thread, linux, AT_FDCWD, a0, a1, 0);
    case Sys.lstat: return sysStatAt(thread, linux, AT_FDCWD, a0, a1, AT_SYMLINK_NOFOLLOW);
    case Sys.access: return sysAccessat(thread, linux, AT_FDCWD, a0, a1, 0);
    case Sys.faccessat: return sysAccessat(thread, linux, a0, a1, a2, 0);
    case Sys.faccessat2: return sysAccessat(thread, linux, a0, a1, a2, a3);
    case Sys.readlink: return sysReadlinkat(thread, linux, AT_FDCWD, a0, a1, a2);
    case Sys.readlinkat: return sysReadlinkat(thread, linux, a0, a1, a2, a3);
    case Sys.getcwd: return sysGetcwd(thread, linux, a0, a1);
    case Sys.chdir: return sysChdir(thread, linux, a0, -1);
    case Sys.fchdir: return sysChdir(thread, linux, 0, <i64>a0);
    case Sys.getdents64: return sysGetdents64(thread, linux, a0, a1, a2);
    // Writing files, names and attributes (sys-open.ts, sys-write.ts, sys-names.ts, sys-attributes.ts).
    case Sys.open: return sysOpenat(thread, linux, AT_FDCWD, a0, a1, a2);
    case Sys.openat: return sysOpenat(thread, linux, int(a0), a1, a2, a3);
    case Sys.creat: return sysOpenat(thread, linux, AT_FDCWD, a0, O_CREAT_WRONLY_TRUNC, a1);
    case Sys.pwrite64: return sysPwrite(thread, linux, int(a0), a1, a2, a3);
    case Sys.truncate: return sysTruncate(thread, linux, a0, a1);
    case Sys.ftruncate: return sysFtruncate(thread, linux, int(a0), a1);
    case Sys.fsync: case Sys.fdatasync: return sysFsync(thread, linux, int(a0), false);
    case Sys.syncfs: return sysFsync(thread, linux, int(a0), true);
    case Sys.sync: return 0;   // every file system is in memory: nothing to write back
    case Sys.mkdir: return sysMkdirat(thread, linux, AT_FDCWD, a0, a1);
    case Sys.mkdirat: return sysMkdirat(thread, linux, int(a0), a1, a2);
    case Sys.rmdir: return sysRmdirat(thread, linux, AT_FDCWD, a0);
    case Sys.unlink: return sysUnlinkat(thread, linux, AT_FDCWD, a0, 0);
    case Sys.unlinkat: return sysUnlinkat(thread, linux, int(a0), a1, a2 & 0xffff_ffff);
    case Sys.rename: return sysRenameat2(thread, linux, AT_FDCWD, a0, AT_FDCWD, a1, 0);
    case Sys.renameat: return sysRenameat2(thread, linux, int(a0), a1, int(a2), a3, 0);
    case Sys.renameat2: return sysRenameat2(thread, linux, int(a0), a1, int(a2), a3, a4 & 0xffff_ffff);
    case Sys.link: return sysLinkat(thread, linux, AT_FDCWD, a0, AT_FDCWD, a1, 0);
    case Sys.linkat: return sysLinkat(thread, linux, int(a0), a1, int(a2), a3, a4 & 0xffff_ffff);
    case Sys.symlink: return sysSymlinkat(thread, linux, a0, AT_FDCWD, a1);
    case Sys.symlinkat: return sysSymlinkat(thread, linux, a0, int(a1), a2);
    case Sys.chmod: return sysChmod(thread, linux, AT_FDCWD, a0, a1, Via.Path);
    case Sys.fchmod: return sysChmod(thread, linux, <u64><i64><i32>a0, 0, a1, Via.Descriptor);
    case Sys.fchmodat: return sysChmod(thread, linux, int(a0), a1, a2, Via.Path);
    case Sys.chown: return sysChown(thread, linux, AT_FDCWD, a0, a1, a2, 0, Via.Path);
    case Sys.lchown: return sysChown(thread, linux, AT_FDCWD, a0, a1, a2, AT_SYMLINK_NOFOLLOW, Via.Path);
    case Sys.fchown: return sysChown(thread, linux, <u64><i64><i32>a0, 0, a1, a2, 0, Via.Descriptor);
    case Sys.fchownat: return sysChown(thread, linux, int(a0), a1, a2, a3, a4 & 0xffff_ffff, Via.Path);
    case Sys.utimensat: return sysUtimensat(thread, linux, int(a0), a1, a2, a3 & 0xffff_ffff);
    case Sys.futimesat: return sysFutimesat(thread, linux, int(a0), a1, a2);
    case Sys.utimes: return sysFutimesat(thread, linux, AT_FDCWD, a0, a1);
    case Sys.umask: return sysUmask(linux, a0);
    case Sys.statfs: return sysStatfs(thread, linux, 0, a0, a1, Via.Path);
    case Sys.fstatfs: return sysStatfs(thread, linux, a0, 0, a1, Via.Descriptor);
    case Sys.statx: return sysStatx(thread, linux, int(a0), a1, a2 & 0xffff_ffff, a3 & 0xffff_ffff, a4);
    // Memory (sys-memory.ts).
    case Sys.brk: return sysBrk(thread, linux, a0);
    case Sys.mmap: return sysMmap(thread, linux, a0, a1, a2, a3, a4, a5);
    case Sys.munmap: return sysMunmap(thread, linux, a0, a1);
    case Sys.mprotect: return sysMprotect(thread, linux, a0, a1, a2);
    case Sys.madvise: return sysMadvise(thread, a0, a1, a2);
    case Sys.msync: return sysMsync(thread, a0, a1, a2);
    case Sys.mremap: return sysMremap(thread, linux, a0, a1, a2, a3, a4);
    // The process (sys-process.ts).
    case Sys.exit: return sysExitThread(thread, linux, a0);
    case Sys.exit_group: return sysExitGroup(thread, a0);
    case Sys.getpid: return <i64>thread.process.id;
    case Sys.gettid: return <i64>linux.threadOf(thread).tid;
    case Sys.getppid: return sysGetppid(linux);
    case Sys.fork: return sysFork(thread, linux, SIGCHLD_ONLY, 0, 0, 0);
    case Sys.vfork: return sysFork(thread, linux, SIGCHLD_ONLY | CLONE_VFORK, 0, 0, 0);
    case Sys.clone: return (a0 & CLONE_THREAD) != 0 ? sysCloneThread(thread, linux, a0, a1, a2, a3, a4) : sysFork(thread, linux, a0, a1, a2, a3);
    case Sys.futex: return sysFutex(thread, linux.threadOf(thread).futex, a0, a1, a2, a3, a4, a5);
    // Readiness (sys-poll.ts).
    case Sys.poll: return sysPoll(thread, linux, number, a0, a1, a2, 0, 0);
    case Sys.ppoll: return sysPoll(thread, linux, number, a0, a1, a2, a3, a4);
    case Sys.select: return sysSelect(thread, linux, number, a0, a1, a2, a3, a4, 0);
    case Sys.pselect6: return sysSelect(thread, linux, number, a0, a1, a2, a3, a4, a5);
    case Sys.epoll_create: return <i32>a0 <= 0 ? -(<i64>Errno.EINVAL) : sysEpollCreate(thread, linux, 0);
    case Sys.epoll_create1: return sysEpollCreate(thread, linux, a0 & 0xffff_ffff);
    case Sys.epoll_ctl: return sysEpollCtl(thread, linux, a0, a1, a2, a3);
    case Sys.epoll_wait: return sysEpollWait(thread, linux, number, a0, a1, a2, a3, 0, 0);
    case Sys.epoll_pwait: return sysEpollWait(thread, linux, number, a0, a1, a2, a3, a4, a5);
    case Sys.eventfd: return sysEventfd(thread, linux, a0, 0);
    case Sys.eventfd2: return sysEventfd(thread, linux, a0, a1 & 0xffff_ffff);
    // Sockets (sys-socket.ts).
    case Sys.socketpair: return sysSocketpair(thread, linux, a0, a1, a2, a3);
    case Sys.socket: return sysSocket(thread, linux, a0, a1, a2);
    case Sys.bind: case Sys.connect: case Sys.listen: case Sys.accept: case Sys.accept4: case Sys.getsockname: case Sys.getpeername: case Sys.setsockopt:
      return sysSocketCall(thread, linux, number, <i32>a0, a1, a2, a3, a4);
    case Sys.sendto: return sysSendto(thread, linux, <i32>a0, a1, a2, a3, a4, a5);
    case Sys.recvfrom: return sysRecvfrom(thread, linux, <i32>a0, a1, a2, a3, a4, a5);
    case Sys.sendmsg: case Sys.recvmsg: return sysMessage(thread, linux, number, <i32>a0, a1, a2);
    case Sys.sendmmsg: return sysSendmmsg(thread, linux, <i32>a0, a1, a2, a3 & 0xffff_ffff);
    case Sys.recvmmsg: return sysRecvmmsg(thread, linux, <i32>a0, a1, a2, a3 & 0xffff_ffff, a4);
    case Sys.sendfile: return sysSendfile(thread, linux, a0 & 0xffff_ffff, a1 & 0xffff_ffff, a2, a3);
    case Sys.shutdown: return sysShutdown(thread, linux, <i32>a0, a1);
    case Sys.getsockopt: return sysGetsockopt(thread, linux, <i32>a0, a1, a2, a3, a4);
    case Sys.timerfd_create: return sysTimerfdCreate(thread, linux, a0, a1 & 0xffff_ffff);
    case Sys.timerfd_settime: return sysTimerfdSettime(thread, linux, int(a0), a1, a2, a3);
    case Sys.timerfd_gettime: return sysTimerfdGettime(thread, linux, int(a0), a1);
    // execve (sys-exec.ts).
    case Sys.execve: return sysExecve(thread, linux, AT_FDCWD, a0, a1, a2, 0);
    case Sys.execveat: return sysExecve(thread, linux, a0, a1, a2, a3, a4);
    case Sys.wait4: return sysWait4(thread, linux, a0, a1, a2, a3);
    case Sys.waitid: return sysWaitid(thread, linux, a0, a1, a2, a3);
    case Sys.getuid: case Sys.geteuid: case Sys.getgid: case Sys.getegid: return 0;
    // Ids (sys-ids.ts): uid and gid 0 for good.
    case Sys.setuid: case Sys.setgid: return sysSetId(a0);
    case Sys.setreuid: case Sys.setregid: return sysSetIds(a0, a1, 0xffff_ffff);
    case Sys.setresuid: case Sys.setresgid: return sysSetIds(a0, a1, a2);
    case Sys.getresuid: case Sys.getresgid: return sysGetResIds(thread, a0, a1, a2);
    case Sys.setfsuid: case Sys.setfsgid: return sysSetFsId(a0);
    case Sys.getgroups: return sysGetgroups(thread, linux, a0, a1);
    case Sys.setgroups: return sysSetgroups(thread, linux, a0, a1);
    // CPU time (sys-usage.ts).
    case Sys.times: return sysTimes(thread, linux, a0);
    case Sys.getrusage: return sysGetrusage(thread, linux, a0, a1);
    case Sys.set_tid_address: return sysSetTidAddress(thread, linux, a0);
    case Sys.set_robust_list: return sysSetRobustList(thread, linux, a0, a1);
    case Sys.get_robust_list: return sysGetRobustList(thread, linux, a0, a1, a2);
    case Sys.arch_prctl: return sysArchPrctl(thread, a0, a1);
    case Sys.prctl: return sysPrctl(thread, linux, a0, a1);
    case Sys.rt_sigaction: return sysSigaction(thread, a0, a1, a2, a3);
    case Sys.rt_sigprocmask: return sysSigprocmask(thread, a0, a1, a2, a3);
    case Sys.sched_yield: return 0;
    case Sys.nanosleep: return sysNanosleep(thread, linux, a0);
    case Sys.clock_nanosleep: return sysClockNanosleep(thread, linux, a0, a1, a2);
    // The system (sys-system.ts).
    case Sys.uname: return sysUname(thread, a0);
    case Sys.getrandom: return sysGetrandom(thread, a0, a1, a2);
    case Sys.clock_gettime: return sysClockGettime(thread, a0, a1);
    case Sys.clock_getres: return sysClockGetres(thread, a0, a1);
    case Sys.gettimeofday: return sysGettimeofday(thread, a0);
    case Sys.time: return sysTime(thread, a0);
    case Sys.prlimit64: return sysPrlimit(thread, linux, a0, a1, a2, a3);
    case Sys.getrlimit: return a1 == 0 ? -(<i64>Errno.EFAULT) : sysPrlimit(thread, linux, 0, a0, 0, a1);
    case Sys.setrlimit: return sysSetrlimit(thread, linux, a0, a1);
    case Sys.sysinfo: return sysSysinfo(thread, a0);
    case Sys.sched_getaffinity: return sysSchedGetaffinity(thread, a0, a1, a2);
    // Signals and process groups (sys-signal.ts, signal-stack.ts, sys-process-group.ts).
    case Sys.kill: return sysKill(thread, linux, a0, a1);
    case Sys.tkill: return sysTgkill(thread, linux, -1, a0, a1);
    case Sys.tgkill: return <i32>a0 <= 0 ? -(<i64>Errno.EINVAL) : sysTgkill(thread, linux, <i64><i32>a0, a1, a2);
    case Sys.rt_sigreturn: return sysSigreturn(thread, linux);
    case Sys.rt_sigpending: return sysSigpending(thread, linux, a0, a1);
    case Sys.rt_sigsuspend: return sysSigsuspend(thread, linux, a0, a1);
    case Sys.rt_sigtimedwait: return sysSigtimedwait(thread, linux, a0, a1, a2, a3);
    case Sys.rt_sigqueueinfo: return sysSigqueueinfo(thread, linux, -1, a0, a1, a2);
    case Sys.rt_tgsigqueueinfo: return sysSigqueueinfo(thread, linux, <i64><i32>a0, a1, a2, a3);
    case Sys.sigaltstack: return sysSigaltstack(thread, linux, a0, a1);
    case Sys.pause: return sysPause(thread, linux);
    case Sys.alarm: return sysAlarm(linux, a0);
    case Sys.getitimer: return sysGetitimer(thread, linux, a0, a1);
    case Sys.setitimer: return sysSetitimer(thread, linux, a0, a1, a2);
    case Sys.setpgid: return sysSetpgid(thread, linux, a0, a1);
    case Sys.getpgid: return sysGetpgid(linux, a0);
    case Sys.getpgrp: return <i64>linux.signals.processGroup;
    case Sys.setsid: return sysSetsid(thread, linux);
    case Sys.getsid: return sysGetsid(linux, a0);
    default: return UNSUPPORTED;
  }
}

/** Calls the C libraries try at every start or use and do without when they answer ENOSYS
 * (glibc's rseq registration, clone3 before clone): their once-per-process line is a debug
 * detail, not a warning. */
function probed(number: u64): bool {
  return number == <u64>Sys.rseq || number == <u64>Sys.clone3;
}

/** One trace line: `strace: PID NAME(args) = result [capability]` (an error as `-1 ENAME`). Before the call for the two
 * exits (they do not return), after it for the rest. */
function trace(linux: LinuxProcess, number: u64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64, result: i64, returned: bool): void {
  const line = logLine().text("strace: ").decimal(linux.process.id).text(" ").text(sysName(number)).text("(");
  const count = arity(number);
  const values: u64[] = [a0, a1, a2, a3, a4, a5];
  for (let i = 0; i < count; i++) {
    if (i > 0) line.text(", ");
    line.hex(values[i]);
  }
  line.text(")");
  if (returned) {
    line.text(" = ");
    if (result < 0 && result >= -4095) line.text("-1 ").text(errnoName(<i32>-result));
    else if (result >= 0 && result < 0x10000) line.decimal(<u64>result);
    else line.hex(<u64>result);
  } else {
    line.text(" = ?");
  }
  const backing = traceBacking();
  if (backing.handle != 0) line.text(" [").text(interfaceName(backing.iface)).text(" ").hex(backing.handle).text("]");
  logEnd();
}

/** How many arguments a call's trace shows (6 for one it does not know). */
function arity(number: u64): i32 {
  switch (<i32>min(number, 1000)) {
    case Sys.getpid: case Sys.gettid: case Sys.getppid: case Sys.getuid: case Sys.geteuid: case Sys.getgid: case Sys.getegid:
    case Sys.sched_yield: case Sys.pause: case Sys.fork: case Sys.vfork:
    case Sys.sync:   // writing files
      return 0;
    // Signals and process groups (signal*.ts).
    case Sys.pause: case Sys.rt_sigreturn: case Sys.getpgrp: case Sys.setsid:
      return 0;
    case Sys.alarm: case Sys.getpgid: case Sys.getsid:
    case Sys.setuid: case Sys.setgid: case Sys.setfsuid: case Sys.setfsgid: case Sys.times:   // ids, CPU time
      return 1;
    case Sys.kill: case Sys.tkill: case Sys.rt_sigpending: case Sys.rt_sigsuspend: case Sys.sigaltstack: case Sys.getitimer: case Sys.setpgid:
    case Sys.setreuid: case Sys.setregid: case Sys.getgroups: case Sys.setgroups: case Sys.getrusage:   // ids, CPU time
    case Sys.setrlimit:
      return 2;
    case Sys.tgkill: case Sys.setitimer:
    case Sys.setresuid: case Sys.setresgid: case Sys.getresuid: case Sys.getresgid:   // ids
    case Sys.rt_sigqueueinfo:
      return 3;
    case Sys.rt_sigtimedwait: case Sys.rt_tgsigqueueinfo:
      return 4;
    case Sys.exit: case Sys.exit_group: case Sys.close: case Sys.brk: case Sys.dup: case Sys.set_tid_address: case Sys.uname:
    case Sys.time: case Sys.sysinfo: case Sys.gettimeofday: case Sys.pipe: case Sys.chdir: case Sys.fchdir:
    // Writing files.
    case Sys.fsync: case Sys.fdatasync: case Sys.syncfs: case Sys.rmdir: case Sys.unlink: case Sys.umask:
      return 1;
    case Sys.fstat: case Sys.munmap: case Sys.arch_prctl: case Sys.set_robust_list: case Sys.clock_gettime: case Sys.clock_getres:
    case Sys.dup2: case Sys.prctl: case Sys.getrlimit: case Sys.open: case Sys.nanosleep: case Sys.pipe2: case Sys.getcwd:
    case Sys.access: case Sys.stat: case Sys.lstat:
    // Writing files (sys-open.ts, sys-write.ts, sys-names.ts, sys-attributes.ts).
    case Sys.creat: case Sys.truncate: case Sys.ftruncate: case Sys.mkdir: case Sys.rename: case Sys.link: case Sys.symlink:
    case Sys.chmod: case Sys.fchmod: case Sys.statfs: case Sys.fstatfs: case Sys.utimes:
      return 2;
    case Sys.execve:
    case Sys.read: case Sys.write: case Sys.writev: case Sys.readv: case Sys.ioctl: case Sys.fcntl: case Sys.dup3: case Sys.mprotect:
    case Sys.madvise: case Sys.msync: case Sys.getrandom: case Sys.sched_getaffinity: case Sys.readlink: case Sys.lseek: case Sys.getdents64:
    case Sys.faccessat: case Sys.poll:
    // Writing files.
    case Sys.mkdirat: case Sys.unlinkat: case Sys.symlinkat: case Sys.fchmodat: case Sys.chown: case Sys.lchown:
    case Sys.fchown: case Sys.futimesat:
      return 3;
    case Sys.newfstatat: case Sys.rt_sigaction: case Sys.rt_sigprocmask: case Sys.prlimit64: case Sys.clock_nanosleep:
    case Sys.wait4: case Sys.waitid: case Sys.pread64: case Sys.readlinkat: case Sys.openat: case Sys.faccessat2:
    // Writing files.
    case Sys.pwrite64: case Sys.renameat: case Sys.utimensat:
      return 4;
    case Sys.ppoll: case Sys.select: case Sys.execveat: case Sys.mremap:
    case Sys.renameat2: case Sys.linkat: case Sys.fchownat: case Sys.statx:
      return 5;
    default:
      return 6;
  }
}
