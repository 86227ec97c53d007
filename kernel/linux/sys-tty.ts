// Reading the console and its tty ioctls (docs/linux.md, "The console as a tty"): a descriptor
// naming the Console capability reads through the console's line discipline (tty.ts), blocking
// (block.ts) until it has a line (canonical mode) or bytes (raw mode, VMIN and VTIME), or EAGAIN
// under O_NONBLOCK. Its termios, window size and foreground process group are the ioctls'.
// Job control as Linux's: a process of the console's session outside its foreground group that
// reads it gets SIGTTIN, and one that changes its settings (or writes, with TOSTOP) SIGTTOU
// (jobControl); reads and writes through /dev/console (init's descriptors) are exempt, as Linux's
// redirected console.

import { KernelError } from "../../abi/errors";
import { CONTEXT_RIP, contextRead } from "../arch/context";
import { TERMIOS_SIZE, TOSTOP } from "../console/line-discipline";
import { monotonicNanos } from "../time/clock";
import { Thread } from "../sched/thread";
import { copyIn, copyOut, userRangeCheck } from "../vm/user-memory";
import { linuxBlock, linuxCallAgain } from "./block";
import { BLOCKED, Errno } from "./errno";
import { LinuxProcess, STATUS_CONSOLE } from "./linux-process";
import { Sys } from "./numbers";
import { ACTION_HANDLER, initIgnores, linuxSignalGroup, SIG_IGN, signalBit, signalGroupOrphaned } from "./signal";
import { STATUS_NONBLOCK } from "./sys-pipe";
import {
  ttyAcquire, ttyRelease, ttyColumns, ttyDiscipline, ttyForeground, ttyReadTimeout, ttyRows, ttySession, ttySetForeground, ttySetSize, ttyWaitFor,
} from "./tty";

const TCGETS: u64 = 0x5401, TCSETS: u64 = 0x5402, TCSETSW: u64 = 0x5403, TCSETSF: u64 = 0x5404, TCSBRK: u64 = 0x5409;
const TCXONC: u64 = 0x540a, TCFLSH: u64 = 0x540b, TIOCSCTTY: u64 = 0x540e, TIOCGPGRP: u64 = 0x540f, TIOCSPGRP: u64 = 0x5410;
const TIOCGWINSZ: u64 = 0x5413, TIOCSWINSZ: u64 = 0x5414, FIONREAD: u64 = 0x541b, TIOCNOTTY: u64 = 0x5422;
const TIOCGSID: u64 = 0x5429;
const SIGTTIN: i32 = 21, SIGTTOU: i32 = 22;
const TCIFLUSH: u64 = 0, TCOFLUSH: u64 = 1, TCIOFLUSH: u64 = 2;
/** Bytes one read takes at most (the line discipline's buffer). */
const READ_MAXIMUM: u64 = 4096;

class TtyCallsState {
  readonly buffer: usize = memory.data(<i32>READ_MAXIMUM, 16);
}
const state = new TtyCallsState();

/** read and readv of the console: what the line discipline has for a read, into the buffer or
 * the iovecs in order; blocks while it has nothing (raw mode with VMIN 0 waits VTIME at most). */
export function ttyReadCall(thread: Thread, linux: LinuxProcess, fd: i32, number: u64, buffer: u64, count: u64, vectors: u64,
  vectorCount: u64): i64 {
  const own = linux.threadOf(thread);
  const space = thread.process.space;
  const discipline = ttyDiscipline();
  // Where the bytes go: the buffer, or the first iovec that has room (a tty read is short anyway).
  let target = buffer, room = count;
  if (vectors != 0) {
    if (vectorCount > 1024) return -(<i64>Errno.EINVAL);
    room = 0;
    for (let i: u64 = 0; i < vectorCount && room == 0; i++) {
      if (copyIn(space, state.buffer, READ_MAXIMUM, vectors + i * 16, 16) != KernelError.None) return -(<i64>Errno.EFAULT);
      target = load<u64>(state.buffer);
      room = load<u64>(state.buffer, 8);
      if (<i64>room < 0) return -(<i64>Errno.EINVAL);
    }
  }
  if (<i64>room < 0) return -(<i64>Errno.EINVAL);
  if ((linux.descriptorFlags[fd] & STATUS_CONSOLE) == 0) {
    const background = jobControl(thread, linux, SIGTTIN, number);
    if (background != 0) return background;
  }
  if (room == 0) return 0;
  const at = contextRead(<usize>thread.context, CONTEXT_RIP) - 2;
  if (!discipline.readable) {
    if ((linux.descriptorFlags[fd] & STATUS_NONBLOCK) != 0) return -(<i64>Errno.EAGAIN);
    const timeout = ttyReadTimeout();
    let deadline: u64 = 0;
    if (timeout != 0) {   // VMIN 0, VTIME > 0: at most that long for a first byte
      if (own.sleepDeadline != 0 && own.sleepAt == at) {
        if (monotonicNanos() >= own.sleepDeadline) { own.sleepDeadline = 0; return 0; }
        deadline = own.sleepDeadline;
      } else deadline = monotonicNanos() + timeout;
      own.sleepDeadline = deadline;
      own.sleepAt = at;
    }
    ttyWaitFor(own.wait);
    linuxBlock(thread, own.wait, number, deadline);
    return BLOCKED;
  }
  own.sleepDeadline = 0;
  const want = min(room, READ_MAXIMUM);
  if (userRangeCheck(space, target, want, true) != KernelError.None) return -(<i64>Errno.EFAULT);
  const taken = discipline.read(state.buffer, <i32>want);
  if (taken > 0 && copyOut(space, target, state.buffer, READ_MAXIMUM, <u64>taken) != KernelError.None) return -(<i64>Errno.EFAULT);
  return taken;
}

/** ioctl on the console: termios (TCGETS, TCSETS/W/F), the window size, the foreground process
 * group, FIONREAD, TCFLSH, TCXONC and tcdrain. Anything else is ENOTTY. */
export function ttyIoctl(thread: Thread, linux: LinuxProcess, request: u64, argument: u64): i64 {
  const space = thread.process.space, discipline = ttyDiscipline();
  const buffer = state.buffer;
  if (request == TCSETS || request == TCSETSW || request == TCSETSF || request == TIOCSPGRP || request == TIOCSWINSZ
    || request == TCFLSH || request == TCXONC) {
    const background = jobControl(thread, linux, SIGTTOU, <u64>Sys.ioctl);
    if (background != 0) return background;
  }
  switch (<i32>request) {
    case <i32>TCGETS:
      memory.copy(buffer, changetype<usize>(discipline.termios), TERMIOS_SIZE);
      return out(thread, argument, TERMIOS_SIZE);
    case <i32>TCSETS: case <i32>TCSETSW: case <i32>TCSETSF:
      // TCSETSW waits for output to drain: a console write is out before it returns.
      if (copyIn(space, buffer, READ_MAXIMUM, argument, <u64>TERMIOS_SIZE) != KernelError.None) return -(<i64>Errno.EFAULT);
      discipline.set(buffer, request == TCSETSF);
      return 0;
    case <i32>TIOCGWINSZ:
      store<u16>(buffer, ttyRows());
      store<u16>(buffer, ttyColumns(), 2);
      store<u32>(buffer, 0, 4);
      return out(thread, argument, 8);
    case <i32>TIOCSWINSZ:
      if (copyIn(space, buffer, READ_MAXIMUM, argument, 8) != KernelError.None) return -(<i64>Errno.EFAULT);
      ttySetSize(load<u16>(buffer), load<u16>(buffer, 2));
      return 0;
    case <i32>TIOCGPGRP:
      if (ttySession() == 0 || ttySession() != linux.sessionOf()) return -(<i64>Errno.ENOTTY);
      store<i32>(buffer, ttyForeground());
      return out(thread, argument, 4);
    case <i32>TIOCSPGRP: {
      if (ttySession() == 0 || ttySession() != linux.sessionOf()) return -(<i64>Errno.ENOTTY);
      if (copyIn(space, buffer, READ_MAXIMUM, argument, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
      const group = load<i32>(buffer);
      if (group < 0) return -(<i64>Errno.EINVAL);
      if (!linux.groupInSession(group)) return -(<i64>Errno.EPERM);
      ttySetForeground(group);
      return 0;
    }
    case <i32>TIOCGSID:
      if (ttySession() == 0 || ttySession() != linux.sessionOf()) return -(<i64>Errno.ENOTTY);
      store<i32>(buffer, ttySession());
      return out(thread, argument, 4);
    case <i32>TIOCSCTTY: {
      // A session leader takes the console as its controlling tty, when no session has it (or,
      // with argument 1, from the session that has it: uid 0 may).
      const session = linux.sessionOf();
      if (session == 0 || session != <i32>thread.process.id) return -(<i64>Errno.EPERM);
      if (ttySession() == session) return 0;
      if (ttySession() != 0 && argument != 1) return -(<i64>Errno.EPERM);
      ttyRelease(ttySession());
      ttyAcquire(session);
      return 0;
    }
    case <i32>TIOCNOTTY:
      if (ttySession() == 0 || ttySession() != linux.sessionOf()) return -(<i64>Errno.ENOTTY);
      if (linux.sessionOf() == <i32>thread.process.id) ttyRelease(ttySession());   // the leader lets it go
      return 0;
    case <i32>FIONREAD:
      store<u32>(buffer, <u32>discipline.available);
      return out(thread, argument, 4);
    case <i32>TCFLSH:
      if (argument != TCIFLUSH && argument != TCOFLUSH && argument != TCIOFLUSH) return -(<i64>Errno.EINVAL);
      if (argument != TCOFLUSH) discipline.flush();
      return 0;
    case <i32>TCXONC:
      return argument <= 3 ? 0 : -(<i64>Errno.EINVAL);   // output is never stopped
    case <i32>TCSBRK:
      // tcdrain (a non-zero argument): a console write is on the wire before it returns, so
      // there is nothing to wait for. A break (argument 0) is not sent: EINVAL.
      return argument != 0 ? 0 : -(<i64>Errno.EINVAL);
    default:
      return -(<i64>Errno.ENOTTY);
  }
}

function out(thread: Thread, address: u64, length: i32): i64 {
  return copyOut(thread.process.space, address, state.buffer, READ_MAXIMUM, <u64>length) != KernelError.None ? -(<i64>Errno.EFAULT) : 0;
}

/** A write to the console (write, writev) through descriptor `fd`: with TOSTOP set, a process
 * outside the foreground group gets SIGTTOU (jobControl), unless `fd` names /dev/console (as on
 * Linux). 0 when it may write. */
export function ttyWriteCheck(thread: Thread, linux: LinuxProcess, fd: i32, number: u64): i64 {
  if ((ttyDiscipline().localFlags & TOSTOP) == 0 || (linux.descriptorFlags[fd] & STATUS_CONSOLE) != 0) return 0;
  return jobControl(thread, linux, SIGTTOU, number);
}

/** Linux's job control check (n_tty's job_control, tty_check_change) for call `number` of a
 * process whose controlling tty is the console: 0 when it may go on (it is in the foreground
 * group, the console is not its controlling tty, or SIGTTOU is blocked or ignored); EIO for a
 * read with SIGTTIN blocked or ignored, and for a process whose group is orphaned (no one would
 * continue it); otherwise its group gets `signal` and the call runs again once the signal has
 * been acted on (stopped and continued, or after a handler: restarted with SA_RESTART, EINTR
 * without, signal-deliver.ts). */
function jobControl(thread: Thread, linux: LinuxProcess, signal: i32, number: u64): i64 {
  const own = linux.threadOf(thread);
  const session = ttySession(), group = linux.signals.processGroup;
  if (session == 0 || session != linux.sessionOf() || group == ttyForeground()) return 0;
  const ignored = unchecked(linux.signalActions[(signal - 1) * 4 + ACTION_HANDLER]) == SIG_IGN || initIgnores(linux, signal)
    || (own.signalMask & signalBit(signal)) != 0;
  if (ignored) return signal == SIGTTIN ? -(<i64>Errno.EIO) : 0;
  if (signalGroupOrphaned(linux)) return -(<i64>Errno.EIO);
  linuxSignalGroup(group, signal);
  own.interrupted = true;
  linuxCallAgain(thread, number);
  return BLOCKED;
}
