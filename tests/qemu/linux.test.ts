// The Linux personality on the real ISO (docs/linux.md): unmodified static Linux programs, built
// here with glibc and with musl, run as init on Capsid and as /init on the project's Debian
// kernel under the same QEMU machine; their output and exit status must agree line for line, but
// for the differences tests/linux/differences.txt lists with their reasons. The Capsid run is
// test=user: it also checks that the process left nothing behind (frames, heap, objects). With
// strace=NAME the kernel logs each call, its result and the capability behind it.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compareWithDifferences, ensureLinuxKernel, readDifferences, runOnCapsid, runOnLinux } from "./linux-reference";

const START = "linux-check: started", END = "linux-check: done";
/** The programs compared with Linux besides linux-check, with their markers. */
const PROGRAMS: [string, string, string][] = [
  ["fork-check", "fork-check: started", "fork-check: done"],
  ["fork-check-musl", "fork-check: started", "fork-check: done"],
  ["pipe-check", "pipe-check: started", "pipe-check: done"],
  ["pipe-check-musl", "pipe-check: started", "pipe-check: done"],
  ["fs-check", "fs-check: started", "fs-check: done"],
  ["fs-check-musl", "fs-check: started", "fs-check: done"],
  ["exec-check", "exec-check: started", "exec-check: done"],
  ["exec-check-musl", "exec-check: started", "exec-check: done"],
  ["elf-check", "elf-check: started", "elf-check: done"],
  ["elf-check-musl", "elf-check: started", "elf-check: done"],
  ["sh-check", "sh-check: started", "sh-check: done"],
  ["usage-check", "usage-check: started", "usage-check: done"],
  ["usage-check-musl", "usage-check: started", "usage-check: done"],
];

test.before(() => ensureLinuxKernel());

for (const program of ["linux-check", "linux-check-musl"]) {
  test(`${program}: the same lines and exit status on Capsid as on Debian's kernel, and nothing left behind`, async () => {
    const linux = await runOnLinux(join(REPOSITORY, "build/linux-user", program), START, END);
    const capsid = await runOnCapsid(program, START, END, program === "linux-check" ? "strace=linux-check" : "");
    assert.ok(linux.lines.length > 50 && linux.lines[linux.lines.length - 1] === END, `the reference ran to its end: ${linux.lines.join("\n")}`);
    const problems = compareWithDifferences(program, linux, capsid, readDifferences());
    assert.equal(problems, [], problems.join("\n"));
    assert.match(capsid.verdict, /ended \(exit code 0\); processes left 0, .* live objects none/);
    if (program !== "linux-check") return;
    // The trace: every call with its result, and the capability that backed it.
    const trace = capsid.serial.split("\n").filter((line) => line.includes("capsid: strace: "));
    assert.ok(trace.some((line) => /strace: 1 write\(0x1, 0x[0-9a-f]+, 0x[0-9a-f]+\) = \d+ \[console 0x[0-9a-f]+\]$/.test(line)),
      "a traced write names the Console capability behind descriptor 1");
    assert.ok(trace.some((line) => /strace: 1 mmap\(0x0, 0x100000, 0x3, 0x22, 0x[f]+, 0x0\) = 0x7f[0-9a-f]+ \[memory 0x[0-9a-f]+\]$/.test(line)),
      "a traced mmap names the Memory capability it is charged to");
    assert.ok(trace.some((line) => /strace: 1 write\(0x4d, 0x[0-9a-f]+, 0x1\) = -1 EBADF$/.test(line)), "a write to a closed descriptor is EBADF, backed by nothing");
    assert.is(trace.filter((line) => /strace: 1 syscall_999\(.*\) = -1 ENOSYS$/.test(line)).length, 2, "both calls of number 999 are traced");
    const logged = capsid.serial.split("\n").filter((line) => line.includes("syscall_999 (999) is not supported: ENOSYS"));
    assert.is(logged.length, 1, "an unsupported number is logged once per process");
    assert.ok(trace.some((line) => /strace: 1 exit_group\(0x0\) = \?$/.test(line)), "exit_group is traced before it ends the process");
  });
}

for (const [program, start, end] of PROGRAMS) {
  test(`${program}: the same lines and exit status on Capsid as on Debian's kernel, and nothing left behind`, async () => {
    const linux = await runOnLinux(join(REPOSITORY, "build/linux-user", program), start, end);
    const capsid = await runOnCapsid(program, start, end);
    assert.ok(linux.lines.length > 5 && linux.lines[linux.lines.length - 1] === end, `the reference ran to its end: ${linux.lines.join("\n")}`);
    const problems = compareWithDifferences(program, linux, capsid, readDifferences());
    assert.equal(problems, [], problems.join("\n"));
    assert.match(capsid.verdict, /ended \(exit code 0\); processes left 0, .* live objects none/);
  });
}

test.run();
