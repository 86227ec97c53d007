// `make test`: runs every test file (tests/**/*.test.ts: host tests, the QEMU runner's own tests,
// the QEMU boot tests) under uvu in one process, streams its report, and closes with the line
// "N passed, N failed". Exits non-zero when anything failed or when no test ran at all.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPOSITORY } from "./qemu-runner/runner";

const uvu = spawn(process.execPath, [join(REPOSITORY, "node_modules/uvu/bin.js"), "tests", "\\.test\\.ts$", "-r", "tsx/cjs"], {
  cwd: REPOSITORY,
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? "1" : "0" },
});

let output = "";
uvu.stdout.on("data", (chunk: Buffer) => {
  process.stdout.write(chunk);
  output += chunk.toString("utf8");
});

uvu.on("exit", (code) => {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  // uvu counts a suite whose before() hook throws as total = its tests, passed = 0, and still
  // exits 0: total - passed catches it.
  const failed = total - passed;
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exit(code !== 0 || failed > 0 || total === 0 ? 1 : 0);
});
