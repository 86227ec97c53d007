// Guest instructions of the head against a base commit (bench/base-commit, or BENCH_BASE), both
// measured in the same run: the yardstick of a refactor is that no round trip and not init grows
// by more than 5 %. Under `-icount shift=0` the guest's TSC advances 1 per guest instruction, so
// the cycle figures the programs print are instruction counts, nearly the same on every boot and
// free of this machine's noise. Called by run.ts; it prints, it never fails on a regression.
// The base's ISO is built by `make iso` in a git worktree at build/bench-base/<commit>/, once.

import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, utimesSync } from "node:fs";
import { join, relative } from "node:path";
import { countInitInstructions } from "./boot";
import { IPC_LINE, THREADS_LINE } from "./ipc";
import { LINES, type ProcessFigures } from "./processes";
import { DEFAULT_ISO, REPOSITORY, logMessage, withQemu } from "../tests/qemu-runner/runner";

const BASE_COMMIT_FILE = join(REPOSITORY, "bench/base-commit");
const BASE_DIRECTORY = join(REPOSITORY, "build/bench-base");
const ICOUNT = ["-icount", "shift=0"];
/** A program boot takes about 3 s under -icount here; a boot that hangs costs this, and one that
 * gives none of its figures is not repeated (measureImage). */
const PROGRAM_TIMEOUT_MS = 60_000;
export const ALLOWED_GROWTH_PERCENT = 5;

export interface BaseCommit {
  commit: string;   // the full id
  subject: string;
  origin: string;   // where it was named: "BENCH_BASE" or bench/base-commit with its reason
}

/** One figure: which boot prints it, and the capture group of its line holding the count. */
interface Figure { name: string; init: string; pattern: RegExp; group: number }

function processLine(key: keyof ProcessFigures): RegExp {
  return LINES.find(([cycles]) => cycles === key)![2];
}

// Kernel init comes first and from its own boot (countInitInstructions); the rest are the lines
// of the programs bench, ipc (with ipc-peer) and threads, parsed with processes.ts's and ipc.ts's
// patterns so that both sections read the same lines.
const INIT_FIGURE = "kernel init without calibration";
const FIGURES: Figure[] = [
  { name: "empty cap_enter", init: "bench", pattern: processLine("emptyCycles"), group: 1 },
  { name: "per NOP entry", init: "bench", pattern: processLine("perNopCycles"), group: 1 },
  { name: "cap_enter with 16 NOPs", init: "bench", pattern: processLine("batchCycles"), group: 1 },
  { name: "spawn+exit+wait", init: "bench", pattern: processLine("spawnCycles"), group: 1 },
  { name: "IPC round trip, two processes", init: "ipc", pattern: IPC_LINE, group: 1 },
  { name: "IPC round trip, two threads", init: "threads", pattern: THREADS_LINE, group: 2 },
  { name: "ParkSpace wake round trip", init: "threads", pattern: THREADS_LINE, group: 1 },
];
const PROGRAMS = [...new Set(FIGURES.map((figure) => figure.init))];

function git(arguments_: string[], directory = REPOSITORY): string {
  return execFileSync("git", arguments_, { cwd: directory, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** The base commit named by BENCH_BASE or bench/base-commit; throws with the reason it has none. */
export function resolveBase(): BaseCommit {
  let name: string, origin: string;
  const fromEnvironment = process.env.BENCH_BASE?.trim();
  if (fromEnvironment) {
    name = fromEnvironment;
    origin = "BENCH_BASE";
  } else {
    const line = readFileSync(BASE_COMMIT_FILE, "utf8").split("\n").map((text) => text.trim()).find((text) => text !== "" && !text.startsWith("#"));
    if (line === undefined) throw new Error("bench/base-commit names no commit");
    const [first, ...reason] = line.split(/\s+/);
    name = first;
    origin = `bench/base-commit: ${reason.join(" ") || "(no reason given)"}`;
  }
  let commit: string;
  try {
    commit = git(["rev-parse", "--verify", "--quiet", `${name}^{commit}`]);
  } catch {
    throw new Error(`${JSON.stringify(name)} (${origin === "BENCH_BASE" ? "BENCH_BASE" : "bench/base-commit"}) is not a commit of this repository`);
  }
  return { commit, subject: git(["log", "-1", "--format=%s", commit]), origin };
}

/** True when `directory` is a git worktree whose HEAD is `commit` (not a leftover directory). */
function isWorktreeAt(directory: string, commit: string): boolean {
  if (!existsSync(join(directory, ".git"))) return false;
  try {
    return git(["rev-parse", "HEAD"], directory) === commit;
  } catch {
    return false;
  }
}

/** The end of a log file, for a failure report. */
function tail(path: string, lines: number): string {
  return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).map((line) => `    ${line}`).join("\n");
}

/** The base's node_modules: a copy of the head's when both lock files are the same, else its own
 * `npm ci`, which its setup step runs in the worktree. Never a symbolic link: `npm ci` there
 * deletes node_modules first and must not reach the head's. */
function provideNodeModules(worktree: string): void {
  const target = join(worktree, "node_modules");
  const sameLock = readFileSync(join(REPOSITORY, "package-lock.json")).equals(readFileSync(join(worktree, "package-lock.json")));
  if (!sameLock) {
    console.log("  base: its package-lock.json differs from the head's: its setup step runs npm ci there (network needed)");
    return;
  }
  if (!existsSync(target)) {
    console.log("  base: copying node_modules from the head (same package-lock.json)");
    const partial = `${target}.partial`;
    rmSync(partial, { recursive: true, force: true });
    execFileSync("cp", ["-a", "--reflink=auto", join(REPOSITORY, "node_modules"), partial]);
    renameSync(partial, target); // only a complete copy is ever called node_modules
  }
  // tools/setup.sh runs `npm ci` when package-lock.json, just checked out, is newer than
  // node_modules/.package-lock.json, copied with its old time: make the copy the newer.
  const now = new Date();
  utimesSync(join(target, ".package-lock.json"), now, now);
}

/** Removes gcc's dependency files (*.d) under the base's build/: the head's Makefile includes
 * every *.d under its own build/, the base's too, and a header the base has and the head has not
 * would make the head rebuild on every `make`. The base's sources never change, so its own
 * build loses nothing by it. */
function forgetDependencyFiles(directory: string): void {
  if (!existsSync(directory)) return;
  for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true }))
    if (entry.isFile() && entry.name.endsWith(".d")) rmSync(join(entry.parentPath ?? entry.path, entry.name));
}

/** The base's ISO: reused when build/bench-base/<commit>/iso/capsid.iso exists, else built by
 * `make iso` in a git worktree there. Throws an Error whose message says why there is none. */
export function baseIso(commit: string): string {
  const worktree = join(BASE_DIRECTORY, commit);
  const iso = join(worktree, "iso/capsid.iso");
  const shown = relative(REPOSITORY, worktree);
  if (existsSync(iso)) {
    forgetDependencyFiles(join(worktree, "build")); // from a build by an earlier version of this file
    console.log(`  base: reusing ${relative(REPOSITORY, iso)}`);
    return iso;
  }
  mkdirSync(BASE_DIRECTORY, { recursive: true });
  git(["worktree", "prune"]); // forgets worktrees whose directory is gone (`make clean` removes build/)
  if (!isWorktreeAt(worktree, commit)) {
    rmSync(worktree, { recursive: true, force: true });
    console.log(`  base: git worktree add --detach ${shown} ${commit.slice(0, 12)}`);
    try {
      git(["worktree", "add", "--detach", worktree, commit]);
    } catch (error) {
      throw new Error(`git worktree add failed: ${String((error as { stderr?: string }).stderr ?? error).trim()}`);
    }
  }
  provideNodeModules(worktree);
  const logPath = `${worktree}.log`;
  console.log(`  base: make iso in ${shown} (one to two minutes; log in ${relative(REPOSITORY, logPath)})`);
  const started = performance.now();
  const log = openSync(logPath, "w");
  // Not a sub-make of `make bench`: its flags and job server belong to the head's build.
  const { MAKEFLAGS, MAKELEVEL, MFLAGS, ...environment } = process.env;
  const result = spawnSync("make", ["--no-print-directory", "iso"], { cwd: worktree, stdio: ["ignore", log, log], env: environment });
  closeSync(log);
  forgetDependencyFiles(join(worktree, "build"));
  if (result.status !== 0 || !existsSync(iso)) {
    const how = result.error ? result.error.message : result.status !== 0 ? `exit status ${result.status}` : "no iso/capsid.iso";
    throw new Error(`make iso failed in ${shown} (${how}); the end of its log:\n${tail(logPath, 15)}`);
  }
  console.log(`  base: built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return iso;
}

type Counts = Map<string, number | null>;

/** One boot of `test=user init=<program>` under -icount: the counts of that program's figures
 * (null when its line is missing, as in an older base), and what went wrong, if anything. */
async function programCounts(iso: string, program: string): Promise<{ counts: Counts; problem: string | null }> {
  return withQemu({ iso, commandLine: `test=user init=${program}`, extraArguments: ICOUNT }, async (qemu) => {
    let problem: string | null = null;
    try {
      await qemu.expectExit("pass", PROGRAM_TIMEOUT_MS);
    } catch (error) {
      problem = `init=${program}: ${(error as Error).message.split("\n")[0]}`;
    }
    const messages = qemu.serial.split("\n").map(logMessage);
    const counts: Counts = new Map();
    for (const figure of FIGURES.filter((candidate) => candidate.init === program)) {
      const match = messages.map((message) => figure.pattern.exec(message)).find((found) => found !== null);
      counts.set(figure.name, match ? Number(match[figure.group]) : null);
    }
    return { counts, problem };
  });
}

/** Every figure of one image, from one init boot and one boot per program. `skip` holds the
 * boots that gave nothing on an earlier round: they are not repeated (a base without a program
 * would otherwise cost its timeout every round). */
async function measureImage(iso: string, skip: Set<string>, problems: Set<string>): Promise<Counts> {
  const counts: Counts = new Map();
  if (skip.has("init")) counts.set(INIT_FIGURE, null);
  else {
    try {
      counts.set(INIT_FIGURE, await countInitInstructions("seabios", iso));
    } catch (error) {
      counts.set(INIT_FIGURE, null);
      skip.add("init");
      problems.add(`init: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  for (const program of PROGRAMS) {
    if (skip.has(program)) {
      for (const figure of FIGURES.filter((candidate) => candidate.init === program)) counts.set(figure.name, null);
      continue;
    }
    const { counts: programFigures, problem } = await programCounts(iso, program);
    if (problem !== null) problems.add(problem);
    if ([...programFigures.values()].every((count) => count === null)) skip.add(program);
    for (const [name, count] of programFigures) counts.set(name, count);
  }
  return counts;
}

/** The median of the counts that were measured; null when none was. */
function median(values: (number | null)[]): number | null {
  const measured = values.filter((value): value is number => value !== null).sort((a, b) => a - b);
  return measured.length === 0 ? null : measured[Math.floor(measured.length / 2)];
}

/** The largest difference between boots of one image, relative to the median. */
function spread(values: (number | null)[]): number {
  const measured = values.filter((value): value is number => value !== null);
  const middle = median(measured);
  return measured.length < 2 || !middle ? 0 : ((Math.max(...measured) - Math.min(...measured)) / middle) * 100;
}

export interface RegressionRow {
  figure: string;
  base: number | null;  // guest instructions, median of the boots; null: not measured or no line
  head: number | null;
  changePercent: number | null;
  within: boolean | null; // head at most ALLOWED_GROWTH_PERCENT above base
}

export interface Regression {
  base: BaseCommit | null;
  baseProblem: string | null;  // why the base was not measured
  head: string;                // what the head image is
  rows: RegressionRow[];
  notes: string[];             // boots that failed, how far boots of one image differed
}

/** What the head image was built from: the working tree, which may differ from HEAD. */
function describeHead(): string {
  const commit = git(["rev-parse", "--short=12", "HEAD"]);
  const changed = git(["status", "--porcelain", "--untracked-files=no"]) !== "";
  return `${relative(REPOSITORY, DEFAULT_ISO)}, the working tree at ${commit}${changed ? " with uncommitted changes" : ""}`;
}

/** Builds (or reuses) the base's ISO, then boots the head's and the base's images interleaved,
 * `boots` times each, all under -icount shift=0 with the same QEMU options. */
export async function compareWithBase(boots = 3): Promise<Regression> {
  let base: BaseCommit | null = null, baseProblem: string | null = null, baseImage: string | null = null;
  try {
    base = resolveBase();
    console.log(`  base: ${base.commit} ${base.subject}`);
    console.log(`        (${base.origin})`);
    baseImage = baseIso(base.commit);
  } catch (error) {
    baseProblem = (error as Error).message;
    console.log(`  base not measured: ${baseProblem}`);
  }
  const head = describeHead();
  console.log(`  head: ${head}`);

  const images = [{ name: "head", iso: DEFAULT_ISO }, ...(baseImage ? [{ name: "base", iso: baseImage }] : [])];
  const runs = new Map(images.map((image) => [image.name, [] as Counts[]]));
  const skips = new Map(images.map((image) => [image.name, new Set<string>()]));
  const problems = new Map(images.map((image) => [image.name, new Set<string>()]));
  for (let round = 1; round <= boots; round++) {
    process.stdout.write(`  round ${round} of ${boots}:`);
    for (const image of images) {
      process.stdout.write(` ${image.name}`);
      runs.get(image.name)!.push(await measureImage(image.iso, skips.get(image.name)!, problems.get(image.name)!));
    }
    process.stdout.write("\n");
  }

  const column = (image: string, figure: string) => (runs.get(image) ?? []).map((counts) => counts.get(figure) ?? null);
  const rows: RegressionRow[] = [INIT_FIGURE, ...FIGURES.map((figure) => figure.name)].map((figure) => {
    const baseCount = median(column("base", figure)), headCount = median(column("head", figure));
    const comparable = baseCount !== null && headCount !== null && baseCount > 0;
    return {
      figure,
      base: baseCount,
      head: headCount,
      changePercent: comparable ? ((headCount - baseCount) / baseCount) * 100 : null,
      within: comparable ? headCount <= baseCount * (1 + ALLOWED_GROWTH_PERCENT / 100) : null,
    };
  });

  const notes: string[] = [];
  for (const [image, found] of problems) for (const problem of found) notes.push(`${image}: ${problem}`);
  let widest = { percent: 0, where: "" };
  for (const image of images) for (const row of rows) {
    const percent = spread(column(image.name, row.figure));
    if (percent > widest.percent) widest = { percent, where: `${row.figure}, ${image.name}` };
  }
  notes.push(widest.percent === 0
    ? "every boot of an image gave the same counts"
    : `boots of one image differed by at most ${widest.percent.toFixed(2)} % (${widest.where})`);
  return { base, baseProblem, head, rows, notes };
}
