// The sender's SACK scoreboard for the TCP core (net/socket/tcp/), RFC 6675 §3-4: the ranges of
// sequence space above SND.UNA the peer reported in SACK blocks (RFC 2018), sorted and apart,
// at most SCOREBOARD_RANGES of them (a full board forgets its highest range: losing SACK
// information only makes the sender retransmit more). From it: IsLost (DupThresh = 3
// segments, or more than 2 SMSS bytes SACKed above a sequence number), the holes loss recovery
// retransmits (NextSeg rules 1 and 3), and the pipe (SetPipe). Blocks that do not fit inside
// (SND.UNA, SND.MAX] are ignored (D-SACK and stale blocks, RFC 2883 §4).

import { seqGe, seqGt, seqLe, seqLt, seqMax, seqMin } from "./seq";

export const SCOREBOARD_RANGES: i32 = 16;
/** RFC 6675 §2: DupThresh. */
export const DUP_THRESHOLD: u32 = 3;

/** Which holes nextHole looks for. */
export enum Holes {
  Lost = 0,
  Any = 1,
}

export class Scoreboard {
  count: i32 = 0;
  readonly starts: StaticArray<u32> = new StaticArray<u32>(SCOREBOARD_RANGES);
  readonly ends: StaticArray<u32> = new StaticArray<u32>(SCOREBOARD_RANGES);

  clear(): void {
    this.count = 0;
  }

  /** Records a SACK block [start, end) when it lies inside (una, max]; returns whether it told
   * something new. */
  add(start: u32, end: u32, una: u32, highest: u32): bool {
    if (!seqLt(start, end) || seqLe(start, una) || seqGt(end, highest)) return false;
    let first = 0;
    while (first < this.count && seqLt(unchecked(this.ends[first]), start)) first++;
    let last = first;
    while (last < this.count && seqLe(unchecked(this.starts[last]), end)) last++;
    if (first == last) {
      if (this.count == SCOREBOARD_RANGES) {
        if (first == this.count) return false;   // above everything kept: forget it
        this.count--;                              // forget the highest range
      }
      for (let i = this.count; i > first; i--) {
        unchecked(this.starts[i] = this.starts[i - 1]);
        unchecked(this.ends[i] = this.ends[i - 1]);
      }
      unchecked(this.starts[first] = start);
      unchecked(this.ends[first] = end);
      this.count++;
      return true;
    }
    const newStart = seqMin(start, unchecked(this.starts[first])), newEnd = seqMax(end, unchecked(this.ends[last - 1]));
    const grew = last - first > 1 || newStart != unchecked(this.starts[first]) || newEnd != unchecked(this.ends[first]);
    unchecked(this.starts[first] = newStart);
    unchecked(this.ends[first] = newEnd);
    const removed = last - first - 1;
    for (let i = first + 1; i + removed < this.count; i++) {
      unchecked(this.starts[i] = this.starts[i + removed]);
      unchecked(this.ends[i] = this.ends[i + removed]);
    }
    this.count -= removed;
    return grew;
  }

  /** SND.UNA moved to `una`: drops what lies below it. */
  advance(una: u32): void {
    let drop = 0;
    while (drop < this.count && seqLe(unchecked(this.ends[drop]), una)) drop++;
    if (drop > 0) {
      for (let i = drop; i < this.count; i++) {
        unchecked(this.starts[i - drop] = this.starts[i]);
        unchecked(this.ends[i - drop] = this.ends[i]);
      }
      this.count -= drop;
    }
    if (this.count > 0 && seqLt(unchecked(this.starts[0]), una)) unchecked(this.starts[0] = una);
  }

  /** The end of the SACKed range holding `seq`, or `seq` when it is not SACKed. */
  sackedEnd(seq: u32): u32 {
    for (let i = 0; i < this.count; i++) {
      if (seqGe(seq, unchecked(this.starts[i])) && seqLt(seq, unchecked(this.ends[i]))) return unchecked(this.ends[i]);
    }
    return seq;
  }

  /** The start of the first SACKed range after `seq`, or `limit` when none comes before it. */
  nextSackedStart(seq: u32, limit: u32): u32 {
    for (let i = 0; i < this.count; i++) {
      const start = unchecked(this.starts[i]);
      if (seqGt(start, seq)) return seqMin(start, limit);
    }
    return limit;
  }

  /** The highest sequence number SACKed (an end), or `una` when nothing is. */
  highestSacked(una: u32): u32 {
    return this.count == 0 ? una : unchecked(this.ends[this.count - 1]);
  }

  /** RFC 6675 IsLost: for a hole before range `index`, whether the ranges from `index` on
   * hold DupThresh segments or more than (DupThresh - 1) * SMSS bytes. */
  private holeLost(index: i32, mss: u32): bool {
    let bytes: u32 = 0, segments: u32 = 0;
    for (let i = index; i < this.count; i++) {
      const length = unchecked(this.ends[i]) - unchecked(this.starts[i]);
      bytes += length;
      segments += (length + mss - 1) / mss;
    }
    return segments >= DUP_THRESHOLD || bytes > (DUP_THRESHOLD - 1) * mss;
  }

  /** IsLost(seq) of RFC 6675 §4. */
  isLost(seq: u32, mss: u32): bool {
    let index = 0;
    while (index < this.count && seqLe(unchecked(this.starts[index]), seq)) index++;
    return this.holeLost(index, mss);
  }

  /** The end of the hole nextHole found last. */
  holeEnd: u32 = 0;

  /** NextSeg rules 1 and 3 of RFC 6675 §4: the first sequence number at or after `from` in a
   * hole below the highest SACKed byte that is lost (rule 1, Holes.Lost) or any such hole
   * (rule 3, Holes.Any); sets holeEnd to the hole's end and returns the start, or returns
   * `from` with holeEnd == from when there is none. */
  nextHole(una: u32, from: u32, mss: u32, which: Holes): u32 {
    let holeStart = una;
    for (let i = 0; i < this.count; i++) {
      const end = unchecked(this.starts[i]);
      if (seqGt(end, from) && seqLt(holeStart, end) && (which == Holes.Any || this.holeLost(i, mss))) {
        this.holeEnd = end;
        return seqMax(holeStart, from);
      }
      holeStart = unchecked(this.ends[i]);
    }
    this.holeEnd = from;
    return from;
  }

  /** SetPipe of RFC 6675 §4: bytes in [una, highest) not SACKed and not lost, plus the
   * retransmitted bytes below `highRxt`. */
  pipe(una: u32, highest: u32, highRxt: u32, mss: u32): u32 {
    let pipe: u32 = 0, holeStart = una;
    for (let i = 0; i <= this.count; i++) {
      const holeEnd = i < this.count ? unchecked(this.starts[i]) : highest;
      if (seqLt(holeStart, holeEnd)) {
        if (!this.holeLost(i, mss)) pipe += holeEnd - holeStart;
        const retransmittedEnd = seqMin(holeEnd, highRxt);
        if (seqLt(holeStart, retransmittedEnd)) pipe += retransmittedEnd - holeStart;
      }
      if (i < this.count) holeStart = unchecked(this.ends[i]);
    }
    return pipe;
  }
}
