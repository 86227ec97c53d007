// The TCP core's entry points (net/socket/tcp/): one TcpStack per interface holds the host,
// configuration, ISN secret, connections and listeners. The IP layer calls input() with each
// segment for this host, the timer tick calls poll() (nextDeadline() says when next), and the
// object layer makes connections and listeners and calls the user operations of RFC 9293 §3.9.1
// (connect, listen, accept, send, receive, shutdown, close, abort, and the Nagle and keep-alive
// switches). Errors are KernelError values; send and receive return a byte count or a negated
// KernelError (the ring's convention):
//   InvalidArgument  the connection is not in a state for the call (never connected, sending
//                    shut down, connect on a used connection)
//   AddressInUse     connect: the 4-tuple exists; listen: the address and port are taken
//   QueueFull        would block: send found no room, receive found nothing (and no FIN)
//   PeerEnded        the peer reset the connection, or refused it
//   TimedOut         retransmissions or keep-alive probes went unanswered
// After every event the host hears which connections and listeners changed.

import { KernelError } from "../../../../abi/errors";
import { TransportChecksum } from "../../wire/frame";
import { icmpErrorEndsConnect } from "../../wire/icmp-quote";
import { TCP_VERDICTS, tcpParse, TcpSegment, TcpVerdict, TCP_ACK, TCP_SYN } from "../../wire/tcp";
import { Buffers, KeepAlive, Nagle, TcpConnection, TcpFailure, TcpState } from "./connection";
import { TcpConfig } from "./config";
import { TcpContext, TcpCounter } from "./context";
import { TcpHost } from "./host";
import { receiveSpaceAdjust } from "./autotune";
import { connectionInput } from "./input";
import { TcpSecrets } from "./isn";
import { closeConnection, fail, Reset } from "./lifecycle";
import { listenerInput, TcpListener } from "./listener";
import { resetFor, scaleFor, sendSyn, tcpOutput, windowUpdateDue } from "./output";
import { seqGt, seqLt } from "./seq";
import { connectionDeadline, connectionTimers } from "./timers";

@inline function listenerKey(address: u32, port: u32): u64 {
  return (<u64>address << 16) | <u64>(port & 0xffff);
}

export class TcpStack {
  readonly context: TcpContext;
  private readonly listeners: Map<u64, TcpListener> = new Map<u64, TcpListener>();
  private readonly parsed: TcpSegment = new TcpSegment();
  readonly verdicts: StaticArray<u64> = new StaticArray<u64>(TCP_VERDICTS);

  /** `key0`, `key1`: the 128-bit ISN secret from the kernel's CSPRNG (RFC 6528 §3). */
  constructor(host: TcpHost, config: TcpConfig, key0: u64, key1: u64) {
    this.context = new TcpContext(host, config, new TcpSecrets(key0, key1));
  }

  counter(counter: TcpCounter): u64 {
    return this.context.counters[<i32>counter];
  }

  // The IP layer and the clock.

  /** A TCP segment of `length` bytes at `segment` from `source` to `destination` (this host). */
  input(segment: usize, length: u32, source: u32, destination: u32, transport: TransportChecksum = TransportChecksum.Verify): TcpVerdict {
    const parsed = this.parsed;
    const verdict = tcpParse(segment, length, source, destination, parsed, transport);
    unchecked(this.verdicts[<i32>verdict]++);
    if (verdict != TcpVerdict.Accepted) return verdict;
    const context = this.context;
    context.count(TcpCounter.SegmentsReceived);
    const payload = segment + <usize>parsed.headerLength;
    let c = context.table.find(destination, parsed.destinationPort, source, parsed.sourcePort);
    // RFC 9293 §3.6.1 and RFC 6191: a new SYN above RCV.NXT ends a connection in TIME-WAIT.
    if (c !== null && c.state == TcpState.TimeWait && parsed.has(TCP_SYN) && !parsed.has(TCP_ACK) && seqGt(parsed.sequence, c.rcvNxt)) {
      closeConnection(c);
      c = null;
    }
    if (c !== null) {
      connectionInput(c, parsed, payload);
      context.host.connectionChanged(c);
      return verdict;
    }
    const listener = this.findListener(destination, parsed.destinationPort);
    if (listener !== null) {
      listenerInput(context, listener, parsed, payload, source, destination);
      return verdict;
    }
    context.count(TcpCounter.NoConnection);
    resetFor(context, parsed, destination, source);
    return verdict;
  }

  /** An ICMP error (RFC 1122 4.2.3.9, RFC 5927) of `type` and `code` quoting a segment from
   * `localAddress`:`localPort` to `remoteAddress`:`remotePort` with `sequence`. One that ends a
   * connect (icmpErrorEndsConnect) ends a connection still in SYN-SENT whose SYN it quotes
   * (SND.UNA <= the sequence <= SND.NXT, so a blind attacker must guess it, RFC 5927 §4.1) with
   * TcpFailure.Unreachable, as Linux's tcp_v4_err ends a connect. A connection past SYN-SENT
   * goes on (soft errors: its timers decide, RFC 1122). True when one ended. */
  icmpError(localAddress: u32, localPort: u32, remoteAddress: u32, remotePort: u32, sequence: u32, type: u32, code: u32): bool {
    if (!icmpErrorEndsConnect(type, code)) return false;
    const context = this.context;
    const c = context.table.find(localAddress, localPort, remoteAddress, remotePort);
    if (c === null || c.state != TcpState.SynSent || seqLt(sequence, c.sndUna) || seqGt(sequence, c.sndNxt)) return false;
    c.icmpType = type;
    c.icmpCode = code;
    fail(c, TcpFailure.Unreachable, Reset.Silent);
    context.host.connectionChanged(c);
    return true;
  }

  /** Defers the output an arriving segment calls for until flushOutput (the kernel's host, at
   * the end of each kernel entry), or not (the default: at once, as the host tests expect). */
  deferOutput(defer: bool): void {
    this.context.deferOutput = defer;
  }

  /** Whether output waits for flushOutput. */
  @inline outputWaiting(): bool {
    return this.context.pendingOutput.length != 0;
  }

  /** The output deferred since the last call, a connection at a time, in arrival order. */
  flushOutput(): void {
    const context = this.context;
    const pending = context.pendingOutput;
    for (let i = 0; i < pending.length; i++) {   // output may defer nothing more: input is not running
      const c = unchecked(pending[i]);
      c.outputPending = false;
      if (c.state == TcpState.Closed) continue;
      tcpOutput(c);
      context.host.connectionChanged(c);
    }
    pending.length = 0;
  }

  /** Runs every timer due now. */
  poll(): void {
    const context = this.context;
    const now = context.host.now();
    let c = context.table.first;
    while (c !== null) {
      const next = c.next;   // the connection may leave the table
      const deadline = connectionDeadline(c);
      if ((deadline != 0 && deadline <= now) || c.keepAlive == KeepAlive.On) {
        connectionTimers(c, now);
        context.host.connectionChanged(c);
      }
      c = next;
    }
  }

  /** The earliest timer deadline (ns), 0 when none is armed. */
  nextDeadline(): u64 {
    let next: u64 = 0;
    let c = this.context.table.first;
    while (c !== null) {
      const deadline = connectionDeadline(c);
      if (deadline != 0 && (next == 0 || deadline < next)) next = deadline;
      c = c.next;
    }
    return next;
  }

  // Connections and listeners.

  /** A connection in CLOSED with send and receive buffers of the given capacities. */
  createConnection(sendCapacity: u32, receiveCapacity: u32): TcpConnection {
    return new TcpConnection(this.context, sendCapacity, receiveCapacity, Buffers.Now);
  }

  /** RFC 9293 §3.10.1 active OPEN: sends the SYN. */
  connect(c: TcpConnection, localAddress: u32, localPort: u32, remoteAddress: u32, remotePort: u32): KernelError {
    if (c.state != TcpState.Closed || c.inTable || c.established || c.failure != TcpFailure.None || c.context !== this.context) return KernelError.InvalidArgument;
    if (localPort == 0 || localPort > 0xffff || remotePort == 0 || remotePort > 0xffff) return KernelError.InvalidArgument;
    const context = this.context, config = context.config;
    if (context.table.find(localAddress, localPort, remoteAddress, remotePort) !== null) return KernelError.AddressInUse;
    const now = context.host.now();
    c.localAddress = localAddress;
    c.localPort = localPort;
    c.remoteAddress = remoteAddress;
    c.remotePort = remotePort;
    c.iss = context.secrets.initialSequence(localAddress, localPort, remoteAddress, remotePort, now);
    c.sndUna = c.iss;
    c.sndNxt = c.iss + 1;
    c.sndMax = c.sndNxt;
    c.recover = c.iss;
    c.rcvMss = config.mss;
    c.windowScaling = config.windowScaling;
    c.rcvScale = config.windowScaling ? scaleFor(c.receiveLimit) : 0;
    c.sackEnabled = config.sack;
    c.timestampsEnabled = config.timestamps;
    c.tsOffset = context.secrets.timestampOffset(localAddress, localPort, remoteAddress, remotePort);
    c.state = TcpState.SynSent;
    c.lastReceived = now;
    context.table.insert(c);
    sendSyn(c, TCP_SYN);
    c.rttTiming = true;
    c.rttSequence = c.iss;
    c.rttStart = now;
    c.retransmitAt = now + c.rtt.rto;
    return KernelError.None;
  }

  /** RFC 9293 §3.10.1 passive OPEN on `address` (0: every address of this host) and `port`. */
  listen(listener: TcpListener, address: u32, port: u32): KernelError {
    if (listener.listening || port == 0 || port > 0xffff || listener.backlog < 1 || listener.halfOpenLimit < 1) return KernelError.InvalidArgument;
    const key = listenerKey(address, port);
    if (this.listeners.has(key)) return KernelError.AddressInUse;
    listener.localAddress = address;
    listener.localPort = port;
    listener.listening = true;
    this.listeners.set(key, listener);
    return KernelError.None;
  }

  /** The oldest connection that completed its handshake, or null when none waits. */
  accept(listener: TcpListener): TcpConnection | null {
    if (listener.ready.length == 0) return null;
    const c = listener.ready.shift();
    c.listener = null;
    return c;
  }

  /** Stops listening: connections not yet accepted are reset. */
  closeListener(listener: TcpListener): void {
    if (!listener.listening) return;
    this.listeners.delete(listenerKey(listener.localAddress, listener.localPort));
    listener.listening = false;
    while (listener.ready.length > 0) {
      const c = listener.ready[0];
      fail(c, TcpFailure.Aborted, Reset.Send);   // leaves the queue through listenerForget
      if (listener.ready.length > 0 && listener.ready[0] === c) listener.ready.shift();
    }
    let c = this.context.table.first;
    while (c !== null) {
      const next = c.next;
      if (c.listener === listener) fail(c, TcpFailure.Aborted, Reset.Send);
      c = next;
    }
  }

  /** Queues up to `length` bytes from `data`: the count taken, or a negated KernelError. */
  send(c: TcpConnection, data: usize, length: u32): i64 {
    const problem = this.failureError(c);
    if (problem != KernelError.None) return -(<i64>problem);
    if (!this.canSend(c) || c.finQueued || c.send.capacity == 0) return -(<i64>KernelError.InvalidArgument);
    const taken = c.send.write(data, length);
    if (taken == 0 && length > 0) return -(<i64>KernelError.QueueFull);
    if (c.synchronized) tcpOutput(c);
    this.context.host.connectionChanged(c);
    return <i64>taken;
  }

  /** Moves up to `length` received bytes to `destination`: the count, 0 at the end of the
   * stream, or a negated KernelError. */
  receive(c: TcpConnection, destination: usize, length: u32): i64 {
    const taken = c.receive.read(destination, length);
    if (taken > 0) {
      receiveSpaceAdjust(c, taken);
      if (c.synchronized && c.state != TcpState.TimeWait && windowUpdateDue(c)) {
        c.ackNow = true;
        tcpOutput(c);
      }
      return <i64>taken;
    }
    if (c.finReceived) return 0;
    if (length == 0) return 0;
    const problem = this.failureError(c);
    if (problem != KernelError.None) return -(<i64>problem);
    if (c.state == TcpState.Closed) return -(<i64>KernelError.InvalidArgument);
    return -(<i64>KernelError.QueueFull);
  }

  /** Room for a send that copies into the send buffer itself (its write spans, then
   * sendCommitted): the bytes free (0 when it is full), or a negated KernelError (send's). */
  sendRoom(c: TcpConnection): i64 {
    const problem = this.failureError(c);
    if (problem != KernelError.None) return -(<i64>problem);
    if (!this.canSend(c) || c.finQueued || c.send.capacity == 0) return -(<i64>KernelError.InvalidArgument);
    return <i64>c.send.free;
  }

  /** `count` bytes were written into the send buffer's write spans and committed: send them. */
  sendCommitted(c: TcpConnection): void {
    if (c.synchronized) tcpOutput(c);
    this.context.host.connectionChanged(c);
  }

  /** The caller took `count` bytes from the receive buffer's read span (and consumed them): the
   * window update receive() would send. */
  receiveConsumed(c: TcpConnection, copied: u32): void {
    receiveSpaceAdjust(c, copied);
    if (c.synchronized && c.state != TcpState.TimeWait && windowUpdateDue(c)) {
      c.ackNow = true;
      tcpOutput(c);
    }
  }

  /** RFC 9293 §3.10.4 CLOSE, for sending only (a half-close): the FIN follows the queued data. */
  shutdown(c: TcpConnection): KernelError {
    const problem = this.failureError(c);
    if (problem != KernelError.None) return problem;
    const state = c.state;
    if (state == TcpState.Closed || state == TcpState.Listen) return KernelError.InvalidArgument;
    if (state == TcpState.SynSent) {
      closeConnection(c);
      return KernelError.None;
    }
    if (c.finQueued) return KernelError.None;
    c.finQueued = true;
    if (state == TcpState.Established) c.state = TcpState.FinWait1;
    else if (state == TcpState.CloseWait) c.state = TcpState.LastAck;
    // SYN-RECEIVED: establish() goes to FIN-WAIT-1.
    if (c.synchronized) tcpOutput(c);
    this.context.host.connectionChanged(c);
    return KernelError.None;
  }

  /** The user lets go of the connection: a FIN after the queued data, and the stack ends it. With
   * unread data it is reset instead (RFC 2525 §2.17). */
  close(c: TcpConnection): KernelError {
    if (c.state == TcpState.Closed) return KernelError.None;
    c.orphaned = true;
    if (c.receive.length > 0 && c.synchronized) {
      fail(c, TcpFailure.Aborted, Reset.Send);
      return KernelError.None;
    }
    this.shutdown(c);
    if (c.state == TcpState.FinWait2) c.closeAt = this.context.host.now() + this.context.config.finWait2Timeout;
    return KernelError.None;
  }

  /** RFC 9293 §3.10.5 ABORT: a RST to the peer, and CLOSED. */
  abort(c: TcpConnection): void {
    if (c.state == TcpState.Closed) return;
    fail(c, TcpFailure.Aborted, Reset.Send);
    this.context.host.connectionChanged(c);
  }

  setNagle(c: TcpConnection, nagle: Nagle): void {
    c.nagle = nagle;
    if (nagle == Nagle.Off && c.synchronized) tcpOutput(c);
  }

  /** Keep-alive on or off; `idle`, `interval` (ns) and `count` replace the defaults when not 0. */
  setKeepAlive(c: TcpConnection, keepAlive: KeepAlive, idle: u64, interval: u64, count: u32): void {
    c.keepAlive = keepAlive;
    if (idle != 0) c.keepAliveIdle = idle;
    if (interval != 0) c.keepAliveInterval = interval;
    if (count != 0) c.keepAliveCount = count;
    c.keepAliveProbes = 0;
    c.keepAliveAt = keepAlive == KeepAlive.On ? c.lastReceived + c.keepAliveIdle : 0;
  }

  private canSend(c: TcpConnection): bool {
    const state = c.state;
    return state == TcpState.SynSent || state == TcpState.SynReceived || state == TcpState.Established || state == TcpState.CloseWait;
  }

  private failureError(c: TcpConnection): KernelError {
    const failure = c.failure;
    if (failure == TcpFailure.None) return KernelError.None;
    if (failure == TcpFailure.TimedOut) return KernelError.TimedOut;
    if (failure == TcpFailure.Aborted) return KernelError.InvalidArgument;
    return KernelError.PeerEnded;
  }

  private findListener(address: u32, port: u32): TcpListener | null {
    const exact = listenerKey(address, port);
    if (this.listeners.has(exact)) return this.listeners.get(exact);
    const any = listenerKey(0, port);
    return this.listeners.has(any) ? this.listeners.get(any) : null;
  }
}
