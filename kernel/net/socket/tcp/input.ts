// Segment arrival for one connection of the TCP core (net/socket/tcp/), RFC 9293 §3.10.7.3
// (SYN-SENT) and §3.10.7.4 (every later state), hardened per RFC 5961 and RFC 7323: PAWS drops a
// segment with an old timestamp (§5.3); the sequence number must fall in the receive window
// (else an ACK, none for a RST); a RST resets only at exactly RCV.NXT, elsewhere in the window it
// draws a challenge ACK (RFC 5961 §3.2); a SYN in a synchronized state draws a challenge ACK
// (§4.2); then the ACK (ack.ts), the text and FIN (receive.ts), and whatever may now be sent
// (output.ts). Simultaneous open is §3.5 figure 8: SYN-SENT takes a bare SYN to SYN-RECEIVED,
// and there the other side's SYN-ACK completes the handshake. Called by TcpStack.input with a
// segment tcpParse accepted.

import { TcpSegment, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from "../../wire/tcp";
import { handshakeSample, processAck } from "./ack";
import { TcpConnection, TcpFailure, TcpState } from "./connection";
import { TcpCounter } from "./context";
import { closeConnection, establish, fail, Reset } from "./lifecycle";
import { negotiate } from "./listener";
import { resetFor, sendChallengeAck, sendInvalidAck, sendSyn, tcpOutput } from "./output";
import { processText } from "./receive";
import { seqGt, seqInRange, seqLe, seqLt } from "./seq";

/** RFC 7323 §5.5: a TS.Recent idle this long no longer guards (24 days). */
const PAWS_IDLE: u64 = 24 * 86_400 * 1_000_000_000;

/** A segment for `c` (its payload at `payload`). */
export function connectionInput(c: TcpConnection, segment: TcpSegment, payload: usize): void {
  if (c.state == TcpState.SynSent) {
    synSentInput(c, segment, payload);
    return;
  }
  if (c.state == TcpState.Closed || c.state == TcpState.Listen) return;
  const context = c.context;
  const now = context.host.now();
  // RFC 7323 §5.3 R1: PAWS.
  if (c.timestampsEnabled && segment.timestamps && !segment.has(TCP_RST) && seqLt(segment.timestampValue, c.tsRecent)) {
    if (now - c.tsRecentTime <= PAWS_IDLE) {
      context.count(TcpCounter.PawsDropped);
      sendInvalidAck(c, segment);
      return;
    }
    c.tsRecent = segment.timestampValue;   // R3: an idle connection's old TS.Recent is forgotten
  }
  if (c.state == TcpState.SynReceived && segment.has(TCP_SYN)) {
    // The peer's SYN again (our SYN-ACK was lost): send it again.
    if (!segment.has(TCP_ACK) && segment.sequence == c.irs) {
      sendSyn(c, TCP_SYN | TCP_ACK);
      return;
    }
    // Simultaneous open (and Linux's rule for it): the peer's SYN-ACK acknowledging our SYN.
    if (segment.has(TCP_ACK) && segment.sequence + 1 == c.rcvNxt && segment.acknowledgment == c.sndNxt) {
      segment.sequence += 1;
      segment.flags &= ~TCP_SYN;
    }
  }
  // First: the sequence number (RFC 9293 §3.10.7.4 table).
  if (!acceptable(c, segment)) {
    if (segment.has(TCP_RST)) return;   // RFC 5961 §3.2: silently
    context.count(TcpCounter.OutOfWindow);
    if (c.state == TcpState.TimeWait && segment.has(TCP_FIN)) c.closeAt = now + 2 * context.config.msl;
    sendInvalidAck(c, segment);
    return;
  }
  c.lastReceived = now;
  c.keepAliveProbes = 0;
  // Second: RST (RFC 5961 §3.2).
  if (segment.has(TCP_RST)) {
    if (segment.sequence != c.rcvNxt) {
      sendChallengeAck(c);
      return;
    }
    context.count(TcpCounter.ResetsReceived);
    const state = c.state;
    if (state == TcpState.SynReceived && c.listener !== null) closeConnection(c);   // back to LISTEN
    else if (state == TcpState.SynReceived) fail(c, TcpFailure.Refused, Reset.Silent);
    else if (state == TcpState.Closing || state == TcpState.LastAck || state == TcpState.TimeWait) closeConnection(c);
    else fail(c, TcpFailure.Reset, Reset.Silent);
    return;
  }
  // Fourth: SYN (RFC 5961 §4.2; RFC 9293: a passive SYN-RECEIVED goes back to LISTEN).
  if (segment.has(TCP_SYN)) {
    if (c.state == TcpState.SynReceived && c.listener !== null) closeConnection(c);
    else sendChallengeAck(c);
    return;
  }
  // Fifth: ACK.
  if (!segment.has(TCP_ACK)) return;
  if (!processAck(c, segment) || c.state == TcpState.Closed) return;
  // RFC 7323 §4.3: TS.Recent from the segment that holds Last.ACK.sent; only once its ACK passed
  // too (as Linux does), so a segment dropped there cannot move it.
  if (c.timestampsEnabled && segment.timestamps && seqLe(segment.sequence, c.lastAckSent) && !seqLt(segment.timestampValue, c.tsRecent)) {
    c.tsRecent = segment.timestampValue;
    c.tsRecentTime = now;
  }
  // Seventh and eighth: text and FIN.
  processText(c, segment, payload);
  if (c.state != TcpState.Closed) outputAfterInput(c);
}

/** The output a segment called for: now, or, for a connection that only receives (nothing
 * of its own in flight or queued), at the end of the receive batch when the host defers it
 * (TcpContext.deferOutput), so that a batch of segments is answered by one ACK. A sender's output
 * is not deferred: its ACK clock would send a window at once into a device ring that holds less.
 * An ACK owed for a quarter of the receive buffer goes at once too, so that a batch as long as
 * the window cannot leave the sender waiting for it. */
function outputAfterInput(c: TcpConnection): void {
  const context = c.context;
  if (!context.deferOutput || c.send.length != 0 || c.finQueued || (c.ackNow && c.unackedBytes >= c.receiveCapacity >> 2)) {
    tcpOutput(c);
    return;
  }
  if (c.outputPending) return;
  c.outputPending = true;
  context.pendingOutput.push(c);
}

/** RFC 9293 §3.10.7.4's acceptability test, with RCV.WND the window last announced. Two
 * allowances, as Linux makes them (tcp_sequence): a segment without data may sit at the window's
 * right edge (a sender that filled our window with data we hold out of order acknowledges from
 * there), and a zero window takes a segment at exactly RCV.NXT for its ACK, RST and FIN (its data
 * is trimmed). */
function acceptable(c: TcpConnection, segment: TcpSegment): bool {
  const length = segment.sequenceLength;
  const window = c.receiveWindow;
  const sequence = segment.sequence;
  const end = c.rcvNxt + window;
  if (length == 0) return seqInRange(sequence, c.rcvNxt, end + 1);
  if (window == 0) return sequence == c.rcvNxt;
  return seqInRange(sequence, c.rcvNxt, end) || seqInRange(sequence + length - 1, c.rcvNxt, end);
}

/** RFC 9293 §3.10.7.3: a segment in SYN-SENT. */
function synSentInput(c: TcpConnection, segment: TcpSegment, payload: usize): void {
  const context = c.context;
  const ack = segment.acknowledgment;
  if (segment.has(TCP_ACK) && (seqLe(ack, c.iss) || seqGt(ack, c.sndMax))) {
    if (!segment.has(TCP_RST)) resetFor(context, segment, c.localAddress, c.remoteAddress);
    return;
  }
  if (segment.has(TCP_RST)) {
    // RFC 5961 §3.2: only a RST acknowledging our SYN ends the attempt.
    if (segment.has(TCP_ACK)) {
      context.count(TcpCounter.ResetsReceived);
      fail(c, TcpFailure.Refused, Reset.Silent);
    }
    return;
  }
  if (!segment.has(TCP_SYN)) return;
  c.irs = segment.sequence;
  c.rcvNxt = segment.sequence + 1;
  c.rcvAdvertised = c.rcvNxt;
  c.lastReceived = context.host.now();
  negotiate(c, segment);
  c.sndWnd = segment.window;   // RFC 7323 §2.2: never scaled in a SYN
  c.maxSndWnd = c.sndWnd;
  c.sndWl1 = segment.sequence;
  c.sndWl2 = ack;
  if (segment.has(TCP_ACK)) {
    c.sndUna = ack;
    handshakeSample(c, segment);
    establish(c);
    c.ackNow = true;
    processText(c, segment, payload);
    tcpOutput(c);
    return;
  }
  // Simultaneous open: SYN-RECEIVED, and a SYN-ACK with our ISS (data in the SYN waits).
  c.state = TcpState.SynReceived;
  sendSyn(c, TCP_SYN | TCP_ACK);
}
