// Loss recovery of the TCP core (net/socket/tcp/): fast retransmit on the third duplicate ACK
// (RFC 5681 §3.2), then NewReno fast recovery when the peer has no SACK (RFC 6582 §3.2: window
// inflation per duplicate ACK, a retransmission per partial ACK, the timer restarted on the
// first only, "impatient"), or SACK-based recovery (RFC 6675 §5: entry on DupThresh duplicate
// ACKs or IsLost(SND.UNA), cwnd = ssthresh, then NextSeg while cwnd - pipe >= 1 SMSS: lost
// holes first, then new data, then other holes below the highest SACKed byte). Either ends with
// an ACK past the recovery point; a timeout ends it too (timers.ts). Called by ack.ts and
// tcpOutput.

import { TCP_ACK, TCP_FIN } from "../../wire/tcp";
import { Recovery, TcpConnection } from "./connection";
import { TcpCounter } from "./context";
import { sendData, transmit, Window } from "./output";
import { DUP_THRESHOLD, Holes } from "./scoreboard";
import { seqGe, seqGt, seqLt, seqMin } from "./seq";

/** A duplicate ACK arrived (`newSack`: it reported SACK information not known before). */
export function duplicateAck(c: TcpConnection, newSack: bool): void {
  c.duplicateAcks++;
  if (c.recovery == Recovery.NewReno) {
    c.congestion.cwnd += c.segmentSize;   // RFC 6582 §3.2 step 4: inflate
    return;
  }
  if (c.recovery == Recovery.Sack) return;   // tcpOutput runs NextSeg
  if (c.sackEnabled) {
    if (c.duplicateAcks >= DUP_THRESHOLD || c.scoreboard.isLost(c.sndUna, c.segmentSize)) enterSackRecovery(c);
    return;
  }
  // RFC 6582 §3.2 step 2: only when the ACK covers more than `recover` (a new loss episode).
  if (c.duplicateAcks == DUP_THRESHOLD && seqGt(c.sndUna, c.recover)) enterNewReno(c);
}

function enterNewReno(c: TcpConnection): void {
  const now = c.context.host.now();
  c.recover = c.sndMax - 1;
  c.congestion.onLoss(c.sndMax - c.sndUna, now);
  retransmitRange(c, c.sndUna, c.segmentSize);
  c.congestion.cwnd = c.congestion.ssthresh + 3 * c.segmentSize;
  c.recovery = Recovery.NewReno;
  c.partialAcks = 0;
  c.context.count(TcpCounter.FastRetransmits);
}

function enterSackRecovery(c: TcpConnection): void {
  const now = c.context.host.now();
  c.recover = c.sndMax - 1;   // RecoveryPoint = HighData
  c.congestion.onLoss(c.sndMax - c.sndUna, now);
  c.congestion.cwnd = c.congestion.ssthresh;
  c.recovery = Recovery.Sack;
  // RFC 6675 §5 (3): the first segment goes at once, whatever the pipe.
  const end = c.scoreboard.nextSackedStart(c.sndUna, c.sndMax);
  const length = retransmitRange(c, c.sndUna, min(c.segmentSize, end - c.sndUna));
  c.highRxt = c.sndUna + max(length, 1);
  c.context.count(TcpCounter.FastRetransmits);
}

/** New data was acknowledged (`acked` sequence numbers, up to `ack`) during recovery. Returns
 * whether the retransmission timer is restarted. */
export function recoveryAck(c: TcpConnection, acked: u32, ack: u32): bool {
  const congestion = c.congestion;
  const size = c.segmentSize;
  if (seqGt(ack, c.recover)) {   // a full ACK: recovery ends
    const flight = c.sndMax - c.sndUna;
    congestion.cwnd = c.recovery == Recovery.NewReno ? min(congestion.ssthresh, max(flight, size) + size) : congestion.ssthresh;
    c.recovery = Recovery.None;
    return true;
  }
  if (c.recovery == Recovery.Sack) {
    if (seqLt(c.highRxt, c.sndUna)) c.highRxt = c.sndUna;
    return true;
  }
  // RFC 6582 §3.2 step 5: a partial ACK: retransmit the next segment, deflate, restart once.
  retransmitRange(c, c.sndUna, size);
  congestion.cwnd = congestion.cwnd > acked ? congestion.cwnd - acked : 0;
  if (acked >= size) congestion.cwnd += size;
  congestion.cwnd = max(congestion.cwnd, size);
  c.partialAcks++;
  return c.partialAcks == 1;
}

/** RFC 6675 §5 (C): while cwnd - pipe >= 1 SMSS, send what NextSeg names. */
export function sackRecoverySend(c: TcpConnection): void {
  const size = c.segmentSize;
  const scoreboard = c.scoreboard;
  for (let burst = c.context.config.outputBurst; burst > 0; burst--) {
    if (seqLt(c.highRxt, c.sndUna)) c.highRxt = c.sndUna;
    const pipe = scoreboard.pipe(c.sndUna, c.sndMax, c.highRxt, size);
    if (pipe + size > c.congestion.cwnd) break;
    // Rule 1: the first lost hole byte above HighRxt.
    let start = scoreboard.nextHole(c.sndUna, c.highRxt, size, Holes.Lost);
    if (scoreboard.holeEnd != start) {
      const length = retransmitRange(c, start, min(size, scoreboard.holeEnd - start));
      if (c.context.refused) break;   // the device's ring is full: the next ACK goes on
      c.highRxt = start + max(length, 1);
      continue;
    }
    // Rule 2: new data the peer's window allows.
    if (sendData(c, 1, Window.ReceiverOnly) > 0) continue;
    if (c.context.refused) break;
    // Rule 3: any hole below the highest SACKed byte, above HighRxt.
    start = scoreboard.nextHole(c.sndUna, c.highRxt, size, Holes.Any);
    if (scoreboard.holeEnd != start) {
      const length = retransmitRange(c, start, min(size, scoreboard.holeEnd - start));
      if (c.context.refused) break;   // the device's ring is full: the next ACK goes on
      c.highRxt = start + max(length, 1);
      continue;
    }
    break;
  }
}

/** Sends again up to `length` bytes from `sequence` (below SND.MAX), with the FIN when they
 * reach it; SND.NXT does not move. Returns the data bytes sent. */
export function retransmitRange(c: TcpConnection, sequence: u32, length: u32): u32 {
  const offset = sequence - c.sndUna;
  const buffered = c.send.length;
  const end = seqMin(c.sndMax, sequence + length);
  length = min(min(length, end - sequence), buffered > offset ? buffered - offset : 0);
  let flags = TCP_ACK;
  if (c.finQueued && !c.finAcked && offset + length == buffered && seqGe(c.sndMax, c.sndUna + buffered + 1)) flags |= TCP_FIN;
  if (length == 0 && (flags & TCP_FIN) == 0) return 0;
  const sent = transmit(c, sequence, flags, offset, length);
  c.context.count(TcpCounter.Retransmitted);
  c.rttTiming = false;   // Karn's rule
  const now = c.context.host.now();
  if (c.retransmitAt == 0) c.retransmitAt = now + c.rtt.rto;
  return sent;
}
