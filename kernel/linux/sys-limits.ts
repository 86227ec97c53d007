// Resource limits (docs/linux.md, "System calls"): prlimit64, getrlimit and setrlimit on the
// caller's own limits. Two can be set because Capsid keeps them: RLIMIT_NOFILE bounds the
// descriptors a process opens (the lowest free below its soft limit; dup2 and F_DUPFD past it
// fail as on Linux), up to the table's 256; RLIMIT_CORE is stored (Capsid writes no core dumps,
// so every value holds). The others are reported as what binds the process (the stack's 8 MiB,
// the Memory quota for DATA and AS, the real-time signal queue's 64 for SIGPENDING, RLIM_INFINITY
// for what is not limited) and cannot be changed:
// setting one to anything but its current value fails closed with EPERM instead of promising a
// limit nothing enforces. Both limits are inherited by fork and kept by execve.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { LINUX_STACK_MAXIMUM } from "../loader/linux-image";
import { PAGE_SIZE } from "../memory/page-table";
import { MemoryObject } from "../objects/memory";
import { Thread } from "../sched/thread";
import { copyIn, copyOut } from "../vm/user-memory";
import { Errno } from "./errno";
import { LINUX_DESCRIPTORS, LinuxProcess } from "./linux-process";
import { SIGNAL_QUEUE_MAXIMUM } from "./signal";

const RLIMIT_DATA: u64 = 2, RLIMIT_STACK: u64 = 3, RLIMIT_CORE: u64 = 4, RLIMIT_NOFILE: u64 = 7, RLIMIT_AS: u64 = 9;
const RLIMIT_SIGPENDING: u64 = 11;
const RLIMIT_NLIMITS: u64 = 16;
const RLIM_INFINITY: u64 = u64.MAX_VALUE;

class LimitsState {
  readonly buffer: usize = memory.data(16, 16);
}
const state = new LimitsState();

/** The bytes of the process's Memory capability's quota (0 without one); what is left of it
 * when `available`. */
export function quotaBytes(thread: Thread, available: bool): u64 {
  const linux = changetype<LinuxProcess>(thread.process.personality);
  if (linux.memoryHandle == 0) return 0;
  const object = thread.process.table.lookup(linux.memoryHandle);
  if (object === null || object.iface != Interface.Memory) return 0;
  const quota = changetype<MemoryObject>(object).quota;
  return (available ? quota.available : quota.limit) * PAGE_SIZE;
}

/** prlimit64(pid, resource, new, old) (and getrlimit, setrlimit): the caller's own (pid 0 or its
 * own; another ESRCH); `old` gets the limits before `new` applies. EINVAL for an unknown resource
 * or a soft limit above the hard one; EPERM past what Capsid keeps (above); EFAULT. */
export function sysPrlimit(thread: Thread, linux: LinuxProcess, pid: u64, resource: u64, next: u64, old: u64): i64 {
  if (pid != 0 && <i32>pid != <i32>thread.process.id) return -(<i64>Errno.ESRCH);
  if (resource >= RLIMIT_NLIMITS) return -(<i64>Errno.EINVAL);
  const space = thread.process.space;
  let soft: u64 = 0, hard: u64 = 0;
  if (next != 0) {
    if (copyIn(space, state.buffer, 16, next, 16) != KernelError.None) return -(<i64>Errno.EFAULT);
    soft = load<u64>(state.buffer);
    hard = load<u64>(state.buffer, 8);
    if (soft > hard) return -(<i64>Errno.EINVAL);
  }
  if (old != 0) {
    store<u64>(state.buffer, softLimit(thread, linux, resource));
    store<u64>(state.buffer, hardLimit(thread, linux, resource), 8);
    if (copyOut(space, old, state.buffer, 16, 16) != KernelError.None) return -(<i64>Errno.EFAULT);
  }
  if (next == 0) return 0;
  if (resource == RLIMIT_NOFILE) {
    if (hard > <u64>LINUX_DESCRIPTORS) return -(<i64>Errno.EPERM);   // Linux's nr_open; here the table's size
    linux.descriptorLimit = <i32>soft;
    linux.descriptorHardLimit = <i32>hard;
    return 0;
  }
  if (resource == RLIMIT_CORE) {
    linux.coreLimit = soft;
    linux.coreHardLimit = hard;
    return 0;
  }
  if (soft != softLimit(thread, linux, resource) || hard != hardLimit(thread, linux, resource)) return -(<i64>Errno.EPERM);
  return 0;
}

/** setrlimit(resource, limits): prlimit64 on the caller. */
export function sysSetrlimit(thread: Thread, linux: LinuxProcess, resource: u64, limits: u64): i64 {
  if (limits == 0) return -(<i64>Errno.EFAULT);
  return sysPrlimit(thread, linux, 0, resource, limits, 0);
}

function softLimit(thread: Thread, linux: LinuxProcess, resource: u64): u64 {
  if (resource == RLIMIT_NOFILE) return <u64>linux.descriptorLimit;
  if (resource == RLIMIT_CORE) return linux.coreLimit;
  return fixedLimit(thread, resource);
}

function hardLimit(thread: Thread, linux: LinuxProcess, resource: u64): u64 {
  if (resource == RLIMIT_NOFILE) return <u64>linux.descriptorHardLimit;
  if (resource == RLIMIT_CORE) return linux.coreHardLimit;
  return fixedLimit(thread, resource);
}

/** The limits Capsid does not let a process change: what binds it. */
function fixedLimit(thread: Thread, resource: u64): u64 {
  if (resource == RLIMIT_STACK) return LINUX_STACK_MAXIMUM;
  if (resource == RLIMIT_DATA || resource == RLIMIT_AS) return quotaBytes(thread, false);
  if (resource == RLIMIT_SIGPENDING) return <u64>SIGNAL_QUEUE_MAXIMUM;
  return RLIM_INFINITY;
}
