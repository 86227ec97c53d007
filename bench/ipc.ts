// IPC, threads and ParkSpace (issue 5), with the Linux baseline booted between them
// (linux-baseline.ts): boots test=user init=ipc (a round trip between two
// processes, userspace/programs/ipc-peer) and init=threads (a round trip between two threads of
// one process, and a ParkSpace wake round trip), each program measuring an empty cap_enter in
// the same run. Cycles are the guest's TSC (the host's rate under TCG), converted with the rate
// the kernel logs at boot. Median of rounds per boot, median of boots.

import { withQemu } from "../tests/qemu-runner/runner";
import { linuxBaseline, linuxBaselineAvailable } from "./linux-baseline";

export interface IpcFigures {
  tscHz: number;
  processRoundTrip: number; processEmpty: number;
  threadRoundTrip: number; parkRoundTrip: number; threadsEmpty: number;
  /** Linux under the same QEMU, booted between Capsid's boots (null: its kernel is missing). */
  linuxPipeNanoseconds: number | null; linuxFutexNanoseconds: number | null;
}

const TSC = /^capsid: time: TSC ([\d.]+) MHz/;
/** The result lines of init=ipc (printed by ipc-peer) and init=threads (regression.ts reads them too). */
export const IPC_LINE = /^ipc-peer: round trip (\d+) cycles; empty cap_enter (\d+) cycles$/;
export const THREADS_LINE = /^threads: park round trip (\d+) cycles; thread IPC round trip (\d+) cycles; empty cap_enter (\d+) cycles$/;

async function boot(init: string, patterns: RegExp[]): Promise<number[]> {
  return withQemu({ commandLine: `test=user init=${init}` }, async (qemu) => {
    const tsc = Number(TSC.exec(await qemu.expectLine(TSC, 20_000))![1]) * 1e6;
    const values = [tsc];
    for (const pattern of patterns) values.push(...pattern.exec(await qemu.expectLine(pattern, 120_000))!.slice(1).map(Number));
    await qemu.expectExit("pass", 60_000);
    return values;
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function benchmarkIpc(boots = 3): Promise<IpcFigures> {
  const processRuns: number[][] = [], threadRuns: number[][] = [], pipe: number[] = [], futex: number[] = [];
  for (let i = 0; i < boots; i++) {
    processRuns.push(await boot("ipc", [IPC_LINE]));
    threadRuns.push(await boot("threads", [THREADS_LINE]));
    if (linuxBaselineAvailable()) {
      const linux = await linuxBaseline();
      pipe.push(linux.pipeNanoseconds);
      futex.push(linux.futexNanoseconds);
    }
  }
  const column = (runs: number[][], index: number) => median(runs.map((run) => run[index]));
  return {
    tscHz: column(processRuns, 0),
    processRoundTrip: column(processRuns, 1), processEmpty: column(processRuns, 2),
    parkRoundTrip: column(threadRuns, 1), threadRoundTrip: column(threadRuns, 2), threadsEmpty: column(threadRuns, 3),
    linuxPipeNanoseconds: pipe.length > 0 ? median(pipe) : null, linuxFutexNanoseconds: futex.length > 0 ? median(futex) : null,
  };
}
