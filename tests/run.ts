// `make test`: runs every test file (tests/**/*.test.ts: host tests, the QEMU runner's own tests,
// the QEMU boot tests) under uvu in one process, streams its report, and closes with the line
// "N passed, N failed", after repeating each failure's first lines (uvu prints them after the suite,
// which in a long run is far above the tail a CI log shows). Exits non-zero when anything failed
// or when no test ran at all.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPOSITORY } from "./qemu-runner/runner";

const uvu = spawn(process.execPath, [join(REPOSITORY, "node_modules/uvu/bin.js"), "tests", process.env.TESTS_PATTERN ?? "\\.test\\.ts$", "-r", "tsx/cjs"], {
  cwd: REPOSITORY,
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? "1" : "0" },
});

let output = "";
uvu.stdout.on("data", (chunk: Buffer) => {
  process.stdout.write(chunk);
  output += chunk.toString("utf8");
});

// "close", not "exit": the exit can come before the last of the piped report has been read.
uvu.on("close", (code) => {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  // uvu counts a suite whose before() hook throws as total = its tests, passed = 0, and still
  // exits 0: total - passed catches it.
  const failed = total - passed;
  const failures = failureSummaries(plain);
  if (failures.length) console.log(`\nFailures, repeated:\n${failures.join("\n")}`);
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exit(code !== 0 || failed > 0 || total === 0 ? 1 : 0);
});

/** Each "FAIL" block of uvu's report, with the test file it came from, cut to its first lines. */
function failureSummaries(plain: string): string[] {
  const lines = plain.split("\n");
  const summaries: string[] = [];
  let file = "";
  for (let i = 0; i < lines.length; i++) {
    if (/^\S.*\.test\.ts$/.test(lines[i])) file = lines[i];
    if (!/^\s+FAIL\s/.test(lines[i])) continue;
    const block = [`${file}:`, lines[i]];
    for (let j = i + 1; j < lines.length && j <= i + 16; j++) {
      if (/^\s+(FAIL\s|Total:)/.test(lines[j]) || /^\S.*\.test\.ts$/.test(lines[j])) break;
      block.push(lines[j]);
    }
    summaries.push(block.join("\n"));
  }
  return summaries;
}
