// Host tests of the TCP core's state machine (kernel/net/socket/tcp/), driven by the segment
// scripts in tests/host/tcp-scripts/ (the format: tests/host/tcp-script.ts), one test per
// script, each on a fresh instance of tests/host/entries/tcp-script.ts and a virtual clock; and
// a check that the runner itself fails on a wrong expectation (a test that can fail).

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { compileAssemblyScript, instantiate } from "./assemblyscript";
import { ScriptRunner } from "./tcp-script";

const scripts = suite("tcp state machine scripts");
const FOLDER = join(REPOSITORY, "tests/host/tcp-scripts");
let module: WebAssembly.Module;

scripts.before(() => {
  module = compileAssemblyScript(join(REPOSITORY, "tests/host/entries/tcp-script.ts"));
});

const only = process.env.TCP_SCRIPT;
for (const name of readdirSync(FOLDER).filter((file) => file.endsWith(".pkt")).sort()) {
  if (only && !name.includes(only)) continue;
  scripts(name.replace(/\.pkt$/, ""), () => {
    const wasm = instantiate(module, {});
    new ScriptRunner(wasm).run(readFileSync(join(FOLDER, name), "utf8"), name);
    assert.equal(wasm.aborts, []);
  });
}

scripts("the runner fails on a segment that differs, one sent at another time, and one not expected", () => {
  const open = "0 listen\n+0 < S 0:0(0) win 65535 <mss 1460>\n";
  const wasm = () => instantiate(module, {});
  assert.throws(() => new ScriptRunner(wasm()).run(open + "+0 > S. 0:0(0) ack 2 <mss 1460>\n"), /ack/);
  assert.throws(() => new ScriptRunner(wasm()).run(open + "+0.1 > S. 0:0(0) ack 1 <mss 1460>\n"), /sent at/);
  assert.throws(() => new ScriptRunner(wasm()).run(open), /unexpected segment/);
  assert.throws(() => new ScriptRunner(wasm()).run(open + "+0 > S. 0:0(0) ack 1 <mss 536>\n"), /options/);
});

scripts.run();
