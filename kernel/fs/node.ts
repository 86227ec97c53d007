// A node of the in-memory file system (kernel/fs/ramfs.ts): a regular file, a directory, a
// symbolic link or a character device, with its attributes, the mode bits and the file system's
// limits. Nodes are made and freed only by ramfs.ts; path.ts and the Linux personality read their
// fields (stat) and pass them back to ramfs.ts's operations.

import { Directory } from "./directory";

// Mode bits (POSIX <sys/stat.h>; Linux include/uapi/linux/stat.h): the type in S_IFMT, then the
// set-user-ID, set-group-ID and sticky bits and the nine permission bits.
export const S_IFMT: u32 = 0o170000;
export const S_IFSOCK: u32 = 0o140000;
export const S_IFLNK: u32 = 0o120000;
export const S_IFREG: u32 = 0o100000;
export const S_IFBLK: u32 = 0o060000;
export const S_IFDIR: u32 = 0o040000;
export const S_IFCHR: u32 = 0o020000;
export const S_IFIFO: u32 = 0o010000;
export const S_ISUID: u32 = 0o4000;
export const S_ISGID: u32 = 0o2000;
export const S_IXGRP: u32 = 0o0010;
/** The bits a node keeps besides its type. */
export const PERMISSION_BITS: u32 = 0o7777;

/** The four kinds of node; the values are Linux's d_type ones (<dirent.h> DT_*), so getdents64
 * copies them as they are. */
export enum NodeType {
  CharacterDevice = 2,
  Directory = 4,
  Regular = 8,
  SymbolicLink = 10,
  Socket = 12,
}

// Limits (docs/fs.md).
/** The largest file, in bytes. */
export const FS_FILE_MAXIMUM: u64 = 1 << 30;
/** The longest name of a directory entry, in bytes (NAME_MAX). */
export const FS_NAME_MAXIMUM: u32 = 255;
/** The longest path, in bytes without a terminating NUL (Linux's PATH_MAX, 4096, counts it). */
export const FS_PATH_MAXIMUM: u32 = 4095;
/** The longest symbolic link target, in bytes. */
export const FS_SYMLINK_MAXIMUM: u32 = 4095;
/** Nodes one file system holds at most, the root included. */
export const FS_NODES_MAXIMUM: u32 = 65536;
/** Symbolic links one path resolution follows at most (Linux's MAXSYMLINKS). */
export const FS_SYMLINKS_FOLLOWED_MAXIMUM: u32 = 40;

export class Node {
  /** Unique in its file system, never reused. */
  inode: u64 = 0;
  /** Type (S_IFMT) and permission bits (PERMISSION_BITS). */
  mode: u32 = 0;
  uid: u32 = 0;
  gid: u32 = 0;
  /** Names (directory entries) of the node; for a directory 2 + its subdirectories ("." and
   * each child's ".."), 0 once it is removed. */
  links: u32 = 0;
  /** open() minus close(): the node lives while this or `links` is not 0. */
  opened: u32 = 0;
  /** Bytes of a regular file or of a symbolic link's target; 0 for the other kinds. */
  size: u64 = 0;
  /** Times in nanoseconds since the epoch (the clock given to the file system). */
  accessed: i64 = 0;
  modified: i64 = 0;
  changed: i64 = 0;
  /** A character device's number. */
  rdevMajor: u32 = 0;
  rdevMinor: u32 = 0;
  /** The file system the node belongs to (Ramfs.id). */
  fileSystem: u32 = 0;
  /** Directories: the parent (itself for the root); the ".." entry. */
  parent: Node | null = null;
  /** Directories: the entries. */
  directory: Directory | null = null;
  /** Regular files and symbolic links whose bytes are still the archive's (zero copy): where
   * they are; 0 when the bytes are owned (or there are none). */
  archive: usize = 0;
  /** Symbolic links made by symlink(): the target. */
  target: StaticArray<u8> | null = null;
  /** Regular files' owned bytes (file-data.ts): the root frame of the page tree, 0 for none, and
   * its height (0: the root is page 0's frame; 1: an index of 512 pages; 2: of 512 indexes). */
  root: u64 = 0;
  height: u32 = 0;
  /** Frames the page tree holds (data and index frames), each charged one page. */
  frames: u64 = 0;
  /** Kernel heap bytes charged for this node and what it owns (its directory's entry table, a
   * symlink's target); a directory entry's own bytes are charged apart. */
  chargedBytes: u64 = 0;
  /** Set when the node is freed: a freed node must not be used again. */
  freed: bool = false;

  @inline get type(): NodeType {
    const format = this.mode & S_IFMT;
    if (format == S_IFDIR) return NodeType.Directory;
    if (format == S_IFLNK) return NodeType.SymbolicLink;
    if (format == S_IFCHR) return NodeType.CharacterDevice;
    if (format == S_IFSOCK) return NodeType.Socket;
    return NodeType.Regular;
  }
  @inline get isDirectory(): bool { return (this.mode & S_IFMT) == S_IFDIR; }
  @inline get isSymbolicLink(): bool { return (this.mode & S_IFMT) == S_IFLNK; }
  @inline get isRegular(): bool { return (this.mode & S_IFMT) == S_IFREG; }
  @inline get isCharacterDevice(): bool { return (this.mode & S_IFMT) == S_IFCHR; }

  /** Where a symbolic link's `size` target bytes are (valid until the file system changes). */
  targetAddress(): usize {
    const target = this.target;
    return target !== null ? changetype<usize>(target) : this.archive;
  }

  /** 512-byte blocks held (stat's st_blocks): owned frames, 8 blocks each. */
  @inline get blocks(): u64 { return this.frames * 8; }
}
