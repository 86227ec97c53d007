// The kernel's random generator and wall clock on the real ISO: the entropy program
// (userspace/programs/entropy) reads the Random capability twice and the wall clock; each of its
// steps must PASS. Two boots must hand out different bytes (a generator seeded the same way
// every boot would repeat them), under QEMU's plain qemu64 CPU (no RDRAND: TSC jitter only) and
// under -cpu max (RDRAND), and the wall clock must be within a few seconds of the host's.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { withQemu } from "../qemu-runner/runner";

const random = suite("random and the wall clock");
const STEPS = ["two reads of 64 bytes differ", "an empty read returns 0", "the wall clock is after 2020 and runs with the monotonic clock"];

async function boot(cpu: string): Promise<{ bytes: string; realtimeError: number; source: string }> {
  return withQemu({ commandLine: "test=user init=entropy", cpu }, async (qemu) => {
    const wall = await qemu.expectLine(/^capsid: time: wall clock \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+ s since 1970\), from the CMOS RTC$/, 20_000);
    const hostAtWall = Date.now();
    const seeded = await qemu.expectLine(/^capsid: random: ChaCha20 generator seeded from (.*)$/);
    const wallSeconds = Number(/\((\d+) s since 1970\)/.exec(wall)![1]);
    // The RTC has whole seconds, read once at boot: within 3 s of the host's clock.
    assert.ok(Math.abs(wallSeconds * 1000 - hostAtWall) < 3000, `wall clock ${wallSeconds} s, host ${hostAtWall / 1000} s`);
    let bytes = "";
    for (const step of STEPS) {
      const line = await qemu.expectLine(new RegExp(`^entropy: (PASS|FAIL) ${step}`), 20_000);
      assert.ok(line.startsWith("entropy: PASS"), line);
      if (bytes === "") bytes = /^entropy: bytes ([0-9a-f]{128})$/.exec(await qemu.expectLine(/^entropy: bytes /))![1];
    }
    const realtime = BigInt(/^entropy: realtime (\d+)$/.exec(await qemu.expectLine(/^entropy: realtime /))![1]);
    const realtimeError = Math.abs(Number(realtime / 1_000_000n) - Date.now());
    await qemu.expectLine("entropy: all passed");
    await qemu.expectExit("pass");
    return { bytes, realtimeError, source: /seeded from (.*)$/.exec(seeded)![1] };
  });
}

random("qemu64 (no RDRAND): seeded from TSC jitter only; two boots give different bytes; realtime within 3 s", async () => {
  const first = await boot("qemu64"), second = await boot("qemu64");
  assert.is(first.source, "TSC jitter only (no RDSEED or RDRAND on this CPU)");
  assert.is.not(first.bytes, second.bytes, "two boots, two streams");
  for (const run of [first, second]) assert.ok(run.realtimeError < 3000, `Timer.realtime off by ${run.realtimeError} ms`);
});

random("-cpu max: seeded from RDRAND and TSC jitter; two boots give different bytes", async () => {
  const first = await boot("max"), second = await boot("max");
  assert.is(first.source, "RDRAND and TSC jitter");
  assert.is.not(first.bytes, second.bytes, "two boots, two streams");
});

random.run();
