// The initrd parser: SVR4 "newc" cpio archives (Linux Documentation/driver-api/early-userspace/
// buffer-format.rst), the trust boundary between a boot module and the file system. CpioReader
// walks an archive in kernel linear memory entry by entry and checks each against the rules
// below, so unpack.ts builds the tree from checked entries. Pure (no log, no hardware): the
// caller logs `reason`; tests/host/cpio.test.ts runs it under Node.
//
//   header, 110 ASCII bytes at a 4-byte aligned offset: "070701" (or "070702": its checksum is
//   ignored) and 13 fields of 8 hexadecimal digits:
//   c_ino c_mode c_uid c_gid c_nlink c_mtime c_filesize c_devmajor c_devminor c_rdevmajor
//   c_rdevminor c_namesize c_check
//   then the name, c_namesize bytes with its NUL, padded to 4 bytes from the archive's start;
//   then c_filesize bytes of data, padded the same way. "TRAILER!!!" ends an archive; NUL
//   padding (in 4-byte units) may follow, then another archive (as Linux reads them).
//
// Rules (never an abort, never a read outside [address, address + length), every sum checked):
// - Truncated when a header, name, data or padding runs past the end, or when no trailer ends
//   the last archive; Malformed for a bad magic, a field not of 8 hex digits, and the rules here.
// - Names: 1..4095 bytes before the NUL, none inside, no control character (below 0x20, 0x7f);
//   leading "/" and "./" are stripped ("." alone names the root: length 0 after stripping);
//   empty and "." components are collapsed by whoever walks the name (unpack.ts); a ".."
//   component and a component over 255 bytes are Malformed.
// - Types: regular files, directories, symbolic links, character devices; block devices, FIFOs
//   and sockets are NotPermitted (the file system has no such nodes), anything else Malformed.
//   Directories and devices carry no data; a symbolic link's data is its target: 1..4095 bytes,
//   no NUL. A regular file above FS_FILE_MAXIMUM is FileTooBig.
// - Hard links (regular files with c_nlink > 1 sharing c_ino, c_devmajor, c_devminor) are
//   reported as they are; unpack.ts joins them. The data usually comes with the last of them.

import { KernelError } from "../../abi/errors";
import { FS_FILE_MAXIMUM, FS_NAME_MAXIMUM, FS_PATH_MAXIMUM, FS_SYMLINK_MAXIMUM, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK } from "./node";

@inline const HEADER_SIZE: u64 = 110;
@inline const FIELD_COUNT: i32 = 13;
@inline const LINEAR_MEMORY_END: u64 = <u64>1 << 32; // wasm32: an archive ends below 4 GiB
const FIELD_NAMES = ["c_ino", "c_mode", "c_uid", "c_gid", "c_nlink", "c_mtime", "c_filesize", "c_devmajor", "c_devminor", "c_rdevmajor",
  "c_rdevminor", "c_namesize", "c_check"];
const TRAILER = memory.data<u8>([0x54, 0x52, 0x41, 0x49, 0x4c, 0x45, 0x52, 0x21, 0x21, 0x21]); // "TRAILER!!!"
@inline const TRAILER_LENGTH: u32 = 10;

/** One checked entry. Its name and data lie inside the archive. */
export class CpioEntry {
  /** The name after stripping leading "/" and "./" (length 0: the root). */
  name: usize = 0;
  nameLength: u32 = 0;
  inode: u32 = 0;
  /** Type (S_IFMT: S_IFREG, S_IFDIR, S_IFLNK or S_IFCHR) and permission bits. */
  mode: u32 = 0;
  uid: u32 = 0;
  gid: u32 = 0;
  links: u32 = 0;
  /** Seconds since the epoch. */
  mtime: u32 = 0;
  devMajor: u32 = 0;
  devMinor: u32 = 0;
  rdevMajor: u32 = 0;
  rdevMinor: u32 = 0;
  data: usize = 0;
  dataLength: u64 = 0;
  /** Where the header is, from the archive's start (for reasons). */
  offset: u64 = 0;
}

/** Walks an archive: next() until it returns false, then `error` says whether it ended well. */
export class CpioReader {
  /** None, or Truncated, Malformed, NotPermitted, FileTooBig (see above). */
  error: KernelError = KernelError.None;
  /** Why the archive was refused, one line for the log; "" otherwise. */
  reason: string = "";
  /** The entry next() found. */
  readonly entry: CpioEntry = new CpioEntry();
  /** Entries read so far. */
  count: u32 = 0;
  private offset: u64 = 0;
  private finished: bool = false;
  private readonly fields: StaticArray<u32> = new StaticArray<u32>(FIELD_COUNT);

  /** Reads `length` bytes at `address`, which the caller guarantees are in linear memory. */
  constructor(readonly address: usize, readonly length: u64) {
    if (length > LINEAR_MEMORY_END - <u64>address) this.refuse(KernelError.Malformed, "archive runs past the end of linear memory");
    else if (length == 0) this.refuse(KernelError.Truncated, "empty archive");
  }

  /** The next entry into `entry`: true, or false at the end of the archive or on a refusal. */
  next(): bool {
    while (!this.finished) {
      if (!this.header()) return false;
      if (this.isTrailer()) {
        if (!this.skipPadding()) return false;
        continue;
      }
      if (!this.check()) return false;
      this.count++;
      return true;
    }
    return false;
  }

  /** Reads the header at `offset`, its name and data ranges, and moves past them. */
  private header(): bool {
    const at = this.offset, length = this.length, base = this.address;
    const entry = this.entry;
    entry.offset = at;
    if (length - at < HEADER_SIZE) return this.refuse(KernelError.Truncated, "header runs past the end of the archive");
    const header = base + <usize>at;
    if (load<u32>(header) != 0x37_30_37_30 || load<u8>(header + 4) != 0x30 || (load<u8>(header + 5) != 0x31 && load<u8>(header + 5) != 0x32)) {
      return this.refuse(KernelError.Malformed, "bad magic (not 070701 or 070702)");
    }
    for (let i = 0; i < FIELD_COUNT; i++) {
      let value: u32 = 0;
      for (let digit: usize = 0; digit < 8; digit++) {
        const character = <u32>load<u8>(header + 6 + <usize>i * 8 + digit);
        let nibble: u32;
        if (character >= 0x30 && character <= 0x39) nibble = character - 0x30;
        else if (character >= 0x41 && character <= 0x46) nibble = character - 0x41 + 10;
        else if (character >= 0x61 && character <= 0x66) nibble = character - 0x61 + 10;
        else return this.refuse(KernelError.Malformed, unchecked(FIELD_NAMES[i]) + " is not 8 hexadecimal digits");
        value = (value << 4) | nibble;
      }
      unchecked(this.fields[i] = value);
    }
    const fields = this.fields;
    entry.inode = unchecked(fields[0]);
    entry.mode = unchecked(fields[1]);
    entry.uid = unchecked(fields[2]);
    entry.gid = unchecked(fields[3]);
    entry.links = unchecked(fields[4]);
    entry.mtime = unchecked(fields[5]);
    entry.dataLength = unchecked(fields[6]);
    entry.devMajor = unchecked(fields[7]);
    entry.devMinor = unchecked(fields[8]);
    entry.rdevMajor = unchecked(fields[9]);
    entry.rdevMinor = unchecked(fields[10]);
    const nameSize = <u64>unchecked(fields[11]);
    if (nameSize < 2) return this.refuse(KernelError.Malformed, "c_namesize " + nameSize.toString() + " leaves no name");
    if (nameSize > <u64>FS_PATH_MAXIMUM + 1) return this.refuse(KernelError.Malformed, "name of " + nameSize.toString() + " bytes (at most 4096 with its NUL)");
    // at + 110 + nameSize + 3 + 2^32 + 3 stays far below 2^64: no sum below wraps.
    const nameStart = at + HEADER_SIZE;
    if (length - nameStart < nameSize) return this.refuse(KernelError.Truncated, "name runs past the end of the archive");
    const dataStart = align4(nameStart + nameSize);
    if (dataStart > length) return this.refuse(KernelError.Truncated, "name padding runs past the end of the archive");
    if (load<u8>(base + <usize>(nameStart + nameSize - 1)) != 0) return this.refuse(KernelError.Malformed, "name is not NUL-terminated");
    entry.name = base + <usize>nameStart;
    entry.nameLength = <u32>nameSize - 1;
    if (length - dataStart < entry.dataLength) return this.refuse(KernelError.Truncated, "data runs past the end of the archive");
    const next = align4(dataStart + entry.dataLength);
    if (next > length) return this.refuse(KernelError.Truncated, "data padding runs past the end of the archive");
    entry.data = base + <usize>dataStart;
    this.offset = next;
    return true;
  }

  private isTrailer(): bool {
    const entry = this.entry;
    return entry.nameLength == TRAILER_LENGTH && memory.compare(entry.name, TRAILER, TRAILER_LENGTH) == 0;
  }

  /** After a trailer: NUL padding in 4-byte units, then the end or another archive. */
  private skipPadding(): bool {
    const base = this.address;
    while (this.length - this.offset >= 4 && load<u32>(base + <usize>this.offset) == 0) this.offset += 4;
    const left = this.length - this.offset;
    if (left == 0) {
      this.finished = true;
      return true;
    }
    if (left < 4) {
      for (let i: u64 = 0; i < left; i++) {
        if (load<u8>(base + <usize>(this.offset + i)) != 0) return this.refuse(KernelError.Truncated, "header runs past the end of the archive");
      }
      this.finished = true;
    }
    return true;
  }

  /** The name, type and data rules; strips the name. */
  private check(): bool {
    const entry = this.entry;
    let name = entry.name, length = entry.nameLength;
    for (let i: u32 = 0; i < length; i++) {
      const byte = load<u8>(name + i);
      if (byte == 0) return this.refuse(KernelError.Malformed, "name has a NUL inside");
      if (byte < 0x20 || byte == 0x7f) return this.refuse(KernelError.Malformed, "name has a control character");
    }
    while (length != 0) {
      if (load<u8>(name) == 0x2f) { name++; length--; }
      else if (length >= 2 && load<u16>(name) == 0x2f2e) { name += 2; length -= 2; }   // "./"
      else if (length == 1 && load<u8>(name) == 0x2e) { name++; length--; }            // "." alone
      else break;
    }
    entry.name = name;
    entry.nameLength = length;
    let start: u32 = 0;
    for (let i: u32 = 0; i <= length; i++) {
      if (i < length && load<u8>(name + i) != 0x2f) continue;
      const component = i - start;
      if (component > FS_NAME_MAXIMUM) return this.refuse(KernelError.Malformed, "name has a component over 255 bytes");
      if (component == 2 && load<u16>(name + start) == 0x2e2e) return this.refuse(KernelError.Malformed, "name has a \"..\" component");
      start = i + 1;
    }
    const type = entry.mode & S_IFMT;
    if (type == S_IFBLK || type == S_IFIFO || type == S_IFSOCK) return this.refuse(KernelError.NotPermitted, "block devices, FIFOs and sockets are not supported");
    if (type != S_IFREG && type != S_IFDIR && type != S_IFLNK && type != S_IFCHR) return this.refuse(KernelError.Malformed, "unknown file type in c_mode");
    if ((type == S_IFDIR || type == S_IFCHR) && entry.dataLength != 0) return this.refuse(KernelError.Malformed, "a directory or device with data");
    if (type == S_IFLNK) {
      if (entry.dataLength == 0 || entry.dataLength > <u64>FS_SYMLINK_MAXIMUM) return this.refuse(KernelError.Malformed, "symbolic link target of " + entry.dataLength.toString() + " bytes");
      for (let i: u64 = 0; i < entry.dataLength; i++) {
        if (load<u8>(entry.data + <usize>i) == 0) return this.refuse(KernelError.Malformed, "symbolic link target has a NUL");
      }
    }
    if (type == S_IFREG && entry.dataLength > FS_FILE_MAXIMUM) return this.refuse(KernelError.FileTooBig, "file above 1 GiB");
    return true;
  }

  private refuse(error: KernelError, reason: string): bool {
    this.error = error;
    this.reason = "entry at offset " + this.entry.offset.toString() + ": " + reason;
    this.finished = true;
    return false;
  }
}

/** `value` rounded up to a multiple of 4 (value far below 2^64). */
@inline function align4(value: u64): u64 { return (value + 3) & ~(<u64>3); }
