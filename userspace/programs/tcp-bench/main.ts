// tcp-bench: the guest side of the TCP benchmark (bench/; a Linux program speaks the same
// protocol on the other side). Three listeners, served by one ring event loop
// (userspace/rt/event-loop.ts), up to MAXIMUM_CONNECTIONS at once:
//   5001 sink:   accept, read until the end of the stream, close (throughput in);
//   5002 source: accept, read one line "N\n" (N decimal), send N bytes of a fixed pattern
//                (byte i of the stream is i mod 256), close (throughput out);
//   5003 rr:     accept, read until "\n", answer "ok\n", close (connections per second).
// Prints "tcp-bench: ready" once all three listen.

import { KernelError, kernelErrorName } from "../../../abi/errors";
import { Console, Network, startArgument, TcpListener, Timer } from "../../rt/index";
import { EventLoop, loopReserveHeap, Task } from "../../rt/event-loop";
import { decimalParse } from "../../rt/http";
import { Acceptor, peerText, taskRelease, TcpServer, tcpReceive, tcpSend } from "../../rt/tcp-server";

const SINK_PORT: u32 = 5001;
const SOURCE_PORT: u32 = 5002;
const RR_PORT: u32 = 5003;
const MAXIMUM_CONNECTIONS: i32 = 64;
const BACKLOG: u32 = 8;   // per listener; each waiting connection's buffers are charged to it
/** The bulk ports' sockets' buffers (send and receive, each), as a bulk server sets SO_RCVBUF and
 * SO_SNDBUF: the receive buffer is the most the window opens, the send buffer the most in
 * flight. The rr port keeps the default. Overridden by a start argument (bytes), when given. */
const BULK_BUFFER: u64 = 256 << 10;
/** The bulk ports' accept queues: short, since each place is charged two such buffers. */
const BULK_BACKLOG: u32 = 1;
/** Where sinks' bytes go (all of them: nobody reads it). */
const DISCARD_SIZE: usize = 65536;
/** The source pattern: PATTERN_PERIOD-aligned windows of PATTERN_SEND bytes. */
const PATTERN_SEND: usize = 65536;
const PATTERN_PERIOD: usize = 256;
/** A request line ("N\n", "...\n") is at most this long. */
const LINE_SIZE: usize = 64;
const REPORTED_FAILURES: u64 = 20;

enum Role { Sink, Source, Rr }
enum Step { Reading, Sending, Closing }

class Connection extends Task {
  socket: u64 = 0;
  peer: u64 = 0;
  role: Role = Role.Sink;
  step: Step = Step.Closing;
  lineLength: usize = 0;
  /** Bytes to send in all, and sent. */
  total: u64 = 0;
  sent: u64 = 0;

  constructor(readonly bench: Bench, readonly line: usize) { super(); }

  begin(loop: EventLoop, role: Role, socket: u64, peer: u64): void {
    this.role = role;
    this.socket = socket;
    this.peer = peer;
    this.lineLength = 0;
    this.read(loop);
  }

  read(loop: EventLoop): void {
    this.step = Step.Reading;
    if (this.role == Role.Sink) tcpReceive(loop, this, this.socket, this.bench.discard, DISCARD_SIZE);
    else tcpReceive(loop, this, this.socket, this.line + this.lineLength, LINE_SIZE - this.lineLength);
  }

  send(loop: EventLoop): void {
    this.step = Step.Sending;
    if (this.role == Role.Rr) {
      tcpSend(loop, this, this.socket, this.bench.ok + <usize>this.sent, <usize>(this.total - this.sent));
      return;
    }
    const length = <usize>min(this.total - this.sent, <u64>PATTERN_SEND);
    tcpSend(loop, this, this.socket, this.bench.pattern + <usize>(this.sent % <u64>PATTERN_PERIOD), length);
  }

  close(loop: EventLoop): void {
    this.step = Step.Closing;
    taskRelease(loop, this, this.socket);
  }

  complete(loop: EventLoop, result: i64, value: u64): void {
    if (this.step == Step.Closing) {
      this.bench.ended(loop, this);
      return;
    }
    if (result == -(<i64>KernelError.TimedOut)) {   // idle, or no room: give the slot a turn
      if (this.step == Step.Reading) this.read(loop);
      else this.send(loop);
      return;
    }
    if (result < 0) {
      this.bench.failed(loop, this, result);
      this.close(loop);
      return;
    }
    if (this.step == Step.Sending) {
      this.sent += <u64>result;
      if (this.sent < this.total) this.send(loop);
      else this.close(loop);
      return;
    }
    if (result == 0) { this.close(loop); return; }   // the end of the stream
    if (this.role == Role.Sink) { this.read(loop); return; }
    const start = this.lineLength;
    this.lineLength += <usize>result;
    for (let i = start; i < this.lineLength; i++) {
      if (load<u8>(this.line + i) != 0x0a) continue;
      if (this.role == Role.Rr) this.total = 3;
      else {
        const count = decimal(this.line, i);
        if (count < 0) { this.close(loop); return; }   // not "N\n": nothing to send
        this.total = <u64>count;
      }
      this.sent = 0;
      if (this.total == 0) this.close(loop);
      else this.send(loop);
      return;
    }
    if (this.lineLength == LINE_SIZE) this.close(loop);   // no line end in a full buffer
    else this.read(loop);
  }
}

/** The decimal number of the `length` bytes at `address` (an optional "\r" after it), or -1. */
function decimal(address: usize, length: usize): i64 {
  if (length > 0 && load<u8>(address + length - 1) == 0x0d) length--;
  return decimalParse(address, 0, length);
}

class Bench extends TcpServer {
  readonly idle: Connection[] = [];
  readonly acceptors: Acceptor[] = [];
  readonly discard: usize = memory.data(<i32>DISCARD_SIZE, 16);
  readonly pattern: usize = memory.data(<i32>(PATTERN_SEND + PATTERN_PERIOD), 16);
  readonly ok: usize = memory.data<u8>([0x6f, 0x6b, 0x0a]);
  failures: u64 = 0;

  constructor() {
    super();
    for (let i: usize = 0; i < PATTERN_SEND + PATTERN_PERIOD; i++) store<u8>(this.pattern + i, <u8>i);
    const lines = memory.data(<i32>(LINE_SIZE * <usize>MAXIMUM_CONNECTIONS), 16);
    for (let i = 0; i < MAXIMUM_CONNECTIONS; i++) this.idle.push(new Connection(this, lines + <usize>i * LINE_SIZE));
  }

  canAccept(): bool {
    return this.idle.length > 0;
  }

  accepted(loop: EventLoop, acceptor: Acceptor, socket: u64, peer: u64): void {
    const connection = this.idle.pop();
    if (!loop.add(connection)) abort("tcp-bench: the loop's table is smaller than the connections");
    connection.begin(loop, acceptor.port == SINK_PORT ? Role.Sink : acceptor.port == SOURCE_PORT ? Role.Source : Role.Rr, socket, peer);
  }

  failed(loop: EventLoop, connection: Connection, error: i64): void {
    this.failures++;
    if (this.failures <= REPORTED_FAILURES) {
      loop.print("tcp-bench: connection from " + peerText(connection.peer) + " failed: " + kernelErrorName(<KernelError>(-error)));
    }
  }

  ended(loop: EventLoop, connection: Connection): void {
    loop.remove(connection);
    this.idle.push(connection);
    for (let i = 0; i < this.acceptors.length; i++) this.acceptors[i].resume(loop);
  }
}

export function main(): i32 {
  const console = Console.granted();
  if (console === null) return 1;
  const network = Network.granted();
  if (network === null) {
    console.line("tcp-bench: no network grant");
    return 2;
  }
  const timer = Timer.granted();
  const bench = new Bench();
  const loop = new EventLoop(MAXIMUM_CONNECTIONS + 3);
  const ports: u32[] = [SINK_PORT, SOURCE_PORT, RR_PORT];
  const error = new StaticArray<i64>(1);
  for (let i = 0; i < ports.length; i++) {
    const buffer: u64 = ports[i] == RR_PORT ? 0 : (startArgument() != 0 ? <u64>startArgument() : BULK_BUFFER);
    const listener = TcpListener.listen(network.handle, ports[i], ports[i] == RR_PORT ? BACKLOG : BULK_BACKLOG, error, buffer);
    if (listener === null) {
      console.line("tcp-bench: cannot listen on port " + ports[i].toString() + ": " + kernelErrorName(<KernelError>(-error[0])));
      return 3;
    }
    const acceptor = new Acceptor("tcp-bench", listener.handle, listener.port, bench, timer !== null ? timer.handle : 0);
    bench.acceptors.push(acceptor);
    loop.add(acceptor);
  }
  loopReserveHeap(1 << 20);
  console.line("tcp-bench: ready");
  for (let i = 0; i < bench.acceptors.length; i++) bench.acceptors[i].resume(loop);
  loop.run();   // never ends: the acceptors always have an accept or a pause under way
  return 0;
}
