// Linux signals and process groups (docs/linux.md, "Signals"): programs built with glibc and with
// musl run as init on Capsid and as /init on the project's Debian kernel under the same QEMU
// machine; their output and exit status must agree line for line, but for the differences
// tests/linux/differences.txt lists. They cover handlers and SA_SIGINFO's fields, masks, EINTR
// against SA_RESTART, SIGCHLD, SIGPIPE, sigsuspend, sigtimedwait, the alternate stack, every
// default action (stop and continue with wait4's reports), the frame and its FPU state, fault
// signals with a handler that siglongjmps out, hostile rt_sigreturn frames (the process dies with
// SIGSEGV, the kernel stays up), alarm and ITIMER_REAL, process groups and sessions and kill to a
// group, and job control on the console (SIGTTIN, SIGTTOU, TOSTOP). The Capsid run is
// test=user: it also checks that nothing was left behind.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compareWithDifferences, ensureLinuxKernel, readDifferences, runOnCapsid, runOnLinux } from "./linux-reference";

const PROGRAMS = ["signal-check", "sigframe-check", "alarm-check", "kill-check", "jobs-check"];

test.before(() => ensureLinuxKernel());

for (const base of PROGRAMS) {
  for (const program of [base, `${base}-musl`]) {
    const start = `${base}: started`, end = `${base}: done`;
    test(`${program}: the same lines and exit status on Capsid as on Debian's kernel, and nothing left behind`, async () => {
      const linux = await runOnLinux(join(REPOSITORY, "build/linux-user", program), start, end);
      const capsid = await runOnCapsid(program, start, end, program === "sigframe-check" ? `strace=${program}` : "");
      assert.ok(linux.lines.length > 20 && linux.lines[linux.lines.length - 1] === end, `the reference ran to its end: ${linux.lines.join("\n")}`);
      const problems = compareWithDifferences(program, linux, capsid, readDifferences());
      assert.equal(problems, [], problems.join("\n"));
      assert.match(capsid.verdict, /ended \(exit code 0\); processes left 0, .* live objects none/);
      if (program !== "sigframe-check") return;
      // The trace shows rt_sigreturn answering with the frame's rax, and kill's delivery.
      const trace = capsid.serial.split("\n").filter((line) => line.includes("capsid: strace: "));
      assert.ok(trace.some((line) => /strace: 1 rt_sigreturn\(\) = /.test(line)), "rt_sigreturn is traced");
      assert.ok(trace.some((line) => /strace: 1 kill\(0x1, 0xa\) = 0$/.test(line)), "kill of itself with SIGUSR1 is traced");
    });
  }
}

test.run();
