// What procfs's files and links say (docs/linux.md, "procfs"), made when a file is opened (its
// snapshot, as Linux's seq_file makes its text at the first read) or a link is read: the
// caller's stat line, maps and cmdline from its own process and address space, meminfo from
// the frame allocator, uptime from the kernel's clock, cpuinfo from CPUID, mounts from its
// Namespace, the links' targets from its descriptors and program (cpuinfo: proc-cpuinfo.ts).
// Text goes through proc-text.ts.
// Callers: sys-proc.ts.

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { NodeType, Node } from "../fs/node";
import { DirectoryRecord } from "../fs/ramfs";
import { frameAllocator } from "../memory/frames";
import { FileObject } from "../objects/file";
import { NamespaceObject } from "../objects/namespace";
import { PipeObject } from "../objects/pipe";
import { monotonicNanos } from "../time/clock";
import { linkDns, linkUp } from "../net/iface/link";
import { processCpuTotal } from "../sched/scheduler";
import { LINUX_CLOCK_TICKS, LINUX_STACK_TOP } from "../loader/linux-image";
import { Backing } from "../vm/regions";
import { copyIn } from "../vm/user-memory";
import { UserAccess } from "../vm/address-space";
import { LinuxProcess, LINUX_DESCRIPTORS, SIGNALS } from "./linux-process";
import { PROC_NET_FILES, ProcKind, procKindOf, procNetName, procNode } from "./proc-tree";
import { MAP_EXECUTE, MAP_READ, MAP_SHARED, MAP_WRITE, procMapsLine, procMeminfo, ProcStat, procStatLine, ProcText, procUptime } from "./proc-text";
import { ttyForeground, ttySession } from "./tty";
import { procCpuinfo } from "./proc-cpuinfo";
import { procNetDev, procNetRaw, procNetRoute, procNetSockets, procNetUnix } from "./proc-net";

/** The largest snapshot: longer text is cut (a maps of more than ~400 regions). */
export const PROC_SNAPSHOT_MAXIMUM: u32 = 32768;

class ProcContentsState {
  /** Where a snapshot or a link's target is built. */
  readonly buffer: usize = memory.data(<i32>PROC_SNAPSHOT_MAXIMUM, 16);
  /** CPUID's EAX, EBX, ECX, EDX. */
  readonly registers: usize = memory.data(16, 16);
}
const state = new ProcContentsState();

/** A fresh text over the state's buffer. */
function text(): ProcText {
  return new ProcText(state.buffer, PROC_SNAPSHOT_MAXIMUM);
}

/** The snapshot of file `kind` for `linux` (namespace: its Namespace) opened as descriptor
 * `opening`: the bytes, in a new array the opened File owns. */
export function procSnapshot(linux: LinuxProcess, namespace: NamespaceObject, kind: ProcKind, opening: i32): StaticArray<u8> {
  const out = text();
  if (kind == ProcKind.Meminfo) {
    const frames = frameAllocator();
    procMeminfo(out, frames !== null ? <u64>frames.totalFrames : 0, frames !== null ? <u64>frames.freeFrames : 0);
  } else if (kind == ProcKind.Uptime) procUptime(out, monotonicNanos(), 0);   // idle time is not kept
  else if (kind == ProcKind.Cpuinfo) procCpuinfo(out, state.registers, state.buffer + <usize>(PROC_SNAPSHOT_MAXIMUM - 64));
  else if (kind == ProcKind.PidMounts) mounts(out, namespace);
  else if (kind == ProcKind.Stat) procStatLine(out, statOf(linux));
  else if (kind == ProcKind.Maps) maps(out, linux, namespace);
  else if (kind == ProcKind.Comm) out.text(linux.name).byte(0x0a);
  else if (kind == ProcKind.Cmdline) cmdline(out, linux);
  else if (kind == ProcKind.ResolvConf) resolvConf(out, linux);
  else if (kind == ProcKind.NetDev) procNetDev(out, linux);
  else if (kind == ProcKind.NetRoute) procNetRoute(out, linux);
  else if (kind >= ProcKind.NetTcp && kind <= ProcKind.NetUdp6) {
    procNetSockets(out, linux, kind == ProcKind.NetTcp || kind == ProcKind.NetTcp6, kind >= ProcKind.NetTcp6);
  }
  else if (kind == ProcKind.NetUnix) procNetUnix(out, namespace.fileSystem.id);
  else if (kind == ProcKind.NetRaw || kind == ProcKind.NetRaw6) procNetRaw(out, linux, kind == ProcKind.NetRaw6);
  else if (procKindIsDirectory(kind)) listing(out, linux, kind, opening);
  return copied(out);
}

function procKindIsDirectory(kind: ProcKind): bool {
  return kind == ProcKind.Root || kind == ProcKind.Pid || kind == ProcKind.Fd || kind == ProcKind.Net;
}

/** The path below /proc of a file or directory that is the same for every process ("": a pid's). */
function fixedPath(kind: ProcKind): string {
  switch (kind) {
    case ProcKind.Self: return "self";
    case ProcKind.Meminfo: return "meminfo";
    case ProcKind.Uptime: return "uptime";
    case ProcKind.Cpuinfo: return "cpuinfo";
    case ProcKind.Mounts: return "mounts";
    case ProcKind.Net: return "net";
  }
  const file = procNetName(kind);
  return file.length > 0 ? "net/" + file : "";
}

/** /proc/net/resolv.conf: the interface's DNS server for a process holding a Network grant (what
 * Network.info tells it); none for one without, which could not reach it anyway. */
function resolvConf(out: ProcText, linux: LinuxProcess): void {
  const grant = linux.process.table.lookup(linux.networkHandle);
  const dns = linkDns();
  if (grant === null || grant.iface != Interface.Network) {
    out.text("# no network grant: no name server\n");
    return;
  }
  if (!linkUp() || dns == 0) {
    out.text("# the interface knows no name server (yet)\n");
    return;
  }
  out.text("nameserver ").decimal(<u64>(dns >> 24)).byte(0x2e).decimal(<u64>((dns >> 16) & 0xff)).byte(0x2e)
    .decimal(<u64>((dns >> 8) & 0xff)).byte(0x2e).decimal(<u64>(dns & 0xff)).byte(0x0a);
}

function copied(out: ProcText): StaticArray<u8> {
  const bytes = new StaticArray<u8>(<i32>out.length);
  memory.copy(changetype<usize>(bytes), out.base, <usize>out.length);
  return bytes;
}

// --- directories ---------------------------------------------------------------------------------
// A directory's snapshot is its entries, each: type (u8), name length (u8), inode (u64), name.

/** Inodes of the entries made per process (Linux's are per pid too): pid directories and fd links. */
const PID_INODE_BASE: u64 = 1 << 32, FD_INODE_BASE: u64 = 2 << 32;

function entry(out: ProcText, type: NodeType, inode: u64, name: string): void {
  out.byte(<u8>type).byte(<u8>name.length);
  for (let i = 0; i < 8; i++) out.byte(<u8>(inode >> (<u64>i * 8)));
  out.text(name);
}

/** `opening`: the descriptor the directory is being opened as (fd/ lists it, as Linux's). */
function listing(out: ProcText, linux: LinuxProcess, kind: ProcKind, opening: i32): void {
  const pid = linux.process.id;
  entry(out, NodeType.Directory, procNode(kind).inode, ".");
  if (kind == ProcKind.Root) {
    entry(out, NodeType.Directory, 1, "..");   // the namespace's root: the inode is procfs's own guess
    entry(out, NodeType.SymbolicLink, procNode(ProcKind.Self).inode, "self");
    entry(out, NodeType.SymbolicLink, procNode(ProcKind.Mounts).inode, "mounts");
    entry(out, NodeType.Regular, procNode(ProcKind.Meminfo).inode, "meminfo");
    entry(out, NodeType.Regular, procNode(ProcKind.Uptime).inode, "uptime");
    entry(out, NodeType.Regular, procNode(ProcKind.Cpuinfo).inode, "cpuinfo");
    entry(out, NodeType.Directory, procNode(ProcKind.Net).inode, "net");
    entry(out, NodeType.Directory, PID_INODE_BASE + <u64>pid, pid.toString());
  } else if (kind == ProcKind.Pid) {
    entry(out, NodeType.Directory, procNode(ProcKind.Root).inode, "..");
    entry(out, NodeType.Directory, procNode(ProcKind.Fd).inode, "fd");
    entry(out, NodeType.SymbolicLink, procNode(ProcKind.Exe).inode, "exe");
    entry(out, NodeType.Regular, procNode(ProcKind.Stat).inode, "stat");
    entry(out, NodeType.Regular, procNode(ProcKind.Maps).inode, "maps");
    entry(out, NodeType.Regular, procNode(ProcKind.Comm).inode, "comm");
    entry(out, NodeType.Regular, procNode(ProcKind.Cmdline).inode, "cmdline");
    entry(out, NodeType.Regular, procNode(ProcKind.PidMounts).inode, "mounts");
  } else if (kind == ProcKind.Net) {
    entry(out, NodeType.Directory, procNode(ProcKind.Root).inode, "..");
    for (let i = 0; i < PROC_NET_FILES.length; i++) entry(out, NodeType.Regular, procNode(PROC_NET_FILES[i]).inode, procNetName(PROC_NET_FILES[i]));
  } else {
    entry(out, NodeType.Directory, PID_INODE_BASE + <u64>pid, "..");
    for (let fd = 0; fd < LINUX_DESCRIPTORS; fd++) {
      if (linux.descriptors[fd] != 0 || fd == opening) entry(out, NodeType.SymbolicLink, FD_INODE_BASE + <u64>fd, fd.toString());
    }
  }
}

/** The directory entry of `snapshot` at `cursor` (an offset into it) in `record`: its name stays
 * in the snapshot; `record.next` is the next entry's offset; `record.end` past the last. */
export function procDirectoryEntry(snapshot: StaticArray<u8>, cursor: u64, record: DirectoryRecord): void {
  const length = <u64>snapshot.length;
  if (cursor + 10 > length) { record.end = true; return; }
  const at = changetype<usize>(snapshot) + <usize>cursor;
  const nameLength = <u64>load<u8>(at, 1);
  if (cursor + 10 + nameLength > length) { record.end = true; return; }
  record.end = false;
  record.type = <NodeType>load<u8>(at);
  record.nameLength = <u32>nameLength;
  record.inode = load<u64>(at, 2);
  record.name = at + 10;
  record.next = cursor + 10 + nameLength;
}

// --- links -----------------------------------------------------------------------------------

/** The target of link `kind` (fd: FdLink's descriptor) for `linux`, in the state's buffer: its
 * length, or -1 when there is none (a descriptor closed since). */
export function procLinkTarget(linux: LinuxProcess, namespace: NamespaceObject, kind: ProcKind, fd: i32): i64 {
  const out = text();
  if (kind == ProcKind.Self) out.decimal(<u64>linux.process.id);
  else if (kind == ProcKind.Mounts) out.text("self/mounts");
  else if (kind == ProcKind.Exe) exePath(out, linux, namespace);
  else if (kind == ProcKind.FdLink) {
    const handle = linux.handleOf(<i64>fd);
    if (handle == 0) return -1;
    const object = linux.process.table.lookup(handle);
    if (object === null) return -1;
    if (object.iface == Interface.File) filePath(out, linux, namespace, changetype<FileObject>(object));
    else if (object.iface == Interface.Pipe) out.text("pipe:[").decimal(handle & 0xffff_ffff).byte(0x5d);   // fstat's inode
    else if (object.iface == Interface.Console) out.text("/dev/console");
    else out.text("anon_inode:[capability]");
  } else return -1;
  return <i64>out.length;
}

/** Where procLinkTarget leaves a target. */
export function procTargetBuffer(): usize {
  return state.buffer;
}

function exePath(out: ProcText, linux: LinuxProcess, namespace: NamespaceObject): void {
  const exe = linux.exe;
  // A boot package's program is no file of the namespace: it is named as if at its root (Linux's /init).
  if (exe === null) out.byte(0x2f).text(linux.process.program.name);
  else nodePath(out, namespace, exe);
}

/** An open File's path: a procfs File's from its kind, a namespace file's from its directory. */
function filePath(out: ProcText, linux: LinuxProcess, namespace: NamespaceObject, file: FileObject): void {
  if (!templatePath(out, linux, file.node)) nodePath(out, namespace, file.node);
}

/** The path of a template node (a descriptor's, a working directory's: the caller's pid's); false
 * for any other node. */
function templatePath(out: ProcText, linux: LinuxProcess, node: Node): bool {
  const kind = procKindOf(node);
  if (kind == ProcKind.None) return false;
  out.text("/proc");
  if (kind == ProcKind.Root) return true;
  const fixed = fixedPath(kind);
  if (fixed.length > 0) {
    out.byte(0x2f).text(fixed);
    return true;
  }
  out.byte(0x2f).decimal(<u64>linux.process.id);
  if (kind == ProcKind.Pid) return true;
  out.byte(0x2f).text(kind == ProcKind.Stat ? "stat" : kind == ProcKind.Maps ? "maps" : kind == ProcKind.Comm ? "comm"
    : kind == ProcKind.Cmdline ? "cmdline" : kind == ProcKind.PidMounts ? "mounts" : kind == ProcKind.Exe ? "exe" : "fd");
  return true;
}

/** The path of procfs directory `node` (getcwd in procfs) with a NUL, in the buffer
 * procTargetBuffer names: its length without the NUL. */
export function procDirectoryPath(linux: LinuxProcess, node: Node): u32 {
  const out = text();
  templatePath(out, linux, node);
  out.byte(0);
  return out.length - 1;
}

/** A node's path from the namespace's root, " (deleted)" after an unlinked one. A directory
 * knows its parent; a file does not, so the directory holding it is searched for from the root
 * (FIXME: keep the directory a File was opened in, which also names the right one of several
 * hard links). */
function nodePath(out: ProcText, namespace: NamespaceObject, node: Node): void {
  const names: string[] = [];
  let current = node;
  let directory: Node | null = node.isDirectory ? node.parent : parentSearch(namespace.root, node);
  for (let steps = 0; current !== namespace.root && directory !== null && steps < 256; steps++) {
    const name = nameIn(directory!, current);
    if (name === null) break;
    names.push(name!);
    current = directory!;
    directory = current === namespace.root || current.parent === current ? null : current.parent;
  }
  if (names.length == 0) out.byte(0x2f);
  for (let i = names.length - 1; i >= 0; i--) out.byte(0x2f).text(names[i]);
  if (node.links == 0) out.text(" (deleted)");
}

/** The name of `node` in `directory`, or null. */
function nameIn(directory: Node, node: Node): string | null {
  const table = directory.directory;
  if (table === null) return null;
  for (let i = 0; i < table.count; i++) {
    const entry = table.at(i);
    if (entry.node === node) return String.UTF8.decodeUnsafe(changetype<usize>(entry.name), <usize>entry.name.length);
  }
  return null;
}

/** The directory holding `node`, searched breadth-first from `root`: each entry of the file
 * system is looked at once at most, and at most DIRECTORIES_SEARCHED directories. */
function parentSearch(root: Node, node: Node): Node | null {
  const queue: Node[] = [root];
  for (let index = 0; index < queue.length && index < DIRECTORIES_SEARCHED; index++) {
    const table = queue[index].directory;
    if (table === null) continue;
    for (let i = 0; i < table.count; i++) {
      const child = table.at(i).node;
      if (child === node) return queue[index];
      if (child.isDirectory) queue.push(child);
    }
  }
  return null;
}

const DIRECTORIES_SEARCHED: i32 = 4096;

// --- files -----------------------------------------------------------------------------------

function statOf(linux: LinuxProcess): ProcStat {
  const stat = new ProcStat();
  stat.pid = linux.process.id;
  stat.comm = linux.name;
  stat.ppid = linux.parent !== null ? linux.parent!.process.id : 0;
  stat.processGroup = <u32>linux.signals.processGroup;
  stat.session = <u32>linux.signals.session;
  if (ttySession() != 0 && ttySession() == linux.signals.session) {
    stat.ttyNumber = (5 << 8) | 1;   // /dev/console
    stat.foregroundGroup = ttyForeground();
  }
  stat.state = linux.signals.stopped ? 0x54 : 0x52;   // 'T', 'R' (the caller runs)
  stat.startTicks = linux.startNanos / (1_000_000_000 / LINUX_CLOCK_TICKS);
  // CPU time is all user time (sys-usage.ts): the process's, and its reaped children's.
  stat.userTicks = processCpuTotal(linux.process) / (1_000_000_000 / LINUX_CLOCK_TICKS);
  stat.childrenUserTicks = linux.childrenCpuNanos / (1_000_000_000 / LINUX_CLOCK_TICKS);
  const regions = linux.process.space.regions.regions;
  let virtualBytes: u64 = 0, fixedPages: u64 = 0;
  for (let i = 0; i < regions.length; i++) {
    const region = regions[i];
    virtualBytes += region.end - region.start;
    if (region.backing != Backing.Anonymous) fixedPages += (region.end - region.start) >> 12;
  }
  stat.virtualBytes = virtualBytes;
  stat.residentPages = fixedPages + linux.process.space.anonymousPages();
  stat.startStack = LINUX_STACK_TOP;
  stat.pending = linux.signals.pending;
  const first = linux.firstThread();
  stat.blocked = first !== null ? first.signalMask : 0;
  let threads: u32 = 0;
  for (let i = 0; i < linux.threads.length; i++) if (linux.threads[i] !== null) threads++;
  stat.threads = max(threads, 1);
  for (let signal = 1; signal <= SIGNALS; signal++) {
    const handler = linux.signalActions[(signal - 1) * 4];
    if (handler == 1) stat.ignored |= <u64>1 << <u64>(signal - 1);
    else if (handler > 1) stat.caught |= <u64>1 << <u64>(signal - 1);
  }
  stat.startBreak = linux.breakStart;
  return stat;
}

function maps(out: ProcText, linux: LinuxProcess, namespace: NamespaceObject): void {
  const regions = linux.process.space.regions.regions;
  // The program's pages: every region below the break (their file offset counted from the lowest).
  let imageStart: u64 = u64.MAX_VALUE;
  for (let i = 0; i < regions.length; i++) if (regions[i].end <= linux.breakStart) imageStart = min(imageStart, regions[i].start);
  const exe = linux.exe;
  const path = text();   // the program's path, kept as a string before the lines overwrite it
  exePath(path, linux, namespace);
  const exeName = String.UTF8.decodeUnsafe(path.base, path.length);
  for (let i = 0; i < regions.length; i++) {
    const region = regions[i];
    let permissions: u32 = 0;
    if (region.access == <i32>UserAccess.Read) permissions = MAP_READ;
    else if (region.access == <i32>UserAccess.ReadWrite) permissions = MAP_READ | MAP_WRITE;
    else if (region.access == <i32>UserAccess.ReadExecute) permissions = MAP_READ | MAP_EXECUTE;
    if (region.backing == Backing.Shared) permissions |= MAP_SHARED;
    let label = "";
    let offset: u64 = 0, inode: u64 = 0;
    if (region.end <= linux.breakStart && imageStart != u64.MAX_VALUE) {
      label = exeName;
      offset = region.start - imageStart;
      inode = exe !== null ? exe.inode : 0;
    } else if (region.start >= linux.breakStart && region.end <= linux.breakMapped) label = "[heap]";
    else if (region.start < LINUX_STACK_TOP && region.end >= LINUX_STACK_TOP - 4096 && region.end <= LINUX_STACK_TOP) label = "[stack]";
    procMapsLine(out, region.start, region.end, permissions, offset, 0, inode != 0 ? 1 : 0, inode, label);
  }
}

/** argv's strings with their NULs, read from the process's memory where its program started with
 * them (a program that wrote over them shows what it wrote, as on Linux); empty if unreadable. */
function cmdline(out: ProcText, linux: LinuxProcess): void {
  const start = linux.argumentsStart, end = linux.argumentsEnd;
  if (end <= start) return;
  const length = min(end - start, <u64>out.capacity);
  if (copyIn(linux.process.space, out.base, <u64>out.capacity, start, length) == KernelError.None) out.length = <u32>length;
}

function mounts(out: ProcText, namespace: NamespaceObject): void {
  out.text("rootfs / rootfs ").text(namespace.writable ? "rw" : "ro").text(" 0 0\n");
  out.text("proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n");
}
