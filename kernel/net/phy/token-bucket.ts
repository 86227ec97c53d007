// A token bucket on the kernel's monotonic clock, for the fault device's rate limit (fault.ts):
// `perSecond` tokens a second, at most `burst` kept. A frame takes one token or is dropped (a
// policer, not a shaper: nothing is queued). Credit is counted in token-nanoseconds (a token is
// 10^9 of them), so the refill is exact in integers.

const NANOS_PER_SECOND: u64 = 1_000_000_000;

export class TokenBucket {
  private credit: u64;
  private last: u64 = 0;
  private readonly capacity: u64;

  /** `perSecond` 0 means no limit; `burst` is at most `perSecond` (a second's refill fills the
   * bucket). The bucket starts full. */
  constructor(readonly perSecond: u32, readonly burst: u32) {
    this.capacity = <u64>max(burst, 1) * NANOS_PER_SECOND;
    this.credit = this.capacity;
  }

  /** Takes a token at `now` (monotonic ns, never going back); false when none is left. */
  take(now: u64): bool {
    if (this.perSecond == 0) return true;
    // A second refills at least as much as the bucket holds: capping the gap there keeps the
    // product within u64 for any rate below 2^32.
    const elapsed = now > this.last ? min(now - this.last, NANOS_PER_SECOND) : 0;
    this.last = max(now, this.last);
    this.credit = min(this.capacity, this.credit + elapsed * <u64>this.perSecond);
    if (this.credit < NANOS_PER_SECOND) return false;
    this.credit -= NANOS_PER_SECOND;
    return true;
  }
}
