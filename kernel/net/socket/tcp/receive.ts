// The receive side of the TCP core (net/socket/tcp/): a segment's text and FIN (RFC 9293
// §3.10.7.4, seventh and eighth steps) once its sequence number and ACK were accepted (input.ts).
// Data is trimmed to RCV.NXT and to the buffer's free space, written into the receive ring at its
// place, and joins the in-order bytes when it is next (assembler.ts keeps the out-of-order
// ranges). ACKs: at once for out-of-order data and for data that fills a hole (RFC 5681 §4.2),
// for every second full-sized segment, else within the delayed-ACK time (RFC 9293 §3.8.6.3). A
// FIN is taken when RCV.NXT reaches it (one that arrives ahead of missing data waits).

import { TcpSegment, TCP_FIN, TCP_SYN } from "../../wire/tcp";
import { TcpConnection, TcpFailure, TcpState } from "./connection";
import { TcpCounter } from "./context";
import { enterTimeWait, fail, Reset } from "./lifecycle";
import { receiveRttMeasure } from "./autotune";
import { MSS_DEFAULT } from "./listener";
import { seqGt, seqLt } from "./seq";

/** Takes the data and FIN of `segment` (its payload at `payload`). */
export function processText(c: TcpConnection, segment: TcpSegment, payload: usize): void {
  const state = c.state;
  if (state != TcpState.Established && state != TcpState.FinWait1 && state != TcpState.FinWait2) return;
  const context = c.context;
  let sequence = segment.sequence + (segment.has(TCP_SYN) ? 1 : 0);
  let data = payload;
  let length = segment.payloadLength;
  let fin = segment.has(TCP_FIN);
  // Trim what was received already (RFC 9293 §3.10.7.4: "trimmed to only the portion within the window").
  if (seqLt(sequence, c.rcvNxt)) {
    const skip = c.rcvNxt - sequence;
    if (seqLt(sequence + length, c.rcvNxt)) fin = false;   // the FIN too was taken before
    if (skip >= length) {
      length = 0;
    } else {
      data += <usize>skip;
      length -= skip;
    }
    sequence = c.rcvNxt;
  }
  if (length > 0 && c.orphaned) {
    // Nobody will read it: the connection is reset (RFC 2525 §2.17, as Linux does).
    fail(c, TcpFailure.Aborted, Reset.Send);
    return;
  }
  const offset = sequence - c.rcvNxt;
  const room = c.receive.free;
  if (length > 0 && <u64>offset + <u64>length > <u64>room) {
    context.count(TcpCounter.ReceiveBufferFull);
    length = offset >= room ? 0 : room - offset;
    fin = false;
    c.ackNow = true;
  }
  if (length > 0) {
    const holes = c.assembler.count > 0;
    if (!c.assembler.add(offset, offset + length)) {
      context.count(TcpCounter.ReassemblyFull);
      c.ackNow = true;
      fin = false;
    } else {
      c.receive.writeAt(offset, data, length);
      const contiguous = c.assembler.take();
      if (contiguous > 0) {
        c.receive.commit(contiguous);
        c.rcvNxt += contiguous;
        receiveRttMeasure(c);
      }
      if (offset > 0) {
        context.count(TcpCounter.OutOfOrder);
        c.ackNow = true;
      } else if (holes) {
        c.ackNow = true;
      } else {
        delayAck(c, length);
      }
    }
  }
  if (fin) {
    const finSequence = sequence + length;
    if (finSequence == c.rcvNxt) {
      takeFin(c);
      return;
    }
    c.finPending = true;   // out of order, as data would be: a duplicate ACK at once
    c.finSequence = finSequence;
    c.ackNow = true;
  }
  if (c.finPending && c.rcvNxt == c.finSequence) takeFin(c);
  else if (c.finPending && seqGt(c.rcvNxt, c.finSequence)) c.finPending = false;   // data went past it: a bogus FIN
}

/** RFC 5681 §4.2 and RFC 9293 §3.8.6.3: an ACK for at least every second full-sized segment,
 * and none later than the delayed-ACK time after the first unacknowledged one. */
function delayAck(c: TcpConnection, length: u32): void {
  if (length > c.largestSegment) c.largestSegment = length;
  c.unackedBytes += length;
  const fullSize = max(min(c.largestSegment, c.rcvMss), MSS_DEFAULT);
  if (c.unackedBytes >= 2 * fullSize) {
    c.ackNow = true;
  } else if (c.delayedAckAt == 0) {
    c.delayedAckAt = c.context.host.now() + c.context.config.delayedAck;
  }
}

/** The peer's FIN at RCV.NXT (RFC 9293 §3.10.7.4, eighth step). */
function takeFin(c: TcpConnection): void {
  c.finPending = false;
  c.rcvNxt += 1;
  c.finReceived = true;
  c.ackNow = true;
  const state = c.state;
  if (state == TcpState.Established) c.state = TcpState.CloseWait;
  else if (state == TcpState.FinWait1) c.state = TcpState.Closing;   // our FIN is not acknowledged yet
  else if (state == TcpState.FinWait2) enterTimeWait(c);
}
