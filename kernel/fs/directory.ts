// A directory's entries (kernel/fs/ramfs.ts owns them): name -> node, in the order they were
// added. Each entry gets a serial number, increasing per directory and never reused; readdir's
// cursor is the serial to continue from, so a cursor stays meaningful while entries come and go
// (an entry removed is skipped, one added comes later, none comes twice). Serials 0 and 1 are
// "." and ".."; entries start at 2. Lookup compares a 32-bit hash first, then the bytes.
// FIXME: lookup and removal are linear in the entries; a directory of many thousands of entries
// wants a hash table.

import { instanceBytes, staticArrayBytes } from "../memory/heap-cost";
import { Node } from "./node";

/** The first serial of a real entry (0 is ".", 1 is ".."). */
export const FIRST_ENTRY_SERIAL: u64 = 2;

export class DirectoryEntry {
  constructor(readonly name: StaticArray<u8>, readonly hash: u32, readonly serial: u64, public node: Node) {}
}

/** Heap bytes of one entry named by `nameLength` bytes. */
export function entryBytes(nameLength: u32): u64 {
  return instanceBytes<DirectoryEntry>() + staticArrayBytes<u8>(<u64>nameLength);
}

/** Heap bytes of a Directory record (its table counted apart). */
export function directoryBytes(): u64 {
  return instanceBytes<Directory>();
}

/** FNV-1a over the name's bytes. */
export function nameHash(name: usize, length: u32): u32 {
  let hash: u32 = 0x811c9dc5;
  for (let i: u32 = 0; i < length; i++) hash = (hash ^ load<u8>(name + i)) * 0x0100_0193;
  return hash;
}

export class Directory {
  /** Entries in serial order; the first `count` slots are used. */
  table: StaticArray<DirectoryEntry | null> | null = null;
  count: i32 = 0;
  nextSerial: u64 = FIRST_ENTRY_SERIAL;

  @inline get capacity(): i32 {
    const table = this.table;
    return table !== null ? table.length : 0;
  }

  /** Heap bytes the table takes now. */
  tableBytes(): u64 {
    return this.table !== null ? staticArrayBytes<usize>(<u64>this.capacity) : 0;
  }

  /** The heap bytes one more entry's table growth costs (0 when there is room). */
  growthBytes(): u64 {
    if (this.count < this.capacity) return 0;
    return staticArrayBytes<usize>(<u64>this.grownCapacity()) - this.tableBytes();
  }

  private grownCapacity(): i32 {
    return this.capacity < 4 ? 4 : this.capacity * 2;
  }

  /** The index of the entry named by `length` bytes at `name`, or -1. */
  find(name: usize, length: u32): i32 {
    const table = this.table;
    if (table === null) return -1;
    const hash = nameHash(name, length);
    for (let i = 0; i < this.count; i++) {
      const entry = unchecked(table[i])!;
      if (entry.hash != hash || <u32>entry.name.length != length) continue;
      if (memory.compare(changetype<usize>(entry.name), name, length) == 0) return i;
    }
    return -1;
  }

  /** The entry at `index` (0 <= index < count). */
  @inline at(index: i32): DirectoryEntry {
    return unchecked(this.table!.__uget(index))!;
  }

  /** Adds an entry for `node` named by `length` bytes at `name` (checked by the caller: valid and
   * not present); the caller has charged entryBytes(length) and growthBytes(). */
  add(name: usize, length: u32, node: Node): DirectoryEntry {
    const bytes = new StaticArray<u8>(<i32>length);
    memory.copy(changetype<usize>(bytes), name, length);
    const entry = new DirectoryEntry(bytes, nameHash(name, length), this.nextSerial++, node);
    if (this.count >= this.capacity) {
      const grown = new StaticArray<DirectoryEntry | null>(this.grownCapacity());
      const table = this.table;
      for (let i = 0; i < this.count; i++) unchecked(grown[i] = table!.__uget(i));
      this.table = grown;
    }
    unchecked(this.table!.__uset(this.count, entry));
    this.count++;
    return entry;
  }

  /** Removes the entry at `index` (0 <= index < count), keeping the order. */
  removeAt(index: i32): void {
    const table = this.table!;
    for (let i = index; i + 1 < this.count; i++) unchecked(table[i] = table.__uget(i + 1));
    this.count--;
    unchecked(table[this.count] = null);
  }

  /** The index of the first entry whose serial is at least `serial`, or count. */
  indexFrom(serial: u64): i32 {
    let low = 0, high = this.count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.at(middle).serial < serial) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
