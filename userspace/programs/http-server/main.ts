// http-server: an HTTP/1.1 server (RFC 9110, 9112) on port 80 (or the start argument, when it
// names a port) for the files of the boot package, through its BootFiles grant: GET and HEAD of
// "/NAME" serve the file NAME ("/" serves index.html), with keep-alive, pipelining and the
// errors connection.ts lists. Up to MAXIMUM_CONNECTIONS at once on one ring event loop
// (userspace/rt/event-loop.ts); a summary line every 100 requests.

import { KernelError, kernelErrorName } from "../../../abi/errors";
import { BootFiles, Console, Network, startArgument, TcpListener, Timer } from "../../rt/index";
import { EventLoop, loopReserveHeap } from "../../rt/event-loop";
import { Acceptor, TcpServer } from "../../rt/tcp-server";
import { Connection, REQUEST_BUFFER_SIZE, SEND_BUFFER_SIZE, Shared } from "./connection";
import { INDEX_NAME } from "./request";

const HTTP_PORT: u32 = 80;
const MAXIMUM_CONNECTIONS: i32 = 64;
/** The longest accept queue (TCP_BACKLOG_MAXIMUM): a burst of clients (curl's 50 at once) waits
 * there; each waiting connection's buffers are charged to the listener. */
const BACKLOG: u32 = 64;

class HttpServer extends TcpServer {
  constructor(readonly shared: Shared) { super(); }

  canAccept(): bool {
    return this.shared.idle.length > 0;
  }

  accepted(loop: EventLoop, acceptor: Acceptor, socket: u64, peer: u64): void {
    const connection = this.shared.idle.pop();
    if (!loop.add(connection)) abort("http-server: the loop's table is smaller than the connections");
    this.shared.statistics.open++;
    this.shared.statistics.connections++;
    connection.begin(loop, socket, peer);
  }
}

export function main(): i32 {
  const console = Console.granted();
  if (console === null) return 1;
  const network = Network.granted();
  const files = BootFiles.granted();
  if (network === null || files === null) {
    console.line("http-server: no " + (network === null ? "network" : "boot-files") + " grant");
    return 2;
  }
  const timer = Timer.granted();
  const requested = startArgument();
  const port = requested > 0 && requested <= 0xffff ? requested : HTTP_PORT;
  const error = new StaticArray<i64>(1);
  const listener = TcpListener.listen(network.handle, port, BACKLOG, error);
  if (listener === null) {
    console.line("http-server: cannot listen on port " + port.toString() + ": " + kernelErrorName(<KernelError>(-error[0])));
    return 3;
  }
  const shared = new Shared(files.handle, String.UTF8.encode(INDEX_NAME));
  const requests = memory.data(<i32>(REQUEST_BUFFER_SIZE * <usize>MAXIMUM_CONNECTIONS), 16);
  const sends = memory.data(<i32>(SEND_BUFFER_SIZE * <usize>MAXIMUM_CONNECTIONS), 16);
  for (let i = 0; i < MAXIMUM_CONNECTIONS; i++) {
    shared.idle.push(new Connection(shared, requests + <usize>i * REQUEST_BUFFER_SIZE, sends + <usize>i * SEND_BUFFER_SIZE));
  }
  const loop = new EventLoop(MAXIMUM_CONNECTIONS + 1);
  const acceptor = new Acceptor("http-server", listener.handle, listener.port, new HttpServer(shared), timer !== null ? timer.handle : 0);
  shared.acceptor = acceptor;
  loop.add(acceptor);
  loopReserveHeap(1 << 20);
  console.line("http-server: listening on port " + listener.port.toString());
  acceptor.resume(loop);
  loop.run();   // never ends: the acceptor always has an accept or a pause under way
  return 0;
}
