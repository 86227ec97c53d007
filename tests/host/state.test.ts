// Module state, as docs/STATE.md lists it: every kernel module keeps its mutable state in one
// object (`const state = new XxxState()`) or in static storage (memory.data), never in top-level
// `let`s, and the list in docs/STATE.md names exactly the state objects and the modules with
// static storage the code has, each with its scope (global or per-CPU).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { typeScriptSources } from "./sources";

/** The module's top-level declarations that make or hold state. */
export function topLevelState(text: string): { lets: string[]; objects: string[]; statics: boolean } {
  const lets = [...text.matchAll(/^(?:export\s+)?(?:let|var)\s+(\w+)/gm)].map((match) => match[1]);
  const objects = [...text.matchAll(/^(?:export\s+)?const\s+(\w+)(?:\s*:[^=]+)?\s*=\s*new\s+(\w+)/gm)].map((match) => `${match[1]} = new ${match[2]}`);
  return { lets, objects, statics: /\bmemory\.data\s*[<(]/.test(text) };
}

interface Row { module: string; state: string; scope: string }
function registry(): Row[] {
  const text = readFileSync(join(REPOSITORY, "docs/STATE.md"), "utf8");
  return [...text.matchAll(/^\| (kernel\/[\w/.-]+\.ts) \| ([^|]+) \| ([^|]+) \| [^|]+ \|$/gm)]
    .map((match) => ({ module: match[1], state: match[2].trim(), scope: match[3].trim() }));
}

const SOURCES = typeScriptSources("kernel");

test("no kernel module has a top-level let; each has at most one state object, `const state = new XxxState()`", () => {
  const wrong: string[] = [];
  for (const file of SOURCES) {
    const { lets, objects } = topLevelState(readFileSync(join(REPOSITORY, file), "utf8"));
    for (const name of lets) wrong.push(`${file}: top-level let ${name}`);
    if (objects.length > 1) wrong.push(`${file}: ${objects.length} top-level objects (${objects.join(", ")})`);
    for (const object of objects) if (!/^state = new \w+State$/.test(object)) wrong.push(`${file}: ${object}`);
  }
  assert.equal(wrong, []);
});

test("docs/STATE.md lists exactly the state objects and the modules with static storage", () => {
  const rows = registry();
  assert.ok(rows.length >= 30, "rows found");
  for (const row of rows) assert.ok(["global", "per-CPU"].includes(row.scope), `${row.module} ${row.state}: scope ${row.scope}`);
  const listedObjects = new Set(rows.filter((row) => !row.state.startsWith("static")).map((row) => `${row.module} ${row.state}`));
  const listedStatics = new Set(rows.filter((row) => row.state.startsWith("static")).map((row) => row.module));
  const objects = new Set<string>(), statics = new Set<string>();
  for (const file of SOURCES) {
    const found = topLevelState(readFileSync(join(REPOSITORY, file), "utf8"));
    for (const object of found.objects) objects.add(`${file} ${object.replace(/^state = new /, "")}`);
    if (found.statics) statics.add(file);
  }
  assert.equal([...objects].sort(), [...listedObjects].sort(), "state objects");
  assert.equal([...statics].sort(), [...listedStatics].sort(), "modules with static storage");
});

test("the scanner sees a let, a second object and static storage (a check that can fail)", () => {
  const found = topLevelState("let counter: i32 = 0;\nconst state = new AState();\nconst other = new Thing();\nfunction f(): void { const x = memory.data(8); }\n");
  assert.equal(found.lets, ["counter"]);
  assert.equal(found.objects, ["state = new AState", "other = new Thing"]);
  assert.ok(found.statics);
});

test.run();
