// The reference for Linux programs (docs/linux.md, "Conformance"): the same static binary run as
// /init on the project's pinned Debian kernel (build/linux/vmlinuz, from Debian's own package,
// fetched by the Makefile) under the same QEMU machine Capsid's tests use, and as init on
// Capsid. Each run gives the program's output lines between two markers it prints and its exit
// status; compareWithDifferences checks the two against tests/linux/differences.txt, the
// checked-in list of expected differences, each with its reason.

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpio } from "../../tools/cpio";
import { rootEntries, TreeEntry } from "../../tools/initrd";
import { REPOSITORY, withQemu } from "../qemu-runner/runner";

export const LINUX_KERNEL = join(REPOSITORY, "build/linux/vmlinuz");
export const DIFFERENCES_FILE = join(REPOSITORY, "tests/linux/differences.txt");

export interface ProgramRun {
  /** The program's lines from its start marker to its end marker, both included. */
  lines: string[];
  /** Its exit status (0..255), or null when it did not exit normally. */
  exitCode: number | null;
}

/** The lines of `text` from the first that starts with `start` to the first after it that
 * starts with `end`; kernel log lines (Linux's "[  1.23] ..." and Capsid's "capsid: ...") left out. */
export function programLines(text: string, start: string, end: string): string[] {
  const lines = text.replace(/\r/g, "").split("\n");
  const first = lines.findIndex((line) => line.startsWith(start));
  if (first < 0) return [];
  const out: string[] = [];
  for (let i = first; i < lines.length; i++) {
    const line = lines[i];
    if (/^\[\s*\d+\.\d+\]/.test(line)) continue;
    out.push(line);
    if (line.startsWith(end)) break;
  }
  return out;
}

/** The device nodes Capsid's root file system gets at boot (kernel/fs/devices.ts), with the same
 * modes and numbers, for Debian's initramfs (which has no devtmpfs mounted on /dev). */
export const DEVICE_NODES = [
  { name: "dev/null", mode: 0o020666, rdevMajor: 1, rdevMinor: 3 },
  { name: "dev/zero", mode: 0o020666, rdevMajor: 1, rdevMinor: 5 },
  { name: "dev/full", mode: 0o020666, rdevMajor: 1, rdevMinor: 7 },
  { name: "dev/random", mode: 0o020666, rdevMajor: 1, rdevMinor: 8 },
  { name: "dev/urandom", mode: 0o020666, rdevMajor: 1, rdevMinor: 9 },
  { name: "dev/tty", mode: 0o020666, rdevMajor: 5, rdevMinor: 0 },
  { name: "dev/console", mode: 0o020600, rdevMajor: 5, rdevMinor: 1 },
];

/** Runs `binary` as /init on Debian's kernel (the initramfs holds /dev and its device nodes, it,
 * and the tree of userspace/root/ that is Capsid's root file system, then `extra`: test files such
 * as Capsid's test-initrd holds). Linux
 * panics when init exits and names its status: `exitcode=0x0000SS00`. */
export function runOnLinux(binary: string, start: string, end: string, timeoutMs = 120_000, extra: TreeEntry[] = []): Promise<ProgramRun> {
  const directory = mkdtempSync(join(tmpdir(), "capsid-linux-"));
  const initrd = join(directory, "initrd.cpio");
  writeFileSync(initrd, cpio([
    { name: "dev", mode: 0o040755 },
    ...DEVICE_NODES,
    { name: "init", mode: 0o100755, data: readFileSync(binary) },
    ...rootEntries(join(REPOSITORY, "userspace/root")),   // the root file system Capsid's programs see
    ...extra,                                             // test files (Capsid's test-initrd)
  ]));
  const argv = ["-accel", "tcg", "-nodefaults", "-no-reboot", "-display", "none", "-machine", "pc", "-m", "256M", "-cpu", "qemu64",
    "-smp", "1", "-serial", "stdio", "-kernel", LINUX_KERNEL, "-initrd", initrd, "-append", "console=ttyS0 quiet panic=-1"];
  return new Promise((resolve, reject) => {
    const child = spawn("qemu-system-x86_64", argv, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => { output += chunk.toString("latin1"); });
    child.stderr.on("data", (chunk: Buffer) => { output += chunk.toString("latin1"); });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", () => {
      clearTimeout(timer);
      rmSync(directory, { recursive: true, force: true });
      const status = /Attempted to kill init! exitcode=0x([0-9a-f]+)/.exec(output);
      const lines = programLines(output, start, end);
      if (lines.length === 0) reject(new Error(`the Linux guest printed no "${start}" line:\n${output.slice(-3000)}`));
      else resolve({ lines, exitCode: status ? (parseInt(status[1], 16) >> 8) & 0xff : null });
    });
  });
}

/** Runs boot-package program `name` as Capsid's init (test=user: the run ends with the kernel's
 * verdict line, which names the exit code and checks nothing leaked). `extra` joins the command line. */
export async function runOnCapsid(name: string, start: string, end: string, extra = "", timeoutMs = 120_000): Promise<ProgramRun & { verdict: string; serial: string }> {
  return withQemu({ commandLine: `test=user init=${name}${extra ? ` ${extra}` : ""}` }, async (qemu) => {
    const verdict = await qemu.expectLine(/^capsid: selftest: user: /, timeoutMs);
    const code = /ended \(exit code (\d+)\)/.exec(verdict);
    return { lines: programLines(qemu.serial, start, end), exitCode: code ? Number(code[1]) : null, verdict, serial: qemu.serial };
  });
}

/** One expected difference: in `program`, Linux's line `linux` is Capsid's `capsid`, for `reason`. */
export interface Difference { program: string; linux: string; capsid: string; reason: string }

/** tests/linux/differences.txt: `program | Linux's line | Capsid's line | reason`, one per line;
 * `#` starts a comment. */
export function readDifferences(file = DIFFERENCES_FILE): Difference[] {
  return readFileSync(file, "utf8").split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#")).map((line) => {
    const fields = line.split(" | ");
    if (fields.length !== 4 || fields.some((field) => field.trim() === "")) throw new Error(`differences.txt: malformed line: ${line}`);
    return { program: fields[0].trim(), linux: fields[1], capsid: fields[2], reason: fields[3] };
  });
}

/** The problems between the two runs of `program`, allowing the listed differences: a line that
 * differs and is not listed, a listed difference that no longer occurs (the list must shrink as
 * Capsid improves), a different line count or exit status. Empty when they agree. */
export function compareWithDifferences(program: string, linux: ProgramRun, capsid: ProgramRun, differences: Difference[]): string[] {
  const problems: string[] = [];
  const listed = differences.filter((difference) => difference.program === program);
  const used = new Set<Difference>();
  const count = Math.max(linux.lines.length, capsid.lines.length);
  for (let i = 0; i < count; i++) {
    const expected = linux.lines[i] ?? "<no line>", seen = capsid.lines[i] ?? "<no line>";
    if (expected === seen) continue;
    const allowed = listed.find((difference) => difference.linux === expected && difference.capsid === seen);
    if (allowed) used.add(allowed);
    else problems.push(`line ${i + 1}: Linux "${expected}", Capsid "${seen}"`);
  }
  for (const difference of listed) {
    if (!used.has(difference)) problems.push(`listed difference no longer seen: "${difference.linux}" / "${difference.capsid}"`);
  }
  if (linux.exitCode !== capsid.exitCode) problems.push(`exit status: Linux ${linux.exitCode}, Capsid ${capsid.exitCode}`);
  return problems;
}

/** Builds the Linux kernel reference when it is missing (the Makefile fetches Debian's package). */
export function ensureLinuxKernel(): void {
  execFileSync("make", ["--no-print-directory", "build/linux/vmlinuz"], { cwd: REPOSITORY, stdio: "inherit" });
}
