// Virtual memory that changes, on the real ISO (issue 14): the program vm
// (userspace/programs/vm) maps regions through its Memory capability and touches them with
// native loads and stores: demand-zero pages read as zero and are charged when touched, protect
// and unmap take effect at once, map, unmap and protect refuse what the interface page documents,
// and a write right after a protect to read-only, or a touch past the quota, ends the process
// with the kernel's report of why. Copies of the process made by ThreadSpawner.fork
// (copy-on-write): a child sees the parent's memory as it was, its writes stay its own, the
// parent's write right after the fork is invisible to the child, and 1000 fork/touch/exit
// cycles give every page back. The kernel's leak check after the run sees every frame and object
// back. The frame counts of copy-on-write are checked on the host (tests/host/vm.test.ts),
// where the model sees every frame.

import { suite } from "uvu";
import { withQemu } from "../qemu-runner/runner";
import { ProgramSteps } from "./steps";

const vm = suite("virtual memory");

vm("map, unmap and protect from user mode: demand zero, protect at once, charges back, refusals; faults end the process with the reason; fork is copy-on-write and leaks nothing", async () => {
  await withQemu({ commandLine: "test=user init=vm" }, async (qemu) => {
    const steps = new ProgramSteps(qemu, "vm");
    await steps.expectPasses([
      "map 16 read-write pages", "demand-zero pages read as zero, each charged when touched", "written words read back",
      "protect 4 pages read-only; they still read", "unmap 4 pages gives their charge back", "map again where unmapped: zero again",
      "refusals in the documented order", "unmap everything: every charge back", "a stack region grows down on a touch below it",
    ], 30_000);
    await steps.expectPasses([
      "a fork sees the parent's memory; its writes are its own", "the parent's write after a fork is invisible to the child",
      "1000 fork/touch/exit cycles leak nothing", "a shared memory object: a fork's write reaches the parent",
      "a shared memory object's charge stays while mapped, and comes back with the mapping",
    ], 120_000);
    await qemu.expectLine(/^capsid: process \d+ \(vm\): page fault \(#PF\), error code 0x7, rip 0x[0-9a-f]+, cr2 0x1000000000 \(protection violation, write\), the region does not allow it; process ended$/);
    await steps.expectPass("a write right after protect to read-only ends the process");
    await qemu.expectLine(/^capsid: process \d+ \(vm\): page fault \(#PF\), error code 0x6, rip 0x[0-9a-f]+, cr2 0x10000[0-9a-f]{5} \(not present, write\), the page would pass its region's memory quota; process ended$/);
    await steps.expectPass("a touch past the quota ends the process");
    await qemu.expectLine(/^capsid: selftest: user: vm ended \(exit code 0\); processes left 0, .*live objects none$/, 30_000);
    await qemu.expectExit("pass");
    steps.expectNoMore();
  });
});

vm.run();
