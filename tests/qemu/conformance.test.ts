// The conformance suite (docs/linux.md, "Conformance"): the small programs of
// userspace/conformance/, each printing every return value and errno of one topic, run by
// userspace/linux/conformance.c as init: once on the project's Debian kernel (its initramfs
// carries the programs at /conformance/, as build/conformance/root/ holds them) and once on
// Capsid (the same tree comes in the test-initrd module), per C library: four boots in all. The
// output is split per program and each program is one test: its lines and its `== NAME exit N`
// line must agree, but for the differences tests/linux/conformance-differences.txt lists with
// their reasons (program names as there: NAME for glibc, NAME-musl for musl).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { treeEntries } from "../../tools/initrd";
import { REPOSITORY } from "../qemu-runner/runner";
import { compareWithDifferences, ensureLinuxKernel, ProgramRun, readDifferences, runOnCapsid, runOnLinux } from "./linux-reference";

const START = "conformance: started", END = "conformance: done";
const DIFFERENCES = join(REPOSITORY, "tests/linux/conformance-differences.txt");
const PROGRAMS = readdirSync(join(REPOSITORY, "userspace/conformance")).filter((name) => name.endsWith(".c")).map((name) => name.slice(0, -2)).sort();
/** One boot takes about a minute under TCG; a hung program is ended by the runner's alarm. */
const TIMEOUT_MS = 600_000;

/** Each program's lines (ending with its `== NAME ...` line) in a run's output. */
function splitPrograms(lines: string[]): Map<string, string[]> {
  const programs = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of lines) {
    if (line.startsWith(START) || line.startsWith(END)) continue;
    current.push(line);
    const end = /^== (\S+) /.exec(line);
    if (end) {
      programs.set(end[1], current);
      current = [];
    }
  }
  return programs;
}

interface Side { lines: string[]; programs: Map<string, string[]>; verdict?: string }
const runs = new Map<string, { linux: Side; capsid: Side }>();

test.before(async () => {
  ensureLinuxKernel();
  execFileSync("make", ["--no-print-directory", "build/test-initrd.cpio", "build/linux-user/conformance", "build/linux-user/conformance-musl"],
    { cwd: REPOSITORY, stdio: "inherit" });
  const extra = treeEntries(join(REPOSITORY, "build/conformance/root"));
  for (const runner of ["conformance", "conformance-musl"]) {
    const [linux, capsid] = await Promise.all([
      runOnLinux(join(REPOSITORY, "build/linux-user", runner), START, END, TIMEOUT_MS, extra),
      runOnCapsid(runner, START, END, "", TIMEOUT_MS),
    ]);
    // CONFORMANCE_OUTPUT=FOLDER keeps each side's lines (RUNNER.linux.txt, RUNNER.capsid.txt) for a diff.
    const keep = process.env.CONFORMANCE_OUTPUT;
    if (keep) {
      writeFileSync(join(keep, `${runner}.linux.txt`), linux.lines.join("\n") + "\n");
      writeFileSync(join(keep, `${runner}.capsid.txt`), capsid.serial);
    }
    runs.set(runner, {
      linux: { lines: linux.lines, programs: splitPrograms(linux.lines) },
      capsid: { lines: capsid.lines, programs: splitPrograms(capsid.lines), verdict: capsid.verdict },
    });
  }
});

for (const runner of ["conformance", "conformance-musl"]) {
  const suffix = runner === "conformance" ? "" : "-musl";
  test(`${runner}: the runner ran every program on both kernels, and Capsid's run left nothing behind`, () => {
    const run = runs.get(runner)!;
    assert.ok(run.linux.lines.some((line) => line.startsWith(END)), `the reference ran to its end:\n${run.linux.lines.slice(-20).join("\n")}`);
    assert.ok(run.capsid.lines.some((line) => line.startsWith(END)), `Capsid ran to its end:\n${run.capsid.lines.slice(-20).join("\n")}`);
    assert.equal([...run.linux.programs.keys()], PROGRAMS, "the reference ran every program of userspace/conformance/");
    assert.match(run.capsid.verdict!, /ended \(exit code 0\); processes left 0, .* live objects none/);
  });
  for (const program of PROGRAMS) {
    const name = program + suffix;
    test(`${name}: the same lines on Capsid as on Debian's kernel`, () => {
      const run = runs.get(runner)!;
      const linux: ProgramRun = { lines: run.linux.programs.get(program) ?? [], exitCode: 0 };
      const capsid: ProgramRun = { lines: run.capsid.programs.get(program) ?? [], exitCode: 0 };
      assert.ok(linux.lines.length > 1, `the reference printed ${program}'s lines`);
      const problems = compareWithDifferences(name, linux, capsid, readDifferences(DIFFERENCES));
      assert.equal(problems, [], problems.join("\n"));
    });
  }
}

test.run();
