// A regular file's owned bytes (kernel/fs/ramfs.ts): a sparse tree of 4 KiB frames
// (memory/frames.ts). Height 0: the root is page 0's frame; height 1: the root is an index frame
// of 512 page frames (2 MiB); height 2: an index of 512 indexes (1 GiB, FS_FILE_MAXIMUM). A
// missing frame is a hole and reads as zeros. Invariant: every byte of an owned page past the
// file's size is zero, so growing a file never has to clear anything. The tree only grows in
// height. ramfs.ts counts and charges frames (pagesNeeded) before it populates, so this file
// never fails except when the frame allocator does.

import { frameAllocateZeroed, frameFree } from "../memory/frames";
import { Node } from "./node";

@inline export const PAGE_SIZE: u64 = 4096;
@inline const PAGE_SHIFT: u64 = 12;
@inline const INDEX_SHIFT: u32 = 9; // 512 u64 slots an index frame
@inline const INDEX_MASK: u64 = 511;
@inline const HEIGHT_MAXIMUM: u32 = 2;

/** Pages a subtree of `level` covers (level 0: one page). */
@inline function span(level: u32): u64 { return <u64>1 << (<u64>level * INDEX_SHIFT); }

/** The height a tree needs to hold pages [0, end). */
function heightFor(end: u64): u32 {
  let height: u32 = 0;
  while (height < HEIGHT_MAXIMUM && span(height) < end) height++;
  return height;
}

/** The frame at `level` on `page`'s path in the tree as it is (level 0: the page's own frame),
 * 0 when absent. */
function frameAt(node: Node, page: u64, level: u32): u64 {
  let frame = node.root;
  const height = node.height;
  if (frame == 0 || level > height || page >= span(height)) return 0;
  for (let at = height; at > level && frame != 0; at--) {
    frame = load<u64>(<usize>(frame + (((page >> (<u64>(at - 1) * INDEX_SHIFT)) & INDEX_MASK) << 3)));
  }
  return frame;
}

/** Frames pagesPopulate(node, first, end) would allocate: pages of [first, end) without a frame,
 * the index frames they need and the new levels on top. `end` is at most FS_FILE_MAXIMUM's pages. */
export function pagesNeeded(node: Node, first: u64, end: u64): u64 {
  if (first >= end) return 0;
  const height = max(node.height, heightFor(end));
  let needed: u64 = node.root != 0 ? <u64>(height - node.height) : 0;
  for (let page = first; page < end; page++) {
    for (let level: u32 = 0; level <= height; level++) {
      // An index (or the root) is counted once, at the first page of the range it covers.
      if (level != 0 && page != first && (page & (span(level) - 1)) != 0) continue;
      if (level > node.height && node.root != 0) continue;   // a new level on top: counted above
      if (frameAt(node, page, level) == 0) needed++;
    }
  }
  return needed;
}

/** Allocates the frames pagesNeeded counted; node.frames counts them. False when the allocator
 * ran out part way: the frames taken stay in the tree (holes filled with zeros, contents the
 * same). */
export function pagesPopulate(node: Node, first: u64, end: u64): bool {
  if (first >= end) return true;
  const height = max(node.height, heightFor(end));
  while (node.height < height) {
    if (node.root != 0) {
      const index = frameAllocateZeroed();
      if (index == 0) return false;
      node.frames++;
      store<u64>(<usize>index, node.root);
      node.root = index;
    }
    node.height++;
  }
  for (let page = first; page < end; page++) {
    if (node.root == 0) {
      const frame = frameAllocateZeroed();
      if (frame == 0) return false;
      node.frames++;
      node.root = frame;
    }
    let frame = node.root;
    for (let at = height; at > 0; at--) {
      const slot = <usize>(frame + (((page >> (<u64>(at - 1) * INDEX_SHIFT)) & INDEX_MASK) << 3));
      let child = load<u64>(slot);
      if (child == 0) {
        child = frameAllocateZeroed();
        if (child == 0) return false;
        node.frames++;
        store<u64>(slot, child);
      }
      frame = child;
    }
  }
  return true;
}

/** Copies `length` bytes from `source` into the file at `offset`; every page of the range has
 * its frame (pagesPopulate). */
export function pagesWrite(node: Node, offset: u64, source: usize, length: u64): void {
  let done: u64 = 0;
  while (done < length) {
    const at = offset + done;
    const inPage = at & (PAGE_SIZE - 1);
    const chunk = min(PAGE_SIZE - inPage, length - done);
    const frame = frameAt(node, at >> PAGE_SHIFT, 0);
    if (frame == 0) abort("pagesWrite: page not populated");
    memory.copy(<usize>(frame + inPage), source + <usize>done, <usize>chunk);
    done += chunk;
  }
}

/** Copies `length` bytes of the file at `offset` to `destination`, zeros for holes. */
export function pagesRead(node: Node, offset: u64, destination: usize, length: u64): void {
  let done: u64 = 0;
  while (done < length) {
    const at = offset + done;
    const inPage = at & (PAGE_SIZE - 1);
    const chunk = min(PAGE_SIZE - inPage, length - done);
    const frame = frameAt(node, at >> PAGE_SHIFT, 0);
    if (frame == 0) memory.fill(destination + <usize>done, 0, <usize>chunk);
    else memory.copy(destination + <usize>done, <usize>(frame + inPage), <usize>chunk);
    done += chunk;
  }
}

/** Frees the frames of a subtree of `level` rooted at `frame`; how many. */
function freeSubtree(frame: u64, level: u32): u64 {
  let freed: u64 = 1;
  if (level != 0) {
    for (let i: u64 = 0; i <= INDEX_MASK; i++) {
      const child = load<u64>(<usize>(frame + (i << 3)));
      if (child != 0) freed += freeSubtree(child, level - 1);   // depth at most HEIGHT_MAXIMUM
    }
  }
  frameFree(frame);
  return freed;
}

/** Frees what a subtree of `level` at `frame`, covering pages from `base`, holds at or past page
 * `first` (which is above `base`: the subtree itself stays); how many frames. */
function trim(frame: u64, level: u32, base: u64, first: u64): u64 {
  let freed: u64 = 0;
  const childSpan = span(level - 1);
  for (let i: u64 = 0; i <= INDEX_MASK; i++) {
    const childBase = base + i * childSpan;
    if (childBase + childSpan <= first) continue;
    const slot = <usize>(frame + (i << 3));
    const child = load<u64>(slot);
    if (child == 0) continue;
    if (childBase >= first) {
      freed += freeSubtree(child, level - 1);
      store<u64>(slot, 0);
    } else {
      freed += trim(child, level - 1, childBase, first);   // level - 1 >= 1 here
    }
  }
  return freed;
}

/** Cuts the file's owned bytes to `size` (not above the node's size): frames of pages wholly
 * past it are freed, the rest of the last page is zeroed. Returns the frames freed. */
export function pagesTruncate(node: Node, size: u64): u64 {
  if (node.root == 0) return 0;
  const first = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
  let freed: u64 = 0;
  if (first == 0) {
    freed = freeSubtree(node.root, node.height);
    node.root = 0;
    node.height = 0;
  } else if (node.height != 0 && first < span(node.height)) {
    freed = trim(node.root, node.height, 0, first);
  }
  node.frames -= freed;
  const inPage = size & (PAGE_SIZE - 1);
  if (inPage != 0) {
    const frame = frameAt(node, size >> PAGE_SHIFT, 0);
    if (frame != 0) memory.fill(<usize>(frame + inPage), 0, <usize>(PAGE_SIZE - inPage));
  }
  return freed;
}
