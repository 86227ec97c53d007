// Writing files, devices and procfs on the real ISO (docs/linux.md, docs/fs.md): fsw-check,
// dev-check, proc-check and fs-fuzz (a seeded random sequence of file calls; glibc and musl,
// each its own seed) run as init on Capsid and as /init on Debian's kernel, whose initramfs holds the same tree and /dev
// nodes (linux-reference.ts); their output and exit
// status must agree line for line, but for tests/linux/differences.txt. ro-check is Capsid
// only, since Linux has no grants: through a read-only Namespace grant (ro-check) every change
// is EROFS, and without one (ro-check-musl) every path is ENOENT; its lines are compared with
// the ones written here, and so is full-check (the root file system's quota is Capsid's own).
// Each Capsid run is test=user: nothing may be left behind.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compareWithDifferences, ensureLinuxKernel, readDifferences, runOnCapsid, runOnLinux } from "./linux-reference";

const COMPARED: [string, string][] = [
  ["fsw-check", "fsw-check"],
  ["fsw-check-musl", "fsw-check"],
  ["dev-check", "dev-check"],
  ["dev-check-musl", "dev-check"],
  ["proc-check", "proc-check"],
  ["proc-check-musl", "proc-check"],
  ["fs-fuzz", "fs-fuzz"],
  ["fs-fuzz-musl", "fs-fuzz"],
];

test.before(() => ensureLinuxKernel());

for (const [program, marker] of COMPARED) {
  test(`${program}: the same lines and exit status on Capsid as on Debian's kernel, and nothing left behind`, async () => {
    const start = `${marker}: started`, end = `${marker}: done`;
    const linux = await runOnLinux(join(REPOSITORY, "build/linux-user", program), start, end);
    const capsid = await runOnCapsid(program, start, end, program === "fsw-check" ? "strace=fsw-check" : "");
    assert.ok(linux.lines.length > 40 && linux.lines[linux.lines.length - 1] === end, `the reference ran to its end: ${linux.lines.join("\n")}`);
    const problems = compareWithDifferences(program, linux, capsid, readDifferences());
    assert.equal(problems, [], problems.join("\n"));
    assert.match(capsid.verdict, /ended \(exit code 0\); processes left 0, .* live objects none/);
    if (program !== "fsw-check") return;
    // The trace names the capability behind each call: the Namespace for paths, the File for writes.
    const trace = capsid.serial.split("\n").filter((line) => line.includes("capsid: strace: "));
    assert.ok(trace.some((line) => /strace: 1 openat\(0x(ffffffff)?ffffff9c, 0x[0-9a-f]+, 0xc1, 0x1b6\) = 3 \[file 0x[0-9a-f]+\]$/.test(line)),
      "open O_CREAT|O_WRONLY|O_EXCL is traced with the File it made");
    assert.ok(trace.some((line) => /strace: 1 write\(0x3, 0x[0-9a-f]+, 0x6\) = 6 \[file 0x[0-9a-f]+\]$/.test(line)), "a write names the File");
    assert.ok(trace.some((line) => /strace: 1 mkdir\(0x[0-9a-f]+, 0x1ff\) = 0 \[namespace 0x[0-9a-f]+\]$/.test(line)), "mkdir names the Namespace");
    assert.ok(trace.some((line) => /strace: 1 renameat2\(.*\) = -1 EEXIST \[namespace 0x[0-9a-f]+\]$/.test(line)), "RENAME_NOREPLACE's EEXIST is traced");
  });
}

/** ro-check's lines through a read-only namespace (namespace: 1) and with none (namespace: 0). */
function expected(namespace: boolean): string[] {
  const refused = namespace ? "EROFS" : "ENOENT";
  const opened = namespace ? "0" : "-1 ENOENT";
  return [
    "ro-check: started",
    `namespace: ${namespace ? 1 : 0}`,
    `open O_CREAT: -1 ${refused}`,
    `open O_WRONLY: -1 ${refused}`,
    `open O_RDWR: -1 ${refused}`,
    `open O_RDONLY|O_TRUNC: -1 ${refused}`,
    `creat: -1 ${refused}`,
    `open O_RDONLY: ${opened}`,
    `fchmod: -1 ${namespace ? "EROFS" : "EBADF"}`,
    `fchown: -1 ${namespace ? "EROFS" : "EBADF"}`,
    `futimens: -1 ${namespace ? "EROFS" : "EBADF"}`,
    `ftruncate: -1 ${namespace ? "EINVAL" : "EBADF"}`,   // a descriptor not open for writing: EINVAL, as Linux
    `mkdir: -1 ${refused}`,
    `mkdir an existing directory: -1 ${namespace ? "EEXIST" : "ENOENT"}`,
    `rmdir: -1 ${refused}`,
    `unlink: -1 ${refused}`,
    `unlink a missing file: -1 ${refused}`,   // Linux asks for write access before it looks the name up
    `rename: -1 ${refused}`,
    `link: -1 ${refused}`,
    `symlink: -1 ${refused}`,
    `chmod: -1 ${refused}`,
    `chown: -1 ${refused}`,
    `utimensat: -1 ${refused}`,
    `truncate: -1 ${refused}`,
    `access W_OK: -1 ${refused}`,
    `access R_OK: ${namespace ? "0" : "-1 ENOENT"}`,
    `access W_OK /dev/null: ${namespace ? "0" : "-1 ENOENT"}`,
    `access /proc/self/stat: ${namespace ? "0" : "-1 ENOENT"}`,
    `statfs: ${namespace ? "0" : "-1 ENOENT"}`,
    `read-only: ${namespace ? 1 : -1}`,
    `stat: ${namespace ? "0" : "-1 ENOENT"}`,
    `chdir: ${namespace ? "0" : "-1 ENOENT"}`,
    `getcwd: ${namespace ? "/tmp" : "ENOENT"}`,
    `open /dev/null: ${opened}`,
    `write /dev/null: ${namespace ? "3" : "-1 EBADF"}`,
    `open /dev/zero: ${opened}`,
    `open /dev/tty: ${opened}`,
    `isatty /dev/tty: ${namespace ? 1 : 0}`,
    ...(namespace ? ["ro-check: through /dev/tty", "write /dev/tty: 27"] : ["write /dev/tty: -1 EBADF"]),
    `open /dev/console: ${opened}`,
    `child mkdir: ${refused}`,   // a forked child keeps its parent's right
    "ro-check: done",
  ];
}

for (const [program, namespace] of [["ro-check", true], ["ro-check-musl", false]] as [string, boolean][]) {
  test(`${program}: ${namespace ? "a read-only namespace refuses every change (EROFS)" : "without a namespace every path is ENOENT"}`, async () => {
    const capsid = await runOnCapsid(program, "ro-check: started", "ro-check: done");
    assert.equal(capsid.lines, expected(namespace));
    assert.is(capsid.exitCode, 0);
    assert.match(capsid.verdict, /ended \(exit code 0\); processes left 0, .* live objects none/);
  });
}

const FULL = [
  "full-check: started",
  "filled in under 64 MiB: 1",
  "more than 8 MiB written: 1",
  "the write after the file system is full: -1 ENOSPC",
  "free blocks before > 2048: 1, after < 16: 1",
  "size is what was written: 1",
  "a new name in a full file system: -1 ENOSPC",
  "unlink the big file: 0",
  "the space is back: 1",
  "write again: 1048576",
  "full-check: done",
];

for (const program of ["full-check", "full-check-musl"]) {
  test(`${program}: writes fill the root file system's own quota, then ENOSPC; unlink gives the space back`, async () => {
    const capsid = await runOnCapsid(program, "full-check: started", "full-check: done");
    assert.equal(capsid.lines, FULL);
    assert.match(capsid.verdict, /ended \(exit code 0\); processes left 0, .* live objects none/);
  });
}

test.run();
