// BootFiles on the real ISO: files-check (userspace/programs/files-check) reads data files, a
// generated one and the manifest through its BootFiles grant and prints each one's size and
// SHA-256, which must equal the host's copies (userspace/files/, build/files/blob.bin,
// build/user/manifest.bin); its refusals (a missing name, a name too long, a bad buffer) must
// hold, and the run must end clean (exit 0, nothing leaked).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY, withQemu } from "../qemu-runner/runner";

const FILES: Record<string, string> = {
  "index.html": "userspace/files/index.html",
  "hello.txt": "userspace/files/hello.txt",
  "blob.bin": "build/files/blob.bin",
  manifest: "build/user/manifest.bin",
};

test("files-check reads each boot file with the host's size and SHA-256, and every refusal holds", async () => {
  await withQemu({ commandLine: "test=user init=files-check" }, async (qemu) => {
    for (const [name, path] of Object.entries(FILES)) {
      const bytes = readFileSync(join(REPOSITORY, path));
      const line = await qemu.expectLine(new RegExp(`^files-check: (${name.replace(".", "\\.")} .*|.*failed.*)$`), 30_000);
      assert.is(line, `files-check: ${name} ${bytes.length} bytes sha256 ${createHash("sha256").update(bytes).digest("hex")}`);
    }
    assert.is(await qemu.expectLine(/^files-check: (PASS|FAIL)/), "files-check: PASS");
    await qemu.expectExit("pass");
  });
});

test("the blob is the documented counter-mode SHA-256 stream (the Makefile's recipe)", () => {
  const blob = readFileSync(join(REPOSITORY, "build/files/blob.bin"));
  assert.is(blob.length, 307323);
  const block = (i: number) => createHash("sha256").update(`capsid blob ${i}`).digest();
  assert.equal(blob.subarray(0, 32), block(0));
  assert.equal(blob.subarray(32 * 9000, 32 * 9001), block(9000));
});

test.run();
