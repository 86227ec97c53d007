// ipc: the endpoint test and benchmark driver (test=user init=ipc; tests/qemu/ipc.test.ts,
// bench/ipc.ts). Serves ipc-peer's 10k calls, which carry a copied Console or a moved Memory on
// alternate calls, and answers the last with a copy of its Timer; then checks that a call whose
// receiver dies before returning completes with PeerEnded. Exits 0 when all held.

import {
  carry, Console, Endpoint, EndpointClient, Memory, MESSAGE_MAXIMUM, ProcessSpawner, Received, RECEIVED_HEADER_SIZE, Timer, Transfer,
} from "../../rt/index";

const END: u32 = 0xffff_ffff;
const PEER_ENDED: i64 = -21;
const buffer = memory.data(<i32>(RECEIVED_HEADER_SIZE + MESSAGE_MAXIMUM), 16);
const pong = memory.data(16, 8);
const received = new Received();

export function main(): i32 {
  const console = Console.granted();
  const timer = Timer.granted();
  const memory = Memory.granted();
  const spawner = ProcessSpawner.granted();
  if (console === null || timer === null || memory === null || spawner === null) return 1;
  const endpoint = Endpoint.create(memory.handle);
  if (endpoint === null) return 2;
  const client = endpoint.client();
  const peerMemory = memory.split(1024);
  if (client == 0 || peerMemory === null) return 3;
  const peer = spawner.spawn("ipc-peer", [console.handle, peerMemory.handle, client, timer.handle], 1);
  if (peer === null) { console.line("ipc: spawn failed " + spawner.lastError.toString()); return 4; }
  store<u32>(pong, 0x676e6f70);   // "pong"

  let failures = 0, calls = 0, copies = 0, moves = 0;
  if (endpoint.receive(buffer, received) != 0) { console.line("ipc: FAIL receive"); return 5; }
  while (true) {
    calls++;
    if (received.handle != 0) {
      const carried = new Memory(received.handle);   // a moved Memory answers info; a Console does not
      const used = carried.usedPages();
      if (used >= 0 && carried.quotaPages() == 1) moves++;
      else if (used == -16) copies++;                 // UnknownMethod: the Console copy
      if (copies == 1 && used == -16) new Console(received.handle).line("ipc: a copied Console works in the server");
      carried.release();
    }
    const last = received.label == END - 1;
    const carried = last ? carry(timer.handle, Transfer.Copy) : 0;
    if (received.label == END) {
      if (endpoint.reply(received.callId, pong, 4, carried) != 0) failures++;
      break;
    }
    // Answer this call and wait for the next in one kernel entry.
    if (endpoint.replyAndReceive(received.callId, pong, 4, carried, buffer, received) != 0) { console.line("ipc: FAIL reply"); return 5; }
  }
  const status = peer.wait();
  if (status === null || status.code != 0) { console.line("ipc: FAIL the peer ended with " + (status !== null ? status.code.toString() : "?")); failures++; }
  console.line("ipc: served " + calls.toString() + " calls, " + copies.toString() + " carried a copied Console, " + moves.toString() + " a moved Memory");
  if (copies < 5000 || moves < 5000) failures++;

  // A receiver that dies before it returns.
  const doomed = Endpoint.create(memory.handle);
  if (doomed === null) return 6;
  const doomedClient = new EndpointClient(doomed.client());
  const dier = spawner.spawn("ipc-peer", [console.handle, peerMemory.handle, doomed.handle], 2);
  if (dier === null) return 7;
  const result = doomedClient.call(7, pong, 4, buffer, 16);
  dier.wait();
  console.line("ipc: a call to a server that died completed with " + result.toString());
  if (result != PEER_ENDED) failures++;
  console.line(failures == 0 ? "ipc: all passed" : "ipc: FAILED " + failures.toString());
  return failures == 0 ? 0 : 8;
}
