// Process groups and sessions (docs/linux.md, "Signals"): setpgid, getpgid, getpgrp, setsid and
// getsid over the ids signal.ts keeps per Linux process (inherited at fork). A pid names only a
// process of the caller's family; any other is ESRCH.

import { Thread } from "../sched/thread";
import { Errno } from "./errno";
import { LinuxProcess } from "./linux-process";
import { signalFind, signalGroupInSession, signalSessionOrGroupUsed } from "./signal";

/** The process `pid` names for the get calls (0: the caller), or null. */
function named(linux: LinuxProcess, pid: i32): LinuxProcess | null {
  return pid == 0 ? linux : signalFind(linux, pid);
}

export function sysGetpgid(linux: LinuxProcess, pid: u64): i64 {
  const target = named(linux, <i32>pid);
  return target === null ? -(<i64>Errno.ESRCH) : <i64>target.signals.processGroup;
}

export function sysGetsid(linux: LinuxProcess, pid: u64): i64 {
  const target = named(linux, <i32>pid);
  return target === null ? -(<i64>Errno.ESRCH) : <i64>target.signals.session;
}

/** setpgid(pid, pgid): the caller or one of its children (ESRCH otherwise) into group `pgid`
 * (0: its own pid), which must be its own pid or a group of the caller's session (EPERM);
 * EPERM for a session leader or a child in another session; EINVAL for a negative pgid. */
export function sysSetpgid(thread: Thread, linux: LinuxProcess, pid: u64, pgid: u64): i64 {
  const who = <i32>pid, group = <i32>pgid;
  if (group < 0) return -(<i64>Errno.EINVAL);
  let target: LinuxProcess | null = null;
  if (who == 0 || who == <i32>thread.process.id) target = linux;
  else {
    for (let i = 0; i < linux.children.length; i++) if (<i32>linux.children[i].process.id == who) target = linux.children[i];
    if (target === null || target.ended_) return -(<i64>Errno.ESRCH);
    if (target.signals.session != linux.signals.session) return -(<i64>Errno.EPERM);
  }
  const id = <i32>target!.process.id;
  const next = group == 0 ? id : group;
  if (target!.signals.session == id) return -(<i64>Errno.EPERM);
  if (next != id && !signalGroupInSession(linux.signals.family, next, linux.signals.session)) return -(<i64>Errno.EPERM);
  target!.signals.processGroup = next;
  return 0;
}

/** setsid: a new session and group, both the caller's pid; EPERM when it leads a group already
 * (or its pid names one). */
export function sysSetsid(thread: Thread, linux: LinuxProcess): i64 {
  const id = <i32>thread.process.id;
  if (linux.signals.processGroup == id || signalSessionOrGroupUsed(linux.signals.family, id)) return -(<i64>Errno.EPERM);
  linux.signals.session = id;
  linux.signals.processGroup = id;
  return <i64>id;
}
