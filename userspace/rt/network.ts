// Network clients: a Network grant (docs/abi/interfaces/network.md) and the UDP sockets made from
// it (docs/abi/interfaces/udp-socket.md). Addresses are u32 numbers (10.0.2.15 is 0x0a00020f);
// ipv4Text and ipv4Parse convert.

import { Interface } from "../../abi/interfaces";
import { KernelError } from "../../abi/errors";
import { NETWORK_INFO_SIZE, NetworkMethod, UdpSocketMethod } from "../../abi/methods";
import { CAP_ENTER_NO_TIMEOUT, Opcode } from "../../abi/ring";
import { grant, lastValue, releaseHandle, ringCall, userAddress } from "./ring";

/** The interface's configuration, as Network.info reports it. */
export class NetworkInfo {
  address: u32 = 0;
  prefix: u32 = 0;
  gateway: u32 = 0;
  dns: u32 = 0;
}

export class Network {
  /** -KernelError of the last call that failed. */
  lastError: i64 = 0;

  constructor(readonly handle: u64) {}

  /** The process's `nth` Network grant, or null. */
  static granted(nth: u32 = 0): Network | null {
    const handle = grant(Interface.Network, nth);
    return handle != 0 ? new Network(handle) : null;
  }

  /** A UDP socket bound to `port` (0: any free port the grant allows), or null (lastError). */
  udp(port: u32 = 0): UdpSocket | null {
    const result = ringCall(Opcode.Call, this.handle, NetworkMethod.Udp, port);
    if (result < 0) { this.lastError = result; return null; }
    return new UdpSocket(<u64>result, <u32>lastValue());
  }

  /** A narrower grant: local ports low..high, and peers in address/prefix on ports
   * peerLow..peerHigh; null (lastError) when this grant does not allow all of it. */
  restrict(low: u32, high: u32, address: u32, prefix: u32, peerLow: u32, peerHigh: u32): Network | null {
    const result = ringCall(Opcode.Call, this.handle, NetworkMethod.Restrict, <u64>low | (<u64>high << 16), address, prefix,
      <u64>peerLow | (<u64>peerHigh << 16));
    if (result < 0) { this.lastError = result; return null; }
    return new Network(<u64>result);
  }

  /** The interface's configuration, or null (lastError). */
  info(): NetworkInfo | null {
    const buffer = memory.data(<i32>NETWORK_INFO_SIZE, 8);
    const result = ringCall(Opcode.Call, this.handle, NetworkMethod.Info, userAddress(buffer));
    if (result < 0) { this.lastError = result; return null; }
    const info = new NetworkInfo();
    info.address = load<u32>(buffer);
    info.prefix = load<u32>(buffer + 4);
    info.gateway = load<u32>(buffer + 8);
    info.dns = load<u32>(buffer + 12);
    return info;
  }
}

export class UdpSocket {
  /** After a successful receive: the sender, its port, and the datagram's whole length (more than
   * the bytes received when the buffer was too small). */
  peer: u32 = 0;
  peerPort: u32 = 0;
  datagramLength: u32 = 0;

  constructor(readonly handle: u64, readonly port: u32) {}

  /** Sends `length` bytes at `address` to `peer`:`peerPort`: `length`, or -KernelError. A full
   * transmit ring (QueueFull) is tried again, a bounded number of times. */
  send(address: usize, length: usize, peer: u32, peerPort: u32): i64 {
    let result: i64 = 0;
    for (let attempt = 0; attempt < 1000; attempt++) {
      result = ringCall(Opcode.Call, this.handle, UdpSocketMethod.Send, userAddress(address), length, peer, peerPort);
      if (result != -(<i64>KernelError.QueueFull)) break;
    }
    return result;
  }

  /** Waits up to `timeout` ns (CAP_ENTER_NO_TIMEOUT: forever) for a datagram and copies at most
   * `capacity` bytes of it to `address`: the bytes copied, or -KernelError (TimedOut). */
  receive(address: usize, capacity: usize, timeout: u64 = CAP_ENTER_NO_TIMEOUT): i64 {
    const result = ringCall(Opcode.Call, this.handle, UdpSocketMethod.Receive, userAddress(address), capacity, timeout);
    if (result >= 0) {
      const value = lastValue();
      this.peer = <u32>value;
      this.peerPort = <u32>(value >> 32) & 0xffff;
      this.datagramLength = <u32>(value >> 48);
    }
    return result;
  }

  close(): void {
    releaseHandle(this.handle);
  }
}

/** "A.B.C.D" of an address. */
export function ipv4Text(address: u32): string {
  return (address >>> 24).toString() + "." + ((address >>> 16) & 0xff).toString() + "." + ((address >>> 8) & 0xff).toString() + "."
    + (address & 0xff).toString();
}

/** The address "A.B.C.D" stands for, or -1. */
export function ipv4Parse(text: string): i64 {
  let value: u64 = 0, parts = 0, digits = 0, part: u32 = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c == 0x2e) {
      if (digits == 0 || part > 255 || ++parts > 4) return -1;
      value = (value << 8) | <u64>part;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39 && digits < 3) {
      part = part * 10 + <u32>(c - 0x30);
      digits++;
    } else return -1;
  }
  return parts == 4 ? <i64>value : -1;
}
