// TCP servers on the event loop (userspace/rt/event-loop.ts): an Acceptor task keeps one accept
// under way on a listener and hands each connection to its server, which says whether it takes
// more; a failed accept (QuotaExceeded, TableFull) is counted and retried after a pause on the
// Timer, so that a lasting failure never spins. tcpReceive/tcpSend/taskRelease submit a
// connection task's operations. Used by tcp-echo, http-server and tcp-bench.

import { KernelError, kernelErrorName } from "../../abi/errors";
import { TcpListenerMethod, TcpSocketMethod, TimerMethod } from "../../abi/methods";
import { CAP_ENTER_NO_TIMEOUT, Opcode } from "../../abi/ring";
import { EventLoop, Task } from "./event-loop";
import { ipv4Text } from "./network";
import { userAddress } from "./ring";

/** A failed accept's pause before the next (ns). */
const ACCEPT_RETRY_PAUSE: u64 = 100_000_000;
/** Failed accepts reported one by one; later ones only every REPORT_EVERY. */
const REPORTED_FAILURES: u64 = 10;
const REPORT_EVERY: u64 = 1000;

/** What a program's server does with its listeners' connections. */
export abstract class TcpServer {
  /** A connection arrived on `acceptor`'s listener: `socket` is its TcpSocket handle (the server
   * owns it now), `peer` the accept's value (address | port << 32). */
  abstract accepted(loop: EventLoop, acceptor: Acceptor, socket: u64, peer: u64): void;
  /** Whether it takes another connection now; when not, it calls acceptor.resume() later. */
  abstract canAccept(): bool;
}

export class Acceptor extends Task {
  private pausing: bool = false;
  /** Taking no connection until resume(). */
  private parked: bool = true;
  failures: u64 = 0;

  /** `name` prefixes its log lines ("tcp-echo"); `timer` is a Timer handle (0: no pause). */
  constructor(readonly name: string, readonly listener: u64, readonly port: u32, readonly server: TcpServer, readonly timer: u64) { super(); }

  /** Starts accepting (again) when it is parked and the server takes more. */
  resume(loop: EventLoop): void {
    if (!this.parked || this.busy || !this.server.canAccept()) return;
    this.parked = false;
    loop.submit(this, Opcode.Call, this.listener, TcpListenerMethod.Accept, CAP_ENTER_NO_TIMEOUT);
  }

  complete(loop: EventLoop, result: i64, value: u64): void {
    if (this.pausing) {
      this.pausing = false;
    } else if (result >= 0) {
      this.server.accepted(loop, this, <u64>result, value);
    } else {
      this.failures++;
      if (this.failures <= REPORTED_FAILURES || this.failures % REPORT_EVERY == 0) {
        loop.print(this.name + ": accept on port " + this.port.toString() + " failed: " + kernelErrorName(<KernelError>(-result))
          + " (" + this.failures.toString() + " failures)");
      }
      if (this.timer != 0) {
        this.pausing = true;
        loop.submit(this, Opcode.Call, this.timer, TimerMethod.Sleep, ACCEPT_RETRY_PAUSE);
        return;
      }
    }
    this.parked = true;
    this.resume(loop);
  }
}

/** Submits a receive of at most `capacity` bytes into linear `address` for `task`. */
export function tcpReceive(loop: EventLoop, task: Task, socket: u64, address: usize, capacity: usize): void {
  loop.submit(task, Opcode.Call, socket, TcpSocketMethod.Receive, userAddress(address), <u64>capacity, loop.waitTimeout());
}

/** Submits a send of `length` bytes at linear `address` for `task` (it completes with the count
 * queued, which may be less). */
export function tcpSend(loop: EventLoop, task: Task, socket: u64, address: usize, length: usize): void {
  loop.submit(task, Opcode.Call, socket, TcpSocketMethod.Send, userAddress(address), <u64>length, loop.waitTimeout());
}

/** Submits the release of `handle` for `task` (a TcpSocket's: the close, a FIN after what was
 * queued). */
export function taskRelease(loop: EventLoop, task: Task, handle: u64): void {
  loop.submit(task, Opcode.Release, handle, 0);
}

/** The peer of an accept's value as "A.B.C.D:port". */
export function peerText(peer: u64): string {
  return ipv4Text(<u32>peer) + ":" + ((peer >> 32) & 0xffff).toString();
}
