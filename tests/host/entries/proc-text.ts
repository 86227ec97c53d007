// Host-test entry for kernel/linux/proc-text.ts: exposes procfs's formatters to
// tests/host/proc-text.test.ts. Each writes into `storage` (at most `capacity` bytes, a sentinel
// after them the test checks is never written) and returns the bytes written.

import { procMapsLine, procMeminfo, ProcStat, procStatLine, ProcText, procUptime } from "../../../kernel/linux/proc-text";

const STORAGE_BYTES: u32 = 8192;
const storage = memory.data(STORAGE_BYTES + 64, 16);

export function storageAddress(): usize {
  return storage;
}

function over(capacity: u32): ProcText {
  if (capacity > STORAGE_BYTES) abort("test entry: capacity too large");
  return new ProcText(storage, capacity);
}

export function mapsLine(capacity: u32, start: u64, end: u64, permissions: u32, offset: u64, major: u32, minor: u32, inode: u64,
  name: string): u32 {
  const out = over(capacity);
  procMapsLine(out, start, end, permissions, offset, major, minor, inode, name);
  return out.length;
}

export function statLine(capacity: u32, pid: u32, comm: string, ppid: u32, group: u32, session: u32, start: u64, virtualBytes: u64,
  resident: u64, blocked: u64, caught: u64): u32 {
  const out = over(capacity);
  const stat = new ProcStat();
  stat.pid = pid;
  stat.comm = comm;
  stat.ppid = ppid;
  stat.processGroup = group;
  stat.session = session;
  stat.startTicks = start;
  stat.virtualBytes = virtualBytes;
  stat.residentPages = resident;
  stat.blocked = blocked;
  stat.caught = caught;
  procStatLine(out, stat);
  return out.length;
}

export function meminfo(capacity: u32, total: u64, free: u64): u32 {
  const out = over(capacity);
  procMeminfo(out, total, free);
  return out.length;
}

export function uptime(capacity: u32, up: u64, idle: u64): u32 {
  const out = over(capacity);
  procUptime(out, up, idle);
  return out.length;
}

export function hex(capacity: u32, value: u64, width: i32): u32 {
  const out = over(capacity);
  out.hex(value, width);
  return out.length;
}
