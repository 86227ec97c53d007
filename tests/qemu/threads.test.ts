// Threads and ParkSpace on the real ISO (userspace/programs/threads): four threads add to a
// counter in a long critical section under the mutex (exact, with parks) and without it (a
// negative control that must lose updates); a condition variable hands 10k items through a
// bounded queue; a timed park returns on time, never early; a thread that only computes and a
// ping-pong between two others both make progress (fair wake-ups); the round trips bench/ipc.ts
// reads. Each step is asserted by its PASS line, in order (steps.ts): a FAIL fails the test there.

import { suite } from "uvu";
import { withQemu } from "../qemu-runner/runner";
import { ProgramSteps } from "./steps";

const threads = suite("threads and ParkSpace");

/** The threads program's steps, in order. */
const STEPS = [
  "the mutex keeps every update",
  "contended locks park in the kernel",
  "without the mutex updates are lost",
  "the condition variable hands over every item",
  "a timed park times out, never early",
  "fairness over 300 ms",
  "park ping-pong",
  "thread IPC calls answered",
];

threads("mutex exact and parked, the unlocked control loses updates, condition variable, timed park, fairness, round trips", async () => {
  await withQemu({ commandLine: "test=user init=threads" }, async (qemu) => {
    await qemu.expectLine("capsid: processes: started threads as process 1", 20_000);
    const steps = new ProgramSteps(qemu, "threads");
    await steps.expectPasses(STEPS, 120_000);
    // The line bench/ipc.ts parses.
    await qemu.expectLine(/^threads: park round trip \d+ cycles; thread IPC round trip \d+ cycles; empty cap_enter \d+ cycles$/, 60_000);
    await qemu.expectLine(/^capsid: selftest: user: threads ended \(exit code 0\); processes left 0, .*live objects none$/);
    await qemu.expectExit("pass");
    steps.expectNoMore();
  });
});

threads.run();
