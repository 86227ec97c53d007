// Processes and the capability ring on the real ISO: init spawns a program and reads its exit
// code; the check program (userspace/programs/check) runs every isolation probe, kills, stale
// handles and 1000 spawn/exit cycles, after which the kernel checks that every frame and object
// came back (kernel/selftest/user-run.ts), under the default process switch and then under each
// strategy and page-table isolation setting forced in turn (switch=, isolation=; with isolation
// the kernel's walk of the user-mode page tables must find nothing but the entry area); the ring
// fuzzer (userspace/programs/fuzz); SMAP and SMEP are broken on purpose under -cpu max. Each
// program step is asserted by its PASS line, in order (steps.ts): a FAIL fails the test at that
// step.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { withQemu, type QemuSession } from "../qemu-runner/runner";
import { ProgramSteps } from "./steps";

const processes = suite("processes");

// After the started program ends: no process, every frame back, the kernel heap (after a full
// collection) not above its size when the program started (kernel/selftest/user-run.ts allows 4
// KiB for the kernel's lists' capacity; retaining each ended process, tried by hand, gives 1 MB
// after the check program), no deadline, no object of any interface alive.
const LEAK_CHECK = /^capsid: selftest: user: (\w+) ended \(exit code 0\); processes left 0, frames free (\d+) \(before user space (\d+)\), heap bytes (\d+) \(at start (\d+)\), deadlines 0, live objects none$/;

/** The boot log's process-switch lines under QEMU's TCG with nothing forced. */
const TCG_SWITCH = /^capsid: processes: process switch by INVLPG of the previous space's accessed pages in one PML4's user half \(QEMU's TCG, where a CR3 load empties the whole TLB; one CPU runs user code\)$/;
const TCG_ISOLATION = "capsid: processes: page-table isolation off (QEMU's TCG: nothing speculates)";

processes("init spawns hello, reads its exit code, and the kernel is back at its baseline", async () => {
  await withQemu({ commandLine: "test=user" }, async (qemu) => {
    await qemu.expectLine(/^capsid: processes: ring 3 through SYSCALL\/SYSRET, SMEP off \(not on this CPU\), SMAP off \(not on this CPU\)$/, 20_000);
    await qemu.expectLine(TCG_SWITCH);
    await qemu.expectLine(TCG_ISOLATION);
    await qemu.expectLine("capsid: processes: started init as process 1");
    await qemu.expectLine("init: started");
    await qemu.expectLine("hello: process 2 says hello from ring 3");
    await qemu.expectLine("hello: my memory quota is 256 pages");   // a split, not init's 4096
    await new ProgramSteps(qemu, "hello").expectPass("memory quota");
    await new ProgramSteps(qemu, "init").expectPass("hello exit code");   // init's comparison, then its line
    await qemu.expectLine("init: hello exited with code 42");
    const line = await qemu.expectLine(LEAK_CHECK);
    const [, name, after, before] = LEAK_CHECK.exec(line)!;
    assert.is(name, "init");
    assert.is(after, before);
    await qemu.expectExit("pass");
  });
});

/** Each probe check runs alone, in its order (its EXPECTATIONS table): number, name, and the
 * kernel's report of how it ended (null: it exits, with no report). Reads and writes of the kernel
 * half fault as protection violations, or with page-table isolation on as pages not present. */
const probeReports = (isolation: boolean): [number, string, RegExp | null][] => [
  [0, "exit holding capabilities", null],
  [1, "read the direct map", isolation
    ? /^capsid: process \d+ \(probe\): page fault \(#PF\), error code 0x4, rip 0x[0-9a-f]+, cr2 0xffff800000100000 \(not present, read\), no region; process ended$/
    : /^capsid: process \d+ \(probe\): page fault \(#PF\), error code 0x5, rip 0x[0-9a-f]+, cr2 0xffff800000100000 \(protection violation, read\), no region; process ended$/],
  [2, "read kernel text", /^capsid: process \d+ \(probe\): page fault \(#PF\), error code 0x4, rip 0x[0-9a-f]+, cr2 0xffffffff80101000 \(not present, read\), no region; process ended$/],
  [3, "cli", /^capsid: process \d+ \(probe\): general protection fault \(#GP\), error code 0x0, rip 0x[0-9a-f]+; process ended$/],
  [4, "in", /^capsid: process \d+ \(probe\): general protection fault \(#GP\), error code 0x0, rip 0x[0-9a-f]+; process ended$/],
  // int 0x30 through a DPL-0 gate: #GP naming the IDT entry: 0x30 << 3 | 2 on hardware; QEMU's TCG
  // scales the vector by the 16-byte long-mode gate size instead (0x302).
  [5, "int 0x30", /^capsid: process \d+ \(probe\): general protection fault \(#GP\), error code 0x(182|302), rip 0x[0-9a-f]+; process ended$/],
  [6, "hlt", /^capsid: process \d+ \(probe\): general protection fault \(#GP\), error code 0x0, rip 0x[0-9a-f]+; process ended$/],
  [7, "wasm divide by zero", /^capsid: process \d+ \(probe\): wasm trap: integer divide by zero; process ended$/],
  [8, "wasm unreachable", /^capsid: process \d+ \(probe\): wasm trap: unreachable; process ended$/],
  [9, "load from wasm null", /^capsid: process \d+ \(probe\): page fault \(#PF\), error code 0x4, rip 0x[0-9a-f]+, cr2 0x100000000 \(not present, read\), no region; process ended$/],
  [10, "write own text", /^capsid: process \d+ \(probe\): page fault \(#PF\), error code 0x7, rip 0x[0-9a-f]+, cr2 0x400000 \(protection violation, write\), the region does not allow it; process ended$/],
  // The page under the 64 KiB stack (USER_STACK_TOP - USER_STACK_SIZE) is the guard.
  [11, "stack overflow", /^capsid: process \d+ \(probe\): page fault \(#PF\), error code 0x6, rip 0x[0-9a-f]+, cr2 0x7ffefffef[0-9a-f]{3} \(not present, write\), no region; process ended$/],
  [12, "call a handle not held", null],
  [14, "abort", /^panic: probe: deliberate abort/],
  [15, "write the kernel half", isolation
    ? /^capsid: process \d+ \(probe\): page fault \(#PF\), error code 0x6, rip 0x[0-9a-f]+, cr2 0xffff800000100000 \(not present, write\), no region; process ended$/
    : /^capsid: process \d+ \(probe\): page fault \(#PF\), error code 0x7, rip 0x[0-9a-f]+, cr2 0xffff800000100000 \(protection violation, write\), no region; process ended$/],
  [18, "unaligned atomic", /^capsid: process \d+ \(probe\): wasm trap: out-of-bounds memory or table access; process ended$/],
];

/** The kernel's walk of the user-mode page tables (kernel/syscall/start.ts) with isolation on:
 * check's own user half, and of the kernel 2 pages of trampolines, 2 of GDT, IDT, TSS and entry
 * variables, and the 13 pages of the four entry stacks (tests/host/entry-area.test.ts). */
const USER_MODE_TABLES = "capsid: isolation: user-mode page tables of check: 2 user-half PML4 entries, the process's own; of the kernel 2 pages of entry and exit code, 2 of GDT, IDT, TSS and entry variables, 13 of entry stacks, nothing else";

/** The check program's run (see the file's header): the switch lines, with isolation the walk of
 * the user-mode page tables, every probe and its report, and the leak check. */
async function checkRun(commandLine: string, strategy: RegExp | string, isolation: string): Promise<void> {
  await withQemu({ commandLine }, async (qemu) => {
    await qemu.expectLine(strategy, 20_000);
    await qemu.expectLine(isolation);
    const on = isolation.startsWith("capsid: processes: page-table isolation on");
    await qemu.expectLine("capsid: processes: started check as process 1");
    if (on) await qemu.expectLine(USER_MODE_TABLES);
    await checkSteps(qemu, on);
  });
}

processes("isolation probes fault with the right CR2, the others run on; 1000 spawn/exit cycles leak nothing", async () => {
  await checkRun("test=user init=check", TCG_SWITCH, TCG_ISOLATION);
});

// Every strategy and both isolation settings, forced in turn (TCG lacks PCID: switch=pcid falls
// back to CR3 per address space and says so). With isolation, probes that touch the kernel half
// find it not mapped at all.
processes("switch=accessed isolation=on: the isolation probes pass, the user-mode page tables map only the entry area", async () => {
  await checkRun("test=user init=check switch=accessed isolation=on",
    "capsid: processes: process switch by INVLPG of the previous space's accessed pages in one PML4's user half (switch=accessed)",
    "capsid: processes: page-table isolation on (isolation=on)");
});

processes("switch=cr3 isolation=off: the isolation probes pass with CR3 per address space and global kernel pages", async () => {
  await checkRun("test=user init=check switch=cr3 isolation=off", "capsid: processes: process switch by CR3 per address space, global kernel pages (switch=cr3)",
    "capsid: processes: page-table isolation off (isolation=off)");
});

processes("switch=pcid isolation=on under TCG (no PCID): CR3 per address space, saying why; the isolation probes pass", async () => {
  await checkRun("test=user init=check switch=pcid isolation=on",
    "capsid: processes: process switch by CR3 per address space (switch=pcid, but this CPU has no PCID)",
    "capsid: processes: page-table isolation on (isolation=on)");
});

async function checkSteps(qemu: QemuSession, isolation: boolean): Promise<void> {
  const check = new ProgramSteps(qemu, "check");
  // Each step before the kernel's report of it (printed earlier): a probe that ends otherwise
  // fails here with what check saw, not with a wait for a report that never comes.
  for (const [probe, name, report] of probeReports(isolation)) {
    await qemu.expectLine(`check: probe ${probe}: ${name}`);
    await check.expectPass(`probe ${probe} (${name})`);
    if (report) await qemu.expectLine(report);
  }
  await check.expectPass("kill");
  await qemu.expectLine(/^capsid: process \d+ \(probe\) was killed$/);
  await check.expectPasses(["released handle is stale", "atomics"]);
  const target = await qemu.expectLine(/^check: probe 19: read another process's ring at physical 0x([0-9a-f]+)$/);
  const physical = BigInt("0x" + /0x([0-9a-f]+)$/.exec(target)![1]);
  assert.ok(physical >= 0x100_0000n, "a real ring frame");
  await check.expectPass("probe 19 (read another process's ring)");
  const report = await qemu.expectLine(isolation
    ? /^capsid: process \d+ \(probe\): page fault \(#PF\), error code 0x4, rip 0x[0-9a-f]+, cr2 0x([0-9a-f]+) \(not present, read\), no region; process ended$/
    : /^capsid: process \d+ \(probe\): page fault \(#PF\), error code 0x5, rip 0x[0-9a-f]+, cr2 0x([0-9a-f]+) \(protection violation, read\), no region; process ended$/);
  assert.is(BigInt("0x" + /cr2 0x([0-9a-f]+)/.exec(report)![1]), 0xffff_8000_0000_0000n + physical, "CR2 is that ring through the direct map");
  // Two processes summing in SSE registers while the tick preempts them (without the FXSAVE
  // switch in arch/x86_64/user.c this fails: checked by hand).
  await check.expectPass("SSE sums in two preempted processes", 60_000);
  await check.expectPass("two processes at the same addresses read only their own pages", 60_000);
  await check.expectPass("1000 spawn/exit cycles", 120_000);
  const line = await qemu.expectLine(LEAK_CHECK, 20_000);
  const [, name, after, before, heap, heapBefore] = LEAK_CHECK.exec(line)!;
  assert.is(name, "check");
  assert.is(after, before);
  assert.ok(Number(heap) <= Number(heapBefore) + 4096, `kernel heap ${heap} bytes after 1000 cycles, ${heapBefore} at start`);
  await qemu.expectExit("pass");
  check.expectNoMore();
}

/** Every error the fuzzer can meet with its grants (userspace/programs/fuzz, REQUIRED there). */
const FUZZ_ERRORS = ["malformed", "not found", "invalid argument", "invalid handle", "wrong interface", "table full", "bad address",
  "unknown opcode", "unknown method", "quota exceeded", "not permitted", "reserved field not zero", "peer ended", "timed out"];

processes("ring fuzzer: 100k mutated entries on every capability it holds, endpoints and ParkSpace included; every documented error met, the kernel keeps running and leaks nothing", async () => {
  await withQemu({ commandLine: "test=user init=fuzz" }, async (qemu) => {
    const seed = await qemu.expectLine(/^fuzz: seed \d+ \(replay with initarg=\d+\), 100000 entries$/, 20_000);
    console.log(`    ${seed}`);
    const fuzz = new ProgramSteps(qemu, "fuzz");
    await fuzz.expectPass("mutated entries", 120_000);
    await fuzz.expectPasses(["endpoint and park paths reached", "malformed indexes", "full completion queue", "min_complete past the queue",
      "grant the manifest forbids"]);
    await fuzz.expectPasses(["table full", "endpoint closed", "park timed out"], 60_000);
    const results = await qemu.expectLine(/^fuzz: results: /);
    for (const error of FUZZ_ERRORS) assert.match(results, new RegExp(`, ${error} [1-9]\\d*`), `${error} met`);
    await fuzz.expectPass("every documented error met");
    await qemu.expectLine(LEAK_CHECK);
    await qemu.expectExit("pass");
    fuzz.expectNoMore();
  });
});

processes("-cpu max: SMAP stops the kernel reading user memory directly", async () => {
  await withQemu({ commandLine: "test=smap", cpu: "max" }, async (qemu) => {
    await qemu.expectLine("capsid: processes: ring 3 through SYSCALL/SYSRET, SMEP on, SMAP on", 20_000);
    await qemu.expectLine(TCG_SWITCH);
    await qemu.expectLine("capsid: selftest: kernel reads user address 0x400000");
    await qemu.expectLine(/^capsid: panic: page fault \(#PF\) in kernel mode, error code 0x0+1$/);
    await qemu.expectLine(/^  cr2 0x0+400000 \(protection violation, read\)$/);
    await qemu.expectExit("panic");
  });
});

processes("-cpu max: SMEP stops the kernel running user code", async () => {
  await withQemu({ commandLine: "test=smep", cpu: "max" }, async (qemu) => {
    await qemu.expectLine("capsid: selftest: kernel jumps to user address 0x400000", 20_000);
    await qemu.expectLine(/^capsid: panic: page fault \(#PF\) in kernel mode, error code 0x0+11$/);
    await qemu.expectLine(/^  cr2 0x0+400000 \(protection violation, instruction fetch\)$/);
    await qemu.expectExit("panic");
  });
});

processes.run();
