// Machine bring-up on the real ISO: memory sizes and the above-4-GiB policy, the kernel's own
// page tables, faults and traps (each with its report), interrupts (the tick rate, serial
// input), and CPU variants (-cpu max, -smp 1, 2 and 4 with every processor but the first parked).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { statSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY, withQemu } from "../qemu-runner/runner";

const DIRECT_MAP_BASE = 0xffff_8000_0000_0000n; // arch/x86_64/layout.h
const READY = /^capsid: ready in \d+\.\d{3} ms/;
const FRAMES = /^capsid: memory: (\d+) frames free \((\d+) MiB\) below 4 GiB/;

const memory = suite("memory");

for (const [size, lowMiB, highMiB] of [["64M", 64, 0], ["512M", 512, 0], ["4G", 3072, 1024]] as [string, number, number][]) {
  memory(`${size} of RAM: frame counts match the RAM below 4 GiB; RAM above 4 GiB is logged and ignored`, async () => {
    await withQemu({ memory: size, commandLine: "test=boot" }, async (qemu) => {
      const line = await qemu.expectLine(FRAMES, 20_000);
      const frames = Number(FRAMES.exec(line)![1]);
      // Frames start above the first 16 MiB and the heap range (kernel/memory/frames.ts), a 16th
      // of the RAM below 4 GiB (a little under lowMiB) in whole 2 MiB, 8 to 256 MiB
      // (arch/x86_64/memory_plan.h); the rest less the frame bitmap and the top-of-RAM firmware
      // areas: within 4 MiB.
      const heapMiB = Math.min(256, Math.max(8, 2 * Math.floor((lowMiB - 1) / 32)));
      const expectedMiB = lowMiB - 16 - heapMiB;
      // The boot modules GRUB put in the heap's range are moved above it (arch/x86_64/
      // boot_information.c) and held there: at most all of them.
      const modulesMiB = ["build/package.cpio", "build/test-package.cpio", "build/initrd.cpio", "build/test-initrd.cpio"]
        .reduce((sum, path) => sum + statSync(join(REPOSITORY, path)).size, 0) / 2 ** 20;
      const gotMiB = frames * 4096 / 2 ** 20;
      assert.ok(gotMiB < expectedMiB + 4 && gotMiB > expectedMiB - modulesMiB - 4, `${frames} frames for ${lowMiB} MiB below 4 GiB (boot modules ${modulesMiB.toFixed(1)} MiB)`);
      if (highMiB) await qemu.expectLine(`capsid: memory: ${highMiB} MiB above 4 GiB ignored (policy: not mapped, not allocated)`);
      else assert.not.match(qemu.serial, "above 4 GiB ignored");
      await qemu.expectLine(/^capsid: paging: kernel address space at 0x[0-9a-f]+, \d+ table frames, no-execute on$/);
      await qemu.expectLine(READY);
      await qemu.expectExit("pass");
    });
  });
}

memory.run();

const faults = suite("fault and trap reports");

faults("a null dereference is a page fault at linear address 8", async () => {
  await withQemu({ commandLine: "test=null" }, async (qemu) => {
    await qemu.expectLine(/^capsid: panic: page fault \(#PF\) in kernel mode/, 20_000);
    await qemu.expectLine(/^  rip 0x[0-9a-f]{16} in kernel\/selftest\/scenarios\/nullScenario\+/);
    const cr2 = await qemu.expectLine(/^  cr2 0x[0-9a-f]{16} = kernel linear memory address 0x0+8 \(not present, read\)$/);
    assert.is(BigInt(cr2.trim().split(" ")[1]), DIRECT_MAP_BASE + 8n);
    await qemu.expectLine(/^  rsp 0x[0-9a-f]{16} rflags 0x[0-9a-f]{16} cs 0x0+8$/);
    await qemu.expectLine(/^  rax 0x[0-9a-f]{16} rbx 0x[0-9a-f]{16} rcx 0x[0-9a-f]{16} rdx 0x[0-9a-f]{16}$/);
    await qemu.expectExit("panic");
  });
});

faults("stack exhaustion hits the guard page and is reported, not a triple fault", async () => {
  await withQemu({ commandLine: "test=stack-overflow" }, async (qemu) => {
    await qemu.expectLine(/^capsid: panic: wasm trap: call stack exhausted \(guard page of the kernel stack hit\) in kernel\/selftest\/scenarios\/recurse/, 20_000);
    await qemu.expectLine(/^  page fault \(#PF\) in kernel mode, error code 0x0+2$/);
    await qemu.expectExit("panic");
  });
});

faults("an indirect call with the wrong signature is a wasm trap report", async () => {
  await withQemu({ commandLine: "test=indirect-call" }, async (qemu) => {
    await qemu.expectLine(/^capsid: panic: wasm trap: indirect call type mismatch or null in kernel\/selftest\/scenarios\/indirectCallScenario\+/, 20_000);
    await qemu.expectExit("panic");
  });
});

faults.run();

const interrupts = suite("interrupts and time");

interrupts("the tick rate over more than 1 s of TSC time is within 2 % of the configured rate", async () => {
  for (const hz of [100, 250]) {
    await withQemu({ commandLine: `test=tick tick=${hz}` }, async (qemu) => {
      await qemu.expectLine(new RegExp(`^capsid: time: TSC [\\d.]+ MHz, APIC timer [\\d.]+ MHz \\(median of 5 PIT windows, [\\d.]+ ms\\); tick ${hz} Hz$`), 20_000);
      const result = await qemu.expectLine(/^capsid: selftest: tick: \d+ ticks in [\d.]+ ms of TSC time = [\d.]+ Hz, configured \d+ Hz, deviation [\d.]+ %$/, 10_000);
      const deviation = Number(/deviation ([\d.]+) %/.exec(result)![1]);
      assert.ok(deviation < 2, `deviation ${deviation} % (${result})`);
      await qemu.expectExit("pass");
    });
  }
});

interrupts("a line typed on the serial console comes back through the COM1 interrupt", async () => {
  await withQemu({ commandLine: "test=echo" }, async (qemu) => {
    await qemu.expectLine("capsid: selftest: echo: waiting for a line on the serial console", 20_000);
    qemu.send("hello from the host 123\r");
    await qemu.expectLine("capsid: selftest: echo: hello from the host 123");
    await qemu.expectExit("pass");
  });
});

interrupts.run();

const logging = suite("command line");

logging("log=warning keeps info lines out but always prints the ready line; an unknown level is a warning", async () => {
  await withQemu({ commandLine: "log=warning test=boot" }, async (qemu) => {
    await qemu.expectLine(READY, 20_000);
    await qemu.expectExit("pass");
    assert.not.match(qemu.serial, "capsid: paging:", "info lines are not written");
    assert.match(qemu.serial, "capsid: boot: GRUB", "lines before the command line is read use the default level");
  });
  await withQemu({ commandLine: "log=chatty test=boot" }, async (qemu) => {
    await qemu.expectLine("capsid: log: unknown level 'chatty' (error, warning, info, debug); keeping info", 20_000);
    await qemu.expectLine(/^capsid: paging:/);
    await qemu.expectExit("pass");
  });
});

logging("a tick= that is not a rate in range is a warning, and the default rate is used", async () => {
  await withQemu({ commandLine: "tick=fast test=boot" }, async (qemu) => {
    await qemu.expectLine("capsid: time: tick=fast is not a rate from 10 to 10000 Hz; using 100", 20_000);
    await qemu.expectLine(/^capsid: time: TSC .*; tick 100 Hz$/);
    await qemu.expectExit("pass");
  });
});

logging("every kernel log line carries a millisecond timestamp", async () => {
  await withQemu({ commandLine: "test=boot" }, async (qemu) => {
    await qemu.expectExit("pass", 20_000);
    const kernelLines = qemu.serial.split("\n").filter((line) => line.includes("capsid: ") && !line.includes("capsid: panic"));
    assert.ok(kernelLines.length >= 8);
    for (const line of kernelLines) assert.match(line, /^\[\s*\d+\.\d{3}\] capsid: /, line);
  });
});

logging.run();

const processors = suite("processors");

// The count comes from the loop, not from the kernel's own lines: each boot must report exactly
// the processors QEMU was given, and all but the bootstrap one parked.
for (const processorCount of [1, 2, 4]) {
  processors(`-smp ${processorCount}: the MADT lists ${processorCount}, the bootstrap processor runs, ${processorCount - 1} parked`, async () => {
    await withQemu({ smp: processorCount, commandLine: "test=boot" }, async (qemu) => {
      const madt = await qemu.expectLine(/^capsid: acpi: MADT: \d+ processor\(s\), /, 20_000);
      assert.is(madt, `capsid: acpi: MADT: ${processorCount} processor(s), 1 I/O APIC(s), local APIC at 0xfee00000`);
      const cpu = await qemu.expectLine(/^capsid: cpu: \d+ processor\(s\); /);
      assert.is(cpu, `capsid: cpu: ${processorCount} processor(s); the bootstrap processor (APIC id 0) runs the kernel, ${processorCount - 1} parked`);
      await qemu.expectExit("pass");
    });
  });
}

processors("-cpu max boots, with no-execute", async () => {
  await withQemu({ cpu: "max", commandLine: "test=boot" }, async (qemu) => {
    await qemu.expectLine(/^capsid: paging: .* no-execute on$/, 20_000);
    await qemu.expectLine(READY);
    await qemu.expectExit("pass");
  });
});

processors.run();
