// threads: the ParkSpace and thread test and benchmark driver (test=user init=threads;
// tests/qemu/threads.test.ts, bench/threads.ts). Four threads add to a counter in a long critical
// section under the mutex (exact) and without it (a negative control that must lose updates);
// a condition variable hands 10k items through a bounded queue; a timed park returns on time and
// never early; then timed round trips: IPC between two threads, and a ParkSpace wake.

import { medianOf } from "../../rt/samples";
import {
  conditionSignal, conditionWait, Console, Endpoint, EndpointClient, Memory, MESSAGE_MAXIMUM, mutexLock, mutexParks, mutexUnlock, park,
  PARK_TIMED_OUT, readTsc, RECEIVED_HEADER_SIZE, spawnThread, Timer, unpark, unparkThenPark,
} from "../../rt/index";
import { atomicAdd32, atomicLoad32, atomicStore32, capEnter } from "../../rt/syscalls";
import { ringCall, ringCallPair, userAddress } from "../../rt/ring";
import { ThreadHandle } from "../../rt/thread";
import { Opcode } from "../../../abi/ring";

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
const endpointHandle = memory.data(4, 4);
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

function counted(console: Console, locked: bool): u32 {
  store<u32>(counter, 0);
  store<u32>(useMutex, locked ? 1 : 0);
  const workers: ThreadHandle[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const thread = spawnThread(increment, <u32>i);
    if (thread === null) { console.line("threads: FAIL spawn"); return 0; }
    workers.push(thread);
  }
  for (let i = 0; i < WORKERS; i++) workers[i].join();
  return load<u32>(counter);
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
  const endpoint = load<u32>(endpointHandle);
  if (ringCall(Opcode.Recv, endpoint, 0, userAddress(serverBuffer)) < 0) return;
  for (let i: u32 = 1; i < argument; i++) {
    // Return this call and wait for the next in one kernel entry, as a server loop does.
    const reply = serverBuffer + <usize>RECEIVED_HEADER_SIZE;
    if (ringCallPair(Opcode.Return, endpoint, 0, <u64>load<u32>(serverBuffer), userAddress(reply), 4, 0,
      Opcode.Recv, endpoint, 0, userAddress(serverBuffer), 0, 0, 0) < 0) return;
  }
  ringCall(Opcode.Return, endpoint, 0, <u64>load<u32>(serverBuffer), userAddress(serverBuffer + <usize>RECEIVED_HEADER_SIZE), 4);
}


export function main(): i32 {
  const console = Console.granted();
  const timer = Timer.granted();
  const memory = Memory.granted();
  if (console === null || timer === null || memory === null) return 1;
  let failures = 0;

  const parksBefore = mutexParks();
  const exact = counted(console, true);
  const parks = mutexParks() - parksBefore;
  const racy = counted(console, false);
  const expected = <u32>(WORKERS * INCREMENTS);
  console.line("threads: with the mutex " + exact.toString() + " of " + expected.toString() + " (parks " + parks.toString() + "); without it " + racy.toString());
  if (exact != expected || parks == 0) failures++;
  if (racy >= expected) { console.line("threads: FAIL the control run lost no update"); failures++; }

  store<u64>(consumedSum, 0);
  const consumerThread = spawnThread(consumer, ITEMS);
  const producerThread = spawnThread(producer, ITEMS);
  if (consumerThread === null || producerThread === null) return 2;
  producerThread.join();
  consumerThread.join();
  const sum = load<u64>(consumedSum), sumExpected = <u64>ITEMS * <u64>(ITEMS + 1) / 2;
  console.line("threads: condition variable handed " + ITEMS.toString() + " items, sum " + sum.toString() + " (expected " + sumExpected.toString() + ")");
  if (sum != sumExpected) failures++;

  const waitWord = memory_word();
  let early = 0, worst: i64 = 0;
  for (let i = 0; i < 5; i++) {
    const start = timer.now();
    const result = park(waitWord, 0, 25_000_000);
    const elapsed = timer.now() - start;
    if (result != PARK_TIMED_OUT || elapsed < 25_000_000) early++;
    if (elapsed > worst) worst = elapsed;
  }
  console.line("threads: timed park of 25 ms: " + early.toString() + " early of 5, longest " + (worst / 1000).toString() + " us");
  if (early != 0) failures++;

  // Fairness: a thread that only computes keeps running while two others ping-pong, and they too.
  atomicStore32(fairPing, 1);
  const spinning = spawnThread(spinner, 0), left = spawnThread(volley, 0), right = spawnThread(volley, 1);
  if (spinning === null || left === null || right === null) return 6;
  timer.sleep(300_000_000);
  atomicStore32(stop, 1);
  spinning.join();
  left.join();
  right.join();
  console.line("threads: fairness over 300 ms: the spinner counted " + (atomicLoad32(spins) > 0 ? "on" : "nothing") + ", the ping-pong made "
    + (atomicLoad32(volleys) > 10 ? "progress" : "no progress"));
  if (atomicLoad32(spins) == 0 || atomicLoad32(volleys) <= 10) failures++;

  // Round trips: a ParkSpace wake between two threads, IPC between two threads.
  const ponging = spawnThread(ponger, ROUNDS);
  if (ponging === null) return 3;
  for (let i = 0; i < ROUNDS; i++) {
    const start = readTsc();
    atomicStore32(pingWord, 1);
    unparkThenPark(pingWord, pongWord, 0);   // wake the ponger, wait for its pong: one kernel entry
    while (atomicLoad32(pongWord) == 0) park(pongWord, 0);
    atomicStore32(pongWord, 0);
    samples[i] = readTsc() - start;
  }
  ponging.join();
  const parkRoundTrip = medianOf(samples, ROUNDS);
  const endpoint = Endpoint.create(memory.handle);
  if (endpoint === null) return 4;
  const client = new EndpointClient(endpoint.client());
  store<u32>(endpointHandle, endpoint.handle);
  const serving = spawnThread(server, ROUNDS);
  if (serving === null) return 5;
  for (let i = 0; i < ROUNDS; i++) {
    const start = readTsc();
    client.call(<u32>i, message, 4, replyBuffer, 16);
    samples[i] = readTsc() - start;
  }
  serving.join();
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
  console.line(failures == 0 ? "threads: all passed" : "threads: FAILED " + failures.toString());
  return failures == 0 ? 0 : 6;
}

function memory_word(): usize {
  return memory.data(4, 4);
}
