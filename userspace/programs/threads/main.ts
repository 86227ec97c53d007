// threads: the ParkSpace and thread test and benchmark driver (test=user init=threads;
// tests/qemu/threads.test.ts, bench/ipc.ts). Four threads add to a counter in a long critical
// section under the mutex (exact) and without it (a negative control that must lose updates);
// a condition variable hands 10k items through a bounded queue; a timed park returns on time and
// never early; then timed round trips: IPC between two threads, and a ParkSpace wake. Each step
// prints "threads: PASS step" or "threads: FAIL step: what was seen"; exits 0 when all passed.

import { medianOf } from "../../rt/samples";
import {
  conditionSignal, conditionWait, Console, Endpoint, EndpointClient, Memory, MESSAGE_MAXIMUM, mutexLock, mutexParks, mutexUnlock, park,
  PARK_TIMED_OUT, readTsc, RECEIVED_HEADER_SIZE, spawnThread, Timer, unpark, unparkThenPark,
  Steps,
} from "../../rt/index";
import { atomicAdd32, atomicLoad32, atomicStore32, capEnter } from "../../rt/syscalls";
import { ringCall, ringCallPair, userAddress } from "../../rt/ring";
import { ThreadHandle } from "../../rt/thread";
import { Opcode } from "../../../abi/ring";
import { RECEIVED_CALL_ID } from "../../../abi/methods";

export { threadEnter } from "../../rt/thread";

const WORKERS = 4;
const INCREMENTS = 60;
const SPIN = 150_000;
const ITEMS = 10_000;
const QUEUE = 8;
const ROUNDS = 501;

// Shared words: linear memory, seen by every thread (module globals are per thread).
const counter = memory.data(4, 4);
const mutex = memory.data(4, 4);
const useMutex = memory.data(4, 4);
const spinSink = memory.data(4, 4);
const queueMutex = memory.data(4, 4);
const notEmpty = memory.data(4, 4);
const notFull = memory.data(4, 4);
const queue = memory.data(QUEUE * 4, 4);
const queueHead = memory.data(4, 4);
const queueCount = memory.data(4, 4);
const consumedSum = memory.data(8, 8);
const pingWord = memory.data(4, 4);
const pongWord = memory.data(4, 4);
const endpointHandle = memory.data(8, 8);   // a u64 handle
const serverBuffer = memory.data(<i32>(RECEIVED_HEADER_SIZE + MESSAGE_MAXIMUM), 16);
const message = memory.data(16, 8);
const replyBuffer = memory.data(16, 8);
const samples = new StaticArray<u64>(ROUNDS);
const stop = memory.data(4, 4);
const spins = memory.data(4, 4);
const volleys = memory.data(4, 4);
const fairPing = memory.data(4, 4);
const fairPong = memory.data(4, 4);

/** Fairness: spins until told to stop, counting. */
function spinner(argument: u32): void {
  while (atomicLoad32(stop) == 0) atomicAdd32(spins, 1);
}

/** Fairness: one side of a ping-pong that runs until told to stop; `argument` 0 serves first. */
function volley(argument: u32): void {
  const mine = argument == 0 ? fairPing : fairPong, theirs = argument == 0 ? fairPong : fairPing;
  while (atomicLoad32(stop) == 0) {
    while (atomicLoad32(mine) == 0 && atomicLoad32(stop) == 0) park(mine, 0, 5_000_000);
    atomicStore32(mine, 0);
    atomicAdd32(volleys, 1);
    atomicStore32(theirs, 1);
    unpark(theirs, 1);
  }
  atomicStore32(theirs, 1);
  unpark(theirs, 1);
}


/** A critical section long enough to be preempted in: read, spin, write back plus one. */
function increment(argument: u32): void {
  for (let i = 0; i < INCREMENTS; i++) {
    const locked = load<u32>(useMutex) != 0;
    if (locked) mutexLock(mutex);
    const value = load<u32>(counter);
    let sink: u32 = value;
    for (let spin = 0; spin < SPIN; spin++) sink = sink * 1_103_515_245 + 12_345;
    atomicStore32(spinSink, sink);
    store<u32>(counter, value + 1);
    if (locked) mutexUnlock(mutex);
  }
}

/** The counter after WORKERS threads each added INCREMENTS to it, or -1 when a thread could not
 * start. */
function counted(locked: bool): i64 {
  store<u32>(counter, 0);
  store<u32>(useMutex, locked ? 1 : 0);
  const workers: ThreadHandle[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const thread = spawnThread(increment, <u32>i);
    if (thread === null) break;
    workers.push(thread);
  }
  for (let i = 0; i < workers.length; i++) workers[i].join();
  return workers.length == WORKERS ? <i64>load<u32>(counter) : -1;
}

function producer(argument: u32): void {
  for (let item: u32 = 1; item <= argument; item++) {
    mutexLock(queueMutex);
    while (load<u32>(queueCount) == QUEUE) conditionWait(notFull, queueMutex);
    store<u32>(queue + (((load<u32>(queueHead) + load<u32>(queueCount)) % QUEUE) << 2), item);
    store<u32>(queueCount, load<u32>(queueCount) + 1);
    conditionSignal(notEmpty);
    mutexUnlock(queueMutex);
  }
}

function consumer(argument: u32): void {
  for (let taken: u32 = 0; taken < argument; taken++) {
    mutexLock(queueMutex);
    while (load<u32>(queueCount) == 0) conditionWait(notEmpty, queueMutex);
    const item = load<u32>(queue + (load<u32>(queueHead) << 2));
    store<u32>(queueHead, (load<u32>(queueHead) + 1) % QUEUE);
    store<u32>(queueCount, load<u32>(queueCount) - 1);
    store<u64>(consumedSum, load<u64>(consumedSum) + <u64>item);
    conditionSignal(notFull);
    mutexUnlock(queueMutex);
  }
}

/** The other side of the park ping-pong: waits for ping, answers pong, `argument` times. */
function ponger(argument: u32): void {
  while (atomicLoad32(pingWord) == 0) park(pingWord, 0);
  for (let i: u32 = 0; i < argument; i++) {
    atomicStore32(pingWord, 0);
    atomicStore32(pongWord, 1);
    if (i + 1 == argument) { unpark(pongWord, 1); break; }
    // Wake the pinger and wait for its next ping in one kernel entry.
    unparkThenPark(pongWord, pingWord, 0);
    while (atomicLoad32(pingWord) == 0) park(pingWord, 0);
  }
}

/** The server of the thread-to-thread IPC round trip: answers `argument` calls. Raw ring calls:
 * a thread must not allocate, so no client objects here. */
function server(argument: u32): void {
  const endpoint = load<u64>(endpointHandle);
  const callId = serverBuffer + <usize>RECEIVED_CALL_ID;   // in the header RECV writes
  if (ringCall(Opcode.Recv, endpoint, 0, userAddress(serverBuffer)) < 0) return;
  for (let i: u32 = 1; i < argument; i++) {
    // Return this call and wait for the next in one kernel entry, as a server loop does.
    const reply = serverBuffer + <usize>RECEIVED_HEADER_SIZE;
    if (ringCallPair(Opcode.Return, endpoint, 0, <u64>load<u32>(callId), userAddress(reply), 4, 0,
      Opcode.Recv, endpoint, 0, userAddress(serverBuffer), 0, 0, 0) < 0) return;
  }
  ringCall(Opcode.Return, endpoint, 0, <u64>load<u32>(callId), userAddress(serverBuffer + <usize>RECEIVED_HEADER_SIZE), 4);
}


export function main(): i32 {
  const console = Console.granted();
  const timer = Timer.granted();
  const memory = Memory.granted();
  if (console === null || timer === null || memory === null) return 1;
  const steps = new Steps(console, "threads");

  const parksBefore = mutexParks();
  const exact = counted(true);
  const parks = mutexParks() - parksBefore;
  const racy = counted(false);
  const expected = <i64>(WORKERS * INCREMENTS);
  console.line("threads: with the mutex " + exact.toString() + " of " + expected.toString() + " (parks " + parks.toString() + "); without it " + racy.toString());
  steps.step("the mutex keeps every update", exact == expected ? "" : exact < 0 ? "a thread could not start" : exact.toString() + " of " + expected.toString());
  steps.step("contended locks park in the kernel", parks > 0 ? "" : "no park in " + expected.toString() + " contended increments");
  // The negative control: without it, the mutex run above could pass with a broken mutex.
  steps.step("without the mutex updates are lost", racy >= 0 && racy < expected
    ? "" : racy < 0 ? "a thread could not start" : racy.toString() + " of " + expected.toString() + ": the control run lost none");

  store<u64>(consumedSum, 0);
  const consumerThread = spawnThread(consumer, ITEMS);
  const producerThread = spawnThread(producer, ITEMS);
  if (consumerThread === null || producerThread === null) {
    steps.step("the condition variable hands over every item", "a thread could not start");
  } else {
    producerThread.join();
    consumerThread.join();
    const sum = load<u64>(consumedSum), sumExpected = <u64>ITEMS * <u64>(ITEMS + 1) / 2;
    steps.step("the condition variable hands over every item", sum == sumExpected
      ? "" : ITEMS.toString() + " items summed to " + sum.toString() + ", expected " + sumExpected.toString());
  }

  const waitWord = memory_word();
  let early = 0, notTimedOut = 0, worst: i64 = 0;
  for (let i = 0; i < 5; i++) {
    const start = timer.now();
    const result = park(waitWord, 0, 25_000_000);
    const elapsed = timer.now() - start;
    if (result != PARK_TIMED_OUT) notTimedOut++;
    if (elapsed < 25_000_000) early++;
    if (elapsed > worst) worst = elapsed;
  }
  console.line("threads: timed park of 25 ms: longest " + (worst / 1000).toString() + " us");
  steps.step("a timed park times out, never early", early == 0 && notTimedOut == 0
    ? "" : early.toString() + " of 5 early, " + notTimedOut.toString() + " of 5 not TimedOut");

  // Fairness: a thread that only computes keeps running while two others ping-pong, and they too.
  atomicStore32(fairPing, 1);
  const spinning = spawnThread(spinner, 0), left = spawnThread(volley, 0), right = spawnThread(volley, 1);
  if (spinning !== null && left !== null && right !== null) timer.sleep(300_000_000);
  atomicStore32(stop, 1);
  if (spinning !== null) spinning.join();
  if (left !== null) left.join();
  if (right !== null) right.join();
  steps.step("fairness over 300 ms", spinning === null || left === null || right === null ? "a thread could not start"
    : atomicLoad32(spins) > 0 && atomicLoad32(volleys) > 10 ? ""
    : "the spinner counted " + atomicLoad32(spins).toString() + ", the ping-pong made " + atomicLoad32(volleys).toString() + " volleys (more than 10 expected)");

  // Round trips: a ParkSpace wake between two threads, IPC between two threads.
  const ponging = spawnThread(ponger, ROUNDS);
  if (ponging === null) { steps.step("park ping-pong", "the ponger could not start"); return 3; }
  for (let i = 0; i < ROUNDS; i++) {
    const start = readTsc();
    atomicStore32(pingWord, 1);
    unparkThenPark(pingWord, pongWord, 0);   // wake the ponger, wait for its pong: one kernel entry
    while (atomicLoad32(pongWord) == 0) park(pongWord, 0);
    atomicStore32(pongWord, 0);
    samples[i] = readTsc() - start;
  }
  const pongerEnd = ponging.join();
  steps.step("park ping-pong", pongerEnd == 0 ? "" : "joining the ponger gave " + pongerEnd.toString());
  const parkRoundTrip = medianOf(samples, ROUNDS);
  const endpoint = Endpoint.create(memory.handle);
  const clientHandle = endpoint !== null ? endpoint.client() : 0;
  if (endpoint === null || clientHandle == 0) { steps.step("thread IPC calls answered", "no endpoint or client"); return 4; }
  const client = new EndpointClient(clientHandle);
  store<u64>(endpointHandle, endpoint.handle);
  const serving = spawnThread(server, ROUNDS);
  if (serving === null) { steps.step("thread IPC calls answered", "the server could not start"); return 5; }
  let unanswered = 0, firstResult: i64 = 4;
  for (let i = 0; i < ROUNDS; i++) {
    const start = readTsc();
    const result = client.call(<u32>i, message, 4, replyBuffer, 16);
    samples[i] = readTsc() - start;
    if (result != 4 && unanswered++ == 0) firstResult = result;
  }
  serving.join();
  steps.step("thread IPC calls answered", unanswered == 0
    ? "" : unanswered.toString() + " of " + ROUNDS.toString() + " calls not answered with 4 bytes, the first gave " + firstResult.toString());
  const ipcRoundTrip = medianOf(samples, ROUNDS);
  for (let i = 0; i < ROUNDS; i++) {
    const start = readTsc();
    capEnter(0, 0);
    samples[i] = readTsc() - start;
  }
  const empty = medianOf(samples, ROUNDS);
  for (let i = 0; i < ROUNDS; i++) {
    const start = readTsc();
    unpark(pingWord, 1);          // a CALL that wakes nobody: kernel entry, decode, invoke, no switch
    samples[i] = readTsc() - start;
  }
  const unparkNobody = medianOf(samples, ROUNDS);
  console.line("threads: unpark of nobody " + unparkNobody.toString() + " cycles");
  console.line("threads: park round trip " + parkRoundTrip.toString() + " cycles; thread IPC round trip " + ipcRoundTrip.toString()
    + " cycles; empty cap_enter " + empty.toString() + " cycles");
  atomicAdd32(spinSink, 0);
  console.line("threads: " + steps.total.toString() + " steps, " + steps.failures.toString() + " failed");
  return steps.failures == 0 ? 0 : 6;
}

function memory_word(): usize {
  return memory.data(4, 4);
}
