// State transitions of the TCP core (net/socket/tcp/) that more than one event leads to: the
// handshake's end (RFC 9293 §3.5), TIME-WAIT (§3.6: 2 MSL), CLOSED (the table and a passive
// connection's listener forget it), and failure (a RST received or sent, timeouts: §3.10.7.4
// "all segment queues should be flushed"). Called by input.ts, ack.ts, receive.ts, timers.ts and
// the user calls in stack.ts.

import { TcpConnection, TcpFailure, TcpState } from "./connection";
import { listenerEstablished, listenerForget } from "./listener";
import { sendReset } from "./output";
import { RTO_AFTER_HANDSHAKE_LOSS } from "./rtt";

/** The handshake completed: ESTABLISHED (FIN-WAIT-1 when the user already shut down sending);
 * a passive connection gets its buffers and joins its listener's accept queue. */
export function establish(c: TcpConnection): void {
  c.state = c.finQueued ? TcpState.FinWait1 : TcpState.Established;
  c.established = true;
  c.allocateBuffers();
  // RFC 6298 §5.7: after a SYN or SYN-ACK timed out, with no sample, the RTO starts at 3 s.
  if (c.retries > 0 && c.rtt.samples == 0) c.rtt.restart(RTO_AFTER_HANDSHAKE_LOSS);
  c.retries = 0;
  c.retransmitAt = 0;
  c.congestion.setMss(c.segmentSize);
  if (c.listener !== null) listenerEstablished(c);
}

/** TIME-WAIT for 2 MSL; every other timer stops (an ACK owed still goes out). */
export function enterTimeWait(c: TcpConnection): void {
  c.state = TcpState.TimeWait;
  c.closeAt = c.context.host.now() + 2 * c.context.config.msl;
  c.retransmitAt = 0;
  c.persisting = false;
  c.delayedAckAt = 0;
  c.keepAliveAt = 0;
  c.retryAt = 0;
}

/** CLOSED: out of the table and its listener's queues, timers off. Bytes received and not yet
 * read stay readable (a normal close); fail() flushes them. */
export function closeConnection(c: TcpConnection): void {
  if (c.state == TcpState.Closed && !c.inTable) return;
  c.state = TcpState.Closed;
  c.retransmitAt = 0;
  c.persisting = false;
  c.delayedAckAt = 0;
  c.keepAliveAt = 0;
  c.closeAt = 0;
  c.retryAt = 0;
  c.ackNow = false;
  c.context.table.remove(c);
  if (c.listener !== null) listenerForget(c);
}

/** Ends the connection with `failure`, flushing its queues; with `reset`, tells the peer first
 * (RFC 9293 §3.10.5 ABORT, when the peer has a connection to reset). A reset from the peer
 * leaves the bytes received in order to be read before it is reported, as Linux's tcp_reset
 * does (its receive queue outlives the connection); the user's close or abort drops them. */
export function fail(c: TcpConnection, failure: TcpFailure, reset: Reset): void {
  const state = c.state;
  if (reset == Reset.Send && state != TcpState.Closed && state != TcpState.SynSent && state != TcpState.TimeWait) sendReset(c);
  if (c.failure == TcpFailure.None) c.failure = failure;
  c.send.consume(c.send.length);
  if (failure != TcpFailure.Reset) c.receive.consume(c.receive.length);
  c.assembler.clear();
  c.scoreboard.clear();
  c.finPending = false;
  closeConnection(c);
}

/** Whether fail() sends a RST. */
export enum Reset {
  Silent = 0,
  Send = 1,
}
