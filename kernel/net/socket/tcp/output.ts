// Sending for the TCP core (net/socket/tcp/): what a connection may send now and the segments
// themselves. tcpOutput sends new data and retransmissions after a timeout (go-back-N from
// SND.NXT, skipping what the peer SACKed) within min(cwnd, the peer's window) (RFC 5681 §3.1,
// RFC 3042 limited transmit), holding small segments by Nagle's rule (RFC 9293 §3.7.4) and the
// sender's silly-window avoidance (§3.8.6.2.1), the FIN after the last byte, and the ACK a
// received segment asked for. transmit builds one segment (options: RFC 9293 §3.7.1 MSS,
// RFC 7323 window scale and timestamps, RFC 2018 SACK) and hands it to the host. Called after
// input (input.ts), by the timers (timers.ts), by recovery (recovery.ts) and by user calls.

import { tcpEmit, tcpHeaderLength, TcpSegment, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from "../../wire/tcp";
import { Nagle, Recovery, TcpConnection, TcpState } from "./connection";
import { TcpContext, TcpCounter } from "./context";
import { sackRecoverySend } from "./recovery";
import { seqGe, seqGt, seqLt } from "./seq";

/** RFC 9293 §3.7.1: the smallest MSS taken from a peer (Linux's TCP_MIN_MSS). */
export const MSS_MINIMUM: u32 = 88;
/** RFC 7323 §2.3: the largest window scale shift. */
export const WINDOW_SCALE_MAXIMUM: u32 = 14;

/** Linux's tcp_invalid_ratelimit: 500 ms between ACKs for invalid segments without data. */
export const INVALID_ACK_INTERVAL: u64 = 500_000_000;

/** Which windows limit new data. */
export enum Window {
  /** min(cwnd, the peer's window): normal sending. */
  Congestion = 0,
  /** The peer's window only: RFC 6675 recovery, where the pipe limits instead. */
  ReceiverOnly = 1,
}

/** The connection's timestamp clock: milliseconds plus its offset (RFC 7323 §5.4). */
export function timestampNow(c: TcpConnection): u32 {
  return <u32>(c.context.host.now() / 1_000_000) + c.tsOffset;
}

/** The window scale that lets a buffer of `capacity` bytes be announced (RFC 7323 §2.3). */
export function scaleFor(capacity: u32): u32 {
  let shift: u32 = 0;
  while (shift < WINDOW_SCALE_MAXIMUM && (capacity >> shift) > 0xffff) shift++;
  return shift;
}

/** Sends what the connection may send now, and a pending ACK. */
export function tcpOutput(c: TcpConnection): void {
  const state = c.state;
  if (state == TcpState.Closed || state == TcpState.Listen) return;
  if (state == TcpState.SynSent || state == TcpState.SynReceived || state == TcpState.TimeWait) {
    if (c.ackNow && state != TcpState.SynSent) sendAck(c);
    return;
  }
  if (c.recovery == Recovery.Sack) sackRecoverySend(c);
  else sendData(c, c.context.config.outputBurst, Window.Congestion);
  if (c.ackNow) sendAck(c);
}

/** Sends up to `burst` segments of data (and the FIN) from SND.NXT; returns how many went. */
export function sendData(c: TcpConnection, burst: u32, window: Window): u32 {
  const now = c.context.host.now();
  const size = c.segmentSize;
  let sent: u32 = 0;
  while (sent < burst) {
    if (c.sackEnabled && seqLt(c.sndNxt, c.sndMax)) c.sndNxt = c.scoreboard.sackedEnd(c.sndNxt);
    const offset = c.sndNxt - c.sndUna;
    const buffered = c.send.length;
    const available = buffered > offset ? buffered - offset : 0;
    const retransmitting = seqLt(c.sndNxt, c.sndMax);
    let limit = c.sndWnd;
    if (window == Window.Congestion) {
      const limited = c.recovery == Recovery.None ? min(c.duplicateAcks, 2) * size : 0;   // RFC 3042
      limit = min(limit, c.congestion.cwnd + limited);
    }
    const flight = c.sndNxt - c.sndUna;
    const usable = limit > flight ? limit - flight : 0;
    let length = min(min(available, size), usable);
    if (retransmitting && c.sackEnabled) length = min(length, c.scoreboard.nextSackedStart(c.sndNxt, c.sndMax) - c.sndNxt);
    // The FIN goes with (or after) the last byte, whatever the window (RFC 9293 §3.10.4); once
    // sent, SND.NXT is past it and offset exceeds the buffer.
    const fin = c.finQueued && !c.finAcked && offset + length == buffered;
    if (length == 0 && !fin) {
      if (available > 0 && flight == 0 && !c.persisting && c.retransmitAt == 0) startPersist(c, now);
      break;
    }
    if (length > 0 && length < size && !fin && !retransmitting && !c.forceSend) {
      // Nagle (RFC 9293 §3.7.4, in Minshall's form as Linux has it: held only while an earlier
      // short segment is unacknowledged) and sender-side SWS avoidance (§3.8.6.2.1): a short
      // segment goes when it empties the buffer, or when it is at least half the largest window
      // the peer offered; else the persist timer overrides the wait when nothing is in flight.
      const everything = length == available;
      const nagleAllows = everything && (c.nagle == Nagle.Off || !seqGt(c.sndSmall, c.sndUna) || seqGt(c.sndSmall, c.sndMax));
      const halfWindow = c.maxSndWnd > 0 && length >= c.maxSndWnd / 2;
      if (!nagleAllows && !halfWindow) {
        if (flight == 0 && !c.persisting && c.retransmitAt == 0) startPersist(c, now);
        break;
      }
    }
    let flags = TCP_ACK;
    if (length > 0 && length == available) flags |= TCP_PSH;
    if (fin) flags |= TCP_FIN;
    const went = transmit(c, c.sndNxt, flags, offset, length);
    if (c.context.refused) {
      // The device's ring is full: the segment did not leave, so SND.NXT stays and the burst
      // ends (local backpressure, not a loss): an ACK of what is in flight, or the retry
      // transmit armed, sends it.
      break;
    }
    if (went < size && !retransmitting) c.sndSmall = c.sndNxt + went;
    const finWent = fin && went == length;
    if (retransmitting) {
      c.context.count(TcpCounter.Retransmitted);
      c.rttTiming = false;   // Karn's rule (RFC 6298 §3)
    } else if (!c.rttTiming && !c.timestampsEnabled) {
      c.rttTiming = true;
      c.rttSequence = c.sndNxt;
      c.rttStart = now;
    }
    c.sndNxt += went + (finWent ? 1 : 0);
    if (seqGt(c.sndNxt, c.sndMax)) c.sndMax = c.sndNxt;
    if (c.retransmitAt == 0 || c.persisting) {   // RFC 6298 §5.1
      c.persisting = false;
      c.retransmitAt = now + c.rtt.rto;
    }
    sent++;
    if (finWent) break;
  }
  c.forceSend = false;
  return sent;
}

/** Arms the persist timer (RFC 9293 §3.8.6.1): data waits and nothing in flight will bring an ACK. */
export function startPersist(c: TcpConnection, now: u64): void {
  c.persisting = true;
  const base = c.rtt.rto << <u64>min(c.persistBackoff, 16);
  const config = c.context.config;
  c.retransmitAt = now + min(max(base, config.rtoMinimum), config.persistMaximum);
}

/** Sends a segment of `length` bytes from `offset` in the send buffer (fewer when options take
 * room; returns how many) with sequence number `sequence` and `flags`; ACK segments carry
 * RCV.NXT and the window, SYN segments the connection's options. */
export function transmit(c: TcpConnection, sequence: u32, flags: u32, offset: u32, length: u32): u32 {
  const context = c.context;
  const out = context.out;
  out.reset();
  out.sourcePort = c.localPort;
  out.destinationPort = c.remotePort;
  out.sequence = sequence;
  const syn = (flags & TCP_SYN) != 0;
  if ((flags & TCP_ACK) != 0) out.acknowledgment = c.rcvNxt;
  if ((flags & TCP_RST) == 0) out.window = syn ? min(c.receiveCapacity, 0xffff) : windowToAnnounce(c);
  if (syn && (flags & TCP_ACK) != 0 && seqGt(c.rcvNxt + out.window, c.rcvAdvertised)) c.rcvAdvertised = c.rcvNxt + out.window;
  if (syn) {
    out.mss = c.rcvMss;
    if (c.windowScaling) out.windowScale = <i32>c.rcvScale;
    out.sackPermitted = c.sackEnabled;
  }
  if (c.timestampsEnabled && (flags & TCP_RST) == 0) {
    out.timestamps = true;
    out.timestampValue = timestampNow(c);
    out.timestampEcho = (flags & TCP_ACK) != 0 ? c.tsRecent : 0;
  }
  if (c.sackEnabled && !syn && (flags & TCP_RST) == 0 && c.assembler.count > 0) sackBlocks(c, out);
  // RFC 6691: the MSS counts data only; options come out of it.
  const optionBytes = tcpHeaderLength(out) - 20;
  const room = c.sndMss > optionBytes ? c.sndMss - optionBytes : 1;
  if (length > room) {
    length = room;
    flags &= ~(TCP_FIN | TCP_PSH);
  }
  out.flags = flags;
  out.payloadLength = length;
  const staging = context.segmentAt;
  if (length > 0) c.send.peekAt(offset, staging + <usize>tcpHeaderLength(out), length);
  const total = tcpEmit(staging, out, c.localAddress, c.remoteAddress);
  context.count(TcpCounter.SegmentsSent);
  context.refused = !context.host.transmit(staging, total, c.localAddress, c.remoteAddress);
  if (context.refused) {
    // Data and FINs stay queued and an ACK stays owed (ackNow): output runs again after
    // deviceRetry, with no backoff (the segment was never on the wire). A RST is lost.
    context.count(TcpCounter.TransmitFailed);
    if ((flags & TCP_RST) == 0 && c.retryAt == 0) c.retryAt = context.host.now() + context.config.deviceRetry;
    return 0;
  }
  if ((flags & TCP_ACK) != 0) {
    c.lastAckSent = c.rcvNxt;
    c.ackNow = false;
    c.delayedAckAt = 0;
    c.unackedBytes = 0;
  }
  return length;
}

/** Fills SACK blocks (RFC 2018 §4): the range holding the latest segment first, then the others
 * from the lowest, as many as fit beside the timestamps. */
function sackBlocks(c: TcpConnection, out: TcpSegment): void {
  const assembler = c.assembler;
  const most = c.timestampsEnabled ? 3 : 4;
  let count = 0;
  const recent = assembler.recent;
  if (recent >= 0 && recent < assembler.count) {
    out.sackStarts[0] = c.rcvNxt + assembler.starts[recent];
    out.sackEnds[0] = c.rcvNxt + assembler.ends[recent];
    count = 1;
  }
  for (let i = 0; i < assembler.count && count < most; i++) {
    if (i == recent) continue;
    out.sackStarts[count] = c.rcvNxt + assembler.starts[i];
    out.sackEnds[count] = c.rcvNxt + assembler.ends[i];
    count++;
  }
  out.sackCount = count;
}

/** The window field to send (RFC 9293 §3.8.6.2.2, receiver-side SWS avoidance: the right edge
 * moves only by min(half the buffer, one MSS) or more; it never moves left, §3.8.6.2.2 and
 * RFC 7323 §2.4), scaled; records the edge announced. */
function windowToAnnounce(c: TcpConnection): u32 {
  const capacity = c.receiveCapacity;
  const free = c.receive.capacity == 0 ? capacity : c.receive.free;
  const current = c.receiveWindow;
  const threshold = min(capacity / 2, c.rcvMss);
  const window = free >= current + threshold ? free : current;
  const field = min(window >> c.rcvScale, 0xffff);
  const edge = c.rcvNxt + (field << c.rcvScale);
  if (seqGt(edge, c.rcvAdvertised)) c.rcvAdvertised = edge;
  return field;
}

/** Whether reading has opened the window enough to tell the peer now: when the peer sees less
 * than an MSS, once it can grow by min(half the buffer, one MSS) (RFC 9293 §3.8.6.2.2); else, as
 * Linux does (tcp_cleanup_rbuf), once the window the peer sees is at most half the buffer and
 * can at least double. Other window growth rides on the next ACK. */
export function windowUpdateDue(c: TcpConnection): bool {
  const free = c.receive.free, current = c.receiveWindow;
  if (free <= current) return false;
  if (current < c.rcvMss) return free - current >= min(c.receiveCapacity / 2, c.rcvMss);
  return current <= c.receiveCapacity / 2 && free >= 2 * current;
}

/** A pure ACK. Its sequence number is SND.MAX: after a timeout SND.NXT is behind what the peer
 * may have received, and an ACK below its RCV.NXT would be out of its window. */
export function sendAck(c: TcpConnection): void {
  transmit(c, c.sndMax, TCP_ACK, 0, 0);
}

/** The ACK that answers an unacceptable segment (RFC 9293 §3.10.7.4), a PAWS drop (RFC 7323
 * §5.3) or an ACK out of range (RFC 5961 §5.2). For a segment without data it is sent at most
 * once per INVALID_ACK_INTERVAL, as Linux does (tcp_invalid_ratelimit): two stacks that
 * disagree must not answer each other's ACKs forever. */
export function sendInvalidAck(c: TcpConnection, segment: TcpSegment): void {
  const now = c.context.host.now();
  if (segment.payloadLength == 0 && !segment.has(TCP_SYN) && c.invalidAckAt != 0 && now - c.invalidAckAt < INVALID_ACK_INTERVAL) {
    c.context.count(TcpCounter.InvalidAcksLimited);
    return;
  }
  c.invalidAckAt = now;
  sendAck(c);
}

/** RFC 5961 §7: an ACK in answer to a suspicious RST, SYN or ACK, within the stack's budget. */
export function sendChallengeAck(c: TcpConnection): void {
  if (c.context.challengeAllowed(c.context.host.now())) sendAck(c);
}

/** The connection's SYN (active open) or SYN-ACK (passive or simultaneous open). */
export function sendSyn(c: TcpConnection, flags: u32): void {
  transmit(c, c.iss, flags, 0, 0);
}

/** RFC 9293 §3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST> (SND.MAX, as for an ACK). */
export function sendReset(c: TcpConnection): void {
  transmit(c, c.sndMax, TCP_RST, 0, 0);
  c.context.count(TcpCounter.ResetsSent);
}

/** A segment with no connection behind it (a RST, a SYN-ACK carrying a cookie): from
 * `localAddress`:`localPort` to `remoteAddress`:`remotePort`. `mss` 0: no options. */
export function transmitBare(context: TcpContext, localAddress: u32, localPort: u32, remoteAddress: u32, remotePort: u32, sequence: u32, acknowledgment: u32, flags: u32, window: u32, mss: u32): void {
  const out = context.out;
  out.reset();
  out.sourcePort = localPort;
  out.destinationPort = remotePort;
  out.sequence = sequence;
  out.acknowledgment = acknowledgment;
  out.flags = flags;
  out.window = window;
  out.mss = mss;
  if (context.host.transmitRoom(remoteAddress) < context.config.deviceReserve) {   // kept for connections
    context.count(TcpCounter.BareHeldBack);
    return;
  }
  const staging = context.segmentAt;
  const total = tcpEmit(staging, out, localAddress, remoteAddress);
  context.count(TcpCounter.SegmentsSent);
  if ((flags & TCP_RST) != 0) context.count(TcpCounter.ResetsSent);
  if (!context.host.transmit(staging, total, localAddress, remoteAddress)) context.count(TcpCounter.TransmitFailed);
}

/** RFC 9293 §3.10.7.1: the RST answering `segment` (never a RST) that found no connection:
 * <SEQ=SEG.ACK><CTL=RST> if it had an ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
export function resetFor(context: TcpContext, segment: TcpSegment, localAddress: u32, remoteAddress: u32): void {
  if (segment.has(TCP_RST)) return;
  if (segment.has(TCP_ACK)) transmitBare(context, localAddress, segment.destinationPort, remoteAddress, segment.sourcePort, segment.acknowledgment, 0, TCP_RST, 0, 0);
  else transmitBare(context, localAddress, segment.destinationPort, remoteAddress, segment.sourcePort, 0, segment.sequence + segment.sequenceLength, TCP_RST | TCP_ACK, 0, 0);
}
