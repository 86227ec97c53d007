// ipc-peer: the other side of the ipc program, by argument. 1: the client: 10k calls carrying a
// copied Console (even) or a moved 1-page Memory split (odd), checking that a moved handle is
// stale at once; then timed plain calls (the round trip `make bench` reports, next to an empty
// cap_enter measured here too); the last call brings back a Timer copy, which it uses.
// 2: a server that receives one call and exits without returning it.

import { medianOf } from "../../rt/samples";
import {
  carry, Console, Endpoint, EndpointClient, grant, Memory, MESSAGE_MAXIMUM, readTsc, Received, RECEIVED_HEADER_SIZE, startArgument,
  Timer, Transfer,
} from "../../rt/index";
import { capEnter } from "../../rt/syscalls";

const CALLS = 10_000;
const TIMED = 1001;
const END: u32 = 0xffff_ffff;
const INVALID_HANDLE: i64 = -11;
const request = memory.data(16, 8);
const reply = memory.data(16, 8);
const buffer = memory.data(<i32>(RECEIVED_HEADER_SIZE + MESSAGE_MAXIMUM), 16);
const samples = new StaticArray<u64>(TIMED);


function client(): i32 {
  const console = Console.granted();
  const memory = Memory.granted();
  const endpoint = new EndpointClient(grant(7));   // Interface.EndpointClient
  if (console === null || memory === null || endpoint.handle == 0) return 1;
  store<u32>(request, 0x676e6970);   // "ping"
  let stale = 0;
  for (let i = 0; i < CALLS; i++) {
    let carried: u64 = carry(console.handle, Transfer.Copy);
    let moved: u32 = 0;
    if (i & 1) {
      const split = memory.split(1);
      if (split === null) { console.line("ipc-peer: FAIL split"); return 2; }
      moved = split.handle;
      carried = carry(moved, Transfer.Move);
    }
    if (endpoint.call(<u32>i, request, 4, reply, 16, carried) != 4 || load<u32>(reply) != 0x676e6f70) {
      console.line("ipc-peer: FAIL call " + i.toString());
      return 3;
    }
    if (moved != 0 && new Memory(moved).usedPages() == INVALID_HANDLE) stale++;
  }
  // Timed plain calls, and an empty cap_enter in the same run.
  for (let i = 0; i < TIMED; i++) {
    const start = readTsc();
    endpoint.call(<u32>(CALLS + i), request, 4, reply, 16);
    samples[i] = readTsc() - start;
  }
  const roundTrip = medianOf(samples, TIMED);
  for (let i = 0; i < TIMED; i++) {
    const start = readTsc();
    capEnter(0, 0);
    samples[i] = readTsc() - start;
  }
  const empty = medianOf(samples, TIMED);
  // The last two calls: the reply to END - 1 brings a Timer copy.
  endpoint.call(END - 1, request, 4, reply, 16);
  const timer = new Timer(endpoint.received);
  const now = endpoint.received != 0 ? timer.now() : -1;
  endpoint.call(END, request, 4, reply, 16);
  console.line("ipc-peer: " + CALLS.toString() + " calls; moved handles stale after the call: " + stale.toString() + " of " + (CALLS / 2).toString()
    + "; the Timer that came back reads " + (now > 0 ? "a time" : "nothing"));
  const tsc = Timer.granted();
  console.line("ipc-peer: round trip " + roundTrip.toString() + " cycles; empty cap_enter " + empty.toString() + " cycles");
  return stale == CALLS / 2 && now > 0 && tsc !== null ? 0 : 4;
}

function dyingServer(): i32 {
  const endpoint = new Endpoint(grant(6));   // Interface.Endpoint
  const received = new Received();
  if (endpoint.handle == 0) return 1;
  endpoint.receive(buffer, received);
  return 0;   // ends holding the call
}

export function main(): i32 {
  return startArgument() == 1 ? client() : startArgument() == 2 ? dyingServer() : 9;
}
