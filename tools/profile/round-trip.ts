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
//   tsx tools/profile/round-trip.ts ipc park --write-hot
//        also writes linker/hot-text.txt: the kernel functions these rounds run, which the
//        linker places first in .text (linker/kernel.ld.S explains why)
//
// Needs gdb (Debian package gdb). Takes about half a minute per round trip under TCG.

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY, withQemu } from "../../tests/qemu-runner/runner";
import { symbolAt, symbols, Symbols } from "./symbols";

interface Scenario { init: string; program: string; skip: number }
// skip: readTsc executions before stepping starts, inside the timed loop (see the programs).
const SCENARIOS: Record<string, Scenario> = {
  ipc: { init: "ipc", program: "ipc-peer", skip: 20 },
  park: { init: "threads", program: "threads", skip: 20 },
  empty: { init: "bench", program: "bench", skip: 20 },
  // After the 5 loops of 501 timed cap_enters (2 reads each) and the start's read: round 20 of 101.
  spawn: { init: "bench", program: "bench", skip: 1 + 5 * 501 * 2 + 2 * 20 },
};
const KERNEL = join(REPOSITORY, "build/kernel.elf");
const KERNEL_HALF = 0xffff_8000_0000_0000n;

/** One round's instruction addresses, and the user program's symbols. */
async function trace(scenario: Scenario): Promise<{ round: bigint[]; user: Symbols }> {
  const elf = join(REPOSITORY, `build/user/${scenario.program}.elf`);
  const user = symbols(elf);
  const mark = user.names.indexOf("Z_capsidZ_readTsc");
  if (mark < 0) throw new Error(`${elf} has no Z_capsidZ_readTsc`);
  const markAddress = user.addresses[mark];
  const out = join(REPOSITORY, `build/profile-${scenario.init}.txt`);
  let gdbFailure: string | null = null;
  // gdb kills QEMU when it is done, so the run never ends in a pass: only gdb's status counts.
  await withQemu({ commandLine: `test=user init=${scenario.init}`, extraArguments: ["-s", "-S"] }, async () => {
    const gdb = spawnSync("gdb", ["-q", "-batch", "-x", join(__dirname, "step.py")], {
      env: { ...process.env, PROFILE_OUT: out, PROFILE_MARK: markAddress.toString(16), PROFILE_SKIP: String(scenario.skip) },
      stdio: ["ignore", "ignore", "pipe"], timeout: 600_000,
    });
    if (gdb.status !== 0) gdbFailure = `gdb exited with ${gdb.status}: ${gdb.stderr}`;
  }).catch(() => undefined);
  if (gdbFailure !== null) throw new Error(gdbFailure);
  const steps = readFileSync(out, "utf8").trim().split("\n").map((line) => BigInt("0x" + line));
  const hits = steps.flatMap((pc, i) => (pc === markAddress ? [i] : []));
  if (hits.length < 3) throw new Error(`the mark ran ${hits.length} times in ${steps.length} steps: no whole round traced`);
  return { round: steps.slice(hits[0], hits[2]), user };   // from a round's first readTsc to the next round's
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
    console.log("  (user symbols are named from " + scenario.program + ".elf; the other process's code shows under its nearest name)");
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
