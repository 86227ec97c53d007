// udp-echo: a UDP echo server (RFC 862) on port 7 (or the start argument, when it names a
// port): every datagram goes back, unchanged, to the address and port it came from. It binds
// through its Network grant, so it answers only the peers the grant allows (the kernel drops
// the others before they reach it). Runs until it is killed; a failed send is counted, and every
// 1000 datagrams a line reports the totals.

import { Console, Network, startArgument } from "../../rt/index";
import { UDP_PAYLOAD_MAXIMUM } from "../../../abi/methods";

const ECHO_PORT: u32 = 7;
const REPORT_EVERY: u64 = 10000;

export function main(): i32 {
  const console = Console.granted();
  const network = Network.granted();
  if (console === null) return 1;
  if (network === null) {
    console.line("udp-echo: no network grant");
    return 2;
  }
  const requested = startArgument();
  const port = requested > 0 && requested <= 0xffff ? requested : ECHO_PORT;
  const socket = network.udp(port);
  if (socket === null) {
    console.line("udp-echo: cannot bind port " + port.toString() + ": error " + (-network.lastError).toString());
    return 3;
  }
  console.line("udp-echo: listening on port " + socket.port.toString());
  const buffer = memory.data(<i32>UDP_PAYLOAD_MAXIMUM, 16);
  let echoed: u64 = 0, failed: u64 = 0;
  for (;;) {
    const length = socket.receive(buffer, <usize>UDP_PAYLOAD_MAXIMUM);
    if (length < 0) {
      console.line("udp-echo: receive failed: error " + (-length).toString());
      return 4;
    }
    if (socket.send(buffer, <usize>length, socket.peer, socket.peerPort) < 0) failed++;
    else echoed++;
    if ((echoed + failed) % REPORT_EVERY == 0) console.line("udp-echo: " + echoed.toString() + " echoed, " + failed.toString() + " sends failed");
  }
  return 0;   // not reached: the loop ends only by a return
}
