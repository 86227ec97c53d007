// Out-of-order reassembly bookkeeping for the TCP core's receive side (net/socket/tcp/): the
// ranges of bytes received beyond RCV.NXT, as offsets from RCV.NXT, sorted and apart. The bytes
// themselves sit in the receive ring past its end (ByteRing.writeAt), so their memory is capped
// by the ring's free space; the count of ranges is capped too (ASSEMBLER_RANGES), so a peer
// scattering one-byte segments costs a bounded table, and a segment that would need one more
// range is dropped (the peer sends it again). The ranges are also what SACK reports (RFC 2018
// §4): `recent` is the range that took the latest segment, which goes first.

/** The most out-of-order ranges kept. */
export const ASSEMBLER_RANGES: i32 = 8;

export class Assembler {
  /** Ranges held: [starts[i], ends[i]) for i < count, increasing, never touching. */
  count: i32 = 0;
  readonly starts: StaticArray<u32> = new StaticArray<u32>(ASSEMBLER_RANGES + 1);
  readonly ends: StaticArray<u32> = new StaticArray<u32>(ASSEMBLER_RANGES + 1);
  /** The range the latest added bytes joined (an index), or -1. */
  recent: i32 = -1;

  /** Records bytes [start, end) as received. False, with nothing changed, when they would need
   * a range past the limit (a range from 0, in order, is always taken: take() removes it). */
  add(start: u32, end: u32): bool {
    if (start >= end) return true;
    // First range that ends at or after start (it may merge), and the first that starts after end.
    let first = 0;
    while (first < this.count && unchecked(this.ends[first]) < start) first++;
    let last = first;
    while (last < this.count && unchecked(this.starts[last]) <= end) last++;
    if (first == last) {   // touches nothing: a new range at `first`
      if (this.count >= ASSEMBLER_RANGES && start != 0) return false;
      for (let i = this.count; i > first; i--) {
        unchecked(this.starts[i] = this.starts[i - 1]);
        unchecked(this.ends[i] = this.ends[i - 1]);
      }
      unchecked(this.starts[first] = start);
      unchecked(this.ends[first] = end);
      this.count++;
    } else {               // merges ranges first..last-1 into one
      unchecked(this.starts[first] = min(start, unchecked(this.starts[first])));
      unchecked(this.ends[first] = max(end, unchecked(this.ends[last - 1])));
      const removed = last - first - 1;
      for (let i = first + 1; i + removed < this.count; i++) {
        unchecked(this.starts[i] = this.starts[i + removed]);
        unchecked(this.ends[i] = this.ends[i + removed]);
      }
      this.count -= removed;
    }
    this.recent = first;
    return true;
  }

  /** When a range starts at offset 0, removes it, moves every other range down by its length
   * (RCV.NXT moves past it) and returns that length; else 0. */
  take(): u32 {
    if (this.count == 0 || unchecked(this.starts[0]) != 0) return 0;
    const length = unchecked(this.ends[0]);
    for (let i = 1; i < this.count; i++) {
      unchecked(this.starts[i - 1] = this.starts[i] - length);
      unchecked(this.ends[i - 1] = this.ends[i] - length);
    }
    this.count--;
    this.recent = this.recent > 0 ? this.recent - 1 : -1;
    return length;
  }

  /** Forgets every range (the connection ended). */
  clear(): void {
    this.count = 0;
    this.recent = -1;
  }

  /** Bytes held beyond offset 0 (out of order). */
  get bytes(): u32 {
    let total: u32 = 0;
    for (let i = 0; i < this.count; i++) total += unchecked(this.ends[i]) - unchecked(this.starts[i]);
    return total;
  }
}
