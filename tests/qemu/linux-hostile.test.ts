// Hostile input through the Linux personality (docs/linux.md, "Hostile input"): a seeded
// random-syscall fuzzer (userspace/linux/syscall-fuzz.c) makes a million calls with random
// numbers and arguments from children it forks and watches; the kernel keeps running, the
// fuzzer itself (another process) still pipes, forks and execs afterwards, and the test=user
// check finds nothing left behind: no process, no object, every frame back but the exec cache's.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { withQemu } from "../qemu-runner/runner";

test("a million random system calls: the kernel stays up, other processes are unharmed, nothing leaks", async () => {
  await withQemu({ commandLine: "test=user init=syscall-fuzz" }, async (qemu) => {
    const line = await qemu.expectLine(/^syscall-fuzz: (PASS|FAIL)/, 600_000);
    assert.match(line, /^syscall-fuzz: PASS (\d+) calls/);
    const calls = Number(/PASS (\d+) calls/.exec(line)![1]);
    assert.ok(calls >= 1_000_000, `${calls} calls`);
    const verdict = await qemu.expectLine(/^capsid: selftest: user: /, 60_000);
    assert.match(verdict, /ended \(exit code 0\); processes left 0, .* live objects none/);
    assert.not.match(qemu.serial, /panic|abort/i);
  });
});

test.run();
