// The timers of the TCP core (net/socket/tcp/), run for each connection by TcpStack.poll:
// retransmission (RFC 6298 §5: back off, resend the SYN, SYN-ACK or data from SND.UNA, collapse
// the window, RFC 5681 §3.1; give up after the configured retries), persist (RFC 9293 §3.8.6.1:
// a one-byte probe into a zero window, backing off, never giving up while the peer answers; with
// a small window open, the SWS override that sends what fits), delayed ACK, keep-alive (RFC 1122
// 4.2.3.6: an ACK one byte below SND.NXT once idle, count probes unanswered then reset), and
// TIME-WAIT's 2 MSL (or an orphan's FIN-WAIT-2 limit).

import { TCP_ACK, TCP_SYN } from "../../wire/tcp";
import { KeepAlive, Recovery, TcpConnection, TcpFailure, TcpState } from "./connection";
import { TcpCounter } from "./context";
import { closeConnection, fail, Reset } from "./lifecycle";
import { sendData, sendSyn, startPersist, tcpOutput, transmit, Window } from "./output";
import { seqGt } from "./seq";

/** Runs the timers of `c` that are due at `now`. */
export function connectionTimers(c: TcpConnection, now: u64): void {
  if (c.closeAt != 0 && now >= c.closeAt) {
    closeConnection(c);
    return;
  }
  let fired = false;
  if (c.retransmitAt != 0 && now >= c.retransmitAt) {
    c.retransmitAt = 0;
    if (c.persisting) persistExpired(c, now);
    else retransmitExpired(c, now);
    if (c.state == TcpState.Closed) return;
    fired = true;
  }
  if (c.delayedAckAt != 0 && now >= c.delayedAckAt) {
    c.delayedAckAt = 0;
    c.ackNow = true;
  }
  if (c.retryAt != 0 && now >= c.retryAt) {   // the device refused a segment: try again
    c.retryAt = 0;
    fired = true;
  }
  if (c.keepAlive == KeepAlive.On && (c.keepAliveAt == 0 || now >= c.keepAliveAt)) keepAlive(c, now);
  if (c.state != TcpState.Closed && (fired || c.ackNow)) tcpOutput(c);
}

/** The earliest deadline of `c`, 0 when none is set. */
export function connectionDeadline(c: TcpConnection): u64 {
  let next: u64 = 0;
  if (c.closeAt != 0) next = c.closeAt;
  if (c.retransmitAt != 0 && (next == 0 || c.retransmitAt < next)) next = c.retransmitAt;
  if (c.delayedAckAt != 0 && (next == 0 || c.delayedAckAt < next)) next = c.delayedAckAt;
  if (c.keepAliveAt != 0 && (next == 0 || c.keepAliveAt < next)) next = c.keepAliveAt;
  if (c.retryAt != 0 && (next == 0 || c.retryAt < next)) next = c.retryAt;
  return next;
}

function retransmitExpired(c: TcpConnection, now: u64): void {
  const context = c.context;
  const config = context.config;
  const state = c.state;
  context.count(TcpCounter.Timeouts);
  const handshake = state == TcpState.SynSent || state == TcpState.SynReceived;
  // A peer that keeps answering with a zero window is alive: its silence is not counted.
  const shut = !handshake && c.sndWnd == 0 && now - c.lastReceived < config.rtoMaximum;
  if (!shut) c.retries++;
  if (c.retries > (handshake ? config.synRetries : config.dataRetries)) {
    if (state == TcpState.SynReceived && c.listener !== null) closeConnection(c);
    else fail(c, TcpFailure.TimedOut, handshake ? Reset.Silent : Reset.Send);
    return;
  }
  c.rtt.backOff();
  c.rttTiming = false;
  if (state == TcpState.SynSent) {
    sendSyn(c, TCP_SYN);
  } else if (state == TcpState.SynReceived) {
    sendSyn(c, TCP_SYN | TCP_ACK);
  } else {
    // RFC 5681 §3.1 and RFC 6582 §3.2 step 4: one segment, ssthresh halved once per episode;
    // RFC 6675 §5.1: the SACK information is dropped (the peer may have reneged).
    const flight = c.sndMax - c.sndUna;
    if (c.retries <= 1) c.congestion.onTimeout(flight, now);
    else c.congestion.cwnd = c.congestion.mss;
    c.recovery = Recovery.None;
    c.recover = c.sndMax - 1;
    c.scoreboard.clear();
    c.duplicateAcks = 0;
    c.sndNxt = c.sndUna;
    sendData(c, 1, Window.Congestion);
  }
  c.retransmitAt = now + c.rtt.rto;
}

/** The persist timer: the SWS override when the window is open, a probe when it is shut. */
function persistExpired(c: TcpConnection, now: u64): void {
  c.persisting = false;
  if (c.sndWnd > 0) {
    c.forceSend = true;
    tcpOutput(c);
    c.persistBackoff = 0;
    return;
  }
  // The probe is the first unacknowledged byte, again and again until it is taken.
  if (c.send.length > 0) {
    c.context.count(TcpCounter.ZeroWindowProbes);
    transmit(c, c.sndUna, TCP_ACK, 0, 1);
    c.sndNxt = c.sndUna + 1;
    if (seqGt(c.sndNxt, c.sndMax)) c.sndMax = c.sndNxt;
  }
  if (c.persistBackoff < 16) c.persistBackoff++;
  startPersist(c, now);
}

/** RFC 1122 4.2.3.6: probes once the connection has been idle (nothing outstanding) for the
 * idle time, then every interval; `count` unanswered probes end it. */
function keepAlive(c: TcpConnection, now: u64): void {
  const state = c.state;
  if (state != TcpState.Established && state != TcpState.CloseWait) {
    c.keepAliveAt = 0;
    return;
  }
  if (c.sndMax != c.sndUna || c.send.length > 0) {   // retransmission watches the peer
    c.keepAliveAt = now + c.keepAliveIdle;
    return;
  }
  const due = c.lastReceived + c.keepAliveIdle + <u64>c.keepAliveProbes * c.keepAliveInterval;
  if (now < due) {
    c.keepAliveAt = due;
    return;
  }
  if (c.keepAliveProbes >= c.keepAliveCount) {
    fail(c, TcpFailure.TimedOut, Reset.Send);
    return;
  }
  c.context.count(TcpCounter.KeepAliveProbes);
  transmit(c, c.sndUna - 1, TCP_ACK, 0, 0);
  c.keepAliveProbes++;
  c.keepAliveAt = now + c.keepAliveInterval;
}
