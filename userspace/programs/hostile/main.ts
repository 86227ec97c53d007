// hostile: with the largest quota it can get, makes kernel objects every way a process can until
// the kernel refuses each (docs/abi/interfaces/memory.md, "Kernel memory"): threads (half of them
// blocked in calls queued on its own endpoint, half in timed parks: queued calls, parks and
// sleeps), child processes (each blocked in a call on that endpoint), endpoints, splits, and
// endpoint clients (table growth). Prints one line per kind, "hostile: made N KIND, then ERROR",
// and the capabilities it holds; then calls its spawner's endpoint (exhaust) and waits there to
// be killed (the slot that call's reply needs is kept free from the start: once the table is
// full and cannot grow, a call is refused OutOfMemory, as any reservation is). Start argument 1: a child, which only waits in its call and exits when the endpoint
// goes.

import {
  Console, Endpoint, EndpointClient, grant, lastResultOfCall, Memory, park, ProcessSpawner, releaseHandle, spawnThread, startArgument,
} from "../../rt/index";
import { Interface } from "../../../abi/interfaces";
import { KernelError, kernelErrorName } from "../../../abi/errors";
export { threadEnter } from "../../rt/thread";

const CHILD: u32 = 1;
/** The word timed parks wait on (never changed). */
const parkWord = memory.data(4, 4);
/** Shared with the threads: the endpoint client they call, made before any starts (a thread of a
 * native program may not allocate: userspace/rt/thread.ts). */
let sharedClient: EndpointClient | null = null;
const HOUR: u64 = 3600 * 1_000_000_000;

/** A thread: even ones call the process's own endpoint (a call queued, never received), odd ones
 * park with an hour's timeout. Both end when the process does. */
function blockedThread(index: u32): void {
  if (index & 1) park(parkWord, 0, HOUR);
  else sharedClient!.call(index, 0, 0, 0, 0);
}

function child(): i32 {
  const client = grant(Interface.EndpointClient);
  if (client == 0) return 1;
  new EndpointClient(client).call(0, 0, 0, 0, 0);   // returns when the endpoint goes (PeerEnded)
  return 0;
}

function report(console: Console, count: i32, kind: string, error: i64): void {
  console.line("hostile: made " + count.toString() + " " + kind + ", then " + (error < 0 ? kernelErrorName(<KernelError>(-error)) : "no refusal"));
}

export function main(): i32 {
  if (startArgument() == CHILD) return child();
  const console = Console.granted();
  const own = Memory.granted();
  const spawner = ProcessSpawner.granted();
  const reportTo = grant(Interface.EndpointClient);
  if (console === null || own === null || spawner === null || reportTo == 0) return 1;
  // Grow the wasm heap now: once the kernel refuses everything, a grow would be refused too.
  heap.free(heap.alloc(1024 * 1024));
  const quota = own.usedPages();
  console.line("hostile: quota of " + own.quotaPages().toString() + " pages, " + quota.toString() + " used");

  const endpoint = Endpoint.create(own.handle);
  const client = endpoint === null ? 0 : endpoint.client();
  if (endpoint === null || client == 0) return 2;
  sharedClient = new EndpointClient(client);
  const spare = endpoint.client();   // its slot is the report's (below)
  if (spare == 0) return 2;

  // Threads: at most 15 a process (QuotaExceeded), or what the account allows.
  let count = 0, error: i64 = 0;
  for (;;) {
    const thread = spawnThread(blockedThread, <u32>count);
    if (thread === null) { error = lastResultOfCall(); break; }
    count++;
  }
  report(console, count, "threads", error);

  // Child processes, each holding a process's worth of kernel memory and frames.
  count = 0;
  for (;;) {
    const child = spawner.spawn("hostile", [own.handle, client], CHILD);
    if (child === null) { error = spawner.lastError; break; }
    count++;
  }
  report(console, count, "child processes", error);

  // Endpoints: 4 pages of the quota each, and their records in the heap budget.
  let held = 0;
  count = 0;
  for (;;) {
    const made = Endpoint.create(own.handle);
    if (made === null) { error = lastResultOfCall(); break; }
    count++;
  }
  held += count;
  report(console, count, "endpoints", error);

  // Splits of one page.
  count = 0;
  for (;;) {
    const split = own.split(1);
    if (split === null) { error = own.lastError; break; }
    count++;
  }
  held += count;
  report(console, count, "splits", error);

  // Clients of the first endpoint: the table grows until its limit, the account or the budget.
  count = 0;
  for (;;) {
    const made = endpoint.client();
    if (made == 0) { error = lastResultOfCall(); break; }
    count++;
  }
  held += count;
  report(console, count, "endpoint clients", error);

  const used = own.usedPages();
  const kernel = own.kernelBytes(), budgetLeft = own.heapBudgetLeft();
  console.line("hostile: holds " + held.toString() + " capabilities it made; its quota has " + used.toString()
    + " pages used, " + kernel.toString() + " bytes of kernel memory; the heap budget has " + budgetLeft.toString() + " bytes left");
  // The report's call needs a free slot for its reply: the spare client's, given back now (the
  // table may be full, and growing it refused).
  releaseHandle(spare);
  const answer = new EndpointClient(reportTo).call(<u32>held, 0, 0, 0, 0);   // waits to be killed
  console.line("hostile: the report's call ended: " + (answer < 0 ? kernelErrorName(<KernelError>(-answer)) : answer.toString()));
  return 3;
}
