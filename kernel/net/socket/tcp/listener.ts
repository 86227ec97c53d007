// A TCP listener (RFC 9293 §3.10.7.2, LISTEN) of the TCP core (net/socket/tcp/): a SYN makes a
// half-open connection in SYN-RECEIVED (bounded: halfOpenLimit per listener); when the
// handshake completes it waits in the accept queue (bounded: backlog). With the half-open queue
// full, a SYN gets a SYN-ACK whose ISN is a SYN cookie (cookie.ts) and nothing is kept; a
// valid cookie in the ACK that follows opens the connection (RFC 4987 §3.6), so a SYN flood
// neither fills memory nor locks out real clients. Made by the object layer, registered by
// TcpStack.listen; segments reach it from TcpStack.input when no connection matches.

import { TcpSegment, TCP_ACK, TCP_RST, TCP_SYN } from "../../wire/tcp";
import { Buffers, TcpConnection, TcpState } from "./connection";
import { TcpContext, TcpCounter } from "./context";
import { cookieCheck, cookieMake } from "./cookie";
import { establish } from "./lifecycle";
import { MSS_MINIMUM, resetFor, scaleFor, sendSyn, tcpOutput, transmitBare, WINDOW_SCALE_MAXIMUM } from "./output";
import { TcpOwner } from "./host";
import { processText } from "./receive";

/** RFC 9293 §3.7.1: the MSS assumed when a SYN carries none. */
export const MSS_DEFAULT: u32 = 536;
/** How long after the last cookie went out an ACK to the listener is checked for one. */
const COOKIE_WINDOW: u64 = 128_000_000_000;

export class TcpListener {
  localAddress: u32 = 0;
  localPort: u32 = 0;
  listening: bool = false;
  /** Half-open connections now. */
  halfOpen: i32 = 0;
  /** Established connections not yet accepted, oldest first. */
  readonly ready: TcpConnection[] = [];
  /** The object layer's record of the listener (host.ts). */
  owner: TcpOwner | null = null;
  /** Whether a SYN cookie went out, and when the last did (ns). */
  cookiesSent: bool = false;
  cookiesSentAt: u64 = 0;

  /** Accepted connections get buffers of `sendCapacity` and `receiveCapacity` bytes; their
   * receive buffers may grow to `receiveLimit` (autotune.ts; 0: they do not grow). */
  constructor(readonly backlog: i32, readonly halfOpenLimit: i32, readonly sendCapacity: u32, readonly receiveCapacity: u32,
    readonly receiveLimit: u32 = 0) {}
}

/** A passive connection completed its handshake: it moves to the accept queue. */
export function listenerEstablished(c: TcpConnection): void {
  const listener = changetype<TcpListener>(c.listener);
  listener.halfOpen--;
  listener.ready.push(c);
  c.context.host.listenerChanged(listener);
}

/** A passive connection ended before it was accepted. */
export function listenerForget(c: TcpConnection): void {
  const listener = changetype<TcpListener>(c.listener);
  c.listener = null;
  if (!c.established) {
    listener.halfOpen--;
    return;
  }
  const index = listener.ready.indexOf(c);
  if (index >= 0) listener.ready.splice(index, 1);
}

/** Settles the options of a connection from the peer's SYN (RFC 9293 §3.7.1, RFC 7323 §2.2 and
 * §3.2, RFC 2018 §2): each is on only when both ends offer it. */
export function negotiate(c: TcpConnection, syn: TcpSegment): void {
  const config = c.context.config;
  const peerMss = syn.mss != 0 ? syn.mss : MSS_DEFAULT;
  c.sndMss = max(min(peerMss, config.mss), MSS_MINIMUM);
  if (c.windowScaling && syn.windowScale >= 0) {
    c.sndScale = min(<u32>syn.windowScale, WINDOW_SCALE_MAXIMUM);
  } else {
    c.windowScaling = false;
    c.sndScale = 0;
    c.rcvScale = 0;
  }
  c.sackEnabled = c.sackEnabled && syn.sackPermitted;
  c.timestampsEnabled = c.timestampsEnabled && syn.timestamps;
  if (c.timestampsEnabled) {
    c.tsRecent = syn.timestampValue;
    c.tsRecentTime = c.context.host.now();
  }
  c.congestion.setMss(c.segmentSize);
}

/** A segment for `listener` that matched no connection (RFC 9293 §3.10.7.2). */
export function listenerInput(context: TcpContext, listener: TcpListener, segment: TcpSegment, payload: usize, source: u32, destination: u32): void {
  if (segment.has(TCP_RST)) return;
  if (!context.host.admits(listener, source, segment.sourcePort)) {
    context.count(TcpCounter.PeerRefused);
    resetFor(context, segment, destination, source);
    return;
  }
  const now = context.host.now();
  const config = context.config;
  if (segment.has(TCP_ACK)) {
    if (!segment.has(TCP_SYN) && config.synCookies && listener.cookiesSent && now - listener.cookiesSentAt < COOKIE_WINDOW) {
      const mss = cookieCheck(context.secrets, destination, segment.destinationPort, source, segment.sourcePort, segment.sequence - 1, segment.acknowledgment - 1, now);
      if (mss != 0 && listener.ready.length < listener.backlog) {
        context.count(TcpCounter.CookiesAccepted);
        fromCookie(context, listener, segment, payload, source, destination, mss);
        return;
      }
      if (mss != 0) {
        // A valid cookie and a full accept queue: dropped, as a SYN is then; the peer sends its
        // ACK (or data) again and gets in once the application accepts (Linux does the same).
        context.count(TcpCounter.ListenOverflow);
        return;
      }
      context.count(TcpCounter.CookiesInvalid);
    }
    resetFor(context, segment, destination, source);
    return;
  }
  if (!segment.has(TCP_SYN)) return;
  if (listener.ready.length >= listener.backlog) {
    context.count(TcpCounter.ListenOverflow);
    return;
  }
  if (listener.halfOpen >= listener.halfOpenLimit) {
    if (!config.synCookies) {
      context.count(TcpCounter.ListenOverflow);
      return;
    }
    const cookie = cookieMake(context.secrets, destination, segment.destinationPort, source, segment.sourcePort, segment.sequence, segment.mss != 0 ? segment.mss : MSS_DEFAULT, now);
    transmitBare(context, destination, segment.destinationPort, source, segment.sourcePort, cookie, segment.sequence + 1, TCP_SYN | TCP_ACK, min(listener.receiveCapacity, 0xffff), config.mss);
    listener.cookiesSent = true;
    listener.cookiesSentAt = now;
    context.count(TcpCounter.CookiesSent);
    return;
  }
  // A half-open connection (data in the SYN is not taken: the peer sends it again).
  const c = new TcpConnection(context, listener.sendCapacity, listener.receiveCapacity, Buffers.WhenEstablished);
  c.receiveLimit = max(listener.receiveLimit, listener.receiveCapacity);
  c.localAddress = destination;
  c.localPort = segment.destinationPort;
  c.remoteAddress = source;
  c.remotePort = segment.sourcePort;
  c.listener = listener;
  listener.halfOpen++;
  c.irs = segment.sequence;
  c.rcvNxt = segment.sequence + 1;
  c.rcvAdvertised = c.rcvNxt;
  c.iss = context.secrets.initialSequence(destination, c.localPort, source, c.remotePort, now);
  c.sndUna = c.iss;
  c.sndNxt = c.iss + 1;
  c.sndMax = c.sndNxt;
  c.recover = c.iss;
  c.rcvMss = config.mss;
  c.windowScaling = config.windowScaling;
  c.rcvScale = scaleFor(c.receiveLimit);
  c.sackEnabled = config.sack;
  c.timestampsEnabled = config.timestamps;
  c.tsOffset = context.secrets.timestampOffset(destination, c.localPort, source, c.remotePort);
  negotiate(c, segment);
  c.sndWnd = segment.window;   // RFC 7323 §2.2: a SYN's window is never scaled
  c.maxSndWnd = c.sndWnd;
  c.sndWl1 = segment.sequence;
  c.sndWl2 = c.iss;
  c.lastReceived = now;
  c.state = TcpState.SynReceived;
  context.table.insert(c);
  sendSyn(c, TCP_SYN | TCP_ACK);
  c.rttTiming = !c.timestampsEnabled;
  c.rttSequence = c.iss;
  c.rttStart = now;
  c.retransmitAt = now + c.rtt.rto;
}

/** The ACK of a SYN-ACK that carried a cookie: the connection, established at once. */
function fromCookie(context: TcpContext, listener: TcpListener, segment: TcpSegment, payload: usize, source: u32, destination: u32, mss: u32): void {
  const c = new TcpConnection(context, listener.sendCapacity, listener.receiveCapacity, Buffers.WhenEstablished);
  c.localAddress = destination;
  c.localPort = segment.destinationPort;
  c.remoteAddress = source;
  c.remotePort = segment.sourcePort;
  c.listener = listener;
  listener.halfOpen++;   // establish() moves it to the accept queue
  c.irs = segment.sequence - 1;
  c.rcvNxt = segment.sequence;
  c.rcvAdvertised = c.rcvNxt + min(listener.receiveCapacity, 0xffff);
  c.iss = segment.acknowledgment - 1;
  c.sndUna = segment.acknowledgment;
  c.sndNxt = c.sndUna;
  c.sndMax = c.sndUna;
  c.recover = c.iss;
  c.rcvMss = context.config.mss;
  c.sndMss = max(mss, MSS_MINIMUM);
  c.sndWnd = segment.window;
  c.maxSndWnd = c.sndWnd;
  c.sndWl1 = segment.sequence;
  c.sndWl2 = segment.acknowledgment;
  c.lastReceived = context.host.now();
  context.table.insert(c);
  establish(c);
  processText(c, segment, payload);
  tcpOutput(c);
}
