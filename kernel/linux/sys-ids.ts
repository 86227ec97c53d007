// User and group ids (docs/linux.md, "System calls"): every Linux process on Capsid is uid 0 and
// gid 0 and stays so: authority is the capabilities a process holds, not an id, and the file
// system stores owners but checks no permission bits. So the get calls answer 0, and a set call
// that asks for id 0 (or leaves an id unchanged, -1) succeeds, while one that asks for any other
// id fails closed with EPERM rather than pretending to drop privileges it cannot drop. The
// supplementary groups are a count of group 0 entries (setgroups takes only 0s).

import { KernelError } from "../../abi/errors";
import { Thread } from "../sched/thread";
import { copyIn, copyOut } from "../vm/user-memory";
import { Errno } from "./errno";
import { LinuxProcess } from "./linux-process";

/** Linux's NGROUPS_MAX. */
const GROUPS_MAXIMUM: u32 = 65536;
/** Group entries read or written a step. */
const STEP: u32 = 64;

class IdsState {
  readonly buffer: usize = memory.data(<i32>(STEP * 4), 16);
}
const state = new IdsState();

/** An id argument (a 32-bit uid_t): 0 and -1 (unchanged) are allowed, -1 only where `keep`. */
function idAllowed(id: u64, keep: bool): i64 {
  const value = <u32>id;
  if (value == 0) return 0;
  if (value == 0xffff_ffff) return keep ? 0 : -(<i64>Errno.EINVAL);
  return -(<i64>Errno.EPERM);
}

/** setuid, setgid: id 0 only (-1 is EINVAL, as on Linux; another id EPERM). */
export function sysSetId(id: u64): i64 {
  return idAllowed(id, false);
}

/** setreuid, setregid (two ids), setresuid, setresgid (three): each 0 or -1 (unchanged). */
export function sysSetIds(first: u64, second: u64, third: u64): i64 {
  const a = idAllowed(first, true);
  if (a != 0) return a;
  const b = idAllowed(second, true);
  if (b != 0) return b;
  return idAllowed(third, true);
}

/** setfsuid, setfsgid: answer the previous id (always 0); only 0 is taken, silently as Linux. */
export function sysSetFsId(id: u64): i64 {
  return 0;
}

/** getresuid, getresgid: 0 to each of the three addresses. */
export function sysGetResIds(thread: Thread, real: u64, effective: u64, saved: u64): i64 {
  store<u32>(state.buffer, 0);
  const space = thread.process.space;
  if (copyOut(space, real, state.buffer, 4, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
  if (copyOut(space, effective, state.buffer, 4, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
  if (copyOut(space, saved, state.buffer, 4, 4) != KernelError.None) return -(<i64>Errno.EFAULT);
  return 0;
}

/** getgroups(size, list): the count with size 0; EINVAL when size is negative or below the
 * count; else the groups (all 0) to `list`. */
export function sysGetgroups(thread: Thread, linux: LinuxProcess, size: u64, list: u64): i64 {
  const wanted = <i32>size;
  const count = linux.groups;
  if (wanted < 0) return -(<i64>Errno.EINVAL);
  if (wanted == 0) return <i64>count;
  if (<u32>wanted < count) return -(<i64>Errno.EINVAL);
  memory.fill(state.buffer, 0, <usize>(STEP * 4));
  for (let done: u32 = 0; done < count; done += STEP) {
    const step = min(STEP, count - done);
    if (copyOut(thread.process.space, list + <u64>done * 4, state.buffer, <u64>STEP * 4, <u64>step * 4) != KernelError.None) return -(<i64>Errno.EFAULT);
  }
  return <i64>count;
}

/** setgroups(size, list): EINVAL past NGROUPS_MAX or negative; EFAULT; EPERM for any group but
 * 0; else the process has `size` supplementary groups. */
export function sysSetgroups(thread: Thread, linux: LinuxProcess, size: u64, list: u64): i64 {
  const count = <i32>size;
  if (count < 0 || <u32>count > GROUPS_MAXIMUM) return -(<i64>Errno.EINVAL);
  for (let done: u32 = 0; done < <u32>count; done += STEP) {
    const step = min(STEP, <u32>count - done);
    if (copyIn(thread.process.space, state.buffer, <u64>STEP * 4, list + <u64>done * 4, <u64>step * 4) != KernelError.None) return -(<i64>Errno.EFAULT);
    for (let i: u32 = 0; i < step; i++) if (load<u32>(state.buffer + <usize>i * 4) != 0) return -(<i64>Errno.EPERM);
  }
  linux.groups = <u32>count;
  return 0;
}
