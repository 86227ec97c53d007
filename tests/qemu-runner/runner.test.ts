// Tests of the QEMU runner itself: a timeout, a missing line and a wrong exit status must each be
// reported as failures (with the serial log), and QEMU's own exit codes are never a pass.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { decodeExit, grubCommandLine, logMessage, QemuSession, withQemu } from "./runner";

const runner = suite("qemu runner");

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection, got success");
}

runner("decodes debug-exit statuses and never takes QEMU's own exit for a pass", () => {
  assert.is(decodeExit({ code: 33, signal: null }).outcome, "pass");
  assert.is(decodeExit({ code: 35, signal: null }).outcome, "fail");
  assert.is(decodeExit({ code: 37, signal: null }).outcome, "panic");
  assert.is(decodeExit({ code: 0, signal: null }).outcome, null);
  assert.match(decodeExit({ code: 0, signal: null }).description, "triple-faulted");
  assert.is(decodeExit({ code: 1, signal: null }).outcome, null);
  assert.is(decodeExit({ code: 3, signal: null }).outcome, null);
  assert.is(decodeExit({ code: null, signal: "SIGKILL" }).outcome, null);
});

runner("matches the message: timestamps and terminal control are not part of it", () => {
  assert.is(logMessage("[    0.012] capsid: ready in 3.000 ms"), "capsid: ready in 3.000 ms");
  assert.is(logMessage("[12345.678] capsid: x"), "capsid: x");
  assert.is(logMessage("\x1b[0m\x1b[37m\x1b[40mcapsid: panic: y"), "capsid: panic: y");
  assert.is(logMessage("[oops] capsid: z"), "[oops] capsid: z", "only a real timestamp is removed");
});

runner("refuses command lines GRUB would interpret", () => {
  assert.is(grubCommandLine("test=boot"), 'set capsid_cmdline="test=boot"\nset capsid_tests=1\n');
  assert.is(grubCommandLine("test=boot", undefined, "absent"), 'set capsid_cmdline="test=boot"\n');
  assert.throws(() => grubCommandLine('a" ; reboot ; "'));
  assert.throws(() => grubCommandLine("$prefix"));
  assert.is(grubCommandLine("test=screen", "800x600x32"), 'set capsid_cmdline="test=screen"\nset capsid_gfxpayload="800x600x32"\nset capsid_tests=1\n');
  assert.throws(() => grubCommandLine("test=screen", 'text" ; reboot ; "'));
});

runner("a line that never comes is a timeout failure carrying the serial log", async () => {
  const qemu = QemuSession.start({ commandLine: "" }); // no test: the kernel stays up after ready
  try {
    await qemu.expectLine(/^capsid: ready/, 15_000);
    const error = await rejection(qemu.expectLine("capsid: this line is never printed", 1_500));
    assert.match(error.message, "timed out after 1500 ms");
    assert.match(error.message, "--- serial log ---");
    assert.match(error.message, "capsid: ready in");
  } finally {
    await qemu.stop();
  }
});

runner("a line missing when QEMU exits is a failure, not a wait", async () => {
  await withQemu({ commandLine: "test=boot" }, async (qemu) => {
    const started = performance.now();
    const error = await rejection(qemu.expectLine("capsid: not in this log", 30_000));
    assert.match(error.message, "QEMU exited (kernel reported pass");
    assert.ok(performance.now() - started < 20_000, "reported when QEMU exits, long before the timeout");
  });
});

runner("text after the last line feed counts as a last line once QEMU has exited (its tail can lose the line feed)", async () => {
  const fake = QemuSession.attach(spawn("sh", ["-c", "printf 'capsid: one\\ncapsid: panic: cut short'; exit 37"]));
  assert.is(await fake.expectLine("capsid: one"), "capsid: one");
  assert.is(await fake.expectLine("capsid: panic: cut short"), "capsid: panic: cut short");
  const error = await rejection(fake.expectLine("capsid: never", 5_000));
  assert.match(error.message, "QEMU exited (kernel reported panic", "and nothing is matched twice");
  await fake.expectExit("panic");
});

runner("lines are matched in order", async () => {
  await withQemu({ commandLine: "test=boot" }, async (qemu) => {
    await qemu.expectLine("capsid: selftest: boot passed", 15_000);
    const error = await rejection(qemu.expectLine(/^capsid: ready/, 5_000));
    assert.match(error.message, "before a line matching");
  });
});

runner("a wrong exit status is a failure", async () => {
  await withQemu({ commandLine: "test=unreachable" }, async (qemu) => {
    const error = await rejection(qemu.expectExit("pass", 15_000));
    assert.match(error.message, "expected the kernel to exit with pass; kernel reported panic");
  });
});

runner.run();
