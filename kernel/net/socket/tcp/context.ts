// What the TCP core's parts share (net/socket/tcp/): the host (clock and IP layer), the
// configuration, the ISN secret, the connection table, the buffer segments are built in, the
// RFC 5961 challenge-ACK budget, and the counters. One per stack (stack.ts); every connection
// and listener reaches it. Nothing here is module state: a test runs two stacks side by side.

import { TCP_HEADER_MAXIMUM, TcpSegment } from "../../wire/tcp";
import { TcpConfig } from "./config";
import { TcpConnection } from "./connection";
import { TcpHost } from "./host";
import { TcpSecrets } from "./isn";
import { TcpTable } from "./table";

/** What the core counts. Add at the end. */
export enum TcpCounter {
  SegmentsReceived = 0,
  SegmentsSent = 1,
  /** Segments sent again: timeouts, fast retransmits, recovery. */
  Retransmitted = 2,
  Timeouts = 3,
  FastRetransmits = 4,
  ResetsSent = 5,
  ResetsReceived = 6,
  /** RFC 5961: challenge ACKs sent, and ones the rate limit held back. */
  ChallengeAcks = 7,
  ChallengeAcksLimited = 8,
  /** RFC 7323 §5: segments with an old timestamp, dropped. */
  PawsDropped = 9,
  /** Segments outside the receive window (answered with an ACK). */
  OutOfWindow = 10,
  /** ACKs for data never sent, or too old (RFC 5961 §5.2). */
  AckUnacceptable = 11,
  /** Out-of-order data dropped: no range left in the assembler. */
  ReassemblyFull = 12,
  /** Data past the receive buffer, dropped. */
  ReceiveBufferFull = 13,
  /** Segments to no connection and no listener (answered with a RST). */
  NoConnection = 14,
  /** SYNs a listener dropped: its accept queue full, or half-open queue full without cookies. */
  ListenOverflow = 15,
  CookiesSent = 16,
  CookiesAccepted = 17,
  CookiesInvalid = 18,
  ZeroWindowProbes = 19,
  KeepAliveProbes = 20,
  /** Out-of-order segments received. */
  OutOfOrder = 21,
  /** Segments the IP layer refused (a full device ring): data and FINs stay queued and go later;
   * bare ACKs and RSTs are lost. */
  TransmitFailed = 22,
  /** ACKs for invalid segments held back by the rate limit. */
  InvalidAcksLimited = 23,
  /** Segments to a listener from a peer its grant does not allow (answered with a RST). */
  PeerRefused = 24,
  /** Cookie SYN-ACKs and RSTs not sent: the device had fewer free transmit buffers than the
   * reserve it keeps for connections (TcpConfig.deviceReserve). */
  BareHeldBack = 25,
  /** Receive buffers grown by autotuning (autotune.ts). */
  ReceiveBufferGrown = 26,
}
export const TCP_COUNTERS: i32 = <i32>TcpCounter.ReceiveBufferGrown + 1;

export class TcpContext {
  readonly table: TcpTable = new TcpTable();
  /** Where segments are built: the host's headroom, then the longest header and a full segment
   * (segmentAt). */
  readonly staging: StaticArray<u8>;
  /** The header of the segment being built, and of the one being received. */
  readonly out: TcpSegment = new TcpSegment();
  readonly counters: StaticArray<u64> = new StaticArray<u64>(TCP_COUNTERS);
  /** The last segment transmit built was refused by the host (its device ring was full). */
  refused: bool = false;
  /** Whether the output an arriving segment calls for waits for TcpStack.flushOutput (the
   * kernel's host sets it: a receive batch then answers with one ACK per connection, as GRO
   * gives Linux's), and the connections waiting, each once (TcpConnection.outputPending). */
  deferOutput: bool = false;
  readonly pendingOutput: TcpConnection[] = [];
  /** RFC 5961 §7: challenge ACKs sent in the second that began at challengeWindow. */
  challengeSent: u32 = 0;
  challengeWindow: u64 = 0;

  constructor(readonly host: TcpHost, readonly config: TcpConfig, readonly secrets: TcpSecrets) {
    this.staging = new StaticArray<u8>(<i32>(config.headroom + TCP_HEADER_MAXIMUM + config.mss));
  }

  /** Where a segment is built: after the headroom the host asked for (its own headers). */
  @inline get segmentAt(): usize {
    return changetype<usize>(this.staging) + <usize>this.config.headroom;
  }

  @inline count(counter: TcpCounter): void {
    unchecked(this.counters[<i32>counter]++);
  }

  /** RFC 5961 §7: whether another challenge ACK may go out now (counted either way). */
  challengeAllowed(now: u64): bool {
    if (now - this.challengeWindow >= 1_000_000_000) {
      this.challengeWindow = now;
      this.challengeSent = 0;
    }
    if (this.challengeSent >= this.config.challengeAcksPerSecond) {
      this.count(TcpCounter.ChallengeAcksLimited);
      return false;
    }
    this.challengeSent++;
    this.count(TcpCounter.ChallengeAcks);
    return true;
  }
}
