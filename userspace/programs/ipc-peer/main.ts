// ipc-peer: the other side of the ipc program, by argument. 1: the client: CALLS calls carrying a
// copied Console (even) or a moved 1-page Memory split (odd), checking that a moved handle is
// stale at once; then timed plain calls (the round trip `make bench` reports, next to an empty
// cap_enter measured here too); the last call brings back a Timer copy, which it uses. Each step
// prints "ipc-peer: PASS step" or "ipc-peer: FAIL step: what was seen"; exits 0 when all passed.
// 2: a server that receives one call and exits without returning it.

import { medianOf } from "../../rt/samples";
import {
  carry, Console, Endpoint, EndpointClient, grant, Memory, MESSAGE_MAXIMUM, readTsc, Received, RECEIVED_HEADER_SIZE, startArgument,
  Timer, Transfer,
  Steps,
} from "../../rt/index";
import { capEnter } from "../../rt/syscalls";
import { Interface } from "../../../abi/interfaces";
import { KernelError } from "../../../abi/errors";

const CALLS = 10_000;
const TIMED = 1001;
const END: u32 = 0xffff_ffff;
const PONG: u32 = 0x676e6f70;   // "pong", ipc's reply
const request = memory.data(16, 8);
const reply = memory.data(16, 8);
const buffer = memory.data(<i32>(RECEIVED_HEADER_SIZE + MESSAGE_MAXIMUM), 16);
const samples = new StaticArray<u64>(TIMED);


/** One call with `label`: "" when ipc answered "pong" in 4 bytes, else what came back. */
function answered(endpoint: EndpointClient, label: u32, carried: u64): string {
  store<u32>(reply, 0);
  const result = endpoint.call(label, request, 4, reply, 16, carried);
  if (result == 4 && load<u32>(reply) == PONG) return "";
  return "call " + label.toString() + " gave " + result.toString() + ", reply word 0x" + load<u32>(reply).toString(16);
}

function client(): i32 {
  const console = Console.granted();
  const memory = Memory.granted();
  const endpoint = new EndpointClient(grant(Interface.EndpointClient));
  if (console === null || memory === null || endpoint.handle == 0) return 1;
  const steps = new Steps(console, "ipc-peer");
  store<u32>(request, 0x676e6970);   // "ping"
  let stale = 0;
  for (let i = 0; i < CALLS; i++) {
    let carried: u64 = carry(console.handle, Transfer.Copy);
    let moved: u64 = 0;
    if (i & 1) {
      const split = memory.split(1);
      if (split === null) { steps.step("calls answered", "split for call " + i.toString() + " gave " + memory.lastError.toString()); return 2; }
      moved = split.handle;
      carried = carry(moved, Transfer.Move);
    }
    const problem = answered(endpoint, <u32>i, carried);
    if (problem.length != 0) { steps.step("calls answered", problem); return 3; }
    if (moved != 0 && new Memory(moved).usedPages() == -KernelError.InvalidHandle) stale++;
  }
  steps.step("calls answered", "");
  steps.step("moved handles stale after the call", stale == CALLS / 2 ? "" : stale.toString() + " of " + (CALLS / 2).toString());
  // Timed plain calls, and an empty cap_enter in the same run.
  let unanswered = 0, firstProblem = "";
  for (let i = 0; i < TIMED; i++) {
    const start = readTsc();
    const result = endpoint.call(<u32>(CALLS + i), request, 4, reply, 16);
    samples[i] = readTsc() - start;
    if (result != 4 && unanswered++ == 0) firstProblem = "call " + (CALLS + i).toString() + " gave " + result.toString();
  }
  steps.step("timed calls answered", unanswered == 0 ? "" : unanswered.toString() + " of " + TIMED.toString() + " unanswered, first " + firstProblem);
  const roundTrip = medianOf(samples, TIMED);
  for (let i = 0; i < TIMED; i++) {
    const start = readTsc();
    capEnter(0, 0);
    samples[i] = readTsc() - start;
  }
  const empty = medianOf(samples, TIMED);
  // The last two calls: the reply to END - 1 brings a Timer copy.
  const lastButOne = answered(endpoint, END - 1, 0);
  const timer = new Timer(endpoint.received);
  const now = endpoint.received != 0 ? timer.now() : -1;
  const last = answered(endpoint, END, 0);
  steps.step("a Timer came back in a reply and reads the clock", lastButOne.length == 0 && now > 0
    ? "" : lastButOne.length != 0 ? lastButOne : "the reply carried handle " + endpoint.received.toString() + ", whose now() gave " + now.toString());
  steps.step("last call answered", last);
  console.line("ipc-peer: round trip " + roundTrip.toString() + " cycles; empty cap_enter " + empty.toString() + " cycles");
  return steps.failures == 0 ? 0 : 4;
}

function dyingServer(): i32 {
  const endpoint = new Endpoint(grant(Interface.Endpoint));
  const received = new Received();
  if (endpoint.handle == 0) return 1;
  endpoint.receive(buffer, received);
  return 0;   // ends holding the call
}

export function main(): i32 {
  return startArgument() == 1 ? client() : startArgument() == 2 ? dyingServer() : 9;
}
