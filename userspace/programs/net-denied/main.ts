// net-denied: a process with no network grant trying to put its marker on the wire (started by
// net-check). It holds a Console and a Memory (and what every process holds on itself); it
// checks that none of its grants is a Network or a UdpSocket, then calls the UdpSocket send
// method and the Network udp and tcpConnect methods on every other handle a small table could have (guessed:
// slots 0..63, generations 1..4), with a buffer holding CAPSID-MARKER-DENIED and the host as the
// peer. None may send: the test's capture must never see the marker. Its own handles are left
// out, since method 0 means something else on them (a console write, a thread's exit, a thread
// spawn). It exits 0 when every guessed handle refused all three calls, 1 otherwise.

import { Console, grant } from "../../rt/index";
import { Interface, INTERFACE_COUNT } from "../../../abi/interfaces";
import { NetworkMethod, UdpSocketMethod } from "../../../abi/methods";
import { HANDLE_SLOT_BITS, Opcode } from "../../../abi/ring";
import { ringCall, userAddress } from "../../rt/ring";

const MARKER = "CAPSID-MARKER-DENIED";

export function main(): i32 {
  const console = Console.granted();
  if (console === null) return 1;
  const buffer = memory.data(64, 16);
  for (let i = 0; i < MARKER.length; i++) store<u8>(buffer + <usize>i, <u8>MARKER.charCodeAt(i));
  if (grant(Interface.Network) != 0 || grant(Interface.UdpSocket) != 0) {
    console.line("net-denied: it was given a network capability");
    return 2;
  }
  const own: u64[] = [];
  for (let iface: u32 = 1; iface < <u32>INTERFACE_COUNT; iface++) {
    for (let nth: u32 = 0; grant(iface, nth) != 0; nth++) own.push(grant(iface, nth));
  }
  let refused = 0, tries = 0;
  // Handles are slot | generation << HANDLE_SLOT_BITS (abi/ring.ts).
  for (let generation: u64 = 1; generation <= 4; generation++) {
    for (let slot: u64 = 0; slot < 64; slot++) {
      const handle = slot | (generation << HANDLE_SLOT_BITS);
      if (own.includes(handle)) continue;
      tries++;
      const sent = ringCall(Opcode.Call, handle, UdpSocketMethod.Send, userAddress(buffer), MARKER.length, 0x0a000201, 9999);
      const socket = ringCall(Opcode.Call, handle, NetworkMethod.Udp, 0);
      const connection = ringCall(Opcode.Call, handle, NetworkMethod.TcpConnect, 0x0a000201, 9999, 0);
      if (sent < 0 && socket < 0 && connection < 0) refused++;
    }
  }
  console.line("net-denied: " + refused.toString() + " of " + tries.toString() + " handles refused both send and udp");
  return refused == tries ? 0 : 1;
}
