// The retransmission timer's estimate for the TCP core (net/socket/tcp/), per RFC 6298: SRTT and
// RTTVAR from round-trip samples (§2), the RTO clamped to [minimum, maximum] (§2.4: a minimum of
// 200 ms is what this stack uses, as Linux does; §2.5: a maximum of at least 60 s), doubled on
// each expiry (§5.5) and recomputed from the estimate by the next sample. Samples come only from
// segments never retransmitted (Karn's rule, §3) or from timestamps (RFC 7323 §4.1); the
// connection decides which. Times in nanoseconds.

/** RFC 6298 §2.1: the RTO before any sample, 1 second. */
export const RTO_INITIAL: u64 = 1_000_000_000;
/** RFC 6298 §5.7: the RTO once data flows, when the handshake lost a segment and gave no sample. */
export const RTO_AFTER_HANDSHAKE_LOSS: u64 = 3_000_000_000;
/** The clock granularity G of RFC 6298 §2: the core's timestamps tick in milliseconds. */
const GRANULARITY: u64 = 1_000_000;
/** At most 2^BACKOFF_LIMIT times the base RTO (the maximum clamps it first in practice). */
const BACKOFF_LIMIT: u32 = 16;

export class RttEstimator {
  srtt: u64 = 0;
  rttvar: u64 = 0;
  /** The RTO computed from the estimate (§2.2-2.3), before backoff. */
  base: u64;
  /** Expiries since the last sample: the RTO is base << backoff. */
  backoff: u32 = 0;
  samples: u64 = 0;

  constructor(readonly minimum: u64, readonly maximum: u64, initial: u64 = RTO_INITIAL) {
    this.base = clamp(initial, minimum, maximum);
  }

  /** Takes a round-trip sample of `rtt` ns (RFC 6298 §2.2-2.3, alpha 1/8, beta 1/4). */
  sample(rtt: u64): void {
    if (this.samples == 0) {
      this.srtt = rtt;
      this.rttvar = rtt / 2;
    } else {
      const difference = this.srtt > rtt ? this.srtt - rtt : rtt - this.srtt;
      this.rttvar = (3 * this.rttvar + difference) / 4;
      this.srtt = (7 * this.srtt + rtt) / 8;
    }
    this.samples++;
    this.base = clamp(this.srtt + max(GRANULARITY, 4 * this.rttvar), this.minimum, this.maximum);
    this.backoff = 0;
  }

  /** The timeout to arm now: the base, backed off, clamped. */
  get rto(): u64 {
    const shift = <u64>min(this.backoff, BACKOFF_LIMIT);
    const value = this.base << shift;
    return value >> shift != this.base ? this.maximum : min(value, this.maximum);
  }

  /** Starts again from `rto` without backoff (§5.7), unless the base is already above it. */
  restart(rto: u64): void {
    this.backoff = 0;
    if (this.base < rto) this.base = min(rto, this.maximum);
  }

  /** The timer expired: the next RTO doubles (§5.5). */
  backOff(): void {
    if (this.backoff < BACKOFF_LIMIT) this.backoff++;
  }
}

@inline function clamp(value: u64, low: u64, high: u64): u64 {
  return value < low ? low : value > high ? high : value;
}
