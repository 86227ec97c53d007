// The runtime's ring event loop (userspace/rt/event-loop.ts) on the real ISO, before any socket
// uses it: loop-check runs 100 tasks of five Timer sleeps each on the ring's 32 slots (the rest
// wait in the loop's queue), printing from inside the loop; all must complete, each to its own
// task, and the run must end clean.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { withQemu } from "../qemu-runner/runner";

test("loop-check: 100 tasks of Timer sleeps on 32 slots all complete, to their own tasks", async () => {
  await withQemu({ commandLine: "test=user init=loop-check" }, async (qemu) => {
    await qemu.expectLine("loop-check: 100 tasks on 32 slots", 30_000);
    for (const done of [25, 50, 75, 100]) await qemu.expectLine(`loop-check: ${done} tasks done`, 30_000);
    assert.is(await qemu.expectLine(/^loop-check: (PASS|FAIL)/, 30_000), "loop-check: PASS");
    await qemu.expectExit("pass");
  });
});

test.run();
