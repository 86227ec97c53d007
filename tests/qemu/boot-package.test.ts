// The boot package's archives on the real ISO (kernel/loader/boot-package.ts, iso/grub.cfg): a
// user's boot (no capsid_tests) has the user's programs and no test program; a test boot has
// both; and ISOs made here from `make iso`'s files with a hostile test package show that a
// malformed archive is refused whole with its reason, and that a test package cannot replace a
// user's program or the manifest (the first file of a name is kept).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPOSITORY, withQemu } from "../qemu-runner/runner";
import { bootArchive } from "../../tools/boot-archive";
import { cpio } from "../../tools/cpio";

const test = suite("boot package");
const READY = /^capsid: ready in /;

test("a user's boot: the user's package alone, init runs hello, a test program is absent", async () => {
  await withQemu({ commandLine: "test=user init=files-check", testPackage: false }, async (qemu) => {
    await qemu.expectLine(READY, 15_000);
    await qemu.expectLine(/^capsid: boot package: package: 5 files, \d+ KiB$/);
    await qemu.expectLine(/^capsid: boot package: 4 programs \(\d+ more of the manifest not on the boot medium: no test-package module\)$/);
    await qemu.expectLine("capsid: processes: init=files-check: no such program in the boot package");
    await qemu.expectExit("fail");
    assert.not.match(qemu.serial, "test-package:", "GRUB loaded no test package");
  });
  await withQemu({ commandLine: "test=user", testPackage: false }, async (qemu) => {
    await qemu.expectLine("init: PASS hello exit code", 30_000);
    await qemu.expectExit("pass");
  });
});

test("a test boot: both packages, every program of the manifest", async () => {
  await withQemu({ commandLine: "test=user" }, async (qemu) => {
    await qemu.expectLine(/^capsid: boot package: package: 5 files/, 15_000);
    await qemu.expectLine(/^capsid: boot package: test-package: \d+ files, \d+ KiB$/);
    const line = await qemu.expectLine(/^capsid: boot package: \d+ programs/);
    const manifest = JSON.parse(readFileSync(join(REPOSITORY, "userspace/manifest.json"), "utf8")) as { programs: unknown[] };
    assert.is(line, `capsid: boot package: ${manifest.programs.length} programs`);
    await qemu.expectLine("init: PASS hello exit code", 30_000);
    await qemu.expectExit("pass");
  });
});

/** An ISO of `make iso`'s files with `testPackage` as test-package.cpio; removed by `run`'s end. */
async function withHostileIso(testPackage: Buffer, run: (iso: string) => Promise<void>): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), "capsid-package-"));
  try {
    cpSync(join(REPOSITORY, "build/isodir"), join(directory, "isodir"), { recursive: true });
    writeFileSync(join(directory, "isodir/boot/test-package.cpio"), testPackage);
    execFileSync("grub-mkrescue", ["-o", join(directory, "hostile.iso"), join(directory, "isodir")], { stdio: "ignore" });
    await run(join(directory, "hostile.iso"));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

test("a malformed test package is refused whole with its reason; the user's package still runs", async () => {
  const archive = Buffer.concat([
    bootArchive([{ name: "files-check", data: Buffer.alloc(64, 1) }]).subarray(0, -124), // its trailer cut off
    cpio([{ name: "bin", mode: 0o040755 }]),                                                  // a directory
  ]);
  await withHostileIso(archive, async (iso) => {
    await withQemu({ iso, commandLine: "test=user" }, async (qemu) => {
      await qemu.expectLine(/^capsid: boot package: archive 'test-package' refused \(not permitted\): entry at offset \d+: not a regular file$/, 15_000);
      await qemu.expectLine(/^capsid: boot package: \d+ programs$/);
      await qemu.expectLine("init: PASS hello exit code", 30_000);
      await qemu.expectExit("pass");
      assert.not.match(qemu.serial, "capsid: panic");
    });
  });
});

test("a test package cannot replace a user's program or the manifest", async () => {
  const hello = readFileSync(join(REPOSITORY, "build/package/programs/hello"));
  const archive = bootArchive([{ name: "init", data: hello }, { name: "manifest", data: Buffer.from("not a manifest") }]);
  await withHostileIso(archive, async (iso) => {
    await withQemu({ iso, commandLine: "test=user" }, async (qemu) => {
      await qemu.expectLine("capsid: boot package: a second file named 'init' left out", 15_000);
      await qemu.expectLine("capsid: boot package: a second file named 'manifest' left out");
      await qemu.expectLine("init: PASS hello exit code", 30_000);   // init, not hello in its place
      await qemu.expectExit("pass");
    });
  });
});

test.run();
