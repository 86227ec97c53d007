// Congestion control for the TCP core (net/socket/tcp/): the congestion window and slow-start
// threshold of RFC 5681, in bytes, with the controller chosen per connection. NewReno here
// (RFC 5681 §3.1: slow start with appropriate byte counting, RFC 3465, limit L = 1 SMSS;
// congestion avoidance adding one SMSS per window acknowledged); CUBIC in cubic.ts. Loss
// recovery (recovery.ts) decides when a loss happened and asks the controller for the new
// threshold; a retransmission timeout collapses the window to one segment (RFC 5681 §3.1).
// Integer-only, as the kernel is float-free.

/** The largest window kept (1 GiB, RFC 7323's limit with scaling). */
export const CWND_MAXIMUM: u32 = 1 << 30;

/** RFC 6928 §2: the initial window, min(10 * MSS, max(2 * MSS, 14600)). */
export function initialWindow(mss: u32): u32 {
  return min(10 * mss, max(2 * mss, 14600));
}

export abstract class CongestionControl {
  cwnd: u32;
  /** RFC 5681 §3.1: initially arbitrarily high. */
  ssthresh: u32 = CWND_MAXIMUM;

  constructor(public mss: u32) {
    this.cwnd = initialWindow(mss);
  }

  /** `acked` bytes of new data were acknowledged outside loss recovery, at `now` (ns), with the
   * smoothed round trip `srtt` (ns, 0 before a sample). */
  abstract onAck(acked: u32, now: u64, srtt: u64): void;

  /** A loss was detected by duplicate ACKs or SACK with `flight` bytes outstanding: sets
   * ssthresh (RFC 5681 §3.2 (4)); recovery sets the window. */
  abstract onLoss(flight: u32, now: u64): void;

  /** The retransmission timer expired (RFC 5681 §3.1 (4) and loss window of one SMSS). */
  onTimeout(flight: u32, now: u64): void {
    this.onLoss(flight, now);
    this.cwnd = this.mss;
  }

  /** The connection's MSS changed (negotiated after the controller was made). */
  setMss(mss: u32): void {
    this.mss = mss;
    this.cwnd = initialWindow(mss);
  }

  /** Slow start (RFC 5681 §3.1 (2), byte counting of RFC 3465 with L = 1 SMSS); returns the
   * bytes not used because the window reached ssthresh. */
  protected slowStart(acked: u32): u32 {
    const room = this.ssthresh - this.cwnd;
    const grow = min(min(acked, this.mss), room);
    this.cwnd = min(this.cwnd + grow, CWND_MAXIMUM);
    return acked > grow ? acked - grow : 0;
  }
}

export class NewReno extends CongestionControl {
  /** Bytes acknowledged in congestion avoidance since the window last grew. */
  private counted: u32 = 0;

  onAck(acked: u32, now: u64, srtt: u64): void {
    if (this.cwnd < this.ssthresh) {
      acked = this.slowStart(acked);
      if (acked == 0) return;
    }
    // RFC 5681 §3.1: about one SMSS per window's worth of acknowledged bytes (byte counting).
    this.counted += acked;
    if (this.counted >= this.cwnd) {
      this.counted -= this.cwnd;
      this.cwnd = min(this.cwnd + this.mss, CWND_MAXIMUM);
    }
  }

  /** RFC 5681 §3.2 equation (4): ssthresh = max(FlightSize / 2, 2 * SMSS). */
  onLoss(flight: u32, now: u64): void {
    this.ssthresh = max(flight / 2, 2 * this.mss);
    this.counted = 0;
  }
}
