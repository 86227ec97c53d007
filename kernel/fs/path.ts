// Path resolution inside a namespace root (docs/fs.md, "Paths"): the bytes of a path in kernel
// memory become a node, or the directory and last name an operation creates or removes. The
// root bounds everything: an absolute path and an absolute symbolic link start there, ".." at
// the root stays there, and a relative path from a working directory outside the root resolves
// nothing (NotFound), so no path and no link leads out of the namespace. Callers: the Linux
// personality's file calls (open, stat, mkdir, unlink, rename, ...), later the file capabilities.

import { KernelError } from "../../abi/errors";
import { FS_NAME_MAXIMUM, FS_PATH_MAXIMUM, FS_SYMLINKS_FOLLOWED_MAXIMUM, Node } from "./node";
import { Ramfs } from "./ramfs";

/** How resolve treats the last component (bits). */
export enum Resolve {
  /** Neither bit: a symbolic link last is the answer itself (lstat, readlink, unlink). */
  NoFollow = 0,
  /** A symbolic link last is followed (stat, open without O_NOFOLLOW). A trailing slash follows
   * whatever the bits say. */
  Follow = 1,
  /** The answer is the last component's directory and name (create, unlink, rename, mkdir): a
   * missing last component is no error (node null). */
  Parent = 2,
  /** The last component is never followed, not even before a trailing slash, and a trailing
   * slash after what is not a directory is no error here (`trailingSlash` says so): the calls
   * that make, remove or rename a name decide (Linux's parent lookups: rmdir("link/") is
   * ENOTDIR, mkdir("dangling/") EEXIST). */
  LastAsIs = 4,
}

export class Resolution {
  error: KernelError = KernelError.None;
  /** What the path names; null under Resolve.Parent when the last component does not exist. */
  node: Node | null = null;
  /** Under Resolve.Parent: the directory of the last component, null when the path has no last
   * name (it is "/" or ends in "." or ".."; `node` is then that directory). */
  parent: Node | null = null;
  /** Under Resolve.Parent: the last component's bytes, in the path or in a symbolic link's
   * target; valid until the file system changes. */
  name: usize = 0;
  nameLength: u32 = 0;
  /** The path ended with '/' after its last component: what it names must be a directory (or,
   * created, become one). */
  trailingSlash: bool = false;
  /** The path entered the file system's mount point (when the caller gave resolve a buffer for
   * the rest): `node` is the mount point, and the path's components after it, joined by '/'
   * (a trailing '/' kept), are the `restLength` bytes of that buffer; none of them was looked at. */
  crossed: bool = false;
  restLength: u32 = 0;
}

/** Up to this many pieces of path are being read at once: the path and a target per link. */
const SEGMENTS_MAXIMUM: i32 = <i32>FS_SYMLINKS_FOLLOWED_MAXIMUM + 1;

/** The path and the link targets being read, innermost last. */
class Segments {
  position: StaticArray<usize> = new StaticArray<usize>(SEGMENTS_MAXIMUM);
  end: StaticArray<usize> = new StaticArray<usize>(SEGMENTS_MAXIMUM);
  /** Past the last byte that is not '/' (a segment with position >= this has no component left). */
  contentEnd: StaticArray<usize> = new StaticArray<usize>(SEGMENTS_MAXIMUM);
  depth: i32 = 0;

  /** Reads `length` bytes at `address` next; the caller checked depth < SEGMENTS_MAXIMUM. */
  push(address: usize, length: usize): void {
    let contentEnd = address + length;
    while (contentEnd > address && load<u8>(contentEnd - 1) == 0x2f) contentEnd--;
    unchecked(this.position[this.depth] = address);
    unchecked(this.end[this.depth] = address + length);
    unchecked(this.contentEnd[this.depth] = contentEnd);
    this.depth++;
  }

  /** Whether a component remains in some segment. */
  more(): bool {
    for (let i = this.depth - 1; i >= 0; i--) if (unchecked(this.position[i]) < unchecked(this.contentEnd[i])) return true;
    return false;
  }

  /** What remains of every segment, innermost first, joined by '/', copied to `out` (at most
   * FS_PATH_MAXIMUM bytes): its length, or -1 when it does not fit. */
  rest(out: usize): i32 {
    let length: u32 = 0;
    for (let i = this.depth - 1; i >= 0; i--) {
      const position = unchecked(this.position[i]), end = unchecked(this.end[i]);
      if (position >= end) continue;
      const size = <u32>(end - position);
      if (length + size + 1 > FS_PATH_MAXIMUM) return -1;
      if (length > 0) { store<u8>(out + <usize>length, 0x2f); length++; }
      memory.copy(out + <usize>length, position, <usize>size);
      length += size;
    }
    return <i32>length;
  }

  /** Whether a '/' remains (after the last component). */
  slashLeft(): bool {
    for (let i = this.depth - 1; i >= 0; i--) if (unchecked(this.position[i]) < unchecked(this.end[i])) return true;
    return false;
  }
}

/** Resolves `length` bytes of path at `address` (kernel memory the caller guarantees) inside the
 * namespace `root`, relative ones from `cwd`, under `flags` (Resolve bits). With `rest` (a
 * buffer of FS_PATH_MAXIMUM + 1 bytes), a path that enters the file system's mount point stops
 * there (Resolution.crossed) with what is left of it in `rest`. Errors: NotFound (an
 * empty path, a missing component, a cwd outside root or removed), NameTooLong (a component over
 * 255 bytes, a path over 4095), NotADirectory (a non-directory in the middle or before a
 * trailing slash), TooManyLinks (more than 40 symbolic links), InvalidArgument (a NUL byte, a
 * root or cwd of another file system). */
export function resolve(fileSystem: Ramfs, root: Node, cwd: Node, address: usize, length: u64, flags: u32, rest: usize = 0): Resolution {
  const result = new Resolution();
  const error = pathCheck(fileSystem, root, cwd, address, length);
  if (error != KernelError.None) {
    result.error = error;
    return result;
  }
  const parentMode = (flags & Resolve.Parent) != 0;
  const segments = new Segments();
  segments.push(address, <usize>length);
  let current = load<u8>(address) == 0x2f ? root : cwd;
  let followed: u32 = 0;
  while (true) {
    // The next component, from the innermost segment that has one.
    let start: usize = 0, end: usize = 0;
    while (segments.depth > 0) {
      const top = segments.depth - 1;
      let position = unchecked(segments.position[top]);
      const stop = unchecked(segments.end[top]);
      while (position < stop && load<u8>(position) == 0x2f) position++;
      if (position == stop) {
        segments.depth--;
        continue;
      }
      start = position;
      while (position < stop && load<u8>(position) != 0x2f) position++;
      end = position;
      unchecked(segments.position[top] = position);
      break;
    }
    if (segments.depth == 0) break;   // no component left: `current` is the answer
    const componentLength = <u32>(end - start);
    if (componentLength > FS_NAME_MAXIMUM) return failed(result, KernelError.NameTooLong);
    const last = !segments.more();
    if (last) result.trailingSlash = segments.slashLeft();
    if (!current.isDirectory) return failed(result, KernelError.NotADirectory);
    if (load<u8>(start) == 0x2e && (componentLength == 1 || (componentLength == 2 && load<u8>(start + 1) == 0x2e))) {
      if (componentLength == 2 && current !== root) {
        const parent = current.parent;
        if (parent === null) return failed(result, KernelError.NotFound);   // a freed directory (never reached from a live cwd)
        current = parent;
      }
      continue;
    }
    if (current.links == 0) return failed(result, KernelError.NotFound);   // a removed directory holds nothing, takes nothing
    const found = fileSystem.lookup(current, start, componentLength);
    const node = found.node;
    if (node === null) {
      if (found.error != KernelError.NotFound || !last || !parentMode) return failed(result, found.error);
      result.parent = current;
      result.name = start;
      result.nameLength = componentLength;
      return result;
    }
    if (node === fileSystem.mountPoint && rest != 0) {
      const restLength = segments.rest(rest);
      if (restLength < 0) return failed(result, KernelError.NameTooLong);
      result.node = node;
      result.crossed = true;
      result.restLength = <u32>restLength;
      return result;
    }
    const lastAsIs = (flags & Resolve.LastAsIs) != 0;
    if (node.isSymbolicLink && (!last || (!lastAsIs && ((flags & Resolve.Follow) != 0 || result.trailingSlash)))) {
      if (++followed > FS_SYMLINKS_FOLLOWED_MAXIMUM) return failed(result, KernelError.TooManyLinks);
      const target = node.targetAddress();
      segments.push(target, <usize>node.size);   // depth <= followed + 1 <= SEGMENTS_MAXIMUM
      if (load<u8>(target) == 0x2f) current = root;   // targets are never empty
      continue;
    }
    if (last) {
      if (result.trailingSlash && !node.isDirectory && !lastAsIs) return failed(result, KernelError.NotADirectory);
      result.node = node;
      if (parentMode) {
        result.parent = current;
        result.name = start;
        result.nameLength = componentLength;
      }
      return result;
    }
    current = node;
  }
  // The path ended in "/", "." or "..": it names a directory and has no last name.
  result.node = current;
  return result;
}

/** Checks what resolve is given before it reads a component. */
function pathCheck(fileSystem: Ramfs, root: Node, cwd: Node, address: usize, length: u64): KernelError {
  if (root.fileSystem != fileSystem.id || cwd.fileSystem != fileSystem.id || root.freed || !root.isDirectory) return KernelError.InvalidArgument;
  if (length == 0) return KernelError.NotFound;
  if (length > <u64>FS_PATH_MAXIMUM) return KernelError.NameTooLong;
  for (let i: usize = 0; i < <usize>length; i++) if (load<u8>(address + i) == 0) return KernelError.InvalidArgument;
  if (load<u8>(address) != 0x2f && !fileSystem.contains(root, cwd)) return KernelError.NotFound;
  return KernelError.None;
}

function failed(result: Resolution, error: KernelError): Resolution {
  result.error = error;
  result.node = null;
  result.parent = null;
  return result;
}
