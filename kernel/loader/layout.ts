// A process's layout: which parts of its lower half belong to its runtime and program, where
// Memory.map may not put a region. The loader chooses it per program; the AssemblyScript-native
// layout (abi/layout.ts) is one; the Linux layout (the image at its link address, the break after
// it, mmap top-down, the stack at the top: loader/linux-image.ts) is the other.

import { THREADS_MAXIMUM } from "../../abi/methods";
import {
  LINUX_THREADS_MAXIMUM, USER_IMAGE_START, USER_LINEAR_BASE, USER_LINEAR_RESERVED, USER_RING_LINEAR, USER_STACK_SPACING, USER_STACK_TOP,
} from "../../abi/layout";

export class ProcessLayout {
  /** Ranges [start, end) held back, as pairs. */
  readonly reserved: u64[] = [];

  constructor(readonly name: string) {}

  reserve(start: u64, end: u64): ProcessLayout {
    this.reserved.push(start);
    this.reserved.push(end);
    return this;
  }

  /** Whether [start, end) overlaps a range held back. */
  reserves(start: u64, end: u64): bool {
    const reserved = this.reserved;
    for (let i = 0; i + 1 < reserved.length; i += 2) {
      if (start < reserved[i + 1] && reserved[i] < end) return true;
    }
    return false;
  }
}

class LayoutState {
  /** Below the image (page 0 takes the runtime's trap reports), linear memory's whole
   * reservation (Memory.grow's), and every thread's stack slot. */
  readonly native: ProcessLayout = new ProcessLayout("native")
    .reserve(0, USER_IMAGE_START)
    .reserve(USER_LINEAR_BASE, USER_LINEAR_BASE + USER_LINEAR_RESERVED)
    .reserve(USER_STACK_TOP - <u64>THREADS_MAXIMUM * USER_STACK_SPACING, USER_STACK_TOP);
  /** A Linux process keeps one native piece: its threads' ring pages in linear memory's first
   * pages (the kernel's per-thread page; Linux code never sees it), which mmap avoids. */
  readonly linux: ProcessLayout = new ProcessLayout("linux")
    .reserve(USER_LINEAR_BASE, USER_LINEAR_BASE + <u64>USER_RING_LINEAR * <u64>(LINUX_THREADS_MAXIMUM + 1));
}
const state = new LayoutState();

/** The layout of AssemblyScript-native programs. */
export function nativeLayout(): ProcessLayout {
  return state.native;
}

/** The layout of Linux programs. */
export function linuxLayout(): ProcessLayout {
  return state.linux;
}
