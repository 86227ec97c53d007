// ipc: the endpoint test and benchmark driver (test=user init=ipc; tests/qemu/ipc.test.ts,
// bench/ipc.ts). Serves ipc-peer's PEER_CALLS calls, which carry a copied Console or a moved
// Memory on alternate calls, and answers the last with a copy of its Timer; then checks that a
// call whose receiver dies before returning completes with PeerEnded. Each step prints
// "ipc: PASS step" or "ipc: FAIL step: what was seen"; exits 0 when every step passed.

import {
  carry, Console, Endpoint, EndpointClient, ExitKind, Memory, MESSAGE_MAXIMUM, ProcessSpawner, Received, RECEIVED_HEADER_SIZE, Timer,
  Transfer,
  Steps,
} from "../../rt/index";
import { KernelError } from "../../../abi/errors";

/** ipc-peer's CALLS: even calls carry a copied Console, odd ones a moved 1-page Memory. */
const PEER_CALLS = 10_000;
const END: u32 = 0xffff_ffff;
const buffer = memory.data(<i32>(RECEIVED_HEADER_SIZE + MESSAGE_MAXIMUM), 16);
const pong = memory.data(16, 8);
const received = new Received();


export function main(): i32 {
  const console = Console.granted();
  const timer = Timer.granted();
  const memory = Memory.granted();
  const spawner = ProcessSpawner.granted();
  if (console === null || timer === null || memory === null || spawner === null) return 1;
  const steps = new Steps(console, "ipc");
  const endpoint = Endpoint.create(memory.handle);
  if (endpoint === null) return 2;
  const client = endpoint.client();
  const peerMemory = memory.split(1024);
  if (client == 0 || peerMemory === null) return 3;
  const peer = spawner.spawn("ipc-peer", [console.handle, peerMemory.handle, client, timer.handle], 1);
  if (peer === null) { console.line("ipc: spawn failed " + spawner.lastError.toString()); return 4; }
  store<u32>(pong, 0x676e6f70);   // "pong"

  let calls = 0, copies = 0, moves = 0, copyWritten: i64 = 0;
  const receivedFirst = endpoint.receive(buffer, received);
  if (receivedFirst != 0) { steps.step("calls served", "the first receive gave " + receivedFirst.toString()); return 5; }
  while (true) {
    calls++;
    if (received.handle != 0) {
      const carried = new Memory(received.handle);   // a moved Memory answers info; a Console does not
      const used = carried.usedPages();
      if (used >= 0 && carried.quotaPages() == 1) moves++;
      else if (used == -KernelError.UnknownMethod) copies++;
      if (copies == 1 && used == -KernelError.UnknownMethod) {
        const text = "ipc: a copied Console works in the server";
        copyWritten = new Console(received.handle).line(text);
        steps.step("copied Console writes in the server", copyWritten == text.length + 1 ? "" : "its write gave " + copyWritten.toString());
      }
      carried.release();
    }
    const last = received.label == END - 1;
    const carried = last ? carry(timer.handle, Transfer.Copy) : 0;
    if (received.label == END) {
      const replied = endpoint.reply(received.callId, pong, 4, carried);
      steps.step("calls served", replied == 0 ? "" : "the reply to the last call gave " + replied.toString());
      break;
    }
    // Answer this call and wait for the next in one kernel entry.
    const result = endpoint.replyAndReceive(received.callId, pong, 4, carried, buffer, received);
    if (result != 0) { steps.step("calls served", "reply and receive after call " + calls.toString() + " gave " + result.toString()); return 5; }
  }
  if (copyWritten == 0) steps.step("copied Console writes in the server", "no call carried a Console");
  const status = peer.wait();
  steps.step("peer passed", status !== null && status.kind == ExitKind.Exited && status.code == 0
    ? "" : "ipc-peer ended with " + (status !== null ? status.code.toString() : "a failed wait"));
  console.line("ipc: served " + calls.toString() + " calls, " + copies.toString() + " carried a copied Console, " + moves.toString() + " a moved Memory");
  steps.step("capabilities carried", copies == PEER_CALLS / 2 && moves == PEER_CALLS / 2
    ? "" : copies.toString() + " copied Consoles and " + moves.toString() + " moved Memories, expected " + (PEER_CALLS / 2).toString() + " each");

  // A receiver that dies before it returns.
  const doomed = Endpoint.create(memory.handle);
  if (doomed === null) return 6;
  const doomedClient = new EndpointClient(doomed.client());
  const dier = spawner.spawn("ipc-peer", [console.handle, peerMemory.handle, doomed.handle], 2);
  if (dier === null) return 7;
  const result = doomedClient.call(7, pong, 4, buffer, 16);
  dier.wait();
  steps.step("a call to a server that dies ends with PeerEnded", result == -KernelError.PeerEnded
    ? "" : "it completed with " + result.toString() + ", expected " + (-KernelError.PeerEnded).toString());
  console.line("ipc: " + steps.total.toString() + " steps, " + steps.failures.toString() + " failed");
  return steps.failures == 0 ? 0 : 8;
}
