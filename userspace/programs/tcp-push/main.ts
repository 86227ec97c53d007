// tcp-push: the guest side of the impaired-link test. The start text (args=) is
// "A.B.C.D:PORT:N:SEED": it connects, sends N bytes of a deterministic stream (xorshift64 from
// SEED: x ^= x << 13; x ^= x >> 7; x ^= x << 17, each new x as 8 little-endian bytes; the last one
// cut; tests/qemu/stream.py makes the same bytes) while receiving everything the peer sends until
// its end of stream, hashing both with SHA-256. After the last byte it shuts its side down. Prints
//   tcp-push: sent <N> sha256 <hex>
//   tcp-push: received <M> sha256 <hex>
//   tcp-push: closed
// (the first two in either order) and exits 0; on a failure "tcp-push: error: ..." and non-zero.
// Sending and receiving are two tasks of one ring event loop (userspace/rt/event-loop.ts).

import { KernelError, kernelErrorName } from "../../../abi/errors";
import { TcpSocketMethod } from "../../../abi/methods";
import { Opcode } from "../../../abi/ring";
import { Console, ipv4Parse, Network, startText, TcpSocket } from "../../rt/index";
import { EventLoop, loopReserveHeap, Task } from "../../rt/event-loop";
import { Sha256 } from "../../rt/sha256";
import { taskRelease, tcpReceive, tcpSend } from "../../rt/tcp-server";

const CHUNK: usize = 65536;
const CONNECT_TIMEOUT: u64 = 30_000_000_000;

class Push {
  failed: bool = false;
  sendingDone: bool = false;
  receivingDone: bool = false;
  closing: bool = false;

  constructor(readonly socket: u64) {}

  /** Ends the run with an error line; the connection is reset. */
  fail(loop: EventLoop, what: string, result: i64): void {
    if (this.failed) return;
    this.failed = true;
    loop.print("tcp-push: error: " + what + ": " + kernelErrorName(<KernelError>(-result)));
    this.closeWhenDone(loop, true);
  }

  /** Both directions done (or a failure): the close. */
  closeWhenDone(loop: EventLoop, now: bool): void {
    if (this.closing || !(now || (this.sendingDone && this.receivingDone))) return;
    this.closing = true;
    closer.abort = this.failed;
    closer.start(loop);
  }
}

class Sender extends Task {
  state: u64;
  total: u64;
  produced: u64 = 0;
  length: usize = 0;
  sent: usize = 0;
  shuttingDown: bool = false;
  readonly hash: Sha256 = new Sha256();
  readonly buffer: usize = memory.data(<i32>CHUNK, 16);

  constructor(readonly push: Push, total: u64, seed: u64) {
    super();
    this.total = total;
    this.state = seed;
  }

  /** The next piece of the stream into the buffer, hashed; then its send. */
  next(loop: EventLoop): void {
    if (this.produced == this.total) {
      this.shuttingDown = true;
      loop.submit(this, Opcode.Call, this.push.socket, TcpSocketMethod.Shutdown);
      return;
    }
    const length = <usize>min(this.total - this.produced, <u64>CHUNK);   // a multiple of 8 but the last
    let x = this.state;
    for (let i: usize = 0; i < length; i += 8) {
      x ^= x << 13; x ^= x >> 7; x ^= x << 17;
      if (length - i >= 8) store<u64>(this.buffer + i, x);
      else for (let b: usize = 0; b < length - i; b++) store<u8>(this.buffer + i + b, <u8>(x >> (b * 8)));
    }
    this.state = x;
    this.hash.update(this.buffer, length);
    this.produced += <u64>length;
    this.length = length;
    this.sent = 0;
    tcpSend(loop, this, this.push.socket, this.buffer, length);
  }

  complete(loop: EventLoop, result: i64, value: u64): void {
    if (this.push.failed) return;
    if (this.shuttingDown) {
      if (result < 0) { this.push.fail(loop, "shutdown", result); return; }
      loop.print("tcp-push: sent " + this.produced.toString() + " sha256 " + this.hash.finish());
      this.push.sendingDone = true;
      this.push.closeWhenDone(loop, false);
      return;
    }
    if (result == -(<i64>KernelError.TimedOut)) result = 0;   // no room yet: again
    else if (result < 0) { this.push.fail(loop, "send after " + (this.produced - <u64>(this.length - this.sent)).toString() + " bytes", result); return; }
    this.sent += <usize>result;
    if (this.sent < this.length) tcpSend(loop, this, this.push.socket, this.buffer + this.sent, this.length - this.sent);
    else this.next(loop);
  }
}

class Receiver extends Task {
  received: u64 = 0;
  readonly hash: Sha256 = new Sha256();
  readonly buffer: usize = memory.data(<i32>CHUNK, 16);

  constructor(readonly push: Push) { super(); }

  next(loop: EventLoop): void {
    tcpReceive(loop, this, this.push.socket, this.buffer, CHUNK);
  }

  complete(loop: EventLoop, result: i64, value: u64): void {
    if (this.push.failed) return;
    if (result == -(<i64>KernelError.TimedOut)) { this.next(loop); return; }
    if (result < 0) { this.push.fail(loop, "receive after " + this.received.toString() + " bytes", result); return; }
    if (result == 0) {
      loop.print("tcp-push: received " + this.received.toString() + " sha256 " + this.hash.finish());
      this.push.receivingDone = true;
      this.push.closeWhenDone(loop, false);
      return;
    }
    this.hash.update(this.buffer, <usize>result);
    this.received += <u64>result;
    this.next(loop);
  }
}

/** The close (a release; after a failure an abort first), then the loop's end. */
class Closer extends Task {
  push: Push | null = null;
  abort: bool = false;
  released: bool = false;

  start(loop: EventLoop): void {
    if (this.abort) loop.submit(this, Opcode.Call, this.push!.socket, TcpSocketMethod.Abort);
    else this.release(loop);
  }

  release(loop: EventLoop): void {
    this.released = true;
    taskRelease(loop, this, this.push!.socket);
  }

  complete(loop: EventLoop, result: i64, value: u64): void {
    if (!this.released) { this.release(loop); return; }
    if (!this.abort) loop.print("tcp-push: closed");
    loop.stopping = true;
  }
}
const closer = new Closer();

/** "A.B.C.D:PORT:N:SEED" into `fields` (address, port, N, seed); false when it is not one. */
function argumentsParse(text: string, fields: StaticArray<u64>): bool {
  const parts = text.split(":");
  if (parts.length != 4) return false;
  const address = ipv4Parse(parts[0]);
  if (address < 0) return false;
  unchecked(fields[0] = <u64>address);
  for (let p = 1; p < 4; p++) {
    const part = parts[p];
    if (part.length == 0 || part.length > 19) return false;
    let value: u64 = 0;
    for (let i = 0; i < part.length; i++) {
      const digit = part.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) return false;
      value = value * 10 + <u64>digit;
    }
    unchecked(fields[p] = value);
  }
  return fields[1] > 0 && fields[1] <= 0xffff && fields[3] != 0;   // xorshift64 stays at 0 from 0
}

export function main(): i32 {
  const console = Console.granted();
  if (console === null) return 1;
  const network = Network.granted();
  if (network === null) { console.line("tcp-push: error: no network grant"); return 2; }
  const fields = new StaticArray<u64>(4);
  if (!argumentsParse(startText(), fields)) {
    console.line("tcp-push: error: args= must be A.B.C.D:PORT:N:SEED (SEED not 0), not '" + startText() + "'");
    return 3;
  }
  const error = new StaticArray<i64>(1);
  const socket = TcpSocket.connect(network.handle, <u32>fields[0], <u32>fields[1], 0, CONNECT_TIMEOUT, error);
  if (socket === null) {
    console.line("tcp-push: error: connect: " + kernelErrorName(<KernelError>(-error[0])));
    return 4;
  }
  const push = new Push(socket.handle);
  closer.push = push;
  const loop = new EventLoop(3);
  const sender = new Sender(push, fields[2], fields[3]), receiver = new Receiver(push);
  loop.add(sender);
  loop.add(receiver);
  loop.add(closer);
  loopReserveHeap(1 << 20);
  receiver.next(loop);
  sender.next(loop);
  loop.run();
  return push.failed ? 5 : 0;
}
