// End-to-end boot tests: the real ISO under QEMU TCG. Boots to "capsid: ready" under both
// firmwares from both media, and checks that deliberate kernel faults and wasm traps end in a
// "capsid: panic:" report that names the trap or the fault.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { withQemu, type Firmware, type Medium } from "../qemu-runner/runner";

const DIRECT_MAP_BASE = 0xffff_8000_0000_0000n; // arch/x86_64/layout.h
const READY = /^capsid: ready in (\d+\.\d{3}) ms/;

const boot = suite("boot");

const MATRIX: [Firmware, Medium, number][] = [
  ["seabios", "cdrom", 15_000],
  ["seabios", "usb", 20_000],
  ["ovmf", "cdrom", 40_000],
  ["ovmf", "usb", 40_000],
];
for (const [firmware, medium, timeout] of MATRIX) {
  boot(`boots to ready under ${firmware} from ${medium}`, async () => {
    await withQemu({ firmware, medium, commandLine: "test=boot" }, async (qemu) => {
      await qemu.expectLine(/^capsid: memory: \d+ MiB RAM below 4 GiB/, timeout);
      const ready = await qemu.expectLine(READY, 5_000);
      const milliseconds = Number(READY.exec(ready)![1]);
      assert.ok(milliseconds > 0 && milliseconds < 1000, `boot time ${milliseconds} ms is plausible`);
      await qemu.expectLine("capsid: selftest: boot passed");
      await qemu.expectExit("pass");
    });
  });
}

boot("the command line reaches the kernel, and an unknown scenario fails the run", async () => {
  await withQemu({ commandLine: "test=no-such-scenario" }, async (qemu) => {
    await qemu.expectLine(READY, 15_000);
    await qemu.expectLine("capsid: selftest: unknown scenario 'no-such-scenario'; known: boot,");
    await qemu.expectExit("fail");
  });
});

boot.run();

const panics = suite("panic reports");

panics("a kernel unreachable is a wasm trap report naming the AssemblyScript function", async () => {
  await withQemu({ commandLine: "test=unreachable" }, async (qemu) => {
    await qemu.expectLine(READY, 15_000);
    await qemu.expectLine(/^capsid: panic: wasm trap: unreachable in kernel\/selftest\/scenarios\/unreachableScenario\+0x[0-9a-f]+$/);
    await qemu.expectExit("panic");
  });
});

panics("an out-of-bounds kernel access is a page fault report with the address it read", async () => {
  await withQemu({ commandLine: "test=out-of-bounds" }, async (qemu) => {
    await qemu.expectLine(READY, 15_000);
    const announced = await qemu.expectLine(/^capsid: selftest: reading kernel linear memory address 0x[0-9a-f]+$/);
    const address = BigInt(announced.split(" ").pop()!);
    await qemu.expectLine(/^capsid: panic: page fault \(#PF\) in kernel mode, error code 0x0+$/);
    await qemu.expectLine(/^  rip 0x[0-9a-f]{16} in kernel\/selftest\/scenarios\/outOfBoundsScenario\+0x[0-9a-f]+$/);
    const cr2Line = await qemu.expectLine(/^  cr2 0x[0-9a-f]{16} = kernel linear memory address 0x[0-9a-f]{16} \(not present, read\)$/);
    const cr2 = BigInt(cr2Line.trim().split(" ")[1]);
    assert.is(cr2, DIRECT_MAP_BASE + address, "CR2 is the direct-map address of what the kernel read");
    await qemu.expectExit("panic");
  });
});

panics("an integer divide by zero is a wasm trap report", async () => {
  await withQemu({ commandLine: "test=divide-by-zero" }, async (qemu) => {
    await qemu.expectLine(/^capsid: panic: wasm trap: integer divide by zero in kernel\/selftest\/scenarios\/divideByZeroScenario\+/, 15_000);
    await qemu.expectExit("panic");
  });
});

panics("abort() is a panic report with its message", async () => {
  await withQemu({ commandLine: "test=abort" }, async (qemu) => {
    await qemu.expectLine(/^capsid: panic: abort: deliberate abort from the abort scenario$/, 15_000);
    await qemu.expectExit("panic");
  });
});

panics("an implicit AssemblyScript bounds check is a panic report with its source position", async () => {
  await withQemu({ commandLine: "test=array-index" }, async (qemu) => {
    await qemu.expectLine(/^capsid: panic: abort: Index out of range at ~lib\/array\.ts:\d+:\d+$/, 15_000);
    await qemu.expectExit("panic");
  });
});

panics.run();
