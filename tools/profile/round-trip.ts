// Where one round trip's guest instructions go: boots a timed round-trip program with QEMU's
// gdb stub, single-steps exactly one round (from one readTsc of the timed loop to the same point
// of the next round; tools/profile/step.py) and prints the instructions per function, kernel and
// user, and the distinct code pages touched. Exact and host-independent, unlike the wall-clock
// figures of `make bench`: use it to see what a change to a fast path saved.
//
//   tsx tools/profile/round-trip.ts ipc        a round trip between two processes (init=ipc)
//   tsx tools/profile/round-trip.ts park       a ParkSpace wake round trip (init=threads)
//   tsx tools/profile/round-trip.ts empty      an empty cap_enter (init=bench)
//   tsx tools/profile/round-trip.ts spawn      spawn+exit+wait of probe, and its release (init=bench)
//   tsx tools/profile/round-trip.ts epoll      one epoll_wait of process-bench, a Linux program
//                                              (1,000 idle sockets, one ready; glibc's epoll_wait
//                                              marks the round)
//   tsx tools/profile/round-trip.ts getpid     one syscall(SYS_getpid) of syscall-bench, the
//                                              smallest Linux call, to compare with
//   tsx tools/profile/round-trip.ts ipc park --write-hot
//        also writes linker/hot-text.txt: the kernel functions these rounds run, which the
//        linker places first in .text (linker/kernel.ld.S explains why)
//
// Needs gdb (Debian package gdb). Takes about half a minute per round trip under TCG.

import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY, withQemu } from "../../tests/qemu-runner/runner";
import { symbolAt, symbols, Symbols } from "./symbols";

// elf: the user program, under build/; mark: the user function that marks a round, called
// `perRound` times in one; skip: its executions before stepping starts, inside the timed loop
// (see the programs).
interface Scenario { init: string; elf: string; mark: string; perRound: number; skip: number }
const native = (init: string, program: string, skip: number): Scenario =>
  ({ init, elf: `user/${program}.elf`, mark: "Z_capsidZ_readTsc", perRound: 2, skip });
const SCENARIOS: Record<string, Scenario> = {
  ipc: native("ipc", "ipc-peer", 20),
  park: native("threads", "threads", 20),
  empty: native("bench", "bench", 20),
  // After the 5 loops of 501 timed cap_enters (2 reads each) and the start's read: round 20 of 101.
  spawn: native("bench", "bench", 1 + 5 * 501 * 2 + 2 * 20),
  // The 100th call of the timed epoll_wait loop (userspace/linux/process-bench.c).
  epoll: { init: "process-bench", elf: "linux-user/process-bench", mark: "epoll_wait", perRound: 1, skip: 100 },
  // The 100th syscall(SYS_getpid) of the warm-up loop (userspace/linux/syscall-bench.c).
  getpid: { init: "syscall-bench", elf: "linux-user/syscall-bench", mark: "syscall", perRound: 1, skip: 100 },
};
const KERNEL = join(REPOSITORY, "build/kernel.elf");
const KERNEL_HALF = 0xffff_8000_0000_0000n;

/** One round's instruction addresses, and the user program's symbols. */
async function trace(scenario: Scenario): Promise<{ round: bigint[]; user: Symbols }> {
  const elf = join(REPOSITORY, "build", scenario.elf);
  const user = symbols(elf);
  const mark = user.names.indexOf(scenario.mark);
  if (mark < 0) throw new Error(`${elf} has no ${scenario.mark}`);
  const markAddress = user.addresses[mark];
  const out = join(REPOSITORY, `build/profile-${scenario.init}.txt`);
  let gdbFailure: string | null = null;
  // gdb kills QEMU when it is done, so the run never ends in a pass: only gdb's status counts.
  await withQemu({ commandLine: `test=user init=${scenario.init}`, extraArguments: ["-s", "-S"] }, async () => {
    // Not spawnSync: the guest's serial output must go on being read while gdb runs, or QEMU
    // blocks on a full pipe (process-bench prints enough to fill one).
    const gdb = spawn("gdb", ["-q", "-batch", "-x", join(__dirname, "step.py")], {
      env: { ...process.env, PROFILE_OUT: out, PROFILE_MARK: markAddress.toString(16), PROFILE_SKIP: String(scenario.skip) },
      stdio: ["ignore", "ignore", "pipe"], timeout: 600_000,
    });
    let errors = "";
    gdb.stderr.on("data", (chunk) => { errors += chunk; });
    const status = await new Promise<number | null>((done) => gdb.on("close", done));
    if (status !== 0) gdbFailure = `gdb exited with ${status}: ${errors}`;
  }).catch(() => undefined);
  if (gdbFailure !== null) throw new Error(gdbFailure);
  const steps = readFileSync(out, "utf8").trim().split("\n").map((line) => BigInt("0x" + line));
  const hits = steps.flatMap((pc, i) => (pc === markAddress ? [i] : []));
  if (hits.length < scenario.perRound + 1) throw new Error(`the mark ran ${hits.length} times in ${steps.length} steps: no whole round traced`);
  return { round: steps.slice(hits[0], hits[scenario.perRound]), user };   // from a round's first mark to the next round's
}

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((argument) => !argument.startsWith("--"));
  const kernel = symbols(KERNEL);
  const hot: string[] = [];
  for (const name of names) {
    const scenario = SCENARIOS[name];
    if (!scenario) throw new Error(`unknown round trip ${name}: one of ${Object.keys(SCENARIOS).join(", ")}`);
    const { round, user } = await trace(scenario);
    const counts = new Map<string, number>();
    let inKernel = 0;
    for (const pc of round) {
      const kernelSide = pc >= KERNEL_HALF;
      if (kernelSide) inKernel++;
      const symbol = kernelSide ? symbolAt(kernel, pc) : symbolAt(user, pc);
      const key = (kernelSide ? "kernel " : "user   ") + symbol;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (kernelSide && !hot.includes(symbol)) hot.push(symbol);
    }
    const pages = new Set(round.map((pc) => pc >> 12n));
    const kernelPages = [...pages].filter((page) => page << 12n >= KERNEL_HALF).length;
    console.log(`${name}: ${round.length} guest instructions per round (kernel ${inKernel}, user ${round.length - inKernel}); `
      + `code pages touched ${pages.size} (kernel ${kernelPages})`);
    console.log("  (user symbols are named from " + scenario.elf + "; the other process's code shows under its nearest name)");
    for (const [key, count] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${String(count).padStart(6)}  ${key}`);
  }
  if (process.argv.includes("--write-hot")) {
    const path = join(REPOSITORY, "linker/hot-text.txt");
    const header = readFileSync(path, "utf8").split("\n").filter((line) => line.startsWith("#"));
    writeFileSync(path, [...header, ...hot].join("\n") + "\n");
    console.log(`wrote ${hot.length} names to linker/hot-text.txt`);
  }
}

main().catch((error) => { console.error(error); process.exit(1); });
