// CUBIC congestion control for the TCP core (net/socket/tcp/), RFC 9438, integer-only: after a
// loss the window follows W_cubic(t) = C * (t - K)^3 + W_max (§4.2) with C = 0.4 and
// beta = 0.7, K the time to climb back to W_max (§4.2 eq. 2), the target a round trip ahead
// and clamped to [cwnd, 1.5 cwnd] (§4.2), never below the Reno-friendly estimate W_est (§4.3,
// alpha = 3(1 - beta)/(1 + beta) = 9/17, then 1 once W_est reaches W_max), fast convergence
// (§4.7). Windows in bytes (one segment = MSS bytes), times in milliseconds inside.

import { CongestionControl, CWND_MAXIMUM } from "./congestion";

/** |t - K| is clamped to this many ms (100 s) so that its cube stays far inside an i64. */
const TIME_LIMIT: i64 = 100_000;

/** The integer cube root: the largest r with r^3 <= value. */
export function cubeRoot(value: u64): u64 {
  let low: u64 = 0, high: u64 = 2_097_152;   // 2^21: (2^21)^3 = 2^63
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (middle * middle * middle <= value) low = middle;
    else high = middle - 1;
  }
  return low;
}

export class Cubic extends CongestionControl {
  /** The window before the last reduction (bytes). */
  wMax: u64 = 0;
  /** When the current congestion-avoidance epoch began (ns); 0 before it does. */
  private epochStart: u64 = 0;
  /** K of §4.2 (ms) and the window the cubic curve passes W_max at. */
  private k: u64 = 0;
  private origin: u64 = 0;
  /** The Reno-friendly estimate W_est (bytes) and the remainders of the integer updates. */
  private wEst: u64 = 0;
  private estimateRemainder: u64 = 0;
  private growthRemainder: u64 = 0;

  onAck(acked: u32, now: u64, srtt: u64): void {
    if (this.cwnd < this.ssthresh) {
      acked = this.slowStart(acked);
      if (acked == 0) return;
    }
    const mss = <u64>this.mss, cwnd = <u64>this.cwnd;
    if (this.epochStart == 0) {
      this.epochStart = now;
      this.wEst = cwnd;
      this.estimateRemainder = 0;
      this.growthRemainder = 0;
      if (cwnd < this.wMax) {
        // K = cbrt((W_max - cwnd) / C) seconds, in ms: cbrt((W_max - cwnd) / MSS * 2.5 * 10^9).
        this.k = cubeRoot((this.wMax - cwnd) * 2_500_000_000 / mss);
        this.origin = this.wMax;
      } else {
        this.k = 0;
        this.origin = cwnd;
      }
    }
    // W_cubic(t + RTT), §4.2: t and K in ms; C * d^3 segments = 4 * d^3 / 10^10 segments.
    let d = <i64>((now - this.epochStart + srtt) / 1_000_000) - <i64>this.k;
    d = d > TIME_LIMIT ? TIME_LIMIT : d < -TIME_LIMIT ? -TIME_LIMIT : d;
    const delta = d * d * d / 1000 * 4 * <i64>mss / 10_000_000;
    let target: u64 = <i64>this.origin + delta < 0 ? 0 : <u64>(<i64>this.origin + delta);
    target = min(max(target, cwnd), cwnd + cwnd / 2);
    // W_est, §4.3: alpha * acked / cwnd segments an ACK (alpha = 9/17 below W_max, 1 above).
    const sum = <u64>acked * mss * (this.wEst >= this.wMax ? 17 : 9) + this.estimateRemainder;
    this.wEst += sum / (17 * cwnd);
    this.estimateRemainder = sum % (17 * cwnd);
    if (this.wEst > target) target = this.wEst;
    // cwnd += (target - cwnd) / cwnd segments for each segment acknowledged.
    const growth = (target - cwnd) * <u64>acked + this.growthRemainder;
    this.cwnd = <u32>min(cwnd + growth / cwnd, <u64>CWND_MAXIMUM);
    this.growthRemainder = growth % cwnd;
  }

  onLoss(flight: u32, now: u64): void {
    const window = <u64>max(min(this.cwnd, flight), 2 * this.mss);
    this.epochStart = 0;
    // §4.7 fast convergence: a window below the last W_max releases bandwidth sooner.
    this.wMax = window < this.wMax ? window * 17 / 20 : window;   // (1 + beta) / 2
    this.ssthresh = <u32>max(window * 7 / 10, <u64>(2 * this.mss));   // §4.6: beta = 0.7
  }
}
