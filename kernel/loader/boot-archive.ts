// A boot package archive: one cpio "newc" module (tools/boot-archive.ts writes it) whose entries
// are files of the boot package (programs, the manifest, data files), each named by its entry's
// name. The loader layer's trust boundary for such a module: fs/cpio.ts checks the format, the
// rules below the content; boot-package.ts keeps the entries as files, in place (newc data is
// contiguous in the module, so nothing is copied). Pure (no log, no hardware): the caller logs
// `reason`; tests/host/boot-archive.test.ts runs it under Node.
//
// Rules, on top of fs/cpio.ts's (the first broken refuses the whole archive; never an abort):
// - Every entry is a regular file with one link (NotPermitted otherwise: directories, links,
//   devices and hard links have no meaning in a flat package).
// - Its name, after cpio.ts strips leading "/" and "./", is 1..BOOT_ARCHIVE_NAME_MAXIMUM bytes
//   of printable ASCII (0x21..0x7e) without "/" (Malformed): so a byte compare with a caller's
//   name is exact (objects/boot-files.ts), and names are flat as module command lines were.
// - No name twice (Exists); at most BOOT_ARCHIVE_ENTRIES_MAXIMUM entries (TableFull), which also
//   bounds the duplicate check's quadratic work and the kernel heap an archive takes.

import { KernelError } from "../../abi/errors";
import { BOOT_FILE_NAME_MAXIMUM } from "../../abi/methods";
import { CpioReader } from "../fs/cpio";
import { S_IFMT, S_IFREG } from "../fs/node";

/** The longest entry name: the longest name BootFiles takes. */
export const BOOT_ARCHIVE_NAME_MAXIMUM: u32 = <u32>BOOT_FILE_NAME_MAXIMUM;
/** The most entries one archive may hold. */
export const BOOT_ARCHIVE_ENTRIES_MAXIMUM: i32 = 1024;

/** One file of an archive: its name and where its bytes lie inside the archive. */
export class BootArchiveEntry {
  constructor(readonly name: string, readonly data: usize, readonly length: u64) {}
}

export class BootArchiveResult {
  /** None, or the first rule broken (above, or fs/cpio.ts's). */
  error: KernelError = KernelError.None;
  /** Why the archive was refused, one line for the log; "" otherwise. */
  reason: string = "";
  /** Every entry when error is None; empty otherwise. */
  entries: BootArchiveEntry[] = [];
}

/** Checks the archive of `length` bytes at `address` (in linear memory, as the caller
 * guarantees) and returns its entries, or the first problem. */
export function bootArchiveRead(address: usize, length: u64): BootArchiveResult {
  const result = new BootArchiveResult();
  const reader = new CpioReader(address, length);
  const entry = reader.entry;
  const entries: BootArchiveEntry[] = [];
  while (reader.next()) {
    const at = "entry at offset " + entry.offset.toString() + ": ";
    if ((entry.mode & S_IFMT) != S_IFREG) return refuse(result, KernelError.NotPermitted, at + "not a regular file");
    if (entry.links != 1) return refuse(result, KernelError.NotPermitted, at + "a hard link (c_nlink " + entry.links.toString() + ")");
    const problem = nameProblem(entry.name, entry.nameLength);
    if (problem.length != 0) return refuse(result, KernelError.Malformed, at + problem);
    if (entries.length >= BOOT_ARCHIVE_ENTRIES_MAXIMUM) {
      return refuse(result, KernelError.TableFull, at + "more than " + BOOT_ARCHIVE_ENTRIES_MAXIMUM.toString() + " entries");
    }
    const name = String.UTF8.decodeUnsafe(entry.name, <usize>entry.nameLength);   // ASCII: decodes 1:1
    for (let i = 0; i < entries.length; i++) {
      if (unchecked(entries[i]).name == name) return refuse(result, KernelError.Exists, at + "a second file named '" + name + "'");
    }
    entries.push(new BootArchiveEntry(name, entry.data, entry.dataLength));
  }
  if (reader.error != KernelError.None) return refuse(result, reader.error, reader.reason);
  result.entries = entries;
  return result;
}

/** Why `length` bytes at `name` are not a package file name, or "". */
function nameProblem(name: usize, length: u32): string {
  if (length == 0) return "an empty name";
  if (length > BOOT_ARCHIVE_NAME_MAXIMUM) return "a name of " + length.toString() + " bytes (at most " + BOOT_ARCHIVE_NAME_MAXIMUM.toString() + ")";
  for (let i: u32 = 0; i < length; i++) {
    const byte = load<u8>(name + <usize>i);
    if (byte == 0x2f) return "a name with a \"/\" (the package is flat)";
    if (byte <= 0x20 || byte >= 0x7f) return "a name with a byte outside printable ASCII";
  }
  return "";
}

function refuse(result: BootArchiveResult, error: KernelError, reason: string): BootArchiveResult {
  result.error = error;
  result.reason = reason;
  result.entries = [];
  return result;
}
