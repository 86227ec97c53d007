// Memory calls (docs/linux.md, "Memory"): the program break, mmap (anonymous private, files
// private, anonymous shared), munmap, mprotect, madvise and mremap, charged to the process's
// Memory capability (its first, the one the personality noted at spawn): private pages as they
// are touched, shared ones when mapped; without one they fail with ENOMEM. Regions are vm/'s:
// Anonymous (demand-zero, or filled from a file) and Shared, their kernel records paid by the
// process's account (processSettleSpace).

import { KernelError } from "../../abi/errors";
import { Interface } from "../../abi/interfaces";
import { USER_HALF_END } from "../../abi/layout";
import { LINUX_IMAGE_START } from "../loader/elf";
import { LINUX_MMAP_TOP } from "../loader/linux-image";
import { PAGE_SIZE } from "../memory/page-table";
import { Quota } from "../memory/quota";
import { MemoryObject } from "../objects/memory";
import { Process, processSettleSpace, processSpaceGrowthBound } from "../sched/process";
import { Thread } from "../sched/thread";
import { AddressSpace, UserAccess } from "../vm/address-space";
import { framesFree } from "../memory/frames";
import { FileObject } from "../objects/file";
import {
  VM_PAGES_MAXIMUM, vmDiscard, vmExtend, vmMap, vmMapCheck, vmMapFrom, vmMapShared, vmMapSharedTables, vmMove, vmMoveCheck,
  vmMoveTables, vmProtect, vmProtectCheck, vmUnmap, vmUnmapCheck,
} from "../vm/mappings";
import { SharedFrames } from "../vm/shared-frames";
import { Backing } from "../vm/regions";
import { Errno } from "./errno";
import { FileSource } from "./file-source";
import { LinuxProcess } from "./linux-process";
import { fileOf } from "./sys-path";
import { traceBacked } from "./trace";

const PROT_READ: u64 = 1, PROT_WRITE: u64 = 2, PROT_EXEC: u64 = 4;
const MAP_SHARED: u64 = 0x01, MAP_PRIVATE: u64 = 0x02, MAP_SHARED_VALIDATE: u64 = 0x03, MAP_TYPE: u64 = 0x0f;
const MAP_FIXED: u64 = 0x10, MAP_ANONYMOUS: u64 = 0x20, MAP_FIXED_NOREPLACE: u64 = 0x100000;
const MADV_NORMAL: u64 = 0, MADV_WILLNEED: u64 = 3, MADV_DONTNEED: u64 = 4, MADV_FREE: u64 = 8;
/** The lowest address mmap hands out (Linux's vm.mmap_min_addr). */
const MMAP_FLOOR: u64 = LINUX_IMAGE_START;

/** The quota of the process's Memory capability (noted in the trace), or null. */
function memoryQuota(thread: Thread, linux: LinuxProcess): Quota | null {
  if (linux.memoryHandle == 0) return null;
  const object = thread.process.table.lookup(linux.memoryHandle);
  if (object === null || object.iface != Interface.Memory) return null;
  traceBacked(linux.memoryHandle, Interface.Memory);
  return changetype<MemoryObject>(object).quota;
}

/** PROT_ bits as a page access, or -1 (write and execute together: a page here is one or the other). */
function accessOf(protection: u64): i32 {
  if ((protection & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0) return -1;
  if ((protection & PROT_WRITE) != 0 && (protection & PROT_EXEC) != 0) return -2;
  if ((protection & PROT_EXEC) != 0) return <i32>UserAccess.ReadExecute;
  if ((protection & PROT_WRITE) != 0) return <i32>UserAccess.ReadWrite;
  if ((protection & PROT_READ) != 0) return <i32>UserAccess.Read;
  return <i32>UserAccess.None;
}

@inline function pageUp(value: u64): u64 { return (value + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }

/** brk(address): moves the break within [breakStart, …) and answers where it is (unchanged when
 * it cannot move: no Memory capability, the quota cannot hold the new pages, or a mapping lies
 * in the way), as Linux's brk answers. */
export function sysBrk(thread: Thread, linux: LinuxProcess, address: u64): i64 {
  const process = thread.process, space = process.space;
  if (address < linux.breakStart || address >= LINUX_MMAP_TOP) return <i64>linux.breakCurrent;
  const quota = memoryQuota(thread, linux);
  if (quota === null) return <i64>linux.breakCurrent;
  const mapped = pageUp(address);
  if (mapped > linux.breakMapped) {
    const pages = (mapped - linux.breakMapped) / PAGE_SIZE;
    if (pages > quota.available) return <i64>linux.breakCurrent;
    if (process.account.kernelFits(processSpaceGrowthBound(process)) != KernelError.None) return <i64>linux.breakCurrent;
    if (linux.breakMapped == linux.breakStart) {
      if (vmMapCheck(space, linux.breakMapped, pages, UserAccess.ReadWrite) != KernelError.None) return <i64>linux.breakCurrent;
      vmMap(space, linux.breakMapped, pages, UserAccess.ReadWrite, quota);
    } else if (vmExtend(space, linux.breakMapped, mapped) != KernelError.None) {
      return <i64>linux.breakCurrent;
    }
    linux.breakMapped = mapped;
    processSettleSpace(process);
  } else if (mapped < linux.breakMapped) {
    if (unmapAll(space, mapped, (linux.breakMapped - mapped) / PAGE_SIZE) != KernelError.None) return <i64>linux.breakCurrent;
    linux.breakMapped = mapped;
    processSettleSpace(process);
  }
  linux.breakCurrent = address;
  return <i64>address;
}

/** Unmaps [start, start + pages) in steps of VM_PAGES_MAXIMUM, every step checked first. */
function unmapAll(space: AddressSpace, start: u64, pages: u64): KernelError {
  for (let done: u64 = 0; done < pages; done += VM_PAGES_MAXIMUM) {
    const error = vmUnmapCheck(space, start + done * PAGE_SIZE, min(VM_PAGES_MAXIMUM, pages - done));
    if (error != KernelError.None) return error;
  }
  for (let done: u64 = 0; done < pages; done += VM_PAGES_MAXIMUM) vmUnmap(space, start + done * PAGE_SIZE, min(VM_PAGES_MAXIMUM, pages - done));
  return KernelError.None;
}

/** mmap (docs/linux.md, "Memory"): anonymous private mappings (what the C library's malloc,
 * stacks and start-up use), filled on first touch; a file mapped private, each page read from
 * the file on its first touch (file-source.ts); MAP_SHARED anonymous memory (also /dev/zero),
 * one set of frames for every process that forks from the mapper, allocated at once. A file
 * mapped MAP_SHARED is not supported (ENODEV). Placement: MAP_FIXED replaces what the range held
 * (Anonymous and Shared regions only), MAP_FIXED_NOREPLACE fails with EEXIST, a free hint is taken
 * as given, otherwise the highest free range below LINUX_MMAP_TOP. */
export function sysMmap(thread: Thread, linux: LinuxProcess, address: u64, length: u64, protection: u64, flags: u64, fd: u64, offset: u64): i64 {
  const process = thread.process, space = process.space;
  if (length == 0 || (offset & (PAGE_SIZE - 1)) != 0 || length > USER_HALF_END) return -(<i64>Errno.EINVAL);
  const type = flags & MAP_TYPE;
  if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE) return -(<i64>Errno.EINVAL);
  const shared = type != MAP_PRIVATE;
  const pages = pageUp(length) / PAGE_SIZE;
  let file: FileObject | null = null;
  if ((flags & MAP_ANONYMOUS) == 0) {
    const opened = mappable(thread, linux, fd, shared, protection);
    if (opened < 0) return opened;
    if (opened == MAPPABLE_FILE) {
      // Linux's file_mmap_ok: the mapping must end within the largest file offset (2^63 - 1).
      if (offset > (<u64>i64.MAX_VALUE - pages * PAGE_SIZE)) return -(<i64>Errno.EOVERFLOW);
      file = fileOf(thread, linux, fd);
    }
  }
  const access = accessOf(protection);
  if (access == -1) return -(<i64>Errno.EINVAL);
  if (access == -2) return -(<i64>Errno.EACCES);
  const quota = memoryQuota(thread, linux);
  if (quota === null) return -(<i64>Errno.ENOMEM);
  // A shared mapping's frames and their list are allocated now, charged to the Memory quota,
  // and its page tables to the account. A Linux process's account is usually that same quota:
  // then one check covers it all (two would each see the whole of what is available).
  if (shared && pages > SHARED_LINUX_MAXIMUM) return -(<i64>Errno.ENOMEM);
  const tables = shared ? vmMapSharedTables(pages) : 0, listBytes = shared ? SharedFrames.listBytesFor(pages) : 0;
  const same = quota === process.account;
  if (process.account.kernelFits(processSpaceGrowthBound(process) + listBytes, tables + (same ? (shared ? pages : 0) : 0)) != KernelError.None) return -(<i64>Errno.ENOMEM);
  if (shared && (!same && quota.kernelFits(listBytes, pages) != KernelError.None || framesFree() < pages + tables)) return -(<i64>Errno.ENOMEM);
  let start: u64 = 0;
  const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
  if (fixed) {
    if ((address & (PAGE_SIZE - 1)) != 0) return -(<i64>Errno.EINVAL);
    if (address < MMAP_FLOOR || address + pages * PAGE_SIZE > USER_HALF_END || address + pages * PAGE_SIZE < address) return -(<i64>Errno.ENOMEM);
    if (process.program.layout.reserves(address, address + pages * PAGE_SIZE)) return -(<i64>Errno.ENOMEM);
    if (space.regions.overlaps(address, address + pages * PAGE_SIZE)) {
      if ((flags & MAP_FIXED_NOREPLACE) != 0) return -(<i64>Errno.EEXIST);
      if (unmapAll(space, address, pages) != KernelError.None) return -(<i64>Errno.ENOMEM);
    }
    start = address;
  } else {
    const hint = address & ~(PAGE_SIZE - 1);
    if (hint >= MMAP_FLOOR && hint + pages * PAGE_SIZE <= LINUX_MMAP_TOP && hint + pages * PAGE_SIZE > hint
        && free(process, hint, hint + pages * PAGE_SIZE)) {
      start = hint;
    } else {
      start = highestFree(process, pages);
      if (start == 0) return -(<i64>Errno.ENOMEM);
    }
  }
  if (vmMapCheck(space, start, pages, access) != KernelError.None) return -(<i64>Errno.ENOMEM);
  if (shared) {
    const frames = SharedFrames.create(pages, quota!, true);
    if (frames === null) return -(<i64>Errno.ENOMEM);
    vmMapShared(space, start, frames, access);
    frames.release();   // the region holds them now
  } else if (file !== null) {
    const source = new FileSource(file);
    vmMapFrom(space, start, pages, access, quota!, source, offset);
    source.release();   // the region holds it now
  } else {
    vmMap(space, start, pages, access, quota!);
  }
  processSettleSpace(process);
  return <i64>start;
}

/** Pages one MAP_SHARED anonymous mapping has at most (4 GiB; each is allocated at once). */
const SHARED_LINUX_MAXIMUM: u64 = 1 << 20;
/** mappable()'s answers besides -errno. */
const MAPPABLE_FILE: i64 = 0, MAPPABLE_ZERO: i64 = 1;

/** Whether descriptor `fd` may be mapped, in Linux's order (do_mmap): MAPPABLE_FILE (a regular
 * file of the file system, mapped private), MAPPABLE_ZERO (/dev/zero: anonymous memory, shared or
 * not), or -errno: EBADF (not open, or O_PATH), EACCES (not open for reading; MAP_SHARED with
 * PROT_WRITE of a descriptor not open for writing), ENODEV (what has no pages to map: pipes,
 * ttys, directories, procfs's snapshots, devices but zero; and a file mapped MAP_SHARED). */
function mappable(thread: Thread, linux: LinuxProcess, fd: u64, shared: bool, protection: u64): i64 {
  if (linux.handleOf(<i64>fd) == 0) return -(<i64>Errno.EBADF);
  const file = fileOf(thread, linux, fd);
  if (file === null) return -(<i64>Errno.ENODEV);
  if (file.pathOnly) return -(<i64>Errno.EBADF);
  if (shared && (protection & PROT_WRITE) != 0 && !file.writable) return -(<i64>Errno.EACCES);
  if (!file.readable) return -(<i64>Errno.EACCES);
  const node = file.node;
  if (node.isCharacterDevice && node.rdevMajor == 1 && node.rdevMinor == 5) return MAPPABLE_ZERO;
  if (!node.isRegular || file.snapshot !== null || shared) return -(<i64>Errno.ENODEV);
  return MAPPABLE_FILE;
}

/** Whether [start, end) is free of regions, of what a stack may grow into, and of the layout's. */
function free(process: Process, start: u64, end: u64): bool {
  const regions = process.space.regions;
  if (regions.overlaps(start, end) || process.program.layout.reserves(start, end)) return false;
  return regions.growing(end - 1) === null;
}

/** The highest start below LINUX_MMAP_TOP of `pages` free pages (top-down, as Linux's mmap), 0
 * when none. Walks the regions from the top: the gap below each is tried. */
function highestFree(process: Process, pages: u64): u64 {
  const size = pages * PAGE_SIZE;
  const regions = process.space.regions.regions;
  let top = LINUX_MMAP_TOP;
  for (let i = regions.length - 1; i >= -1; i--) {
    const below = i >= 0 ? unchecked(regions[i]) : null;
    let floor = below !== null ? below.end : MMAP_FLOOR;
    if (below !== null && below.start >= top) continue;
    if (floor < MMAP_FLOOR) floor = MMAP_FLOOR;
    if (top >= floor + size) {
      const start = top - size;
      if (free(process, start, top)) return start;
    }
    if (below === null) break;
    // The next gap lies under this region (and under what it may grow into).
    top = min(top, below.growLimit != 0 ? below.growLimit - PAGE_SIZE : below.start);
    if (top <= MMAP_FLOOR) break;
  }
  return 0;
}

export function sysMunmap(thread: Thread, linux: LinuxProcess, address: u64, length: u64): i64 {
  if ((address & (PAGE_SIZE - 1)) != 0 || length == 0 || length > USER_HALF_END) return -(<i64>Errno.EINVAL);
  const pages = pageUp(length) / PAGE_SIZE;
  if (address + pages * PAGE_SIZE > USER_HALF_END) return -(<i64>Errno.EINVAL);
  const process = thread.process;
  if (process.account.kernelFits(processSpaceGrowthBound(process)) != KernelError.None) return -(<i64>Errno.ENOMEM);
  // The image and the kernel's pages (a thread's ring) are not the process's to unmap.
  if (unmapAll(process.space, address, pages) != KernelError.None) return -(<i64>Errno.EINVAL);
  processSettleSpace(process);
  return 0;
}

/** mprotect: Anonymous regions change; the image's read-only segments keep their access (asking
 * for the access they have is fine, another is EACCES); a range not wholly mapped is ENOMEM. */
export function sysMprotect(thread: Thread, linux: LinuxProcess, address: u64, length: u64, protection: u64): i64 {
  if ((address & (PAGE_SIZE - 1)) != 0) return -(<i64>Errno.EINVAL);
  const access = accessOf(protection);
  if (access == -1) return -(<i64>Errno.EINVAL);
  if (access == -2) return -(<i64>Errno.EACCES);
  if (length == 0) return 0;
  if (length > USER_HALF_END || address + pageUp(length) > USER_HALF_END) return -(<i64>Errno.ENOMEM);
  const pages = pageUp(length) / PAGE_SIZE;
  const process = thread.process, space = process.space;
  if (process.account.kernelFits(processSpaceGrowthBound(process)) != KernelError.None) return -(<i64>Errno.ENOMEM);
  for (let done: u64 = 0; done < pages; done += VM_PAGES_MAXIMUM) {
    const start = address + done * PAGE_SIZE, count = min(VM_PAGES_MAXIMUM, pages - done);
    const error = vmProtectCheck(space, start, count, access);
    if (error == KernelError.NotFound) return -(<i64>Errno.ENOMEM);
    if (error == KernelError.NotPermitted && !alreadyAccess(space, start, start + count * PAGE_SIZE, access)) return -(<i64>Errno.EACCES);
    if (error != KernelError.None && error != KernelError.NotPermitted) return -(<i64>Errno.ENOMEM);
  }
  for (let done: u64 = 0; done < pages; done += VM_PAGES_MAXIMUM) {
    const start = address + done * PAGE_SIZE, count = min(VM_PAGES_MAXIMUM, pages - done);
    if (vmProtectCheck(space, start, count, access) == KernelError.None) vmProtect(space, start, count, access);
  }
  processSettleSpace(process);
  return 0;
}

/** Whether every region in [start, end) already has `access`. */
function alreadyAccess(space: AddressSpace, start: u64, end: u64, access: i32): bool {
  const regions = space.regions.regions;
  for (let i = 0; i < regions.length; i++) {
    const region = unchecked(regions[i]);
    if (region.end > start && region.start < end && region.access != access) return false;
  }
  return true;
}

/** madvise: advice that changes nothing visible succeeds; MADV_DONTNEED drops the pages of
 * Anonymous regions (they read again as their first touch gives them: zeros, or a private file
 * mapping's bytes) and leaves Shared ones as they are (their contents stay, as on Linux); other
 * advice is EINVAL. */
export function sysMadvise(thread: Thread, address: u64, length: u64, advice: u64): i64 {
  if ((address & (PAGE_SIZE - 1)) != 0 || length > USER_HALF_END || address + pageUp(length) > USER_HALF_END) return -(<i64>Errno.EINVAL);
  const harmless = advice == MADV_FREE || (advice >= MADV_NORMAL && advice <= MADV_WILLNEED);
  if (!harmless && advice != MADV_DONTNEED) return -(<i64>Errno.EINVAL);
  const space = thread.process.space;
  const end = address + pageUp(length);
  if (end == address) return 0;
  // As Linux, any advice on a range with an unmapped page is ENOMEM.
  if (!space.regions.covers(address, end)) return -(<i64>Errno.ENOMEM);
  if (harmless) return 0;
  if (space.regions.touches(address, end, Backing.Image) || space.regions.touches(address, end, Backing.Fixed)
      || space.regions.touches(address, end, Backing.Pinned)) {
    return -(<i64>Errno.EINVAL);
  }
  const pages = (end - address) / PAGE_SIZE;
  for (let done: u64 = 0; done < pages; done += VM_PAGES_MAXIMUM) vmDiscard(space, address + done * PAGE_SIZE, min(VM_PAGES_MAXIMUM, pages - done));
  return 0;
}

const MREMAP_MAYMOVE: u64 = 1, MREMAP_FIXED: u64 = 2, MREMAP_DONTUNMAP: u64 = 4;

/** mremap, in Linux's order of checks: a shrink unmaps the tail in place; a growth extends the
 * region in place when the old range ends it and the pages after it are free, else moves it
 * (MREMAP_MAYMOVE: the highest free range; MREMAP_FIXED: `newAddress`, what it held unmapped)
 * with its pages, their frames and charges as they were, the new pages demand-zero (or the
 * file's). EINVAL: unknown flags, FIXED without MAYMOVE, MREMAP_DONTUNMAP (not supported), an
 * unaligned address, a new size of 0, an old size of 0 (Linux duplicates a shared mapping
 * there), a FIXED destination unaligned, out of range or overlapping the old range. EFAULT: the
 * old range is not inside one mapping, or one the kernel made (the image, the stack). ENOMEM: no
 * room (in place without MAYMOVE, or anywhere), a MAP_SHARED mapping that would grow, or no
 * memory for page tables. */
export function sysMremap(thread: Thread, linux: LinuxProcess, address: u64, oldLength: u64, newLength: u64, flags: u64, newAddress: u64): i64 {
  if ((flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) != 0) return -(<i64>Errno.EINVAL);
  if ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0) return -(<i64>Errno.EINVAL);
  if ((flags & MREMAP_DONTUNMAP) != 0) return -(<i64>Errno.EINVAL);
  if ((address & (PAGE_SIZE - 1)) != 0) return -(<i64>Errno.EINVAL);
  if (oldLength > USER_HALF_END || newLength > USER_HALF_END) return -(<i64>Errno.EINVAL);
  let oldPages = pageUp(oldLength) / PAGE_SIZE;
  const newPages = pageUp(newLength) / PAGE_SIZE;
  if (newPages == 0) return -(<i64>Errno.EINVAL);
  const process = thread.process, space = process.space;
  if (process.account.kernelFits(processSpaceGrowthBound(process)) != KernelError.None) return -(<i64>Errno.ENOMEM);
  // As Linux (6.1): the address must lie in a mapping before anything else is looked at.
  const region = space.regions.find(address);
  if (region === null) return -(<i64>Errno.EFAULT);
  const fixed = (flags & MREMAP_FIXED) != 0;
  let oldEnd = address + oldPages * PAGE_SIZE;
  if (fixed) {
    // No sum before the range is known to fit: a destination in the kernel half must not wrap.
    if ((newAddress & (PAGE_SIZE - 1)) != 0 || newAddress < MMAP_FLOOR || newAddress >= USER_HALF_END
        || newPages > (USER_HALF_END - newAddress) / PAGE_SIZE) {
      return -(<i64>Errno.EINVAL);
    }
    const newEnd = newAddress + newPages * PAGE_SIZE;
    if (newAddress < oldEnd && newEnd > address) return -(<i64>Errno.EINVAL);
    if (process.program.layout.reserves(newAddress, newEnd)) return -(<i64>Errno.ENOMEM);
  } else if (newPages <= oldPages) {
    // A shrink (or no change) in place: the tail goes, whatever it held (Linux's munmap of it).
    if (newPages < oldPages && unmapAll(space, address + newPages * PAGE_SIZE, oldPages - newPages) != KernelError.None) return -(<i64>Errno.EINVAL);
    processSettleSpace(process);
    return <i64>address;
  }
  if (oldPages == 0) return -(<i64>Errno.EINVAL);
  // A move that shrinks keeps only the first newPages (Linux unmaps the rest first, as vmMove does).
  if (newPages < oldPages) oldEnd = address + newPages * PAGE_SIZE;
  if (region.end < oldEnd) return -(<i64>Errno.EFAULT);
  if (region.backing != Backing.Anonymous && region.backing != Backing.Shared) return -(<i64>Errno.EFAULT);
  if (region.backing == Backing.Shared && newPages > oldPages) return -(<i64>Errno.ENOMEM);
  if (!fixed) {
    // In place, when the old range ends its region and the pages after it are free.
    const newEnd = address + newPages * PAGE_SIZE;
    if (region.end == oldEnd && newEnd <= USER_HALF_END && newEnd > address && free(process, oldEnd, newEnd)
        && vmExtend(space, oldEnd, newEnd) == KernelError.None) {
      processSettleSpace(process);
      return <i64>address;
    }
    if ((flags & MREMAP_MAYMOVE) == 0) return -(<i64>Errno.ENOMEM);
  }
  const tables = vmMoveTables(newPages);
  if (process.account.kernelFits(processSpaceGrowthBound(process), tables) != KernelError.None || framesFree() < tables) return -(<i64>Errno.ENOMEM);
  let to = newAddress;
  if (fixed) {
    // As Linux (mremap_to): what the destination held goes, then the tail a shrink drops.
    if (space.regions.overlaps(newAddress, newAddress + newPages * PAGE_SIZE) && unmapAll(space, newAddress, newPages) != KernelError.None) {
      return -(<i64>Errno.ENOMEM);
    }
    if (newPages < oldPages) {
      if (unmapAll(space, address + newPages * PAGE_SIZE, oldPages - newPages) != KernelError.None) return -(<i64>Errno.ENOMEM);
      oldPages = newPages;
    }
  } else {
    to = highestFree(process, newPages);
    if (to == 0) return -(<i64>Errno.ENOMEM);
  }
  if (vmMoveCheck(space, address, oldPages, to, newPages) != KernelError.None) return -(<i64>Errno.ENOMEM);
  vmMove(space, address, oldPages, to, newPages);
  processSettleSpace(process);
  return <i64>to;
}

const MS_ASYNC: u64 = 1, MS_INVALIDATE: u64 = 2, MS_SYNC: u64 = 4;

/** msync: nothing is ever written back (no file is mapped shared: a private mapping's writes
 * stay its own, shared anonymous memory has no file), so it checks what Linux checks and
 * succeeds: EINVAL for unknown flags, MS_ASYNC with MS_SYNC, or an unaligned address; ENOMEM when
 * a page of the range is unmapped. */
export function sysMsync(thread: Thread, address: u64, length: u64, flags: u64): i64 {
  if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) != 0) return -(<i64>Errno.EINVAL);
  if ((flags & MS_ASYNC) != 0 && (flags & MS_SYNC) != 0) return -(<i64>Errno.EINVAL);
  if ((address & (PAGE_SIZE - 1)) != 0) return -(<i64>Errno.EINVAL);
  const end = address + pageUp(length);
  if (end < address || end > USER_HALF_END) return -(<i64>Errno.ENOMEM);
  if (end == address) return 0;
  return thread.process.space.regions.covers(address, end) ? 0 : -(<i64>Errno.ENOMEM);
}
