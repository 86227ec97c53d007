// The TCP core's parameters (net/socket/tcp/): one TcpConfig per stack, given at creation, each
// value with the section that sets or bounds it. Tests shorten the times (MSL above all) and turn
// options off; the kernel will take the defaults. Times in nanoseconds, sizes in bytes.

import { RTO_INITIAL } from "./rtt";

export const MILLISECOND: u64 = 1_000_000;
export const SECOND: u64 = 1_000_000_000;

/** The congestion controller a connection runs (congestion.ts, cubic.ts). */
export enum CongestionKind {
  /** RFC 5681 slow start and congestion avoidance, RFC 6582 recovery. */
  NewReno = 0,
  /** RFC 9438, integer-only. */
  Cubic = 1,
}

export class TcpConfig {
  /** The MSS this host announces and the most data it puts in a segment: an Ethernet MTU of
   * 1500 less 40 bytes of IPv4 and TCP headers (RFC 9293 §3.7.1). */
  mss: u32 = 1460;
  /** Maximum segment lifetime; TIME-WAIT lasts 2 MSL (RFC 9293 §3.4.2 leaves MSL an engineering
   * choice: 30 s gives Linux's 60 s TIME-WAIT). */
  msl: u64 = 30 * SECOND;
  /** RFC 6298 §2.1, §2.4 (a 200 ms floor, as the issue allows and Linux uses), §2.5. */
  rtoInitial: u64 = RTO_INITIAL;
  rtoMinimum: u64 = 200 * MILLISECOND;
  rtoMaximum: u64 = 60 * SECOND;
  /** Delayed ACK: at most this long (RFC 9293 §3.8.6.3: under 0.5 s; the issue: 200 ms at most). */
  delayedAck: u64 = 40 * MILLISECOND;
  /** SYN and SYN-ACK transmissions before giving up (RFC 1122 4.2.3.5 R2 for SYN: at least 3
   * minutes is suggested; Linux's 6 retries take 127 s). */
  synRetries: u32 = 6;
  /** Data retransmissions before the connection is reset (RFC 1122 4.2.3.5 R2 >= 100 s; Linux's
   * tcp_retries2 of 15 is about 15 minutes). */
  dataRetries: u32 = 15;
  /** Keep-alive (RFC 1122 4.2.3.6: off by default; idle at least 2 hours). */
  keepAliveIdle: u64 = 7200 * SECOND;
  keepAliveInterval: u64 = 75 * SECOND;
  keepAliveCount: u32 = 9;
  /** How long a connection the user closed may wait in FIN-WAIT-2 for the peer's FIN. */
  finWait2Timeout: u64 = 60 * SECOND;
  /** Zero-window probes back off from the RTO up to this (RFC 1122 4.2.2.17). */
  persistMaximum: u64 = 60 * SECOND;
  /** RFC 7323 and RFC 2018 options this host offers and accepts. */
  windowScaling: bool = true;
  timestamps: bool = true;
  sack: bool = true;
  congestion: CongestionKind = CongestionKind.Cubic;
  /** RFC 5961 §7: challenge ACKs a stack sends a second, at most. */
  challengeAcksPerSecond: u32 = 100;
  /** SYN cookies when a listener's half-open queue is full (RFC 4987 §3.6). */
  synCookies: bool = true;
  /** Bytes the host wants free before each segment it is lent (its Ethernet and IPv4 headers),
   * so it sends the segment where the core built it. */
  headroom: u32 = 0;
  /** Segments one output call sends at most (work per kernel entry is bounded). */
  outputBurst: u32 = 64;
  /** After the device refused a connection's segment, output is tried again this much later
   * (Linux waits TCP_RESOURCE_PROBE_INTERVAL, 500 ms, after a retransmission failed locally;
   * a device ring empties in well under a tick). */
  deviceRetry: u64 = 10 * MILLISECOND;
  /** Transmit buffers the device keeps for connections: a segment with no connection behind it
   * (a cookie SYN-ACK, a RST) is not sent when fewer are free, so that a SYN flood's answers
   * cannot crowd out established connections' data and ACKs. */
  deviceReserve: u32 = 8;
}
