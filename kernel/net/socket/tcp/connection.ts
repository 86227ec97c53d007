// The TCP control block (RFC 9293 §3.3.1) of the TCP core (net/socket/tcp/): one connection's
// state, sequence variables, negotiated options, buffers, timers, round-trip estimate and
// congestion state, and what it can do now (readiness) for the object layer. Data only: segment
// arrival is input.ts (with ack.ts, receive.ts, recovery.ts), sending output.ts, timers
// timers.ts, user calls stack.ts. Made by TcpStack.createConnection (active) or by a listener
// (passive); the stack's table (table.ts) finds it by its 4-tuple.

import { Assembler } from "./assembler";
import { CongestionControl, NewReno } from "./congestion";
import { CongestionKind } from "./config";
import { TcpContext } from "./context";
import { Cubic } from "./cubic";
import { TcpOwner } from "./host";
import { TcpListener } from "./listener";
import { ByteRing } from "./ring";
import { RttEstimator } from "./rtt";
import { Scoreboard } from "./scoreboard";

/** RFC 9293 §3.3.2. */
export enum TcpState {
  Closed = 0,
  Listen = 1,
  SynSent = 2,
  SynReceived = 3,
  Established = 4,
  FinWait1 = 5,
  FinWait2 = 6,
  CloseWait = 7,
  Closing = 8,
  LastAck = 9,
  TimeWait = 10,
}

/** Why a connection ended other than by the close handshake. */
export enum TcpFailure {
  None = 0,
  /** The peer answered our SYN with a RST (nothing listens there). */
  Refused = 1,
  /** The peer reset the connection. */
  Reset = 2,
  /** Retransmissions or keep-alive probes went unanswered. */
  TimedOut = 3,
  /** The user aborted it, or closed it with unread data or while data still arrived. */
  Aborted = 4,
  /** An ICMP error answered our SYN (TcpStack.icmpError): its type and code are icmpType and
   * icmpCode. */
  Unreachable = 5,
}

/** Small segments: held while data is in flight (RFC 9293 §3.7.4), or sent at once. */
export enum Nagle {
  On = 0,
  Off = 1,
}

export enum KeepAlive {
  Off = 0,
  On = 1,
}

/** Which loss recovery a connection is in. */
export enum Recovery {
  None = 0,
  /** RFC 6582 NewReno fast recovery (no SACK). */
  NewReno = 1,
  /** RFC 6675 SACK-based recovery. */
  Sack = 2,
}

/** When a connection's buffers are made. */
export enum Buffers {
  /** At once (an active open). */
  Now = 0,
  /** When the handshake completes (a passive open: a half-open connection holds no buffers). */
  WhenEstablished = 1,
}

export class TcpConnection {
  state: TcpState = TcpState.Closed;
  failure: TcpFailure = TcpFailure.None;
  /** The ICMP error that ended it (TcpFailure.Unreachable): its type and code. */
  icmpType: u32 = 0;
  icmpCode: u32 = 0;
  localAddress: u32 = 0;
  localPort: u32 = 0;
  remoteAddress: u32 = 0;
  remotePort: u32 = 0;

  // Send sequence variables (RFC 9293 §3.3.1). SND.MAX is the highest sequence number sent:
  // SND.NXT goes back to SND.UNA after a timeout (go-back-N) or a zero-window probe.
  iss: u32 = 0;
  sndUna: u32 = 0;
  sndNxt: u32 = 0;
  sndMax: u32 = 0;
  /** The peer's window, scaled, in bytes; and the largest it ever was. */
  sndWnd: u32 = 0;
  maxSndWnd: u32 = 0;
  sndWl1: u32 = 0;
  /** The end of the last short segment sent (Nagle, Minshall's form). */
  sndSmall: u32 = 0;
  sndWl2: u32 = 0;
  // Receive sequence variables. rcvAdvertised: the right edge last announced (never moves left).
  irs: u32 = 0;
  rcvNxt: u32 = 0;
  rcvAdvertised: u32 = 0;

  // Options (RFC 9293 §3.7.1, RFC 7323, RFC 2018), settled by the handshake.
  /** Most data bytes in a segment we send (the peer's MSS, at most ours), and the MSS we announced. */
  sndMss: u32 = 536;
  rcvMss: u32 = 536;
  /** Window scale shifts: applied to windows we receive, and to windows we send. */
  sndScale: u32 = 0;
  rcvScale: u32 = 0;
  sackEnabled: bool = false;
  timestampsEnabled: bool = false;
  /** RFC 7323 §4.3 and §5.3: TS.Recent, when it was set (ns), Last.ACK.sent. */
  tsRecent: u32 = 0;
  tsRecentTime: u64 = 0;
  lastAckSent: u32 = 0;
  tsOffset: u32 = 0;
  /** Window scaling is on (offered in our SYN until the peer's answer settles it). */
  windowScaling: bool = false;

  // Buffers: made when the connection is (passive: when it is established).
  send: ByteRing;
  receive: ByteRing;
  readonly sendCapacity: u32;
  /** The receive buffer's size: it starts at the size asked for and may grow up to
   * receiveLimit (autotune.ts). */
  receiveCapacity: u32;
  receiveLimit: u32;
  // Receive-buffer autotuning (autotune.ts): the receiver's round-trip estimate (ns, 0: none yet),
  // measured one window at a time from rcvRttStart until RCV.NXT passes rcvRttSequence; the bytes
  // the user took in the round trip that began at rcvSpaceStart, and in the last one measured.
  rcvRtt: u64 = 0;
  rcvRttSequence: u32 = 0;
  rcvRttStart: u64 = 0;
  rcvSpace: u32 = 0;
  rcvSpaceCopied: u32 = 0;
  rcvSpaceStart: u64 = 0;
  readonly assembler: Assembler = new Assembler();
  /** The user shut down sending: a FIN follows the bytes in the send buffer. */
  finQueued: bool = false;
  /** The peer's FIN was taken (RCV.NXT is past it). */
  finReceived: bool = false;
  /** A FIN arrived ahead of missing data: its sequence number, taken when RCV.NXT reaches it. */
  finPending: bool = false;
  finSequence: u32 = 0;
  /** Our FIN was acknowledged. */
  finAcked: bool = false;
  /** The handshake completed once (the connection may have ended since). */
  established: bool = false;
  /** The user closed the connection: nobody reads it any more; the stack ends it. */
  orphaned: bool = false;

  // Timers: deadlines in ns, 0 when off. The retransmission timer doubles as the persist timer.
  retransmitAt: u64 = 0;
  persisting: bool = false;
  persistBackoff: u32 = 0;
  delayedAckAt: u64 = 0;
  keepAliveAt: u64 = 0;
  /** TIME-WAIT's 2 MSL, or an orphan's FIN-WAIT-2 limit. */
  closeAt: u64 = 0;
  /** The device refused a segment (its transmit ring was full): output runs again then. Local
   * backpressure, not a loss: no backoff, no congestion response (output.ts, transmit). */
  retryAt: u64 = 0;
  /** Consecutive expiries of the retransmission timer; keep-alive probes unanswered. */
  retries: u32 = 0;
  keepAliveProbes: u32 = 0;
  lastReceived: u64 = 0;

  // Round-trip time (RFC 6298) and the one segment timed without timestamps (Karn's rule).
  readonly rtt: RttEstimator;
  rttTiming: bool = false;
  rttSequence: u32 = 0;
  rttStart: u64 = 0;

  // Congestion control and loss recovery (RFC 5681, 6582, 6675).
  congestion: CongestionControl;
  recovery: Recovery = Recovery.None;
  duplicateAcks: u32 = 0;
  /** RFC 6582 `recover`, RFC 6675 RecoveryPoint. */
  recover: u32 = 0;
  /** RFC 6675 HighRxt, as the end of the highest range retransmitted in this recovery. */
  highRxt: u32 = 0;
  /** RFC 6582 §3.2 step 5: only the first partial ACK restarts the timer. */
  partialAcks: u32 = 0;
  readonly scoreboard: Scoreboard = new Scoreboard();

  // Acknowledgments (RFC 9293 §3.8.6.3, RFC 5681 §4.2).
  ackNow: bool = false;
  /** In TcpContext.pendingOutput: its output waits for the end of the receive batch. */
  outputPending: bool = false;
  /** When an ACK last answered an invalid segment (sendInvalidAck's rate limit). */
  invalidAckAt: u64 = 0;
  /** Bytes received in order and not yet acknowledged, and the largest segment seen. */
  unackedBytes: u32 = 0;
  largestSegment: u32 = 0;

  // User settings.
  nagle: Nagle = Nagle.On;
  keepAlive: KeepAlive = KeepAlive.Off;
  keepAliveIdle: u64;
  keepAliveInterval: u64;
  keepAliveCount: u32;

  /** The object layer's record of the connection (host.ts), null in the core's tests. */
  owner: TcpOwner | null = null;
  /** The listener of a passive connection until it is accepted (or ends). */
  listener: TcpListener | null = null;
  /** Links of the stack's table (table.ts): the hash chain and the list of all connections. */
  nextInBucket: TcpConnection | null = null;
  previous: TcpConnection | null = null;
  next: TcpConnection | null = null;
  inTable: bool = false;

  /** A connection in CLOSED with buffers of the given capacities, made `when` says. */
  constructor(readonly context: TcpContext, sendCapacity: u32, receiveCapacity: u32, when: Buffers) {
    const config = context.config;
    this.sendCapacity = sendCapacity;
    this.receiveCapacity = receiveCapacity;
    this.receiveLimit = receiveCapacity;
    this.send = new ByteRing(when == Buffers.Now ? sendCapacity : 0);
    this.receive = new ByteRing(when == Buffers.Now ? receiveCapacity : 0);
    this.rtt = new RttEstimator(config.rtoMinimum, config.rtoMaximum, config.rtoInitial);
    this.congestion = config.congestion == CongestionKind.Cubic ? changetype<CongestionControl>(new Cubic(536)) : changetype<CongestionControl>(new NewReno(536));
    this.keepAliveIdle = config.keepAliveIdle;
    this.keepAliveInterval = config.keepAliveInterval;
    this.keepAliveCount = config.keepAliveCount;
  }

  /** Forced sending: the persist timer's override of Nagle and SWS avoidance (RFC 9293 §3.8.6.2.1). */
  forceSend: bool = false;

  /** Makes the buffers of a passive connection, once it is established. */
  allocateBuffers(): void {
    if (this.send.capacity == 0) this.send.allocate(this.sendCapacity);
    if (this.receive.capacity == 0) this.receive.allocate(this.receiveCapacity);
  }

  /** Whether the connection is synchronized (RFC 9293 §3.5: past the handshake). */
  get synchronized(): bool {
    return this.state >= TcpState.Established;
  }

  /** The largest data segment sent: the MSS less the timestamp option (RFC 6691). */
  get segmentSize(): u32 {
    return this.timestampsEnabled ? this.sndMss - 12 : this.sndMss;
  }

  /** Sequence number of our FIN (valid when finQueued): after every byte of the send buffer. */
  get finSequenceOut(): u32 {
    return this.sndUna + this.send.length;
  }

  /** Whether our FIN went out (and is not yet acknowledged: then finAcked). */
  get finSent(): bool {
    return this.finQueued && !this.finAcked && this.sndMax == this.finSequenceOut + 1;
  }

  /** The receive window the peer was last told of: RCV.WND of RFC 9293. */
  get receiveWindow(): u32 {
    const open = <i32>(this.rcvAdvertised - this.rcvNxt);
    return open > 0 ? <u32>open : 0;
  }

  // Readiness, for the object layer.

  /** Bytes a receive can take now. */
  get readable(): u32 {
    return this.receive.length;
  }

  /** Bytes a send can queue now (0 once sending is shut down or the connection ended). */
  get writable(): u32 {
    if (this.finQueued || this.failure != TcpFailure.None) return 0;
    const state = this.state;
    if (state != TcpState.SynSent && state != TcpState.SynReceived && state != TcpState.Established && state != TcpState.CloseWait) return 0;
    return this.send.capacity == 0 ? 0 : this.send.free;
  }

  /** The peer sent its FIN and every byte before it was read: a receive returns end of stream. */
  get atEnd(): bool {
    return this.finReceived && this.receive.length == 0;
  }
}
