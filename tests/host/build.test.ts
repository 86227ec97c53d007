// The build is incremental: right after `make iso` (which `make test` runs first) nothing is out
// of date, and a changed .ts file rebuilds the kernel module but neither the C runtime nor the
// boot stub. The second check uses `make -n -W`, which changes no file.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "node:child_process";
import { REPOSITORY } from "../qemu-runner/runner";

test("a second `make iso` with no change does nothing", () => {
  const { MAKEFLAGS, MAKELEVEL, MFLAGS, ...environment } = process.env; // not a sub-make of `make test`
  const result = spawnSync("make", ["--no-print-directory", "iso"], { cwd: REPOSITORY, encoding: "utf8", env: environment });
  assert.is(result.status, 0);
  assert.is(result.stdout.trim(), "make: Nothing to be done for 'iso'.", "no command ran");
});

test("a changed .ts recompiles neither the C runtime nor the boot stub", () => {
  const { MAKEFLAGS, MAKELEVEL, MFLAGS, ...environment } = process.env;
  const plan = execFileSync("make", ["-n", "-W", "kernel/log/format.ts", "iso"], { cwd: REPOSITORY, encoding: "utf8", env: environment });
  assert.match(plan, "asc kernel/main.ts", "the kernel module is rebuilt");
  const compiled = [...plan.matchAll(/-c (\S+\.[cS]) -o/g)].map((match) => match[1]);
  // hw.c, entry.c, interrupts.c and user.c include the generated kernel.h; a dry run cannot know that
  // wasm2c will leave it unchanged (the real build keeps it when its content is the same).
  const includesGeneratedHeader = ["arch/x86_64/hw.c", "arch/x86_64/entry.c", "arch/x86_64/interrupts.c", "arch/x86_64/user.c"];
  const unexpected = compiled.filter((source) => !["build/wasm/kernel.c", "build/ksyms.S", ...includesGeneratedHeader].includes(source));
  assert.equal(unexpected, [], "C or assembly rebuilt for a .ts change");
});

test.run();
