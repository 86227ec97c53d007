// tcp-echo: a TCP echo server (RFC 862) on port 7 (or the start argument, when it names a port):
// every byte a peer sends goes back to it, until the peer shuts its side down; then the server
// closes. Serves up to MAXIMUM_CONNECTIONS at once on one ring event loop (userspace/rt/
// event-loop.ts): one accept under way, and per connection one receive or send; a failed
// connection is counted and closed, and the server goes on.

import { KernelError, kernelErrorName } from "../../../abi/errors";
import { Console, Network, startArgument, TcpListener, Timer } from "../../rt/index";
import { EventLoop, loopReserveHeap, Task } from "../../rt/event-loop";
import { Acceptor, peerText, taskRelease, TcpServer, tcpReceive, tcpSend } from "../../rt/tcp-server";

const ECHO_PORT: u32 = 7;
const MAXIMUM_CONNECTIONS: i32 = 64;
const BACKLOG: u32 = 8;   // each waiting connection's buffers are charged to the listener
const BUFFER_SIZE: usize = 16384;
/** Failed connections reported one by one. */
const REPORTED_FAILURES: u64 = 20;

enum Step { Receiving, Sending, Closing }

class Connection extends Task {
  socket: u64 = 0;
  peer: u64 = 0;
  step: Step = Step.Closing;
  length: usize = 0;
  sent: usize = 0;

  constructor(readonly server: EchoServer, readonly buffer: usize) { super(); }

  begin(loop: EventLoop, socket: u64, peer: u64): void {
    this.socket = socket;
    this.peer = peer;
    this.receive(loop);
  }

  receive(loop: EventLoop): void {
    this.step = Step.Receiving;
    tcpReceive(loop, this, this.socket, this.buffer, BUFFER_SIZE);
  }

  send(loop: EventLoop): void {
    this.step = Step.Sending;
    tcpSend(loop, this, this.socket, this.buffer + this.sent, this.length - this.sent);
  }

  close(loop: EventLoop): void {
    this.step = Step.Closing;
    taskRelease(loop, this, this.socket);
  }

  complete(loop: EventLoop, result: i64, value: u64): void {
    if (this.step == Step.Closing) {
      this.server.ended(loop, this);
      return;
    }
    if (result == -(<i64>KernelError.TimedOut)) {   // idle, or no room: give the slot a turn
      if (this.step == Step.Receiving) this.receive(loop);
      else this.send(loop);
      return;
    }
    if (result < 0) {
      this.server.failed(loop, this, result);
      this.close(loop);
      return;
    }
    if (this.step == Step.Receiving) {
      if (result == 0) { this.close(loop); return; }   // the peer shut down: we are done
      this.length = <usize>result;
      this.sent = 0;
      this.server.bytes += <u64>result;
      this.send(loop);
      return;
    }
    this.sent += <usize>result;
    if (this.sent < this.length) this.send(loop);
    else this.receive(loop);
  }
}

class EchoServer extends TcpServer {
  readonly idle: Connection[] = [];
  acceptor: Acceptor | null = null;
  open: i32 = 0;
  served: u64 = 0;
  failures: u64 = 0;
  bytes: u64 = 0;

  constructor() {
    super();
    const buffers = memory.data(<i32>(BUFFER_SIZE * <usize>MAXIMUM_CONNECTIONS), 16);
    for (let i = 0; i < MAXIMUM_CONNECTIONS; i++) this.idle.push(new Connection(this, buffers + <usize>i * BUFFER_SIZE));
  }

  canAccept(): bool {
    return this.idle.length > 0;
  }

  accepted(loop: EventLoop, acceptor: Acceptor, socket: u64, peer: u64): void {
    const connection = this.idle.pop();
    if (!loop.add(connection)) abort("tcp-echo: the loop's table is smaller than the connections");
    this.open++;
    connection.begin(loop, socket, peer);
  }

  failed(loop: EventLoop, connection: Connection, error: i64): void {
    this.failures++;
    if (this.failures <= REPORTED_FAILURES) {
      loop.print("tcp-echo: connection from " + peerText(connection.peer) + " failed: " + kernelErrorName(<KernelError>(-error)));
    }
  }

  ended(loop: EventLoop, connection: Connection): void {
    loop.remove(connection);
    this.idle.push(connection);
    this.open--;
    this.served++;
    this.acceptor!.resume(loop);
  }
}

export function main(): i32 {
  const console = Console.granted();
  const network = Network.granted();
  if (console === null) return 1;
  if (network === null) {
    console.line("tcp-echo: no network grant");
    return 2;
  }
  const timer = Timer.granted();
  const requested = startArgument();
  const port = requested > 0 && requested <= 0xffff ? requested : ECHO_PORT;
  const error = new StaticArray<i64>(1);
  const listener = TcpListener.listen(network.handle, port, BACKLOG, error);
  if (listener === null) {
    console.line("tcp-echo: cannot listen on port " + port.toString() + ": " + kernelErrorName(<KernelError>(-error[0])));
    return 3;
  }
  const server = new EchoServer();
  const loop = new EventLoop(MAXIMUM_CONNECTIONS + 1);
  const acceptor = new Acceptor("tcp-echo", listener.handle, listener.port, server, timer !== null ? timer.handle : 0);
  server.acceptor = acceptor;
  loop.add(acceptor);
  loopReserveHeap(1 << 20);
  console.line("tcp-echo: listening on port " + listener.port.toString());
  acceptor.resume(loop);
  loop.run();   // never ends: the acceptor always has an accept or a pause under way
  return 0;
}
