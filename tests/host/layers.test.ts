// The folders as layers (docs/ARCHITECTURE.md, "Layers"): reads every AssemblyScript import of
// kernel/, abi/ and userspace/ and checks that abi/ imports nothing outside itself, userspace/
// nothing but itself and abi/, and that each kernel folder imports only folders below it in
// LAYERS, so the folder graph has no cycle. A cycle is reported with its path. Generated modules
// (build/generated/, written by the build from files outside the repository: the console font)
// import nothing and may be imported by any kernel folder.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { REPOSITORY } from "../qemu-runner/runner";
import { typeScriptSources } from "./sources";

/** The kernel's folders, lowest first: a folder may import itself and folders before it. */
export const LAYERS = [
  "arch", "collections", "log", "boot", "memory", "acpi", "interrupts", "pci", "drivers", "time", "random", "net", "display", "keyboard", "console",
  "cap", "vm", "fs", "loader", "sched", "objects", "linux", "syscall", "selftest",
];

interface Import { from: string; to: string; line: number }

/** Every relative import and re-export of `file`, resolved to repository paths. */
export function importsOf(file: string, text = readFileSync(join(REPOSITORY, file), "utf8")): Import[] {
  const found: Import[] = [];
  // Statements may span lines (import { a,\n b } from "..."); comments are not statements.
  for (const match of text.matchAll(/^[ \t]*(?:import|export)\b[^;"]*?(?:from\s*)?"(\.{1,2}\/[^"]+)"/gm)) {
    const to = relative(REPOSITORY, resolve(REPOSITORY, dirname(file), match[1])) + ".ts";
    found.push({ from: file, to, line: text.slice(0, match.index).split("\n").length });
  }
  return found;
}

/** The folder of generated modules: data the build writes, importing nothing. */
const GENERATED = "build/generated/";

/** The unit a file belongs to: "abi", "userspace", or "kernel/<folder>" ("kernel" for main.ts). */
export function unitOf(file: string): string {
  const parts = file.split("/");
  if (parts[0] !== "kernel") return parts[0];
  return parts.length > 2 ? `kernel/${parts[1]}` : "kernel";
}

const ALL = [...typeScriptSources("kernel"), ...typeScriptSources("abi"), ...typeScriptSources("userspace")];
const IMPORTS = ALL.flatMap((file) => importsOf(file));
const where = (item: Import) => `${item.from}:${item.line} imports ${item.to}`;

test("every import names a file that exists", () => {
  const missing = IMPORTS.filter((item) => !ALL.includes(item.to) && !item.to.startsWith("node_modules")
    && !(item.to.startsWith(GENERATED) && existsSync(join(REPOSITORY, item.to))));
  assert.equal(missing.map(where), []);
});

test("abi/ imports nothing outside abi/", () => {
  assert.equal(IMPORTS.filter((item) => unitOf(item.from) === "abi" && unitOf(item.to) !== "abi").map(where), []);
});

test("userspace/ imports only userspace/ and abi/, never kernel/", () => {
  const wrong = IMPORTS.filter((item) => unitOf(item.from) === "userspace" && !["userspace", "abi"].includes(unitOf(item.to)));
  assert.equal(wrong.map(where), []);
});

test("kernel/ holds only main.ts at its root; every other file is in a folder of LAYERS", () => {
  const stray = typeScriptSources("kernel").filter((file) => unitOf(file) === "kernel" ? file !== "kernel/main.ts"
    : !LAYERS.includes(file.split("/")[1]));
  assert.equal(stray, []);
});

test("each kernel folder imports only abi/, itself and the folders below it in LAYERS", () => {
  const rank = (unit: string) => unit === "kernel" ? LAYERS.length : LAYERS.indexOf(unit.slice("kernel/".length));
  const wrong = IMPORTS.filter((item) => {
    if (!item.from.startsWith("kernel/")) return false;
    const to = unitOf(item.to);
    if (to === "abi" || item.to.startsWith(GENERATED)) return false;
    if (!to.startsWith("kernel")) return true;
    return rank(to) > rank(unitOf(item.from));
  });
  assert.equal(wrong.map(where), []);
});

/** A cycle in the folder graph, as a list of units, or null. */
export function findCycle(edges: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (unit: string): string[] | null => {
    if (state.get(unit) === "done") return null;
    if (state.get(unit) === "open") return [...path.slice(path.indexOf(unit)), unit];
    state.set(unit, "open");
    path.push(unit);
    for (const next of edges.get(unit) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(unit, "done");
    return null;
  };
  for (const unit of edges.keys()) {
    const cycle = visit(unit);
    if (cycle) return cycle;
  }
  return null;
}

test("the folder graph has no cycle", () => {
  const edges = new Map<string, Set<string>>();
  for (const item of IMPORTS) {
    const from = unitOf(item.from), to = unitOf(item.to);
    if (from === to) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from)!.add(to);
  }
  const cycle = findCycle(edges);
  assert.is(cycle && cycle.join(" -> "), null);
});

test("docs/ARCHITECTURE.md's \"Layers\" block lists the kernel folders in LAYERS order", () => {
  const text = readFileSync(join(REPOSITORY, "docs/ARCHITECTURE.md"), "utf8");
  const section = text.slice(text.indexOf("## Layers"));
  const block = section.slice(section.indexOf("```") + 3, section.indexOf("```", section.indexOf("```") + 3));
  const documented = [...block.matchAll(/^kernel\/(\w+)\s/gm)].map((match) => match[1]);
  assert.equal(documented, LAYERS);
});

test("the cycle finder finds a cycle and its path (a check that can fail)", () => {
  const edges = new Map([["a", new Set(["b"])], ["b", new Set(["c"])], ["c", new Set(["a"])], ["d", new Set(["a"])]]);
  assert.equal(findCycle(edges), ["a", "b", "c", "a"]);
  assert.is(findCycle(new Map([["a", new Set(["b"])], ["b", new Set<string>()]])), null);
});

test.run();
