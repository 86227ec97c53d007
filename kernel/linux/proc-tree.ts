// procfs's names (docs/linux.md, "procfs"): which paths lead into /proc, and what each names.
// procfs is no file system of its own: its skeleton is a small ramfs of one template node per
// kind of entry (the root, `self`, meminfo, a pid directory, its stat, maps, cmdline, fd/...),
// made once at boot, whose nodes the Files opened on /proc point at (so fstat, the *at calls
// and close work as for any file); what a name means for the caller (its pid, its descriptors,
// its program) is decided here, at each lookup, and what a file says at its open
// (proc-contents.ts). A process sees only itself: /proc/<its pid> and /proc/self; any other pid
// is ENOENT (no ambient authority over other processes). Callers: sys-path.ts (lookups),
// sys-open.ts, sys-proc.ts.

import { Interface } from "../../abi/interfaces";
import { Node, S_IFDIR, S_IFREG } from "../fs/node";
import { resolve, Resolution } from "../fs/path";
import { Ramfs, ramfsCreate } from "../fs/ramfs";
import { Quota } from "../memory/quota";
import { FileObject } from "../objects/file";
import { NamespaceObject } from "../objects/namespace";
import { realtimeNanos } from "../time/wall-clock";
import { Errno } from "./errno";
import { LinuxProcess } from "./linux-process";

/** What a procfs name is. */
export enum ProcKind {
  None = 0,
  Root = 1,
  /** /proc/self: a link to the caller's pid. */
  Self = 2,
  Meminfo = 3,
  Uptime = 4,
  Cpuinfo = 5,
  Mounts = 6,
  /** /proc/<pid>, the caller's own. */
  Pid = 7,
  Stat = 8,
  Maps = 9,
  Comm = 10,
  PidMounts = 11,
  /** /proc/<pid>/exe: a link to the program's file. */
  Exe = 12,
  /** /proc/<pid>/fd and its links, one per open descriptor. */
  Fd = 13,
  FdLink = 14,
  Cmdline = 15,
  /** /proc/net, and its resolv.conf: the DNS server the interface learned (DHCP or dns=), for a
   * process holding a Network grant (/etc/resolv.conf is a link to it). */
  Net = 16,
  ResolvConf = 17,
  /** /proc/net's dev, route, tcp, udp, tcp6, udp6, unix, raw and raw6 (proc-net.ts). */
  NetDev = 18,
  NetRoute = 19,
  NetTcp = 20,
  NetUdp = 21,
  NetTcp6 = 22,
  NetUdp6 = 23,
  NetUnix = 24,
  NetRaw = 25,
  NetRaw6 = 26,
}
const KINDS: i32 = 27;

/** /proc/net's files, in the order a listing gives them. */
export const PROC_NET_FILES: StaticArray<ProcKind> = [ProcKind.ResolvConf, ProcKind.NetDev, ProcKind.NetRoute, ProcKind.NetTcp, ProcKind.NetUdp,
  ProcKind.NetTcp6, ProcKind.NetUdp6, ProcKind.NetUnix, ProcKind.NetRaw, ProcKind.NetRaw6];

/** The name of a file of /proc/net ("" for another kind). */
export function procNetName(kind: ProcKind): string {
  switch (kind) {
    case ProcKind.ResolvConf: return "resolv.conf";
    case ProcKind.NetDev: return "dev";
    case ProcKind.NetRoute: return "route";
    case ProcKind.NetTcp: return "tcp";
    case ProcKind.NetUdp: return "udp";
    case ProcKind.NetTcp6: return "tcp6";
    case ProcKind.NetUdp6: return "udp6";
    case ProcKind.NetUnix: return "unix";
    case ProcKind.NetRaw: return "raw";
    case ProcKind.NetRaw6: return "raw6";
  }
  return "";
}

/** Where a procfs lookup ends. */
export class ProcPlace {
  /** 0, or the errno the lookup fails with. */
  errno: Errno = 0;
  kind: ProcKind = ProcKind.None;
  /** The template node (kind's), or, for a link followed to a namespace file (exe, fd/N of a
   * File), that file's node and file system. */
  node: Node | null = null;
  fileSystem: Ramfs | null = null;
  /** FdLink: the descriptor. With `node` the template, a followed link to what is not a File
   * (the console, a pipe): the descriptor itself is what the path names. */
  fd: i32 = -1;
  /** A link followed to a descriptor that is not a File: `fd` names what the path does. */
  followed: bool = false;
  /** The path left procfs (".." from /proc, a link to a directory with more path after it):
   * the namespace resolution of the rest. */
  resolution: Resolution | null = null;
}

class ProcTreeState {
  /** The skeleton; null until procTreeInit. */
  fileSystem: Ramfs | null = null;
  /** The template node of each ProcKind. */
  readonly nodes: StaticArray<Node | null> = new StaticArray<Node | null>(KINDS);
}
const state = new ProcTreeState();

/** Pages of the skeleton's quota: its ramfs, 24 nodes, their names and directory tables. */
const SKELETON_QUOTA_PAGES: u64 = 26;

/** Makes the skeleton (linux.ts, at boot). */
export function procTreeInit(): void {
  const made = ramfsCreate(new Quota(SKELETON_QUOTA_PAGES), realtimeNanos);
  if (made.fileSystem === null) abort("procTreeInit: the skeleton's quota is too small");
  const fileSystem = made.fileSystem!;
  state.fileSystem = fileSystem;
  const root = fileSystem.root;
  fileSystem.setPermissions(root, 0o555);
  state.nodes[ProcKind.Root] = root;
  template(root, "self", ProcKind.Self, 0);
  template(root, "meminfo", ProcKind.Meminfo, S_IFREG | 0o444);
  template(root, "uptime", ProcKind.Uptime, S_IFREG | 0o444);
  template(root, "cpuinfo", ProcKind.Cpuinfo, S_IFREG | 0o444);
  template(root, "mounts", ProcKind.Mounts, 0);   // a link to self/mounts, as Linux's
  const net = template(root, "net", ProcKind.Net, S_IFDIR | 0o555);
  for (let i = 0; i < PROC_NET_FILES.length; i++) template(net, procNetName(PROC_NET_FILES[i]), PROC_NET_FILES[i], S_IFREG | 0o444);
  const pid = template(root, "pid", ProcKind.Pid, S_IFDIR | 0o555);
  template(pid, "stat", ProcKind.Stat, S_IFREG | 0o444);
  template(pid, "maps", ProcKind.Maps, S_IFREG | 0o444);
  template(pid, "comm", ProcKind.Comm, S_IFREG | 0o644);
  template(pid, "cmdline", ProcKind.Cmdline, S_IFREG | 0o444);
  template(pid, "mounts", ProcKind.PidMounts, S_IFREG | 0o444);
  template(pid, "exe", ProcKind.Exe, 0);
  const fd = template(pid, "fd", ProcKind.Fd, S_IFDIR | 0o500);
  const link = template(fd, "link", ProcKind.FdLink, 0);
  fileSystem.setPermissions(link, 0o700);
}

/** A template: `mode` 0 makes a symbolic link (its target is never read: procfs answers readlink). */
function template(directory: Node, name: string, kind: ProcKind, mode: u32): Node {
  const fileSystem = state.fileSystem!;
  const bytes = String.UTF8.encode(name);
  const made = mode == 0 ? fileSystem.symlink(directory, changetype<usize>(bytes), <u32>bytes.byteLength, changetype<usize>(bytes), <u32>bytes.byteLength)
    : fileSystem.create(directory, changetype<usize>(bytes), <u32>bytes.byteLength, mode);
  if (made.node === null) abort("procTreeInit: a template was not made");
  state.nodes[kind] = made.node;
  return made.node!;
}

/** The skeleton file system (the Files on procfs names are opened on it). */
export function procFileSystem(): Ramfs {
  return state.fileSystem!;
}

/** The template node of `kind`. */
export function procNode(kind: ProcKind): Node {
  return state.nodes[kind]!;
}

/** The kind of a node of the skeleton, None for any other node. */
export function procKindOf(node: Node): ProcKind {
  const fileSystem = state.fileSystem;
  if (fileSystem === null || node.fileSystem != fileSystem.id) return ProcKind.None;
  for (let kind = 1; kind < KINDS; kind++) if (state.nodes[kind] === node) return <ProcKind>kind;
  return ProcKind.None;
}

export function procIsDirectory(kind: ProcKind): bool {
  return kind == ProcKind.Root || kind == ProcKind.Pid || kind == ProcKind.Fd || kind == ProcKind.Net;
}

/** Where the path at `address` (`length` bytes, kernel memory) enters procfs, from `start`: the
 * offset of what follows "proc" in an absolute path (or a relative one from the namespace's
 * root) whose first real component is "proc", 0 for a relative path from a procfs directory;
 * -1 when it does not start so (another way in, `..` or a link, is handed over by resolve at the
 * mount point: sys-proc.ts's procCrossed). */
export function procEntry(namespace: NamespaceObject, start: Node, address: usize, length: u64): i64 {
  if (length == 0) return -1;
  const absolute = load<u8>(address) == 0x2f;
  if (!absolute && procKindOf(start) != ProcKind.None) return 0;
  if (!absolute && start !== namespace.root) return -1;
  const end = address + <usize>length;
  let position = address;
  while (position < end) {
    while (position < end && load<u8>(position) == 0x2f) position++;
    let componentEnd = position;
    while (componentEnd < end && load<u8>(componentEnd) != 0x2f) componentEnd++;
    const size = componentEnd - position;
    if (size == 0) return -1;
    // "." and ".." at the namespace's root stay there.
    if (load<u8>(position) == 0x2e && (size == 1 || (size == 2 && load<u8>(position + 1) == 0x2e))) {
      position = componentEnd;
      continue;
    }
    if (size == 4 && load<u32>(position) == 0x636f7270) return <i64>(componentEnd - address);   // "proc"
    return -1;
  }
  return -1;
}

/** Resolves the path's bytes [address + from, address + length) in procfs from `startKind` for
 * `linux`, following a link last when `follow` (or before a trailing slash); `namespace` is
 * where a path that leaves procfs goes on (resolved with `flags`). */
export function procResolve(linux: LinuxProcess, namespace: NamespaceObject, startKind: ProcKind, address: usize, from: u64, length: u64,
  follow: bool, flags: u32): ProcPlace {
  const place = new ProcPlace();
  const end = address + <usize>length;
  let position = address + <usize>from;
  let kind = startKind;
  let fd: i32 = -1;
  while (true) {
    while (position < end && load<u8>(position) == 0x2f) position++;
    if (position == end) break;
    let componentEnd = position;
    while (componentEnd < end && load<u8>(componentEnd) != 0x2f) componentEnd++;
    let rest = componentEnd;
    while (rest < end && load<u8>(rest) == 0x2f) rest++;
    const last = rest == end, trailingSlash = last && componentEnd < end;
    const size = <u32>(componentEnd - position);
    if (size > 255) return failed(place, Errno.ENAMETOOLONG);
    if (!procIsDirectory(kind)) return failed(place, Errno.ENOTDIR);
    if (load<u8>(position) == 0x2e && size == 1) { position = componentEnd; continue; }
    if (load<u8>(position) == 0x2e && size == 2 && load<u8>(position + 1) == 0x2e) {
      if (kind == ProcKind.Root) return leave(place, namespace, namespace.root, componentEnd, end, flags);   // /proc sits at the root
      kind = kind == ProcKind.Fd ? ProcKind.Pid : ProcKind.Root;   // from Pid and Net: the root
      position = componentEnd;
      continue;
    }
    const next = child(linux, kind, position, size);
    if (next == ProcKind.None) return failed(place, Errno.ENOENT);
    if (next == ProcKind.FdLink) fd = <i32>number(position, size);
    const followed = !last || follow || trailingSlash;
    if (next == ProcKind.Self && followed) { kind = ProcKind.Pid; position = componentEnd; continue; }
    if (next == ProcKind.Mounts && followed) { kind = ProcKind.PidMounts; position = componentEnd; continue; }   // a link to self/mounts
    if ((next == ProcKind.Exe || next == ProcKind.FdLink) && followed) {
      // A link to a file of the namespace (or a descriptor): what it names is the answer.
      if (!target(linux, next, fd, place)) return place;
      if (last && !trailingSlash) return place;
      if (place.node === null || !place.node!.isDirectory) return failed(place, Errno.ENOTDIR);
      if (place.fileSystem !== namespace.fileSystem) return failed(place, Errno.ENOENT);
      return leave(place, namespace, place.node!, componentEnd, end, flags);
    }
    kind = next;
    position = componentEnd;
    if (last && trailingSlash && !procIsDirectory(kind)) return failed(place, Errno.ENOTDIR);
  }
  place.kind = kind;
  place.fd = kind == ProcKind.FdLink ? fd : -1;
  place.node = state.nodes[kind];
  place.fileSystem = state.fileSystem;
  return place;
}

/** The name of `size` bytes at `name` in directory `kind`, for `linux`: its kind, or None. */
function child(linux: LinuxProcess, kind: ProcKind, name: usize, size: u32): ProcKind {
  if (kind == ProcKind.Root) {
    if (named(name, size, "self")) return ProcKind.Self;
    if (named(name, size, "meminfo")) return ProcKind.Meminfo;
    if (named(name, size, "uptime")) return ProcKind.Uptime;
    if (named(name, size, "cpuinfo")) return ProcKind.Cpuinfo;
    if (named(name, size, "mounts")) return ProcKind.Mounts;
    if (named(name, size, "net")) return ProcKind.Net;
    return number(name, size) == <i64>linux.process.id ? ProcKind.Pid : ProcKind.None;
  }
  if (kind == ProcKind.Pid) {
    if (named(name, size, "stat")) return ProcKind.Stat;
    if (named(name, size, "maps")) return ProcKind.Maps;
    if (named(name, size, "comm")) return ProcKind.Comm;
    if (named(name, size, "cmdline")) return ProcKind.Cmdline;
    if (named(name, size, "mounts")) return ProcKind.PidMounts;
    if (named(name, size, "exe")) return ProcKind.Exe;
    if (named(name, size, "fd")) return ProcKind.Fd;
    return ProcKind.None;
  }
  if (kind == ProcKind.Net) {
    for (let i = 0; i < PROC_NET_FILES.length; i++) if (named(name, size, procNetName(PROC_NET_FILES[i]))) return PROC_NET_FILES[i];
    return ProcKind.None;
  }
  if (kind == ProcKind.Fd) {
    const fd = number(name, size);
    return fd >= 0 && linux.handleOf(fd) != 0 ? ProcKind.FdLink : ProcKind.None;
  }
  return ProcKind.None;
}

/** Fills `place` with what link `kind` (fd: FdLink's descriptor) names for `linux`; false with
 * its errno when nothing (a program that is no file of a namespace: ENOENT). */
function target(linux: LinuxProcess, kind: ProcKind, fd: i32, place: ProcPlace): bool {
  if (kind == ProcKind.Exe) {
    if (linux.exe === null) { failed(place, Errno.ENOENT); return false; }
    place.node = linux.exe;
    place.fileSystem = linux.exeFileSystem;
    return true;
  }
  place.kind = ProcKind.FdLink;
  place.fd = fd;
  const file = linuxDescriptorFile(linux, fd);
  if (file !== null) {
    place.node = file.node;
    place.fileSystem = file.fileSystem;
  } else {
    place.node = state.nodes[ProcKind.FdLink];
    place.fileSystem = state.fileSystem;
    place.followed = true;
  }
  return true;
}

/** The rest of the path, after `position`, resolved in the namespace from `directory`. */
function leave(place: ProcPlace, namespace: NamespaceObject, directory: Node, position: usize, end: usize, flags: u32): ProcPlace {
  while (position < end && load<u8>(position) == 0x2f) position++;
  if (position == end) {
    const resolution = new Resolution();
    resolution.node = directory;
    place.resolution = resolution;
    return place;
  }
  place.resolution = resolve(namespace.fileSystem, namespace.root, directory, position, <u64>(end - position), flags);
  return place;
}

function failed(place: ProcPlace, errno: Errno): ProcPlace {
  place.errno = errno;
  place.node = null;
  return place;
}

function named(name: usize, size: u32, text: string): bool {
  if (<i32>size != text.length) return false;
  for (let i = 0; i < text.length; i++) if (<i32>load<u8>(name + <usize>i) != text.charCodeAt(i)) return false;
  return true;
}

/** A decimal name as Linux reads a pid or a descriptor (no sign, no leading zero), or -1. */
export function number(name: usize, size: u32): i64 {
  if (size == 0 || size > 10 || (size > 1 && load<u8>(name) == 0x30)) return -1;
  let value: i64 = 0;
  for (let i: u32 = 0; i < size; i++) {
    const digit = <i32>load<u8>(name + <usize>i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value <= 0x7fff_ffff ? value : -1;
}

/** The FileObject behind descriptor `fd` of `linux`, or null (closed, or not a File). */
function linuxDescriptorFile(linux: LinuxProcess, fd: i32): FileObject | null {
  const handle = linux.handleOf(<i64>fd);
  if (handle == 0) return null;
  const object = linux.process.table.lookup(handle);
  if (object === null || object.iface != Interface.File) return null;
  return changetype<FileObject>(object);
}
