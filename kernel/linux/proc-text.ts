// The text of procfs files (docs/linux.md, "procfs"), in Linux's formats: a ProcText appends
// bytes, decimals and hex digits to a buffer, never past its end (a file's snapshot is cut at
// its capacity), and the line formatters below write one maps line, the stat line and the
// meminfo and uptime lines as fs/proc/task_mmu.c, array.c, meminfo.c and uptime.c print them.
// Pure (no kernel state), so tests/host/proc-text.test.ts runs it under Node; proc-contents.ts
// calls it with the process's and the machine's numbers.

const DIGITS = "0123456789abcdef";

/** Linux's PAGE_SIZE. */
const PAGE_BYTES: u64 = 4096;

export class ProcText {
  /** Bytes written (never more than `capacity`). */
  length: u32 = 0;
  /** Whether something did not fit. */
  truncated: bool = false;

  constructor(readonly base: usize, readonly capacity: u32) {}

  byte(value: u8): ProcText {
    if (this.length >= this.capacity) {
      this.truncated = true;
      return this;
    }
    store<u8>(this.base + <usize>this.length, value);
    this.length++;
    return this;
  }

  /** ASCII text (other characters become '?'). */
  text(text: string): ProcText {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      this.byte(code >= 0x20 && code < 0x7f || code == 0x0a || code == 0x09 ? <u8>code : 0x3f);
    }
    return this;
  }

  /** `length` bytes at `address` as they are (a path's bytes). */
  bytes(address: usize, length: u32): ProcText {
    for (let i: u32 = 0; i < length; i++) this.byte(load<u8>(address + <usize>i));
    return this;
  }

  /** An unsigned decimal, right-aligned in `width` columns with spaces. */
  decimal(value: u64, width: i32 = 0): ProcText {
    return this.digits(value, 10, width, 0x20);
  }

  /** An unsigned decimal of at least `width` digits (leading zeros). */
  zeroPadded(value: u64, width: i32): ProcText {
    return this.digits(value, 10, width, 0x30);
  }

  signedDecimal(value: i64): ProcText {
    if (value < 0) {
      this.byte(0x2d);
      return this.decimal(<u64>(-(value + 1)) + 1);
    }
    return this.decimal(<u64>value);
  }

  /** Lowercase hex digits, at least `width` of them (leading zeros), no "0x". */
  hex(value: u64, width: i32 = 1): ProcText {
    return this.digits(value, 16, width, 0x30);
  }

  /** Uppercase hex digits, exactly `width` of them or more (leading zeros): /proc/net's "%08X". */
  upperHex(value: u64, width: i32): ProcText {
    const start = this.length;
    this.digits(value, 16, width, 0x30);
    for (let at = start; at < this.length; at++) {
      const code = load<u8>(this.base + <usize>at);
      if (code >= 0x61) store<u8>(this.base + <usize>at, code - 0x20);
    }
    return this;
  }

  /** Spaces up to column `column` of the current line (none when already past it). */
  padTo(lineStart: u32, column: u32): ProcText {
    while (this.length - lineStart < column && this.length < this.capacity) this.byte(0x20);
    return this;
  }

  private digits(value: u64, radix: u64, width: i32, padding: u8): ProcText {
    let count = 1;
    for (let rest = value / radix; rest != 0; rest /= radix) count++;
    for (let i = count; i < width; i++) this.byte(padding);
    for (let position = count - 1; position >= 0; position--) {
      let divisor: u64 = 1;
      for (let i = 0; i < position; i++) divisor *= radix;
      this.byte(<u8>DIGITS.charCodeAt(<i32>((value / divisor) % radix)));
    }
    return this;
  }
}

/** Permission letters of a mapping (maps' second column). */
export const MAP_READ: u32 = 1, MAP_WRITE: u32 = 2, MAP_EXECUTE: u32 = 4, MAP_SHARED: u32 = 8;

/** One line of /proc/PID/maps (task_mmu.c's show_map_vma): "start-end perms offset
 * major:minor inode", then, when the mapping has a name, spaces to column 73 and the name. */
export function procMapsLine(out: ProcText, start: u64, end: u64, permissions: u32, offset: u64, major: u32, minor: u32, inode: u64,
  name: string): void {
  const lineStart = out.length;
  out.hex(start, 8).byte(0x2d).hex(end, 8).byte(0x20);
  out.byte((permissions & MAP_READ) != 0 ? 0x72 : 0x2d).byte((permissions & MAP_WRITE) != 0 ? 0x77 : 0x2d)
    .byte((permissions & MAP_EXECUTE) != 0 ? 0x78 : 0x2d).byte((permissions & MAP_SHARED) != 0 ? 0x73 : 0x70);
  out.byte(0x20).hex(offset, 8).byte(0x20).hex(<u64>major, 2).byte(0x3a).hex(<u64>minor, 2).byte(0x20).decimal(inode).byte(0x20);
  if (name.length > 0) {
    out.padTo(lineStart, 73);
    out.text(name);
  }
  out.byte(0x0a);
}

/** What /proc/PID/stat says of a process (array.c's do_task_stat); times in clock ticks (100 Hz). */
export class ProcStat {
  pid: u32 = 0;
  comm: string = "";
  state: u8 = 0x52;   // 'R'
  ppid: u32 = 0;
  processGroup: u32 = 0;
  session: u32 = 0;
  ttyNumber: u32 = 0;
  foregroundGroup: i32 = -1;
  userTicks: u64 = 0;
  systemTicks: u64 = 0;
  childrenUserTicks: u64 = 0;
  threads: u32 = 1;
  startTicks: u64 = 0;
  virtualBytes: u64 = 0;
  residentPages: u64 = 0;
  startStack: u64 = 0;
  pending: u64 = 0;
  blocked: u64 = 0;
  ignored: u64 = 0;
  caught: u64 = 0;
  startBreak: u64 = 0;
}

/** The one line of /proc/PID/stat: 52 fields, as Linux 6.1 prints them. */
export function procStatLine(out: ProcText, stat: ProcStat): void {
  out.decimal(<u64>stat.pid).text(" (").text(stat.comm).text(") ").byte(stat.state).byte(0x20);
  out.decimal(<u64>stat.ppid).byte(0x20).decimal(<u64>stat.processGroup).byte(0x20).decimal(<u64>stat.session).byte(0x20);
  out.decimal(<u64>stat.ttyNumber).byte(0x20).signedDecimal(<i64>stat.foregroundGroup).byte(0x20);
  out.text("4194304 0 0 0 0 ");                                          // flags (PF_RANDOMIZE off), minflt, cminflt, majflt, cmajflt
  out.decimal(stat.userTicks).byte(0x20).decimal(stat.systemTicks).byte(0x20);
  out.decimal(stat.childrenUserTicks).text(" 0 20 0 ");                  // cutime, cstime, priority, nice
  out.decimal(<u64>stat.threads).text(" 0 ").decimal(stat.startTicks).byte(0x20);   // itrealvalue is always 0
  out.decimal(stat.virtualBytes).byte(0x20).decimal(stat.residentPages).byte(0x20);
  out.text("18446744073709551615 0 0 ");                                  // rsslim, startcode, endcode
  out.decimal(stat.startStack).text(" 0 0 ");                             // kstkesp, kstkeip
  // The signal fields are the low 32 bits, as Linux's (it says to read /proc/PID/status instead).
  out.decimal(stat.pending & 0xffff_ffff).byte(0x20).decimal(stat.blocked & 0xffff_ffff).byte(0x20);
  out.decimal(stat.ignored & 0xffff_ffff).byte(0x20).decimal(stat.caught & 0xffff_ffff).byte(0x20);
  out.text("0 0 0 17 0 0 0 0 0 0 ");                                      // wchan, nswap, cnswap, exit_signal, cpu, rt, policy, delay, guest, cguest
  out.text("0 0 ").decimal(stat.startBreak).text(" 0 0 0 0 0\n");         // start/end_data, start_brk, arg and env, exit_code
}

/** One meminfo line: the name padded to 16 columns, the value in kB right-aligned in 8. */
export function procMeminfoLine(out: ProcText, name: string, kilobytes: u64): void {
  const lineStart = out.length;
  out.text(name).byte(0x3a).padTo(lineStart, 16).decimal(kilobytes, 8).text(" kB\n");
}

/** /proc/meminfo from the machine's frames: total, free and available (the free ones: nothing is
 * reclaimable), the other fields Linux prints and Capsid has no counterpart for at 0 kB. */
export function procMeminfo(out: ProcText, totalPages: u64, freePages: u64): void {
  const kilobytes = PAGE_BYTES / 1024;
  procMeminfoLine(out, "MemTotal", totalPages * kilobytes);
  procMeminfoLine(out, "MemFree", freePages * kilobytes);
  procMeminfoLine(out, "MemAvailable", freePages * kilobytes);
  const zeros = ["Buffers", "Cached", "SwapCached", "Active", "Inactive", "Active(anon)", "Inactive(anon)", "Active(file)",
    "Inactive(file)", "Unevictable", "Mlocked", "SwapTotal", "SwapFree", "Dirty", "Writeback", "AnonPages", "Mapped", "Shmem",
    "KReclaimable", "Slab", "SReclaimable", "SUnreclaim", "KernelStack", "PageTables", "NFS_Unstable", "Bounce", "WritebackTmp",
    "CommitLimit", "Committed_AS", "VmallocTotal", "VmallocUsed", "VmallocChunk", "Percpu"];
  for (let i = 0; i < zeros.length; i++) procMeminfoLine(out, zeros[i], 0);
}

/** /proc/uptime: seconds since boot and seconds idle, each with two decimals. */
export function procUptime(out: ProcText, upNanos: u64, idleNanos: u64): void {
  const up = upNanos / 10_000_000, idle = idleNanos / 10_000_000;
  out.decimal(up / 100).byte(0x2e).zeroPadded(up % 100, 2).byte(0x20).decimal(idle / 100).byte(0x2e).zeroPadded(idle % 100, 2).byte(0x0a);
}
