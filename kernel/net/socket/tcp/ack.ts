// ACK processing of the TCP core (net/socket/tcp/), RFC 9293 §3.10.7.4 fifth step: the end of
// the handshake in SYN-RECEIVED, RFC 5961 §5.2's acceptable range, SACK blocks into the
// scoreboard (RFC 2018, RFC 6675), SND.UNA advancing (the send buffer frees, a round-trip
// sample per RFC 6298 / RFC 7323 §4, the congestion window grows, the timer restarts, §5.3),
// duplicate ACKs to loss recovery (recovery.ts), the send window (SND.WL1/WL2), and the states
// an acknowledged FIN leads to. Called by input.ts.

import { TcpSegment, TCP_FIN, TCP_RST, TCP_SYN } from "../../wire/tcp";
import { Recovery, TcpConnection, TcpState } from "./connection";
import { TcpCounter } from "./context";
import { closeConnection, enterTimeWait, establish } from "./lifecycle";
import { sendInvalidAck, startPersist, timestampNow, transmitBare } from "./output";
import { duplicateAck, recoveryAck } from "./recovery";
import { seqGt, seqLe, seqLt } from "./seq";

/** A round trip longer than this (from a timestamp echo) is not believed. */
const RTT_LIMIT: u64 = 3_600_000_000_000;

/** Processes the ACK field of `segment` (its ACK bit is set). False when the segment is dropped
 * here (or the connection closed). */
export function processAck(c: TcpConnection, segment: TcpSegment): bool {
  const context = c.context;
  const ack = segment.acknowledgment;
  if (c.state == TcpState.SynReceived) {
    if (!seqGt(ack, c.sndUna) || seqGt(ack, c.sndMax)) {
      // RFC 9293 §3.10.7.4: <SEQ=SEG.ACK><CTL=RST>.
      transmitBare(context, c.localAddress, c.localPort, c.remoteAddress, c.remotePort, ack, 0, TCP_RST, 0, 0);
      return false;
    }
    c.sndUna = c.iss + 1;   // the SYN is acknowledged
    if (seqLt(c.sndNxt, c.sndUna)) c.sndNxt = c.sndUna;
    c.sndWnd = segment.window << c.sndScale;
    c.maxSndWnd = max(c.maxSndWnd, c.sndWnd);
    c.sndWl1 = segment.sequence;
    c.sndWl2 = ack;
    handshakeSample(c, segment);
    establish(c);
  }
  // RFC 5961 §5.2: SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT (SND.MAX here), else ACK and drop.
  if (seqGt(ack, c.sndMax) || seqLt(ack, c.sndUna - c.maxSndWnd)) {
    context.count(TcpCounter.AckUnacceptable);
    sendInvalidAck(c, segment);
    return false;
  }
  const now = context.host.now();
  let newSack = false;
  if (c.sackEnabled) {
    const una = seqGt(ack, c.sndUna) ? ack : c.sndUna;
    for (let i = 0; i < segment.sackCount; i++) {
      if (c.scoreboard.add(unchecked(segment.sackStarts[i]), unchecked(segment.sackEnds[i]), una, c.sndMax)) newSack = true;
    }
  }
  const window = segment.window << c.sndScale;
  const advanced = seqGt(ack, c.sndUna);
  if (advanced) {
    newAck(c, segment, ack, now);
  } else if (ack == c.sndUna && c.sndMax != c.sndUna) {
    // RFC 5681 §2 duplicate ACK (no data, no SYN or FIN, same window, data outstanding), or
    // under SACK one that reports new SACK information (RFC 6675 §2). A zero window's answers to
    // probes are not: nothing was lost.
    const pure = segment.payloadLength == 0 && !segment.has(TCP_SYN) && !segment.has(TCP_FIN) && window != 0;
    if (pure && (window == c.sndWnd || newSack)) duplicateAck(c, newSack);
  }
  // The send window (RFC 9293 §3.10.7.4): from the newest segment only; as in Linux
  // (tcp_may_update_window) also from any that acknowledges new data, so that a stale SND.WL1
  // (a forged segment far ahead in the window) cannot freeze the window for good.
  if (advanced || seqLt(c.sndWl1, segment.sequence) || (c.sndWl1 == segment.sequence && seqLe(c.sndWl2, ack))) {
    c.sndWnd = window;
    c.sndWl1 = segment.sequence;
    c.sndWl2 = ack;
    if (window > c.maxSndWnd) c.maxSndWnd = window;
    if (window > 0 && c.persisting) {
      c.persisting = false;
      c.persistBackoff = 0;
      c.retransmitAt = c.sndMax != c.sndUna ? now + c.rtt.rto : 0;
    } else if (window == 0 && c.persisting && seqGt(c.sndNxt, c.sndUna)) {
      // The probe was not taken: it goes again on the next probe (RFC 9293 §3.8.6.1).
      c.sndNxt = c.sndUna;
      c.retries = 0;
      startPersist(c, now);
    }
  }
  if (c.finAcked) {
    const state = c.state;
    if (state == TcpState.FinWait1) {
      c.state = TcpState.FinWait2;
      if (c.orphaned) c.closeAt = now + context.config.finWait2Timeout;
    } else if (state == TcpState.Closing) {
      enterTimeWait(c);
    } else if (state == TcpState.LastAck) {
      closeConnection(c);
      return false;
    }
  }
  return true;
}

/** SND.UNA moves to `ack`. */
function newAck(c: TcpConnection, segment: TcpSegment, ack: u32, now: u64): void {
  const acked = ack - c.sndUna;
  const buffered = c.send.length;
  if (c.finQueued && !c.finAcked && ack == c.sndUna + buffered + 1) c.finAcked = true;
  const dataAcked = min(acked, buffered);
  c.send.consume(dataAcked);
  c.sndUna = ack;
  if (seqLt(c.sndNxt, ack)) c.sndNxt = ack;
  c.scoreboard.advance(ack);
  // A round-trip sample (RFC 7323 §4.1 from the echo; else Karn's timed segment, RFC 6298 §3).
  if (c.timestampsEnabled && segment.timestamps && segment.timestampEcho != 0) {
    const rtt = <u64>(timestampNow(c) - segment.timestampEcho) * 1_000_000;
    if (rtt < RTT_LIMIT) c.rtt.sample(rtt);
  } else if (c.rttTiming && seqGt(ack, c.rttSequence)) {
    c.rtt.sample(now - c.rttStart);
    c.rttTiming = false;
  }
  c.retries = 0;
  c.duplicateAcks = 0;
  let restart = true;
  if (c.recovery != Recovery.None) restart = recoveryAck(c, acked, ack);
  else c.congestion.onAck(dataAcked, now, c.rtt.srtt);
  // RFC 6298 §5.2-5.3: off when everything is acknowledged, else restarted.
  if (c.sndUna == c.sndMax) {
    if (!c.persisting) c.retransmitAt = 0;
  } else if (restart && !c.persisting) {
    c.retransmitAt = now + c.rtt.rto;
  }
}

/** The round trip of the handshake, from the SYN's timestamp echo or the SYN timed when sent
 * (only when it was not sent again, Karn's rule). */
export function handshakeSample(c: TcpConnection, segment: TcpSegment): void {
  if (c.timestampsEnabled && segment.timestamps && segment.timestampEcho != 0) {
    const rtt = <u64>(timestampNow(c) - segment.timestampEcho) * 1_000_000;
    if (rtt < RTT_LIMIT) c.rtt.sample(rtt);
  } else if (c.retries == 0 && c.rttTiming) {
    c.rtt.sample(c.context.host.now() - c.rttStart);
  }
  c.rttTiming = false;
}
