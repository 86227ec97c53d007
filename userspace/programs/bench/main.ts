// bench: the figures of `make bench` for processes and the ring (bench/processes.ts boots it with
// test=user init=bench and reads its lines). Times with the TSC, converted to nanoseconds with
// the Timer's clock over the same run. Each figure is the median of ROUNDS rounds.

import { medianOf } from "../../rt/samples";
import { Completion, ringPop, ringPush } from "../../rt/ring";
import { Opcode } from "../../../abi/ring";
import { Console, Memory, ProcessSpawner, readTsc, Timer } from "../../rt/index";
import { capEnter } from "../../rt/syscalls";

const ROUNDS = 501;
const SPAWN_ROUNDS = 101;
const BATCH = 16;

const samples = new StaticArray<u64>(ROUNDS);
const completion = new Completion();


function emptyEnter(): u64 {
  for (let round = 0; round < ROUNDS; round++) {
    const start = readTsc();
    capEnter(0, 0);
    samples[round] = readTsc() - start;
  }
  return medianOf(samples, ROUNDS);
}

function nopBatch(): u64 {
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < BATCH; i++) ringPush(Opcode.Nop, 0, 0, 0, 0, 0, 0);
    const start = readTsc();
    capEnter(0, 0);
    samples[round] = readTsc() - start;
    for (let i = 0; i < BATCH; i++) ringPop(completion);
  }
  return medianOf(samples, ROUNDS);
}

export function main(): i32 {
  const console = Console.granted();
  const timer = Timer.granted();
  const spawner = ProcessSpawner.granted();
  const memory = Memory.granted();
  if (console === null || timer === null || spawner === null || memory === null) return 1;
  const grants: u64[] = [console.handle, memory.handle];
  const tscStart = readTsc();
  const nanosStart = timer.now();

  emptyEnter(); nopBatch();                     // warm up: translation and caches
  const empty = emptyEnter();
  const batch = nopBatch();
  const emptyAgain = emptyEnter();              // the baseline again, after the batches
  for (let round = 0; round < SPAWN_ROUNDS; round++) {
    const start = readTsc();
    const child = spawner.spawn("probe", grants, 0);
    if (child === null) return 2;
    child.wait();
    samples[round] = readTsc() - start;
    child.release();
  }
  const spawn = medianOf(samples, SPAWN_ROUNDS);

  const tscHz = (readTsc() - tscStart) * 1_000_000_000 / <u64>(timer.now() - nanosStart);
  const baseline = (empty + emptyAgain) / 2;
  const perEntry = batch > baseline ? (batch - baseline) / BATCH : 0;
  console.line("bench: tsc " + tscHz.toString() + " Hz");
  console.line("bench: empty cap_enter " + baseline.toString() + " cycles " + (baseline * 1_000_000_000 / tscHz).toString() + " ns");
  console.line("bench: cap_enter with 16 NOPs " + batch.toString() + " cycles " + (batch * 1_000_000_000 / tscHz).toString() + " ns");
  console.line("bench: per NOP entry " + perEntry.toString() + " cycles " + (perEntry * 1_000_000_000 / tscHz).toString() + " ns");
  console.line("bench: spawn+exit+wait " + spawn.toString() + " cycles " + (spawn * 1_000_000_000 / tscHz).toString() + " ns");
  return 0;
}
