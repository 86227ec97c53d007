// Threads and ParkSpace on the real ISO (userspace/programs/threads): four threads add to a
// counter in a long critical section under the mutex (exact, with parks) and without it (a
// negative control that must lose updates); a condition variable hands 10k items through a
// bounded queue; a timed park returns on time, never early; a thread that only computes and a
// ping-pong between two others both make progress (fair wake-ups).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { withQemu } from "../qemu-runner/runner";

const threads = suite("threads and ParkSpace");

threads("mutex exact and parked, the unlocked control loses updates, condition variable, timed park", async () => {
  await withQemu({ commandLine: "test=user init=threads" }, async (qemu) => {
    const counted = await qemu.expectLine(/^threads: with the mutex (\d+) of (\d+) \(parks (\d+)\); without it (\d+)$/, 120_000);
    const [, exact, expected, parks, racy] = /with the mutex (\d+) of (\d+) \(parks (\d+)\); without it (\d+)/.exec(counted)!.map(Number);
    assert.is(exact, expected, "the mutex keeps every update");
    assert.ok(parks > 0, "contended locks parked in the kernel");
    assert.ok(racy < expected, `without the mutex updates are lost (${racy} of ${expected}): the control can fail`);
    await qemu.expectLine("threads: condition variable handed 10000 items, sum 50005000 (expected 50005000)", 60_000);
    await qemu.expectLine(/^threads: timed park of 25 ms: 0 early of 5, longest \d+ us$/, 60_000);
    // Fair wake-ups: neither a computing thread nor a ping-pong between two others starves.
    await qemu.expectLine("threads: fairness over 300 ms: the spinner counted on, the ping-pong made progress", 60_000);
    await qemu.expectLine(/^threads: park round trip \d+ cycles; thread IPC round trip \d+ cycles; empty cap_enter \d+ cycles$/, 60_000);
    await qemu.expectLine("threads: all passed", 60_000);
    await qemu.expectLine(/^capsid: selftest: user: threads ended \(exit code 0\); processes left 0, .*live objects none$/);
    await qemu.expectExit("pass");
  });
});

threads.run();
