// TCP clients (docs/abi/interfaces/tcp-listener.md, tcp-socket.md): listeners and connections
// made from a Network grant (Network.tcpListen, Network.tcpConnect). Every call here is
// synchronous (one ring entry, waited for); a program serving many connections at once submits
// the same calls itself with ringPush and takes their completions with ringPop (the entries
// these methods build are the documented ones).

import { KernelError } from "../../abi/errors";
import { NetworkMethod, TCP_READY_CONNECTED, TCP_READY_FAILED, TcpListenerMethod, TcpOption, TcpSocketMethod } from "../../abi/methods";
import { CAP_ENTER_NO_TIMEOUT, Opcode } from "../../abi/ring";
import { lastValue, releaseHandle, ringCall, userAddress } from "./ring";

export class TcpListener {
  /** -KernelError of the last call that failed. */
  lastError: i64 = 0;

  constructor(readonly handle: u64, readonly port: u32) {}

  /** Listens on `port` (0: any free port of the grant) of every address, with an accept queue of
   * `backlog` and accepted sockets' buffers of `buffer` bytes (0: the default); null with the
   * error in `error`. */
  static listen(network: u64, port: u32, backlog: u32, error: StaticArray<i64>, buffer: u64 = 0): TcpListener | null {
    const result = ringCall(Opcode.Call, network, NetworkMethod.TcpListen, port, backlog, buffer);
    if (result < 0) { unchecked(error[0] = result); return null; }
    return new TcpListener(<u64>result, <u32>lastValue());
  }

  /** The next connection, waiting up to `timeout` ns; null (lastError) on TimedOut or another
   * error. */
  accept(timeout: u64 = CAP_ENTER_NO_TIMEOUT): TcpSocket | null {
    const result = ringCall(Opcode.Call, this.handle, TcpListenerMethod.Accept, timeout);
    if (result < 0) { this.lastError = result; return null; }
    const value = lastValue();
    return new TcpSocket(<u64>result, <u32>value, <u32>(value >> 32) & 0xffff);
  }

  close(): void {
    releaseHandle(this.handle);
  }
}

/** Where connect's failed handshake asks a receive why (nothing is ever copied there). */
const scratch = memory.data(8, 8);

export class TcpSocket {
  /** -KernelError of the last call that failed. */
  lastError: i64 = 0;

  constructor(readonly handle: u64, readonly peer: u32, readonly peerPort: u32) {}

  /** Connects from `localPort` (0: any) to `peer`:`peerPort` with buffers of `buffer` bytes (0:
   * the default) and waits up to `timeout` ns for the handshake; null with the error in `error`
   * (ConnectionRefused, TimedOut, ...). */
  static connect(network: u64, peer: u32, peerPort: u32, localPort: u32, timeout: u64, error: StaticArray<i64>, buffer: u64 = 0): TcpSocket | null {
    const made = ringCall(Opcode.Call, network, NetworkMethod.TcpConnect, peer, peerPort, localPort, buffer);
    if (made < 0) { unchecked(error[0] = made); return null; }
    const socket = new TcpSocket(<u64>made, peer, peerPort);
    const ready = socket.wait(TCP_READY_CONNECTED | TCP_READY_FAILED, timeout);
    if (ready < 0 || (ready & <i64>TCP_READY_CONNECTED) == 0) {
      // A failed handshake: a receive says why.
      const why = ready < 0 ? ready : ringCall(Opcode.Call, socket.handle, TcpSocketMethod.Receive, userAddress(scratch), 1, 0);
      unchecked(error[0] = why < 0 ? why : -(<i64>KernelError.ConnectionRefused));
      socket.close();
      return null;
    }
    return socket;
  }

  /** Queues up to `length` bytes at `address`, waiting up to `timeout` for room: the count taken
   * (at least 1), or -KernelError. */
  sendSome(address: usize, length: usize, timeout: u64 = CAP_ENTER_NO_TIMEOUT): i64 {
    const result = ringCall(Opcode.Call, this.handle, TcpSocketMethod.Send, userAddress(address), length, timeout);
    if (result < 0) this.lastError = result;
    return result;
  }

  /** Sends all `length` bytes: `length`, or -KernelError. */
  send(address: usize, length: usize, timeout: u64 = CAP_ENTER_NO_TIMEOUT): i64 {
    let sent: usize = 0;
    while (sent < length) {
      const result = this.sendSome(address + sent, length - sent, timeout);
      if (result < 0) return result;
      sent += <usize>result;
    }
    return <i64>length;
  }

  /** Sends a string's UTF-8 bytes. */
  sendText(text: string): i64 {
    const bytes = String.UTF8.encode(text);
    return this.send(changetype<usize>(bytes), <usize>bytes.byteLength);
  }

  /** Waits up to `timeout` for bytes and copies at most `capacity` to `address`: the count, 0 at
   * the end of the stream, or -KernelError. */
  receive(address: usize, capacity: usize, timeout: u64 = CAP_ENTER_NO_TIMEOUT): i64 {
    const result = ringCall(Opcode.Call, this.handle, TcpSocketMethod.Receive, userAddress(address), capacity, timeout);
    if (result < 0) this.lastError = result;
    return result;
  }

  /** Half-close: no more sending; the peer reads the end of the stream after what was sent. */
  shutdown(): i64 {
    return ringCall(Opcode.Call, this.handle, TcpSocketMethod.Shutdown);
  }

  /** Waits up to `timeout` until one of the TCP_READY_* bits in `mask` is set: the bits set now,
   * or -KernelError (TimedOut). */
  wait(mask: u64, timeout: u64 = CAP_ENTER_NO_TIMEOUT): i64 {
    return ringCall(Opcode.Call, this.handle, TcpSocketMethod.Wait, mask, timeout);
  }

  /** Nagle's algorithm off (true) or on. */
  noDelay(on: bool): i64 {
    return ringCall(Opcode.Call, this.handle, TcpSocketMethod.Configure, TcpOption.NoDelay, on ? 1 : 0);
  }

  /** Keep-alive probes after `seconds` idle; 0 turns them off. */
  keepAlive(seconds: u64): i64 {
    return ringCall(Opcode.Call, this.handle, TcpSocketMethod.Configure, TcpOption.KeepAlive, seconds);
  }

  /** The local port. */
  localPort(): u32 {
    const result = ringCall(Opcode.Call, this.handle, TcpSocketMethod.Info);
    return result < 0 ? 0 : <u32>result & 0xffff;
  }

  /** A reset to the peer; the connection ends at once. */
  abort(): i64 {
    return ringCall(Opcode.Call, this.handle, TcpSocketMethod.Abort);
  }

  /** Lets go: a FIN follows what was queued, and the kernel finishes the close. */
  close(): void {
    releaseHandle(this.handle);
  }
}
