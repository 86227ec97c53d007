// The Linux personality's system call cost (issue 18; docs/ARCHITECTURE.md, "Where the Linux
// translation runs"): one static program, userspace/linux/syscall-bench.c, run unmodified as
// /init on Debian's kernel and as init on Capsid, twice there: with the translation in the
// kernel (the default) and through the in-process adapter prototype (linux-entry=upcall,
// kernel/linux/upcall.ts). It prints the median ns of getpid and of sched_yield (a call that
// needs the kernel whoever translates). The three are booted interleaved, ROUNDS times; each
// figure is the median over the rounds.

import { join } from "node:path";
import { REPOSITORY } from "../tests/qemu-runner/runner";
import { LINUX_KERNEL, runOnCapsid, runOnLinux } from "../tests/qemu/linux-reference";
import { existsSync } from "node:fs";

export interface SyscallFigures { getpidNanoseconds: number; yieldNanoseconds: number }
export interface LinuxSyscallRows { linux: SyscallFigures | null; kernel: SyscallFigures; upcall: SyscallFigures; rounds: number }

const LINE = /^syscall-bench: getpid (\d+) ns; sched_yield (\d+) ns$/;
const ROUNDS = 3;

function figuresOf(lines: string[], where: string): SyscallFigures {
  const match = lines.map((line) => LINE.exec(line)).find((found) => found !== null);
  if (!match) throw new Error(`syscall-bench printed no figures on ${where}: ${lines.join(" | ")}`);
  return { getpidNanoseconds: Number(match[1]), yieldNanoseconds: Number(match[2]) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function medianFigures(runs: SyscallFigures[]): SyscallFigures {
  return { getpidNanoseconds: median(runs.map((run) => run.getpidNanoseconds)), yieldNanoseconds: median(runs.map((run) => run.yieldNanoseconds)) };
}

export async function benchmarkLinuxSyscalls(rounds = ROUNDS): Promise<LinuxSyscallRows> {
  const linux: SyscallFigures[] = [], kernel: SyscallFigures[] = [], upcall: SyscallFigures[] = [];
  const binary = join(REPOSITORY, "build/linux-user/syscall-bench");
  for (let round = 0; round < rounds; round++) {
    if (existsSync(LINUX_KERNEL)) linux.push(figuresOf((await runOnLinux(binary, "syscall-bench:", "syscall-bench:")).lines, "Linux"));
    kernel.push(figuresOf((await runOnCapsid("syscall-bench", "syscall-bench:", "syscall-bench:")).lines, "Capsid"));
    upcall.push(figuresOf((await runOnCapsid("syscall-bench", "syscall-bench:", "syscall-bench:", "linux-entry=upcall")).lines, "Capsid (upcall)"));
  }
  return { linux: linux.length ? medianFigures(linux) : null, kernel: medianFigures(kernel), upcall: medianFigures(upcall), rounds };
}

/** process-bench's figures (userspace/linux/process-bench.c), by name: fork-exit-wait,
 * fork-exec-wait, pipe-pingpong, page-fault, futex-pingpong, epoll-wait (ns) and pipe-16mib (MB/s). */
export type ProcessFigures = Map<string, number>;
export interface LinuxProcessRows { linux: ProcessFigures | null; capsid: ProcessFigures; rounds: number }
export const PROCESS_FIGURES = ["fork-exit-wait", "fork-exec-wait", "pipe-pingpong", "pipe-16mib", "page-fault", "futex-pingpong", "epoll-wait"];
const PROCESS_LINE = /^process-bench: ([a-z0-9-]+) (\d+) (ns|MB\/s)$/;

function processFiguresOf(lines: string[], where: string): ProcessFigures {
  const figures = new Map<string, number>();
  for (const line of lines) {
    const match = PROCESS_LINE.exec(line);
    if (match) figures.set(match[1], Number(match[2]));
  }
  for (const name of PROCESS_FIGURES) if (!figures.has(name)) throw new Error(`process-bench printed no ${name} on ${where}: ${lines.join(" | ")}`);
  return figures;
}

function medianProcessFigures(runs: ProcessFigures[]): ProcessFigures {
  return new Map(PROCESS_FIGURES.map((name) => [name, median(runs.map((run) => run.get(name)!))]));
}

/** process-bench on Debian's kernel and on Capsid, booted interleaved `rounds` times. */
export async function benchmarkLinuxProcesses(rounds = ROUNDS): Promise<LinuxProcessRows> {
  const linux: ProcessFigures[] = [], capsid: ProcessFigures[] = [];
  const binary = join(REPOSITORY, "build/linux-user/process-bench");
  for (let round = 0; round < rounds; round++) {
    if (existsSync(LINUX_KERNEL)) linux.push(processFiguresOf((await runOnLinux(binary, "process-bench:", "process-bench: done", 300_000)).lines, "Linux"));
    capsid.push(processFiguresOf((await runOnCapsid("process-bench", "process-bench:", "process-bench: done")).lines, "Capsid"));
  }
  return { linux: linux.length ? medianProcessFigures(linux) : null, capsid: medianProcessFigures(capsid), rounds };
}
